"""API: /payouts — the payout ledger (政策兑现台账, DESIGN 3.7 and 5.1).

- ``GET /payouts?policy=&enterprise=&status=&period=&year=&unit=&industry=&page=&page_size=``
  → ``{"count","items"}`` in the caller's scope;
- ``POST /payouts`` ``{"policy","enterprise","period","amount_wan","note"}`` → 201 pending;
  the same enterprise × policy × period twice → 409;
- ``POST /payouts/{id}/actions/{approve|reject|resubmit}`` ``{"reason","amount_wan","version"}``
  → the changed entry; not allowed from the current status or a stale version → 409;
- ``GET /payouts/totals?year=&by=policy|unit|industry`` → granted ("approved": approved,
  publicized or paid), pending and paid sums per group.

Talents (issue 13): ``POST /payouts`` with ``talent`` instead of ``enterprise`` registers a
person's subsidy under a talent policy; ``POST /payouts/schedules/start`` ``{"policy","talent",
"first_period"}`` writes every instalment of the policy's schedule as ``due`` entries; a talent's
entry takes the actions submit, approve, reject, resubmit, publicize (公示), pay (拨付) and stop
(``payouts.talent_services.TALENT_PAYOUT_TABLE``).

Amounts are Decimal end to end (a JSON number is re-read from the body's text) and answered as
decimal strings.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import StrictInt

from zhaoyin.accounts.models import User
from zhaoyin.accounts.request import request_user
from zhaoyin.core.api import ErrorOut, api_allow
from zhaoyin.core.errors import REFERENCE_RULE, RULE_KEY, Errors, InvalidInput
from zhaoyin.core.fields import MAX_ID, IndustryRef, OrgUnitRef, exact_amounts
from zhaoyin.core.fields import Amount as WireAmount
from zhaoyin.core.outputs import DecimalText, IsoDate, IsoDateTime, OutSchema, Username
from zhaoyin.core.paging import rows_by_ids
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.enterprises.selectors import enterprise_list_visible_to
from zhaoyin.payouts import approvers, selectors, talent_services
from zhaoyin.payouts import services as payouts
from zhaoyin.payouts.filters import PayoutFilter
from zhaoyin.payouts.inputs import (
    AMOUNT_SCHEMA,
    PayoutActionBody,
    PayoutActionInput,
    PayoutRegisterBody,
    PayoutRegisterInput,
    PolicyApproversInput,
    ScheduleStartBody,
    ScheduleStartInput,
)
from zhaoyin.payouts.models import Payout
from zhaoyin.policies.models import Policy
from zhaoyin.policies.selectors import policy_get_for_user, policy_list_visible_to
from zhaoyin.talents.models import Talent
from zhaoyin.talents.selectors import talent_list_visible_to

router = Router(tags=["payouts"])

REGISTRARS = (Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.STAFF, Role.TALENT_OFFICE)
PayoutId = Annotated[int, Path(ge=1, le=MAX_ID, description="Payout id.")]


class PolicyRef(OutSchema):
    id: int
    title: str


class EnterpriseRef(OutSchema):
    id: int
    name: str
    uscc: str


class TalentRef(OutSchema):
    id: int
    name: str


class PayoutOut(OutSchema):
    id: int
    policy: PolicyRef
    enterprise: EnterpriseRef | None = Field(description="The enterprise paid; null for a talent's subsidy")
    talent: TalentRef | None = Field(description="The talent paid (a talent policy); null for an enterprise")
    period: str = Field(description="YYYY, YYYY-Qn or YYYY-MM")
    amount_wan: DecimalText = Field(description="万元, a decimal string")
    status: Literal[
        "matched", "pending", "approved", "rejected", "publicized", "paid", "received", "revoked", "due", "stopped"
    ] = Field(
        description="an enterprise's entry: matched (awaiting the firm's confirmation), pending, approved, "
        "rejected, publicized, paid, received or revoked; a talent's: due, pending, approved, rejected, "
        "publicized, paid or stopped"
    )
    org_unit: OrgUnitRef = Field(description="The beneficiary's unit when the payout was registered")
    industry: IndustryRef | None = Field(description="The beneficiary's industry (a talent may have none)")
    instalment: int | None = Field(description="The instalment of a scheduled subsidy (1 … N)")
    publicity_ends: IsoDate | None = Field(description="The last working day of the public notice (公示)")
    paid_at: IsoDateTime | None = Field(description="When the subsidy was paid (拨付)")
    note: str
    decision_note: str
    registered_by: Username
    registered_at: IsoDateTime
    decided_by: Username
    decided_at: IsoDateTime | None
    version: int = Field(description="Send it back with an action to detect a concurrent change (409)")
    kind: Literal["cash", "enjoyed"] = Field(
        description="cash: money paid out (兑现); enjoyed: a tax incentive enjoyed (享受), never in the cash totals"
    )
    review_unit: OrgUnitRef | None = Field(description="The reviewing unit (审核): the policy's issuing department")
    payment_unit: OrgUnitRef | None = Field(description="The paying unit (拨付): the finance bureau")
    flagged: bool = Field(
        description="Registered against the matcher's verdict or outside the policy's validity: two approvers"
    )
    flag_note: str = Field(description="Why the entry is flagged")
    override_reason: str = Field(description="The registrar's reason to pay anyway (a flagged entry)")
    first_approved_by: Username = Field(description="The first of a flagged entry's two approvers")
    confirmed_at: IsoDateTime | None = Field(description="When the firm confirmed a 免申即享 benefit (意愿确认)")
    paid_on: IsoDate | None = Field(description="The payment date (拨付)")
    voucher_no: str = Field(description="The payment voucher number (拨付)")
    received_at: IsoDateTime | None = Field(description="When the receipt was confirmed (已到账)")


class PayoutPageOut(OutSchema):
    count: int
    items: list[PayoutOut]


GRANTED_TEXT = "granted cash: approved, in public notice (publicized), paid or received"


class TotalsItemOut(OutSchema):
    """One group's sums (a row of ``payouts.selectors.payout_totals``)."""

    id: int = Field(validation_alias="key")
    code: str
    name: str
    approved_count: int = Field(description=f"Entries {GRANTED_TEXT}")
    approved_wan: DecimalText = Field(description=f"万元 {GRANTED_TEXT}")
    pending_count: int = Field(description="Entries pending approval")
    pending_wan: DecimalText = Field(description="万元 pending approval")
    paid_count: int = Field(description="Entries paid (拨付) or received, a part of the granted ones")
    paid_wan: DecimalText = Field(description="万元 paid (拨付) or received, a part of approved_wan")
    enjoyed_count: int = Field(description="Tax incentives enjoyed (享受 records), not in the cash sums")
    enjoyed_wan: DecimalText = Field(description="万元 of tax incentives enjoyed (减免额), not in the cash sums")


