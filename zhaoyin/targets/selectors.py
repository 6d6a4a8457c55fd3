"""Scoped reads of targets and progress (DESIGN 3.3), project alerts (3.2) and cycle times.

Progress is computed in a constant number of queries whatever the number of units: the org
units (1), the user's subtree (≤ 1), the targets with their monthly plans (2) and the
indicator's grouped aggregate (1: over the funds rollup, or over the projects' milestone
columns). Actuals are rolled up the org tree in Python: a county's actual includes the parks
inside it.

Scope: a city-wide role sees every unit and the city row is the city; a unit-scoped user sees
its own subtree's units and its "city" row is its own unit's subtree total, so every total
equals the sum of what the user may see. Ranks are among all units of the same ranking group
in the city (``accounts.ranking``; the monthly 通报 publishes them to every unit); they reveal
a position, no figures. A unit whose group membership does not roll up (新桥 in 淮南) is taken
out of its parent's row — records and target — so no figure is counted in two ranked rows.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind, User
from zhaoyin.accounts.ranking import Group, Grouping, load_grouping
from zhaoyin.accounts.scope import sees_whole_city, visible_unit_ids
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.money import fen_sum
from zhaoyin.core.roles import CITY_WIDE_ROLES, UNIT_ROLES, Role
from zhaoyin.lib import cycle_times as ct
from zhaoyin.lib import indicators as arith
from zhaoyin.projects.models import FundEntry, Project
from zhaoyin.talents.models import Talent
from zhaoyin.targets.indicators import (
    BASES,
    MILESTONE_COLUMN,
    REGISTRY,
    REPORTED,
    VERIFIED,
    Indicator,
    fund_entries_counted,
    projects_reaching,
    talents_arrived,
)
from zhaoyin.targets.models import Target

#: Who reads progress: the pipeline's readers, city-wide roles and unit roles (scoped by the
#: org tree), as for projects; the service member's business is its group's enterprises.
READER_ROLES: frozenset[Role] = frozenset(CITY_WIDE_ROLES | UNIT_ROLES)
#: Who sets targets.
EDITOR_ROLES: frozenset[Role] = frozenset({Role.CITY_ADMIN})
#: Kinds of unit listed in the progress table even without a target.
RANKED_KINDS = (OrgUnitKind.COUNTY, OrgUnitKind.PARK)
MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass(frozen=True)
class Row:
    """One unit's progress. ``completion``/``gap`` are None without a target."""

    unit: OrgUnit
    target: Decimal | None
    actual: Decimal
    completion: Decimal | None
    time_progress: Decimal
    gap: Decimal | None
    rank: int | None
    #: Decimal places of the indicator's numbers (2 for 亿元, 0 for counts): how they are shown.
    places: int = 2
    #: The ranking group the rank is within (None for the city row).
    group: Group | None = None
    #: True when the row leaves out a park inside it that does not roll up (its drill-down
    #: then lists the records without that park's: ``ranked=1``).
    excludes: bool = False


@dataclass(frozen=True)
class Progress:
    year: int
    indicator: Indicator
    as_of: dt.date
    time_progress: Decimal
    city: Row | None
    items: list[Row]
    #: Which funds figure the actuals show (``verified`` or ``reported``); ranks are always
    #: computed on the verified figure.
    basis: str = "verified"


# ---- parameters ------------------------------------------------------------------------------


def parse_progress_params(
    year: object, indicator: object, as_of: object, *, today: dt.date
) -> tuple[int, Indicator, dt.date]:
    """Validate the query parameters; InvalidInput names every bad one."""
    errors: list[dict[str, str]] = []
    year_value = 0
    try:
        year_value = int(str(year).strip())
        if not MIN_YEAR <= year_value <= MAX_YEAR:
            raise ValueError
    except (TypeError, ValueError):
        errors.append({"field": "year", "message": _("Enter a year between 2000 and 2100.")})
    ind = REGISTRY.get(str(indicator or ""))
    if ind is None:
        errors.append({"field": "indicator", "message": _("Unknown indicator.")})
    day = today
    if as_of not in (None, ""):
        try:
            day = dt.date.fromisoformat(str(as_of))
            if len(str(as_of)) != 10:
                raise ValueError
        except ValueError:
            errors.append({"field": "as_of", "message": _("Enter a date as YYYY-MM-DD.")})
    if errors:
        raise InvalidInput(errors[0]["message"], errors)
    assert ind is not None
    return year_value, ind, day


