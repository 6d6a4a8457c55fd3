"""A talent's subsidies through the payout ledger (issue 13 item 3): schedules written as due
entries, submission once the period has begun, four-eyes approval, 公示 on the calendar before
拨付, stop on departure; a period after the talent left is refused naming ``period`` with nothing
changed; the API takes a talent instead of an enterprise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import refused
from zhaoyin.matching.tests.support import api_client, make_enterprise, make_policy, web_client
from zhaoyin.matching.tests.talent_support import DOCTOR_TREE, make_talent_policy
from zhaoyin.payouts import services, talent_services
from zhaoyin.payouts.inputs import PayoutActionInput, PayoutRegisterInput, ScheduleStartInput
from zhaoyin.payouts.models import Payout, PayoutStatus, SubsidySchedule
from zhaoyin.policies.models import Policy
from zhaoyin.talents.inputs import DepartInput
from zhaoyin.talents.models import Education, Talent
from zhaoyin.talents.services import talent_depart
from zhaoyin.talents.testing import make_talent

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def w(org_tree: dict[str, OrgUnit], make_user: Any) -> dict[str, Any]:
    """A 博士生活补贴 (36 × 0.3 万元 monthly), a 安家补贴 (3 yearly), a doctor and a master."""
    living = make_talent_policy(org_tree["city"], DOCTOR_TREE)
    SubsidySchedule.objects.create(policy=living, frequency="monthly", instalments=36, amount_wan=Decimal("0.30"))
    settle = make_talent_policy(org_tree["city"], DOCTOR_TREE, title="博士安家补贴")
    SubsidySchedule.objects.create(policy=settle, frequency="yearly", instalments=3, amount_wan=Decimal("5.00"))
    facts: dict[str, Any] = {
        "birth": dt.date(1991, 3, 1), "arrival_date": dt.date(2024, 1, 1), "employer_name": "淮南市监测研究院",
        "contract_start": dt.date(2024, 1, 1), "contract_end": TODAY.replace(year=TODAY.year + 3),
    }
    doctor = make_talent(org_unit=org_tree["county_a"], name="甲县博士", education=Education.DOCTORATE, **facts)
    master = make_talent(org_unit=org_tree["county_a"], name="甲县硕士", education=Education.MASTER, **facts)
    return {
        "living": living, "settle": settle, "doctor": doctor, "master": master,
        "office": make_user(Role.TALENT_OFFICE), "admin": make_user(Role.CITY_ADMIN),
        "staff_b": make_user(Role.STAFF, "county_b"),
    }


def _start(w: dict[str, Any], policy: Policy, talent: Talent, first: str) -> list[Payout]:
    return talent_services.talent_schedule_start(
        acting_user=w["office"], policy=policy, talent=talent, data=ScheduleStartInput.parse({"first_period": first})
    )


def _act(user: Any, payout: Payout, action: str, **data: Any) -> Payout:
    body = PayoutActionInput.parse({"version": payout.version, **data})
    return services.payout_transition(acting_user=user, payout=payout, action=action, data=body)


# ---- schedules -----------------------------------------------------------------------------------------


def test_a_monthly_schedule_writes_36_due_entries(w: dict[str, Any]) -> None:
    entries = _start(w, w["living"], w["doctor"], "2025-01")
    assert len(entries) == 36
    assert [e.period for e in entries[:2]] == ["2025-01", "2025-02"]
    assert entries[-1].period == "2027-12"
    assert {e.status for e in entries} == {PayoutStatus.DUE}
    assert [e.instalment for e in entries] == list(range(1, 37))
    assert {e.amount_wan for e in entries} == {Decimal("0.30")}
    assert AuditRecord.objects.filter(action="payout.schedule").count() == 36


def test_a_yearly_schedule_writes_three_instalments(w: dict[str, Any]) -> None:
    entries = _start(w, w["settle"], w["doctor"], "2025")
    assert [(e.period, e.instalment) for e in entries] == [("2025", 1), ("2026", 2), ("2027", 3)]


def test_a_talent_not_eligible_gets_no_schedule(w: dict[str, Any]) -> None:
    with refused(InvalidInput, fields={"talent"}) as info:
        _start(w, w["living"], w["master"], "2025-01")
    assert "博士" in str(info.value.errors) or "doctorate" in str(info.value.errors).lower()
    assert not Payout.objects.exists()


def test_a_first_period_of_the_wrong_kind_is_refused(w: dict[str, Any]) -> None:
    with refused(InvalidInput, fields={"first_period"}):
        _start(w, w["living"], w["doctor"], "2025")
    assert not Payout.objects.exists()


def test_a_schedule_twice_is_a_conflict(w: dict[str, Any]) -> None:
    _start(w, w["settle"], w["doctor"], "2025")
    with pytest.raises(Conflict):
        _start(w, w["settle"], w["doctor"], "2026")
    assert Payout.objects.count() == 3


def test_a_talent_out_of_scope_is_refused(w: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        talent_services.talent_schedule_start(
            acting_user=w["staff_b"], policy=w["living"], talent=w["doctor"],
            data=ScheduleStartInput.parse({"first_period": "2025-01"}),
        )
    assert not Payout.objects.exists()


# ---- the life of an entry --------------------------------------------------------------------------------


def test_submit_four_eyes_publicize_then_pay(w: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    entry = _start(w, w["living"], w["doctor"], "2025-01")[0]
    entry = _act(w["office"], entry, "submit")
    assert entry.status == PayoutStatus.PENDING
    assert entry.registered_by_id == w["office"].pk
    with pytest.raises(PermissionDenied):
        _act(w["office"], entry, "approve")  # 四眼原则
    entry = _act(w["admin"], entry, "approve")
    assert entry.status == PayoutStatus.APPROVED
    entry = _act(w["admin"], entry, "publicize")
    assert entry.status == PayoutStatus.PUBLICIZED
    assert entry.publicity_ends is not None
    assert entry.publicity_ends > TODAY
    with pytest.raises(Conflict) as info:
        _act(w["admin"], entry, "pay")  # the notice has not ended
    assert entry.publicity_ends.isoformat() in str(info.value)
    monkeypatch.setattr(talent_services, "today", lambda: entry.publicity_ends + dt.timedelta(days=1))
    entry = _act(w["admin"], entry, "pay")
    assert entry.status == PayoutStatus.PAID
    assert entry.paid_at is not None


def test_the_talent_office_that_submitted_is_told_of_the_four_eyes_rule_on_the_page(w: dict[str, Any]) -> None:
    # The note was keyed on the enterprise approvers, which the talent office is not one of: the
    # office saw no approve button and no reason why.
    entry = _act(w["office"], _start(w, w["living"], w["doctor"], "2025-01")[0], "submit")
    page = web_client(w["office"]).get(f"/payouts/{entry.pk}/").content.decode()
    assert 'id="payout-approve"' not in page
    assert "双人复核" in page
    other = web_client(w["admin"]).get(f"/payouts/{entry.pk}/").content.decode()
    assert 'id="payout-approve"' in other
    assert "双人复核" not in other


def test_the_schedule_page_starts_a_schedule_from_the_talents_policies(
    w: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from zhaoyin.matching import talent_verdicts

    talent_verdicts.refresh_talent_policy_matches(w["living"])
    url = f"/payouts/talents/{w['doctor'].pk}/schedules/{w['living'].pk}/"
    office = web_client(w["office"])
    # The talent's policies page offers it for the eligible policy.
    assert url in office.get(f"/talents/{w['doctor'].pk}/policies/").content.decode()
    page = office.get(url)
    assert page.status_code == 200
    assert "36" in page.content.decode()
    # A year for a monthly schedule: refused on the field, nothing written.
    bad = office.post(url, {"first_period": "2025"})
    assert bad.status_code == 400
    assert 'id="id_first_period"' in bad.content.decode()
    assert "is-invalid" in bad.content.decode()
    assert not Payout.objects.filter(talent=w["doctor"]).exists()
    done = office.post(url, {"first_period": "2025-01"})
    assert done.status_code == 302
    assert done["Location"].startswith("/payouts/?")
    assert f"talent={w['doctor'].pk}" in done["Location"]
    assert Payout.objects.filter(talent=w["doctor"], policy=w["living"], status=PayoutStatus.DUE).count() == 36
    listed = office.get(done["Location"]).content.decode()
    # Oldest period first: the first instalment leads the list.
    assert listed.index("2025-01") < listed.index("2025-02") < listed.index("2027-12")
    assert "2025-01" in listed
    assert "2027-12" in listed
    again = office.post(url, {"first_period": "2025-01"})
    assert again.status_code == 409
    assert Payout.objects.filter(talent=w["doctor"]).count() == 36


def test_AC_03_the_schedule_page_of_another_countys_talent_is_unknown(w: dict[str, Any]) -> None:
    url = f"/payouts/talents/{w['doctor'].pk}/schedules/{w['living'].pk}/"
    staff_b = web_client(w["staff_b"])
    assert staff_b.get(url).status_code == 404
    assert staff_b.post(url, {"first_period": "2025-01"}).status_code == 404
    assert not Payout.objects.filter(talent=w["doctor"]).exists()
    # An enterprise policy is no talent policy: unknown on this page.
    firm_policy = make_policy(w["living"].org_unit, {"all": []}, title="企业研发奖励")
    office = web_client(w["office"])
    assert office.get(f"/payouts/talents/{w['doctor'].pk}/schedules/{firm_policy.pk}/").status_code == 404


def test_a_future_period_is_not_submitted_yet(w: dict[str, Any]) -> None:
    entry = _start(w, w["settle"], w["doctor"], str(TODAY.year + 1))[0]
    with pytest.raises(Conflict):
        _act(w["office"], entry, "submit")
    entry.refresh_from_db()
    assert entry.status == PayoutStatus.DUE


def test_an_enterprise_action_on_a_talent_entry_is_refused(w: dict[str, Any]) -> None:
    entry = _start(w, w["living"], w["doctor"], "2025-01")[0]
    with refused(InvalidInput, fields={"action"}):
        _act(w["admin"], entry, "fly")


# ---- departure -------------------------------------------------------------------------------------------


def _depart(talent: Talent, on: dt.date) -> None:
    """The talents' own service: its signal makes the ledger stop the entries after ``on``."""
    talent.refresh_from_db()
    talent_depart(acting_user=None, talent=talent, data=DepartInput.parse({"departed_on": on.isoformat()}))


