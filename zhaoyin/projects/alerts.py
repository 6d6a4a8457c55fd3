"""红黄绿灯 of the investment projects (DESIGN 3.2): evaluated live, and stored per project.

The rules are the pure ``zhaoyin.lib.alerts``; thresholds are ``settings.ZHAOYIN_ALERTS``.

- ``project_alerts(projects, today=)`` evaluates the given projects now, reasons included: one
  grouped aggregate of their funds to date (the detail page, the cockpit's listed projects, a
  cockpit for a past day).
- ``Project.alert_level`` / ``alert_date`` store each project's light as of a day, so that the
  project list can show and filter it and the cockpit can count it at province scale without
  evaluating 15 000 projects per request. ``alerts_refresh`` writes them: for one project in the
  same transaction as every write the light reads (a stage change, an edit of the planned
  dates or the investment, a funds entry, correction or import), and for every watched project
  by the periodic job ``projects.alerts`` (hourly, so the lights move with the calendar on the
  day they change). The stored light is a derived value, like the funds rollup, and is not
  audited: the records it derives from are.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from zhaoyin.core.money import fen_sum
from zhaoyin.lib import alerts as rules
from zhaoyin.projects.models import FundEntry, Project

#: Stages a project can be flagged in (the rules watch no other).
WATCHED: frozenset[str] = rules.AWAITING_START | rules.UNDER_CONSTRUCTION
#: Projects evaluated per batch by a full refresh.
BATCH = 2000


def alert_thresholds() -> rules.Thresholds:
    return rules.Thresholds.from_mapping(getattr(settings, "ZHAOYIN_ALERTS", {}))


def _funds_to_date(project_ids: list[int], day: dt.date) -> dict[int, Decimal]:
    """Active funds of months up to ``day`` per project, in 万元 (one grouped aggregate)."""
    if not project_ids:
        return {}
    rows = (
        FundEntry.objects.filter(project_id__in=project_ids, superseded_at__isnull=True, month__lte=day)
        .values_list("project_id")
        .annotate(fen=fen_sum("amount_wan"))
        .order_by()
    )
    return {pid: Decimal(fen or 0) / Decimal(100) for pid, fen in rows}


def project_alerts(projects: Iterable[Project], *, today: dt.date | None = None) -> dict[int, rules.Alert]:
    """The light of each project on ``today`` (default: today), with its reasons."""
    day = today or timezone.localdate()
    items = list(projects)
    funds = _funds_to_date([p.pk for p in items], day)
    thresholds = alert_thresholds()
    return {
        p.pk: rules.evaluate(
            rules.ProjectFacts(
                stage=p.stage,
                today=day,
                total_investment_wan=p.total_investment_wan,
                funds_to_date_wan=funds.get(p.pk, Decimal(0)),
                planned_start_on=p.planned_start_on,
                planned_production_on=p.planned_production_on,
            ),
            thresholds,
        )
        for p in items
    }


def alerts_refresh(*, project_ids: Iterable[int] | None = None, today: dt.date | None = None) -> int:
    """Store the light of ``project_ids`` (every project when None) as of ``today``; returns
    how many lights changed. Unwatched projects are green; watched ones are evaluated in
    batches (one read of the projects and one of their funds per batch, one update per level).
    """
    day = today or timezone.localdate()
    projects = Project.objects.order_by("pk")
    if project_ids is not None:
        projects = projects.filter(pk__in=list(project_ids))
    changed = projects.exclude(stage__in=WATCHED).exclude(alert_level=rules.Level.GREEN).update(
        alert_level=rules.Level.GREEN, alert_date=day
    )
    watched = projects.filter(stage__in=WATCHED).only(
        "pk", "stage", "total_investment_wan", "planned_start_on", "planned_production_on", "alert_level"
    )
    last = 0
    while True:
        batch = list(watched.filter(pk__gt=last)[:BATCH])
        if not batch:
            return changed
        last = batch[-1].pk
        lights = project_alerts(batch, today=day)
        by_level: dict[str, list[int]] = defaultdict(list)
        for p in batch:
            by_level[lights[p.pk].level].append(p.pk)
            changed += lights[p.pk].level != p.alert_level
        for level, ids in by_level.items():
            Project.objects.filter(pk__in=ids).update(alert_level=level, alert_date=day)
        if len(batch) < BATCH:  # the last batch: no need to ask for another
            return changed


def stored_lights_fresh(projects: QuerySet[Project], day: dt.date) -> bool:
    """Whether every watched project of ``projects`` has its light stored as of ``day``."""
    return not projects.filter(stage__in=WATCHED).exclude(alert_date=day).exists()


def refresh_all() -> None:
    """The periodic job: today's light on every project."""
    alerts_refresh()