class TotalsOut(OutSchema):
    year: int
    by: str
    approved_wan: DecimalText = Field(description=f"万元 {GRANTED_TEXT}")
    pending_wan: DecimalText = Field(description="万元 pending approval")
    paid_wan: DecimalText = Field(description="万元 paid (拨付) or received, a part of approved_wan")
    enjoyed_wan: DecimalText = Field(description="万元 of tax incentives enjoyed (减免额), not in the cash sums")
    items: list[TotalsItemOut]




class TotalsQuery(Schema):
    year: int | None = Field(None, ge=payouts.YEAR_MIN, le=payouts.YEAR_MAX, description="Default: this year")
    by: Literal["policy", "unit", "industry"] = "policy"


def _policy_ref(user: User, pk: int) -> Policy:
    policy = policy_list_visible_to(user).filter(pk=pk).first() if 1 <= pk <= MAX_ID else None
    if policy is None:
        raise InvalidInput.field("policy", _("No such policy."))
    return policy


def _enterprise_ref(user: User, pk: int) -> Enterprise:
    enterprise = enterprise_list_visible_to(user).filter(pk=pk).first() if 1 <= pk <= MAX_ID else None
    if enterprise is None:
        raise InvalidInput.field("enterprise", _("No such enterprise in your scope."))
    return enterprise


