"""A talent's subsidies after issue 13's first cut: the talent reads their own entries (我的补贴,
``/api/v1/me/payouts``), every step of ``TALENT_PAYOUT_TABLE`` tells the next person and 我的待办
lists what waits, and the ledger's totals keep granted money that moved on to 公示 and 拨付."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import assert_constant_queries
from zhaoyin.matching.tests.support import api_client, make_enterprise, make_policy, web_client
from zhaoyin.matching.tests.talent_support import DOCTOR_TREE, make_talent_policy
from zhaoyin.notifications.models import Notification
from zhaoyin.payouts import selectors, services, talent_services
from zhaoyin.payouts.filters import PayoutFilter
from zhaoyin.payouts.inputs import PayoutActionInput, PayoutRegisterInput, ScheduleStartInput
from zhaoyin.payouts.models import Payout, PayoutStatus, SubsidySchedule
from zhaoyin.payouts.periods import begun_q, period_start
from zhaoyin.payouts.talent_services import TALENT_PAYOUT_TABLE
from zhaoyin.payouts.todo import PUBLICITY_OVER_KIND, PayoutTodo, notify_publicity_over
from zhaoyin.talents.models import Education, Talent
from zhaoyin.talents.testing import make_talent

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
Commit = Callable[..., Any]


@pytest.fixture
def w(org_tree: dict[str, OrgUnit], make_user: Any) -> dict[str, Any]:
    """A 博士生活补贴 (36 × 0.3 万元 monthly) and two doctors of county A, one with a portal
    account; the approvers and registrars around them; county B's unit admin; an enterprise's
    approved payout."""
    living = make_talent_policy(org_tree["city"], DOCTOR_TREE)
    SubsidySchedule.objects.create(policy=living, frequency="monthly", instalments=36, amount_wan=Decimal("0.30"))
    facts: dict[str, Any] = {
        "birth": dt.date(1991, 3, 1), "arrival_date": dt.date(2024, 1, 1), "employer_name": "淮南市监测研究院",
        "contract_start": dt.date(2024, 1, 1), "contract_end": TODAY.replace(year=TODAY.year + 3),
        "education": Education.DOCTORATE,
    }
    portal = make_user(Role.TALENT, "county_a", username="talent_me")
    other_portal = make_user(Role.TALENT, "county_a", username="talent_other")
    me = make_talent(org_unit=org_tree["county_a"], name="甲县博士本人", account=portal, **facts)
    other = make_talent(org_unit=org_tree["county_a"], name="甲县博士他人", account=other_portal, **facts)
    people = {
        "office": make_user(Role.TALENT_OFFICE), "admin": make_user(Role.CITY_ADMIN),
        "unit_admin_a": make_user(Role.UNIT_ADMIN, "county_a"), "staff_a": make_user(Role.STAFF, "county_a"),
        "unit_admin_b": make_user(Role.UNIT_ADMIN, "county_b"), "leader": make_user(Role.LEADER),
    }
    enterprise = make_enterprise(org_tree["county_a"], name="甲县企业")
    ent_policy = make_policy(org_tree["city"], {"all": [{"field": "size_class", "op": "eq", "value": "above"}]})
    ent_payout = Payout.objects.create(
        policy=ent_policy, enterprise=enterprise, period="2025", amount_wan=Decimal("10.00"),
        status=PayoutStatus.APPROVED, org_unit=enterprise.org_unit,
    )
    return {"living": living, "me": me, "other": other, "portal": portal, "other_portal": other_portal,
            "ent_payout": ent_payout, **people}


def _start(w: dict[str, Any], talent: Talent, first: str) -> list[Payout]:
    return talent_services.talent_schedule_start(
        acting_user=w["office"], policy=w["living"], talent=talent,
        data=ScheduleStartInput.parse({"first_period": first}),
    )


def _act(user: User, payout: Payout, action: str, **data: Any) -> Payout:
    body = PayoutActionInput.parse({"version": payout.version, **data})
    return services.payout_transition(acting_user=user, payout=payout, action=action, data=body)


def _after_publicity(monkeypatch: pytest.MonkeyPatch, entry: Payout) -> None:
    assert entry.publicity_ends is not None
    monkeypatch.setattr(talent_services, "today", lambda: entry.publicity_ends + dt.timedelta(days=1))


def _in_every_state(w: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Payout]:
    """The talent's entries of 2025: one in each state (the rest of the schedule due)."""
    e = _start(w, w["me"], "2025-01")
    pending = _act(w["office"], e[0], "submit")
    rejected = _act(w["admin"], _act(w["office"], e[1], "submit"), "reject", reason="材料不全")
    approved = _act(w["admin"], _act(w["office"], e[2], "submit"), "approve")
    publicized = _act(w["admin"], _act(w["admin"], _act(w["office"], e[3], "submit"), "approve"), "publicize")
    paid = _act(w["admin"], _act(w["admin"], _act(w["office"], e[4], "submit"), "approve"), "publicize")
    _after_publicity(monkeypatch, paid)
    paid = _act(w["admin"], paid, "pay")
    stopped = _act(w["admin"], e[5], "stop", reason="本人放弃")
    return {"pending": pending, "rejected": rejected, "approved": approved, "publicized": publicized,
            "paid": paid, "stopped": stopped, "due": e[6]}


