"""The payout ledger's hand-off notices and its part of 我的待办, from ``payouts.PAYOUT_TABLE``.

Who holds an actor of the payout machine (the same rule as ``payouts.may_take``):

- ``approver``: city administrators, and unit administrators whose unit is the enterprise's
  or above it — less the person who registered the entry (四眼原则: they may not decide it);
- ``registrar``: for a notice, the person who registered the entry (a rejection goes back to
  them); for the to-do list, every registrar whose scope covers the enterprise (a unit's
  administrators and staff share their rejected entries).

The notice of a registration (``payouts.ENTRY``: it enters ``pending``) tells the approvers too.
Both the resolver and the provider are registered in ``PoliciesConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.core.roles import Role
from zhaoyin.core.todo import TodoItem, TrackedItem
from zhaoyin.core.transitions import Transition
from zhaoyin.notifications.handoff import Notice
from zhaoyin.payouts.models import OBJECT_TYPE, Payout, PayoutStatus
from zhaoyin.payouts.selectors import payout_scope_q
from zhaoyin.payouts.services import (
    APPROVER,
    APPROVER_ROLES,
    PAYOUT_TABLE,
    REGISTRAR,
    REGISTRAR_ROLES,
    PayoutAction,
    _in_unit_scope,
)


def _link(pk: int) -> str:
    return reverse("payouts:detail", kwargs={"pk": pk})


def _describe(p: Payout) -> str:
    return f"{p.policy.title} · {p.beneficiary_name}"


class PayoutResolver:
    """The payout ledger's ``HandoffResolver``."""

    actors = frozenset({APPROVER, REGISTRAR})

    def load(self, pk: int) -> Payout | None:
        return (
            Payout.objects.filter(pk=pk)
            .select_related("policy", "enterprise__org_unit", "talent__org_unit", "registered_by__org_unit")
            .first()
        )

    def recipients(self, obj: Any, actor: str) -> Iterable[User]:
        payout: Payout = obj
        if actor == REGISTRAR:
            return [payout.registered_by] if payout.registered_by is not None else []
        if actor == APPROVER:
            above = [int(part) for part in payout.scope_path.strip("/").split("/") if part]
            return list(
                User.objects.filter(
                    Q(role_assignments__role=Role.CITY_ADMIN.value)
                    | Q(role_assignments__role=Role.UNIT_ADMIN.value, org_unit_id__in=above),
                    is_active=True,
                    admin_role="",
                )
                .exclude(pk=payout.registered_by_id or 0)  # 四眼原则: not the registrant
                .distinct()
                .select_related("org_unit")
                .prefetch_related("role_assignments")
                .order_by("pk")
            )
        return []

    def may_see(self, user: User, obj: Any) -> bool:
        """A registrar or approver whose unit scope covers the enterprise sees the entry."""
        payout: Payout = obj
        if not user.has_role(*REGISTRAR_ROLES, *APPROVER_ROLES):
            return False
        return _in_unit_scope(user, payout.scope_path)

    def notice(self, obj: Any, row: Transition[Any, Any], source: str) -> Notice:
        payout: Payout = obj
        params = {"what": _describe(payout), "period": payout.period, "amount": payout.amount_wan}
        if row.action == PayoutAction.REJECT:
            title = _("Payout rejected, to resubmit: %(what)s") % params
            body = _(
                "The payout %(what)s for %(period)s (%(amount)s 10k yuan) was rejected: %(reason)s"
            ) % (params | {"reason": payout.decision_note})
        else:  # registered or resubmitted: waiting for approval
            title = _("Payout to approve: %(what)s") % params
            body = _("A payout %(what)s for %(period)s (%(amount)s 10k yuan) waits for approval.") % params
        return Notice(title=title[:200], body=body, link=_link(payout.pk), object_type=OBJECT_TYPE,
                      object_id=str(payout.pk))

    def issued(self, obj: Any, row: Transition[Any, Any], people: Sequence[User]) -> None:
        """Nothing else to record: the ledger has no escalation notices."""


