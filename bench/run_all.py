#!/usr/bin/env python3
"""Run every ``bench/bench_*.py`` (each as its own process) and collect their JSON lines.

Each benchmark prints one JSON object per measurement on stdout (anything else it prints is
passed through). The results go to ``bench/results/latest.jsonl``: a first line describing
the run (date, machine: ``uname -a``, CPU count, memory, Python version), then every
measurement with the script it came from. ``make bench`` runs this.

    bench/run_all.py [--only NAME ...] [--output FILE] [-- extra args for every script]

Exit status: 0 when every script exited 0, else 1 (the results file is written either way).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    memory_kb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    except OSError:
        pass
    uname = subprocess.run(["uname", "-a"], capture_output=True, text=True, check=False).stdout.strip()
    return {
        "uname": uname or " ".join(platform.uname()),
        "nproc": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024 / 1024, 1) if memory_kb else None,
        "python": platform.python_version(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def run_script(script: Path, extra: list[str]) -> tuple[int, list[dict[str, Any]], float]:
    """Run one benchmark, echoing its output; return its exit code, JSON records and seconds."""
    records: list[dict[str, Any]] = []
    started = time.monotonic()
    with subprocess.Popen(
        [sys.executable, str(script), *extra], cwd=ROOT, stdout=subprocess.PIPE, text=True, bufsize=1
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            text = line.strip()
            if text.startswith("{"):
                try:
                    record = json.loads(text)
                except json.JSONDecodeError:
                    continue
                if isinstance(record, dict):
                    records.append({"script": script.name, **record})
        rc = proc.wait()
    return rc, records, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description="Run all benchmarks and collect their results.")
    parser.add_argument("--only", nargs="*", default=None, help="script names (e.g. bench_enterprise_list)")
    parser.add_argument("--output", type=Path, default=BENCH_DIR / "results" / "latest.jsonl")
    parser.add_argument("extra", nargs=argparse.REMAINDER, help="arguments after -- go to every script")
    args = parser.parse_args()
    extra = [a for a in args.extra if a != "--"]

    scripts = sorted(BENCH_DIR.glob("bench_*.py"))
    if args.only:
        wanted = {name.removesuffix(".py") for name in args.only}
        scripts = [s for s in scripts if s.stem in wanted]
    header = {
        "run": {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": machine(),
            "scripts": [s.name for s in scripts],
        }
    }
    results: list[dict[str, Any]] = []
    status = 0
    for script in scripts:
        print(f"== {script.name}", file=sys.stderr, flush=True)
        rc, records, seconds = run_script(script, extra)
        results.extend(records)
        results.append({"script": script.name, "name": "_exit", "exit_code": rc, "seconds": round(seconds, 1)})
        if rc != 0:
            print(f"!! {script.name} exited {rc}", file=sys.stderr, flush=True)
            status = 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8") as fh:
        for record in (header, *results):
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"results: {args.output} ({len(results)} lines)", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
