"""What the benchmark scripts share: percentiles, JSON lines, one child process per database,
statement capture and replay (the floors), and API tokens for benchmark users.

A script runs itself as a child with ``--child`` once per database: SQLite in a temporary
ZHAOYIN_DATA_DIR, PostgreSQL in a throwaway cluster from tools/with_postgres.py.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def percentile(samples: list[float], pct: float) -> float:
    """The nearest-rank percentile of ``samples``."""
    ordered = sorted(samples)
    return ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1]


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def run_per_database(script: str, child_args: list[str], db: str) -> int:
    """Run ``script --child child_args`` once per database (``sqlite``, ``postgres``, ``both``)."""
    child = [sys.executable, str(Path(script).resolve()), "--child", *child_args]
    status = 0
    for name in ["sqlite", "postgres"] if db == "both" else [db]:
        tmp = tempfile.mkdtemp(prefix="zhaoyin-bench-")
        (Path(tmp) / "static").mkdir()  # STATIC_ROOT: the static files middleware warns without it
        env = dict(
            os.environ, ZHAOYIN_DATA_DIR=tmp, ZHAOYIN_ENV="development", DJANGO_SETTINGS_MODULE="config.settings"
        )
        env.pop("DATABASE_URL", None)
        cmd = child if name == "sqlite" else [sys.executable, str(ROOT / "tools" / "with_postgres.py"), *child]
        try:
            rc = subprocess.call(cmd, env=env, cwd=ROOT)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        if rc != 0:
            print(f"{Path(script).name}: {name} run failed (exit {rc})", file=sys.stderr)
            status = rc
    return status


def django_setup() -> str:
    """Set Django up in the child, migrate, and return the database vendor name."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    return "postgres" if connection.vendor == "postgresql" else connection.vendor


def analyze() -> None:
    """Refresh the planner statistics, as a maintained database has them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


@contextmanager
def recording(keep: Callable[[str], bool]) -> Iterator[list[tuple[str, Any]]]:
    """Record every statement run inside (``("", None)`` for those ``keep`` rejects)."""
    from django.db import connection

    seen: list[tuple[str, Any]] = []

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append((sql, params) if keep(sql) else ("", None))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield seen


def replay(statements: list[tuple[str, Any]], n: int) -> list[float]:
    """Run ``statements`` ``n`` times with a raw cursor; milliseconds per run."""
    from django.db import connection

    samples = []
    with connection.cursor() as cursor:
        for _ in range(n):
            started = time.perf_counter()
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def timed(fn: Callable[[], Any], n: int) -> tuple[list[float], list[int]]:
    """Call ``fn`` ``n`` times: milliseconds and SQL statements per call."""
    samples: list[float] = []
    counts: list[int] = []
    for _ in range(n):
        with recording(lambda sql: False) as seen:
            started = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - started) * 1000)
        counts.append(len(seen))
    return samples, counts


def bench_user(username: str, role: str, unit_code: str) -> Any:
    """A business user for the benchmark (created through the audited service)."""
    from zhaoyin.accounts.models import OrgUnit
    from zhaoyin.accounts.services import user_create
    from zhaoyin.core.context import acting

    with acting(channel="cli"):
        user, _uri = user_create(
            acting_user=None,
            username=username,
            password="Bench#Pass2026",  # noqa: S106 - a throwaway benchmark database
            roles=[role],
            org_unit=OrgUnit.objects.get(code=unit_code),
        )
    return user
