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
from zhaoyin.talents.models import Talent, Tier

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
    unit: str  # "亿元", "个" or "人"
    unit_label: Promise
    compute: Compute
    #: How the records behind a unit's number are listed ("funds", "projects" or "talents").
    drill: str
    #: Decimal places shown for the actual.
    places: int
    #: For the project counts: the milestone counted and the investment threshold (万元).
    stage: str = ""
    min_investment_wan: Decimal | None = None
    #: For the talent counts: the tier counted ("" — every recognized tier).
    tier: str = ""
    #: The 填报 figure (every reported entry, verified or not) where the indicator has one
    #: (``external_funds``): shown on the ``basis=reported`` switch, never ranked.
    compute_reported: Compute | None = None

    @property
    def has_reported(self) -> bool:
        """Whether there is a 填报 figure: what templates test (they would call
        ``compute_reported`` itself, with no arguments, and fail silently)."""
        return self.compute_reported is not None


def counted_months(year: int, as_of: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first days of the first and last counted months, None when no month counts yet."""
    n = months_counted(year, as_of)
    if n == 0:
        return None
    return dt.date(year, 1, 1), dt.date(year, n, 1)


#: The two figures of the funds (docs/targets.md, "Funds verification"): 核实 counts, 填报 is shown.
VERIFIED, REPORTED = "verified", "reported"
BASES = (VERIFIED, REPORTED)


def fund_entries_counted(year: int, as_of: dt.date, basis: str = VERIFIED) -> Q:
    """Active entries of the counted months (a month counts once ``as_of`` reaches its last day);
    for the ``verified`` basis (the one counted) only the entries the city verified."""
    months = counted_months(year, as_of)
    if months is None:
        return Q(pk__in=[])
    q = Q(superseded_at__isnull=True, month__gte=months[0], month__lte=months[1])
    return q & Q(verification=VERIFIED) if basis == VERIFIED else q


def rollups_counted(year: int, as_of: dt.date) -> QuerySet[FundRollup]:
    """The rollup rows of the counted months: Σ of exactly the entries ``fund_entries_counted``
    selects (the rollup holds active entries only), a few thousand rows instead of 600 000."""
    months = counted_months(year, as_of)
    if months is None:
        return FundRollup.objects.none()
    return FundRollup.objects.filter(month__gte=months[0], month__lte=months[1]).order_by()


def rollup_column(basis: str) -> str:
    """The rollup's sum of a basis: ``verified_fen`` (核实, counted) or ``fen`` (填报)."""
    return "verified_fen" if basis == VERIFIED else "fen"


def _external_funds(basis: str) -> Compute:
    column = rollup_column(basis)

    def compute(year: int, as_of: dt.date) -> dict[int, Decimal]:
        rows = rollups_counted(year, as_of).values_list("org_unit_id").annotate(fen=Sum(column))
        return {unit_id: Decimal(fen or 0) / FEN_PER_WAN / WAN_PER_YI for unit_id, fen in rows}

    return compute


#: Funds in place from outside the city (all three sources are) in 亿元, per unit: one grouped
#: sum over the rollup of the counted months — of the verified entries (what is counted and
#: ranked) or of every reported one.
external_funds = _external_funds(VERIFIED)
external_funds_reported = _external_funds(REPORTED)


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


def talents_arrived(*, year: int, as_of: dt.date, tier: str = "") -> QuerySet[Talent]:
    """Recognized talents (a tier set by a recognition decision; ``tier``: that one only) whose
    ``arrival_date`` lies in [1 January, ``as_of``] of ``year`` (never past 31 December): the
    talents of ``new_talents`` (新引进人才). A talent counts in the year they arrived, by the
    tier they hold now, at their ``org_unit`` (a station's arrivals count where they work)."""
    start, end = dt.date(year, 1, 1), min(as_of, dt.date(year, 12, 31))
    if end < start:
        return Talent.objects.none()
    talents = Talent.objects.exclude(tier="").filter(arrival_date__gte=start, arrival_date__lte=end)
    return talents.filter(tier=tier) if tier else talents


def _talents_arrived(tier: str) -> Compute:
    def compute(year: int, as_of: dt.date) -> dict[int, Decimal]:
        rows = (
            talents_arrived(year=year, as_of=as_of, tier=tier)
            .order_by()
            .values_list("org_unit_id")
            .annotate(n=Count("pk"))
        )
        return {unit_id: Decimal(n) for unit_id, n in rows}

    return compute


#: The label of each tier's count (``new_talents_a`` …), spelled out for the catalogue.
_TIER_LABELS: dict[str, Promise] = {
    Tier.A.value: _("New tier A talents"),
    Tier.B.value: _("New tier B talents"),
    Tier.C.value: _("New tier C talents"),
    Tier.D.value: _("New tier D talents"),
    Tier.E.value: _("New tier E talents"),
}


def _talent_indicators() -> list[Indicator]:
    """``new_talents`` and one count per tier (``new_talents_a`` … ``new_talents_e``)."""
    out = [Indicator("new_talents", _("New recognized talents"), "人", _("talents"), _talents_arrived(""),
                     "talents", 0)]
    for tier in Tier:
        out.append(
            Indicator(f"new_talents_{tier.value.lower()}", _TIER_LABELS[tier.value], "人", _("talents"),
                      _talents_arrived(tier.value), "talents", 0, tier=tier.value)
        )
    return out


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
            compute_reported=external_funds_reported,
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
        *_talent_indicators(),
    )
}


def indicator_choices() -> list[tuple[str, str]]:
    return [(code, str(i.label)) for code, i in REGISTRY.items()]
