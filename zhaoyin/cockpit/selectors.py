"""The city cockpit (驾驶舱): one read of everything the user may see, for a year and a day.

Nothing here is computed anew: progress comes from ``zhaoyin.targets.selectors.progress_for``
(its "city" row is the user's own scope), the projects from
``zhaoyin.projects.selectors.project_list_visible_to``, the lights from ``project_alerts``, the
cycle times from ``cycle_time_distributions`` and the fund sums through ``fen_sum`` (exact).
The funds charts count the same entries as external_funds (``fund_entries_counted``), so
each chart adds up to the KPI's actual. The number of queries does not grow with the data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.money import fen_sum
from zhaoyin.lib import alerts as alert_rules
from zhaoyin.projects.choices import MAIN_LINE, FundSource, Stage
from zhaoyin.projects.models import FundEntry, Project
from zhaoyin.projects.selectors import project_list_visible_to
from zhaoyin.targets import selectors as targets
from zhaoyin.targets.indicators import REGISTRY, counted_months, fund_entries_counted

#: The cockpit is read by whoever reads target progress (the same scope rule).
READER_ROLES = targets.READER_ROLES
FUNDS = "external_funds"
YI = Decimal(10000)  # 万元 per 亿元
#: Stages a project can be flagged in (the alert rules watch no other).
WATCHED = alert_rules.AWAITING_START | alert_rules.UNDER_CONSTRUCTION


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
    months: list[tuple[dt.date, Decimal]]
    by_industry: list[tuple[str, str, Decimal]]  # industry code, name, 亿元
    by_source: list[tuple[str, str, Decimal]]  # source code, label, 亿元
    alerts: list[AlertRow]
    cycles: list[targets.CycleGroup]


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


def _counted_funds(user: User, year: int, as_of: dt.date) -> QuerySet[FundEntry]:
    """The entries external_funds counts, limited to the projects the user may see."""
    visible = project_list_visible_to(user).values("pk")
    return FundEntry.objects.filter(fund_entries_counted(year, as_of), project__in=visible).order_by()


def cockpit_for(user: User, *, year: int, as_of: dt.date) -> Cockpit:
    """The cockpit of ``user``'s scope at ``as_of`` (see the module docstring)."""
    progress = targets.progress_for(user, year=year, indicator=REGISTRY[FUNDS], as_of=as_of)
    projects = project_list_visible_to(user)
    per_stage = dict(projects.order_by().values_list("stage").annotate(n=Count("pk")))
    labels = dict(Stage.choices)
    funnel = [(str(s), str(labels[s]), int(per_stage.get(s, 0))) for s in MAIN_LINE]

    watched = list(projects.filter(stage__in=WATCHED).order_by("name", "pk"))
    lights = targets.project_alerts(watched, today=as_of)
    alerts = [
        AlertRow(p, str(lights[p.pk].level), [_reason_text(r) for r in lights[p.pk].reasons])
        for p in watched
        if lights[p.pk].level != alert_rules.Level.GREEN
    ]
    alerts.sort(key=lambda a: (a.level != alert_rules.Level.RED, a.project.name))

    funds = _counted_funds(user, year, as_of)
    monthly = dict(funds.values_list("month").annotate(fen=fen_sum("amount_wan")))
    span = counted_months(year, as_of)
    last = span[1].month if span else 0
    months = [(dt.date(year, n, 1), _yi(monthly.get(dt.date(year, n, 1)))) for n in range(1, last + 1)]
    industries = (
        funds.values_list("project__industry__code", "project__industry__name")
        .annotate(fen=fen_sum("amount_wan"))
        .order_by("-fen", "project__industry__code")
    )
    by_industry = [(code, name, _yi(fen)) for code, name, fen in industries]
    sources = dict(funds.values_list("source").annotate(fen=fen_sum("amount_wan")))
    by_source = [(str(s), str(label), _yi(sources.get(s))) for s, label in FundSource.choices]

    return Cockpit(
        progress=progress,
        project_count=sum(per_stage.values()),
        red=sum(1 for a in alerts if a.level == alert_rules.Level.RED),
        yellow=sum(1 for a in alerts if a.level == alert_rules.Level.YELLOW),
        funnel=funnel,
        months=months,
        by_industry=by_industry,
        by_source=by_source,
        alerts=alerts,
        cycles=targets.cycle_time_distributions(user, by="unit"),
    )


__all__ = ["READER_ROLES", "AlertRow", "Cockpit", "InvalidInput", "cockpit_for", "parse_params"]
