#!/usr/bin/env python3
"""Enterprise list and search at province scale (issue 2 acceptance; DESIGN 8).

Builds 100 000 enterprises with ``zhaoyin generate --scale province`` into a throwaway
database, then measures, through Django's test client (the whole middleware stack, template
rendering included), p50/p95 over N requests of:

    list      /enterprises/                      the first page, sorted by name
    search2   /enterprises/?q=电子               a 2-character Chinese term
    search4   /enterprises/?q=智能装备           a 4-character Chinese term
    filter    /enterprises/?industry=it          one industry
    page500   /enterprises/?page=500             deep paging (the last page when the scope is smaller)
    api       /api/v1/enterprises?page=1         the API list (skipped until the route exists)
    pick2     /enterprises/pick/?q=电子          the search picker's suggestions (issue 16), 2 characters
    pickpy    /enterprises/pick/?q=<initials>    the picker by 拼音首字母 of a firm in scope

each as a city_admin (whole city) and as a county staff user (寿县 with its 新桥 park), and
for each the number of SQL queries per request (must be the same on every request) and a
floor: the request's own main queries (the COUNT and the LIMIT/OFFSET select over the
enterprise table), captured from the request and replayed with a raw cursor.

Databases: ``--db sqlite`` (a temporary ZHAOYIN_DATA_DIR), ``--db postgres`` (a throwaway
cluster from tools/with_postgres.py), ``--db both`` (default). When DATABASE_URL is already
set the benchmark runs against it directly. Prints one JSON line per measurement:
{"name","db","n","p50_ms","p95_ms","queries","floor_p95_ms","ratio",…}. Target p95 ≤ 100 ms.

Statistics are refreshed after generating (ANALYZE; VACUUM ANALYZE on PostgreSQL), as a
maintained database has them (autovacuum, ``PRAGMA optimize``).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, emit, percentile, replay, run_per_database

TARGET_P95_MS = 100.0
ENTERPRISE_TABLE = '"enterprises_enterprise"'


# --- the child: generate, then measure ------------------------------------------------------


@contextmanager
def counting_queries() -> Iterator[list[int]]:
    """Count SQL statements cheaply (no SQL formatting, unlike CaptureQueriesContext)."""
    from django.db import connection

    box = [0]

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        box[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield box


def main_queries(client: Any, url: str, headers: dict[str, str]) -> list[tuple[str, Any]]:
    """The request's COUNT and page SELECT over the enterprise table, with their parameters
    exactly as Django sent them (so the replay gets the same plan)."""
    from django.db import connection

    captured: list[tuple[str, Any]] = []

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        head = sql.split(" FROM ", 1)[0]
        if ENTERPRISE_TABLE in sql and ("COUNT(" in head or " LIMIT " in sql):
            captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        client.get(url, **headers)
    return captured


def time_floor(statements: list[tuple[str, Any]], n: int) -> float | None:
    return percentile(replay(statements, n), 95) if statements else None


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
    import logging

    import django

    django.setup()
    # A route that does not exist yet (the API list) answers 404; don't log every request.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from zhaoyin.accounts.models import User
    from zhaoyin.accounts.selectors import org_unit_by_code
    from zhaoyin.accounts.services import api_token_issue, user_create
    from zhaoyin.core.context import acting
    from zhaoyin.demo.generate import generate
    from zhaoyin.enterprises.models import Enterprise
    from zhaoyin.enterprises.selectors import enterprise_list_visible_to
    from zhaoyin.lib.pinyin import pinyin_initials

    db = "postgres" if connection.vendor == "postgresql" else connection.vendor
    call_command("migrate", verbosity=0, interactive=False)
    # The enterprises only: the other generators' data (projects, matters, talents … — every
    # generator registered since, not a fixed list) is not read by these pages.
    from zhaoyin.demo.generate import GENERATORS

    overrides = {name: 0 for name in GENERATORS if name != "enterprises"}
    if args.count is not None:
        overrides["enterprises"] = args.count
    started = time.perf_counter()
    with acting(channel="cli"):
        generate(scale=args.scale, seed=args.seed, overrides=overrides)
    generate_s = time.perf_counter() - started
    total = Enterprise.objects.count()
    emit({"name": "generate_enterprises", "db": db, "n": total, "seconds": round(generate_s, 2)})
    with connection.cursor() as cursor:
        # Fresh statistics (and on PostgreSQL a visibility map), as a maintained database has.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    password = "Bench#Pass2026"  # noqa: S105 - throwaway benchmark database
    def account(username: str, role: str, unit_code: str) -> User:
        existing = User.objects.filter(username=username).first()  # a reused DATABASE_URL
        if existing is not None:
            return existing
        with acting(channel="cli"):
            user, _uri = user_create(acting_user=None, username=username, password=password, roles=[role],
                                     org_unit=org_unit_by_code(unit_code))
        return user

    admin = account("bench_city_admin", "city_admin", "dept-zsfw")
    staff = account("bench_county_staff", "staff", "340422")
    try:
        api_url: str | None = reverse("api:enterprise_list")
    except NoReverseMatch:
        api_url = "/api/v1/enterprises"
    page_size = 50
    for user, role in ((admin, "city_admin"), (staff, "county_staff")):
        client = Client()
        client.force_login(user)
        token = api_token_issue(user=user)
        visible = enterprise_list_visible_to(user).count()
        deep = min(500, max(1, math.ceil(visible / page_size)))
        # Four initials of a firm the user sees: what a user types who knows the firm's name.
        first_name = enterprise_list_visible_to(user).order_by("id").values_list("name", flat=True)[0]
        initials = pinyin_initials(first_name)[:4]
        cases = [
            ("list", "/enterprises/", {}),
            ("search2", "/enterprises/?q=电子", {}),
            ("search4", "/enterprises/?q=智能装备", {}),
            ("filter", "/enterprises/?industry=it", {}),
            (f"page{deep}", f"/enterprises/?page={deep}", {}),
            ("api", f"{api_url}?page=1", {"HTTP_AUTHORIZATION": f"Bearer {token}"}),
            ("pick2", "/enterprises/pick/?q=电子", {"HTTP_HX_REQUEST": "true"}),
            ("pickpy", f"/enterprises/pick/?q={initials}", {"HTTP_HX_REQUEST": "true"}),
        ]
        for case, url, headers in cases:
            samples, counts, status = measure(client, url, headers, args.requests)
            if status != 200:
                emit({"name": f"enterprise_list.{case}.{role}", "db": db, "url": url, "status": status,
                      "skipped": f"HTTP {status}"})
                continue
            floor = time_floor(main_queries(client, url, headers), args.requests)
            p95 = percentile(samples, 95)
            emit({
                "name": f"enterprise_list.{case}.{role}",
                "db": db,
                "n": args.requests,
                "enterprises": total,
                "visible": visible,
                "url": url,
                "p50_ms": round(statistics.median(samples), 2),
                "p95_ms": round(p95, 2),
                "queries": counts[0] if len(set(counts)) == 1 else sorted(set(counts)),
                "constant_queries": len(set(counts)) == 1,
                "floor_p95_ms": round(floor, 2) if floor is not None else None,
                "ratio": round(p95 / floor, 2) if floor else None,
                "target_p95_ms": TARGET_P95_MS,
                "ok": p95 <= TARGET_P95_MS and len(set(counts)) == 1,
            })
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per case (default 200)")
    parser.add_argument("--scale", choices=("city", "province"), default="province")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=None, help="enterprises to generate (overrides the scale)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child or os.environ.get("DATABASE_URL"):
        return child(args)
    extra = ["--requests", str(args.requests), "--scale", args.scale, "--seed", str(args.seed)]
    if args.count is not None:
        extra += ["--count", str(args.count)]
    return run_per_database(__file__, extra, args.db)


if __name__ == "__main__":
    sys.exit(main())
