"""The city cockpit (驾驶舱): one read of everything the user may see, for a year and a day.

Nothing here is computed anew: progress comes from ``zhaoyin.targets.selectors.progress_for``
(its "city" row is the user's own scope), the projects from
``zhaoyin.projects.selectors.project_list_visible_to``, the lights from ``zhaoyin.projects.alerts``, the
cycle times from ``cycle_time_distributions`` and the fund sums from the funds rollup in
whole fen (exact). The funds charts read the same rollup rows as external_funds
(``rollups_counted``), so each chart adds up to the KPI's actual. The number of queries does
not grow with the data.

The talent panel (issue 13 item 8, ``talent_panel_for``) reads each app's own scoped selector,
so every figure is what the user would count on the page it links to: talents
(``talents.selectors.talent_list_visible_to``), the year's ``new_talents`` (the same
``progress_for`` as /targets/), paid talent subsidies (``payouts.selectors
.payout_list_visible_to``), apartment occupancy (``apartments.selectors.occupancy_by_building``)
and talent demands (``matters.selectors.matter_list_visible_to``). docs/talent.md, "Cockpit
talent panel".
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.accounts.scope import NOTHING
from zhaoyin.apartments.selectors import OccupancyRow, occupancy_by_building
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.money import fen_sum, fen_to_amount
from zhaoyin.lib import alerts as alert_rules
from zhaoyin.matters.flow import OPEN_STATES, STATE_LABELS, State
from zhaoyin.matters.selectors import matter_list_visible_to
from zhaoyin.payouts.models import PayoutStatus
from zhaoyin.payouts.selectors import payout_list_visible_to
from zhaoyin.projects.alerts import WATCHED, project_alerts, stored_lights_fresh
from zhaoyin.projects.choices import MAIN_LINE, AlertLevel, FundSource, Stage
from zhaoyin.projects.models import FundRollup, Project
from zhaoyin.projects.selectors import project_list_visible_to, project_scope_q
from zhaoyin.talents.models import TalentStatus, Tier
from zhaoyin.talents.selectors import talent_list_visible_to, talent_scope_q
from zhaoyin.targets import selectors as targets
from zhaoyin.targets.indicators import REGISTRY, VERIFIED, counted_months, rollup_column, rollups_counted

#: The cockpit is read by whoever reads target progress (the same scope rule).
READER_ROLES = targets.READER_ROLES
FUNDS = "external_funds"
YI = Decimal(10000)  # 万元 per 亿元
#: How many red and yellow projects the cockpit lists (the counts link to all of them).
ALERTS_LISTED = 50
#: The talent panel's indicator (targets.indicators): recognized talents arrived in the year.
NEW_TALENTS = "new_talents"
#: A talent demand counts as closed in these states (办结, then rated).
CLOSED_STATES: tuple[str, ...] = (State.CLOSED.value, State.RATED.value)


@dataclass(frozen=True)
class AlertRow:
    project: Project
    level: str
    reasons: list[str]


@dataclass(frozen=True)
class Cockpit:
    """Everything the cockpit shows; money in 亿元 (Decimal)."""

    progress: targets.Progress
    project_count: int
    red: int
    yellow: int
    funnel: list[tuple[str, str, int]]  # stage code, label, projects
    stopped: list[tuple[str, str, int]]  # on hold and terminated: stage code, label, projects (grey)
    months: list[tuple[dt.date, Decimal]]
    by_industry: list[tuple[str, str, Decimal]]  # industry code, name, 亿元
    by_source: list[tuple[str, str, Decimal]]  # source code, label, 亿元
    alerts: list[AlertRow]
    cycles: list[targets.CycleGroup]


@dataclass(frozen=True)
class TalentPanel:
    """The talent panel's figures, each over what the user may see (module docstring)."""

    talents: int  # active talents
    by_tier: list[tuple[str, str, int]]  # tier code ("none": no tier), label, active talents
    by_industry: list[tuple[str, str, int]]  # industry code ("" none), name, active talents
    new_talents: targets.Progress
    subsidies_paid: int  # paid talent entries of the year's periods
    subsidies_wan: Decimal  # their sum, 万元 (exact)
    occupancy: list[OccupancyRow]  # apartment units by building
    units_total: int
    units_occupied: int
    demands_open: int
    demands_closed: int
    demands_on_time: int
    demands_by_state: list[tuple[str, str, int]]  # state code, label, talent demands

    @property
    def occupancy_rate(self) -> Decimal | None:
        """Occupied ÷ units in use (maintenance left out, as the apartments' occupancy page
        counts), None without any."""
        usable = self.units_total - sum(r.maintenance for r in self.occupancy)
        return Decimal(self.units_occupied) / Decimal(usable) if usable else None

    @property
    def on_time_rate(self) -> Decimal | None:
        """Closed in time ÷ closed, None when none is closed."""
        return Decimal(self.demands_on_time) / Decimal(self.demands_closed) if self.demands_closed else None