def parse_basis(value: object) -> str:
    """The funds figure asked for: ``verified`` (default, blank) or ``reported``; else
    InvalidInput naming ``basis``."""
    text = str(value or "").strip() or VERIFIED
    if text not in BASES:
        raise InvalidInput.field("basis", _("Choose verified or reported."))
    return text


# ---- scope -----------------------------------------------------------------------------------


def can_edit_targets(user: User) -> bool:
    return user.has_role(*EDITOR_ROLES) and not user.admin_role


# ---- progress --------------------------------------------------------------------------------


def base_time_progress(year: int, as_of: dt.date) -> Decimal:
    """序时进度: whole months ÷ 12 by default; by days when ZHAOYIN_TIME_PROGRESS = "days"."""
    if getattr(settings, "ZHAOYIN_TIME_PROGRESS", "months") == "days":
        return arith.time_progress_days(year, as_of)
    return arith.time_progress_months(year, as_of)


def _rolled_up(units: list[OrgUnit], direct: dict[int, Decimal]) -> dict[int, Decimal]:
    """Each unit's value plus its descendants' (through the materialised path)."""
    known = {u.pk for u in units}
    path_of = {u.pk: u.path for u in units}
    total: dict[int, Decimal] = defaultdict(Decimal)
    for unit_id, value in direct.items():
        path = path_of.get(unit_id)
        if path is None:
            continue
        for part in path.strip("/").split("/"):
            ancestor = int(part)
            if ancestor in known:
                total[ancestor] += value
    return total


def _excluded_below(units: list[OrgUnit], grouping: Grouping) -> dict[int, list[int]]:
    """For each unit, the nearest units below it that do not roll up into it: their subtrees
    are left out of its ranked row."""
    by_id = {u.pk: u for u in units}
    out: dict[int, list[int]] = defaultdict(list)
    for unit in units:
        if grouping.rolls_up(unit.pk) or unit.parent_id is None:
            continue
        ancestors = [int(part) for part in unit.path.strip("/").split("/")[:-1]]
        # Only the nearest non-rolling unit is subtracted: a deeper one is inside it already.
        if any(a in by_id and not grouping.rolls_up(a) for a in ancestors):
            continue
        for ancestor in ancestors:
            out[ancestor].append(unit.pk)
    return out