def _talent_ref(user: User, pk: int) -> Talent:
    talent = talent_list_visible_to(user).filter(pk=pk).first() if 1 <= pk <= MAX_ID else None
    if talent is None:
        raise InvalidInput.field("talent", _("No such talent in your scope."))
    return talent


def _reload(user: User, pk: int) -> Payout:
    return selectors.payout_get_for_user(user=user, pk=pk)


@router.get("", response=PayoutPageOut, openapi_extra=PayoutFilter.openapi())
@api_allow(selectors.LEDGER_ROLES)
def payout_list(request: HttpRequest) -> dict[str, Any]:
    """Payouts in the caller's scope, filtered and paged: ``{"count", "items"}``."""
    user = request_user(request)
    flt = PayoutFilter.parse(request.GET)
    qs = flt.apply(selectors.payout_list_visible_to(user))
    total = qs.count()
    start = (flt.page - 1) * flt.page_size
    ids = list(qs.values_list("pk", flat=True)[start : start + flt.page_size]) if start < total else []
    return {"count": total, "items": rows_by_ids(qs, ids)}


@router.get("/totals", response=TotalsOut)
@api_allow(selectors.TOTALS_ROLES)
def payout_totals(request: HttpRequest, filters: Query[TotalsQuery]) -> dict[str, Any]:
    """Granted and pending payouts of a year in the caller's scope, per policy, unit or
    industry. ``approved_*`` counts the money granted: approved entries and a talent's entries
    that moved on to their public notice (publicized) or were paid; ``paid_*`` is the paid part
    of it. Rejected, stopped and still scheduled (due) entries are left out."""
    user = request_user(request)
    year = filters.year or timezone.localdate().year
    rows = selectors.payout_totals(user=user, year=year, by=filters.by)
    return {
        "year": year,
        "by": filters.by,
        "approved_wan": sum((r.approved_wan for r in rows), start=Decimal("0.00")),
        "pending_wan": sum((r.pending_wan for r in rows), start=Decimal("0.00")),
        "paid_wan": sum((r.paid_wan for r in rows), start=Decimal("0.00")),
        "enjoyed_wan": sum((r.enjoyed_wan for r in rows), start=Decimal("0.00")),
        "items": rows,
    }


class ScheduledOut(OutSchema):
    count: int
    items: list[PayoutOut]


# Two segments under /payouts would read as "/{id}" to a path-template matcher (a GET there
# is the detail's): the start of a schedule is one level deeper.
@router.post("/schedules/start", response={201: ScheduledOut, 409: ErrorOut})
@api_allow(*REGISTRARS)
def payout_schedule(request: HttpRequest, payload: ScheduleStartBody) -> Status[dict[str, Any]]:
    """Start a talent policy's payment schedule for an eligible talent: every instalment as a
    ``due`` entry from ``first_period``. 422 names ``policy`` (no talent policy, no schedule),
    ``talent`` (out of scope, departed, not eligible — the conditions named) or
    ``first_period``; 409 when a period is in the ledger already. Nothing written on refusal."""
    user = request_user(request)
    data = ScheduleStartInput.parse(payload.model_dump(exclude_unset=True, exclude={"policy", "talent"}))
    policy = _policy_ref(user, payload.policy)
    talent = _talent_ref(user, payload.talent)
    try:
        entries = talent_services.talent_schedule_start(acting_user=user, policy=policy, talent=talent, data=data)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or _("You do not have permission to do this.")) from None
    ids = [e.pk for e in entries]
    return Status(201, {"count": len(ids), "items": rows_by_ids(selectors.payout_list_visible_to(user), ids)})


class MatchBody(PayoutRegisterInput):
    """数据比对: the 免申即享 policy, the enterprises found eligible, and their period and amount."""

    policy: StrictInt = Field(description="A 免申即享 (no-application) policy's id",
                              json_schema_extra={RULE_KEY: f"{REFERENCE_RULE}; a no-application policy"})
    enterprises: list[StrictInt] = Field(
        min_length=1, max_length=500, description="Enterprise ids (each in the caller's scope)",
        json_schema_extra={RULE_KEY: REFERENCE_RULE},
    )
    amount_wan: WireAmount = Field(
        description="万元, > 0, at most 2 decimals; a decimal string or number", json_schema_extra=AMOUNT_SCHEMA
    )


