"""The visits API contract (DESIGN 5.1): POST /api/v1/visits by a member of the enterprise's
service group → 201 with the demands' draft matters; 422 naming the field with nothing
written; 403 for roles that are not members; GET lists scoped by the enterprise."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from zhaoyin.accounts.models import User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.core.testing import assert_constant_queries, assert_fingerprint_unchanged, db_fingerprint
from zhaoyin.matters import clocks
from zhaoyin.matters.models import Matter
from zhaoyin.visits import services
from zhaoyin.visits.inputs import VisitCreateInput
from zhaoyin.visits.models import Visit
from zhaoyin.visits.tests.conftest import Service, fresh

pytestmark = pytest.mark.django_db

URL = "/api/v1/visits"


def client_for(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})


def post(user: User, body: dict[str, Any]) -> Any:
    return client_for(user).post(URL, data=json.dumps(body), content_type="application/json")


def body(svc: Service, **change: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "enterprise": svc.ent_1.pk,
        "date": (clocks.today() - dt.timedelta(days=1)).isoformat(),
        "notes": "座谈了解企业用工情况",
        "demands": [{"title": "招工难问题", "description": "一线操作工缺口约50人", "kind": "coordination"}],
    }
    out.update(change)
    return out


def test_post_visit_201_with_each_demands_draft_matter(svc: Service) -> None:
    response = post(svc.member_1, body(svc, participants=["colleague_1"]))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["enterprise"]["id"] == svc.ent_1.pk
    assert data["group"]["code"] == "sg-01"
    assert data["participants"] == ["colleague_1", "member_1"]
    [demand] = data["demands"]
    assert demand["status"] == "draft"
    assert demand["source"] == "visit"
    assert demand["code"].startswith("JB")
    matter = Matter.objects.get(pk=demand["id"])
    assert matter.enterprise_id == svc.ent_1.pk
    assert matter.state == "draft"
    assert Visit.objects.get(pk=data["id"]).demands.get().matter == matter


def test_post_visit_without_demands_or_participants(svc: Service) -> None:
    response = post(svc.member_1, {"enterprise": svc.ent_1b.pk, "date": clocks.today().isoformat(), "notes": "回访"})
    assert response.status_code == 201
    assert response.json()["demands"] == []
    assert response.json()["participants"] == ["member_1"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date": (clocks.today() + dt.timedelta(days=400)).isoformat()}, "date"),
        ({"date": "26/11/2026"}, "date"),
        ({"demands": [{"title": "x", "description": "", "kind": "nonsense"}]}, "demands[0].kind"),
        # Issue 15: a visit's demand is never a leader's urgent instruction (the matters' rule).
        ({"demands": [{"title": "x", "description": "", "kind": "urgent_instruction"}]}, "demands[0].kind"),
        ({"demands": [{"title": "x", "description": "", "kind": "coordination", "lead_unit": "340402"}]},
         "demands[0].lead_unit"),
        ({"participants": ["member_2"]}, "participants"),
        ({"source": "visit"}, "source"),
        ({"enterprise": "1"}, "enterprise"),
    ],
)
def test_post_visit_bad_input_422_names_the_field_nothing_written(svc: Service, change: dict[str, Any],
                                                                 field: str) -> None:
    before = db_fingerprint(exclude={"accounts.apitoken", "audit.auditrecord", "audit.auditchainhead"})
    client = client_for(svc.member_1)
    response = client.post(URL, data=json.dumps(body(svc, **change)), content_type="application/json")
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    after = db_fingerprint(exclude={"accounts.apitoken", "audit.auditrecord", "audit.auditchainhead"})
    assert_fingerprint_unchanged(before, after)


def test_post_visit_to_another_groups_or_a_missing_enterprise_is_422_on_enterprise_alike(svc: Service) -> None:
    answers = []
    for target in (svc.ent_2.pk, svc.ent_none.pk, 987_654):
        response = post(svc.member_1, body(svc, enterprise=target))
        assert response.status_code == 422
        answers.append(response.json())
    assert answers[0] == answers[1] == answers[2]
    assert answers[0]["errors"][0]["field"] == "enterprise"
    assert not Visit.objects.exists()
    assert not Matter.objects.exists()


def test_post_visit_by_a_non_member_is_403(svc: Service) -> None:
    for user in (svc.staff_a, svc.admin):
        assert post(user, body(svc)).status_code == 403
    assert not Visit.objects.exists()


def _visit(svc: Service, user: User, enterprise_pk: int) -> Visit:
    return services.visit_create(
        acting_user=fresh(user), data=VisitCreateInput.of(enterprise=enterprise_pk, date=clocks.today(), notes="n")
    )


def test_get_visits_is_scoped_by_the_enterprise(svc: Service) -> None:
    v1 = _visit(svc, svc.member_1, svc.ent_1.pk)  # county A, group 1
    v1b = _visit(svc, svc.member_1, svc.ent_1b.pk)  # county B, group 1
    v2 = _visit(svc, svc.member_2, svc.ent_2.pk)  # county A, group 2

    def ids(user: User, query: str = "") -> set[int]:
        data = client_for(user).get(URL + query).json()
        assert data["count"] == len(data["items"])
        return {item["id"] for item in data["items"]}

    assert ids(svc.member_1) == {v1.pk, v1b.pk}
    assert ids(svc.member_2) == {v2.pk}
    assert ids(svc.staff_a) == {v1.pk, v2.pk}
    assert ids(svc.admin) == {v1.pk, v1b.pk, v2.pk}
    assert ids(svc.admin, f"?enterprise={svc.ent_2.pk}") == {v2.pk}
    assert ids(svc.member_1, f"?enterprise={svc.ent_2.pk}") == set()
    # Detail: out of scope is 404, never 403.
    assert client_for(svc.member_1).get(f"{URL}/{v2.pk}").status_code == 404
    assert client_for(svc.member_2).get(f"{URL}/{v2.pk}").status_code == 200


def test_get_visits_paging_and_bad_parameters(svc: Service) -> None:
    for _i in range(3):
        _visit(svc, svc.member_1, svc.ent_1.pk)
    client = client_for(svc.admin)
    page = client.get(URL + "?page=2&page_size=2").json()
    assert page["count"] == 3
    assert len(page["items"]) == 1
    bad = (("?enterprise=x", "enterprise"), ("?quarter=2026Q9", "quarter"), ("?page_size=0", "page_size"))
    for query, field in bad:
        response = client.get(URL + query)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == field


def test_get_visits_queries_do_not_grow_with_the_page(svc: Service) -> None:
    client = client_for(svc.admin)

    def grow(n: int) -> None:
        while Visit.objects.count() < n:
            services.visit_create(
                acting_user=fresh(svc.member_1),
                data=VisitCreateInput.of(
                    enterprise=svc.ent_1.pk,
                    date=clocks.today(),
                    notes="n",
                    participants=["colleague_1"],
                    demands=[{"title": "t", "kind": "consultation", "description": ""}],
                ),
            )

    assert_constant_queries(grow=grow, run=lambda: client.get(URL), sizes=(2, 6))