def progress_for(
    user: User, *, year: int, indicator: Indicator, as_of: dt.date, basis: str = VERIFIED
) -> Progress:
    """Progress of each visible unit and of the user's "city" (see the module docstring).

    ``basis="reported"`` shows the 填报 figure of an indicator that has one (the funds); the
    ranks stay those of the verified figure (docs/targets.md, "Funds verification")."""
    units = list(OrgUnit.objects.filter(is_active=True).order_by("sort_order", "path"))
    visible = visible_unit_ids(user)
    grouping = load_grouping()
    targets = {
        t.org_unit_id: t
        for t in Target.objects.filter(year=year, indicator=indicator.code).prefetch_related("month_plans")
    }
    counted = _rolled_up(units, indicator.compute(year, as_of))
    reported = indicator.compute_reported if basis == REPORTED else None
    actuals = _rolled_up(units, reported(year, as_of)) if reported is not None else counted
    excluded = _excluded_below(units, grouping)
    base = base_time_progress(year, as_of)
    months = arith.months_counted(year, as_of)

    def figures(unit: OrgUnit, of: dict[int, Decimal], *, ranked: bool) -> tuple[Decimal, Decimal | None]:
        """A row's actual (from ``of``) and target; a ranked row without the parks below it
        that do not roll up."""
        target = targets.get(unit.pk)
        actual = of.get(unit.pk, Decimal(0))
        value = target.value if target else None
        if ranked:
            # A park that does not roll up is ranked on its own: its records and its target
            # (part of the county's, as the city sets them) leave the county's row.
            for below in excluded.get(unit.pk, ()):
                actual -= of.get(below, Decimal(0))
                if value is not None and below in targets:
                    value -= targets[below].value
            if value is not None and value <= 0:
                value = None
        return actual, value

    def row(
        unit: OrgUnit, *, ranked: bool
    ) -> tuple[OrgUnit, Decimal | None, Decimal, Decimal | None, Decimal]:
        target = targets.get(unit.pk)
        actual, value = figures(unit, actuals, ranked=ranked)
        time_progress = base
        if target is not None:
            plan = {p.month: p.cumulative for p in target.month_plans.all()}
            if plan:
                time_progress = arith.time_progress_plan(months, target.value, plan) or base
        completion = arith.completion(actual, value)
        return unit, value, actual, completion, time_progress

    listed = [u for u in units if u.kind in RANKED_KINDS or (u.pk in targets and u.parent_id is not None)]
    computed = [row(u, ranked=True) for u in listed]
    ranks: dict[int, int] = {}
    by_group: dict[str, dict[int, Decimal | None]] = defaultdict(dict)
    for unit, target, _a, completion, _tp in computed:
        # Ranked on the verified figure whatever the basis shown.
        if actuals is not counted:
            completion = arith.completion(figures(unit, counted, ranked=True)[0], target)
        by_group[grouping.group_of(unit).code][unit.pk] = completion
    for values in by_group.values():
        ranks.update(arith.rank(values))
    items = [
        Row(
            unit, target, actual, completion, tp, arith.gap(completion, tp), ranks.get(unit.pk), indicator.places,
            grouping.group_of(unit), bool(excluded.get(unit.pk)),
        )
        for unit, target, actual, completion, tp in computed
        if visible is None or unit.pk in visible
    ]
    city_unit: OrgUnit | None
    if visible is None:
        city_unit = next((u for u in units if u.parent_id is None), None)
    else:
        city_unit = next((u for u in units if u.pk == user.org_unit_id and u.pk in visible), None)
    city: Row | None = None
    if city_unit is not None:
        unit, target, actual, completion, tp = row(city_unit, ranked=False)
        city = Row(unit, target, actual, completion, tp, arith.gap(completion, tp), None, indicator.places)
    return Progress(year, indicator, as_of, base, city, items, basis if indicator.compute_reported else VERIFIED)


def rows_by_group(rows: list[Row], link: Callable[[Row], str]) -> list[tuple[Group | None, list[tuple[Row, str]]]]:
    """The rows in their ranking groups (by the groups' order), each with its drill-down
    link, for the page and the 通报: within a group the rows keep the table's order."""
    groups: dict[str, tuple[Group | None, list[tuple[Row, str]]]] = {}
    for r in rows:
        key = r.group.code if r.group else ""
        groups.setdefault(key, (r.group, []))[1].append((r, link(r)))
    return sorted(groups.values(), key=lambda g: (g[0].order if g[0] else -1, g[0].code if g[0] else ""))


# ---- drill-down ------------------------------------------------------------------------------


def _unit_subtree_for(user: User, code: str, *, ranked: bool = False) -> list[int]:
    """Ids of ``code``'s subtree the user may see: an unknown code → InvalidInput naming
    ``org_unit``; a unit outside the user's scope → Http404, as for any out-of-scope record.
    ``ranked``: without the subtrees of the units below that do not roll up (the records of
    the unit's ranked row)."""
    unit = OrgUnit.objects.filter(code=code).first()
    visible = visible_unit_ids(user)
    if unit is None:
        raise InvalidInput.field("org_unit", _("Unknown org unit."))
    if visible is not None and unit.pk not in visible:
        raise Http404
    subtree = list(OrgUnit.objects.filter(path__startswith=unit.path).values_list("pk", "path"))
    if ranked:
        grouping = load_grouping()
        cut = [f"/{pk}/" for pk, _path in subtree if pk != unit.pk and not grouping.rolls_up(pk)]
        subtree = [(pk, path) for pk, path in subtree if not any(c in path for c in cut)]
    ids = [pk for pk, _path in subtree]
    return ids if visible is None else [i for i in ids if i in visible]


def default_unit_code(user: User) -> str:
    if sees_whole_city(user):
        root = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()
        return root.code if root else ""
    return user.org_unit.code if user.org_unit is not None else ""


