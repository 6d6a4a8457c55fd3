"""The matters' part of 我的待办 (zhaoyin.core.todo), computed from ``flow.WAITS``.

Who holds an actor, as a filter on matters (the same people the hand-off notices go to,
zhaoyin.matters.notices):

- ``lead_unit``: the matters the user's own unit leads, for its administrators and staff;
- ``dispatcher``: the matters the user's own unit dispatched, for those of its people who
  dispatch (the supervision office, a city administrator, a unit's administrators and staff);
  the supervision office also holds the matters without a dispatching unit;
- ``requester``: the matters the user raised (a talent: also the demands linked to their record).

Each of these lies inside the user's scope (``selectors.matter_scope_q``). A wait with a
condition (``when="extension_pending"``) also needs an unanswered extension request. Four
queries: the counts, the items, 我发起的, 已办 (and the calendar's token when a clock runs).
"""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Case, Exists, ExpressionWrapper, F, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.core.roles import Role
from zhaoyin.core.todo import GREEN, RED, YELLOW, TodoItem, TrackedItem
from zhaoyin.lib import escalation
from zhaoyin.lib.workdays import CalendarRangeError
from zhaoyin.matters.choices import ExtensionState
from zhaoyin.matters.flow import ACTION_LABELS, MATTER_TABLE, STATE_LABELS, Action, Relation, State
from zhaoyin.matters.models import ExtensionRequest, Matter, MatterCoUnit, MatterEvent
from zhaoyin.matters.notices import DISPATCHING, IN_CHARGE

#: The conditions a wait may carry (``Wait.when``), as filters on ``Matter``.
CONDITIONS: dict[str, Q] = {
    "extension_pending": Q(
        Exists(ExtensionRequest.objects.filter(matter_id=OuterRef("pk"), state=ExtensionState.PENDING))
    ),
}
#: Since when a matter has waited in each state (else ``updated_at``).
_SINCE = {
    State.ASSIGNED: "assigned_at",
    State.ACCEPTED: "accepted_at",
    State.REPORTED: "reported_at",
    State.CLOSED: "closed_at",
}
_LIGHTS = {escalation.Light.OVERDUE: RED, escalation.Light.APPROACHING: YELLOW}


def actor_q(user: User, actor: str) -> Q | None:
    """The matters for which ``user`` holds ``actor`` (see the module docstring); None: none."""
    unit = user.org_unit_id
    if actor == Relation.LEAD_UNIT:
        return Q(lead_unit_id=unit) if unit is not None and user.has_role(*IN_CHARGE) else None
    if actor == Relation.CO_UNIT:
        if unit is None or not user.has_role(*IN_CHARGE):
            return None
        return Q(pk__in=MatterCoUnit.objects.filter(unit_id=unit).values("matter_id"))
    if actor == Relation.DISPATCHER:
        q: Q | None = Q(dispatcher_unit_id=unit) if unit is not None and user.has_role(*DISPATCHING) else None
        if user.has_role(Role.SUPERVISOR):
            q = Q(dispatcher_unit__isnull=True) if q is None else q | Q(dispatcher_unit__isnull=True)
        return q
    if actor == Relation.REQUESTER:
        from zhaoyin.matters.selectors import own_talent_id

        # A talent also rates the demands staff raised for them (selectors.relations).
        talent = own_talent_id(user)
        return Q(requester_id=user.pk) if talent is None else Q(requester_id=user.pk) | Q(talent_id=talent)
    return None


def waiting_q(user: User) -> dict[str, Q]:
    """Heading code → the matters listed under it for ``user``, from the table's ``waits``."""
    out: dict[str, Q] = {}
    for state, waits in MATTER_TABLE.waits.items():
        for wait in waits:
            holder = actor_q(user, wait.actor)
            if holder is None:
                continue
            q = Q(state=state.value) & holder
            if wait.when:
                q &= CONDITIONS[wait.when]
            out[wait.todo] = out[wait.todo] | q if wait.todo in out else q
    return out


def _any(conditions: dict[str, Q]) -> Q:
    q = Q(pk__in=[])
    for c in conditions.values():
        q |= c
    return q


