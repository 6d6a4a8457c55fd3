"""The indicator registry (DESIGN 3.3): code → label, unit of measure and how it is computed.

Each computation returns the actual per org unit **where the records sit** (``{unit id:
value}``), for the period from 1 January of ``year`` to ``as_of``; the selectors roll these up
the org tree (a county's actual includes the parks inside it). Indicators are computed from
records, never typed in. See docs/targets.md for the counting rules.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from zhaoyin.core.money import fen_sum
from zhaoyin.lib.cycle_times import MAIN_LINE, milestones
from zhaoyin.lib.indicators import months_counted
from zhaoyin.projects.models import FundEntry, Project, StageEvent

#: 1亿元 in 万元: the threshold of the ``*_100m`` indicators and the 亿元 conversion.
WAN_PER_YI = Decimal(10000)
FEN_PER_WAN = Decimal(100)

Compute = Callable[[int, dt.date], dict[int, Decimal]]


@dataclass(frozen=True)
class Indicator:
    code: str
    label: Promise
    unit: str  # "亿元" or "个"
    unit_label: Promise
    compute: Compute
    #: How the records behind a unit's number are listed ("funds" or "projects").
    drill: str
    #: Decimal places shown for the actual.
    places: int
    #: For the project counts: the milestone counted and the investment threshold (万元).
    stage: str = ""
    min_investment_wan: Decimal | None = None




def counted_months(year: int, as_of: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first days of the first and last counted months, None when no month counts yet."""
    n = months_counted(year, as_of)
    if n == 0:
        return None
    return dt.date(year, 1, 1), dt.date(year, n, 1)


def fund_entries_counted(year: int, as_of: dt.date) -> Q:
    """Active entries of the counted months (a month counts once ``as_of`` reaches its last day)."""
    months = counted_months(year, as_of)
    if months is None:
        return Q(pk__in=[])
    return Q(superseded_at__isnull=True, month__gte=months[0], month__lte=months[1])


def external_funds(year: int, as_of: dt.date) -> dict[int, Decimal]:
    """Funds in place from outside the city (all three sources are) in 亿元, per unit: one
    grouped aggregate over the active entries of the counted months."""
    rows = (
        FundEntry.objects.filter(fund_entries_counted(year, as_of))
        .values_list("project__org_unit_id")
        .annotate(fen=fen_sum("amount_wan"))
        .order_by()
    )
    return {unit_id: Decimal(fen or 0) / FEN_PER_WAN / WAN_PER_YI for unit_id, fen in rows}


def projects_reaching(
    stage: str, *, min_investment_wan: Decimal | None, year: int, as_of: dt.date, unit_ids: list[int] | None = None
) -> dict[int, tuple[int, dt.date]]:
    """Projects (≥ ``min_investment_wan`` when given, not terminated) whose ``stage`` milestone,
    after replaying their history (a correction back un-reaches the later stages), lies in
    [1 January, ``as_of``]: ``{project id: (org unit id, date reached)}``. Two queries."""
    start = dt.date(year, 1, 1)
    if as_of < start:
        return {}
    at_or_after = MAIN_LINE[MAIN_LINE.index(stage) :]
    projects = Project.objects.exclude(stage="terminated")
    if min_investment_wan is not None:
        projects = projects.filter(total_investment_wan__gte=min_investment_wan)
    if unit_ids is not None:
        projects = projects.filter(org_unit_id__in=unit_ids)
    # Candidates: an event reaching this stage or a later one dated in the period.
    candidates = StageEvent.objects.filter(
        to_stage__in=at_or_after, stage_on__gte=start, stage_on__lte=as_of, project__in=projects
    ).values("project_id")
    events = (
        StageEvent.objects.filter(project_id__in=candidates)
        .order_by("project_id", "created_at", "id")
        .values_list("project_id", "to_stage", "stage_on", "project__org_unit_id")
    )
    history: dict[int, list[tuple[str, dt.date]]] = defaultdict(list)
    unit_of: dict[int, int] = {}
    for project_id, to_stage, stage_on, unit_id in events:
        history[project_id].append((to_stage, stage_on))
        unit_of[project_id] = unit_id
    out: dict[int, tuple[int, dt.date]] = {}
    for project_id, hist in history.items():
        on = milestones(hist).get(stage)
        if on is not None and start <= on <= as_of:
            out[project_id] = (unit_of[project_id], on)
    return out


def _reached_in_period(stage: str, *, min_investment_wan: Decimal | None) -> Compute:
    def compute(year: int, as_of: dt.date) -> dict[int, Decimal]:
        out: dict[int, Decimal] = defaultdict(Decimal)
        for unit_id, _on in projects_reaching(
            stage, min_investment_wan=min_investment_wan, year=year, as_of=as_of
        ).values():
            out[unit_id] += 1
        return dict(out)

    return compute


REGISTRY: dict[str, Indicator] = {
    i.code: i
    for i in (
        Indicator(
            "external_funds",
            _("Funds from outside the city"),
            "亿元",
            _("100 million yuan"),
            external_funds,
            "funds",
            2,
        ),
        Indicator(
            "signed_100m",
            _("Projects of 100 million yuan or more signed"),
            "个",
            _("projects"),
            _reached_in_period("signed", min_investment_wan=WAN_PER_YI),
            "projects",
            0,
            "signed",
            WAN_PER_YI,
        ),
        Indicator(
            "started_100m",
            _("Projects of 100 million yuan or more started"),
            "个",
            _("projects"),
            _reached_in_period("started", min_investment_wan=WAN_PER_YI),
            "projects",
            0,
            "started",
            WAN_PER_YI,
        ),
        Indicator(
            "producing",
            _("Projects put into production"),
            "个",
            _("projects"),
            _reached_in_period("producing", min_investment_wan=None),
            "projects",
            0,
            "producing",
        ),
    )
}


def indicator_choices() -> list[tuple[str, str]]:
    return [(code, str(i.label)) for code, i in REGISTRY.items()]
