"""The payout ledger's hand-off notices and its part of 我的待办, from its two tables: an
enterprise's entry follows ``payouts.PAYOUT_TABLE``, a talent's ``talent_services.
TALENT_PAYOUT_TABLE`` (issue 13). One to-do provider lists both (one count query).

Who holds an actor of the enterprise machine (the same rule as ``payouts.may_take``):

- ``approver``: city administrators, and unit administrators whose unit is the enterprise's
  or above it — less the person who registered the entry (四眼原则: they may not decide it);
- ``registrar``: for a notice, the person who registered the entry (a rejection goes back to
  them); for the to-do list, every registrar whose scope covers the enterprise (a unit's
  administrators and staff share their rejected entries).

The notice of a registration (``payouts.ENTRY``: it enters ``pending``) tells the approvers too.

A talent's entry (``TalentPayoutResolver``; the same rule as ``talent_services.may_take``):

- ``approver``: city administrators, the talent office, and unit administrators whose unit is
  the talent's org unit or station or above it — less the registrant while the entry waits for
  approval (四眼原则); they approve (待审批), start the 公示 (待公示) and pay once it has ended
  (待拨付; told by the job ``payouts-publicity-over``, ``notify_publicity_over``);
- ``registrar``: for a notice, the person who registered or submitted the entry; for the to-do
  list, every registrar whose talent scope covers the talent — due entries whose period has
  begun (待提交) and rejected ones (待重报);
- ``talent``: the talent's portal account, told when the subsidy is paid or stopped (the
  notice opens 我的补贴).

The resolvers, the provider and the job are registered in ``PayoutsConfig.ready``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import CharField, Count, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.core.roles import Role
from zhaoyin.core.todo import TodoItem, TrackedItem
from zhaoyin.core.transitions import Transition, TransitionTable
from zhaoyin.notifications import handoff
from zhaoyin.notifications.handoff import Notice
from zhaoyin.notifications.models import Notification
from zhaoyin.payouts import approvers
from zhaoyin.payouts import talent_services as talent_flow
from zhaoyin.payouts.models import OBJECT_TYPE, Payout, PayoutStatus
from zhaoyin.payouts.periods import begun_q
from zhaoyin.payouts.selectors import payout_scope_q
from zhaoyin.payouts.services import (
    APPROVER,
    BENEFICIARY,
    CASH_ENTRY,
    FOUR_EYES,
    PAYER,
    PAYOUT_TABLE,
    PUBLICITY_ENDED,
    PUBLICITY_OVER,
    REGISTRAR,
    REGISTRAR_ROLES,
    PayoutAction,
)


def _link(pk: int) -> str:
    return reverse("payouts:detail", kwargs={"pk": pk})


def _describe(p: Payout) -> str:
    return f"{p.policy.title} · {p.beneficiary_name}"


class PayoutResolver:
    """The payout ledger's ``HandoffResolver`` (an enterprise's entry, issue 15): the approvers
    are the reviewing unit's administrators, the payers the paying unit's administrators and
    staff (``payouts.approvers``), the beneficiary the enterprise's portal users."""

    actors = frozenset({APPROVER, REGISTRAR, PAYER, BENEFICIARY})

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
        base = User.objects.filter(is_active=True, admin_role="")
        if actor == APPROVER:
            people = base.filter(
                role_assignments__role__in=approvers.REVIEWER_ROLES, org_unit_id=payout.review_unit_id or 0
            ).exclude(pk__in=[payout.registered_by_id or 0, payout.first_approved_by_id or 0])  # 四眼原则
        elif actor == PAYER:
            unit = payout.payment_unit_id or getattr(approvers.finance_unit(), "pk", 0)
            people = base.filter(role_assignments__role__in=approvers.PAYER_ROLES, org_unit_id=unit).exclude(
                pk=payout.registered_by_id or 0
            )
        elif actor == BENEFICIARY and payout.enterprise_id is not None:
            people = base.filter(role_assignments__role=Role.ENTERPRISE.value, enterprise_id=payout.enterprise_id)
        else:
            return []
        return list(
            people.distinct().select_related("org_unit").prefetch_related("role_assignments").order_by("pk")
        )

    def may_see(self, user: User, obj: Any) -> bool:
        """Whoever may read the entry in the ledger (``payout_scope_q``)."""
        payout: Payout = obj
        return Payout.objects.filter(payout_scope_q(user), pk=payout.pk).exists()

    def notice(self, obj: Any, row: Transition[Any, Any], source: str) -> Notice:
        payout: Payout = obj
        params = {"what": _describe(payout), "period": payout.period, "amount": payout.amount_wan,
                  "policy": payout.policy.title, "reason": payout.decision_note,
                  "end": payout.publicity_ends.isoformat() if payout.publicity_ends else ""}
        action = str(row.action)
        if action == PayoutAction.REJECT:
            title = _("Payout rejected, to resubmit: %(what)s") % params
            body = _(
                "The payout %(what)s for %(period)s (%(amount)s 10k yuan) was rejected: %(reason)s"
            ) % params
        elif action == "match":
            title = _("A benefit for you to confirm: %(policy)s") % params
            body = _(
                "Your enterprise qualifies for %(policy)s for %(period)s (%(amount)s 10k yuan) without applying: "
                "confirm that you accept it."
            ) % params
        elif action == PUBLICITY_OVER:
            title = _("Payout to pay: %(what)s") % params
            body = _(
                "The public notice of the payout %(what)s for %(period)s (%(amount)s 10k yuan) ended on %(end)s: "
                "record the payment."
            ) % params
        elif action == PayoutAction.PAY:
            title = _("Payout paid, to confirm receipt: %(policy)s, %(period)s") % params
            body = _(
                "The payout %(policy)s for %(period)s (%(amount)s 10k yuan) has been paid: confirm when it has "
                "arrived."
            ) % params
        elif action in (PayoutAction.REVOKE, PayoutAction.DECLINE):
            title = _("Payout revoked: %(what)s") % params
            body = _("The payout %(what)s for %(period)s was revoked: %(reason)s") % params
        else:  # registered, confirmed or resubmitted: waiting for approval
            title = _("Payout to approve: %(what)s") % params
            body = _("A payout %(what)s for %(period)s (%(amount)s 10k yuan) waits for approval.") % params
        return Notice(title=title[:200], body=body, link=_link(payout.pk), object_type=OBJECT_TYPE,
                      object_id=str(payout.pk))

    def issued(self, obj: Any, row: Transition[Any, Any], people: Sequence[User]) -> None:
        """Nothing else to record: the ledger has no escalation notices."""


