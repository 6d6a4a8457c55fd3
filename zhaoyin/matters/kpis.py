"""Unit KPIs of assigned matters for a month or a year, ranked (DESIGN 3.5; issue 4 item 7).

The matters counted are those **assigned** in the period, each under its current lead unit.
The counts are one grouped query with conditional aggregates (``COUNT … FILTER``) over the
matters, plus one grouped query for the returns (by the unit that returned, from the events)
and one for the durations of the closed matters (working days from the date of receipt to
the day closed, on the working-day calendar); the rates, the composite score and the ranking
are ``zhaoyin.lib.matter_kpis``. Dates are days in Asia/Shanghai: a matter signed for or
closed on its deadline day is on time.

Units are ranked within their ranking group (``accounts.ranking``: 县区, 开发区/园区 and 市直部门
each have their own ranking); a unit with fewer matters in the period than its group's
``min_matters`` is listed 样本不足 with its KPIs and score but without a rank.

Scope as for target progress: city-wide roles see every unit; a unit user sees the rows of
its own subtree, with the city-wide ranks (the monthly 通报 publishes the ranking to all).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.ranking import Group, load_grouping
from zhaoyin.accounts.scope import visible_unit_ids
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.roles import CITY_WIDE_ROLES, UNIT_ROLES
from zhaoyin.lib import matter_kpis as engine
from zhaoyin.matters.choices import Rating
from zhaoyin.matters.filters import Alert, alert_q
from zhaoyin.matters.flow import Action, State
from zhaoyin.matters.models import OPEN_STATE_CODES, Matter, MatterEvent
from zhaoyin.matters.selectors import matter_list_visible_to
from zhaoyin.workcalendar.selectors import current_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: Who reads the KPIs: city-wide roles and unit roles (their subtree's rows).
READER_ROLES = frozenset(CITY_WIDE_ROLES | UNIT_ROLES)
SATISFIED = [Rating.SATISFIED.value, Rating.BASICALLY_SATISFIED.value]


@dataclass(frozen=True)
class KpiRow:
    """One unit's KPIs, score and rank."""

    unit: OrgUnit
    kpis: engine.UnitKpis
    score: Decimal | None
    rank: int | None
    #: The ranking group the rank is within.
    group: Group | None = None
    #: Fewer matters than the group's minimum: listed 样本不足, unranked.
    thin_sample: bool = False


@dataclass(frozen=True)
class KpiReport:
    year: int
    month: int | None
    first: dt.date
    last: dt.date
    rows: list[KpiRow]


def parse_period(year: object, month: object) -> tuple[int, int | None]:
    """``year`` (2000–2100) and an optional ``month`` (1–12); InvalidInput names each bad one."""
    errors: list[dict[str, str]] = []
    y, m = 0, None
    try:
        y = int(str(year).strip())
        if not 2000 <= y <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors.append({"field": "year", "message": _("Enter a year between 2000 and 2100.")})
    if month not in (None, ""):
        try:
            m = int(str(month).strip())
            if not 1 <= m <= 12:
                raise ValueError
        except (TypeError, ValueError):
            errors.append({"field": "month", "message": _("Enter a month between 1 and 12.")})
    if errors:
        raise InvalidInput(errors[0]["message"], errors)
    return y, m


def _bounds(year: int, month: int | None) -> tuple[dt.date, dt.date]:
    if month is None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return dt.date(year, month, 1), following - dt.timedelta(days=1)


def _weights() -> engine.Weights:
    return engine.Weights.from_mapping(getattr(settings, "ZHAOYIN_MATTER_KPI_WEIGHTS", {}))


def _counts(first: dt.date, last: dt.date, today: dt.date) -> dict[int, dict[str, Any]]:
    """Per lead unit: the counts ``kpis_from_counts`` takes (two grouped queries).

    The facts that need a date comparison or the calendar (signed in time, closed in time,
    working days taken, ever returned) are stored on the matter by the step that decides
    them (zhaoyin.matters.services), so a period is one indexed range of ``assigned_at``
    and a ``GROUP BY`` over plain columns. The returns count by the unit that returned, from
    the events (a return happens after the assignment: no earlier event can count).
    """
    start = dt.datetime.combine(first, dt.time(), tzinfo=SHANGHAI)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI)
    period = Matter.objects.filter(assigned_at__gte=start, assigned_at__lt=end).order_by()
    sign_open = Q(state=State.ASSIGNED.value, sign_deadline__gte=today)
    closed = Q(closed_at__isnull=False)
    # COUNT(assigned_at), never NULL in the period, rather than COUNT(id): the covering index
    # has every column counted here, and PostgreSQL's index-only scan can return only those.
    rows = period.values("lead_unit_id").annotate(
        matters=Count("assigned_at"),
        sign_for_decided=Count("assigned_at", filter=Q(returned=False) & ~sign_open),
        signed_on_time=Count("assigned_at", filter=Q(returned=False, signed_on_time=True)),
        closed=Count("assigned_at", filter=closed),
        closed_on_time=Count("assigned_at", filter=closed & Q(closed_on_time=True)),
        overdue=Count(
            "assigned_at", filter=Q(closed_at__isnull=True, state=State.ACCEPTED.value, handle_deadline__lt=today)
        ),
        rated=Count("assigned_at", filter=~Q(rating="")),
        satisfied=Count("assigned_at", filter=Q(rating__in=SATISFIED)),
        days_count=Count("assigned_at", filter=closed & Q(workdays_to_close__isnull=False)),
        days_total=Sum("workdays_to_close", filter=closed, default=0),
    )
    out: dict[int, dict[str, Any]] = {}
    for row in rows:
        counts: dict[str, Any] = dict(row)
        unit = counts.pop("lead_unit_id")
        counts["due"] = counts["closed"] + counts.pop("overdue")
        out[unit] = {**counts, "returned": 0}
    returns = (
        # Driven by the (action, at) index: the month's matters are the test, not the way in.
        MatterEvent.objects.filter(
            action=Action.RETURN.value, at__gte=start, matter_id__unindexed__in=period.values("pk")
        )
        .values_list("lead_unit_id")
        .annotate(n=Count("matter_id", distinct=True))
        .order_by()
    )
    for unit, n in returns:
        if unit in out:
            out[unit]["returned"] = n
    return out


