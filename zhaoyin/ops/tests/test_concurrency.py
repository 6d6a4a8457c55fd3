"""Concurrent writers (CONC-04): threads appending to the audit chain at once all succeed —
SQLite queues them (WAL, IMMEDIATE transactions, busy timeout) instead of failing with
"database is locked", PostgreSQL serialises them on the chain head — and the chain stays
intact with no record lost."""

from __future__ import annotations

from pathlib import Path

from zhaoyin.ops.tests.cli import run_cli

WRITERS = """
import threading
from django.db import connections
from zhaoyin.audit.services import audit_write
from zhaoyin.audit.chain import verify_chain
errors = []
def writer(n):
    try:
        for i in range(25):
            audit_write(action="conc.write", detail=f"{n}-{i}")
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connections.close_all()
threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
for t in threads: t.start()
for t in threads: t.join(timeout=240)
report = verify_chain()
from zhaoyin.audit.models import AuditRecord
print("RESULT", len(errors), AuditRecord.objects.filter(action="conc.write").count(), report.ok, report.checked)
print("ERRORS", errors[:3])
"""


def test_CONC_04_concurrent_audited_writers_neither_fail_nor_break_the_chain(
    drill_database: tuple[Path, str | None],
) -> None:
    data_dir, url = drill_database
    run_cli("migrate", "--noinput", "-v", "0", data_dir=data_dir, database_url=url)
    out = run_cli("shell", "-v", "0", "-c", WRITERS, data_dir=data_dir, database_url=url).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT "))
    _, errors, written, ok, checked = line.split()
    assert errors == "0", out
    assert written == "150"
    assert ok == "True"
    assert int(checked) >= 150
