"""The escalation scan (DESIGN 3.5): issue each due notice of the ladder exactly once.

One pass (``scan_pass``) looks only at open matters whose ``next_check_at`` has come or is
not set yet (a matter written without the services) — every transition sets it to the moment
of the transition, and the pass stores the next instant the ladder can change
(``zhaoyin.lib.escalation.next_change_at``; ``NEVER`` when nothing more can change) — so its
cost follows the matters that change, not all matters. For each, in chunks
with the rows locked (other passes skip them):

1. evaluate the ladder on the working-day calendar with the settings' thresholds
   (``ZHAOYIN_MATTERS`` ``APPROACHING_WORKDAYS`` / ``SUPERVISE_AFTER_WORKDAYS``) and collect
   the notices due: ``remind`` (the light is blue), ``urge`` (催办), ``supervise`` (督办),
   and ``listed`` (挂牌督办) for a matter a leader has listed;
2. insert them as ``MatterNotice`` rows with ON CONFLICT DO NOTHING semantics: the unique
   constraint on (matter, kind, clock, deadline) is what makes each notice exist once, however
   often or however concurrently passes run. Each row carries its pass's token, so only the
   pass whose insert won notifies and audits it;
3. notify the people in charge (``notice_recipients``), each only if they may see the matter;
4. store the next check instant.

When the calendar or the thresholds change, every open matter is looked at once again (the
stored instants were computed with the old ones). A pass run with ``now`` in the future
(``zhaoyin scan --now``) leaves the matters due for the next real-time pass, so trying a
future date never delays real notices.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.audit.services import AuditEntry, audit_write_many
from zhaoyin.core.bulk import insert_values, update_column
from zhaoyin.core.roles import Role
from zhaoyin.lib.escalation import (
    ClockKind,
    Light,
    OpenClock,
    Thresholds,
    evaluate,
    local_date,
    next_change_at,
)
from zhaoyin.lib.workdays import CalendarRangeError, WorkCalendar
from zhaoyin.matters import clocks
from zhaoyin.matters.flow import State
from zhaoyin.matters.models import OPEN_STATE_CODES, EscalationScanState, Matter, MatterNotice, NoticeKind
from zhaoyin.matters.selectors import relations
from zhaoyin.notifications.services import NewNotification, notify_many
from zhaoyin.workcalendar.selectors import calendar_token, current_calendar

logger = logging.getLogger("zhaoyin.matters.scan")

T = TypeVar("T")

#: Matters locked and handled per transaction.
CHUNK = 500
#: ``next_check_at`` of a matter whose ladder cannot change any more (until a transition);
#: NULL means "not scheduled yet: look at it". Far enough, and still displayable in any zone.
NEVER: Final = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)
#: Who is told, beyond the lead unit's people in charge, per kind of notice.
_CITY_ROLES_BY_KIND: dict[str, frozenset[str]] = {
    NoticeKind.REMIND.value: frozenset(),
    NoticeKind.URGE.value: frozenset(),
    NoticeKind.SUPERVISE.value: frozenset({Role.SUPERVISOR.value}),
    NoticeKind.LISTED.value: frozenset({Role.SUPERVISOR.value, Role.LEADER.value}),
}
_IN_CHARGE = frozenset({Role.UNIT_ADMIN.value, Role.STAFF.value})
NOTICE_COLUMNS = (
    "matter_id", "kind", "clock", "deadline", "due_on", "issued_at", "lead_unit_id", "recipients", "scan_token",
)
NOTICE_KEY = ("matter", "kind", "clock", "deadline")


def thresholds() -> Thresholds:
    """The ladder's thresholds from the settings (``ZHAOYIN_MATTERS``, defaults in clocks)."""
    values = clocks.matter_settings()
    return Thresholds(
        approaching_workdays=int(values["APPROACHING_WORKDAYS"]),
        supervise_workdays=int(values["SUPERVISE_AFTER_WORKDAYS"]),
    )


