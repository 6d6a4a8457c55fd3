"""Reads behind the 亩均 report pages and API (issue 14 item 6): grade distributions per park and
per county with the aggregate 亩均税收 / 亩均营收, the ranking of the groups, the ten lowest
scores per list (后十名), one firm's results over the years, and the low-efficiency parcels
(低效用地) per park. Every read starts from the scoped selectors (a county sees its firms and
parcels only); nothing here writes.

Aggregates follow the engine's rule for a region: Σ tax ÷ Σ land over the firms with both (a
region's 亩均税收 is reported that way), read from the run's snapshot — the figures the run
graded on, not today's inputs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind, User
from zhaoyin.accounts.scope import subtree_ids
from zhaoyin.core.roles import UNIT_ROLES
from zhaoyin.lib.mujun import GRADES
from zhaoyin.mujun import scheme_data
from zhaoyin.mujun.flow import PUBLIC_STATES, State
from zhaoyin.mujun.models import MuInput, MuResult, MuRun, Parcel, ParcelHolding
from zhaoyin.mujun.selectors import CITY_READER_ROLES, result_list_visible_to, run_list_visible_to

BY_CHOICES = ("park", "county")
BOTTOM = 10
UNGRADED = ""
PLACES = Decimal("0.01")


def _ratio(num: Decimal, den: Decimal) -> Decimal | None:
    return (num / den).quantize(PLACES, rounding=ROUND_HALF_UP) if den > 0 else None


def latest_published_run(user: User, year: int | None = None) -> MuRun | None:
    """The latest published run the user may read (of ``year`` when given)."""
    qs = run_list_visible_to(user).filter(state=State.PUBLISHED)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "-id").first()


def snapshot_figures(run: MuRun, names: Iterable[str] = ("tax", "revenue", "land_mu")) -> dict[int, dict[str, Decimal]]:
    """Enterprise id → the named figures of the run's snapshot (absent when not reported)."""
    wanted = tuple(names)
    snapshot = MuRun.objects.filter(pk=run.pk).values_list("snapshot", flat=True).first() or []
    out: dict[int, dict[str, Decimal]] = {}
    for entry in snapshot:
        figures = entry.get("figures") or {}
        out[int(entry["enterprise"])] = {
            k: Decimal(str(figures[k])) for k in wanted if figures.get(k) not in (None, "")
        }
    return out


@dataclass
class Group:
    """A park or county of a distribution: grade counts and the aggregate figures."""

    unit: OrgUnit | None  # None: firms in no park (by park) or in no county
    counts: dict[str, int] = field(default_factory=lambda: {g: 0 for g in (*GRADES, UNGRADED)})
    firms: int = 0
    tax: Decimal = Decimal(0)
    revenue: Decimal = Decimal(0)
    land_for_tax: Decimal = Decimal(0)
    land_for_revenue: Decimal = Decimal(0)
    rank: int | None = None

    @property
    def tax_per_mu(self) -> Decimal | None:
        return _ratio(self.tax, self.land_for_tax)

    @property
    def revenue_per_mu(self) -> Decimal | None:
        return _ratio(self.revenue, self.land_for_revenue)

    @property
    def graded(self) -> int:
        return sum(self.counts[g] for g in GRADES)

    @property
    def grade_counts(self) -> list[int]:
        """The counts of A, B, C, D in that order (a table row)."""
        return [self.counts[g] for g in GRADES]

    @property
    def ungraded(self) -> int:
        return self.counts[UNGRADED]


@dataclass
class Distribution:
    """A run's distribution by park or county for one user, with the 后十名 of each list."""

    run: MuRun
    by: str
    groups: list[Group]
    total: Group
    bottom: dict[str, list[MuResult]]

    @property
    def bottom_lists(self) -> list[tuple[str, str, list[MuResult]]]:
        """(code, name, the ten lowest) of each list, in the scheme's order."""
        names = scheme_data.list_names(self.run.scheme.definition)
        order = {code: i for i, code in enumerate(names)}
        return [(code, names.get(code, code), self.bottom[code])
                for code in sorted(self.bottom, key=lambda c: (order.get(c, len(order)), c))]


def _units() -> dict[int, OrgUnit]:
    return {u.pk: u for u in OrgUnit.objects.all()}


