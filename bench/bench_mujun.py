#!/usr/bin/env python3
"""The 亩均 evaluation engine at province scale (issue 14 benchmark): one run over 100 000 firms.

``lib.mujun.evaluate`` (validate the scheme, place each firm in its list, compute every
indicator in ``Decimal``, benchmarks, missing data, scores, ranks and grades, and the inputs'
digest), then ``Run.digest()``. The FLOOR is the same formulas over plain dicts: for each firm
each indicator's ratio, points against the list's aggregate benchmark, the sum, and one sort
by score — in ``Decimal`` rounded at the engine's places, so the floor computes the same
numbers (a float floor would not reproduce them).
Targets: a run ≤ 10 s and ≤ 3 × the floor; peak memory of the run ≤ 1 GB.

Pure Python: no database. One JSON line per measurement.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import emit as emit_line  # noqa: E402

from zhaoyin.lib import mujun  # noqa: E402

RUN_S = 10.0
FLOOR_RATIO = 3.0
PEAK_MB = 1024


def emit(record: dict[str, Any]) -> None:
    emit_line({**record, "load1": round(os.getloadavg()[0], 2)})


def scheme() -> mujun.Scheme:
    """An Anhui-style scheme: 规上 six indicators 30/20/20/10/10/10 against the year's averages,
    规下 (≥ 3 亩) 亩均税收 50 + 单位电耗税收 50, percentile bands."""
    bands = mujun.Grading(
        "percentile", (("A", Decimal(25)), ("B", Decimal(70)), ("C", Decimal(95)), ("D", Decimal(100)))
    )
    above = mujun.ResultList(
        code="above", name="规上", scope=mujun.Scope(size_classes=frozenset({"above"})), grading=bands,
        indicators=(
            mujun.Indicator("tax_per_mu", "亩均税收", "tax / land_mu", Decimal(30), "average"),
            mujun.Indicator("va_per_mu", "亩均增加值", "value_added / land_mu", Decimal(20), "average"),
            mujun.Indicator("va_per_energy", "单位能耗增加值", "value_added / energy", Decimal(20), "average"),
            mujun.Indicator("va_per_emission", "单位排放增加值", "value_added / emissions", Decimal(10), "average"),
            mujun.Indicator("labour", "全员劳动生产率", "value_added / employees", Decimal(10), "average"),
            mujun.Indicator("rd", "研发经费投入强度", "rd / revenue", Decimal(10), "average"),
        ),
    )
    below = mujun.ResultList(
        code="below", name="规下", scope=mujun.Scope(size_classes=frozenset({"below"}), land_min_mu=Decimal(3)),
        grading=bands, missing="zero",
        indicators=(
            mujun.Indicator("tax_per_mu", "亩均税收", "tax / land_mu", Decimal(50), "average"),
            mujun.Indicator("tax_per_kwh", "单位电耗税收", "tax / electricity", Decimal(50), "average"),
        ),
    )
    return mujun.Scheme(year=2025, version=1, lists=(above, below))


def firms(n: int, seed: int) -> list[mujun.FirmInput]:
    """``n`` firms, 40 % 规上, amounts in 万元 with two decimals, some figures missing."""
    rng = random.Random(seed)

    def amount(lo: int, hi: int) -> Decimal:
        return Decimal(rng.randint(lo * 100, hi * 100)) / 100

    out = []
    for i in range(n):
        big = rng.random() < 0.4
        figures: dict[str, Decimal | None] = {
            "tax": amount(0, 5000 if big else 200),
            "land_mu": amount(1, 300 if big else 30),
            "electricity": amount(1, 3000 if big else 200),
        }
        if big:
            figures.update({
                "revenue": amount(2000, 200000), "value_added": amount(500, 50000), "energy": amount(10, 90000),
                "emissions": None if rng.random() < 0.08 else amount(1, 900),
                "employees": Decimal(rng.randint(20, 5000)), "rd": amount(0, 8000),
            })
        out.append(mujun.FirmInput(key=f"9134{i:014d}", size_class="above" if big else "below", figures=figures))
    return out


def floor(s: mujun.Scheme, rows: list[dict[str, Any]]) -> float:
    """The same formulas over plain dicts, in Decimal; returns seconds."""
    started = time.perf_counter()
    for lst in s.lists:
        members = [r for r in rows if r["size_class"] in lst.scope.size_classes
                   and (lst.scope.land_min_mu is None or (r["land_mu"] or 0) >= lst.scope.land_min_mu)]
        totals = [Decimal(0)] * len(members)
        for ind in lst.indicators:
            num, den = ind.terms
            sn = sum((r[num] for r in members if r.get(num) is not None and r.get(den)), Decimal(0))
            sd = sum((r[den] for r in members if r.get(num) is not None and r.get(den)), Decimal(0))
            bench = (sn / sd).quantize(mujun.VALUE_PLACES, rounding=ROUND_HALF_UP)
            for k, r in enumerate(members):
                a, b = r.get(num), r.get(den)
                if a is not None and b:
                    value = (a / b).quantize(mujun.VALUE_PLACES, rounding=ROUND_HALF_UP)
                    totals[k] += (value / bench * ind.weight).quantize(mujun.POINT_PLACES, rounding=ROUND_HALF_UP)
        sorted(zip(totals, range(len(members)), strict=True), reverse=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    s = scheme()
    data = firms(args.firms, seed=1)
    plain = [{"size_class": f.size_class, **f.figures} for f in data]
    ok = True
    runs, digests, floors = [], set(), []
    for _ in range(args.runs):
        gc.collect()
        started = time.perf_counter()
        run = mujun.evaluate(s, data)
        evaluated = time.perf_counter() - started
        digests.add(run.digest())
        runs.append(time.perf_counter() - started)
        emit({"name": "mujun.run", "firms": args.firms, "evaluate_s": round(evaluated, 2),
              "with_digest_s": round(runs[-1], 2)})
        del run
        gc.collect()
        floors.append(floor(s, plain))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    best, best_floor = min(runs), min(floors)
    ok = best <= RUN_S and best <= FLOOR_RATIO * best_floor and peak_mb <= PEAK_MB and len(digests) == 1
    emit({"name": "mujun.summary", "firms": args.firms, "run_s": round(best, 2), "floor_s": round(best_floor, 2),
          "ratio": round(best / best_floor, 2), "peak_mb": round(peak_mb), "identical_digests": len(digests) == 1,
          "targets": {"run_s": RUN_S, "ratio": FLOOR_RATIO, "peak_mb": PEAK_MB}, "ok": ok})
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
