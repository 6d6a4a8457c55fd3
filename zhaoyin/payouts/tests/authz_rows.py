"""Matrix rows (tests/authz_matrix.py) for the payout ledger and the tailored policy list.

The ledger is read by government roles within the enterprise scope (a county's unit roles see
their enterprises' payouts, the service member their group's) and by the enterprise portal
user for their own *approved* entries; totals by government roles only. Registering is for
city admins, unit admins and staff (within their unit); approving, since issue 15, for the
reviewing unit's administrators (stored on each entry: county A's here) and paying for the
paying unit's administrators and staff.
County A's personas get 404 for county B's payouts. The policy list (PDF / Word) follows the
enterprise's scope: government readers and the enterprise's own portal user.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tests.authz_matrix import MATRIX, READERS, UNIT_SCOPED, api, web
from tests.world import World, world_builder
from zhaoyin.core.roles import Role
from zhaoyin.payouts.models import Payout, PayoutStatus
from zhaoyin.policies.models import Delivery, Policy, PolicyCategory, PolicyLevel, PolicyStatus

LEDGER = frozenset(READERS | {Role.ENTERPRISE, Role.TALENT_OFFICE})
REGISTRARS = frozenset({Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.STAFF})
#: Issue 15: the reviewing unit's administrators approve (the entries below are reviewed by
#: county A, the unit persona's own: roles as data); the city admin no longer does.
APPROVERS = frozenset({Role.UNIT_ADMIN})
#: The paying unit's administrators and staff record the 拨付 (county A pays the entry below).
PAYERS = frozenset({Role.UNIT_ADMIN, Role.STAFF})
#: The talent office reads and acts on talents' entries only: an enterprise's is unknown to it.
NOT_THE_OFFICES: dict[Role, Any] = {Role.TALENT_OFFICE: 404}
#: County B's payouts do not exist for county A's unit personas, group 1's member or the
#: portal user of enterprise A.
NOT_IN_SCOPE_OF_B: dict[Role, Any] = {
    **dict.fromkeys(UNIT_SCOPED, 404),
    Role.SERVICE_MEMBER: 404,
    Role.ENTERPRISE: 404,
}


@world_builder
def payouts(w: World) -> None:
    policy = Policy(
        title="矩阵兑现政策",
        issuer="淮南市人民政府",
        level=PolicyLevel.CITY,
        doc_no="淮府〔2025〕1号",
        category=PolicyCategory.FUNDS,
        org_unit=w.units["city"],
        valid_from=dt.date(2025, 1, 1),
        status=PolicyStatus.IN_FORCE,
        delivery=Delivery.APPLICATION,
        benefits="最高奖励50万元",
        eligibility={"all": [{"field": "size_class", "op": "eq", "value": "above"}]},
    )
    policy.refresh_search_text()
    policy.save()
    w.extra["payout_policy"] = policy

    def payout(enterprise: Any, period: str, status: str, **values: Any) -> Payout:
        # Each entry is reviewed and paid by its enterprise's county (stored on the entry).
        return Payout.objects.create(
            policy=values.pop("policy", policy),
            enterprise=enterprise,
            period=period,
            amount_wan=Decimal("12.00"),
            status=status,
            org_unit=enterprise.org_unit,
            industry=enterprise.industry,
            review_unit=enterprise.org_unit,
            payment_unit=enterprise.org_unit,
            **values,
        )

    w.extra["payout_a"] = payout(w.enterprise_a, "2025-Q1", PayoutStatus.PENDING)
    w.extra["payout_a_ok"] = payout(w.enterprise_a, "2025-Q2", PayoutStatus.APPROVED)
    w.extra["payout_b"] = payout(w.enterprise_b, "2025-Q1", PayoutStatus.PENDING)
    w.extra["payout_a_rejected"] = payout(w.enterprise_a, "2025-Q3", PayoutStatus.REJECTED)
    # Issue 15: an entry in its 公示 that ended yesterday (to pay), and 免申即享 entries waiting
    # for their firm's 意愿确认 (county A's and county B's).
    w.extra["payout_a_noticed"] = payout(
        w.enterprise_a, "2023-Q2", PayoutStatus.PUBLICIZED, publicity_ends=timezone.localdate() - dt.timedelta(days=1)
    )
    free = Policy(
        title="矩阵免申即享政策", issuer="淮南市人民政府", level=PolicyLevel.CITY, category=PolicyCategory.FUNDS,
        org_unit=w.units["city"], valid_from=dt.date(2020, 1, 1), status=PolicyStatus.IN_FORCE,
        delivery=Delivery.NO_APPLICATION, benefits="免申即享，最高奖励10万元",
        eligibility={"all": [{"field": "size_class", "op": "eq", "value": "above"}]},
    )
    free.refresh_search_text()
    free.save()
    w.extra["payout_free_policy"] = free
    w.extra["payout_a_matched"] = payout(w.enterprise_a, "2024", PayoutStatus.MATCHED, policy=free)
    w.extra["payout_b_matched"] = payout(w.enterprise_b, "2024", PayoutStatus.MATCHED, policy=free)
    w.extra["payout_a_paid"] = payout(w.enterprise_a, "2023-Q3", PayoutStatus.PAID, paid_on=dt.date(2023, 10, 9),
                                      voucher_no="财拨-矩阵")


def _pk(key: str) -> Any:
    return lambda w: {"pk": w.extra[key].pk}


def _id(key: str) -> Any:
    return lambda w: {"id": w.extra[key].pk}


def _action(key: str, action: str) -> Any:
    return lambda w: {"pk": w.extra[key].pk, "action": action}


def _api_action(key: str, action: str) -> Any:
    return lambda w: {"id": w.extra[key].pk, "action": action}


def _form(w: World) -> dict[str, Any]:
    return {
        "enterprise": w.enterprise_a.uscc,
        "policy": w.extra["payout_policy"].pk,
        "period": "2024",
        "amount_wan": "3",
        "override_reason": "矩阵：按会议纪要兑现",
    }


def _body(enterprise: str) -> Any:
    def build(w: World) -> dict[str, Any]:
        target = w.enterprise_a if enterprise == "a" else w.enterprise_b
        # The reason is read only when the matcher judges the enterprise ineligible (issue 15).
        return {"policy": w.extra["payout_policy"].pk, "enterprise": target.pk, "period": "2024", "amount_wan": "3",
                "override_reason": "矩阵：按会议纪要兑现"}

    return build


def _enterprise(key: str) -> Any:
    return lambda w: {"pk": getattr(w, key).pk}


def _enterprise_id(key: str) -> Any:
    return lambda w: {"id": getattr(w, key).pk}


#: Pending entries are not the portal user's business (404), approved ones are.
PENDING_A = {Role.ENTERPRISE: 404}
#: The enterprise page's readers: government readers (scoped) and the own portal user.
ENTERPRISE_B_SCOPE: dict[Role, Any] = {
    **dict.fromkeys(UNIT_SCOPED, 404),
    Role.SERVICE_MEMBER: 404,
    Role.ENTERPRISE: 404,
}

MATRIX += [
    web("payouts:list", allowed=LEDGER),
    web("payouts:export", allowed=LEDGER),
    web("payouts:totals", allowed=READERS),
    # Issue 16 item 2: the totals table's export, the page's roles.
    web("payouts:totals_export", allowed=READERS),
    web("payouts:create", allowed=REGISTRARS),
    web("payouts:create", "POST", allowed=REGISTRARS, ok=302, data=_form),
    web("payouts:detail", allowed=LEDGER, kwargs=_pk("payout_a"), scope={**PENDING_A, **NOT_THE_OFFICES},
        label="county A pending"),
    web("payouts:detail", allowed=LEDGER, kwargs=_pk("payout_a_ok"), scope=NOT_THE_OFFICES, label="county A approved"),
    web("payouts:detail", allowed=LEDGER, kwargs=_pk("payout_b"), scope={**NOT_IN_SCOPE_OF_B, **NOT_THE_OFFICES},
        label="county B"),
    web(
        "payouts:action",
        "POST",
        allowed=APPROVERS,
        ok=302,
        kwargs=_action("payout_a", "approve"),
        data=lambda w: {"version": "1"},
        scope=NOT_THE_OFFICES,
        label="approve county A",
    ),
    web(
        "payouts:action",
        "POST",
        allowed=APPROVERS,
        ok=302,
        kwargs=_action("payout_b", "approve"),
        data=lambda w: {"version": "1"},
        scope={**dict.fromkeys(UNIT_SCOPED, 404), **NOT_THE_OFFICES},
        label="approve county B",
    ),
    web(
        "payouts:action",
        "POST",
        allowed=APPROVERS,
        ok=302,
        kwargs=_action("payout_a", "reject"),
        data=lambda w: {"version": "1", "reason": "材料不全"},
        scope=NOT_THE_OFFICES,
        label="reject county A",
    ),
    web(
        "payouts:action",
        "POST",
        allowed=REGISTRARS,
        ok=302,
        kwargs=_action("payout_a_rejected", "resubmit"),
        data=lambda w: {"version": "1", "amount_wan": "10", "reason": "已补正"},
        scope=NOT_THE_OFFICES,
        label="resubmit county A",
    ),
    api("GET", "/api/v1/payouts", allowed=LEDGER),
    api("GET", "/api/v1/payouts/totals", allowed=READERS),
    api(
        "GET", "/api/v1/payouts/{id}", allowed=LEDGER, kwargs=_id("payout_a"), scope={**PENDING_A, **NOT_THE_OFFICES},
        label="county A pending",
    ),
    api(
        "GET", "/api/v1/payouts/{id}", allowed=LEDGER, kwargs=_id("payout_b"),
        scope={**NOT_IN_SCOPE_OF_B, **NOT_THE_OFFICES}, label="county B",
    ),
    # The talent office may register (talents' entries): an enterprise policy is unknown to it.
    api("POST", "/api/v1/payouts", allowed=REGISTRARS, ok=201, data=_body("a"), scope={Role.TALENT_OFFICE: 422},
        label="county A"),
    api(
        "POST",
        "/api/v1/payouts",
        allowed=REGISTRARS,
        ok=201,
        data=_body("b"),
        scope={**dict.fromkeys(UNIT_SCOPED, 422), Role.TALENT_OFFICE: 422},
        label="county B",
    ),
    api(
        "POST",
        "/api/v1/payouts/{id}/actions/{action}",
        allowed=APPROVERS,
        kwargs=_api_action("payout_a", "approve"),
        data=lambda w: {"version": 1},
        scope=NOT_THE_OFFICES,
        label="approve county A",
    ),
    api(
        "POST",
        "/api/v1/payouts/{id}/actions/{action}",
        allowed=APPROVERS,
        kwargs=_api_action("payout_a", "reject"),
        data=lambda w: {"version": 1, "reason": "材料不全"},
        scope=NOT_THE_OFFICES,
        label="reject county A",
    ),
    api(
        "POST",
        "/api/v1/payouts/{id}/actions/{action}",
        allowed=REGISTRARS,
        kwargs=_api_action("payout_a_rejected", "resubmit"),
        data=lambda w: {"version": 1, "amount_wan": "10", "reason": "已补正"},
        scope=NOT_THE_OFFICES,
        label="resubmit county A",
    ),
    api(
        "POST",
        "/api/v1/payouts/{id}/actions/{action}",
        allowed=APPROVERS,
        kwargs=_api_action("payout_b", "approve"),
        data=lambda w: {"version": 1},
        scope={**dict.fromkeys(UNIT_SCOPED, 404), **NOT_THE_OFFICES},
        label="approve county B",
    ),
]

# ---- issue 15: 公示, 拨付, 撤销, 数据比对 and the firm's own steps (我的兑现) -----------------------------
#: The enterprise portal's own routes: the enterprise persona only.
FIRM_ONLY = frozenset({Role.ENTERPRISE})


def _match_body(enterprise: str) -> Any:
    def build(w: World) -> dict[str, Any]:
        target = w.enterprise_a if enterprise == "a" else w.enterprise_b
        return {"policy": w.extra["payout_free_policy"].pk, "enterprises": [target.pk], "period": "2023",
                "amount_wan": "3", "override_reason": "矩阵：按会议纪要兑现"}

    return build


MATRIX += [
    api("POST", "/api/v1/payouts/{id}/actions/{action}", allowed=APPROVERS,
        kwargs=_api_action("payout_a_ok", "publicize"), data=lambda w: {"version": 1}, scope=NOT_THE_OFFICES,
        label="publicize county A"),
    api("POST", "/api/v1/payouts/{id}/actions/{action}", allowed=PAYERS,
        kwargs=_api_action("payout_a_noticed", "pay"),
        data=lambda w: {"version": 1, "paid_on": timezone.localdate().isoformat(), "voucher_no": "财拨-1"},
        scope=NOT_THE_OFFICES, label="pay county A"),
    api("POST", "/api/v1/payouts/{id}/actions/{action}", allowed=APPROVERS,
        kwargs=_api_action("payout_a", "revoke"), data=lambda w: {"version": 1, "reason": "重复登记"},
        scope=NOT_THE_OFFICES, label="revoke county A"),
    web("payouts:action", "POST", allowed=APPROVERS, ok=302, kwargs=_action("payout_a", "revoke"),
        data=lambda w: {"version": "1", "reason": "重复登记"}, scope=NOT_THE_OFFICES, label="revoke county A"),
    api("POST", "/api/v1/payouts/matches/register", allowed=REGISTRARS, ok=201, data=_match_body("a"),
        scope={Role.TALENT_OFFICE: 422}, label="county A"),
    api("POST", "/api/v1/payouts/matches/register", allowed=REGISTRARS, ok=201, data=_match_body("b"),
        scope={**dict.fromkeys(UNIT_SCOPED, 422), Role.TALENT_OFFICE: 422}, label="county B"),
    web("payouts:benefits", allowed=FIRM_ONLY),
    api("GET", "/api/v1/me/benefits", allowed=FIRM_ONLY),
    web("payouts:benefit_action", "POST", allowed=FIRM_ONLY, ok=302,
        kwargs=lambda w: {"pk": w.extra["payout_a_matched"].pk, "action": "confirm"},
        data=lambda w: {"version": "1"}, label="own"),
    web("payouts:benefit_action", "POST", allowed=FIRM_ONLY, ok=302,
        kwargs=lambda w: {"pk": w.extra["payout_b_matched"].pk, "action": "confirm"},
        data=lambda w: {"version": "1"}, scope={Role.ENTERPRISE: 404}, label="another firm's"),
    api("POST", "/api/v1/me/benefits/{id}/actions/{action}", allowed=FIRM_ONLY,
        kwargs=_api_action("payout_a_matched", "confirm"), data=lambda w: {"version": 1}, label="own"),
    api("POST", "/api/v1/me/benefits/{id}/actions/{action}", allowed=FIRM_ONLY,
        kwargs=_api_action("payout_b_matched", "confirm"), data=lambda w: {"version": 1},
        scope={Role.ENTERPRISE: 404}, label="another firm's"),
    api("POST", "/api/v1/me/benefits/{id}/actions/{action}", allowed=FIRM_ONLY,
        kwargs=_api_action("payout_a_matched", "decline"), data=lambda w: {"version": 1, "reason": "不需要"},
        label="own decline"),
    api("POST", "/api/v1/me/benefits/{id}/actions/{action}", allowed=FIRM_ONLY,
        kwargs=_api_action("payout_a_paid", "receive"), data=lambda w: {"version": 1}, label="own receipt"),
    # The registrar may record the receipt too (the firm told the office).
    api("POST", "/api/v1/payouts/{id}/actions/{action}", allowed=REGISTRARS,
        kwargs=_api_action("payout_a_paid", "receive"), data=lambda w: {"version": 1}, scope=NOT_THE_OFFICES,
        label="receipt county A"),
]

#: The policy list of an enterprise: the enterprise's readers (government roles in scope, the
#: own portal user).
LIST_READERS = frozenset(READERS | {Role.ENTERPRISE})

MATRIX += [
    web("policy_list:pdf", allowed=LIST_READERS, kwargs=_enterprise("enterprise_a"), label="county A"),
    web(
        "policy_list:pdf",
        allowed=LIST_READERS,
        kwargs=_enterprise("enterprise_b"),
        scope=ENTERPRISE_B_SCOPE,
        label="county B",
    ),
    web("policy_list:docx", allowed=LIST_READERS, kwargs=_enterprise("enterprise_a"), label="county A"),
    web(
        "policy_list:docx",
        allowed=LIST_READERS,
        kwargs=_enterprise("enterprise_b"),
        scope=ENTERPRISE_B_SCOPE,
        label="county B",
    ),
    api(
        "GET",
        "/api/v1/enterprises/{id}/policy-list.pdf",
        allowed=LIST_READERS,
        kwargs=_enterprise_id("enterprise_a"),
        label="county A",
    ),
    api(
        "GET",
        "/api/v1/enterprises/{id}/policy-list.pdf",
        allowed=LIST_READERS,
        kwargs=_enterprise_id("enterprise_b"),
        scope=ENTERPRISE_B_SCOPE,
        label="county B",
    ),
    api(
        "GET",
        "/api/v1/enterprises/{id}/policy-list.docx",
        allowed=LIST_READERS,
        kwargs=_enterprise_id("enterprise_a"),
        label="county A",
    ),
    api(
        "GET",
        "/api/v1/enterprises/{id}/policy-list.docx",
        allowed=LIST_READERS,
        kwargs=_enterprise_id("enterprise_b"),
        scope=ENTERPRISE_B_SCOPE,
        label="county B",
    ),
]


# ---- talents' entries (issue 13) ----------------------------------------------------------------
# A talent's subsidy is read by the government roles within the talent scope and by the talent
# office; the enterprise portal user and the service member (who serves enterprises) know
# nothing of it (404). Registering, scheduling and submitting: city admins, the talent office,
# unit admins and staff; deciding, 公示, 拨付 and stopping: city admins, the talent office and
# unit admins. County A's unit personas get 404 for county B's talent's entries.

T_REGISTRARS = frozenset({Role.CITY_ADMIN, Role.TALENT_OFFICE, Role.UNIT_ADMIN, Role.STAFF})
T_APPROVERS = frozenset({Role.CITY_ADMIN, Role.TALENT_OFFICE, Role.UNIT_ADMIN})
#: Readers of a talent's entry who see nothing of it.
T_HIDDEN: dict[Role, Any] = {Role.ENTERPRISE: 404, Role.SERVICE_MEMBER: 404}
T_HIDDEN_B: dict[Role, Any] = {**T_HIDDEN, **dict.fromkeys(UNIT_SCOPED, 404)}


@world_builder
def talent_payouts(w: World) -> None:
    from zhaoyin.matching.tests.talent_support import DOCTOR_TREE, make_talent_policy
    from zhaoyin.payouts.models import SubsidySchedule
    from zhaoyin.talents.models import Education
    from zhaoyin.talents.testing import make_talent

    policy = make_talent_policy(w.units["city"], DOCTOR_TREE, title="矩阵博士生活补贴（兑现）")
    SubsidySchedule.objects.create(policy=policy, frequency="monthly", instalments=36, amount_wan=Decimal("0.30"))
    w.extra["tpay_policy"] = policy
    today = timezone.localdate()
    doctor: dict[str, Any] = {
        "education": Education.DOCTORATE, "birth": dt.date(1992, 1, 1), "arrival_date": dt.date(2024, 1, 1),
        "employer_name": "淮南市矩阵研究院", "contract_start": dt.date(2024, 1, 1),
        "contract_end": today.replace(year=today.year + 3),
    }
    talent_a = make_talent(org_unit=w.units["county_a"], name="矩阵兑现甲县博士", **doctor)
    talent_b = make_talent(org_unit=w.units["county_b"], name="矩阵兑现乙县博士", **doctor)
    w.extra["tpay_talent_a"], w.extra["tpay_talent_b"] = talent_a, talent_b

    def entry(talent: Any, period: str, status: str, **values: Any) -> Payout:
        return Payout.objects.create(
            policy=policy, talent=talent, period=period, amount_wan=Decimal("0.30"), status=status,
            org_unit=talent.org_unit, **values,
        )

    w.extra["tpay_due_a"] = entry(talent_a, "2025-01", PayoutStatus.DUE, instalment=1)
    w.extra["tpay_pending_a"] = entry(talent_a, "2025-02", PayoutStatus.PENDING)
    w.extra["tpay_pending_b"] = entry(talent_b, "2025-02", PayoutStatus.PENDING)
    w.extra["tpay_rejected_a"] = entry(talent_a, "2025-03", PayoutStatus.REJECTED)
    w.extra["tpay_approved_a"] = entry(talent_a, "2025-04", PayoutStatus.APPROVED)
    w.extra["tpay_noticed_a"] = entry(
        talent_a, "2025-05", PayoutStatus.PUBLICIZED, publicity_ends=today - dt.timedelta(days=1)
    )


def _t_action(key: str, action: str) -> Any:
    return lambda w: {"id": w.extra[key].pk, "action": action}


def _t_body(talent: str) -> Any:
    return lambda w: {"policy": w.extra["tpay_policy"].pk, "talent": w.extra[talent].pk, "period": "2024",
                      "amount_wan": "3"}


def _schedule_kwargs(talent: str) -> Any:
    return lambda w: {"talent": w.extra[talent].pk, "policy": w.extra["tpay_policy"].pk}


def _schedule_body(talent: str) -> Any:
    return lambda w: {"policy": w.extra["tpay_policy"].pk, "talent": w.extra[talent].pk, "first_period": "2026-01"}


MATRIX += [
    api("GET", "/api/v1/payouts/{id}", allowed=LEDGER, kwargs=_id("tpay_pending_a"), scope=T_HIDDEN,
        label="talent county A"),
    api("GET", "/api/v1/payouts/{id}", allowed=LEDGER, kwargs=_id("tpay_pending_b"), scope=T_HIDDEN_B,
        label="talent county B"),
    web("payouts:detail", allowed=LEDGER, kwargs=_pk("tpay_pending_a"), scope=T_HIDDEN, label="talent county A"),
    api("POST", "/api/v1/payouts", allowed=T_REGISTRARS, ok=201, data=_t_body("tpay_talent_a"),
        label="talent county A"),
    api("POST", "/api/v1/payouts", allowed=T_REGISTRARS, ok=201, data=_t_body("tpay_talent_b"),
        scope=dict.fromkeys(UNIT_SCOPED, 422), label="talent county B"),
    api("POST", "/api/v1/payouts/schedules/start", allowed=T_REGISTRARS, ok=201, data=_schedule_body("tpay_talent_a"),
        label="talent county A"),
    api("POST", "/api/v1/payouts/schedules/start", allowed=T_REGISTRARS, ok=201, data=_schedule_body("tpay_talent_b"),
        scope=dict.fromkeys(UNIT_SCOPED, 422), label="talent county B"),
    api("POST", "/api/v1/payouts/{id}/actions/{action}", allowed=T_REGISTRARS,
        kwargs=_t_action("tpay_due_a", "submit"), data=lambda w: {"version": 1}, label="talent submit"),
    api("POST", "/api/v1/payouts/{id}/actions/{action}", allowed=T_APPROVERS,
        kwargs=_t_action("tpay_pending_a", "approve"), data=lambda w: {"version": 1}, label="talent approve"),
    api("POST", "/api/v1/payouts/{id}/actions/{action}", allowed=T_APPROVERS,
        kwargs=_t_action("tpay_pending_b", "approve"), data=lambda w: {"version": 1},
        scope=dict.fromkeys(UNIT_SCOPED, 404), label="talent approve county B"),
    api("POST", "/api/v1/payouts/{id}/actions/{action}", allowed=T_APPROVERS,
        kwargs=_t_action("tpay_pending_a", "reject"), data=lambda w: {"version": 1, "reason": "材料不全"},
        label="talent reject"),
    api("POST", "/api/v1/payouts/{id}/actions/{action}", allowed=T_REGISTRARS,
        kwargs=_t_action("tpay_rejected_a", "resubmit"), data=lambda w: {"version": 1, "amount_wan": "0.3"},
        label="talent resubmit"),
    api("POST", "/api/v1/payouts/{id}/actions/{action}", allowed=T_APPROVERS,
        kwargs=_t_action("tpay_approved_a", "publicize"), data=lambda w: {"version": 1}, label="talent publicize"),
    api("POST", "/api/v1/payouts/{id}/actions/{action}", allowed=T_APPROVERS,
        kwargs=_t_action("tpay_noticed_a", "pay"), data=lambda w: {"version": 1}, label="talent pay"),
    api("POST", "/api/v1/payouts/{id}/actions/{action}", allowed=T_APPROVERS,
        kwargs=_t_action("tpay_due_a", "stop"), data=lambda w: {"version": 1, "reason": "本人放弃"},
        label="talent stop"),
    web("payouts:action", "POST", allowed=T_APPROVERS, ok=302, kwargs=lambda w: {
        "pk": w.extra["tpay_pending_a"].pk, "action": "approve"}, data=lambda w: {"version": "1"},
        label="talent approve"),
    # The schedule page: the talent office and the unit roles of the talent's county; county B's
    # talent is unknown to county A's unit roles, the enterprise portal and the service member.
    web("payouts:schedule_start", allowed=T_REGISTRARS, kwargs=_schedule_kwargs("tpay_talent_a"),
        label="talent county A"),
    web("payouts:schedule_start", allowed=T_REGISTRARS, kwargs=_schedule_kwargs("tpay_talent_b"),
        scope=dict.fromkeys(UNIT_SCOPED, 404), label="talent county B"),
    web("payouts:schedule_start", "POST", allowed=T_REGISTRARS, ok=302, kwargs=_schedule_kwargs("tpay_talent_a"),
        data=lambda w: {"first_period": "2026-01"}, label="talent county A"),
    web("payouts:schedule_start", "POST", allowed=T_REGISTRARS, ok=302, kwargs=_schedule_kwargs("tpay_talent_b"),
        data=lambda w: {"first_period": "2026-01"}, scope=dict.fromkeys(UNIT_SCOPED, 404), label="talent county B"),
]


# ---- 我的补贴: the talent's own subsidies (portal and /me/payouts) ----------------------------------------
# The talent persona reads their own entries in the portal's states (a paid one here) and nothing
# else: another talent's entry, and their own pending one, answer 404 like unknown ones. Everyone
# else gets 403 on these routes (the ledger is theirs instead).

TALENT_ONLY = frozenset({Role.TALENT})
OWN_ONLY: dict[Role, Any] = {Role.TALENT: 404}


@world_builder
def talent_own_payouts(w: World) -> None:
    import importlib
    import importlib.util

    from zhaoyin.talents.models import Talent
    from zhaoyin.talents.testing import make_talent

    if importlib.util.find_spec("zhaoyin.talents.tests.authz_rows") is not None:
        importlib.import_module("zhaoyin.talents.tests.authz_rows")  # its builder links talent_own
    persona = w.user(Role.TALENT)
    own = w.extra.get("talent_own") or Talent.objects.filter(account=persona).first() or make_talent(
        org_unit=w.units["county_a"], name="矩阵兑现本人", account=persona
    )
    policy = w.extra["tpay_policy"]

    def entry(period: str, status: str) -> Payout:
        return Payout.objects.create(policy=policy, talent=own, period=period, amount_wan=Decimal("0.30"),
                                     status=status, org_unit=own.org_unit, paid_at=timezone.now()
                                     if status == PayoutStatus.PAID else None)

    w.extra["tpay_own_paid"] = entry("2024-01", PayoutStatus.PAID)
    w.extra["tpay_own_pending"] = entry("2024-02", PayoutStatus.PENDING)


MATRIX += [
    web("payouts:mine", allowed=TALENT_ONLY),
    api("GET", "/api/v1/me/payouts", allowed=TALENT_ONLY),
    api("GET", "/api/v1/me/payouts/{id}", allowed=TALENT_ONLY, kwargs=_id("tpay_own_paid"), label="own paid"),
    api("GET", "/api/v1/me/payouts/{id}", allowed=TALENT_ONLY, kwargs=_id("tpay_own_pending"), scope=OWN_ONLY,
        label="own pending"),
    api("GET", "/api/v1/me/payouts/{id}", allowed=TALENT_ONLY, kwargs=_id("tpay_approved_a"), scope=OWN_ONLY,
        label="another talent's"),
    api("GET", "/api/v1/me/payouts/{id}", allowed=TALENT_ONLY, kwargs=_id("payout_a_ok"), scope=OWN_ONLY,
        label="an enterprise's"),
]


# Issue 15 item 6: who approves a policy's payouts (roles as data), the city administration's.
APPROVER_EDITOR = frozenset({Role.CITY_ADMIN})
MATRIX += [
    api("GET", "/api/v1/payouts/approvers/{policy_id}", allowed=APPROVER_EDITOR,
        kwargs=lambda w: {"policy_id": w.extra["payout_policy"].pk}),
    api("PUT", "/api/v1/payouts/approvers/{policy_id}", allowed=APPROVER_EDITOR,
        kwargs=lambda w: {"policy_id": w.extra["payout_policy"].pk},
        data=lambda w: {"review_unit": w.units["county_a"].code, "payment_unit": w.units["county_a"].code}),
]
