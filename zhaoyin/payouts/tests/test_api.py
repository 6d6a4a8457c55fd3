"""The /api/v1/payouts contract: shapes, 201/409/422/403/404, scope (AC-03) in the list and the
totals, query counts."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from zhaoyin.accounts.models import User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.core.testing import assert_constant_queries, assert_fingerprint_unchanged, db_fingerprint
from zhaoyin.payouts.inputs import PayoutRegisterInput
from zhaoyin.payouts.models import Payout, PayoutStatus, PolicyApprovers
from zhaoyin.payouts.services import payout_approve, payout_register
from zhaoyin.payouts.tests.fixtures import PayoutWorld, make_enterprise, make_policy, payout_world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def api(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, data=body if isinstance(body, str) else json.dumps(body), content_type="application/json")


def _body(w: PayoutWorld, **kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"policy": w.policy.pk, "enterprise": w.ent_a.pk, "period": "2025-Q1", "amount_wan": "20.00"}
    body.update(kw)
    return body


def test_post_returns_201_with_the_entry(payout_world: PayoutWorld) -> None:
    w = payout_world
    response = post(api(w.staff_a), "/api/v1/payouts", _body(w, note="首批"))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "pending"
    assert data["amount_wan"] == "20.00"
    assert data["period"] == "2025-Q1"
    assert data["policy"] == {"id": w.policy.pk, "title": w.policy.title}
    assert data["enterprise"]["uscc"] == w.ent_a.uscc
    assert data["org_unit"]["code"] == "340402"
    assert data["registered_by"] == w.staff_a.username
    assert data["version"] == 1


def test_a_json_number_amount_is_read_exactly(payout_world: PayoutWorld) -> None:
    w = payout_world
    text = json.dumps(_body(w)).replace('"20.00"', "1234567890.11")
    response = post(api(w.staff_a), "/api/v1/payouts", text)
    assert response.status_code == 201, response.content
    assert Payout.objects.get().amount_wan == Decimal("1234567890.11")


def test_posting_twice_is_409_naming_the_period_and_writes_nothing(payout_world: PayoutWorld) -> None:
    w = payout_world
    client = api(w.staff_a)
    assert post(client, "/api/v1/payouts", _body(w)).status_code == 201
    before = db_fingerprint()
    response = post(client, "/api/v1/payouts", _body(w, amount_wan="5"))
    assert response.status_code == 409
    assert "2025-Q1" in response.json()["detail"]
    assert_fingerprint_unchanged(before, db_fingerprint())


@pytest.mark.parametrize(
    ("field", "kw"),
    [
        ("period", {"period": "2025-Q9"}),
        ("amount_wan", {"amount_wan": "0"}),
        ("amount_wan", {"amount_wan": True}),
        ("policy", {"policy": 999999}),
        ("enterprise", {"enterprise": 999999}),
        ("unexpected", {"unexpected": 1}),
    ],
)
def test_bad_input_is_422_naming_the_field(payout_world: PayoutWorld, field: str, kw: dict[str, Any]) -> None:
    w = payout_world
    client = api(w.staff_a)
    before = db_fingerprint()
    response = post(client, "/api/v1/payouts", _body(w, **kw))
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_AC_03_another_county_enterprise_is_unknown_to_the_caller(payout_world: PayoutWorld) -> None:
    w = payout_world
    response = post(api(w.staff_a), "/api/v1/payouts", _body(w, enterprise=w.ent_b.pk))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "enterprise"
    assert not Payout.objects.exists()


def test_actions_approve_reject_resubmit_and_409(payout_world: PayoutWorld) -> None:
    w = payout_world
    payout = payout_register(
        acting_user=w.staff_a, policy=w.policy, enterprise=w.ent_a,
        data=PayoutRegisterInput.of(period="2025", amount_wan="3"),
    )
    admin = api(w.reviewer)
    staff = api(w.staff_a)
    url = f"/api/v1/payouts/{payout.pk}/actions/"
    response = post(admin, url + "reject", {})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"
    response = post(admin, url + "reject", {"reason": "材料不全", "version": 1})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "rejected"
    response = post(staff, url + "resubmit", {"amount_wan": 2.5, "version": 2})
    assert response.status_code == 200, response.content
    assert response.json()["amount_wan"] == "2.50"
    assert post(admin, url + "approve", {"version": 2}).status_code == 409  # stale
    response = post(admin, url + "approve", {"version": 3})
    assert response.json()["status"] == "approved"
    before = db_fingerprint()
    assert post(admin, url + "approve", {}).status_code == 409  # not allowed from approved
    assert post(admin, url + "reject", {"reason": "x"}).status_code == 409
    assert post(admin, url + "launch", {}).status_code == 422  # unknown action
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_four_eyes_is_403_with_the_reason(payout_world: PayoutWorld) -> None:
    w = payout_world
    # Roles as data: county A reviews this policy, so its administrator could approve but for
    # the four-eyes rule.
    PolicyApprovers.objects.create(policy=w.policy, review_unit=w.units["county_a"], payment_unit=w.units["finance"])
    payout = payout_register(
        acting_user=w.admin_a, policy=w.policy, enterprise=w.ent_a,
        data=PayoutRegisterInput.of(period="2025", amount_wan="3"),
    )
    client = api(w.admin_a)
    before = db_fingerprint()
    response = post(client, f"/api/v1/payouts/{payout.pk}/actions/approve", {})
    assert response.status_code == 403
    assert "双人复核" in response.json()["detail"]
    assert_fingerprint_unchanged(before, db_fingerprint())
    assert post(api(w.staff_a), f"/api/v1/payouts/{payout.pk}/actions/approve", {}).status_code == 403
    assert post(api(w.admin_b), f"/api/v1/payouts/{payout.pk}/actions/approve", {}).status_code == 404


def _seed(w: PayoutWorld) -> tuple[Payout, Payout]:
    a = payout_register(
        acting_user=w.staff_a, policy=w.policy, enterprise=w.ent_a,
        data=PayoutRegisterInput.of(period="2025-Q1", amount_wan="10.10"),
    )
    payout_approve(acting_user=w.reviewer, payout=a)
    b = payout_register(
        acting_user=w.city_admin, policy=w.policy, enterprise=w.ent_b,
        data=PayoutRegisterInput.of(period="2025", amount_wan="7"),
    )
    payout_register(
        acting_user=w.staff_a, policy=w.policy, enterprise=w.ent_a,
        data=PayoutRegisterInput.of(period="2025-Q3", amount_wan="0.90"),
    )
    return a, b


def test_AC_03_a_county_never_sees_another_county_payouts(payout_world: PayoutWorld) -> None:
    w = payout_world
    _a, b = _seed(w)
    data = api(w.staff_a).get("/api/v1/payouts").json()
    assert data["count"] == 2
    assert b.pk not in {i["id"] for i in data["items"]}
    assert api(w.staff_a).get(f"/api/v1/payouts/{b.pk}").status_code == 404
    assert api(w.city_admin).get("/api/v1/payouts").json()["count"] == 3
    assert api(w.admin_b).get("/api/v1/payouts").json()["count"] == 1
    totals = api(w.staff_a).get("/api/v1/payouts/totals?year=2025&by=unit").json()
    assert [(i["code"], i["approved_wan"], i["pending_wan"]) for i in totals["items"]] == [("340402", "10.10", "0.90")]
    totals = api(w.city_admin).get("/api/v1/payouts/totals?year=2025&by=unit").json()
    assert {i["code"] for i in totals["items"]} == {"340402", "340403"}
    assert totals["approved_wan"] == "10.10"
    assert totals["pending_wan"] == "7.90"


def test_the_portal_user_sees_only_own_approved_payouts(payout_world: PayoutWorld) -> None:
    w = payout_world
    a, _b = _seed(w)
    data = api(w.portal_a).get("/api/v1/payouts").json()
    assert [i["id"] for i in data["items"]] == [a.pk]
    assert api(w.portal_a).get("/api/v1/payouts/totals").status_code == 403
    assert post(api(w.portal_a), "/api/v1/payouts", _body(w)).status_code == 403


def test_service_member_sees_the_group_enterprise_payouts(payout_world: PayoutWorld) -> None:
    w = payout_world
    _seed(w)
    data = api(w.member).get("/api/v1/payouts").json()
    assert {i["enterprise"]["id"] for i in data["items"]} == {w.ent_a.pk}


def test_list_filters(payout_world: PayoutWorld) -> None:
    w = payout_world
    _seed(w)
    client = api(w.city_admin)
    assert client.get("/api/v1/payouts?status=approved").json()["count"] == 1
    assert client.get("/api/v1/payouts?period=2025-Q3").json()["count"] == 1
    assert client.get("/api/v1/payouts?year=2025").json()["count"] == 3
    assert client.get(f"/api/v1/payouts?enterprise={w.ent_b.pk}").json()["count"] == 1
    assert client.get(f"/api/v1/payouts?policy={w.policy.pk}&page_size=1&page=2").json()["count"] == 3
    assert len(client.get(f"/api/v1/payouts?policy={w.policy.pk}&page_size=1&page=2").json()["items"]) == 1
    for bad, field in (
        ("status=settled", "status"),  # "paid" is a state of a talent's entry (issue 13)
        ("period=2025-13", "period"),
        ("year=99", "year"),
        ("unit=zz", "unit"),
    ):
        response = client.get("/api/v1/payouts?" + bad)
        assert response.status_code == 422, bad
        assert response.json()["errors"][0]["field"] == field
    assert client.get("/api/v1/payouts/totals?by=nope").status_code == 422


def test_totals_by_policy_and_industry(payout_world: PayoutWorld) -> None:
    w = payout_world
    _seed(w)
    client = api(w.city_admin)
    data = client.get("/api/v1/payouts/totals?year=2025&by=policy").json()
    assert [(i["name"], i["approved_count"], i["pending_count"]) for i in data["items"]] == [(w.policy.title, 1, 2)]
    data = client.get("/api/v1/payouts/totals?year=2025&by=industry").json()
    assert data["items"][0]["code"] == w.industry.code
    assert client.get("/api/v1/payouts/totals?year=2024").json()["items"] == []


def _grow(w: PayoutWorld) -> Any:
    made: list[int] = [0]

    def grow(n: int) -> None:
        while made[0] < n:
            k = made[0]
            ent = make_enterprise(w.units["county_a"], w.industry, 100 + k, f"规模企业{k:03d}")
            policy = make_policy(w.units["city"], f"政策{k:03d}") if k % 5 == 0 else w.policy
            payout_register(
                acting_user=w.staff_a, policy=policy, enterprise=ent,
                data=PayoutRegisterInput.of(period="2025", amount_wan="1.5", override_reason="按专项审计结果兑现"),
            )
            made[0] += 1

    return grow


def test_list_and_totals_have_constant_queries(payout_world: PayoutWorld) -> None:
    w = payout_world
    client = api(w.admin_a)
    grow = _grow(w)
    assert_constant_queries(grow=grow, run=lambda: client.get("/api/v1/payouts?page_size=200"), sizes=(3, 15))
    assert_constant_queries(
        grow=grow, run=lambda: client.get("/api/v1/payouts/totals?year=2025&by=policy"), sizes=(16, 30)
    )
    assert Payout.objects.filter(status=PayoutStatus.PENDING).count() == 30
