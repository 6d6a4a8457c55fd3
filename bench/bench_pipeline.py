#!/usr/bin/env python3
"""Target progress and the city cockpit at province scale (issue 3 acceptance; DESIGN 8).

Builds, in a throwaway database, the province-scale pipeline with ``zhaoyin generate``
(50 000 projects with their stage histories, 600 000 fund entries; the enterprises are
skipped — neither page reads them) plus a target per unit and indicator, then measures:

- ``targets.progress.<indicator>.<persona>``: ``GET /api/v1/targets/progress?year=…&
  indicator=…&as_of=…`` through Django's test client with a bearer token (middleware, JSON
  rendering and all); target p95 ≤ 100 ms. Floors: the request's own indicator queries
  replayed raw, and for external_funds the bare ``SUM … GROUP BY unit`` over the fund entries.
- ``cockpit.data.<persona>``: ``cockpit_for(user, year, as_of=today)`` — everything the
  cockpit shows; target p50 ≤ 150 ms and ≤ 3× the floor: the bare SQL aggregates of the same
  figures over the base tables (funds by unit, month, industry and source over the entries
  joined to their projects; projects by stage and by light), in the user's scope.
- ``cockpit.page.<persona>``: the whole page through the test client (reported).
- ``cockpit.past_day.<persona>``: the cockpit for 30 September, which evaluates every watched
  project's light live instead of counting the stored ones (reported).
- ``alerts.refresh``: the hourly job storing every project's light (reported).

Personas: a leader (the whole city) and a staff user of 寿县 (with the 新桥 park inside).
``--db sqlite|postgres|both`` (default both); ``--projects``/``--entries`` shrink the data.
One JSON line per measurement on stdout.
"""

# The bare SQL below is assembled from constants and %s placeholders; values are parameters.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import analyze, bench_user, django_setup, emit, percentile, recording, replay, run_per_database, timed

PROGRESS_P95_MS = 100.0
COCKPIT_P50_MS = 150.0
COCKPIT_RATIO = 3.0
PERSONAS = {"leader": ("leader", "340400"), "county_staff": ("staff", "340422")}
INDICATORS = ("external_funds", "signed_100m", "started_100m", "producing")


def build(projects: int, entries: int) -> dict[str, Any]:
    from django.utils import timezone

    from zhaoyin.accounts.models import OrgUnit, OrgUnitKind
    from zhaoyin.core.context import acting
    from zhaoyin.demo.generate import generate
    from zhaoyin.targets.models import Target

    started = time.perf_counter()
    with acting(channel="cli"):
        summary = generate(
            scale="province", seed=1, overrides={"enterprises": 0, "projects": projects, "fund_entries": entries}
        )
    year = timezone.localdate().year
    units = OrgUnit.objects.filter(kind__in=[OrgUnitKind.CITY, OrgUnitKind.COUNTY, OrgUnitKind.PARK])
    Target.objects.bulk_create(
        Target(
            year=year,
            indicator=code,
            org_unit=unit,
            value=Decimal(6000 if unit.kind == OrgUnitKind.CITY else 500) if code == "external_funds" else Decimal(40),
            unit="亿元" if code == "external_funds" else "个",
        )
        for unit in units
        for code in INDICATORS
    )
    return {"created": summary["created"], "build_s": round(time.perf_counter() - started, 1)}


def bare_aggregates(unit_ids: list[int] | None, first: dt.date, last: dt.date) -> list[tuple[str, Any]]:
    """The cockpit's figures as plain SQL over the base tables, in the persona's scope."""
    scope = ""
    params: list[Any] = [first, last]
    if unit_ids is not None:
        scope = " AND p.org_unit_id IN (" + ", ".join(["%s"] * len(unit_ids)) + ")"
        params += unit_ids
    funds = (
        'FROM "projects_fundentry" f JOIN "projects_project" p ON p.id = f.project_id '
        "WHERE f.superseded_at IS NULL AND f.month >= %s AND f.month <= %s" + scope
    )
    project_scope = "" if unit_ids is None else " WHERE p.org_unit_id IN (" + ", ".join(["%s"] * len(unit_ids)) + ")"
    project_params = [] if unit_ids is None else list(unit_ids)
    return [
        (f"SELECT p.org_unit_id, SUM(f.amount_wan) {funds} GROUP BY p.org_unit_id", params),
        (f"SELECT f.month, SUM(f.amount_wan) {funds} GROUP BY f.month", params),
        (f"SELECT p.industry_id, SUM(f.amount_wan) {funds} GROUP BY p.industry_id", params),
        (f"SELECT f.source, SUM(f.amount_wan) {funds} GROUP BY f.source", params),
        (f'SELECT p.stage, COUNT(*) FROM "projects_project" p{project_scope} GROUP BY p.stage', project_params),
        (
            f'SELECT p.alert_level, COUNT(*) FROM "projects_project" p{project_scope} GROUP BY p.alert_level',
            project_params,
        ),
    ]


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(percentile(samples, 95), 1),
    }


