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

For service tests, ``refused`` says "this call raises and changes nothing" in one block, and
``bad_values`` writes the rows of a "bad input names the field" table compactly::

    with refused(InvalidInput, fields={"name"}):
        enterprise_update(acting_user=staff, enterprise=e, data=EnterpriseUpdateInput.of(name="  "))

    @pytest.mark.parametrize(("params", "field"), bad_values({"page": ["0", "x"], "sort": ["password"]}))
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
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


def bad_values(by_field: Mapping[str, Iterable[Any]]) -> list[tuple[dict[str, Any], str]]:
    """Rows ``(params, field)`` for a "bad input names the field" test: each bad value given
    alone under its field's name, and that field expected in the error."""
    return [({name: value}, name) for name, values in by_field.items() for value in values]


@contextlib.contextmanager
def refused(
    exc_type: type[BaseException],
    *,
    fields: Iterable[str] | None = None,
    exclude: Iterable[str] = NON_BUSINESS_MODELS,
) -> Iterator[Any]:
    """The block raises ``exc_type`` and leaves every table but ``exclude`` as it was (by
    default the audit log and sessions may record the attempt; ``exclude=()`` asserts that
    not even an audit record was written). With ``fields``, the error is an ``InvalidInput``
    naming exactly those fields. Yields pytest's ExceptionInfo."""
    import pytest  # here, not at the top: the package is imported without pytest installed

    before = db_fingerprint(exclude=exclude)
    with pytest.raises(exc_type) as info:
        yield info
    if fields is not None:
        errors = getattr(info.value, "errors", [])
        assert {e["field"] for e in errors} == set(fields), errors
    assert_fingerprint_unchanged(before, db_fingerprint(exclude=exclude), exc_type.__name__)


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


# --- Replaying an expensive setup step (the demo load) -------------------------------------
#
# Loading the demo costs 10–15 s and a dozen tests need it. Each test runs in a transaction
# that is rolled back, so the load cannot simply be kept; instead the first test that asks
# for it loads it for real and the rows it added, changed and removed are recorded; every
# later test that asks for the same step *from the same starting state* gets those rows
# written into its own transaction (a few hundred milliseconds). The starting state is part
# of the key (a fingerprint of every table), so a test that already changed something gets
# the real step, never a replay that could differ.


@dataclass(frozen=True)
class TableChanges:
    """What a setup step did to one table, as raw column values keyed by primary key."""

    model: type[Any]
    table: str
    pk_column: str
    columns: tuple[str, ...]  # the primary key column first
    added: tuple[tuple[Any, ...], ...]
    changed: tuple[tuple[Any, ...], ...]
    removed: tuple[Any, ...]


@dataclass(frozen=True)
class SetupRecord:
    """One recorded step: its changes per table, what it returned and the fingerprint it left."""

    changes: tuple[TableChanges, ...]
    result: Any
    after: Fingerprint


TableRows = dict[str, tuple[type[Any], str, tuple[str, ...], dict[Any, tuple[Any, ...]]]]


def _table_rows(using: str) -> TableRows:
    """Every row of every table Django manages, raw, keyed by table then by primary key."""
    connection = connections[using]
    quote = connection.ops.quote_name
    tables = set(connection.introspection.table_names())
    out: TableRows = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            meta = model._meta
            if meta.proxy or not meta.managed or meta.db_table not in tables or meta.db_table in out:
                continue
            if meta.pk is None or meta.pk.column is None:
                continue
            pk_column: str = meta.pk.column
            columns = (pk_column, *(f.column for f in meta.local_concrete_fields
                                    if f.column is not None and f.column != pk_column
                                    and not getattr(f, "generated", False)))
            cursor.execute(
                f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(meta.db_table)}"  # noqa: S608 - names from models
            )
            out[meta.db_table] = (model, pk_column, columns, {row[0]: tuple(row) for row in cursor.fetchall()})
    return out


def _changes(before: TableRows, after: TableRows) -> tuple[TableChanges, ...]:
    out = []
    for table, (model, pk_column, columns, rows) in after.items():
        old = before.get(table, (model, pk_column, columns, {}))[3]
        added = tuple(row for pk, row in rows.items() if pk not in old)
        changed = tuple(row for pk, row in rows.items() if pk in old and old[pk] != row)
        removed = tuple(pk for pk in old if pk not in rows)
        if added or changed or removed:
            out.append(TableChanges(model, table, pk_column, columns, added, changed, removed))
    return tuple(out)