def parse_params(year: object, as_of: object, *, today: dt.date) -> tuple[int, dt.date]:
    """Validate ``year`` and ``as_of`` (both optional: the year of ``as_of``, today);
    InvalidInput names each bad field."""
    if year in (None, ""):
        try:
            year = dt.date.fromisoformat(str(as_of)).year if as_of not in (None, "") else today.year
        except ValueError:
            year = today.year  # as_of's own error is reported below
    value, _indicator, day = targets.parse_progress_params(year, FUNDS, as_of, today=today)
    return value, day


def _yi(fen: int | None) -> Decimal:
    return Decimal(fen or 0) / Decimal(100) / YI


def _reason_text(reason: alert_rules.Reason) -> str:
    if reason.code == "start_late":
        return _("Start %(months)s month(s) late") % {"months": reason.months_late}
    if reason.code == "investment_behind":
        return _("Investment behind plan by %(points)s points") % {
            "points": ((reason.behind or Decimal(0)) * 100).quantize(Decimal("0.1"))
        }
    return reason.code


def _counted_funds(user: User, year: int, as_of: dt.date) -> QuerySet[FundRollup]:
    """The rollup of the entries external_funds counts, limited to the user's units (a
    project's visibility is its unit's: ``project_scope_q`` is ``unit_scope_q``)."""
    return rollups_counted(year, as_of).filter(project_scope_q(user))


def _alerts(projects: QuerySet[Project], as_of: dt.date) -> tuple[int, int, list[AlertRow]]:
    """Red and yellow counts and the first ``ALERTS_LISTED`` flagged projects (red first).

    Today, with every watched light stored as of today (``zhaoyin.projects.alerts``): counted
    by the database, and only the listed projects evaluated again for their reasons. Another
    day, or a light not yet refreshed: every watched project is evaluated (the same rules, the
    same result, slower at province scale).
    """
    watched = projects.filter(stage__in=WATCHED)
    if as_of == timezone.localdate() and stored_lights_fresh(watched, as_of):
        # Only watched projects can be red or yellow (a stage change away refreshes the light),
        # so the (alert_level, …) indexes answer both reads without touching the green ones.
        lit = projects.filter(alert_level__in=[AlertLevel.RED, AlertLevel.YELLOW])
        counts = dict(lit.order_by().values_list("alert_level").annotate(n=Count("pk")))
        # "red" sorts before "yellow": red first, then by name.
        flagged_qs = lit.order_by("alert_level", "name", "pk")
        flagged = list(flagged_qs[:ALERTS_LISTED])
        lights = project_alerts(flagged, today=as_of)
    else:
        every = list(watched.order_by("name", "pk"))
        lights = project_alerts(every, today=as_of)
        counts = Counter(str(light.level) for light in lights.values())
        flagged = [p for p in every if lights[p.pk].level != alert_rules.Level.GREEN]
        flagged.sort(key=lambda p: lights[p.pk].level != alert_rules.Level.RED)
        flagged = flagged[:ALERTS_LISTED]
    rows = [
        AlertRow(
            p, alert_rules.light_shown(p.stage, lights[p.pk].level), [_reason_text(r) for r in lights[p.pk].reasons]
        )
        for p in flagged
    ]
    return int(counts.get(AlertLevel.RED, 0)), int(counts.get(AlertLevel.YELLOW, 0)), rows