@router.post("/matches/register", response={201: ScheduledOut, 409: ErrorOut})
@api_allow(*REGISTRARS)
def payout_match(request: HttpRequest, payload: MatchBody) -> Status[dict[str, Any]]:
    """数据比对 → 意愿确认: register the enterprises a 免申即享 policy's data comparison found, each
    ``matched`` (awaiting its confirmation in the enterprise portal). All or nothing: 422 names
    ``policy`` (not a no-application policy), ``enterprises`` (one out of scope),
    ``amount_wan`` or ``override_reason``; 409 naming ``period`` when one overlaps."""
    user = request_user(request)
    values = payload.model_dump(exclude_unset=True, exclude={"policy", "enterprises"})
    data = PayoutRegisterInput.parse(exact_amounts(request, values, ["amount_wan"]))
    policy = _policy_ref(user, payload.policy)
    found = {e.pk: e for e in enterprise_list_visible_to(user).filter(pk__in=payload.enterprises)}
    # Each missing one is named by its place (``enterprises[2]``), never by its id, so an id out
    # of scope gets the answer of an id nobody has (AC-03).
    errors = Errors()
    for place, pk in enumerate(payload.enterprises):
        if pk not in found:
            errors.add(f"enterprises[{place}]", _("No such enterprise in your scope."))
    errors.raise_if_any()
    try:
        entries = payouts.payout_match(
            acting_user=user, policy=policy, enterprises=[found[pk] for pk in dict.fromkeys(payload.enterprises)],
            data=data,
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or _("You do not have permission to do this.")) from None
    ids = [e.pk for e in entries]
    return Status(201, {"count": len(ids), "items": rows_by_ids(selectors.payout_list_visible_to(user), ids)})


@router.get("/{id}", response=PayoutOut)
@api_allow(selectors.LEDGER_ROLES)
def payout_detail(request: HttpRequest, id: PayoutId) -> Payout:
    """One payout; 404 outside the caller's scope."""
    return _reload(request_user(request), id)


@router.post("", response={201: PayoutOut, 409: ErrorOut})
@api_allow(*REGISTRARS)
def payout_create(request: HttpRequest, payload: PayoutRegisterBody) -> Status[Payout]:
    """Register a payout (pending approval; ``matched``, awaiting the firm's 意愿确认, under a
    免申即享 policy) to an enterprise, or to a talent under a talent policy (``talent`` instead
    of ``enterprise``). 422 names a bad ``policy``, ``enterprise``, ``talent``, ``period`` (one
    after the talent left included), ``amount_wan`` (above the policy's yearly cap included) or a
    missing ``override_reason`` (an ineligible enterprise, a policy not in force in the period);
    409 naming ``period`` when it overlaps one of this beneficiary × policy in the ledger."""
    user = request_user(request)
    values = payload.model_dump(exclude_unset=True, exclude={"policy", "enterprise", "talent"})
    data = PayoutRegisterInput.parse(exact_amounts(request, values, ["amount_wan"]))
    if (payload.enterprise is None) == (payload.talent is None):
        raise InvalidInput.field(
            "talent" if payload.talent is not None else "enterprise",
            _("Give either an enterprise or a talent, not both."),
        )
    policy = _policy_ref(user, payload.policy)
    try:
        if payload.talent is not None:
            talent = _talent_ref(user, payload.talent)
            payout = talent_services.talent_payout_register(acting_user=user, policy=policy, talent=talent, data=data)
        else:
            enterprise = _enterprise_ref(user, payload.enterprise or 0)
            payout = payouts.payout_register(acting_user=user, policy=policy, enterprise=enterprise, data=data)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or _("You do not have permission to do this.")) from None
    return Status(201, _reload(user, payout.pk))


