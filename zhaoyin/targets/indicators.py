"""The indicator registry (DESIGN 3.3): code → label, unit of measure and how it is computed.

Each computation returns the actual per org unit **where the records sit** (``{unit id:
value}``), for the period from 1 January of ``year`` to ``as_of``; the selectors roll these up
the org tree (a county's actual includes the parks inside it). Indicators are computed from
records, never typed in. See docs/targets.md for the counting rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from zhaoyin.lib.indicators import months_counted
from zhaoyin.projects.models import FundRollup, Project

#: 1亿元 in 万元: the threshold of the ``*_100m`` indicators and the 亿元 conversion.
WAN_PER_YI = Decimal(10000)
FEN_PER_WAN = Decimal(100)
#: The milestone column of each stage a count indicator counts.
MILESTONE_COLUMN = {"signed": "signed_on", "started": "started_on", "producing": "producing_on"}

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


def rollups_counted(year: int, as_of: dt.date) -> QuerySet[FundRollup]:
    """The rollup rows of the counted months: Σ of exactly the entries ``fund_entries_counted``
    selects (the rollup holds active entries only), a few thousand rows instead of 600 000."""
    months = counted_months(year, as_of)
    if months is None:
        return FundRollup.objects.none()
    return FundRollup.objects.filter(month__gte=months[0], month__lte=months[1]).order_by()


def external_funds(year: int, as_of: dt.date) -> dict[int, Decimal]:
    """Funds in place from outside the city (all three sources are) in 亿元, per unit: one
    grouped sum over the rollup of the counted months."""
    rows = rollups_counted(year, as_of).values_list("org_unit_id").annotate(fen=Sum("fen"))
    return {unit_id: Decimal(fen or 0) / FEN_PER_WAN / WAN_PER_YI for unit_id, fen in rows}


def projects_reaching(
    stage: str, *, min_investment_wan: Decimal | None, year: int, as_of: dt.date
) -> QuerySet[Project]:
    """Projects (≥ ``min_investment_wan`` when given, not terminated) whose ``stage`` milestone
    — ``Project.<stage>_on``, the history replayed by the stage services, so a correction back
    un-reaches the later stages — lies in [1 January, ``as_of``]."""
    start = dt.date(year, 1, 1)
    if as_of < start:
        return Project.objects.none()
    column = MILESTONE_COLUMN[stage]
    projects = Project.objects.exclude(stage="terminated").filter(**{f"{column}__gte": start, f"{column}__lte": as_of})
    if min_investment_wan is not None:
        projects = projects.filter(total_investment_wan__gte=min_investment_wan)
    return projects


def _reached_in_period(stage: str, *, min_investment_wan: Decimal | None) -> Compute:
    def compute(year: int, as_of: dt.date) -> dict[int, Decimal]:
        rows = (
            projects_reaching(stage, min_investment_wan=min_investment_wan, year=year, as_of=as_of)
            .values_list("org_unit_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        return {unit_id: Decimal(n) for unit_id, n in rows}

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