def _light(matter: Matter, calendar: Any, limits: escalation.Thresholds, now: Any) -> str:
    from zhaoyin.matters.scan import open_clock

    clock = open_clock(matter)
    if clock is None:
        return ""
    try:
        result = escalation.evaluate(clock, now=now, calendar=calendar, thresholds=limits)
    except CalendarRangeError:
        return RED if clock.deadline < escalation.local_date(now) else GREEN
    return _LIGHTS.get(result.light, GREEN)


def _link(pk: int) -> str:
    from zhaoyin.matters.scan import matter_link

    return matter_link(pk)


class MatterTodo:
    """The matters' ``TodoProvider`` (registered in ``MattersConfig.ready``)."""

    name = "matter"

    def headings(self) -> dict[str, Any]:
        return MATTER_TABLE.todo_labels

    def counts(self, user: User) -> dict[str, int]:
        from django.db.models import Count

        conditions = waiting_q(user)
        if not conditions:
            return {}
        found = Matter.objects.filter(_any(conditions)).aggregate(
            **{kind: Count("pk", filter=q) for kind, q in conditions.items()}
        )
        return {kind: n for kind, n in found.items() if n}

    def todo(self, user: User, *, limit: int) -> list[TodoItem]:
        conditions = waiting_q(user)
        if not conditions:
            return []
        due = Case(
            When(state=State.ASSIGNED.value, then=F("sign_deadline")),
            When(state=State.ACCEPTED.value, then=F("handle_deadline")),
            default=Value(None),
        )
        flags = {f"is_{kind}": ExpressionWrapper(q, output_field=BooleanField()) for kind, q in conditions.items()}
        rows = list(
            Matter.objects.filter(_any(conditions))
            .annotate(due=due, **flags)
            .select_related("lead_unit")
            .order_by(F("due").asc(nulls_last=True), "updated_at", "pk")[:limit]
        )
        if not rows:
            return []
        from zhaoyin.matters.scan import thresholds
        from zhaoyin.workcalendar.selectors import current_calendar

        now = timezone.now()
        calendar = current_calendar() if any(r.state in (State.ASSIGNED, State.ACCEPTED) for r in rows) else None
        limits = thresholds()
        labels = MATTER_TABLE.todo_labels
        items: list[TodoItem] = []
        for m in rows:
            light = _light(m, calendar, limits, now) if calendar is not None else ""
            since = getattr(m, _SINCE.get(State(m.state), "updated_at")) or m.updated_at
            for kind in conditions:
                if getattr(m, f"is_{kind}"):
                    items.append(
                        TodoItem(
                            kind=kind, heading=str(labels[kind]), machine=self.name, code=m.code, label=m.title,
                            link=_link(m.pk), deadline=m.due, light=light, since=since,
                            unit=m.lead_unit.name if m.lead_unit else "",
                        )
                    )
        return items

    def raised(self, user: User, *, limit: int) -> list[TrackedItem]:
        """我发起的: the matters the user registered, raised or assigned, last changed first."""
        from zhaoyin.matters.selectors import matter_scope_q

        dispatched = MatterEvent.objects.filter(
            actor_id=user.pk, action__in=[Action.ASSIGN.value, Action.REASSIGN.value]
        ).values("matter_id")
        rows = (
            Matter.objects.filter(matter_scope_q(user))
            .filter(Q(created_by_id=user.pk) | Q(requester_id=user.pk) | Q(pk__in=dispatched))
            .order_by("-updated_at", "-pk")[:limit]
        )
        return [
            TrackedItem(
                machine=self.name, code=m.code, label=m.title, link=_link(m.pk),
                state=str(STATE_LABELS[State(m.state)]), at=m.updated_at,
            )
            for m in rows
        ]

    def done(self, user: User, *, limit: int) -> list[TrackedItem]:
        """已办: the user's latest steps on matters still in scope, newest first."""
        from zhaoyin.matters.selectors import matter_scope_q

        events = (
            MatterEvent.objects.filter(actor_id=user.pk, matter__in=Matter.objects.filter(matter_scope_q(user)))
            .exclude(action="recompute")
            .select_related("matter")
            .order_by("-at", "-pk")[:limit]
        )
        out = []
        for e in events:
            what = _("Registered") if e.action == "create" else str(ACTION_LABELS.get(Action(e.action), e.action))
            out.append(
                TrackedItem(
                    machine=self.name, code=e.matter.code, label=e.matter.title, link=_link(e.matter_id),
                    state=str(STATE_LABELS[State(e.matter.state)]), at=e.at, what=what,
                )
            )
        return out
