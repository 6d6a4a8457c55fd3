"""Scoped reads of the payout ledger (AC-03).

A payout is visible exactly when its enterprise is (``enterprises.selectors
.enterprise_scope_q``): city-wide roles see all, unit roles their subtree's enterprises,
service members their groups' enterprises; an enterprise portal user sees its own entries in
``ENTERPRISE_PORTAL_STATES`` (and a pending one it confirmed; rejected and revoked entries are
the government's working file). Since issue 15 the reviewing unit (the policy's issuing
department) and the paying unit (财政) also read the entries they act on, and the finance bureau
every enterprise's entry. A talent's entry (issue 13) is visible exactly when the talent is
to the government roles and the talent office (``talents.selectors.talent_scope_q``). The 三员
see none. A talent portal user reads, through the portal only (``portal=True``: 我的补贴 and
``/api/v1/me/payouts``), the entries of their own record in the states ``PORTAL_STATES`` —
scheduled (due), approved, in public notice, paid, stopped; never pending or rejected ones (the
government's working file, as for enterprises). Out of scope → 404.

Totals (per policy, unit or industry and year) are computed from the same scoped queryset,
so a county's totals never include another county's payouts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import BigIntegerField, Count, F, Q, QuerySet, Sum
from django.db.models.functions import Cast, Round
from django.http import Http404

from zhaoyin.accounts.models import User
from zhaoyin.accounts.scope import NOTHING
from zhaoyin.core.money import fen_to_amount
from zhaoyin.core.roles import GOVERNMENT_ROLES, Role
from zhaoyin.enterprises.selectors import enterprise_scope_q
from zhaoyin.payouts.approvers import is_finance
from zhaoyin.payouts.models import GRANTED, PAID_STATES, Payout, PayoutKind, PayoutStatus
from zhaoyin.talents.selectors import talent_scope_q

#: Government roles read the ledger (scoped); the portal user reads own approved entries.
LEDGER_ROLES: frozenset[Role] = frozenset(GOVERNMENT_ROLES | {Role.ENTERPRISE, Role.TALENT_OFFICE})
#: Totals pages and the totals API: government roles.
TOTALS_ROLES: frozenset[Role] = frozenset(GOVERNMENT_ROLES)
_GOVERNMENT = frozenset(r.value for r in GOVERNMENT_ROLES)
#: Who reads talents' entries (within their talent scope).
_TALENT_READERS = frozenset(r.value for r in (*GOVERNMENT_ROLES, Role.TALENT_OFFICE))


def _prefixed(q: Q, prefix: str) -> Q:
    """``q`` (written on Enterprise) rewritten for a relation: every lookup gets ``prefix``."""
    out = Q()
    out.connector = q.connector
    out.negated = q.negated
    out.children = [
        _prefixed(child, prefix) if isinstance(child, Q) else _prefixed_lookup(child, prefix) for child in q.children
    ]
    return out


def _prefixed_lookup(child: Any, prefix: str) -> tuple[str, Any]:
    lookup, value = child
    return prefix + str(lookup), value


#: The states of a talent's own entries the talent reads in the portal: the schedule ahead
#: (due), the money granted (approved, publicized, paid) and what was stopped.
PORTAL_STATES: tuple[str, ...] = (
    PayoutStatus.DUE.value, PayoutStatus.APPROVED.value, PayoutStatus.PUBLICIZED.value, PayoutStatus.PAID.value,
    PayoutStatus.STOPPED.value,
)


#: An enterprise's entry (not a talent's).
ENTERPRISE_ENTRY = Q(talent__isnull=True)
#: The states of its own entries an enterprise's portal user reads (issue 15): one awaiting its
#: 意愿确认, and the money granted, publicized, paid and received — besides a pending entry it
#: confirmed itself (审核中). Rejected and revoked entries stay the government's working file.
ENTERPRISE_PORTAL_STATES: tuple[str, ...] = (
    PayoutStatus.MATCHED.value, PayoutStatus.APPROVED.value, PayoutStatus.PUBLICIZED.value,
    PayoutStatus.PAID.value, PayoutStatus.RECEIVED.value,
)


def payout_scope_q(user: User, *, portal: bool = False) -> Q:
    """The payouts ``user`` may see (see the module docstring). ``portal``: the talent portal's
    view (the user's own talent entries in ``PORTAL_STATES``); the internal pages and API leave it
    out, as recognition's do."""
    if not user.is_authenticated or user.admin_role:
        return NOTHING
    if portal:
        if not user.has_role(Role.TALENT):
            return NOTHING
        return Q(talent__account_id=user.pk, talent__isnull=False, status__in=PORTAL_STATES)
    q = NOTHING
    if user.has_role(*_GOVERNMENT):
        q = _prefixed(enterprise_scope_q(user), "enterprise__")
    # Q() already sees everything (and Q() | x would narrow it to x).
    if user.has_role(*_TALENT_READERS) and q != Q():
        talents = talent_scope_q(user)
        if talents != NOTHING:
            people = _prefixed(talents, "talent__") & Q(talent__isnull=False)
            q = people if q == NOTHING else q | people
    if user.has_role(*_GOVERNMENT) and user.org_unit_id is not None and q != Q():
        # The reviewing and the paying unit read the entries they act on (issue 15), whatever
        # the enterprise's unit; the finance bureau reads every enterprise's entry it may pay.
        acting = ENTERPRISE_ENTRY & (
            Q(review_unit_id=user.org_unit_id) | Q(payment_unit_id=user.org_unit_id)
            if not is_finance(user.org_unit) else Q()
        )
        q = acting if q == NOTHING else q | acting
    if user.has_role(Role.ENTERPRISE) and user.enterprise_id is not None:
        own = Q(enterprise_id=user.enterprise_id) & (
            Q(status__in=ENTERPRISE_PORTAL_STATES) | Q(status=PayoutStatus.PENDING, confirmed_at__isnull=False)
        )
        q = own if q == NOTHING else q | own
    return q


def payout_list_visible_to(user: User) -> QuerySet[Payout]:
    """Every payout ``user`` may see, with policy, enterprise, unit and industry joined."""
    return Payout.objects.filter(payout_scope_q(user)).select_related(
        "policy", "enterprise", "talent", "org_unit", "industry", "registered_by", "decided_by",
        "review_unit", "payment_unit", "first_approved_by",
    )


def payout_get_for_user(*, user: User, pk: int) -> Payout:
    """One payout if ``user`` may see it, else 404. Whether they may act on it is the
    services' decision (roles, scope, four-eyes)."""
    payout = (
        payout_list_visible_to(user).select_related("enterprise__org_unit", "talent__org_unit").filter(pk=pk).first()
    )
    if payout is None:
        raise Http404
    return payout


def portal_payouts(user: User) -> QuerySet[Payout]:
    """The talent portal user's own entries (``PORTAL_STATES``), oldest period first — the
    schedule as it runs — with the policy joined."""
    return (
        Payout.objects.filter(payout_scope_q(user, portal=True))
        .select_related("policy")
        .order_by("period", "policy__title", "pk")
    )


def portal_payout_get(*, user: User, pk: int) -> Payout:
    """One of the portal user's own visible entries, else 404 (another talent's, an enterprise's,
    a pending or rejected one alike)."""
    found = portal_payouts(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def enterprise_portal_payouts(user: User) -> QuerySet[Payout]:
    """The enterprise portal user's own entries (``ENTERPRISE_PORTAL_STATES`` and a pending one it
    confirmed), those to confirm first, then the latest period."""
    if not user.is_authenticated or user.admin_role or not user.has_role(Role.ENTERPRISE) or not user.enterprise_id:
        return Payout.objects.none()
    own = Q(enterprise_id=user.enterprise_id) & (
        Q(status__in=ENTERPRISE_PORTAL_STATES) | Q(status=PayoutStatus.PENDING, confirmed_at__isnull=False)
    )
    return Payout.objects.filter(own).select_related("policy").order_by("-period", "-pk")


def enterprise_portal_payout_get(*, user: User, pk: int) -> Payout:
    """One of the enterprise portal user's own visible entries, else 404."""
    found = enterprise_portal_payouts(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def payouts_of_enterprise(*, user: User, enterprise_id: int, limit: int = 20) -> list[Payout]:
    """The latest payouts of one enterprise that ``user`` may see (its page's section)."""
    return list(payout_list_visible_to(user).filter(enterprise_id=enterprise_id).order_by("-period", "-id")[:limit])


#: Cash entries: the totals' money (兑现金额); a 享受 record (tax incentive) is summed apart.
CASH = Q(kind=PayoutKind.CASH)
ENJOYED = Q(kind=PayoutKind.ENJOYED)


def _fen(*statuses: str, kind: Q = CASH) -> Sum:
    """Sum of ``amount_wan`` in whole fen over the rows of ``statuses`` and ``kind`` (exact on
    SQLite too)."""
    return Sum(
        Cast(Round(F("amount_wan") * 100), output_field=BigIntegerField()), filter=Q(status__in=statuses) & kind
    )


def _sums() -> dict[str, Any]:
    """The aggregates every total reads: granted, pending and paid counts and sums of cash
    entries, and the granted 享受 records (tax incentives) apart."""
    return {
        "approved_count": Count("id", filter=Q(status__in=GRANTED) & CASH),
        "approved_fen": _fen(*GRANTED),
        "pending_count": Count("id", filter=Q(status=PayoutStatus.PENDING) & CASH),
        "pending_fen": _fen(PayoutStatus.PENDING),
        "paid_count": Count("id", filter=Q(status__in=PAID_STATES) & CASH),
        "paid_fen": _fen(*PAID_STATES),
        "enjoyed_count": Count("id", filter=Q(status__in=GRANTED) & ENJOYED),
        "enjoyed_fen": _fen(*GRANTED, kind=ENJOYED),
    }


@dataclass(frozen=True)
class LedgerTotals:
    """Count and sums of a filtered ledger. ``approved_*`` is the money granted (approved,
    publicized or paid: ``GRANTED``); ``paid_*`` the part of it paid out (拨付, talents only)."""

    count: int
    approved_count: int
    approved_wan: Decimal
    pending_count: int
    pending_wan: Decimal
    paid_count: int = 0
    paid_wan: Decimal = Decimal("0.00")
    enjoyed_count: int = 0
    enjoyed_wan: Decimal = Decimal("0.00")


def ledger_totals(qs: QuerySet[Payout]) -> LedgerTotals:
    """Totals of an already scoped and filtered ledger, in one aggregate query."""
    row = qs.order_by().aggregate(count=Count("id"), **_sums())
    return LedgerTotals(
        count=row["count"],
        approved_count=row["approved_count"],
        approved_wan=fen_to_amount(row["approved_fen"]),
        pending_count=row["pending_count"],
        pending_wan=fen_to_amount(row["pending_fen"]),
        paid_count=row["paid_count"],
        paid_wan=fen_to_amount(row["paid_fen"]),
        enjoyed_count=row["enjoyed_count"],
        enjoyed_wan=fen_to_amount(row["enjoyed_fen"]),
    )


#: What the totals are grouped by → (key column, label column, ledger filter parameter).
GROUPINGS: dict[str, tuple[str, str, str]] = {
    "policy": ("policy_id", "policy__title", "policy"),
    "unit": ("org_unit_id", "org_unit__name", "unit"),
    "industry": ("industry_id", "industry__name", "industry"),
}


@dataclass(frozen=True)
class TotalsRow:
    """One group of the totals: granted amount and count (approved, publicized or paid), pending
    shown apart, and the paid part of the granted."""

    key: int
    code: str
    name: str
    approved_count: int
    approved_wan: Decimal
    pending_count: int
    pending_wan: Decimal
    paid_count: int = 0
    paid_wan: Decimal = Decimal("0.00")
    enjoyed_count: int = 0
    enjoyed_wan: Decimal = Decimal("0.00")


def payout_totals(*, user: User, year: int, by: str) -> list[TotalsRow]:
    """Granted (``GRANTED``: approved, publicized, paid) and pending payouts of ``year`` in
    ``user``'s scope grouped ``by`` policy, unit (the beneficiary's unit at registration) or
    industry, largest granted amount first. Rejected, stopped and still scheduled (due) entries
    are left out. One query."""
    key, label, _param = GROUPINGS[by]
    code = {"policy": "policy_id", "unit": "org_unit__code", "industry": "industry__code"}[by]
    rows: list[dict[str, Any]] = list(
        payout_list_visible_to(user)
        .filter(period__startswith=str(year), status__in=[*GRANTED, PayoutStatus.PENDING])
        # A talent without an industry has no industry group (issue 13).
        .exclude(**{f"{key}__isnull": True})
        .order_by()
        .values(*dict.fromkeys((key, label, code)))
        .annotate(**_sums())
    )
    out = [
        TotalsRow(
            key=r[key],
            code=str(r[code]),
            name=r[label],
            approved_count=r["approved_count"],
            approved_wan=fen_to_amount(r["approved_fen"]),
            pending_count=r["pending_count"],
            pending_wan=fen_to_amount(r["pending_fen"]),
            paid_count=r["paid_count"],
            paid_wan=fen_to_amount(r["paid_fen"]),
            enjoyed_count=r["enjoyed_count"],
            enjoyed_wan=fen_to_amount(r["enjoyed_fen"]),
        )
        for r in rows
    ]
    out.sort(key=lambda t: (-t.approved_wan, -t.pending_wan, t.name))
    return out
