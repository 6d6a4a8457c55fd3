#!/usr/bin/env python3
"""1 000 000 deadline computations (issue 2 acceptance: ≤ 2 s).

Receipt dates are drawn uniformly from 2024-01-01 .. 2028-12-31 (official years, the
2026→2027 boundary and projected, provisional years) and N from 1..30, with a fixed seed.
The timed loop calls ``WorkCalendar.add_workdays`` (seed + projection, the engine every
deadline goes through). The floor is the same number of bare ``bisect.bisect_right`` calls
on the same working-day array, in the same loop shape: the irreducible O(log n) lookup.

Prints one JSON line {"name","n","seconds","floor_seconds","ratio"} (ratio = seconds /
floor_seconds) and exits 1 when the target is missed. Pure Python: no database.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from zhaoyin.lib.workdays import WorkCalendar  # noqa: E402 - after the path fix-up

TARGET_SECONDS = 2.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1_000_000, help="number of computations")
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args()

    cal = WorkCalendar()
    rng = random.Random(args.seed)
    lo, hi = dt.date(2024, 1, 1).toordinal(), dt.date(2028, 12, 31).toordinal()
    received = [dt.date.fromordinal(rng.randint(lo, hi)) for _ in range(args.n)]
    days = [rng.randint(1, 30) for _ in range(args.n)]
    ordinals = [d.toordinal() for d in received]
    work = cal._work  # the same sorted array the engine bisects

    add = cal.add_workdays
    start = time.perf_counter()
    provisional = 0
    for d, n in zip(received, days, strict=True):
        provisional += add(d, n)[1]
    seconds = time.perf_counter() - start

    bisect_right = bisect.bisect_right
    start = time.perf_counter()
    for o in ordinals:
        bisect_right(work, o)
    floor = time.perf_counter() - start

    print(json.dumps({
        "name": "workdays_add",
        "n": args.n,
        "seconds": round(seconds, 3),
        "floor_seconds": round(floor, 3),
        "ratio": round(seconds / floor, 2),
    }))
    print(f"provisional results: {provisional} of {args.n}; target {TARGET_SECONDS} s", file=sys.stderr)
    return 0 if seconds <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