def test_departure_stops_the_entries_after_it(w: dict[str, Any]) -> None:
    entries = _start(w, w["living"], w["doctor"], "2025-01")
    paid_like = _act(w["office"], entries[0], "submit")
    _depart(w["doctor"], dt.date(2025, 6, 15))
    statuses = dict(Payout.objects.values_list("period", "status"))
    assert statuses["2025-01"] == PayoutStatus.PENDING == paid_like.status  # before the departure: kept
    assert statuses["2025-06"] == PayoutStatus.DUE  # the month of the departure: kept
    assert statuses["2025-07"] == PayoutStatus.STOPPED
    assert sum(1 for s in statuses.values() if s == PayoutStatus.STOPPED) == 36 - 6
    assert AuditRecord.objects.filter(action="payout.stop").count() == 30


def test_a_period_after_the_talent_left_is_refused_naming_it(w: dict[str, Any]) -> None:
    _depart(w["doctor"], dt.date(2025, 6, 15))
    w["doctor"].refresh_from_db()
    before = Payout.objects.count()
    with refused(InvalidInput, fields={"period"}) as info:
        talent_services.talent_payout_register(
            acting_user=w["office"], policy=w["living"], talent=w["doctor"],
            data=PayoutRegisterInput.parse({"period": "2025-07", "amount_wan": "0.3"}),
        )
    assert "2025-06-15" in str(info.value.errors)
    assert Payout.objects.count() == before
    ok = talent_services.talent_payout_register(
        acting_user=w["office"], policy=w["living"], talent=w["doctor"],
        data=PayoutRegisterInput.parse({"period": "2025-06", "amount_wan": "0.3"}),
    )
    assert ok.status == PayoutStatus.PENDING