class TalentPayoutResolver:
    """The talent payout machine's ``HandoffResolver`` (``talent_services.TALENT_PAYOUT_TABLE``)."""

    actors = frozenset({talent_flow.APPROVER, talent_flow.REGISTRAR, talent_flow.TALENT})

    def load(self, pk: int) -> Payout | None:
        return (
            Payout.objects.filter(pk=pk, talent__isnull=False)
            .select_related("policy", "talent__org_unit", "talent__station", "registered_by__org_unit")
            .first()
        )

    def recipients(self, obj: Any, actor: str) -> Iterable[User]:
        payout: Payout = obj
        talent = payout.talent
        assert talent is not None  # load() reads talents' entries only
        base = User.objects.filter(is_active=True, admin_role="").select_related("org_unit")
        if actor == talent_flow.REGISTRAR:
            return [payout.registered_by] if payout.registered_by is not None else []
        if actor == talent_flow.TALENT:
            return list(base.filter(pk=talent.account_id)) if talent.account_id is not None else []
        if actor == talent_flow.APPROVER:
            paths = [talent.org_unit.path] + ([talent.station.path] if talent.station is not None else [])
            above = {int(part) for path in paths for part in path.strip("/").split("/") if part}
            people = base.filter(
                Q(role_assignments__role__in=[Role.CITY_ADMIN.value, Role.TALENT_OFFICE.value])
                | Q(role_assignments__role=Role.UNIT_ADMIN.value, org_unit_id__in=above)
            )
            if payout.status == PayoutStatus.PENDING:
                people = people.exclude(pk=payout.registered_by_id or 0)  # 四眼原则: not the registrant
            return list(people.distinct().prefetch_related("role_assignments").order_by("pk"))
        return []

    def may_see(self, user: User, obj: Any) -> bool:
        """The ledger's readers in whose talent scope the talent is; the talent, their own entry
        in the portal's states."""
        payout: Payout = obj
        # Asked one after the other: Q() | x would narrow "everything" to x.
        return any(
            Payout.objects.filter(scope, pk=payout.pk).exists()
            for scope in (payout_scope_q(user), payout_scope_q(user, portal=True))
        )

    def notice(self, obj: Any, row: Transition[Any, Any], source: str) -> Notice:
        payout: Payout = obj
        params = {
            "what": _describe(payout), "policy": payout.policy.title, "period": payout.period,
            "amount": payout.amount_wan, "reason": payout.decision_note,
            "end": payout.publicity_ends.isoformat() if payout.publicity_ends else "",
        }
        link = _link(payout.pk)
        action = str(row.action)
        if action == talent_flow.TalentPayoutAction.REJECT:
            title = _("Subsidy rejected, to resubmit: %(what)s") % params
            body = _("The subsidy %(what)s for %(period)s (%(amount)s 10k yuan) was rejected: %(reason)s") % params
        elif action == talent_flow.TalentPayoutAction.APPROVE:
            title = _("Subsidy to publicize: %(what)s") % params
            body = _(
                "The subsidy %(what)s for %(period)s (%(amount)s 10k yuan) was approved: start its public notice."
            ) % params
        elif action == talent_flow.PUBLICITY_OVER:
            title = _("Subsidy to pay: %(what)s") % params
            body = _(
                "The public notice of the subsidy %(what)s for %(period)s (%(amount)s 10k yuan) ended on %(end)s: "
                "record the payment."
            ) % params
        elif action == talent_flow.TalentPayoutAction.PAY:
            title = _("Subsidy paid: %(policy)s, %(period)s") % params
            body = _("Your subsidy %(policy)s for %(period)s (%(amount)s 10k yuan) has been paid.") % params
            link = _portal_link(payout.pk)
        elif action == talent_flow.TalentPayoutAction.STOP:
            title = _("Subsidy stopped: %(policy)s, %(period)s") % params
            body = _("Your subsidy %(policy)s for %(period)s was stopped: %(reason)s") % params
            link = _portal_link(payout.pk)
        else:  # registered, submitted or resubmitted: waiting for approval
            title = _("Subsidy to approve: %(what)s") % params
            body = _("The subsidy %(what)s for %(period)s (%(amount)s 10k yuan) waits for approval.") % params
        return Notice(title=title[:200], body=body, link=link, object_type=OBJECT_TYPE, object_id=str(payout.pk))

    def issued(self, obj: Any, row: Transition[Any, Any], people: Sequence[User]) -> None:
        """Nothing else to record: the job finds its notices already sent by their kind."""


