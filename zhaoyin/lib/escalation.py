"""The escalation ladder of an assigned matter (DESIGN 3.5), as pure functions.

A matter has at most one clock running at a time: the sign-for clock (``assigned``) or the
handling clock (``accepted``). A clock's deadline is a date and ends at the *close* of that
day in Asia/Shanghai, so the deadline day itself is never overdue. Given the open clock and
an instant ``now``, :func:`evaluate` says

- the light: ``approaching`` (blue) when at most ``approaching_workdays`` working days are
  left, ``overdue`` (red) from the first instant after the deadline, else ``none``; a
  listed matter (挂牌督办, set by a leader) carries ``listed`` as a separate flag;
- the notices due by now, each with the day it became due:
  ``urge`` (催办) on the first overdue working day (到期次日, the first working day after
  the deadline) and ``supervise`` (督办) on the day the overdue working days reach
  ``supervise_workdays`` (the 5th overdue working day by default). A late scan still
  returns both; a scanner issues each notice once under its :attr:`Notice.key`.

Counting rules (the calendar's own):

- working days *left* on day ``t`` = working days in (t, deadline]: 0 on the deadline day,
  1 on the working day before it (and on any day off between the two);
- working days *overdue* on day ``t`` = working days in (deadline, t]: a weekend right after
  a Friday deadline is overdue (red) but counts 0 overdue working days, so the 催办 waits
  for Monday;
- a deadline that falls on a day off (it should not, but the functions are total) behaves
  the same: overdue from the next midnight, 催办 on the next working day.

:func:`next_change_at` gives the next instant at which the light or the set of due notices
can change, so a scan only has to visit matters whose instant has come.

Pure: no Django. Calendar errors (a date outside the calendar) propagate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final, Protocol
from zoneinfo import ZoneInfo

SHANGHAI: Final = ZoneInfo("Asia/Shanghai")


class WorkdayCalendar(Protocol):
    """What the ladder needs from a working-day calendar (``zhaoyin.lib.workdays.WorkCalendar``)."""

    def is_workday(self, d: dt.date, /) -> bool:
        """Whether ``d`` is a working day."""
        ...

    def add_workdays(self, received: dt.date, n: int, /) -> tuple[dt.date, bool]:
        """The ``n``-th working day strictly after ``received`` (and whether it is provisional)."""
        ...

    def workdays_between(self, a: dt.date, b: dt.date, /) -> int:
        """Working days in (a, b]; negative when ``b`` is before ``a``."""
        ...


class ClockKind(StrEnum):
    """The two clocks of a matter."""

    SIGN_FOR = "sign_for"  # 签收时限: runs while the matter is assigned
    HANDLING = "handling"  # 办理时限: runs while it is being handled


class Light(StrEnum):
    """The alert light shown on lists (computed at read time)."""

    NONE = "none"
    APPROACHING = "approaching"  # 蓝: the deadline is near
    OVERDUE = "overdue"  # 红: the deadline has passed


#: The colour of each light (None: no light).
COLOURS: Final[Mapping[Light, str | None]] = {Light.NONE: None, Light.APPROACHING: "blue", Light.OVERDUE: "red"}


class NoticeKind(StrEnum):
    """Notices the ladder issues automatically."""

    URGE = "urge"  # 催办: on the first overdue working day
    SUPERVISE = "supervise"  # 督办: once the overdue working days reach the threshold


@dataclass(frozen=True)
class Thresholds:
    """The ladder's settings (``settings.ZHAOYIN_ESCALATION``)."""

    #: Blue when this many working days or fewer are left (1: the working day before the
    #: deadline and the deadline day; 0: the deadline day only).
    approaching_workdays: int = 1
    #: 督办 becomes due on this overdue working day (催办 on the first).
    supervise_workdays: int = 5

    def __post_init__(self) -> None:
        if self.approaching_workdays < 0:
            raise ValueError("approaching_workdays must not be negative")
        if self.supervise_workdays < 1:
            raise ValueError("supervise_workdays must be at least 1")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Thresholds:
        """Thresholds from a settings dict (``APPROACHING_WORKDAYS``, ``SUPERVISE_WORKDAYS``)."""
        return cls(
            approaching_workdays=int(values.get("APPROACHING_WORKDAYS", 1)),
            supervise_workdays=int(values.get("SUPERVISE_WORKDAYS", 5)),
        )


@dataclass(frozen=True)
class OpenClock:
    """The clock a matter is running: which one, and the last day it may use."""

    kind: ClockKind
    deadline: dt.date


@dataclass(frozen=True)
class Notice:
    """A notice due on a matter: what, for which clock and deadline, due since which day."""

    kind: NoticeKind
    clock: ClockKind
    deadline: dt.date
    due_on: dt.date

    @property
    def key(self) -> tuple[str, str, str]:
        """Identity for "issue exactly once": a new deadline (extension, rejection) is a new key."""
        return (self.kind.value, self.clock.value, self.deadline.isoformat())