@router.post("/{id}/actions/{action}", response={200: PayoutOut, 409: ErrorOut})
@api_allow(*REGISTRARS)
def payout_action(
    request: HttpRequest,
    id: PayoutId,
    action: Annotated[
        Literal["approve", "reject", "resubmit", "submit", "publicize", "pay", "stop", "revoke", "receive"],
        Path(
            description="approve, reject, resubmit, publicize, pay (paid_on and voucher_no), receive or revoke; "
            "a talent's entry submit, approve, reject, resubmit, publicize, pay or stop",
        ),
    ],
    payload: PayoutActionBody,
) -> Payout:
    """Take an action on a payout. 409 when the transition table does not allow it from the
    current status or ``version`` is stale, or to pay before the 公示 ended; 403 for the
    registrant deciding or paying their own entry (four-eyes rule), the first approver of a
    flagged entry approving again, or a user who is not of the reviewing (approve, reject,
    publicize, revoke) or paying unit (pay); 422 for a missing reason, amount, payment date or
    voucher number, or an amount above the policy's yearly cap (resubmit)."""
    user = request_user(request)
    payout = selectors.payout_get_for_user(user=user, pk=id)
    data = PayoutActionInput.parse(exact_amounts(request, payload.model_dump(exclude_unset=True), ["amount_wan"]))
    try:
        payouts.payout_transition(acting_user=user, payout=payout, action=action, data=data)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or _("You do not have permission to do this.")) from None
    return _reload(user, id)



# ---- the talent portal: /me/payouts -----------------------------------------------------------------

#: Mounted at the API's root (``config.api``) beside ``/me/recognitions`` and ``/me/todo``.
me_router = Router(tags=["payouts"])


class PortalPayoutOut(OutSchema):
    """A talent's own subsidy as the talent reads it (我的补贴): no registrant, decider or internal
    note."""

    id: int
    policy: PolicyRef
    period: str = Field(description="YYYY, YYYY-Qn or YYYY-MM")
    instalment: int | None = Field(description="The instalment of a scheduled subsidy (1 … N)")
    amount_wan: DecimalText = Field(description="万元, a decimal string")
    status: Literal["due", "approved", "publicized", "paid", "stopped"] = Field(
        description="due (scheduled), approved, publicized (in public notice), paid or stopped; pending and "
        "rejected entries are not shown to the talent"
    )
    publicity_ends: IsoDate | None = Field(description="The last working day of the public notice (公示)")
    paid_at: IsoDateTime | None = Field(description="When the subsidy was paid (拨付)")
    stop_reason: str = Field(description="Why the entry was stopped (empty otherwise)")

    @staticmethod
    def resolve_stop_reason(obj: Payout) -> str:
        return obj.decision_note if obj.status == "stopped" else ""


@me_router.get("/me/payouts", response=list[PortalPayoutOut])
@api_allow(Role.TALENT)
def my_payouts(request: HttpRequest) -> list[Payout]:
    """The signed-in talent's own subsidies, oldest period first: scheduled (due), approved, in
    public notice, paid and stopped — never pending or rejected ones."""
    return list(selectors.portal_payouts(request_user(request)))


@me_router.get("/me/payouts/{id}", response=PortalPayoutOut)
@api_allow(Role.TALENT)
def my_payout(request: HttpRequest, id: PayoutId) -> Payout:
    """One of the talent's own subsidies; another talent's, an enterprise's, a pending or a
    rejected entry → 404."""
    return selectors.portal_payout_get(user=request_user(request), pk=id)


# ---- the enterprise portal: /me/benefits (issue 15) -----------------------------------------------