def open_clock(matter: Matter) -> OpenClock | None:
    """The clock the matter runs in its state: sign-for while assigned, handling while accepted."""
    if matter.state == State.ASSIGNED.value and matter.sign_deadline is not None:
        return OpenClock(ClockKind.SIGN_FOR, matter.sign_deadline)
    if matter.state == State.ACCEPTED.value and matter.handle_deadline is not None:
        return OpenClock(ClockKind.HANDLING, matter.handle_deadline)
    return None


@dataclass(frozen=True)
class DueNotice:
    """A notice the ladder says is due on a matter (its identity is its key)."""

    kind: str
    clock: str
    deadline: dt.date
    due_on: dt.date


def due_notices(
    matter: Matter, *, now: dt.datetime, calendar: WorkCalendar, limits: Thresholds
) -> tuple[list[DueNotice], dt.datetime | None]:
    """The notices due on ``matter`` at ``now`` and the next instant that can change them."""
    clock = open_clock(matter)
    found: list[DueNotice] = []
    esc = evaluate(clock, now=now, calendar=calendar, listed=matter.listed, thresholds=limits)
    if clock is not None and esc.light == Light.APPROACHING:
        found.append(DueNotice(NoticeKind.REMIND.value, clock.kind.value, clock.deadline, esc.today))
    for notice in esc.notices:
        found.append(DueNotice(notice.kind.value, notice.clock.value, notice.deadline, notice.due_on))
    if matter.listed:
        listed_on = local_date(matter.listed_at or now)
        found.append(DueNotice(NoticeKind.LISTED.value, "", listed_on, listed_on))
    return found, next_change_at(clock, now=now, calendar=calendar, thresholds=limits)


@dataclass
class ScanResult:
    """What one pass did."""

    examined: int = 0  # matters looked at
    changed: int = 0  # matters that got at least one new notice
    notices: Counter[str] = field(default_factory=Counter)  # new notices by kind
    notifications: int = 0
    recomputed_all: bool = False  # the calendar or the thresholds changed: every open matter looked at

    def summary(self) -> str:
        kinds = ", ".join(f"{k} {self.notices[k]}" for k in NoticeKind.values if self.notices[k]) or "none"
        return (
            f"examined {self.examined} matters, {self.changed} with new notices ({kinds}), "
            f"{self.notifications} notifications"
        )


def due_q(now: dt.datetime) -> Q:
    """Open matters whose next check has come or was never computed (the partial index)."""
    return Q(state__in=OPEN_STATE_CODES) & (Q(next_check_at__lte=now) | Q(next_check_at__isnull=True))


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _basis(limits: Thresholds) -> str:
    return f"{calendar_token()}|{limits.approaching_workdays}|{limits.supervise_workdays}"


def _check_basis(limits: Thresholds, due_at: dt.datetime, now: dt.datetime) -> bool:
    """Make every open matter due when the calendar or the thresholds changed since the
    stored instants were computed; True when it did."""
    basis = _basis(limits)
    with transaction.atomic():
        state, _created = EscalationScanState.objects.select_for_update().get_or_create(id=1)
        if state.basis == basis:
            return False
        Matter.objects.filter(state__in=OPEN_STATE_CODES).update(next_check_at=due_at)
        state.basis, state.last_pass_at = basis, now
        state.save(update_fields=["basis", "last_pass_at"])
    return True


def matter_link(pk: int) -> str:
    """The matter's page (scoped again there)."""
    try:
        return reverse("matters:detail", kwargs={"pk": pk})
    except NoReverseMatch:
        return f"/matters/{pk}/"


class Recipients:
    """Looks up the people to tell, once per chunk for units and once per pass city-wide."""

    def __init__(self) -> None:
        self._city: list[User] | None = None

    def city(self) -> list[User]:
        if self._city is None:
            codes = {c for roles in _CITY_ROLES_BY_KIND.values() for c in roles}
            self._city = list(
                User.objects.filter(is_active=True, admin_role="", role_assignments__role__in=codes)
                .distinct()
                .select_related("org_unit")
                .prefetch_related("role_assignments")
                .order_by("pk")
            )
        return self._city

    @staticmethod
    def units(unit_ids: Iterable[int]) -> dict[int, list[User]]:
        ids = sorted(set(unit_ids))
        out: dict[int, list[User]] = defaultdict(list)
        if not ids:
            return out
        users = (
            User.objects.filter(
                is_active=True, admin_role="", org_unit_id__in=ids, role_assignments__role__in=_IN_CHARGE
            )
            .distinct()
            .select_related("org_unit")
            .prefetch_related("role_assignments")
            .order_by("pk")
        )
        for user in users:
            assert user.org_unit_id is not None
            out[user.org_unit_id].append(user)
        return out