@dataclass(frozen=True)
class Escalation:
    """Where a matter stands on the ladder at one instant."""

    light: Light
    listed: bool
    today: dt.date  # the Shanghai date of ``now``
    clock: OpenClock | None = None
    workdays_left: int | None = None  # working days in (today, deadline]; None once overdue
    workdays_overdue: int = 0  # working days in (deadline, today]
    notices: tuple[Notice, ...] = field(default_factory=tuple)

    @property
    def colour(self) -> str | None:
        """``"blue"``, ``"red"`` or None."""
        return COLOURS[self.light]

    @property
    def supervised(self) -> bool:
        """Whether 督办 is due (the matter is 5 or more working days late by default)."""
        return any(n.kind == NoticeKind.SUPERVISE for n in self.notices)


def local_date(now: dt.datetime) -> dt.date:
    """The Asia/Shanghai calendar date of an aware instant; a naive one raises ``ValueError``."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(SHANGHAI).date()


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in Asia/Shanghai (aware)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)


def deadline_end(deadline: dt.date) -> dt.datetime:
    """The first instant after a deadline: midnight at the start of the next day, Shanghai."""
    return start_of_day(deadline + dt.timedelta(days=1))


def urge_due_on(deadline: dt.date, calendar: WorkdayCalendar) -> dt.date:
    """The day 催办 becomes due: the first working day after the deadline."""
    return calendar.add_workdays(deadline, 1)[0]


def supervise_due_on(deadline: dt.date, calendar: WorkdayCalendar, thresholds: Thresholds | None = None) -> dt.date:
    """The day 督办 becomes due: the ``supervise_workdays``-th working day after the deadline."""
    t = thresholds or Thresholds()
    return calendar.add_workdays(deadline, t.supervise_workdays)[0]


def evaluate(
    clock: OpenClock | None,
    *,
    now: dt.datetime,
    calendar: WorkdayCalendar,
    listed: bool = False,
    thresholds: Thresholds | None = None,
) -> Escalation:
    """The light and the notices due at ``now`` for a matter whose open clock is ``clock``.

    ``clock`` is None when no clock runs (draft, reported, closed …): no light, no notices.
    ``now`` must be aware; it is read in Asia/Shanghai.
    """
    t = thresholds or Thresholds()
    today = local_date(now)
    if clock is None:
        return Escalation(light=Light.NONE, listed=listed, today=today)
    if today <= clock.deadline:
        left = calendar.workdays_between(today, clock.deadline)
        light = Light.APPROACHING if left <= t.approaching_workdays else Light.NONE
        return Escalation(light=light, listed=listed, today=today, clock=clock, workdays_left=left)
    overdue = max(0, calendar.workdays_between(clock.deadline, today))
    notices: list[Notice] = []
    if overdue >= 1:
        notices.append(Notice(NoticeKind.URGE, clock.kind, clock.deadline, urge_due_on(clock.deadline, calendar)))
    if overdue >= t.supervise_workdays:
        notices.append(
            Notice(NoticeKind.SUPERVISE, clock.kind, clock.deadline, supervise_due_on(clock.deadline, calendar, t))
        )
    return Escalation(
        light=Light.OVERDUE,
        listed=listed,
        today=today,
        clock=clock,
        workdays_overdue=overdue,
        notices=tuple(notices),
    )


def approaching_from(
    deadline: dt.date, today: dt.date, calendar: WorkdayCalendar, thresholds: Thresholds | None = None
) -> dt.date:
    """The first day on or after ``today`` on which the light is (at least) blue.

    That is ``today`` when few enough working days are left already, else the working day
    that leaves exactly ``approaching_workdays`` working days after it.
    """
    t = thresholds or Thresholds()
    if today > deadline:
        return today
    left = calendar.workdays_between(today, deadline)
    if left <= t.approaching_workdays:
        return today
    # The working days in (today, deadline] are `left`; the light turns blue on the one
    # that leaves `approaching_workdays` after it.
    return calendar.add_workdays(today, left - t.approaching_workdays)[0]


def next_change_at(
    clock: OpenClock | None,
    *,
    now: dt.datetime,
    calendar: WorkdayCalendar,
    thresholds: Thresholds | None = None,
) -> dt.datetime | None:
    """The next instant after ``now`` at which :func:`evaluate` can give another light or
    another set of due notices, or None when nothing more can change (no clock, or 督办 is
    already due). The counters (working days left/overdue) are not changes: a scan that
    stores this instant per matter only has to revisit matters whose instant has passed.

    Every change happens at a Shanghai midnight, so the result is one (aware, Asia/Shanghai).
    """
    if clock is None:
        return None
    t = thresholds or Thresholds()
    today = local_date(now)
    deadline = clock.deadline
    days: list[dt.date] = []
    if today <= deadline:
        blue = approaching_from(deadline, today, calendar, t)
        if blue > today:
            days.append(blue)
        days.append(deadline + dt.timedelta(days=1))  # red
    urge = urge_due_on(deadline, calendar)
    if urge > today:
        days.append(urge)
    supervise = supervise_due_on(deadline, calendar, t)
    if supervise > today:
        days.append(supervise)
    return start_of_day(min(days)) if days else None