def funds_behind(
    user: User, *, org_unit: str, year: int, as_of: dt.date, basis: str = VERIFIED, ranked: bool = False
) -> QuerySet[FundEntry]:
    """The active fund entries counted in ``org_unit``'s external_funds (``basis="reported"``:
    every reported one, verified or not), in the user's scope (``ranked``: those of its ranked
    row, see ``_unit_subtree_for``)."""
    ids = _unit_subtree_for(user, org_unit, ranked=ranked)
    return (
        FundEntry.objects.filter(fund_entries_counted(year, as_of, basis), project__org_unit_id__in=ids)
        .select_related("project", "project__org_unit")
        .order_by("month", "project__code", "source", "kind", "id")
    )


def funds_behind_total(entries: QuerySet[FundEntry]) -> Decimal:
    """Σ of the listed entries in 亿元, exact."""
    fen = entries.order_by().aggregate(fen=fen_sum("amount_wan"))["fen"] or 0
    return Decimal(fen) / Decimal(100) / Decimal(10000)


def projects_behind(
    user: User, *, indicator: Indicator, org_unit: str, year: int, as_of: dt.date, ranked: bool = False
) -> list[tuple[Project, dt.date]]:
    """The projects counted in ``org_unit``'s count indicator and the date each reached it."""
    ids = _unit_subtree_for(user, org_unit, ranked=ranked)
    column = MILESTONE_COLUMN[indicator.stage]
    reached = (
        projects_reaching(indicator.stage, min_investment_wan=indicator.min_investment_wan, year=year, as_of=as_of)
        .filter(org_unit_id__in=ids)
        .select_related("org_unit", "industry")
    )
    return sorted(((p, getattr(p, column)) for p in reached), key=lambda pair: (pair[1], pair[0].code))


def talents_behind(
    user: User, *, indicator: Indicator, org_unit: str, year: int, as_of: dt.date, ranked: bool = False
) -> list[Talent]:
    """The talents counted in ``org_unit``'s talent indicator (``new_talents``, a tier's), by
    arrival date: the unit's subtree the user may see, as for the other drill-downs."""
    ids = _unit_subtree_for(user, org_unit, ranked=ranked)
    return list(
        talents_arrived(year=year, as_of=as_of, tier=indicator.tier)
        .filter(org_unit_id__in=ids)
        .select_related("org_unit", "employer", "industry", "station")
        .order_by("arrival_date", "name", "id")
    )


def targets_for_year(year: int) -> QuerySet[Target]:
    return Target.objects.filter(year=year).select_related("org_unit").prefetch_related("month_plans")


# ---- cycle times -----------------------------------------------------------------------------

SPANS = ("contact_to_signing", "signing_to_start", "start_to_production")


@dataclass(frozen=True)
class CycleGroup:
    key: int
    name: str
    spans: dict[str, ct.Distribution]

    @property
    def cells(self) -> list[ct.Distribution]:
        return [self.spans[s] for s in SPANS]


#: The span column of each span.
SPAN_COLUMN = {
    "contact_to_signing": "contact_to_signing_days",
    "signing_to_start": "signing_to_start_days",
    "start_to_production": "start_to_production_days",
}


def cycle_time_distributions(user: User, *, by: str) -> list[CycleGroup]:
    """Distributions of the three spans per org unit (``by="unit"``, the project's own unit) or
    per industry (``by="industry"``) over the projects the user may see.

    Two queries over the projects' span columns (kept by the stage services): the groups, and
    the spans of the signed projects (every span needs a signing, so the others have none).
    """
    if by not in ("unit", "industry"):
        raise InvalidInput.field("by", _("Choose unit or industry."))
    visible = visible_unit_ids(user)
    projects = Project.objects.order_by()
    if visible is not None:
        projects = projects.filter(org_unit_id__in=visible)
    field = "org_unit" if by == "unit" else "industry"
    names = dict(projects.values_list(f"{field}_id", f"{field}__name").distinct())
    counts: dict[int, dict[str, Counter[int]]] = defaultdict(lambda: {s: Counter() for s in SPANS})
    rows = projects.filter(signed_on__isnull=False).values_list(f"{field}_id", *(SPAN_COLUMN[s] for s in SPANS))
    for group_id, *days in rows:
        spans = counts[group_id]
        for span, value in zip(SPANS, days, strict=True):
            if value is not None:
                spans[span][value] += 1
    return [
        CycleGroup(gid, name, {s: ct.distribution_of_counts(counts[gid][s]) for s in SPANS})
        for gid, name in sorted(names.items(), key=lambda kv: kv[1])
    ]
