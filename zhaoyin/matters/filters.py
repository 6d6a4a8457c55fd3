"""The matter list's filters, declared once (``core.filtering``) for the list page, the API
list and the counts (``selectors.matter_list_query``). ``MatterFilter.apply`` narrows a
queryset the caller has already scoped with ``selectors.matter_list_visible_to`` — scope
first, then filter: a filter can only narrow what the user may see (AC-03). Its SQL is the
chain of conditions the list's covering indexes and the tally (tally.py) were built for.

The alert light (``normal`` / ``approaching`` / ``overdue``) is not stored: it is computed at
read time from the open clock's deadline (the sign-for deadline while ``assigned``, the
handling deadline while ``accepted``; no light in any other state). For the list filter the
ladder's rules (zhaoyin.lib.escalation) become deadline-date ranges for "today" in
Asia/Shanghai, so the filter is one SQL condition on indexed columns:

- overdue: deadline < today (a deadline ends at the close of its day);
- approaching: today ≤ deadline < the (N+1)-th working day after today, N being
  ``APPROACHING_WORKDAYS`` (1): exactly the deadlines with at most N working days left;
- normal: every other matter.

``matter_alert`` gives the same answer for one matter through ``escalation.evaluate`` (the
tests hold the two to agree).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.filters import org_unit_filter
from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.core.filtering import Boolean, Choice, FilterSet, R, Search, Sort
from zhaoyin.core.search import search_fold
from zhaoyin.lib import escalation
from zhaoyin.lib.workdays import CalendarRangeError
from zhaoyin.matters import clocks
from zhaoyin.matters.choices import MatterKind, MatterSource
from zhaoyin.matters.flow import STATES, State
from zhaoyin.matters.models import Matter
from zhaoyin.matters.search import SEARCH_INDEX
from zhaoyin.workcalendar.selectors import current_calendar


class Alert(StrEnum):
    """The alert light of a matter as lists and the API show it (computed at read time)."""

    NORMAL = "normal"
    APPROACHING = "approaching"  # 蓝: at most N working days left
    OVERDUE = "overdue"  # 红: the deadline has passed


ALERT_VALUES: tuple[str, ...] = tuple(a.value for a in Alert)
#: The lights a list can be filtered by, labelled for the filter bar.
ALERT_CHOICES: tuple[tuple[str, Any], ...] = (
    (Alert.NORMAL.value, _("Normal")),
    (Alert.APPROACHING.value, _("Approaching (blue)")),
    (Alert.OVERDUE.value, _("Overdue (red)")),
)


class _IndexedSearch(Search):
    """Each word through the bigram index (zhaoyin.matters.search). The caller's ``walk``: the
    search is tested row by row while the database walks the order's index (a page of a long
    list; ``selectors.matter_scope_q``); ``lead_units``: the caller keeps only matters led by
    these units, so the index looks for the words among them alone."""

    def narrow(self, qs: QuerySet[R], value: tuple[str, ...], context: Mapping[str, Any]) -> QuerySet[R]:
        for term in value:
            qs = qs.filter(SEARCH_INDEX.matches(term, walk=context.get("walk", False), units=context.get("lead_units")))
        return qs


class _AlertChoice(Choice):
    """The light on the caller's ``today`` (default: today in Asia/Shanghai), as deadline
    ranges of the open clock (``alert_q``); with a state filter, only that state's clock."""

    def narrow(self, qs: QuerySet[R], value: str, context: Mapping[str, Any]) -> QuerySet[R]:
        today = context.get("today")
        day = today if today is not None else clocks.today()
        return qs.filter(alert_q(value, day, current_calendar(), state=context["filters"].state))


class _StaleBoolean(Boolean):
    """进展滞后 on the caller's ``today`` (default: today in Asia/Shanghai), as one range on the
    day of the last progress (``stale_q``)."""

    def narrow(self, qs: QuerySet[R], value: bool | None, context: Mapping[str, Any]) -> QuerySet[R]:
        today = context.get("today")
        day = today if today is not None else clocks.today()
        condition = stale_q(day, current_calendar())
        return qs.filter(condition) if value else qs.exclude(condition)