def _portal_link(pk: int) -> str:
    return reverse("payouts:mine") + f"#payout-{pk}"


#: The kind of the notice ``notify_publicity_over`` writes (``<table>.<action>``, as ``deliver``).
PUBLICITY_OVER_KIND = f"{talent_flow.TALENT_PAYOUT_TABLE.name}.{talent_flow.PUBLICITY_ENDED.action}"
ENTERPRISE_PUBLICITY_OVER_KIND = f"{PAYOUT_TABLE.name}.{PUBLICITY_ENDED.action}"
#: The periodic job's name (``zhaoyin worker``).
PUBLICITY_JOB = "payouts-publicity-over"


def notify_publicity_over(*, today: dt.date | None = None) -> int:
    """Tell the payers of every talent entry whose 公示 has ended (its last day before
    ``today``) and that is not paid yet — once per entry: an entry already told (a notice of this
    kind about it) is skipped. Returns how many entries were told. No transaction is held while
    the notices are written (each entry's are written in ``handoff.deliver``'s own)."""
    day = today or timezone.localdate()
    told = Notification.objects.filter(
        kind=PUBLICITY_OVER_KIND, object_type=OBJECT_TYPE, object_id=Cast(OuterRef("pk"), output_field=CharField())
    )
    ids = list(
        Payout.objects.filter(talent__isnull=False, status=PayoutStatus.PUBLICIZED, publicity_ends__lt=day)
        .filter(~Exists(told))
        .order_by("publicity_ends", "pk")
        .values_list("pk", flat=True)
    )
    done = 0
    for pk in ids:
        if handoff.deliver(talent_flow.TALENT_PAYOUT_TABLE.name, talent_flow.PUBLICITY_ENDED, pk,
                           PayoutStatus.PUBLICIZED.value, None):
            done += 1
    # An enterprise's entries (issue 15): the paying unit (财政) is told, once per entry.
    told_enterprise = Notification.objects.filter(
        kind=ENTERPRISE_PUBLICITY_OVER_KIND, object_type=OBJECT_TYPE,
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
    )
    ids = list(
        Payout.objects.filter(talent__isnull=True, status=PayoutStatus.PUBLICIZED, publicity_ends__lt=day)
        .filter(~Exists(told_enterprise))
        .order_by("publicity_ends", "pk")
        .values_list("pk", flat=True)
    )
    for pk in ids:
        if handoff.deliver(PAYOUT_TABLE.name, PUBLICITY_ENDED, pk, PayoutStatus.PUBLICIZED.value, None):
            done += 1
    return done


