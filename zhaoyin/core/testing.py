"""Test helpers shared by every app: database fingerprints and constant query counts.

``db_fingerprint`` answers "did this request change anything?" (AC-02, AC-08: a denied write or
a GET leaves every business table byte-identical). ``assert_constant_queries`` answers "does
this list page issue N+1 queries?": the same page is measured with few and with many rows and
the query counts must be equal.

Usage::

    from zhaoyin.core.testing import assert_constant_queries, db_fingerprint

    def test_list_has_constant_queries(client, make_enterprises):
        assert_constant_queries(
            grow=lambda n: make_enterprises(total=n),      # make the table hold n rows
            run=lambda: client.get("/enterprises/"),       # the request to measure
            sizes=(5, 50),
        )

    before = db_fingerprint()
    client.post(url, data)
    assert_fingerprint_unchanged(before, db_fingerprint())
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext

#: Tables that legitimately change on a read or a refused request: sessions (sign-in, session
#: refresh) and the audit log (denied attempts are recorded, AUD-01).
NON_BUSINESS_MODELS: frozenset[str] = frozenset(
    {"sessions.session", "audit.auditrecord", "audit.auditchainhead"}
)

Fingerprint = dict[str, tuple[int, str]]


def _normal(value: Any) -> str:
    """A representation that does not depend on the database backend's Python types."""
    if isinstance(value, memoryview | bytearray):
        value = bytes(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value.normalize()) if value.is_finite() else str(value)
    return repr(value)


def db_fingerprint(
    *, exclude: Iterable[str] = NON_BUSINESS_MODELS, using: str = DEFAULT_DB_ALIAS
) -> Fingerprint:
    """Row count and a content hash of every table managed by Django, keyed by model label.

    ``exclude`` holds model labels (``app_label.modelname``) to leave out. Many-to-many
    through tables are included, so a changed relation is caught too.
    """
    skip = {label.lower() for label in exclude}
    connection = connections[using]
    quote = connection.ops.quote_name
    # A model whose migration is not written yet has no table; `makemigrations --check`
    # reports that, the fingerprint just leaves it out.
    tables = set(connection.introspection.table_names())
    out: Fingerprint = {}
    # Plain SQL rather than the ORM: this runs twice per request in the matrix test.
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            meta = model._meta
            if meta.proxy or not meta.managed or meta.label_lower in skip or meta.db_table not in tables:
                continue
            pk_column = meta.pk.column if meta.pk is not None else None
            order = f" ORDER BY {quote(pk_column)}" if pk_column else ""
            cursor.execute(f"SELECT * FROM {quote(meta.db_table)}{order}")  # noqa: S608 - names from models
            digest = hashlib.sha256()
            count = 0
            for row in cursor.fetchall():
                count += 1
                digest.update("\x1f".join(_normal(v) for v in row).encode())
                digest.update(b"\x1e")
            out[meta.label_lower] = (count, digest.hexdigest())
    return out


def fingerprint_changes(before: Fingerprint, after: Fingerprint) -> list[str]:
    """Human-readable differences between two fingerprints (empty when identical)."""
    changes = []
    for label in sorted(set(before) | set(after)):
        b, a = before.get(label), after.get(label)
        if b == a:
            continue
        if b is None or a is None:
            changes.append(f"{label}: table appeared/disappeared")
        elif b[0] != a[0]:
            changes.append(f"{label}: {b[0]} -> {a[0]} rows")
        else:
            changes.append(f"{label}: row content changed ({a[0]} rows)")
    return changes


def assert_fingerprint_unchanged(before: Fingerprint, after: Fingerprint, what: str = "") -> None:
    changes = fingerprint_changes(before, after)
    assert not changes, f"database changed{' by ' + what if what else ''}: " + "; ".join(changes)


@dataclass
class QueryLog:
    """The queries run inside ``count_queries``."""

    sql: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.sql)


@contextlib.contextmanager
def count_queries(using: str = DEFAULT_DB_ALIAS) -> Iterator[QueryLog]:
    """Record the SQL run inside the block (works with DEBUG off, unlike connection.queries)."""
    log = QueryLog()
    with CaptureQueriesContext(connections[using]) as ctx:
        yield log
    log.sql = [q["sql"] for q in ctx.captured_queries]


def assert_constant_queries(
    *,
    grow: Callable[[int], object],
    run: Callable[[], object],
    sizes: Sequence[int] = (5, 50),
    warm_up: bool = True,
    using: str = DEFAULT_DB_ALIAS,
) -> int:
    """Assert that ``run()`` issues the same number of queries whatever the row count.

    For each n in ``sizes`` (ascending), ``grow(n)`` must make the data set hold n rows
    (create only the missing ones), then ``run()`` is measured — once first unmeasured when
    ``warm_up``, so caches filled by the first call (content types, sessions, translations)
    do not count. Returns the constant query count. On failure the message shows the
    queries of the smallest and largest run, to make the N+1 easy to spot.
    """
    if len(sizes) < 2:
        raise ValueError("assert_constant_queries needs at least two sizes")
    logs: list[tuple[int, QueryLog]] = []
    for n in sizes:
        grow(n)
        if warm_up:
            run()
        with count_queries(using) as log:
            run()
        logs.append((n, log))
    counts = {n: log.count for n, log in logs}
    if len(set(counts.values())) != 1:
        (n_small, small), (n_big, big) = logs[0], logs[-1]
        extra = [q for q in big.sql if q not in small.sql][:10]
        raise AssertionError(
            f"query count depends on the number of rows: {counts}\n"
            f"queries with {n_big} rows that are not in the {n_small}-row run (first 10):\n  "
            + "\n  ".join(extra)
        )
    return logs[0][1].count


def _audit_trigger_sql(using: str) -> tuple[list[str], list[str]]:
    """(create, drop) statements of the audit log's append-only triggers for this database."""
    import importlib

    triggers = importlib.import_module("zhaoyin.audit.migrations.0002_append_only_triggers")
    vendor = connections[using].vendor
    create = {"sqlite": triggers.SQLITE, "postgresql": triggers.POSTGRES}.get(vendor, [])
    drop = {"sqlite": triggers.SQLITE_DROP, "postgresql": triggers.POSTGRES_DROP}.get(vendor, [])
    return list(create), list(drop)


def drop_audit_triggers(using: str = DEFAULT_DB_ALIAS) -> None:
    """Test infrastructure only: see ``audit_triggers_lifted``."""
    with connections[using].cursor() as cursor:
        for sql in _audit_trigger_sql(using)[1]:
            cursor.execute(sql)


def create_audit_triggers(using: str = DEFAULT_DB_ALIAS) -> None:
    """Restore the append-only triggers exactly as the audit migration creates them."""
    with connections[using].cursor() as cursor:
        for sql in _audit_trigger_sql(using)[0]:
            cursor.execute(sql)


@contextlib.contextmanager
def audit_triggers_lifted(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Drop the audit log's append-only triggers inside the block, then restore them.

    Only for test infrastructure: transactional tests (live server, browser) end with a
    flush that deletes every row, which the triggers (AUD-03) rightly refuse. The SQL is the
    audit migration's own, so the restored triggers are exactly the migrated ones.
    """
    drop_audit_triggers(using)
    try:
        yield
    finally:
        create_audit_triggers(using)