class BenefitOut(OutSchema):
    """An enterprise's own ledger entry as the firm reads it (我的兑现): no registrant, approver or
    internal note."""

    id: int
    policy: PolicyRef
    period: str = Field(description="YYYY, YYYY-Qn or YYYY-MM")
    amount_wan: DecimalText = Field(description="万元, a decimal string")
    kind: Literal["cash", "enjoyed"] = Field(description="cash (兑现) or a tax incentive enjoyed (享受)")
    status: Literal["matched", "pending", "approved", "publicized", "paid", "received", "revoked"] = Field(
        description="matched (to confirm: 意愿确认), pending (confirmed, in review), approved, publicized "
        "(in public notice), paid or received; revoked only in the answer to a decline"
    )
    publicity_ends: IsoDate | None = Field(description="The last working day of the public notice (公示)")
    paid_on: IsoDate | None = Field(description="The payment date (拨付)")
    version: int = Field(description="Send it back with an action to detect a concurrent change (409)")


@me_router.get("/me/benefits", response=list[BenefitOut])
@api_allow(Role.ENTERPRISE)
def my_benefits(request: HttpRequest) -> list[Payout]:
    """The signed-in enterprise user's own entries: to confirm (matched), in review after its
    confirmation, granted, publicized, paid and received — never rejected or revoked ones."""
    return list(selectors.enterprise_portal_payouts(request_user(request)))


@me_router.post("/me/benefits/{id}/actions/{action}", response={200: BenefitOut, 409: ErrorOut})
@api_allow(Role.ENTERPRISE)
def my_benefit_action(
    request: HttpRequest,
    id: PayoutId,
    action: Annotated[
        Literal["confirm", "decline", "receive"],
        Path(description="confirm (意愿确认) or decline a 免申即享 benefit; receive: the money has arrived (已到账)"),
    ],
    payload: PayoutActionBody,
) -> Payout:
    """The firm's step on its own entry. Another enterprise's entry → 404; a step the table
    does not allow from the status, or a stale ``version`` → 409."""
    user = request_user(request)
    payout = selectors.enterprise_portal_payout_get(user=user, pk=id)
    data = PayoutActionInput.parse(exact_amounts(request, payload.model_dump(exclude_unset=True), ["amount_wan"]))
    try:
        # The entry as the step left it (a declined one is revoked: no longer in the portal's list).
        return payouts.payout_transition(acting_user=user, payout=payout, action=action, data=data)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or _("You do not have permission to do this.")) from None


# ---- who approves a policy's payouts (issue 15 item 6, roles as data) ----------------------------


class ApproverUnitOut(Schema):
    """A unit that approves a policy's payouts."""

    code: str
    name: str


class PolicyApproversOut(Schema):
    """The units that review and pay a policy's payouts; ``configured`` is false while the
    defaults apply (the policy's keeping unit reviews, the finance bureau pays)."""

    policy: int
    review_unit: ApproverUnitOut
    payment_unit: ApproverUnitOut | None = Field(description="None: no finance bureau configured")
    configured: bool


def _approvers_out(policy: Policy) -> dict[str, Any]:
    review, payment, configured = approvers.approvers_of(policy)
    return {
        "policy": policy.pk, "configured": configured,
        "review_unit": {"code": review.code, "name": review.name},
        "payment_unit": {"code": payment.code, "name": payment.name} if payment is not None else None,
    }


@router.get("/approvers/{policy_id}", response=PolicyApproversOut)
@api_allow(Role.CITY_ADMIN)
def approvers_get(request: HttpRequest, policy_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> dict[str, Any]:
    """Who reviews and who pays a policy's payouts (city administration)."""
    user = request_user(request)
    policy = policy_get_for_user(user=user, pk=policy_id)
    return _approvers_out(policy)


@router.put("/approvers/{policy_id}", response={200: PolicyApproversOut, 422: ErrorOut})
@api_allow(Role.CITY_ADMIN)
def approvers_put(
    request: HttpRequest, policy_id: Annotated[int, Path(ge=1, le=MAX_ID)], payload: PolicyApproversInput
) -> dict[str, Any]:
    """Name the units that review (审核, 公示) and pay (拨付) a policy's payouts; entries already
    registered keep theirs. 422 names ``review_unit`` or ``payment_unit`` (unknown, inactive, or
    not a department, county or park); audited."""
    user = request_user(request)
    policy = policy_get_for_user(user=user, pk=policy_id)
    payouts.policy_approvers_set(acting_user=user, policy=policy, data=payload)
    return _approvers_out(policy)