def notify_publicity_over_job() -> int:
    """The periodic job's entry point."""
    return notify_publicity_over()


# ---- 我的待办 ---------------------------------------------------------------------------------------

#: Which entries each table's waits are about.
ENTERPRISE_ENTRIES, TALENT_ENTRIES = Q(talent__isnull=True), Q(talent__isnull=False)


def actor_q(user: User, actor: str) -> Q | None:
    """The enterprises' payouts for which ``user`` holds ``actor`` (``services.holds``' rule as
    a condition); None: none."""
    if not user.is_authenticated or user.admin_role:
        return None
    if actor == APPROVER and user.has_role(*approvers.REVIEWER_ROLES) and user.org_unit_id is not None:
        return (
            ENTERPRISE_ENTRIES & Q(review_unit_id=user.org_unit_id)
            & ~Q(registered_by_id=user.pk) & ~Q(first_approved_by_id=user.pk)
        )
    if actor == PAYER and user.has_role(*approvers.PAYER_ROLES) and user.org_unit_id is not None:
        q = Q(payment_unit_id=user.org_unit_id)
        if approvers.is_finance(user.org_unit):
            q |= Q(payment_unit__isnull=True)
        return ENTERPRISE_ENTRIES & q & ~Q(registered_by_id=user.pk)
    if actor == BENEFICIARY and user.has_role(Role.ENTERPRISE) and user.enterprise_id is not None:
        return ENTERPRISE_ENTRIES & Q(enterprise_id=user.enterprise_id)
    if actor == REGISTRAR and user.has_role(*REGISTRAR_ROLES):
        return payout_scope_q(user) & ENTERPRISE_ENTRIES
    return None


def talent_actor_q(user: User, actor: str) -> Q | None:
    """The talents' entries (within the user's talent scope) for which ``user`` holds ``actor``
    (the four-eyes rule apart: ``waiting_q`` adds it where the table's rows carry it)."""
    roles = talent_flow.ACTOR_ROLES.get(actor)
    if roles is None or not user.has_role(*roles):
        return None
    return payout_scope_q(user) & TALENT_ENTRIES