def child(args: argparse.Namespace) -> int:
    db = django_setup()
    from django.test import Client
    from django.utils import timezone

    from zhaoyin.accounts.scope import subtree_ids
    from zhaoyin.accounts.services import api_token_issue
    from zhaoyin.cockpit.selectors import cockpit_for
    from zhaoyin.projects.alerts import alerts_refresh
    from zhaoyin.projects.models import FundEntry, FundRollup, Project
    from zhaoyin.targets.indicators import counted_months

    built = build(args.projects, args.entries)
    analyze()
    emit(
        {
            "name": "pipeline.build",
            "db": db,
            **built,
            "projects": Project.objects.count(),
            "entries": FundEntry.objects.count(),
            "rollup_rows": FundRollup.objects.count(),
        }
    )
    today = timezone.localdate()
    year = today.year
    status = 0
    users = {name: bench_user(f"bench_{name}", role, unit) for name, (role, unit) in PERSONAS.items()}
    n = args.requests

    # --- targets/progress through the API ------------------------------------------------------
    client = Client()
    for indicator in INDICATORS:
        url = f"/api/v1/targets/progress?year={year}&indicator={indicator}&as_of={today.isoformat()}"
        for persona, user in users.items():
            headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user)}"}
            for _ in range(3):
                response = client.get(url, **headers)
            samples, counts = timed(partial(client.get, url, **headers), n)
            with recording(lambda sql: "projects_fundrollup" in sql or '_on" >= ' in sql) as seen:
                client.get(url, **headers)
            own = [s for s in seen if s[0]]
            record: dict[str, Any] = {
                "name": f"targets.progress.{indicator}.{persona}",
                "db": db,
                "n": n,
                "status": response.status_code,
                **summary(samples),
                "queries": sorted(set(counts)),
                "floor_own_p95_ms": round(percentile(replay(own, n), 95), 2) if own else None,
            }
            if indicator == "external_funds":
                months = counted_months(year, today)
                assert months is not None
                bare = bare_aggregates(None, *months)[:1]
                if persona != "leader":
                    bare = bare_aggregates(subtree_ids(user), *months)[:1]
                floor = percentile(replay(bare, n), 95)
                record["floor_bare_sum_p95_ms"] = round(floor, 1)
            record["ok"] = response.status_code == 200 and record["p95_ms"] <= PROGRESS_P95_MS and len(set(counts)) == 1
            status |= 0 if record["ok"] else 1
            emit(record)

    # --- the cockpit ---------------------------------------------------------------------------
    months = counted_months(year, today)
    assert months is not None
    for persona, user in users.items():
        for _ in range(3):
            cockpit_for(user, year=year, as_of=today)
        samples, counts = timed(partial(cockpit_for, user, year=year, as_of=today), n)
        with recording(lambda sql: True) as seen:
            cockpit_for(user, year=year, as_of=today)
        own_ms = replay(seen, n)
        bare_ms = replay(bare_aggregates(None if persona == "leader" else subtree_ids(user), *months), n)
        p50 = statistics.median(samples)
        floor = statistics.median(bare_ms)
        record = {
            "name": f"cockpit.data.{persona}",
            "db": db,
            "n": n,
            **summary(samples),
            "queries": sorted(set(counts)),
            "floor_bare_aggregates_p50_ms": round(floor, 1),
            "ratio_to_bare": round(p50 / floor, 2),
            "floor_own_queries_p50_ms": round(statistics.median(own_ms), 1),
        }
        record["ok"] = p50 <= COCKPIT_P50_MS and p50 <= COCKPIT_RATIO * floor and len(set(counts)) == 1
        status |= 0 if record["ok"] else 1
        emit(record)

        page = Client()
        page.force_login(user)
        page.get("/cockpit/")
        samples, counts = timed(partial(page.get, "/cockpit/"), max(5, n // 3))
        emit({"name": f"cockpit.page.{persona}", "db": db, **summary(samples), "queries": sorted(set(counts))})

        past = dt.date(year, 9, 30)
        samples, counts = timed(partial(cockpit_for, user, year=year, as_of=past), 3)
        emit({"name": f"cockpit.past_day.{persona}", "db": db, **summary(samples), "queries": sorted(set(counts))})

    started = time.perf_counter()
    changed = alerts_refresh()
    emit({"name": "alerts.refresh", "db": db, "s": round(time.perf_counter() - started, 2), "changed": changed})
    return 0 if args.allow_slow else status


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--projects", type=int, default=50_000)
    parser.add_argument("--entries", type=int, default=600_000)
    parser.add_argument("--allow-slow", action="store_true", help="exit 0 even when a target is missed")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    extra = ["--requests", str(args.requests), "--projects", str(args.projects), "--entries", str(args.entries)]
    return run_per_database(__file__, extra + (["--allow-slow"] if args.allow_slow else []), args.db)


if __name__ == "__main__":
    sys.exit(main())
