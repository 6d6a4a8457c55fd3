"""The typed inputs of 百家企业行 (``visits.inputs``): a bad value of each field is refused
naming the field, with nothing written — on the API, on the visit page and on the group pages
(VAL-01: one verdict on every channel)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from zhaoyin.accounts.models import ServiceGroupMembership
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.testing import assert_fingerprint_unchanged, db_fingerprint
from zhaoyin.matters import clocks
from zhaoyin.visits.inputs import GroupAssignInput, MemberAddInput, VisitCreateInput
from zhaoyin.visits.tests.conftest import Service
from zhaoyin.visits.tests.test_views import SESSION_TABLES, _form, web

pytestmark = pytest.mark.django_db

API_UNCHANGED = {"accounts.apitoken", "audit.auditrecord", "audit.auditchainhead"}
DEMAND = {"title": "招工难问题", "kind": "coordination", "description": ""}

#: One bad value per field of ``VisitCreateInput`` (JSON), and the field the answer names.
BAD_API_VALUES: list[tuple[dict[str, Any], str]] = [
    ({"enterprise": True}, "enterprise"),
    ({"enterprise": "12"}, "enterprise"),  # JSON text is not a record number
    ({"enterprise": 0}, "enterprise"),
    ({"date": "2026-02-30"}, "date"),
    ({"date": "1999-12-31"}, "date"),
    ({"date": 20260101}, "date"),
    ({"notes": ""}, "notes"),
    ({"notes": "x" * 5001}, "notes"),
    ({"notes": ["a"]}, "notes"),
    ({"participants": "a" * 151}, "participants"),
    ({"participants": [1, 2]}, "participants"),
    ({"participants": [f"u{n}" for n in range(21)]}, "participants"),
    ({"other_participants": "x" * 201}, "other_participants"),
    ({"enterprise_contact": "x" * 101}, "enterprise_contact"),
    ({"enterprise_contact": 5}, "enterprise_contact"),
    ({"demands": {"title": "x"}}, "demands"),
    ({"demands": [DEMAND] * 21}, "demands"),
    ({"demands": ["x"]}, "demands[0]"),
    ({"demands": [{**DEMAND, "title": "x" * 201}]}, "demands[0].title"),
    ({"demands": [{**DEMAND, "description": 7}]}, "demands[0].description"),
    ({"demands": [{**DEMAND, "kind": None}]}, "demands[0].kind"),
    ({"surprise": 1}, "surprise"),
]


def _body(svc: Service, **change: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "enterprise": svc.ent_1.pk,
        "date": (clocks.today() - dt.timedelta(days=1)).isoformat(),
        "notes": "座谈",
        "demands": [DEMAND],
    }
    body.update(change)
    return body


@pytest.mark.parametrize(("change", "field"), BAD_API_VALUES)
def test_VAL_01_api_bad_value_names_its_field_and_writes_nothing(
    svc: Service, change: dict[str, Any], field: str
) -> None:
    token = api_token_issue(user=svc.member_1)
    before = db_fingerprint(exclude=API_UNCHANGED)
    response = Client(headers={"Authorization": f"Bearer {token}"}).post(
        "/api/v1/visits", data=json.dumps(_body(svc, **change)), content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert_fingerprint_unchanged(before, db_fingerprint(exclude=API_UNCHANGED))


def test_VAL_01_every_bad_demand_is_named_at_once(svc: Service) -> None:
    with pytest.raises(InvalidInput) as exc:
        VisitCreateInput.parse(_body(svc, demands=[{**DEMAND, "kind": "x"}, DEMAND, {**DEMAND, "title": ""}]))
    assert {e["field"] for e in exc.value.errors} == {"demands[0].kind", "demands[2].title"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date": "2026/01/01"}, "date"),
        ({"date": "1999-12-31"}, "date"),
        ({"notes": "  "}, "notes"),
        ({"notes": "bad\x00text"}, "notes"),
        ({"enterprise_contact": "x\x00"}, "enterprise_contact"),
        ({"other_participants": "x\x00"}, "other_participants"),
        ({"participants": ["member_2"]}, "participants"),
    ],
)
def test_VAL_01_visit_page_bad_value_is_shown_on_its_field(svc: Service, change: dict[str, Any], field: str) -> None:
    client = web(svc.member_1)
    before = db_fingerprint(exclude=SESSION_TABLES)
    response = client.post(reverse("visits:visit_create"), _form(svc, **change))
    assert response.status_code == 400
    assert response.context["form"].errors.get(field)
    assert_fingerprint_unchanged(before, db_fingerprint(exclude=SESSION_TABLES))


def test_VAL_01_visit_page_bad_demand_title_is_shown_on_its_row(svc: Service) -> None:
    client = web(svc.member_1)
    before = db_fingerprint(exclude=SESSION_TABLES)
    response = client.post(reverse("visits:visit_create"), _form(svc, **{"demand-0-title": "x" * 201}))
    assert response.status_code == 400
    [row] = [r for r in response.context["demand_rows"] if r.index == 0]
    assert row.errors.get("title")
    assert_fingerprint_unchanged(before, db_fingerprint(exclude=SESSION_TABLES))


@pytest.mark.parametrize(
    ("posted", "field"),
    [({"user": "nobody"}, "user"), ({"user": "member_2", "is_leader": "perhaps"}, "is_leader")],
)
def test_VAL_01_member_page_bad_value_is_shown_on_its_field(svc: Service, posted: dict[str, str], field: str) -> None:
    client = web(svc.admin)
    before = db_fingerprint(exclude=SESSION_TABLES)
    response = client.post(reverse("visits:group_member_add", args=[svc.group_1.pk]), posted)
    assert response.status_code == 400
    assert response.context["member_form"].errors.get(field)
    assert_fingerprint_unchanged(before, db_fingerprint(exclude=SESSION_TABLES))
    assert not ServiceGroupMembership.objects.filter(group=svc.group_1, user=svc.member_2).exists()


@pytest.mark.parametrize("enterprise", ["91340400XXXXXXXXXX", "x\x00"])
def test_VAL_01_assign_page_bad_enterprise_is_shown_on_its_field(svc: Service, enterprise: str) -> None:
    client = web(svc.admin)
    before = db_fingerprint(exclude=SESSION_TABLES)
    response = client.post(reverse("visits:group_assign", args=[svc.group_1.pk]), {"enterprise": enterprise})
    assert response.status_code == 400
    assert response.context["assign_form"].errors.get("enterprise")
    assert_fingerprint_unchanged(before, db_fingerprint(exclude=SESSION_TABLES))


@pytest.mark.parametrize(
    ("model", "values", "field"),
    [
        (MemberAddInput, {"user": ""}, "user"),
        (MemberAddInput, {"user": "u" * 151}, "user"),
        (MemberAddInput, {"user": "a", "is_leader": "maybe"}, "is_leader"),
        (GroupAssignInput, {"enterprise": "x" * 41}, "enterprise"),
        (GroupAssignInput, {"enterprise": "1", "group": "g" * 33}, "group"),
    ],
)
def test_VAL_01_group_inputs_name_the_bad_field(model: Any, values: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        model.parse(values)
    assert [e["field"] for e in exc.value.errors] == [field]