def _condition(when: str, today: dt.date) -> Q:
    if when == CASH_ENTRY:
        return Q(kind="cash")
    if when == talent_flow.PERIOD_BEGUN:
        return begun_q(today)
    if when == talent_flow.PUBLICITY_OVER:
        return Q(publicity_ends__lt=today)
    return Q()


def _four_eyes(table: TransitionTable[Any, Any], state: str, actor: str) -> bool:
    """Whether the steps ``actor`` owes in ``state`` are barred to the entry's registrant."""
    return any(r.has(FOUR_EYES) and actor in r.actors for r in table.rows_from(state))


def waiting_q(user: User) -> dict[str, Q]:
    """Heading code → the payouts listed under it for ``user``, from both tables' ``waits``."""
    out: dict[str, Q] = {}
    today = timezone.localdate()

    def add(kind: str, q: Q) -> None:
        out[kind] = out[kind] | q if kind in out else q

    for status, waits in PAYOUT_TABLE.waits.items():
        for wait in waits:
            holder = actor_q(user, wait.actor)
            if holder is not None:
                add(wait.todo, Q(status=status) & holder & _condition(wait.when, today))
    for status, waits in talent_flow.TALENT_PAYOUT_TABLE.waits.items():
        for wait in waits:
            holder = talent_actor_q(user, wait.actor)
            if holder is None:
                continue
            q = Q(status=status) & holder & _condition(wait.when, today)
            if _four_eyes(talent_flow.TALENT_PAYOUT_TABLE, status, wait.actor):
                q &= ~Q(registered_by_id=user.pk)
            add(wait.todo, q)
    return out


def _labels() -> dict[str, Any]:
    return {**PAYOUT_TABLE.todo_labels, **talent_flow.TALENT_PAYOUT_TABLE.todo_labels}


#: Heading code → the status its entries are in (one per heading over both tables).
_STATUS_OF: dict[str, str] = {
    w.todo: str(s)
    for table in (PAYOUT_TABLE, talent_flow.TALENT_PAYOUT_TABLE)
    for s, waits in table.waits.items()
    for w in waits
}


def _since(p: Payout) -> dt.datetime:
    """Since when an entry waits: its decision (rejected, approved), or its registration."""
    if p.status in (PayoutStatus.REJECTED, PayoutStatus.APPROVED) and p.decided_at:
        return p.decided_at
    return p.registered_at


#: The decision that left an entry in its status (已办's label): approve for the rest.
_DECISION = {PayoutStatus.REJECTED.value: "reject", PayoutStatus.STOPPED.value: "stop"}


class PayoutTodo:
    """The payout ledger's ``TodoProvider``: 待审批 and 待重报 for both kinds of entry; for a
    talent's, 待提交 (a due entry whose period has begun), 待公示 and 待拨付 (the 公示 ended). No
    deadline runs."""

    name = "payout"

    def headings(self) -> dict[str, Any]:
        return _labels()

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
        labels = _labels()
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
                if p.status != _STATUS_OF[kind]:
                    continue
                items.append(
                    TodoItem(
                        kind=kind, heading=str(labels[kind]), machine=self.name, code=p.period,
                        label=_describe(p), link=_link(p.pk), since=_since(p), unit=p.org_unit.name,
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
            # The decision that leaves an entry where it is (a talent's may have moved on since).
            action = _DECISION.get(str(p.status), "approve")
            table: TransitionTable[Any, Any] = (
                talent_flow.TALENT_PAYOUT_TABLE if p.talent_id is not None else PAYOUT_TABLE
            )
            found = table.get(action)
            out.append(
                TrackedItem(machine=self.name, code=p.period, label=_describe(p), link=_link(p.pk),
                            state=str(p.get_status_display()), at=p.decided_at or p.registered_at,
                            what=str(found.label) if found else "")
            )
        return out
