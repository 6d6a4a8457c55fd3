"""Who is told of a matter's hand-offs, and what (zhaoyin.notifications.handoff).

The table's rows name actors (``flow.Relation``); this module turns each into people:

- ``lead_unit`` / ``co_unit``: the people in charge (unit administrators and staff) of the lead
  unit / of each co-unit — the unit itself, as the escalation scan tells them;
- ``dispatcher``: the dispatching unit's people who dispatch (the supervision office, a city
  administrator, or a unit's administrators and staff); a matter without a dispatching unit
  falls to the supervision office;
- ``requester``: the account that raised the matter (and a linked talent's portal account).

Each is kept only if ``relations`` finds them related to the matter (it is empty exactly when
the matter is out of their scope). ``issued`` records that a notice handing over a clock that
already runs inside the reminder window stands for the scan's "deadline approaching" reminder
(``MatterNotice`` ``remind`` for that clock and deadline), so the unit is not told twice.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.audit.services import audit_write_many
from zhaoyin.core.bulk import insert_values
from zhaoyin.core.roles import UNIT_ROLES, Role
from zhaoyin.core.transitions import Transition
from zhaoyin.lib.workdays import CalendarRangeError
from zhaoyin.matters.flow import ACTION_LABELS, Action, Relation
from zhaoyin.matters.models import Matter, MatterNotice, NoticeKind
from zhaoyin.notifications.handoff import Notice
from zhaoyin.workcalendar.selectors import current_calendar

#: The roles that hold a unit's relation to a matter (its people in charge).
IN_CHARGE = frozenset(r.value for r in UNIT_ROLES)
#: The roles that may dispatch from a unit (besides its people in charge).
DISPATCHING = IN_CHARGE | {Role.CITY_ADMIN.value, Role.SUPERVISOR.value}

def _texts(action: str) -> tuple[str, str]:
    """Title and text of the hand-off of ``action`` (``%(code)s`` … filled from the matter)."""
    texts = {
        Action.ASSIGN: (_("To sign for: %(code)s %(title)s"), _(
            "Matter %(code)s was assigned to %(unit)s (lead unit); sign for it by %(sign)s, handle it by %(handle)s."
        )),
        Action.REASSIGN: (_("To sign for: %(code)s %(title)s"), _(
            "Matter %(code)s was reassigned to %(unit)s (lead unit); sign for it by %(sign)s, handle it by "
            "%(handle)s."
        )),
        Action.RETURN: (_("Returned, to assign again: %(code)s %(title)s"), _(
            "%(unit)s returned matter %(code)s as not its own; assign it again or cancel it."
        )),
        Action.REQUEST_EXTENSION: (_("Extension to answer: %(code)s %(title)s"), _(
            "%(unit)s asks for a later handling deadline for matter %(code)s (now %(handle)s); answer the request."
        )),
        Action.ANSWER_EXTENSION: (_("Extension answered: %(code)s %(title)s"), _(
            "The extension request for matter %(code)s has been answered; the handling deadline is %(handle)s."
        )),
        Action.REPORT: (_("To review: %(code)s %(title)s"), _(
            "%(unit)s reported matter %(code)s completed; review the report."
        )),
        Action.APPROVE: (_("To rate: %(code)s %(title)s"), _(
            "Matter %(code)s has been closed; please rate how it was handled."
        )),
        Action.REJECT: (_("Sent back for rework: %(code)s %(title)s"), _(
            "The report on matter %(code)s was sent back for rework; handle it by %(handle)s."
        )),
        Action.REOPEN: (_("Reopened for rework: %(code)s %(title)s"), _(
            "Matter %(code)s was reopened for rework; handle it by %(handle)s."
        )),
        # Issue 15.
        Action.INSTRUCT: (_("Leader's instruction: %(code)s %(title)s"), _(
            "A leader wrote an instruction on matter %(code)s; read it on the matter's timeline."
        )),
        Action.DISPUTE: (_("Dissatisfaction to verify: %(code)s %(title)s"), _(
            "Matter %(code)s was rated dissatisfied; verify the reason, then confirm it (rework) or dismiss it."
        )),
        Action.CONFIRM_DISPUTE: (_("Reopened for rework: %(code)s %(title)s"), _(
            "Matter %(code)s was reopened for rework; handle it by %(handle)s."
        )),
        Action.DISMISS_DISPUTE: (_("Dissatisfaction dismissed: %(code)s %(title)s"), _(
            "Your dissatisfaction with matter %(code)s was verified and dismissed; the reason is on the matter."
        )),
    }
    found = texts.get(Action(action))
    if found is None:  # a row given a ``notify`` without a text of its own: its label says it
        return str(ACTION_LABELS[Action(action)]) + " %(code)s %(title)s", ""
    return found


def _people(q: Q) -> list[User]:
    return list(
        User.objects.filter(q, is_active=True, admin_role="")
        .distinct()
        .select_related("org_unit")
        .prefetch_related("role_assignments")
        .order_by("pk")
    )


class MatterResolver:
    """The matters' ``HandoffResolver`` (registered in ``MattersConfig.ready``)."""

    actors = frozenset(r.value for r in Relation)

    def load(self, pk: int) -> Matter | None:
        """The matter with its units, requester and co-units (``relations`` reads them)."""
        matter = (
            Matter.objects.filter(pk=pk)
            .select_related("lead_unit", "dispatcher_unit", "requester", "talent__account")
            .prefetch_related("co_units")
            .first()
        )
        return matter

    def recipients(self, obj: Any, actor: str) -> Iterable[User]:
        """The people holding ``actor`` for the matter (see the module docstring)."""
        matter: Matter = obj
        if actor == Relation.LEAD_UNIT:
            if matter.lead_unit_id is None:
                return []
            return _people(Q(org_unit_id=matter.lead_unit_id, role_assignments__role__in=IN_CHARGE))
        if actor == Relation.CO_UNIT:
            ids = [u.pk for u in matter.co_units.all()]
            return _people(Q(org_unit_id__in=ids, role_assignments__role__in=IN_CHARGE)) if ids else []
        if actor == Relation.DISPATCHER:
            if matter.dispatcher_unit_id is None:
                return _people(Q(role_assignments__role=Role.SUPERVISOR.value))
            people = _people(Q(org_unit_id=matter.dispatcher_unit_id, role_assignments__role__in=DISPATCHING))
            return [u for u in people if Relation.DISPATCHER in self._relations(u, matter)]
        if actor == Relation.REQUESTER:
            people = [matter.requester] if matter.requester is not None else []
            # A demand raised for a talent: the talent's portal account is told too.
            account = matter.talent.account if matter.talent is not None else None
            if account is not None and account not in people:
                people.append(account)
            return people
        return []  # a leader is told by the escalation scan (挂牌督办), not by a hand-off

    @staticmethod
    def _relations(user: User, matter: Matter) -> frozenset[Relation]:
        from zhaoyin.matters.selectors import relations

        return relations(user, matter, co_units=list(matter.co_units.all()))

    def may_see(self, user: User, obj: Any) -> bool:
        """``relations`` is empty exactly when the matter is out of the user's scope."""
        return bool(self._relations(user, obj))

    def notice(self, obj: Any, row: Transition[Any, Any], source: str) -> Notice:
        from zhaoyin.matters.scan import matter_link

        matter: Matter = obj
        title, body = _texts(str(row.action))
        params = {
            "code": matter.code,
            "title": matter.title,
            "unit": matter.lead_unit.name if matter.lead_unit else "",
            "sign": matter.sign_deadline.isoformat() if matter.sign_deadline else "—",
            "handle": matter.handle_deadline.isoformat() if matter.handle_deadline else "—",
        }
        return Notice(
            title=(title % params)[:200], body=body % params, link=matter_link(matter.pk),
            object_type="matters.matter", object_id=str(matter.pk),
        )

    def issued(self, obj: Any, row: Transition[Any, Any], people: Sequence[User]) -> None:
        """Mark the scan's reminder of the clock this step starts as issued when it is due
        already (a one-working-day sign-for clock is "approaching" from the start): the
        hand-off notice names the deadline, so the scan must not remind of it minutes later."""
        from zhaoyin.matters.scan import NOTICE_COLUMNS, NOTICE_KEY, due_notices, thresholds

        matter: Matter = obj
        told = [u for u in people if u.org_unit_id == matter.lead_unit_id]
        if not told or Relation.LEAD_UNIT not in (row.notify or ()):
            return
        now = timezone.now()
        try:
            due, _next = due_notices(matter, now=now, calendar=current_calendar(), limits=thresholds())
        except CalendarRangeError:
            return
        reminders = [d for d in due if d.kind == NoticeKind.REMIND.value]
        if not reminders:
            return
        token = secrets.token_hex(16)
        names = [u.get_username() for u in told]
        insert_values(
            MatterNotice,
            NOTICE_COLUMNS,
            [[matter.pk, d.kind, d.clock, d.deadline, d.due_on, now, matter.lead_unit_id, names, token]
             for d in reminders],
            ignore_conflicts_on=NOTICE_KEY,
        )
        mine = list(MatterNotice.objects.filter(scan_token=token, matter_id=matter.pk))
        audit_write_many(
            user=None,
            entries=[
                {
                    "action": f"matter.notice_{n.kind}",
                    "obj": matter,
                    "after": {"kind": n.kind, "clock": n.clock, "deadline": n.deadline, "due_on": n.due_on,
                              "recipients": names, "with": f"matter.{row.action}"},
                }
                for n in mine
            ],
        )