# ---- 1. the talent's own entries ------------------------------------------------------------------------


def test_the_talent_sees_own_due_approved_publicized_paid_and_stopped_entries_only(
    w: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = _in_every_state(w, monkeypatch)
    theirs = _start(w, w["other"], "2025-01")
    seen = {p.pk for p in selectors.portal_payouts(w["portal"])}
    assert entries["pending"].pk not in seen
    assert entries["rejected"].pk not in seen
    for state in ("due", "approved", "publicized", "paid", "stopped"):
        assert entries[state].pk in seen, state
    assert not seen & {p.pk for p in theirs}
    assert w["ent_payout"].pk not in seen
    # 36 instalments, less the pending and the rejected one.
    assert len(seen) == 34
    # Staff read no portal view; the internal scope leaves the talent out.
    assert not selectors.portal_payouts(w["office"]).exists()
    assert not Payout.objects.filter(selectors.payout_scope_q(w["portal"])).exists()


def test_AC_03_the_api_gives_the_talent_their_own_and_404_for_anything_else(
    w: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = _in_every_state(w, monkeypatch)
    theirs = _start(w, w["other"], "2025-01")[0]
    client = api_client(w["portal"])
    body = client.get("/api/v1/me/payouts").json()
    assert len(body) == 34
    assert [p["period"] for p in body[:2]] == ["2025-03", "2025-04"]  # oldest first, pending/rejected left out
    noticed = client.get(f"/api/v1/me/payouts/{entries['publicized'].pk}").json()
    assert noticed["status"] == "publicized"
    assert noticed["publicity_ends"] == f"{entries['publicized'].publicity_ends:%Y-%m-%d}"
    assert noticed["policy"]["title"] == w["living"].title
    assert "registered_by" not in noticed
    assert "decision_note" not in noticed
    assert client.get(f"/api/v1/me/payouts/{entries['stopped'].pk}").json()["stop_reason"] == "本人放弃"
    assert client.get(f"/api/v1/me/payouts/{entries['approved'].pk}").json()["stop_reason"] == ""
    # Another talent's entry, an enterprise's and the talent's own pending and rejected entries
    # answer alike: unknown.
    for pk in (theirs.pk, w["ent_payout"].pk, entries["pending"].pk, entries["rejected"].pk, 999999):
        assert client.get(f"/api/v1/me/payouts/{pk}").status_code == 404
    # The internal ledger stays closed to the talent; /me/payouts to everyone else.
    assert client.get("/api/v1/payouts").status_code == 403
    assert client.get(f"/api/v1/payouts/{entries['paid'].pk}").status_code == 403
    assert api_client(w["office"]).get("/api/v1/me/payouts").status_code == 403


def test_the_portal_page_shows_cards_with_policy_period_amount_state_and_notice_end(
    w: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = _in_every_state(w, monkeypatch)
    theirs = _start(w, w["other"], "2025-01")[0]
    page = web_client(w["portal"]).get("/payouts/mine/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "我的补贴" in html
    assert f'id="payout-{entries["publicized"].pk}"' in html
    assert f"公示至 {entries['publicized'].publicity_ends:%Y-%m-%d}" in html
    assert f'id="payout-{entries["paid"].pk}"' in html
    assert f'id="payout-{entries["due"].pk}"' in html
    assert f'id="payout-{entries["pending"].pk}"' not in html
    assert f'id="payout-{entries["rejected"].pk}"' not in html
    assert f'id="payout-{theirs.pk}"' not in html
    assert "材料不全" not in html  # a rejection's note is the government's
    assert 'id="my-paid-total">0.30<' in html
    assert "<table" not in html  # cards on a phone, not the ledger's table
    # The talent's menu and home page lead there; staff never open it.
    assert 'href="/payouts/mine/"' in web_client(w["portal"]).get("/").content.decode()
    assert web_client(w["office"]).get("/payouts/mine/").status_code == 403
    assert web_client(w["portal"]).get("/payouts/").status_code == 403


# ---- 2. hand-off notices ------------------------------------------------------------------------------


def told(kind: str) -> set[int]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def test_the_table_says_who_waits_and_who_is_told() -> None:
    waits = {s: [(x.actor, x.todo, x.when) for x in ws] for s, ws in TALENT_PAYOUT_TABLE.waits.items()}
    assert waits == {
        "due": [("registrar", "to_submit", "period_begun")],
        "pending": [("approver", "to_approve", "")],
        "rejected": [("registrar", "to_resubmit", "")],
        "approved": [("approver", "to_publicize", "")],
        "publicized": [("approver", "to_pay", "publicity_over")],
    }
    notify = {r.action.value: set(r.notify or ()) for r in TALENT_PAYOUT_TABLE.rows}
    assert notify == {
        "submit": {"approver"}, "approve": {"approver"}, "reject": {"registrar"}, "resubmit": {"approver"},
        "publicize": set(), "pay": {"talent"}, "stop": {"talent"},
    }


def test_every_step_tells_the_next_person(
    w: dict[str, Any], monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Commit
) -> None:
    entry = _start(w, w["me"], "2025-01")[0]
    assert not Notification.objects.exists()  # a schedule is nobody's work yet
    with django_capture_on_commit_callbacks(execute=True):
        entry = _act(w["staff_a"], entry, "submit")
    # The approvers in the talent's scope — city admin, talent office, county A's unit admin —
    # not county B's, not the submitter, not the talent.
    assert told("talent_payout.submit") == {w["admin"].pk, w["office"].pk, w["unit_admin_a"].pk}
    note = Notification.objects.filter(kind="talent_payout.submit", recipient=w["office"]).get()
    assert note.link == f"/payouts/{entry.pk}/"
    assert "甲县博士本人" in note.title
    with django_capture_on_commit_callbacks(execute=True):
        entry = _act(w["office"], entry, "reject", reason="材料不全")
    assert told("talent_payout.reject") == {w["staff_a"].pk}  # the registrant
    assert "材料不全" in Notification.objects.get(kind="talent_payout.reject").body
    with django_capture_on_commit_callbacks(execute=True):
        entry = _act(w["office"], entry, "resubmit", amount_wan="0.3")
    # Four-eyes: the office resubmitted, so it is not asked to approve.
    assert told("talent_payout.resubmit") == {w["admin"].pk, w["unit_admin_a"].pk}
    with django_capture_on_commit_callbacks(execute=True):
        entry = _act(w["admin"], entry, "approve")
    # Whoever starts the 公示 (the office may now: the approval was another's).
    assert told("talent_payout.approve") == {w["office"].pk, w["unit_admin_a"].pk}
    with django_capture_on_commit_callbacks(execute=True):
        entry = _act(w["office"], entry, "publicize")
    assert not told("talent_payout.publicize")  # nobody owes anything until it ends
    assert entry.publicity_ends is not None
    # The worker tells the payers the day after the last day, once.
    assert notify_publicity_over(today=entry.publicity_ends) == 0
    assert notify_publicity_over(today=entry.publicity_ends + dt.timedelta(days=1)) == 1
    assert told(PUBLICITY_OVER_KIND) == {w["admin"].pk, w["office"].pk, w["unit_admin_a"].pk}
    assert notify_publicity_over(today=entry.publicity_ends + dt.timedelta(days=2)) == 0
    assert Notification.objects.filter(kind=PUBLICITY_OVER_KIND).count() == 3
    _after_publicity(monkeypatch, entry)
    with django_capture_on_commit_callbacks(execute=True):
        _act(w["unit_admin_a"], entry, "pay")
    assert told("talent_payout.pay") == {w["portal"].pk}
    paid = Notification.objects.get(kind="talent_payout.pay")
    assert paid.link == f"/payouts/mine/#payout-{entry.pk}"
    assert "0.30" in paid.body
    with django_capture_on_commit_callbacks(execute=True):
        _act(w["office"], Payout.objects.get(talent=w["me"], period="2025-02"), "stop", reason="本人放弃")
    assert told("talent_payout.stop") == {w["portal"].pk}
    assert "本人放弃" in Notification.objects.get(kind="talent_payout.stop").body


def test_a_one_off_registration_tells_the_approvers_but_not_the_registrant(
    w: dict[str, Any], django_capture_on_commit_callbacks: Commit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        talent_services.talent_payout_register(
            acting_user=w["unit_admin_a"], policy=w["living"], talent=w["me"],
            data=PayoutRegisterInput.of(period="2024", amount_wan="3"),
        )
    assert told("talent_payout.register") == {w["admin"].pk, w["office"].pk}


# ---- 2. 我的待办 -------------------------------------------------------------------------------------------


def counts(user: User) -> dict[str, int]:
    return PayoutTodo().counts(user)


def test_the_to_do_lists_what_waits_for_each_person(w: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    # A schedule starting this month: only the instalments whose period has begun are to submit.
    this_month = f"{TODAY.year:04d}-{TODAY.month:02d}"
    _start(w, w["other"], this_month)
    assert counts(w["staff_a"]) == {"to_submit": 1}
    assert counts(w["office"]) == {"to_submit": 1}
    assert counts(w["unit_admin_b"]) == {}  # out of scope
    assert counts(w["leader"]) == {}
    assert counts(w["portal"]) == {}
    items = PayoutTodo().todo(w["staff_a"], limit=10)
    assert [(i.kind, i.heading, i.code) for i in items] == [("to_submit", "待提交", this_month)]

    entries = _in_every_state(w, monkeypatch)
    # The office submitted every entry: never its own to approve (四眼原则).
    office = counts(w["office"])
    assert office.get("to_approve", 0) == 0
    assert counts(w["admin"])["to_approve"] == 1
    assert counts(w["unit_admin_a"])["to_approve"] == 1
    assert counts(w["staff_a"]).get("to_approve", 0) == 0  # no approver role
    # The rejected entry goes back to the registrars of the talent's scope.
    assert counts(w["staff_a"])["to_resubmit"] == 1
    assert office["to_resubmit"] == 1
    # Approved: to publicize, for every approver (the four-eyes rule is over).
    assert office["to_publicize"] == 1
    assert counts(w["admin"])["to_publicize"] == 1
    # 公示 running: nothing to pay yet; once it has ended, to pay.
    assert "to_pay" not in office
    ends = entries["publicized"].publicity_ends
    assert ends is not None
    monkeypatch.setattr(timezone, "localdate", lambda *a: ends + dt.timedelta(days=1))
    assert counts(w["office"])["to_pay"] == 1
    pay = [i for i in PayoutTodo().todo(w["office"], limit=100) if i.kind == "to_pay"]
    assert [(i.heading, i.link) for i in pay] == [("待拨付", f"/payouts/{entries['publicized'].pk}/")]
    assert counts(w["unit_admin_b"]) == {}


def test_an_enterprise_entry_is_no_talent_to_do_and_the_reverse(w: dict[str, Any]) -> None:
    # The enterprise's approved entry waits for nobody (its table ends there).
    assert "to_publicize" not in counts(w["admin"])
    entry = _act(w["office"], _start(w, w["me"], "2025-01")[0], "submit")
    # Listed once, under the one heading; the instalments whose period has begun are to submit.
    begun = Payout.objects.filter(talent=w["me"], status="due").filter(begun_q(TODAY)).count()
    assert counts(w["admin"]) == {"to_approve": 1, **({"to_submit": begun} if begun else {})}
    items = [i for i in PayoutTodo().todo(w["admin"], limit=100) if i.kind == "to_approve"]
    assert [i.link for i in items] == [f"/payouts/{entry.pk}/"]


def test_the_to_do_costs_a_constant_number_of_queries(w: dict[str, Any], make_user: Any) -> None:
    from zhaoyin.core.todo import todo_count, todo_for

    def grow(n: int) -> None:
        for i in range(Talent.objects.filter(name__startswith="增").count(), n):
            talent = make_talent(org_unit=w["me"].org_unit, name=f"增{i}", education=Education.DOCTORATE)
            for j, status in enumerate(("due", "pending", "rejected", "approved", "publicized")):
                Payout.objects.create(
                    policy=w["living"], talent=talent, period=f"2025-{j + 1:02d}", amount_wan=Decimal("0.30"),
                    status=status, org_unit=talent.org_unit, registered_by=w["staff_a"],
                    publicity_ends=TODAY - dt.timedelta(days=1) if status == "publicized" else None,
                )

    office = User.objects.select_related("org_unit").get(pk=w["office"].pk)
    assert_constant_queries(grow=grow, run=lambda: todo_for(office), sizes=(2, 12))
    assert_constant_queries(grow=grow, run=lambda: todo_count(office), sizes=(12, 20))
    assert todo_count(office) >= 20 * 5
    assert_constant_queries(grow=grow, run=lambda: web_client(w["office"]).get("/todo/"), sizes=(20, 24))


@pytest.mark.parametrize(
    "period", ["2024", "2025", "2026", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2025-05",
               "2025-06", "2025-07", "2024-12", "2026-01"],
)
def test_a_period_has_begun_in_the_query_exactly_when_it_has_begun(period: str, w: dict[str, Any]) -> None:
    Payout.objects.create(policy=w["living"], talent=w["me"], period=period, amount_wan=Decimal("1"),
                          status="due", org_unit=w["me"].org_unit)
    for today in (dt.date(2025, 6, 30), dt.date(2025, 7, 1), dt.date(2024, 12, 31), dt.date(2026, 1, 1)):
        found = Payout.objects.filter(begun_q(today), period=period).exists()
        assert found == (period_start(period) <= today), (period, today)


# ---- 3. totals -----------------------------------------------------------------------------------------


def test_granted_money_stays_in_the_approved_sum_through_publicity_and_payment(
    w: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = _act(w["admin"], _act(w["office"], _start(w, w["me"], "2025-01")[0], "submit"), "approve")

    def sums() -> tuple[Decimal, Decimal, Decimal]:
        row = selectors.payout_totals(user=w["office"], year=2025, by="policy")[0]
        ledger = selectors.ledger_totals(
            PayoutFilter.parse({"year": "2025"}).apply(selectors.payout_list_visible_to(w["office"]))
        )
        assert (ledger.approved_wan, ledger.pending_wan, ledger.paid_wan) == (
            row.approved_wan, row.pending_wan, row.paid_wan,
        )
        return row.approved_wan, row.pending_wan, row.paid_wan

    assert sums() == (Decimal("0.30"), Decimal("0.00"), Decimal("0.00"))
    entry = _act(w["admin"], entry, "publicize")
    assert sums() == (Decimal("0.30"), Decimal("0.00"), Decimal("0.00"))
    _after_publicity(monkeypatch, entry)
    _act(w["admin"], entry, "pay")
    assert sums() == (Decimal("0.30"), Decimal("0.00"), Decimal("0.30"))
    # Stopped and due entries are not granted; the API says the same.
    _act(w["admin"], Payout.objects.get(talent=w["me"], period="2025-02"), "stop", reason="本人放弃")
    body = api_client(w["admin"]).get("/api/v1/payouts/totals?year=2025").json()
    # The city admin's totals hold the enterprise's approved 10 万元 too.
    assert (body["approved_wan"], body["paid_wan"]) == ("10.30", "0.30")
    item = next(i for i in body["items"] if i["id"] == w["living"].pk)
    assert (item["approved_count"], item["approved_wan"]) == (1, "0.30")
    assert (item["paid_count"], item["paid_wan"]) == (1, "0.30")
    # The totals' bar opens exactly the granted entries.
    listed = api_client(w["office"]).get("/api/v1/payouts?year=2025&granted=true").json()
    assert [p["id"] for p in listed["items"]] == [entry.pk]


def test_the_cockpits_subsidies_paid_agrees_with_the_ledgers_paid_sum(
    w: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from zhaoyin.cockpit.selectors import talent_panel_for

    _in_every_state(w, monkeypatch)
    other = _start(w, w["other"], "2025-01")
    paid = _act(w["admin"], _act(w["admin"], _act(w["office"], other[0], "submit"), "approve"), "publicize")
    _after_publicity(monkeypatch, paid)
    _act(w["admin"], paid, "pay")
    for user in (w["admin"], w["unit_admin_a"], w["unit_admin_b"]):
        panel = talent_panel_for(user, year=2025, as_of=dt.date(2025, 12, 31))
        assert panel is not None
        ledger = selectors.ledger_totals(
            PayoutFilter.parse({"year": "2025"}).apply(selectors.payout_list_visible_to(user))
        )
        assert (panel.subsidies_paid, panel.subsidies_wan) == (ledger.paid_count, ledger.paid_wan)
    city = talent_panel_for(w["admin"], year=2025, as_of=dt.date(2025, 12, 31))
    assert city is not None
    assert city.subsidies_wan == Decimal("0.60")