def test_an_enterprise_is_not_paid_under_a_talent_policy(w: dict[str, Any], org_tree: dict[str, OrgUnit]) -> None:
    enterprise = make_enterprise(org_tree["county_a"])
    with refused(InvalidInput, fields={"policy"}):
        services.payout_register(
            acting_user=w["admin"], policy=w["living"], enterprise=enterprise,
            data=PayoutRegisterInput.parse({"period": "2025", "amount_wan": "1"}),
        )
    assert not Payout.objects.exists()


# ---- the API ----------------------------------------------------------------------------------------------


def test_api_registers_a_talent_subsidy(w: dict[str, Any]) -> None:
    client = api_client(w["office"])
    body = {"policy": w["living"].pk, "talent": w["doctor"].pk, "period": "2025-03", "amount_wan": "0.30"}
    response = client.post("/api/v1/payouts", body, content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["enterprise"] is None
    assert data["talent"] == {"id": w["doctor"].pk, "name": "甲县博士"}
    assert data["status"] == "pending"
    listed = client.get("/api/v1/payouts").json()
    assert [i["id"] for i in listed["items"]] == [data["id"]]


def test_api_a_period_after_departure_is_422_naming_it(w: dict[str, Any]) -> None:
    _depart(w["doctor"], dt.date(2025, 6, 15))
    body = {"policy": w["living"].pk, "talent": w["doctor"].pk, "period": "2025-09", "amount_wan": "0.30"}
    response = api_client(w["office"]).post("/api/v1/payouts", body, content_type="application/json")
    assert response.status_code == 422
    assert "period" in response.content.decode()
    assert not Payout.objects.exists()


def test_api_both_beneficiaries_is_422(w: dict[str, Any], org_tree: dict[str, OrgUnit]) -> None:
    enterprise = make_enterprise(org_tree["county_a"])
    body = {"policy": w["living"].pk, "talent": w["doctor"].pk, "enterprise": enterprise.pk, "period": "2025",
            "amount_wan": "1"}
    response = api_client(w["admin"]).post("/api/v1/payouts", body, content_type="application/json")
    assert response.status_code == 422
    assert "talent" in response.content.decode()
    assert not Payout.objects.exists()


def test_api_schedule_and_actions(w: dict[str, Any]) -> None:
    office, admin = api_client(w["office"]), api_client(w["admin"])
    body = {"policy": w["settle"].pk, "talent": w["doctor"].pk, "first_period": "2025"}
    response = office.post("/api/v1/payouts/schedules/start", body, content_type="application/json")
    assert response.status_code == 201, response.content
    items = response.json()["items"]
    assert [(i["period"], i["status"], i["instalment"]) for i in items] == [
        ("2025", "due", 1), ("2026", "due", 2), ("2027", "due", 3),
    ]
    first = items[0]
    step = office.post(f"/api/v1/payouts/{first['id']}/actions/submit", {"version": 1}, content_type="application/json")
    assert step.json()["status"] == "pending"
    step = admin.post(f"/api/v1/payouts/{first['id']}/actions/approve", {"version": 2}, content_type="application/json")
    assert step.json()["status"] == "approved"
    step = admin.post(f"/api/v1/payouts/{first['id']}/actions/publicize", {"version": 3},
                      content_type="application/json")
    assert step.json()["status"] == "publicized"
    assert step.json()["publicity_ends"]
    early = admin.post(f"/api/v1/payouts/{first['id']}/actions/pay", {"version": 4}, content_type="application/json")
    assert early.status_code == 409


def test_a_talent_step_on_an_enterprise_entry_is_a_conflict(w: dict[str, Any], org_tree: dict[str, OrgUnit]) -> None:
    from zhaoyin.matching.tests.support import ABOVE_TREE, make_policy

    policy = make_policy(org_tree["city"], ABOVE_TREE)
    entry = services.payout_register(
        acting_user=w["admin"], policy=policy, enterprise=make_enterprise(org_tree["county_a"], size_class="above"),
        data=PayoutRegisterInput.parse({"period": "2025", "amount_wan": "1"}),
    )
    status = entry.status
    with pytest.raises(Conflict):
        _act(w["admin"], entry, "submit")  # an enterprise's entry has no scheduled (due) state
    entry.refresh_from_db()
    assert entry.status == status
