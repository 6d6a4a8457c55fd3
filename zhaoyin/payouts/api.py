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

from zhaoyin.accounts.models import User
from zhaoyin.accounts.request import request_user
from zhaoyin.core.api import ErrorOut, api_allow
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.fields import MAX_ID, IndustryRef, OrgUnitRef, exact_amounts
from zhaoyin.core.outputs import DecimalText, IsoDate, IsoDateTime, OutSchema, Username
from zhaoyin.core.paging import rows_by_ids
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.enterprises.selectors import enterprise_list_visible_to
from zhaoyin.payouts import selectors, talent_services
from zhaoyin.payouts import services as payouts
from zhaoyin.payouts.filters import PayoutFilter
from zhaoyin.payouts.inputs import (
    PayoutActionBody,
    PayoutActionInput,
    PayoutRegisterBody,
    PayoutRegisterInput,
    ScheduleStartBody,
    ScheduleStartInput,
)
from zhaoyin.payouts.models import Payout
from zhaoyin.policies.models import Policy
from zhaoyin.policies.selectors import policy_list_visible_to
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
    status: str = Field(
        description="pending, approved or rejected; a talent's entry also due, publicized, paid or stopped"
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


class PayoutPageOut(OutSchema):
    count: int
    items: list[PayoutOut]


GRANTED_TEXT = "granted: approved, and a talent's entry in public notice (publicized) or paid"


class TotalsItemOut(OutSchema):
    """One group's sums (a row of ``payouts.selectors.payout_totals``)."""

    id: int = Field(validation_alias="key")
    code: str
    name: str
    approved_count: int = Field(description=f"Entries {GRANTED_TEXT}")
    approved_wan: DecimalText = Field(description=f"万元 {GRANTED_TEXT}")
    pending_count: int = Field(description="Entries pending approval")
    pending_wan: DecimalText = Field(description="万元 pending approval")
    paid_count: int = Field(description="Entries paid (拨付), a part of the granted ones")
    paid_wan: DecimalText = Field(description="万元 paid (拨付), a part of approved_wan")


class TotalsOut(OutSchema):
    year: int
    by: str
    approved_wan: DecimalText = Field(description=f"万元 {GRANTED_TEXT}")
    pending_wan: DecimalText = Field(description="万元 pending approval")
    paid_wan: DecimalText = Field(description="万元 paid (拨付), a part of approved_wan")
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


@router.get("/{id}", response=PayoutOut)
@api_allow(selectors.LEDGER_ROLES)
def payout_detail(request: HttpRequest, id: PayoutId) -> Payout:
    """One payout; 404 outside the caller's scope."""
    return _reload(request_user(request), id)


@router.post("", response={201: PayoutOut, 409: ErrorOut})
@api_allow(*REGISTRARS)
def payout_create(request: HttpRequest, payload: PayoutRegisterBody) -> Status[Payout]:
    """Register a payout (pending approval) to an enterprise, or to a talent under a talent
    policy (``talent`` instead of ``enterprise``). 422 names a bad ``policy``, ``enterprise``,
    ``talent``, ``period`` (one after the talent left included) or ``amount_wan``; 409 when this
    beneficiary × policy × period is in the ledger."""
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
        Literal["approve", "reject", "resubmit", "submit", "publicize", "pay", "stop"],
        Path(
            description="approve, reject or resubmit; a talent's entry also submit, publicize, pay or stop",
        ),
    ],
    payload: PayoutActionBody,
) -> Payout:
    """Take an action on a payout. 409 when the transition table does not allow it from the
    current status or ``version`` is stale; 403 for the registrant deciding their own entry
    (four-eyes rule) or a role that may not take it; 422 for a missing reason or amount; 409
    for a talent entry's action on an enterprise's (which has no 公示 or 拨付)."""
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