def actor_q(user: User, actor: str) -> Q | None:
    """The payouts (within the user's scope) for which ``user`` holds ``actor``; None: none."""
    if actor == APPROVER and user.has_role(*APPROVER_ROLES):
        return payout_scope_q(user) & ~Q(registered_by_id=user.pk)
    if actor == REGISTRAR and user.has_role(*REGISTRAR_ROLES):
        return payout_scope_q(user)
    return None


def waiting_q(user: User) -> dict[str, Q]:
    """Heading code → the payouts listed under it for ``user``, from the table's ``waits``."""
    out: dict[str, Q] = {}
    for status, waits in PAYOUT_TABLE.waits.items():
        for wait in waits:
            holder = actor_q(user, wait.actor)
            if holder is not None:
                q = Q(status=status) & holder
                out[wait.todo] = out[wait.todo] | q if wait.todo in out else q
    return out


class PayoutTodo:
    """The payout ledger's ``TodoProvider``: 待审批 and 待重报 (no deadline runs)."""

    name = "payout"

    def headings(self) -> dict[str, Any]:
        return PAYOUT_TABLE.todo_labels

    def counts(self, user: User) -> dict[str, int]:
        conditions = waiting_q(user)
        if not conditions:
            return {}
        any_q = Q(pk__in=[])
        for q in conditions.values():
            any_q |= q
        found = Payout.objects.filter(any_q).aggregate(
            **{kind: Count("pk", filter=q) for kind, q in conditions.items()}
        )
        return {kind: n for kind, n in found.items() if n}

    def todo(self, user: User, *, limit: int) -> list[TodoItem]:
        conditions = waiting_q(user)
        labels = PAYOUT_TABLE.todo_labels
        by_status = {w.todo: s for s, waits in PAYOUT_TABLE.waits.items() for w in waits}
        any_q = Q(pk__in=[])
        for q in conditions.values():
            any_q |= q
        rows = list(
            Payout.objects.filter(any_q)
            .select_related("policy", "enterprise", "talent", "org_unit")
            .order_by("registered_at", "pk")[:limit]
        )
        items = []
        for p in rows:
            for kind in conditions:
                if p.status != by_status[kind]:
                    continue
                since = p.decided_at if p.status == PayoutStatus.REJECTED and p.decided_at else p.registered_at
                items.append(
                    TodoItem(
                        kind=kind, heading=str(labels[kind]), machine=self.name, code=p.period,
                        label=_describe(p), link=_link(p.pk), since=since, unit=p.org_unit.name,
                    )
                )
        return items

    def raised(self, user: User, *, limit: int) -> list[TrackedItem]:
        """我发起的: the payouts the user registered, latest first."""
        rows = (
            Payout.objects.filter(payout_scope_q(user), registered_by_id=user.pk)
            .select_related("policy", "enterprise", "talent")
            .order_by("-registered_at", "-pk")[:limit]
        )
        return [
            TrackedItem(machine=self.name, code=p.period, label=_describe(p), link=_link(p.pk),
                        state=str(p.get_status_display()), at=p.decided_at or p.registered_at)
            for p in rows
        ]

    def done(self, user: User, *, limit: int) -> list[TrackedItem]:
        """已办: the payouts the user decided, latest first."""
        rows = (
            Payout.objects.filter(payout_scope_q(user), decided_by_id=user.pk, decided_at__isnull=False)
            .select_related("policy", "enterprise", "talent")
            .order_by("-decided_at", "-pk")[:limit]
        )
        out = []
        for p in rows:
            found = PAYOUT_TABLE.get("approve" if p.status == PayoutStatus.APPROVED else "reject")
            out.append(
                TrackedItem(machine=self.name, code=p.period, label=_describe(p), link=_link(p.pk),
                            state=str(p.get_status_display()), at=p.decided_at or p.registered_at,
                            what=str(found.label) if found else "")
            )
        return out