def _group_unit(unit_id: int, by: str, units: dict[int, OrgUnit]) -> OrgUnit | None:
    """The park (or county) a firm's unit is in: itself or its nearest ancestor of that kind."""
    kind = OrgUnitKind.PARK if by == "park" else OrgUnitKind.COUNTY
    unit = units.get(unit_id)
    if unit is None:
        return None
    chain = [int(part) for part in unit.path.strip("/").split("/") if part]
    for pk in reversed(chain):
        found = units.get(pk)
        if found is not None and found.kind == kind:
            return found
    return None


def distribution(user: User, run: MuRun, *, by: str = "county") -> Distribution:
    """The grade distribution of ``run`` by park or county over the results ``user`` may read,
    the groups ranked by aggregate 亩均税收 (best first), and the ten lowest scores per list."""
    if by not in BY_CHOICES:
        raise ValueError(by)
    units = _units()
    figures = snapshot_figures(run)
    groups: dict[int | None, Group] = {}
    total = Group(unit=None)
    rows = result_list_visible_to(user, run).values_list("enterprise_id", "org_unit_id", "grade")
    for enterprise_id, unit_id, grade in rows:
        unit = _group_unit(unit_id, by, units)
        key = unit.pk if unit is not None else None
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(unit=unit)
        f = figures.get(enterprise_id, {})
        for target in (group, total):
            target.firms += 1
            target.counts[grade if grade in GRADES else UNGRADED] += 1
            land = f.get("land_mu")
            if land is not None and land > 0:
                if "tax" in f:
                    target.tax += f["tax"]
                    target.land_for_tax += land
                if "revenue" in f:
                    target.revenue += f["revenue"]
                    target.land_for_revenue += land
    ordered = sorted(
        groups.values(),
        key=lambda g: (g.unit is None, -(g.tax_per_mu if g.tax_per_mu is not None else Decimal(-1)),
                       g.unit.code if g.unit else ""),
    )
    for n, g in enumerate((g for g in ordered if g.unit is not None and g.tax_per_mu is not None), start=1):
        g.rank = n
    return Distribution(run=run, by=by, groups=ordered, total=total, bottom=bottom_ten(user, run))


def bottom_ten(user: User, run: MuRun, n: int = BOTTOM) -> dict[str, list[MuResult]]:
    """后十名: per result list, the ``n`` lowest scores among the results the user may read."""
    # Graded firms only: an exempt or incomplete firm is evaluated, not ranked (不定等级).
    scored = result_list_visible_to(user, run).filter(score__isnull=False, rank__isnull=False).exclude(list_code="")
    lists = sorted(set(scored.values_list("list_code", flat=True)))
    return {code: list(scored.filter(list_code=code).order_by("score", "enterprise__uscc")[:n]) for code in lists}


def results_of_run(user: User, run: MuRun, *, grade: str | None = None, unit: OrgUnit | None = None) -> Any:
    """A run's results the user may read, by list and rank; ``grade`` ("" for not graded) and
    ``unit`` (its subtree) narrow it — the drill-down of a chart's bar."""
    qs = result_list_visible_to(user, run)
    if grade is not None:
        qs = qs.filter(grade=grade)
    if unit is not None:
        qs = qs.filter(unit.descendants_q())
    return qs.order_by("list_code", "rank", "enterprise__uscc")


# ---- one firm --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RadarAxis:
    """One indicator of the firm's latest result: value ÷ benchmark (1 = the benchmark)."""

    code: str
    name: str
    value: Decimal | None
    benchmark: Decimal | None
    ratio: Decimal | None


def firm_results(user: User, enterprise_id: int) -> list[MuResult]:
    """The firm's results the user may read, one per year: the published run's, else the
    latest public run's (an internal reader also sees a run still in 初评 when that is all the
    year has). Oldest first. Empty when the firm is out of the user's scope."""
    qs = result_list_visible_to(user).filter(enterprise_id=enterprise_id).exclude(run__state=State.DISCARDED)
    chosen: dict[int, MuResult] = {}
    order = {State.PUBLISHED: 0, State.PUBLICITY: 1, State.INITIAL: 2}
    for r in qs.order_by("run__year", "-run_id"):
        best = chosen.get(r.run.year)
        if best is None or order.get(State(r.run.state), 3) < order.get(State(best.run.state), 3):
            chosen[r.run.year] = r
    return [chosen[y] for y in sorted(chosen)]


