"""Filtering, sorting and paging of matter lists — one parser shared by the list page, the
export and the API list, so a querystring means the same on every channel.

``matter_filter_parse`` turns raw parameters (``request.GET`` or the API's query) into a
``MatterFilter`` or raises ``InvalidInput`` naming every bad parameter (the page shows the
messages with 400, the API answers 422). ``matter_filter_apply`` narrows a queryset the
caller has already scoped with ``selectors.matter_list_visible_to`` — scope first, then
filter: a filter can only narrow what the user may see (AC-03).

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
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.accounts.selectors import org_unit_by_code
from zhaoyin.core.listparams import (
    DEFAULT_PAGE_SIZE,
    PAGING_PARAMS,
    ParamErrors,
    ordering,
    parse_paging,
    parse_sort,
    parse_terms,
    read_params,
)
from zhaoyin.core.search import search_fold
from zhaoyin.lib import escalation
from zhaoyin.lib.workdays import CalendarRangeError
from zhaoyin.matters import clocks
from zhaoyin.matters.choices import MatterKind, MatterSource
from zhaoyin.matters.flow import State
from zhaoyin.matters.models import Matter
from zhaoyin.matters.search import SEARCH_INDEX
from zhaoyin.workcalendar.selectors import current_calendar


class Alert(StrEnum):
    """The alert light of a matter as lists and the API show it (computed at read time)."""

    NORMAL = "normal"
    APPROACHING = "approaching"  # 蓝: at most N working days left
    OVERDUE = "overdue"  # 红: the deadline has passed


ALERT_VALUES: tuple[str, ...] = tuple(a.value for a in Alert)

#: The parameters the filter understands.
FILTER_PARAMS = ("q", "state", "lead_unit", "source", "kind", "alert", "listed", "sort")

#: Allowed sort keys → the column; ``-key`` sorts descending, ``id`` breaks ties.
SORT_COLUMNS: dict[str, str] = {
    "code": "code",
    "title": "title",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "sign_deadline": "sign_deadline",
    "handle_deadline": "handle_deadline",
}
DEFAULT_SORT = "-updated_at"
NULLABLE_SORTS = frozenset({"sign_deadline", "handle_deadline"})

_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})


@dataclass(frozen=True)
class MatterFilter:
    """A parsed, validated matter list request: filters, order and page."""

    q: str = ""
    terms: tuple[str, ...] = ()
    state: str = ""
    lead_unit: OrgUnit | None = None
    source: str = ""
    kind: str = ""
    alert: str = ""
    listed: bool | None = None
    sort: str = DEFAULT_SORT
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    #: The raw filter parameters as given (minus paging), for links and the export's audit.
    params: dict[str, str] = field(default_factory=dict)

    @property
    def is_filtered(self) -> bool:
        """True when any filter (not just an order or a page) narrows the list."""
        return bool(
            self.terms
            or self.state
            or self.lead_unit
            or self.source
            or self.kind
            or self.alert
            or self.listed is not None
        )


def matter_filter_parse(params: Mapping[str, Any]) -> MatterFilter:
    """Validate list parameters; raise ``InvalidInput`` naming every bad one.

    ``q`` (substrings of the code, title or requester name; several words must all occur),
    ``state`` (flow.State code), ``lead_unit`` (org unit code; includes the units below it),
    ``source``, ``kind`` (codes), ``alert`` (``normal``, ``approaching``, ``overdue``),
    ``listed`` (``true``/``false``, 挂牌督办), ``sort`` (see ``SORT_COLUMNS``, ``-`` for
    descending), ``page`` (≥ 1), ``page_size`` (1 … 200). Unknown parameters are ignored
    (pages carry others).
    """
    errors = ParamErrors()
    fail = errors.fail
    raw = read_params(params, (*FILTER_PARAMS, *PAGING_PARAMS))
    kept = {name: raw[name] for name in FILTER_PARAMS if raw[name]}
    q = raw["q"]
    terms = parse_terms(q, errors, search_fold)

    lead_unit = None
    if raw["lead_unit"]:
        lead_unit = org_unit_by_code(raw["lead_unit"])
        if lead_unit is None:
            fail("lead_unit", _("Unknown org unit code."))

    for name, values in (
        ("state", [s.value for s in State]),
        ("source", list(MatterSource.values)),
        ("kind", list(MatterKind.values)),
        ("alert", list(ALERT_VALUES)),
    ):
        if raw[name] and raw[name] not in values:
            fail(name, _("Choose one of: %(values)s.") % {"values": ", ".join(values)})

    listed: bool | None = None
    if raw["listed"]:
        flag = raw["listed"].lower()
        if flag in _TRUE:
            listed = True
        elif flag in _FALSE:
            listed = False
        else:
            fail("listed", _("Choose one of: %(values)s.") % {"values": "true, false"})

    sort = parse_sort(raw["sort"], SORT_COLUMNS, DEFAULT_SORT, errors)
    page, page_size = parse_paging(raw, errors)
    errors.raise_if_any()
    return MatterFilter(
        q=q,
        terms=terms,
        state=raw["state"],
        lead_unit=lead_unit,
        source=raw["source"],
        kind=raw["kind"],
        alert=raw["alert"],
        listed=listed,
        sort=sort,
        page=page,
        page_size=page_size,
        params=kept,
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


def matter_filter_apply(
    qs: QuerySet[Matter],
    flt: MatterFilter,
    *,
    today: dt.date | None = None,
    walk: bool = False,
    lead_units: list[int] | None = None,
) -> QuerySet[Matter]:
    """Narrow an already scoped queryset by ``flt`` and put it in ``flt``'s order.

    The search finds each folded word as a substring of the number, title and requester name
    (``Matter.search_text``) through the bigram index (zhaoyin.matters.search). ``today``
    (default: the current date in Asia/Shanghai) is the day the alert light is judged on. ``walk``: the search is tested
    row by row while the database walks the order's index (for a page of a long list; see
    ``selectors.matter_scope_q``). ``lead_units``: the caller keeps only matters led by these
    units; the search index then looks for the words among them alone.
    """
    for term in flt.terms:
        qs = qs.filter(SEARCH_INDEX.matches(term, walk=walk, units=lead_units))
    if flt.state:
        qs = qs.filter(state=flt.state)
    if flt.lead_unit is not None:
        qs = qs.filter(flt.lead_unit.descendants_q("lead_unit"))
    if flt.source:
        qs = qs.filter(source=flt.source)
    if flt.kind:
        qs = qs.filter(kind=flt.kind)
    if flt.alert:
        day = today if today is not None else clocks.today()
        qs = qs.filter(alert_q(flt.alert, day, current_calendar(), state=flt.state))
    if flt.listed is not None:
        qs = qs.filter(listed=flt.listed)
    return qs.order_by(*ordering(flt.sort, SORT_COLUMNS, NULLABLE_SORTS))


__all__ = [
    "ALERT_VALUES",
    "Alert",
    "MatterFilter",
    "alert_q",
    "matter_alert",
    "matter_filter_apply",
    "matter_filter_parse",
    "open_clock",
]