def _assignable_units(user: User) -> list[OrgUnit]:
    from zhaoyin.matters.forms import assignable_units  # the rule lives with the forms that assign

    return assignable_units(user)


class MatterFilter(FilterSet):
    """Matters: search (code, title, requester), state, lead unit (with the units below),
    source, kind, light, 挂牌督办 (``listed``)."""

    q = _IndexedSearch(
        fold=search_fold, label=_("Search"), doc="Substrings of the code, title or requester; all words must occur"
    )
    state = Choice(STATES, label=_("State"), blank=_("All states"), doc="State code")
    lead_unit = org_unit_filter(_assignable_units, label=_("Lead unit"), blank=_("All lead units"))
    source = Choice(MatterSource.choices, label=_("Source"), blank=_("All sources"), doc="Source code")
    kind = Choice(MatterKind.choices, label=_("Kind"), blank=_("All kinds"), doc="Kind code")
    alert = _AlertChoice(ALERT_CHOICES, label=_("Alert"), blank=_("All lights"), doc="normal, approaching or overdue")
    listed = Boolean(label=_("Listed"), blank=_("Listed or not"), yes=_("Listed only"), no=_("Not listed"))
    # The cockpit's talent panel drills down through these two (issue 13 item 8): the demands
    # linked to a talent record, and the matters closed by their handling deadline (the stored
    # KPI fact ``closed_on_time``, reset when a matter is reopened).
    has_talent = Boolean(
        where=lambda v: Q(talent__isnull=not v),
        label=_("Talent linked"),
        blank=_("With or without a talent"),
        yes=_("Linked to a talent"),
        no=_("No talent"),
        doc="true: only the talent demands linked to a talent record",
    )
    closed_on_time = Boolean(
        label=_("Closed in time"),
        blank=_("In time or not"),
        yes=_("Closed in time"),
        no=_("Not closed in time"),
        doc="true: closed by the handling deadline (a deadline ends at the close of its day)",
    )
    # 进展滞后 (issue 15 item 4): in progress without progress for STALE_WORKDAYS working days.
    stale = _StaleBoolean(
        label=_("Slow progress"),
        blank=_("Slow or not"),
        yes=_("Slow progress (yellow)"),
        no=_("Not slow"),
        doc="true: in progress without a progress report for the configured working days (yellow)",
    )
    order = Sort(
        {
            name: name
            for name in ("code", "title", "created_at", "updated_at", "sign_deadline", "handle_deadline")
        },
        default="-updated_at",
        nullable=frozenset({"sign_deadline", "handle_deadline"}),
    )


def _approaching_workdays() -> int:
    return int(clocks.matter_settings()["APPROACHING_WORKDAYS"])


def _thresholds() -> escalation.Thresholds:
    return escalation.Thresholds(approaching_workdays=_approaching_workdays())


#: (state, deadline column) of the two clocks: only one runs at a time.
_OPEN_CLOCKS: tuple[tuple[str, str], ...] = (
    (State.ASSIGNED.value, "sign_deadline"),
    (State.ACCEPTED.value, "handle_deadline"),
)


def approaching_limit(today: dt.date, calendar: escalation.WorkdayCalendar) -> dt.date:
    """The first deadline that is no longer ``approaching`` on ``today``: the (N+1)-th working
    day after today (a deadline before it has at most N working days left)."""
    try:
        return calendar.add_workdays(today, _approaching_workdays() + 1)[0]
    except CalendarRangeError:
        # Beyond the calendar's end nothing is counted: every future deadline is "near".
        return dt.date.max


def alert_q(alert: str, today: dt.date, calendar: escalation.WorkdayCalendar, *, state: str = "") -> Q:
    """The matters whose light on ``today`` is ``alert``, as a filter on ``Matter``. ``state``:
    the caller filters by that state too, so only its clock is written out — one range on a
    partial index instead of an ``OR`` of two, which the planner cannot use them for."""
    limit = approaching_limit(today, calendar)
    overdue, approaching, normal = Q(pk__in=[]), Q(pk__in=[]), ~Q(state__in=[s for s, _c in _OPEN_CLOCKS])
    for clock_state, column in _OPEN_CLOCKS:
        if state and clock_state != state:
            continue
        overdue |= Q(state=clock_state, **{f"{column}__lt": today})
        approaching |= Q(state=clock_state, **{f"{column}__gte": today, f"{column}__lt": limit})
        normal |= Q(state=clock_state, **{f"{column}__gte": limit}) | Q(
            state=clock_state, **{f"{column}__isnull": True}
        )
    return {Alert.OVERDUE.value: overdue, Alert.APPROACHING.value: approaching}.get(alert, normal)


