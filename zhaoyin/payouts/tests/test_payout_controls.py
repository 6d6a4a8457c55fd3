"""Issue 15 item 6: payouts that cannot be gamed — overlapping periods (409), the policy's yearly
cap (422), an ineligible enterprise or a policy not in force (override reason, flagged, two
approvers), the states 公示 → 拨付 → 已到账 and 撤销, the issuing department and 财政 as the
approvers, the 免申即享 flow through the firm's 意愿确认, tax incentives as 享受 records, and a
免申即享 policy without an application guide. Each refusal names its field and changes nothing."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from zhaoyin.accounts.models import User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.testing import assert_fingerprint_unchanged, db_fingerprint
from zhaoyin.payouts import services as payouts
from zhaoyin.payouts.inputs import PayoutActionInput, PayoutRegisterInput
from zhaoyin.payouts.models import Payout, PayoutKind, PayoutStatus
from zhaoyin.payouts.periods import period_range, periods_overlap
from zhaoyin.payouts.services import payout_approve, payout_register, payout_transition
from zhaoyin.payouts.tests.fixtures import PayoutWorld, make_policy, payout_world_fixture  # noqa: F401
from zhaoyin.policies import extensions
from zhaoyin.policies.models import BenefitType, Delivery, PolicyCategory, PolicyStatus

pytestmark = pytest.mark.django_db


def api(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _register(w: PayoutWorld, **kw: Any) -> Payout:
    args: dict[str, Any] = {"acting_user": w.staff_a, "policy": w.policy, "enterprise": w.ent_a}
    values: dict[str, Any] = {"period": "2026", "amount_wan": "10.00"}
    for key, value in kw.items():
        (args if key in args else values)[key] = value
    return payout_register(**args, data=PayoutRegisterInput.parse(values))


def _act(user: User, payout: Payout, action: str, **values: Any) -> Payout:
    return payout_transition(
        acting_user=user, payout=payout, action=action, data=PayoutActionInput.parse({**values})
    )


# ---- periods ---------------------------------------------------------------------------------------


def test_period_ranges_and_overlaps() -> None:
    assert period_range("2026") == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert period_range("2026-Q1") == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert period_range("2026-12") == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert periods_overlap("2026", "2026-Q1")
    assert periods_overlap("2026-Q1", "2026-03")
    assert not periods_overlap("2026-Q1", "2026-04")
    assert not periods_overlap("2025", "2026-01")


@pytest.mark.parametrize(("first", "second"), [("2026", "2026-Q1"), ("2026-Q1", "2026"), ("2026-Q1", "2026-03"),
                                               ("2026-03", "2026")])
def test_an_overlapping_period_is_409_naming_the_period_and_changes_nothing(
    payout_world: PayoutWorld, first: str, second: str
) -> None:
    w = payout_world
    _register(w, period=first)
    client = api(w.staff_a)
    before = db_fingerprint()
    with pytest.raises(Conflict) as info:
        _register(w, period=second, amount_wan="1")
    assert info.value.field == "period"
    assert first in str(info.value)
    assert_fingerprint_unchanged(before, db_fingerprint())
    # Over the API: the same 409 with the field named.
    response = post(client, "/api/v1/payouts",
                    {"policy": w.policy.pk, "enterprise": w.ent_a.pk, "period": second, "amount_wan": "1"})
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "period"
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_a_revoked_entry_gives_its_period_back(payout_world: PayoutWorld) -> None:
    w = payout_world
    first = _register(w, period="2026")
    with pytest.raises(InvalidInput) as info:
        _act(w.reviewer, first, "revoke", reason="")
    assert info.value.errors[0]["field"] == "reason"
    _act(w.reviewer, first, "revoke", reason="重复登记")
    assert first.status == PayoutStatus.REVOKED
    again = _register(w, period="2026")  # the same period once more
    assert again.status == PayoutStatus.PENDING
    assert _register(w, period="2027-Q1").period == "2027-Q1"


# ---- the cap -------------------------------------------------------------------------------------


def test_an_amount_above_the_policys_yearly_cap_is_422_and_changes_nothing(payout_world: PayoutWorld) -> None:
    w = payout_world
    w.policy.max_amount_wan = Decimal("10.80")
    w.policy.save()
    client = api(w.staff_a)
    before = db_fingerprint()
    with pytest.raises(InvalidInput) as info:
        _register(w, amount_wan="999")
    assert [e["field"] for e in info.value.errors] == ["amount_wan"]
    assert "10.80" in info.value.errors[0]["message"]
    assert_fingerprint_unchanged(before, db_fingerprint())
    response = post(client, "/api/v1/payouts",
                    {"policy": w.policy.pk, "enterprise": w.ent_a.pk, "period": "2026", "amount_wan": 999})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "amount_wan"
    assert_fingerprint_unchanged(before, db_fingerprint())
    # The cap is per beneficiary and year: two quarters may not add up above it.
    _register(w, period="2026-Q1", amount_wan="8")
    with pytest.raises(InvalidInput) as info:
        _register(w, period="2026-Q2", amount_wan="3")
    assert info.value.errors[0]["field"] == "amount_wan"
    assert _register(w, period="2026-Q2", amount_wan="2.80").amount_wan == Decimal("2.80")
    assert _register(w, period="2027-Q1", amount_wan="10.80").period == "2027-Q1"  # another year


def test_a_resubmission_above_the_cap_is_422(payout_world: PayoutWorld) -> None:
    w = payout_world
    w.policy.max_amount_wan = Decimal("10.80")
    w.policy.save()
    payout = _register(w, amount_wan="10")
    _act(w.reviewer, payout, "reject", reason="金额有误")
    before = db_fingerprint()
    with pytest.raises(InvalidInput) as info:
        _act(w.staff_a, payout, "resubmit", amount_wan="11")
    assert info.value.errors[0]["field"] == "amount_wan"
    assert_fingerprint_unchanged(before, db_fingerprint())
    assert _act(w.staff_a, payout, "resubmit", amount_wan="10.80").status == PayoutStatus.PENDING


# ---- ineligible, not in force: override reason, flagged, two approvers ----------------------------------


def _ineligible(w: PayoutWorld) -> None:
    """ent_a loses the qualification the policy requires: the matcher judges it ineligible."""
    w.ent_a.qualifications.clear()


def test_an_ineligible_enterprise_needs_an_override_reason(payout_world: PayoutWorld) -> None:
    w = payout_world
    _ineligible(w)
    assert extensions.enterprise_verdict(w.policy, w.ent_a.pk) == "ineligible"
    client = api(w.staff_a)
    before = db_fingerprint()
    with pytest.raises(InvalidInput) as info:
        _register(w)
    assert [e["field"] for e in info.value.errors] == ["override_reason"]
    assert_fingerprint_unchanged(before, db_fingerprint())
    response = post(client, "/api/v1/payouts",
                    {"policy": w.policy.pk, "enterprise": w.ent_a.pk, "period": "2026", "amount_wan": "1"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "override_reason"
    assert_fingerprint_unchanged(before, db_fingerprint())
    payout = _register(w, override_reason="高企认定已公示，证书未入库")
    assert payout.flagged
    assert "not eligible" in payout.flag_note or "不符合" in payout.flag_note
    assert payout.override_reason == "高企认定已公示，证书未入库"


def test_a_policy_not_in_force_in_the_period_needs_an_override_reason(payout_world: PayoutWorld) -> None:
    w = payout_world
    expired = make_policy(w.units["science"], "已到期的奖补政策", status=PolicyStatus.EXPIRED,
                          valid_from=dt.date(2022, 1, 1), valid_to=dt.date(2024, 12, 31))
    with pytest.raises(InvalidInput) as info:
        _register(w, policy=expired, period="2026")
    assert info.value.errors[0]["field"] == "override_reason"
    assert "2024-12-31" in info.value.errors[0]["message"]
    # A period inside the validity is no override, even after the policy expired.
    assert not _register(w, policy=expired, period="2024").flagged


def test_a_flagged_entry_needs_two_approvers_neither_the_registrant(payout_world: PayoutWorld) -> None:
    w = payout_world
    _ineligible(w)
    payout = _register(w, override_reason="经专题会议研究同意")
    first = payout_approve(acting_user=w.reviewer, payout=payout)
    assert first.status == PayoutStatus.PENDING  # the first of two approvals
    assert first.first_approved_by_id == w.reviewer.pk
    before = db_fingerprint()
    with pytest.raises(PermissionDenied):
        payout_approve(acting_user=w.reviewer, payout=payout)  # not twice by the same person
    assert_fingerprint_unchanged(before, db_fingerprint())
    assert [r.action.value for r in payouts.actions_for(w.reviewer, payout)] == ["reject", "revoke"]
    done = payout_approve(acting_user=w.reviewer2, payout=payout)
    assert done.status == PayoutStatus.APPROVED
    assert done.decided_by_id == w.reviewer2.pk
    # The ledger flags it: a filter and the field on every channel.
    client = api(w.city_admin)
    assert client.get("/api/v1/payouts?flagged=true").json()["count"] == 1
    assert client.get("/api/v1/payouts?flagged=false").json()["count"] == 0
    item = client.get(f"/api/v1/payouts/{payout.pk}").json()
    assert item["flagged"] is True
    assert item["first_approved_by"] == w.reviewer.username
    page = _web(w.city_admin).get("/payouts/?flagged=true").content.decode()
    assert "payout-flag" in page


def _web(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    return client


# ---- the states: 公示 → 拨付 → 已到账 ----------------------------------------------------------------


def test_publicity_payment_and_receipt(payout_world: PayoutWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    w = payout_world
    payout = _register(w)
    payout_approve(acting_user=w.reviewer, payout=payout)
    with pytest.raises(PermissionDenied):
        _act(w.finance, payout, "publicize")  # the reviewing unit starts the 公示
    _act(w.reviewer, payout, "publicize")
    assert payout.status == PayoutStatus.PUBLICIZED
    assert payout.publicity_ends is not None
    assert payout.publicity_ends > payouts.today()
    today = payout.publicity_ends
    monkeypatch.setattr(payouts, "today", lambda: today)
    before = db_fingerprint()
    with pytest.raises(Conflict, match=today.isoformat()):
        _act(w.finance, payout, "pay", paid_on=today.isoformat(), voucher_no="财拨2026-001")  # 公示 still running
    assert_fingerprint_unchanged(before, db_fingerprint())
    later = today + dt.timedelta(days=1)
    monkeypatch.setattr(payouts, "today", lambda: later)
    for user in (w.reviewer, w.staff_a, w.city_admin):
        with pytest.raises(PermissionDenied):
            _act(user, payout, "pay", paid_on=later.isoformat(), voucher_no="X")
    with pytest.raises(InvalidInput) as info:
        _act(w.finance, payout, "pay")
    assert {e["field"] for e in info.value.errors} == {"paid_on", "voucher_no"}
    with pytest.raises(InvalidInput) as info:
        _act(w.finance, payout, "pay", paid_on=(later + dt.timedelta(days=3)).isoformat(), voucher_no="X")
    assert info.value.errors[0]["field"] == "paid_on"
    assert_fingerprint_unchanged(before, db_fingerprint())
    # Over the API too: 422 naming the fields.
    response = post(api(w.finance), f"/api/v1/payouts/{payout.pk}/actions/pay", {"voucher_no": ""})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"paid_on", "voucher_no"}
    _act(w.finance, payout, "pay", paid_on=later.isoformat(), voucher_no="财拨2026-001")
    assert payout.status == PayoutStatus.PAID
    assert (payout.paid_on, payout.voucher_no) == (later, "财拨2026-001")
    assert payout.payment_unit_id == w.units["finance"].pk
    with pytest.raises(Conflict):
        _act(w.reviewer, payout, "revoke", reason="x")  # the money has left: no 撤销
    response = post(api(w.portal_a), f"/api/v1/me/benefits/{payout.pk}/actions/receive", {})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "received"
    totals = api(w.city_admin).get("/api/v1/payouts/totals?year=2026").json()
    assert (totals["approved_wan"], totals["paid_wan"]) == ("10.00", "10.00")
    assert AuditRecord.objects.filter(action="payout.pay").count() == 1


# ---- 免申即享: 数据比对 → 意愿确认 → 公示 → 拨付 ------------------------------------------------------


def test_a_no_application_entry_waits_for_the_firms_confirmation(payout_world: PayoutWorld) -> None:
    w = payout_world
    policy = make_policy(w.units["science"], "研发费用免申即享奖补", delivery=Delivery.NO_APPLICATION)
    response = post(api(w.staff_a), "/api/v1/payouts/matches/register",
                    {"policy": policy.pk, "enterprises": [w.ent_a.pk], "period": "2026", "amount_wan": "5"})
    assert response.status_code == 201, response.content
    item = response.json()["items"][0]
    assert item["status"] == "matched"
    payout = Payout.objects.get(pk=item["id"])
    # Not the reviewers' yet: nothing to approve before the firm confirms.
    with pytest.raises(Conflict):
        payout_approve(acting_user=w.reviewer, payout=payout)
    portal = api(w.portal_a)
    assert [b["id"] for b in portal.get("/api/v1/me/benefits").json()] == [payout.pk]
    other = w.make_user("enterprise", "county_b", enterprise_id=w.ent_b.pk)
    assert post(api(other), f"/api/v1/me/benefits/{payout.pk}/actions/confirm", {}).status_code == 404
    response = post(portal, f"/api/v1/me/benefits/{payout.pk}/actions/confirm", {"version": payout.version})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "pending"
    payout.refresh_from_db()
    assert payout.confirmed_at is not None
    assert post(portal, f"/api/v1/me/benefits/{payout.pk}/actions/confirm", {}).status_code == 409
    assert payout_approve(acting_user=w.reviewer, payout=payout).status == PayoutStatus.APPROVED


def test_the_data_comparison_needs_a_no_application_policy(payout_world: PayoutWorld) -> None:
    w = payout_world
    client = api(w.staff_a)
    before = db_fingerprint()
    response = post(client, "/api/v1/payouts/matches/register",
                    {"policy": w.policy.pk, "enterprises": [w.ent_a.pk], "period": "2026", "amount_wan": "5"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "policy"
    response = post(client, "/api/v1/payouts/matches/register",
                    {"policy": w.policy.pk, "enterprises": [w.ent_b.pk], "period": "2026", "amount_wan": "5"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "enterprises[0]"  # county B's is unknown to county A
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_the_firm_may_decline(payout_world: PayoutWorld) -> None:
    w = payout_world
    policy = make_policy(w.units["science"], "免申即享补贴", delivery=Delivery.NO_APPLICATION)
    payout = _register(w, policy=policy)
    assert payout.status == PayoutStatus.MATCHED
    response = _web(w.portal_a).post(f"/payouts/benefits/{payout.pk}/decline/", {"version": str(payout.version)})
    assert response.status_code == 302
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.REVOKED


def test_a_no_application_policy_never_shows_an_application_guide(payout_world: PayoutWorld) -> None:
    w = payout_world
    policy = make_policy(w.units["science"], "免申即享政策", delivery=Delivery.NO_APPLICATION,
                         application_guide="请提交申请表")
    data = api(w.staff_a).get(f"/api/v1/policies/{policy.pk}").json()
    assert data["application_guide"] == ""
    page = _web(w.staff_a).get(f"/policies/{policy.pk}/").content.decode()
    assert "请提交申请表" not in page
    assert 'id="policy-no-application"' in page
    assert api(w.staff_a).get(f"/api/v1/policies/{w.policy.pk}").json()["application_guide"] != ""


# ---- tax incentives: 享受 records ----------------------------------------------------------------------


def test_a_tax_incentive_is_an_enjoyed_record_outside_the_cash_totals(payout_world: PayoutWorld) -> None:
    w = payout_world
    tax = make_policy(w.units["science"], "研发费用加计扣除", category=PolicyCategory.TAX,
                      benefit_type=BenefitType.SUPER_DEDUCTION)
    record = _register(w, policy=tax, amount_wan="30")
    assert record.kind == PayoutKind.ENJOYED
    payout_approve(acting_user=w.reviewer, payout=record)
    assert [r.action.value for r in payouts.actions_for(w.reviewer, record)] == ["revoke"]
    with pytest.raises(Conflict):
        _act(w.reviewer, record, "publicize")
    cash = _register(w, amount_wan="10")
    payout_approve(acting_user=w.reviewer, payout=cash)
    totals = api(w.city_admin).get("/api/v1/payouts/totals?year=2026").json()
    assert (totals["approved_wan"], totals["enjoyed_wan"]) == ("10.00", "30.00")
    assert api(w.city_admin).get("/api/v1/payouts?kind=enjoyed").json()["count"] == 1


def test_the_benefit_type_is_judged_naming_the_field() -> None:
    from zhaoyin.policies.inputs import PolicyInput

    base = {"title": "研发费用加计扣除", "issuer": "国家税务总局", "level": "national", "category": "tax",
            "valid_from": "2025-01-01", "benefits": "按实际发生额的100%在税前加计扣除"}
    assert PolicyInput.parse({**base, "benefit_type": "super_deduction"}).benefit_type == "super_deduction"
    assert PolicyInput.parse(base).benefit_type == "cash"
    with pytest.raises(InvalidInput) as info:
        PolicyInput.parse({**base, "benefit_type": "refund"})
    assert [e["field"] for e in info.value.errors] == ["benefit_type"]


# ---- who approves: roles as data ------------------------------------------------------------------


def test_the_city_names_a_policys_approvers_and_new_entries_take_them(payout_world: PayoutWorld) -> None:
    """Issue 15 item 6: the reviewing and the paying unit are data the city administration sets
    per policy (API, audited); bad codes name their field and change nothing; staff get 403."""
    w = payout_world
    url = f"/api/v1/payouts/approvers/{w.policy.pk}"
    admin, staff = api(w.city_admin), api(w.staff_a)
    shown = admin.get(url).json()
    assert shown["configured"] is False
    assert shown["review_unit"]["code"] == w.policy.org_unit.code  # the default: the keeping unit
    before = db_fingerprint()
    bad = admin.put(url, data=json.dumps({"review_unit": "no-such-unit", "payment_unit": "sg-01"}),
                    content_type="application/json")
    assert bad.status_code == 422
    assert sorted(e["field"] for e in bad.json()["errors"]) == ["payment_unit", "review_unit"]  # a group may not pay
    assert_fingerprint_unchanged(before, db_fingerprint())
    assert staff.put(url, data=json.dumps({"review_unit": "340402", "payment_unit": "dept-czj"}),
                     content_type="application/json").status_code == 403
    assert_fingerprint_unchanged(before, db_fingerprint())
    ok = admin.put(url, data=json.dumps({"review_unit": "340402", "payment_unit": "dept-czj"}),
                   content_type="application/json")
    assert ok.status_code == 200
    assert ok.json()["configured"] is True
    assert ok.json()["review_unit"]["code"] == "340402"
    assert AuditRecord.objects.filter(action="payout.approvers_set").count() == 1
    entry = _register(w, period="2026")
    assert entry.review_unit is not None
    assert entry.review_unit.code == "340402"  # county A's administrators review it now
    assert admin.get("/api/v1/payouts/approvers/987654321").status_code == 404
