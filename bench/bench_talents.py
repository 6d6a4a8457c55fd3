#!/usr/bin/env python3
"""Talent list and exact-ID lookup at province scale (issue 13: 50 000 talents; p95 ≤ 100 ms).

Builds the talents with ``zhaoyin generate --scale province`` (the enterprises they work for
first; projects, fund entries and matters are not generated: these pages do not read them)
into a throwaway database, then measures through Django's test client (the whole middleware
stack, template or JSON rendering included) p50/p95 over N requests of:

    list        /talents/                          the first page, sorted by name
    search      /talents/?q=王                     a one-character surname (a large match)
    filter      /talents/?industry=it              one industry
    lookup      /talents/?id_number=…              the exact ID lookup (the blind index)
    api         /api/v1/talents?page=1             the API list
    api_lookup  /api/v1/talents?id_number=…        the exact ID lookup through the API

as the talent office (every talent) and as a county staff user (寿县 with its 新桥 park), with
the number of SQL queries per request (must be the same on every request) and a floor: the
request's own statements over the talent table (the COUNT, the page of ids and the rows, or
the indexed lookup), captured from the request and replayed with a raw cursor — the bare SQL.

``--db sqlite|postgres|both`` (default both), or an existing DATABASE_URL. Prints one JSON
line per measurement: {"name","db","n","p50_ms","p95_ms","queries","floor_p95_ms","ratio",…}.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, analyze, emit, percentile, replay, run_per_database

TARGET_P95_MS = 100.0
TALENT_TABLE = '"talents_talent"'


@contextmanager
def counting_queries() -> Iterator[list[int]]:
    """Count SQL statements cheaply (no SQL formatting)."""
    from django.db import connection

    box = [0]

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        box[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield box


def main_queries(client: Any, url: str, headers: dict[str, str]) -> list[tuple[str, Any]]:
    """The request's statements that read the talent table, with their parameters exactly as
    Django sent them (so the replay gets the same plans)."""
    from django.db import connection

    captured: list[tuple[str, Any]] = []

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().upper().startswith("SELECT") and f"FROM {TALENT_TABLE}" in sql:
            captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        client.get(url, **headers)
    return captured


def measure(client: Any, url: str, headers: dict[str, str], n: int) -> tuple[list[float], list[int], int]:
    samples: list[float] = []
    counts: list[int] = []
    status = 0
    for _ in range(5):  # warm caches and the template loader
        client.get(url, **headers)
    for _ in range(n):
        with counting_queries() as box:
            started = time.perf_counter()
            response = client.get(url, **headers)
            samples.append((time.perf_counter() - started) * 1000)
        counts.append(box[0])
        status = response.status_code
    return samples, counts, status


def child(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from urllib.parse import quote

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from zhaoyin.accounts.models import User
    from zhaoyin.accounts.selectors import org_unit_by_code
    from zhaoyin.accounts.services import api_token_issue, user_create
    from zhaoyin.core.context import acting
    from zhaoyin.demo.generate import generate
    from zhaoyin.talents.crypto import decrypt_id
    from zhaoyin.talents.models import Talent
    from zhaoyin.talents.selectors import talent_list_visible_to

    db = "postgres" if connection.vendor == "postgresql" else connection.vendor
    call_command("migrate", verbosity=0, interactive=False)
    overrides = {"projects": 0, "fund_entries": 0, "matters": 0, "enterprises": args.enterprises}
    if args.count is not None:
        overrides["talents"] = args.count
    started = time.perf_counter()
    with acting(channel="cli"):
        generate(scale=args.scale, seed=args.seed, overrides=overrides)
    total = Talent.objects.count()
    emit({"name": "generate_talents", "db": db, "n": total, "seconds": round(time.perf_counter() - started, 2)})
    analyze()

    password = "Bench#Pass2026"  # noqa: S105 - throwaway benchmark database

    def account(username: str, role: str, unit_code: str) -> User:
        existing = User.objects.filter(username=username).first()  # a reused DATABASE_URL
        if existing is not None:
            return existing
        with acting(channel="cli"):
            user, _uri = user_create(acting_user=None, username=username, password=password, roles=[role],
                                     org_unit=org_unit_by_code(unit_code))
        return user

    office = account("bench_talent_office", "talent_office", "dept-rck")
    staff = account("bench_county_staff", "staff", "340422")
    ok_all = True
    for user, role in ((office, "talent_office"), (staff, "county_staff")):
        client = Client()
        client.force_login(user)
        token = api_token_issue(user=user)
        visible = talent_list_visible_to(user)
        count = visible.count()
        # A talent in the middle of the user's scope: the lookup must find exactly it.
        sample = visible.order_by("pk")[count // 2]
        number = quote(decrypt_id(bytes(sample.id_number_enc)))
        bearer: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        cases: list[tuple[str, str, dict[str, Any]]] = [
            ("list", "/talents/", {}),
            ("search", "/talents/?q=" + quote("王"), {}),
            ("filter", "/talents/?industry=it", {}),
            ("lookup", f"/talents/?id_number={number}", {}),
            ("api", "/api/v1/talents?page=1", bearer),
            ("api_lookup", f"/api/v1/talents?id_number={number}", bearer),
        ]
        for case, url, headers in cases:
            samples, counts, status = measure(client, url, headers, args.requests)
            name = f"talents.{case}.{role}"
            if status != 200:
                emit({"name": name, "db": db, "url": url, "status": status, "ok": False})
                ok_all = False
                continue
            if case == "api_lookup":
                found = client.get(url, **headers).json()
                if found["count"] != 1 or found["items"][0]["id"] != sample.pk:
                    emit({"name": name, "db": db, "error": "the lookup did not find exactly the talent", "ok": False})
                    ok_all = False
                    continue
            statements = main_queries(client, url, headers)
            floor = percentile(replay(statements, args.requests), 95) if statements else None
            p95 = percentile(samples, 95)
            constant = len(set(counts)) == 1
            ok = p95 <= TARGET_P95_MS and constant
            ok_all = ok_all and ok
            emit({
                "name": name,
                "db": db,
                "n": args.requests,
                "talents": total,
                "visible": count,
                "url": url.replace(number, "<id>"),
                "p50_ms": round(statistics.median(samples), 2),
                "p95_ms": round(p95, 2),
                "queries": counts[0] if constant else sorted(set(counts)),
                "constant_queries": constant,
                "floor_statements": len(statements),
                "floor_p95_ms": round(floor, 2) if floor is not None else None,
                "ratio": round(p95 / floor, 2) if floor else None,
                "target_p95_ms": TARGET_P95_MS,
                "ok": ok,
            })
    return 0 if ok_all or not args.strict else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per case (default 200)")
    parser.add_argument("--scale", choices=("city", "province"), default="province")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=None, help="talents to generate (overrides the scale)")
    parser.add_argument("--enterprises", type=int, default=20_000,
                        help="enterprises to generate first, the talents' employers (default 20 000)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a case misses its target")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child or os.environ.get("DATABASE_URL"):
        return child(args)
    extra = ["--requests", str(args.requests), "--scale", args.scale, "--seed", str(args.seed),
             "--enterprises", str(args.enterprises)]
    if args.count is not None:
        extra += ["--count", str(args.count)]
    if args.strict:
        extra.append("--strict")
    return run_per_database(__file__, extra, args.db)


if __name__ == "__main__":
    sys.exit(main())