def radar(result: MuResult, names: dict[str, str]) -> list[RadarAxis]:
    out = []
    for row in result.indicators or []:
        code, _formula, value, benchmark = row[:4]
        v = Decimal(str(value)) if value not in (None, "") else None
        b = Decimal(str(benchmark)) if benchmark not in (None, "") else None
        ratio = (v / b).quantize(PLACES, rounding=ROUND_HALF_UP) if v is not None and b else None
        out.append(RadarAxis(str(code), names.get(str(code), str(code)), v, b, ratio))
    return out


# ---- 低效用地 ------------------------------------------------------------------------------------------


@dataclass
class LowParcel:
    """A parcel flagged as low-efficiency: why (idle, every holder D, 亩均税收 below the line)."""

    parcel: Parcel
    reasons: list[str]
    holders: list[str]
    tax_per_mu: Decimal | None


@dataclass
class ParkParcels:
    unit: OrgUnit | None
    parcels: list[LowParcel] = field(default_factory=list)

    @property
    def area(self) -> Decimal:
        return sum((p.parcel.area_mu for p in self.parcels), Decimal(0))


def _parcels_visible_to(user: User) -> Any:
    qs = Parcel.objects.select_related("park")
    if user.has_role(*CITY_READER_ROLES):
        return qs
    if user.has_role(*UNIT_ROLES) and user.org_unit_id is not None:
        ids = subtree_ids(user)
        # A parcel in the user's parks, or in no park but held by one of the user's firms.
        held_here = Q(park__isnull=True, holdings__enterprise__org_unit_id__in=ids)
        return qs.filter(Q(park_id__in=ids) | held_here).distinct()
    return qs.none()


def low_efficiency(user: User, year: int, *, threshold: Decimal | None = None) -> list[ParkParcels]:
    """The year's low-efficiency parcels per park: idle (no holder in the year), every holder
    graded D in the year's published run, or — with ``threshold`` (万元/亩) — a 亩均税收 below it.

    A parcel's 亩均税收 apportions each holder's tax to its parcels by area (a holder's tax ×
    its area on this parcel ÷ its land in the year), summed and divided by the parcel's held
    area; a holder without a tax figure leaves the parcel's value unknown (never flagged on it)."""
    parcels = list(_parcels_visible_to(user).order_by("park__path", "code"))
    run = MuRun.objects.filter(year=year, state=State.PUBLISHED).first()
    grades: dict[int, str] = dict(run.results.values_list("enterprise_id", "grade")) if run is not None else {}
    holdings: dict[int, list[tuple[int, str, Decimal]]] = defaultdict(list)
    land: dict[int, Decimal] = defaultdict(Decimal)
    for parcel_id, enterprise_id, name, area in ParcelHolding.objects.filter(year=year).values_list(
        "parcel_id", "enterprise_id", "enterprise__name", "area_mu"
    ):
        holdings[parcel_id].append((enterprise_id, name, area))
        land[enterprise_id] += area
    tax = dict(MuInput.objects.filter(year=year, figure="tax").values_list("enterprise_id", "value"))
    parks: dict[int | None, ParkParcels] = {}
    for parcel in parcels:
        held = holdings.get(parcel.pk, [])
        reasons = []
        value: Decimal | None = None
        if not held:
            reasons.append("idle")
        else:
            if run is not None and all(grades.get(e) == "D" for e, _n, _a in held):
                reasons.append("all_d")
            if all(e in tax and land[e] > 0 for e, _n, _a in held):
                share = sum((tax[e] * a / land[e] for e, _n, a in held), Decimal(0))
                value = _ratio(share, sum((a for _e, _n, a in held), Decimal(0)))
                if threshold is not None and value is not None and value < threshold:
                    reasons.append("low_tax")
        if reasons:
            key = parcel.park_id
            group = parks.setdefault(key, ParkParcels(unit=parcel.park))
            group.parcels.append(LowParcel(parcel, reasons, [n for _e, n, _a in held], value))
    return sorted(parks.values(), key=lambda p: (p.unit is None, p.unit.path if p.unit else ""))


def public_runs_of(user: User) -> Any:
    """The runs the reports offer: in 公示 or published, latest first."""
    return run_list_visible_to(user).filter(state__in=PUBLIC_STATES).order_by("-year", "-id")