def cockpit_for(user: User, *, year: int, as_of: dt.date, basis: str = VERIFIED) -> Cockpit:
    """The cockpit of ``user``'s scope at ``as_of`` (see the module docstring). ``basis``:
    the funds figure shown (verified, the default, or reported); the charts follow it."""
    progress = targets.progress_for(user, year=year, indicator=REGISTRY[FUNDS], as_of=as_of, basis=basis)
    fen = rollup_column(basis)
    projects = project_list_visible_to(user)
    per_stage = dict(projects.order_by().values_list("stage").annotate(n=Count("pk")))
    labels = dict(Stage.choices)
    funnel = [(str(s), str(labels[s]), int(per_stage.get(s, 0))) for s in MAIN_LINE]
    # Paused and stopped projects are counted in project_count: shown apart, grey (issue 16).
    stopped = [(str(s), str(labels[s]), int(per_stage.get(s, 0))) for s in (Stage.ON_HOLD, Stage.TERMINATED)]

    red, yellow, alerts = _alerts(projects, as_of)

    funds = _counted_funds(user, year, as_of)
    monthly = dict(funds.values_list("month").annotate(fen=Sum(fen)))
    span = counted_months(year, as_of)
    last = span[1].month if span else 0
    months = [(dt.date(year, n, 1), _yi(monthly.get(dt.date(year, n, 1)))) for n in range(1, last + 1)]
    industries = (
        funds.values_list("industry__code", "industry__name")
        .annotate(total=Sum(fen))
        .order_by("-total", "industry__code")
    )
    by_industry = [(code, name, _yi(fen)) for code, name, fen in industries]
    sources = dict(funds.values_list("source").annotate(fen=Sum(fen)))
    by_source = [(str(s), str(label), _yi(sources.get(s))) for s, label in FundSource.choices]

    return Cockpit(
        progress=progress,
        project_count=sum(per_stage.values()),
        red=red,
        yellow=yellow,
        funnel=funnel,
        stopped=stopped,
        months=months,
        by_industry=by_industry,
        by_source=by_source,
        alerts=alerts,
        cycles=targets.cycle_time_distributions(user, by="unit"),
    )


def talent_panel_for(user: User, *, year: int, as_of: dt.date) -> TalentPanel | None:
    """The talent panel of ``user`` (None when the user has no talent scope): eight grouped
    queries plus those of one ``progress_for``, whatever the number of records.

    Talents, occupancy and demands are as they stand now (their lists have no date filter);
    ``new_talents`` is the indicator for ``year`` at ``as_of``; subsidies are the talent
    entries paid (status ``paid``) whose period lies in ``year``, as the ledger's year filter
    counts them, so the figure is what ``/payouts/?status=paid&year=`` lists (only a talent's
    entry can be paid: an enterprise's stops at approved).
    """
    if talent_scope_q(user) == NOTHING:
        return None
    active = talent_list_visible_to(user).filter(status=TalentStatus.ACTIVE).order_by()
    tiers = dict(active.values_list("tier").annotate(n=Count("pk")))
    by_tier = [(str(t), str(label), int(tiers.get(t, 0))) for t, label in Tier.choices]
    by_tier.append(("none", _("No tier"), int(tiers.get("", 0))))
    industries = (
        active.values_list("industry__code", "industry__name").annotate(n=Count("pk")).order_by("-n", "industry__code")
    )
    by_industry = [(code or "", name or _("No industry"), int(n)) for code, name, n in industries]

    paid = (
        payout_list_visible_to(user)
        .filter(talent__isnull=False, status=PayoutStatus.PAID, period__startswith=str(year))
        .order_by()
        .aggregate(n=Count("pk"), fen=fen_sum("amount_wan"))
    )
    occupancy = occupancy_by_building(user)

    demands = matter_list_visible_to(user).filter(talent__isnull=False).order_by()
    rows = list(
        demands.values_list("state").annotate(n=Count("pk"), in_time=Count("pk", filter=Q(closed_on_time=True)))
    )
    states = {state: n for state, n, _in_time in rows}
    on_time = sum(in_time for state, _n, in_time in rows if state in CLOSED_STATES)
    by_state = [(s.value, str(STATE_LABELS[s]), int(states.get(s.value, 0))) for s in State]
    return TalentPanel(
        talents=sum(n for _t, _l, n in by_tier),
        by_tier=by_tier,
        by_industry=by_industry,
        new_talents=targets.progress_for(user, year=year, indicator=REGISTRY[NEW_TALENTS], as_of=as_of),
        subsidies_paid=int(paid["n"] or 0),
        subsidies_wan=fen_to_amount(paid["fen"]),
        occupancy=occupancy,
        units_total=sum(r.total for r in occupancy),
        units_occupied=sum(r.occupied for r in occupancy),
        demands_open=sum(int(states.get(s.value, 0)) for s in OPEN_STATES),
        demands_closed=sum(int(states.get(s, 0)) for s in CLOSED_STATES),
        demands_on_time=on_time,
        demands_by_state=by_state,
    )


__all__ = [
    "READER_ROLES",
    "AlertRow",
    "Cockpit",
    "InvalidInput",
    "TalentPanel",
    "cockpit_for",
    "parse_params",
    "talent_panel_for",
]
