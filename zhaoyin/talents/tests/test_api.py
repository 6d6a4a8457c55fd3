"""/api/v1/talents: list with filters and the exact-ID lookup, detail, POST, PATCH, reveal;
masked values only; bad input 422 naming the field with nothing changed; stale version 409."""

from __future__ import annotations

import json
from typing import Any

import pytest

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import assert_constant_queries, db_fingerprint, fingerprint_changes
from zhaoyin.talents.models import Talent
from zhaoyin.talents.testing import make_talent, resident_id
from zhaoyin.talents.tests.conftest import api_client, rid

URL = "/api/v1/talents"


def _post(client: Any, body: dict[str, Any]) -> Any:
    return client.post(URL, data=json.dumps(body), content_type="application/json")


def _patch(client: Any, pk: int, body: dict[str, Any]) -> Any:
    return client.patch(f"{URL}/{pk}", data=json.dumps(body), content_type="application/json")


def test_create_answers_masked_values_only(people: dict[str, User]) -> None:
    client = api_client(people["office"])
    response = _post(client, {"name": "李思源", "id_number": rid(1), "org_unit": "340402", "phone": "13912345678"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id_number_masked"] == rid(1)[:6] + "********" + rid(1)[-4:]
    assert body["phone_masked"] == "139****5678"
    assert body["birth_date"] == "1990-05-01"
    assert rid(1) not in response.content.decode()
    assert "13912345678" not in response.content.decode()
    detail = client.get(f"{URL}/{body['id']}")
    assert rid(1) not in detail.content.decode()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"id_number": rid(2)[:17] + ("1" if rid(2)[17] != "1" else "2")}, "id_number"),
        ({"birth_date": "1991-01-01"}, "birth_date"),
        ({"arrival_date": "2999-01-01"}, "arrival_date"),
        ({"contract_start": "2025-03-01", "contract_end": "2025-01-01"}, "contract_end"),
        ({"org_unit": "340403"}, "org_unit"),
        ({"employer": "424242"}, "employer"),
        ({"tier": "A"}, "tier"),  # recognition sets the tier: not a field of the body
    ],
)
def test_VAL_01_api_bad_input_422_names_the_field(people: dict[str, User], body: dict[str, Any], field: str) -> None:
    client = api_client(people["staff_a"])
    before = db_fingerprint()
    response = _post(client, {"name": "李思源", "id_number": rid(2), "org_unit": "340402", **body})
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not fingerprint_changes(before, db_fingerprint())


