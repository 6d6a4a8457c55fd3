#!/usr/bin/env python3
"""亩均 runs at province scale (issue 14): a stored run of 100 000 firms and its pages.

Builds, in a throwaway database, ``--firms`` enterprises (``zhaoyin generate --scale province``'s
org tree; the firms bulk-inserted) with 实缴税金, 主营业务收入 and one parcel each for 2025, and
a scheme of two lists (规上 亩均税收 60 + 亩均营收 40; 规下 亩均税收 100, average benchmarks,
percentile grades). Then measures:

- ``mujun.run_create`` as the 亩均 office: the snapshot read (``snapshot.build``), the engine
  (``lib.mujun.evaluate`` + ``Run.digest``; target ≤ 10 s) and the storing (one transaction,
  results in chunks) — reported apart — and the process's peak memory (RSS);
- a firm's result page (``/mujun/runs/results/<pk>/``, random firms), the run's results page
  (``/mujun/runs/<pk>/``, random pages of 50, by rank: the default) and the same list through
  the API (``/api/v1/mu-runs/<pk>/results``, a bearer token): p95 ≤ 100 ms each. FLOOR: the
  same request's statements on ``mujun_muresult`` replayed with a bare cursor (the count, the
  page's ids in rank order, the rows the page shows).

One JSON line per measurement.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import analyze, bench_user, django_setup, emit, percentile, recording, replay, run_per_database, timed

ENGINE_S = 10.0
PAGE_P95_MS = 100.0
YEAR = 2025
DEFINITION = {
    "lists": [
        {"code": "above", "name": "规上企业", "scope": {"size_classes": ["above"]},
         "indicators": [
             {"code": "tax_per_mu", "name": "亩均税收", "formula": "tax / land_mu", "weight": "60",
              "benchmark": "average"},
             {"code": "revenue_per_mu", "name": "亩均营收", "formula": "revenue / land_mu", "weight": "40",
              "benchmark": "average"}],
         "grading": {"method": "percentile", "bands": [["A", "25"], ["B", "70"], ["C", "95"], ["D", "100"]]}},
        {"code": "below", "name": "规下企业", "scope": {"size_classes": ["below"]},
         "indicators": [{"code": "tax_per_mu", "name": "亩均税收", "formula": "tax / land_mu", "weight": "100",
                         "benchmark": "average"}],
         "grading": {"method": "percentile", "bands": [["A", "25"], ["B", "70"], ["C", "95"], ["D", "100"]]}},
    ],
}


def child(args: argparse.Namespace) -> int:
    db = django_setup()
    from decimal import Decimal

    from django.test import Client

    from zhaoyin.accounts.services import api_token_issue
    from zhaoyin.core.context import acting
    from zhaoyin.demo.generate import generate
    from zhaoyin.enterprises.models import Enterprise
    from zhaoyin.lib import mujun
    from zhaoyin.mujun import scheme_data, services, snapshot
    from zhaoyin.mujun.inputs import RunCreateInput
    from zhaoyin.mujun.models import MuInput, MuResult, MuScheme, Parcel, ParcelHolding

    rng = random.Random(7)
    started = time.perf_counter()
    overrides = {"enterprises": args.firms, "projects": 0, "fund_entries": 0, "matters": 0}
    with acting(channel="cli"):
        generate(scale="province", seed=1, overrides=overrides)
    firms = list(Enterprise.objects.values_list("pk", "size_class"))
    inputs: list[MuInput] = []
    for pk, _size in firms:
        tax = Decimal(rng.randint(0, 500_000)) / 100
        inputs.append(MuInput(enterprise_id=pk, year=YEAR, figure="tax", value=tax, source="tax"))
        inputs.append(MuInput(enterprise_id=pk, year=YEAR, figure="revenue", value=tax * rng.randint(5, 20),
                              source="stats"))
    MuInput.objects.bulk_create(inputs, batch_size=5000)
    parcels = Parcel.objects.bulk_create(
        [Parcel(code=f"B-{pk}", area_mu=Decimal(rng.randint(100, 20_000)) / 100) for pk, _s in firms],
        batch_size=5000)
    ParcelHolding.objects.bulk_create(
        [ParcelHolding(parcel=p, year=YEAR, enterprise_id=pk, area_mu=p.area_mu)
         for p, (pk, _s) in zip(parcels, firms, strict=True)], batch_size=5000)
    analyze()
    office = bench_user("bench_mu_office", "mu_office", "340400")
    scheme = MuScheme.objects.create(year=YEAR, number=1, name="基准评价办法", definition=DEFINITION, created_by=office)
    setup_s = time.perf_counter() - started

    # The parts of a run, apart: the snapshot read, the engine, then the whole service.
    t0 = time.perf_counter()
    entries = snapshot.build(YEAR)
    build_s = time.perf_counter() - t0
    engine_scheme = scheme_data.to_engine(scheme.definition, year=YEAR, number=1)
    t0 = time.perf_counter()
    result = mujun.evaluate(engine_scheme, snapshot.firm_inputs(entries))
    result.digest()
    engine_s = time.perf_counter() - t0
    del entries, result
    t0 = time.perf_counter()
    run = services.run_create(acting_user=office, data=RunCreateInput.of(scheme=scheme.pk))
    total_s = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    analyze()
    emit({
        "name": "mujun.run_create", "db": db, "firms": run.firms, "setup_s": round(setup_s, 1),
        "snapshot_s": round(build_s, 2), "engine_s": round(engine_s, 2),
        "store_s": round(total_s - build_s - engine_s, 2), "total_s": round(total_s, 2),
        "peak_rss_mb": round(peak_mb), "ok": engine_s <= ENGINE_S,
    })

    client = Client()
    client.force_login(office, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    ids = list(MuResult.objects.filter(run=run).values_list("pk", flat=True))
    bearer = {"Authorization": f"Bearer {api_token_issue(user=office)}"}
    pages = max(1, len(ids) // 50)
    ok = True
    for name, urls, headers in (
        ("mujun.result_page", [f"/mujun/runs/results/{rng.choice(ids)}/" for _ in range(args.requests)], {}),
        ("mujun.run_results_page",
         [f"/mujun/runs/{run.pk}/?page_size=50&page={rng.randint(1, pages)}" for _ in range(args.requests)], {}),
        ("mujun.run_results_api",
         [f"/api/v1/mu-runs/{run.pk}/results?page_size=50&page={rng.randint(1, pages)}"
          for _ in range(args.requests)], bearer),
    ):
        for url in urls[:3]:
            assert client.get(url, headers=headers).status_code == 200, url  # warm
        queue = iter(urls)

        def fetch(q: Any = queue, h: dict[str, str] = headers) -> Any:
            return client.get(next(q), headers=h)

        samples, counts = timed(fetch, len(urls))
        with recording(lambda sql: "mujun_muresult" in sql) as seen:
            client.get(urls[0], headers=headers)
        floor = replay([s for s in seen if s[0]], args.requests)
        record: dict[str, Any] = {
            "name": name, "db": db, "firms": len(ids), "requests": len(urls),
            "p50_ms": round(statistics.median(samples), 1), "p95_ms": round(percentile(samples, 95), 1),
            "queries": max(counts), "floor_p95_ms": round(percentile(floor, 95), 1),
        }
        record["ok"] = bool(record["p95_ms"] <= PAGE_P95_MS)
        ok = ok and record["ok"]
        emit(record)
    return 0 if ok or args.allow_slow else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--allow-slow", action="store_true", help="exit 0 even when a target is missed")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    extra = ["--firms", str(args.firms), "--requests", str(args.requests)]
    return run_per_database(__file__, extra + (["--allow-slow"] if args.allow_slow else []), args.db)


if __name__ == "__main__":
    sys.exit(main())