def notice_recipients(
    matter: Matter, kind: str, in_lead_unit: Sequence[User], city_users: Sequence[User]
) -> list[User]:
    """Who is told of a notice: the lead unit's people in charge (unit admin, staff); for
    督办 also the supervision office; for 挂牌督办 also the leaders — and of those only the
    ones who may see the matter (``relations`` is not empty exactly when the matter is in the
    user's scope; a unit user's relation is through the lead unit, the dispatcher or a co-unit)."""
    city_roles = _CITY_ROLES_BY_KIND[kind]
    candidates = list(in_lead_unit) + [u for u in city_users if u.has_role(*city_roles)]
    seen: set[int] = set()
    out: list[User] = []
    for user in candidates:
        if user.pk in seen or user.admin_role or not user.is_active:
            continue
        seen.add(user.pk)
        if relations(user, matter, co_units=[]):
            out.append(user)
    return out


def _texts(kind: str, clock: str, deadline: dt.date, matter: Matter) -> tuple[str, str]:
    """Title and text of the notification of a notice (in the site language)."""
    params: dict[str, Any] = {
        "code": matter.code,
        "title": matter.title,
        "deadline": deadline.isoformat(),
        "unit": matter.lead_unit.name if matter.lead_unit else "",
    }
    clock_names = {ClockKind.SIGN_FOR.value: _("sign-for"), ClockKind.HANDLING.value: _("handling")}
    params["clock"] = clock_names.get(clock, "")
    if kind == NoticeKind.REMIND:
        title = _("Deadline approaching: %(code)s %(title)s") % params
        body = _("The %(clock)s deadline of matter %(code)s is %(deadline)s (%(unit)s).") % params
    elif kind == NoticeKind.URGE:
        title = _("Urging notice: %(code)s %(title)s") % params
        body = (
            _("The %(clock)s deadline %(deadline)s of matter %(code)s has passed; %(unit)s is urged to act.")
            % params
        )
    elif kind == NoticeKind.SUPERVISE:
        title = _("Supervision notice: %(code)s %(title)s") % params
        body = (
            _("Matter %(code)s is overdue since %(deadline)s (%(clock)s deadline) and is now under supervision.")
            % params
        )
    else:
        title = _("Listed for supervision: %(code)s %(title)s") % params
        body = _("A city leader has listed matter %(code)s for supervision (lead unit: %(unit)s).") % params
    return title, body