def kpi_report(user: User, *, year: int, month: int | None, today: dt.date | None = None) -> KpiReport:
    """The ranked KPIs of the units with matters assigned in the period, in ``user``'s scope."""
    day = today or timezone.localdate()
    first, last = _bounds(year, month)
    counts = _counts(first, last, day)
    kpis = {unit: engine.kpis_from_counts(unit, **c) for unit, c in counts.items()}
    units = OrgUnit.objects.in_bulk(list(kpis))
    grouping = load_grouping()
    weights = _weights()
    # Each group is ranked on its own; a thin sample is scored but takes no place.
    by_group: dict[str, dict[int, engine.UnitKpis]] = {}
    for unit_id, k in kpis.items():
        if unit_id in units:
            by_group.setdefault(grouping.group_of(units[unit_id]).code, {})[unit_id] = k
    visible = visible_unit_ids(user)
    rows: list[KpiRow] = []
    for code in sorted(by_group, key=lambda c: (grouping.groups[c].order, c)):
        group = grouping.groups[code]
        members = by_group[code]
        enough = {u: k for u, k in members.items() if k.matters >= group.min_matters}
        thin = {u: k for u, k in members.items() if u not in enough}
        ranked = engine.rank_units(enough, weights)
        unranked = sorted(engine.rank_units(thin, weights), key=lambda r: r.unit_id)
        rows += [
            KpiRow(units[r.unit_id], r.kpis, r.score, r.rank, group)
            for r in ranked
            if visible is None or r.unit_id in visible
        ]
        rows += [
            KpiRow(units[r.unit_id], r.kpis, r.score, None, group, thin_sample=True)
            for r in unranked
            if visible is None or r.unit_id in visible
        ]
    return KpiReport(year=year, month=month, first=first, last=last, rows=rows)


# ---- the supervision view ------------------------------------------------------------------

#: How many listed and dissatisfied matters the supervision view shows (the lists link to all).
SUPERVISION_LISTED = 50


@dataclass(frozen=True)
class Supervision:
    """What the supervisor and the leaders watch: KPIs, overdue matters by unit, listed
    (挂牌督办) matters still open, and matters rated 不满意."""

    report: KpiReport
    overdue_by_unit: list[tuple[OrgUnit, int]]
    listed: list[Matter]
    dissatisfied: list[Matter]


def overdue_matters(visible: QuerySet[Matter], day: dt.date) -> QuerySet[Matter]:
    """The matters past their running clock's deadline (the list filter's ``alert=overdue``)."""
    return visible.filter(alert_q(Alert.OVERDUE.value, day, current_calendar()))


def listed_open_matters(visible: QuerySet[Matter]) -> QuerySet[Matter]:
    """The listed (挂牌督办) matters a unit still owes work on."""
    return visible.filter(listed=True, state__in=OPEN_STATE_CODES)


def supervision_for(user: User, *, year: int, month: int | None, today: dt.date | None = None) -> Supervision:
    """The supervision view in ``user``'s scope (the matters through ``matter_list_visible_to``)."""
    day = today or timezone.localdate()
    visible = matter_list_visible_to(user).order_by()
    counts = dict(overdue_matters(visible, day).values_list("lead_unit_id").annotate(n=Count("pk")))
    units = OrgUnit.objects.in_bulk(list(counts))
    by_unit = sorted(((units[u], n) for u, n in counts.items() if u in units), key=lambda r: (-r[1], r[0].code))
    listed = list(
        listed_open_matters(visible).select_related("lead_unit").order_by("handle_deadline", "pk")[:SUPERVISION_LISTED]
    )
    dissatisfied = list(
        visible.filter(rating=Rating.DISSATISFIED.value)
        .select_related("lead_unit")
        .order_by("-updated_at", "-pk")[:SUPERVISION_LISTED]
    )
    return Supervision(kpi_report(user, year=year, month=month, today=day), by_unit, listed, dissatisfied)