def open_clock(matter: Matter) -> escalation.OpenClock | None:
    """The clock ``matter`` is running (sign-for while assigned, handling while in progress)."""
    if matter.state == State.ASSIGNED.value and matter.sign_deadline is not None:
        return escalation.OpenClock(escalation.ClockKind.SIGN_FOR, matter.sign_deadline)
    if matter.state == State.ACCEPTED.value and matter.handle_deadline is not None:
        return escalation.OpenClock(escalation.ClockKind.HANDLING, matter.handle_deadline)
    return None


def matter_alert(matter: Matter, today: dt.date, calendar: escalation.WorkdayCalendar) -> str:
    """``normal``, ``approaching`` or ``overdue`` for one matter on ``today`` (Asia/Shanghai)."""
    clock = open_clock(matter)
    if clock is None:
        return Alert.NORMAL.value
    try:
        result = escalation.evaluate(
            clock, now=escalation.start_of_day(today), calendar=calendar, thresholds=_thresholds()
        )
    except CalendarRangeError:
        # A deadline outside the calendar cannot be counted; judge it by the date alone.
        return Alert.OVERDUE.value if clock.deadline < today else Alert.NORMAL.value
    if result.light == escalation.Light.OVERDUE:
        return Alert.OVERDUE.value
    if result.light == escalation.Light.APPROACHING:
        return Alert.APPROACHING.value
    return Alert.NORMAL.value


# ---- 进展滞后 (yellow for slow progress, issue 15 item 4) -------------------------------------


def stale_workdays() -> int:
    """Working days without progress after which a matter in progress shows yellow."""
    return int(clocks.matter_settings()["STALE_WORKDAYS"])


def stale_cutoff(today: dt.date, calendar: escalation.WorkdayCalendar, days: int | None = None) -> dt.date:
    """The day such that a last progress *before* it leaves at least ``days`` working days in
    (last progress, today]: the ``days``-th working day counted back from today (today included)."""
    n = stale_workdays() if days is None else days
    day, found = today, 0
    # At most a few weeks back: the loop walks the calendar day by day (N is small).
    for _step in range(max(1, n) * 7 + 30):
        try:
            if calendar.is_workday(day):
                found += 1
                if found >= n:
                    return day
        except CalendarRangeError:
            return day
        day -= dt.timedelta(days=1)
    return day


def stale_q(today: dt.date, calendar: escalation.WorkdayCalendar) -> Q:
    """The matters in progress whose last progress (or, unknown, their signing for) is at least
    ``STALE_WORKDAYS`` working days ago, as one filter on ``Matter``."""
    cutoff = stale_cutoff(today, calendar)
    start = escalation.start_of_day(cutoff)
    return Q(state=State.ACCEPTED.value) & (
        Q(last_progress_on__lt=cutoff) | Q(last_progress_on__isnull=True, accepted_at__lt=start)
    )


def matter_stale(matter: Matter, today: dt.date, calendar: escalation.WorkdayCalendar) -> bool:
    """Whether ``matter`` shows yellow (进展滞后) on ``today`` (the same rule as ``stale_q``)."""
    if matter.state != State.ACCEPTED.value:
        return False
    last = matter.last_progress_on
    if last is None and matter.accepted_at is not None:
        last = matter.accepted_at.astimezone(escalation.SHANGHAI).date()
    if last is None:
        return False
    return last < stale_cutoff(today, calendar)


__all__ = [
    "ALERT_VALUES",
    "Alert",
    "MatterFilter",
    "alert_q",
    "matter_alert",
    "matter_stale",
    "open_clock",
    "stale_q",
]