def _issue(
    rows: list[Matter], *, now: dt.datetime, wall: dt.datetime, token: str, calendar: WorkCalendar,
    limits: Thresholds, recipients: Recipients, result: ScanResult,
) -> None:
    """Evaluate, insert, notify and reschedule one locked chunk (inside its transaction)."""
    wanted: list[list[Any]] = []
    next_at: list[tuple[dt.datetime | None, int]] = []
    in_charge = recipients.units(m.lead_unit_id for m in rows if m.lead_unit_id is not None)
    people_of: dict[tuple[int, str], list[User]] = {}
    for matter in rows:
        try:
            due, nxt = due_notices(matter, now=now, calendar=calendar, limits=limits)
        except CalendarRangeError:
            # A deadline beyond the calendar's years: look again tomorrow (the calendar grows).
            logger.warning("matter %s: deadline outside the working-day calendar", matter.pk)
            due, nxt = [], now + dt.timedelta(days=1)
        for d in due:
            people = notice_recipients(matter, d.kind, in_charge.get(matter.lead_unit_id or 0, []), recipients.city())
            people_of[(matter.pk, d.kind)] = people
            wanted.append(
                [matter.pk, d.kind, d.clock, d.deadline, d.due_on, wall, matter.lead_unit_id,
                 [u.get_username() for u in people], token]
            )
        # A pass in the future must not push real-time checks past today's real changes.
        next_at.append((wall if now > wall else nxt or NEVER, matter.pk))
    if wanted:
        # ON CONFLICT DO NOTHING on the notice's key: a notice another pass (or an earlier one)
        # issued is skipped, and only the rows inserted here carry this pass's token.
        insert_values(MatterNotice, NOTICE_COLUMNS, wanted, ignore_conflicts_on=NOTICE_KEY)
        by_pk = {m.pk: m for m in rows}
        mine = list(
            MatterNotice.objects.filter(scan_token=token, matter_id__in=list(by_pk))
            .order_by("matter_id", "id")
            .values_list("matter_id", "kind", "clock", "deadline", "due_on", "recipients")
        )
        items: list[NewNotification] = []
        audits: list[AuditEntry] = []
        for matter_id, kind, clock, deadline, due_on, names in mine:
            matter = by_pk[matter_id]
            title, body = _texts(kind, clock, deadline, matter)
            link = matter_link(matter.pk)
            items.extend(
                NewNotification(
                    recipient=user, kind=f"matter.{kind}", title=title, body=body,
                    link=link, object_type="matters.matter", object_id=str(matter.pk),
                )
                for user in people_of[(matter.pk, kind)]
            )
            audits.append(
                {
                    "action": f"matter.notice_{kind}",
                    "obj": matter,
                    "after": {"kind": kind, "clock": clock, "deadline": deadline, "due_on": due_on,
                              "recipients": names},
                }
            )
            result.notices[kind] += 1
        # Issued (and delivered) now, whatever instant the ladder was judged at.
        notify_many(items=items, now=wall)
        audit_write_many(user=None, entries=audits)
        result.notifications += len(items)
        result.changed += len({row[0] for row in mine})
    update_column(Matter, "next_check_at", next_at)


def scan_pass(now: dt.datetime | None = None, *, chunk: int = CHUNK) -> ScanResult:
    """One pass of the escalation ladder at ``now`` (default: the current time); see the
    module docstring. Safe to run twice or concurrently: each notice is issued once."""
    wall = timezone.now()
    now = now or wall
    if timezone.is_naive(now):
        raise ValueError("now must be an aware datetime")
    limits = thresholds()
    result = ScanResult()
    result.recomputed_all = _check_basis(limits, min(now, wall), now)
    calendar = current_calendar()
    token = secrets.token_hex(16)
    recipients = Recipients()
    # The due set, read once through the partial index: proportional to what is due.
    due_ids = sorted(Matter.objects.filter(due_q(now)).order_by().values_list("pk", flat=True))
    with translation.override(settings.LANGUAGE_CODE):
        for ids in _chunks(due_ids, chunk):
            with transaction.atomic():
                rows = list(
                    Matter.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(due_q(now), pk__in=list(ids))
                    .select_related("lead_unit", "dispatcher_unit")
                    .order_by("pk")
                )
                result.examined += len(rows)
                if rows:
                    _issue(rows, now=now, wall=wall, token=token, calendar=calendar, limits=limits,
                           recipients=recipients, result=result)
    EscalationScanState.objects.filter(id=1).update(last_pass_at=now)
    return result


def run_scan_job() -> None:
    """The worker's periodic job."""
    result = scan_pass()
    if result.examined:
        logger.info("escalation scan: %s", result.summary())


def notices_for(matter: Matter) -> list[MatterNotice]:
    """The notices issued on a matter already fetched through a selector, oldest first
    (``GET /api/v1/matters/{id}/notices``)."""
    return list(
        MatterNotice.objects.filter(matter=matter).select_related("lead_unit", "issued_by").order_by("issued_at", "id")
    )


def notice_texts(kind: str, clock: str, deadline: dt.date, matter: Matter) -> tuple[str, str]:
    """Title and text of a notice's notification (a 催办 / 督办 by hand reads as the ladder's)."""
    return _texts(kind, clock, deadline, matter)
