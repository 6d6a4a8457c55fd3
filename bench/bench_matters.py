#!/usr/bin/env python3
"""Matter lists and unit KPIs at province scale (issue 4 acceptance; DESIGN 8).

Builds, in a throwaway database, the matters of ``zhaoyin generate --scale province`` (1 000 000
matters with ~5 events each by default; ``--matters`` to change; the other generators are
skipped) and measures:

- ``matters.list.<case>.<persona>``: the list page and the API list with filters, through
  Django's test client (target p95 ≤ 100 ms; constant query counts). Floor: the request's own
  COUNT and page SELECT over the matter table, replayed raw.
- ``matters.kpis.<persona>``: ``kpi_report`` for the latest full month (target ≤ 300 ms).
  Floor: a bare ``SELECT lead_unit_id, COUNT(*) … GROUP BY`` over the month's matters.
- ``matters.bulletin.<format>``: the monthly bulletin (通报) of the latest full month as Word
  and as PDF, for the supervision office (target ≤ 10 s). Floor: its KPI report alone.

Personas: the supervision office (whole city) and 寿县 staff. One JSON line per measurement.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import analyze, bench_user, django_setup, emit, percentile, recording, replay, run_per_database, timed

LIST_P95_MS = 100.0
KPI_MS = 300.0
BULLETIN_S = 10.0
PERSONAS = {"supervisor": ("supervisor", "340400"), "county_staff": ("staff", "340422")}
MATTER_TABLE = '"matters_matter"'


def summary(samples: list[float]) -> dict[str, float]:
    return {"p50_ms": round(statistics.median(samples), 1), "p95_ms": round(percentile(samples, 95), 1)}


def child(args: argparse.Namespace) -> int:
    db = django_setup()
    from django.test import Client
    from django.utils import timezone

    from zhaoyin.accounts.services import api_token_issue
    from zhaoyin.core.context import acting
    from zhaoyin.demo.generate import generate
    from zhaoyin.matters.bulletin import FORMATS, bulletin_export
    from zhaoyin.matters.kpis import kpi_report
    from zhaoyin.matters.models import Matter, MatterEvent

    started = time.perf_counter()
    overrides = {"enterprises": 0, "projects": 0, "fund_entries": 0, "matters": args.matters}
    with acting(channel="cli"):
        generate(scale="province", seed=1, overrides=overrides)
    analyze()
    emit(
        {
            "name": "matters.build",
            "db": db,
            "matters": Matter.objects.count(),
            "events": MatterEvent.objects.count(),
            "build_s": round(time.perf_counter() - started, 1),
        }
    )
    status = 0
    n = args.requests
    today = timezone.localdate()
    first_of_month = today.replace(day=1)
    last_month = (first_of_month - dt.timedelta(days=1)).replace(day=1)
    cases = {
        "page": "/matters/",
        "page_filtered": "/matters/?state=accepted&alert=overdue",
        "page_search": "/matters/?q=%E7%94%A8%E5%9C%B0",
        "page_deep": "/matters/?page=200",
        "api": "/api/v1/matters?page=1",
        "api_filtered": "/api/v1/matters?source=enterprise_demand&state=rated&page=3",
    }
    for persona, (role, unit) in PERSONAS.items():
        user = bench_user(f"bench_{persona}", role, unit)
        web = Client()
        web.force_login(user)
        token = api_token_issue(user=user)
        for case, url in cases.items():
            client: Any = web
            headers: dict[str, Any] = {}
            if url.startswith("/api/"):
                client, headers = Client(), {"HTTP_AUTHORIZATION": f"Bearer {token}"}
            for _ in range(3):
                response = client.get(url, **headers)
            samples, counts = timed(partial(client.get, url, **headers), n)
            with recording(lambda sql: MATTER_TABLE in sql.split(" WHERE ")[0]) as seen:
                client.get(url, **headers)
            own = [s for s in seen if s[0] and ("COUNT(" in s[0] or " LIMIT " in s[0])]
            floor = percentile(replay(own, n), 95) if own else None
            record: dict[str, Any] = {
                "name": f"matters.list.{case}.{persona}",
                "db": db,
                "url": url,
                "n": n,
                "status": response.status_code,
                **summary(samples),
                "queries": sorted(set(counts)),
                "floor_own_p95_ms": round(floor, 1) if floor else None,
            }
            record["ok"] = response.status_code == 200 and record["p95_ms"] <= LIST_P95_MS and len(set(counts)) == 1
            status |= 0 if record["ok"] else 1
            emit(record)
        kpi_report(user, year=last_month.year, month=last_month.month)
        samples, counts = timed(partial(kpi_report, user, year=last_month.year, month=last_month.month), max(5, n // 3))
        start = dt.datetime.combine(last_month, dt.time(), tzinfo=dt.UTC)
        bare = [
            (
                'SELECT lead_unit_id, COUNT(*) FROM "matters_matter" WHERE assigned_at >= %s AND assigned_at < %s '
                "GROUP BY lead_unit_id",
                [start - dt.timedelta(hours=8), dt.datetime.combine(first_of_month, dt.time(), tzinfo=dt.UTC)],
            )
        ]
        floor_ms = statistics.median(replay(bare, max(5, n // 3)))
        record = {
            "name": f"matters.kpis.{persona}",
            "db": db,
            "month": last_month.isoformat()[:7],
            **summary(samples),
            "queries": sorted(set(counts)),
            "floor_bare_group_by_p50_ms": round(floor_ms, 1),
        }
        record["ok"] = record["p95_ms"] <= KPI_MS
        status |= 0 if record["ok"] else 1
        emit(record)
    supervisor = bench_user("bench_bulletin", "supervisor", "340400")
    kpi_ms = min(timed(partial(kpi_report, supervisor, year=last_month.year, month=last_month.month), 3)[0])
    for fmt in FORMATS:
        samples, _counts = timed(
            partial(
                bulletin_export, acting_user=supervisor, year=last_month.year, month=last_month.month, fmt=fmt
            ),
            3,
        )
        record = {
            "name": f"matters.bulletin.{fmt}",
            "db": db,
            "month": last_month.isoformat()[:7],
            "max_s": round(max(samples) / 1000, 2),
            "floor_kpi_report_ms": round(kpi_ms, 1),
        }
        record["ok"] = record["max_s"] <= BULLETIN_S
        status |= 0 if record["ok"] else 1
        emit(record)
    return 0 if args.allow_slow else status


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--matters", type=int, default=1_000_000)
    parser.add_argument("--allow-slow", action="store_true", help="exit 0 even when a target is missed")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    extra = ["--requests", str(args.requests), "--matters", str(args.matters)]
    return run_per_database(__file__, extra + (["--allow-slow"] if args.allow_slow else []), args.db)


if __name__ == "__main__":
    sys.exit(main())