def test_PII_03_duplicate_id_is_refused_on_id_number(people: dict[str, User]) -> None:
    client = api_client(people["office"])
    assert _post(client, {"name": "甲", "id_number": rid(3), "org_unit": "340402"}).status_code == 201
    response = _post(client, {"name": "乙", "id_number": rid(3).lower(), "org_unit": "340403"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "id_number"


def test_CONC_01_patch_with_a_stale_version_is_409(people: dict[str, User], org_tree: dict[str, OrgUnit]) -> None:
    talent = make_talent(org_unit=org_tree["county_a"])
    client = api_client(people["staff_a"])
    assert _patch(client, talent.pk, {"school": "安徽理工大学", "version": 1}).json()["version"] == 2
    response = _patch(client, talent.pk, {"major": "采矿工程", "version": 1})
    assert response.status_code == 409
    assert Talent.objects.get(pk=talent.pk).major == ""


def test_AC_03_scope_on_every_operation(people: dict[str, User], org_tree: dict[str, OrgUnit]) -> None:
    theirs = make_talent(org_unit=org_tree["county_b"])
    client = api_client(people["staff_a"])
    assert client.get(f"{URL}/{theirs.pk}").status_code == 404
    assert _patch(client, theirs.pk, {"major": "x"}).status_code == 404
    assert client.get(URL).json()["count"] == 0
    leader = api_client(people["leader"])
    assert leader.get(f"{URL}/{theirs.pk}").status_code == 200
    assert _patch(leader, theirs.pk, {"major": "x"}).status_code == 403


def test_list_filters_and_exact_id_lookup(people: dict[str, User], org_tree: dict[str, OrgUnit]) -> None:
    import datetime as dt

    a = make_talent(org_unit=org_tree["county_a"], name="赵博士", education="doctorate", tier="B")
    make_talent(org_unit=org_tree["park_a"], name="钱硕士", education="master", station=org_tree["station"])
    make_talent(org_unit=org_tree["county_b"], name="孙本科", education="bachelor")
    client = api_client(people["office"])
    assert client.get(URL).json()["count"] == 3
    assert [i["name"] for i in client.get(URL + "?education=doctorate").json()["items"]] == ["赵博士"]
    assert client.get(URL + "?tier=B").json()["count"] == 1
    assert client.get(URL + "?org_unit=340402").json()["count"] == 2  # the park is inside county A
    assert client.get(URL + "?station=st-sh").json()["count"] == 1
    assert client.get(URL + "?q=博士").json()["count"] == 1
    number = resident_id(dt.date(1990, 5, 1), 0)  # not registered
    assert client.get(URL + f"?id_number={number}").json()["count"] == 0
    from zhaoyin.talents.crypto import decrypt_id

    found = client.get(URL + f"?id_number={decrypt_id(a.id_number_enc).lower()}").json()
    assert [i["id"] for i in found["items"]] == [a.pk]
    bad = client.get(URL + "?id_number=12$4")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "id_number"
    assert client.get(URL + "?tier=Z").status_code == 422


def test_PII_02_reveal_is_audited_and_for_the_office_only(
    people: dict[str, User], org_tree: dict[str, OrgUnit]
) -> None:
    talent = make_talent(org_unit=org_tree["county_a"], phone="13912345678")
    office = api_client(people["office"])
    response = office.post(f"{URL}/{talent.pk}/reveal")
    assert response.status_code == 200
    assert response.json()["phone"] == "13912345678"
    record = AuditRecord.objects.get(action="talent.reveal")
    assert record.object_id == str(talent.pk)
    assert "13912345678" not in json.dumps([record.before, record.after, record.detail])
    assert api_client(people["staff_a"]).post(f"{URL}/{talent.pk}/reveal").status_code == 403
    assert api_client(people["leader"]).post(f"{URL}/{talent.pk}/reveal").status_code == 403


def test_talent_sees_only_their_own_record(people: dict[str, User], org_tree: dict[str, OrgUnit]) -> None:
    own = make_talent(org_unit=org_tree["county_a"], account=people["talent"])
    other = make_talent(org_unit=org_tree["county_a"])
    client = api_client(people["talent"])
    assert [i["id"] for i in client.get(URL).json()["items"]] == [own.pk]
    assert client.get(f"{URL}/{other.pk}").status_code == 404
    assert _patch(client, own.pk, {"major": "x"}).status_code == 403


def test_list_query_count_is_constant(people: dict[str, User], org_tree: dict[str, OrgUnit]) -> None:
    client = api_client(people["office"])

    def grow(n: int) -> None:
        for _ in range(n - Talent.objects.count()):
            make_talent(org_unit=org_tree["county_a"], station=org_tree["station"])

    assert_constant_queries(run=lambda: client.get(URL + "?page_size=50"), grow=grow)


def test_AC_03_the_api_links_a_portal_account_as_the_page_does(
    people: dict[str, User], org_tree: dict[str, OrgUnit], make_user: Any
) -> None:
    talents = {"a": make_talent(org_unit=org_tree["county_a"], name="甲县人才"),
               "own": make_talent(org_unit=org_tree["county_a"], name="本人档案", account=people["talent"])}
    portal = make_user(Role.TALENT, unit="county_a", username="talent_api")
    office_user = make_user(Role.TALENT_OFFICE, unit="city", username="office_api")
    staff = api_client(people["staff_a"])
    url = f"/api/v1/talents/{talents['a'].pk}/account"
    # Refused on ``username``, nothing changed: unknown, not a talent account, linked elsewhere.
    before = db_fingerprint()
    for username in ("nobody", office_user.username, people["talent"].username):
        response = staff.post(url, {"username": username}, content_type="application/json")
        assert response.status_code == 422, username
        assert [e["field"] for e in response.json()["errors"]] == ["username"]
    for body in ({}, {"username": " "}, {"username": "x", "account": 1}):
        assert staff.post(url, body, content_type="application/json").status_code == 422
    assert fingerprint_changes(before, db_fingerprint()) == []
    # Out of scope: as unknown (404); a read-only role: 403; both change nothing.
    other = api_client(people["staff_b"]).post(url, {"username": portal.username}, content_type="application/json")
    assert other.status_code == 404
    unknown = staff.post("/api/v1/talents/999999/account", {"username": portal.username},
                         content_type="application/json")
    assert unknown.status_code == 404
    assert api_client(people["leader"]).post(url, {"username": portal.username},
                                             content_type="application/json").status_code == 403
    talents["a"].refresh_from_db()
    assert talents["a"].account_id is None
    linked = staff.post(url, {"username": portal.username}, content_type="application/json")
    assert linked.status_code == 200
    assert linked.json()["id"] == talents["a"].pk
    talents["a"].refresh_from_db()
    assert talents["a"].account_id == portal.pk
    assert AuditRecord.objects.filter(action="talent.link_account", object_id=str(talents["a"].pk)).exists()
    # Linking the same account again changes nothing.
    again = db_fingerprint()
    assert staff.post(url, {"username": portal.username}, content_type="application/json").status_code == 200
    assert fingerprint_changes(again, db_fingerprint()) == []
