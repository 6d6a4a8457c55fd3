#!/usr/bin/env python3
"""Run the SQLite and the PostgreSQL pass of the suite at the same time: ``make test``.

``tools/test_passes.py PYTHON [PYTEST ARGS...]`` starts both passes (one per core), each with
its output in ``var/test-logs/<pass>.log`` and its own data directory, then prints the two
logs in turn (SQLite, then PostgreSQL), so the output reads as if they had run one after the
other and the pytest summary lines stay where CI looks for them. The exit code is 0 only
when both passes passed. ``ZHAOYIN_TEST_JOBS=1`` runs them one after the other instead.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    if not argv:
        sys.stderr.write("usage: tools/test_passes.py PYTHON [PYTEST ARGS...]\n")
        return 2
    python, args = argv[0], argv[1:]
    # The slowest tests of each pass end its log: where the suite's time goes, run by run.
    pytest = [python, "-m", "pytest", "-p", "no:randomly", "--durations=40", *args]
    passes = [
        ("sqlite", "SQLite", pytest),
        ("postgres", "PostgreSQL", [python, str(ROOT / "tools" / "with_postgres.py"), *pytest]),
    ]
    logs = ROOT / "var" / "test-logs"
    logs.mkdir(parents=True, exist_ok=True)
    parallel = os.environ.get("ZHAOYIN_TEST_JOBS", "2") != "1"
    running: list[tuple[str, subprocess.Popen[bytes], float]] = []
    codes: dict[str, int] = {}

    def stop(signum: int, frame: object) -> None:
        for _name, proc, _start in running:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)  # with_postgres stops and deletes its cluster

    signal.signal(signal.SIGTERM, stop)

    def wait(name: str, label: str, proc: subprocess.Popen[bytes], start: float) -> None:
        codes[name] = proc.wait()
        print(f"test: {label} pass finished in {time.monotonic() - start:.0f} s (exit {codes[name]})", flush=True)

    for name, label, cmd in passes:
        # Each pass its own data directory: uploads and generated files of one pass never
        # meet the other's.
        # ZHAOYIN_TEST_PASSES=both: a test marked ``one_pass`` runs in its database's pass only
        # (root conftest.py), since this runner starts the other pass too.
        env = dict(os.environ, ZHAOYIN_DATA_DIR=str(ROOT / "var" / f"test-{name}"), ZHAOYIN_TEST_PASSES="both")
        with open(logs / f"{name}.log", "wb") as log:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        running.append((name, proc, time.monotonic()))
        print(f"test: {label} pass started (log: var/test-logs/{name}.log)", flush=True)
        if not parallel:
            wait(name, label, proc, running[-1][2])
    try:
        for (name, proc, start), (_n, label, _c) in zip(running, passes, strict=True):
            if name not in codes:
                wait(name, label, proc, start)
    except KeyboardInterrupt:
        stop(signal.SIGINT, None)
        for _name, proc, _start in running:
            proc.wait()
        return 130
    for name, label, _cmd in passes:
        print(f"\n{'=' * 30} {label} pass (exit {codes[name]}) {'=' * 30}", flush=True)
        sys.stdout.buffer.write((logs / f"{name}.log").read_bytes())
        sys.stdout.flush()
    failed = [label for name, label, _cmd in passes if codes[name] != 0]
    if failed:
        print(f"test: failed: {', '.join(failed)}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