@contextlib.contextmanager
def _triggers_off(using: str) -> Iterator[None]:
    """Triggers off inside the block (in the current transaction), then back as they were.

    The recorded rows already hold what the triggers derived (the fund rollups): firing them
    again would count twice.
    """
    connection = connections[using]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f"DROP TRIGGER {quote(name)}")
            yield
            for _name, sql in triggers:
                cursor.execute(sql)
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND n.nspname = current_schema() ORDER BY 1"
            )
            tables = [row[0] for row in cursor.fetchall()]
            for table in tables:
                cursor.execute(f"ALTER TABLE {quote(table)} DISABLE TRIGGER USER")
            yield
            # A table with pending foreign-key checks cannot be altered: check them now (Django's
            # foreign keys are all DEFERRABLE INITIALLY DEFERRED, so deferring them again after
            # is where the transaction was).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in tables:
                cursor.execute(f"ALTER TABLE {quote(table)} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            yield


def _replay(record: SetupRecord, using: str) -> None:
    """Write a recorded step's changes into the current transaction (foreign keys are deferred)."""
    connection = connections[using]
    quote = connection.ops.quote_name
    with _triggers_off(using), connection.cursor() as cursor:
        for t in record.changes:
            if t.removed:
                cursor.executemany(
                    f"DELETE FROM {quote(t.table)} WHERE {quote(t.pk_column)} = %s",  # noqa: S608
                    [(pk,) for pk in t.removed],
                )
        for t in record.changes:
            sets = ", ".join(f"{quote(c)} = %s" for c in t.columns[1:])
            for row in t.changed:
                cursor.execute(
                    f"UPDATE {quote(t.table)} SET {sets} WHERE {quote(t.pk_column)} = %s",  # noqa: S608
                    [*row[1:], row[0]],
                )
                if cursor.rowcount != 1:
                    raise AssertionError(f"replaying a setup step: {t.table} row {row[0]!r} is gone")
        for t in record.changes:
            if not t.added:
                continue
            names = ", ".join(quote(c) for c in t.columns)
            if connection.vendor == "postgresql":
                # COPY: ten times faster than row-by-row INSERTs for the demo's 5 000 rows.
                with cursor.cursor.copy(f"COPY {quote(t.table)} ({names}) FROM STDIN") as copy:
                    for row in t.added:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(t.columns))
                cursor.executemany(
                    f"INSERT INTO {quote(t.table)} ({names}) VALUES ({marks})",  # noqa: S608
                    list(t.added),
                )
        # Rows came with their ids: move the id sequences past them (PostgreSQL; SQLite's
        # AUTOINCREMENT counter follows explicit ids by itself).
        from django.core.management.color import no_style

        models = [t.model for t in record.changes if t.added]
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


class SetupReplay:
    """Run expensive setup steps once per test run and starting state; replay them after that.

    ``replay.run(key, step)`` calls ``step()`` the first time ``key`` is asked for from a
    given database state and records what it changed; later calls from an identical state
    (same fingerprint of every table) write the recorded rows instead and return the first
    call's result. The first replay of each record is checked against the fingerprint the
    real step left, so a replay that would differ fails loudly instead of passing quietly.
    ``key`` must name everything the step depends on besides the database (its arguments,
    the date it runs on).
    """

    def __init__(self) -> None:
        self._records: dict[tuple[Any, tuple[tuple[str, tuple[int, str]], ...]], SetupRecord] = {}
        self._checked: set[int] = set()
        self.real = 0
        self.replayed = 0

    def run(self, key: Any, step: Callable[[], Any], using: str = DEFAULT_DB_ALIAS) -> Any:
        base = db_fingerprint(exclude=(), using=using)
        memo = (key, tuple(sorted(base.items())))
        record = self._records.get(memo)
        if record is None:
            before = _table_rows(using)
            result = step()
            record = SetupRecord(_changes(before, _table_rows(using)), result, db_fingerprint(exclude=(), using=using))
            self._records[memo] = record
            self.real += 1
            return result
        _replay(record, using)
        if id(record) not in self._checked:
            changes = fingerprint_changes(record.after, db_fingerprint(exclude=(), using=using))
            assert not changes, f"replaying setup step {key!r} differs from running it: {changes}"
            self._checked.add(id(record))
        self.replayed += 1
        return record.result


class AtomicDepths:
    """How many atomic blocks were open at each call of the functions ``atomic_depths`` wraps,
    relative to the depth when it was set up (a test's own transaction does not count).

    "No slow work inside a write transaction" (docs/architecture.md, "Transactions") reads::

        depths = atomic_depths(monkeypatch, (importing, "read_first_sheet"), (MyImport, "write"))
        import_commit(...)
        assert depths["read_first_sheet"] == [0]    # parsed outside the commit's transaction
        assert depths["write"] == [1]               # written inside it
    """

    def __init__(self) -> None:
        self.base = len(connections[DEFAULT_DB_ALIAS].atomic_blocks)
        self.seen: dict[str, list[int]] = {}

    def __getitem__(self, name: str) -> list[int]:
        return self.seen.get(name, [])


def atomic_depths(monkeypatch: Any, *targets: tuple[Any, str]) -> AtomicDepths:
    """Wrap each ``(owner, name)`` (a module's function or a class's method) so every call
    records the atomic depth it ran at; see ``AtomicDepths``."""
    depths = AtomicDepths()
    for owner, name in targets:
        original: Callable[..., Any] = getattr(owner, name)

        def wrapped(*args: Any, __name: str = name, __original: Callable[..., Any] = original, **kwargs: Any) -> Any:
            depth = len(connections[DEFAULT_DB_ALIAS].atomic_blocks) - depths.base
            depths.seen.setdefault(__name, []).append(depth)
            return __original(*args, **kwargs)

        monkeypatch.setattr(owner, name, wrapped)
    return depths


def export_sheet(response: Any) -> list[tuple[Any, ...]]:
    """The first sheet's rows (values) of a streamed .xlsx export response, header row first;
    the response must be a 200 (a refused export redirects)."""
    import io

    import openpyxl

    assert response.status_code == 200, response.status_code
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert ws is not None
    return list(ws.iter_rows(values_only=True))
