#!/usr/bin/env python3
"""A bureau's 亩均 import at province scale (issue 14 benchmark): the statistics bureau's
workbook (统一社会信用代码 | 企业名称 | 主营业务收入 | 工业增加值 | 技改投资) of ``--rows`` firms
(default 100 000) over as many enterprises, per database.

Phases, each timed in the same child process:

    setup     the enterprises (bulk, this script's own generator) and the workbook
    floor     openpyxl's read-only read of the same file (every cell touched) plus a bare bulk
              insert (``core.bulk.insert_values``, multi-row statements) of the same 3 × rows values
              into the MuInput table (then removed)
    dry_run   the upload checks and the dry run (read, clean every row, match the USCCs,
              compare with the stored values, store the batch) — ``mu_import_preview``
    commit    the commit of the previewed bytes: re-read, re-check, write in bulk, audit once
              — ``mu_import_commit``
    reimport  the same file again, dry run: every row unchanged

Target: the dry run and the commit each ≤ 60 s on SQLite and PostgreSQL. One JSON line per
measurement with the floor and the ratio; exit non-zero when a target is missed.

    .venv/bin/python bench/bench_mu_import.py [--db sqlite|postgres|both] [--rows N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import django_setup, emit, run_per_database

TARGET_SECONDS = 60.0
YEAR = 2025


def _setup(rows: int) -> tuple[Any, bytes]:
    """The firms and the workbook (not timed against the target)."""
    from decimal import Decimal

    from common import bench_user

    from zhaoyin.accounts.models import OrgUnit, OrgUnitKind
    from zhaoyin.enterprises.models import Enterprise, Industry
    from zhaoyin.lib.uscc import make_uscc
    from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx
    from zhaoyin.mujun.input_importing import columns_of
    from zhaoyin.mujun.sources import Source

    city = OrgUnit.objects.create(code="340400", name="淮南市", kind=OrgUnitKind.CITY)
    county = OrgUnit.objects.create(code="340402", name="大通区", kind=OrgUnitKind.COUNTY, parent=city)
    industry, _created = Industry.objects.get_or_create(code="bench-mfg", defaults={"name": "基准制造业"})
    usccs = [make_uscc("340400", f"{n:08d}") for n in range(1, rows + 1)]
    firms = [
        Enterprise(name=f"基准企业{n:06d}有限公司", uscc=code, org_unit=county, industry=industry,
                   size_class="above" if n % 3 else "below", search_text=code)
        for n, code in enumerate(usccs, start=1)
    ]
    Enterprise.objects.bulk_create(firms, batch_size=5000)
    user = bench_user("bench_mu_office", "mu_office", "340400")

    def cells() -> Any:
        for n, code in enumerate(usccs, start=1):
            revenue = Decimal(1000 + n % 5000) + Decimal(n % 100) / 100
            yield [code, f"基准企业{n:06d}有限公司", revenue, (revenue * Decimal("0.3")).quantize(Decimal("0.01")),
                   Decimal(n % 700)]

    import io

    out = io.BytesIO()
    cols = columns_of(Source.STATS)
    write_xlsx(out, [SheetSpec(title="统计", headers=[c.label for c in cols], rows=cells(),
                               text_columns=frozenset({0}))])
    return user, out.getvalue()


def _floor(content: bytes) -> tuple[float, float, int]:
    """openpyxl's read of every cell, and a bare bulk insert of the same values."""
    import io
    from decimal import Decimal

    import openpyxl
    from django.db import transaction
    from django.utils import timezone

    from zhaoyin.core import bulk
    from zhaoyin.enterprises.models import Enterprise
    from zhaoyin.mujun.models import MuInput

    started = time.perf_counter()
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheet = book.worksheets[0]
    rows: list[tuple[Any, ...]] = []
    for row in sheet.iter_rows(min_row=2, values_only=True):
        rows.append(tuple(row))
    book.close()
    read = time.perf_counter() - started
    ids = dict(Enterprise.objects.values_list("uscc", "pk"))
    now = timezone.now()
    figures = ("revenue", "value_added", "tech_investment")
    values = [
        (ids[r[0]], YEAR, figure, Decimal(str(r[2 + i])), "stats", None, now)
        for r in rows for i, figure in enumerate(figures) if r[2 + i] is not None
    ]
    started = time.perf_counter()
    with transaction.atomic():
        bulk.insert_values(MuInput, ["enterprise_id", "year", "figure", "value", "source", "batch_id", "updated_at"],
                           values)
    insert = time.perf_counter() - started
    MuInput.objects.all().delete()
    return read, insert, len(values)


def child(rows: int) -> int:
    vendor = django_setup()
    from zhaoyin.core.models import ImportStatus
    from zhaoyin.mujun.input_inputs import ImportInput
    from zhaoyin.mujun.input_services import mu_import_commit, mu_import_preview
    from zhaoyin.mujun.models import MuInput
    from zhaoyin.mujun.sources import Source

    started = time.perf_counter()
    user, content = _setup(rows)
    emit({"name": "mu_import.setup", "db": vendor, "rows": rows, "seconds": round(time.perf_counter() - started, 2),
          "file_mb": round(len(content) / 2**20, 1)})
    read, insert, values = _floor(content)
    floor = read + insert
    emit({"name": "mu_import.floor", "db": vendor, "rows": rows, "values": values, "read_s": round(read, 2),
          "insert_s": round(insert, 2), "seconds": round(floor, 2)})
    params = ImportInput.of(source=Source.STATS.value, year=YEAR)
    status = 0

    def report(name: str, seconds: float, **extra: Any) -> None:
        nonlocal status
        ok = seconds <= TARGET_SECONDS
        status |= 0 if ok else 1
        emit({"name": f"mu_import.{name}", "db": vendor, "rows": rows, "seconds": round(seconds, 2),
              "floor_seconds": round(floor, 2), "ratio": round(seconds / floor, 2) if floor else None,
              "target_s": TARGET_SECONDS, "ok": ok, **extra})

    started = time.perf_counter()
    batch, plan = mu_import_preview(acting_user=user, data=params, content=content, filename="stats.xlsx")
    report("dry_run", time.perf_counter() - started, created=plan.counts["created"], rejected=plan.counts["rejected"])
    started = time.perf_counter()
    batch, plan = mu_import_commit(acting_user=user, batch=batch)
    report("commit", time.perf_counter() - started, written=MuInput.objects.count())
    if batch.status != ImportStatus.COMMITTED or plan.counts["created"] != rows:
        status |= 1
    started = time.perf_counter()
    _batch, plan = mu_import_preview(acting_user=user, data=params, content=content, filename="stats.xlsx")
    report("reimport", time.perf_counter() - started, unchanged=plan.counts["unchanged"])
    if plan.counts["unchanged"] != rows:
        status |= 1
    return status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.rows)
    return run_per_database(__file__, ["--rows", str(args.rows)], args.db)


if __name__ == "__main__":
    sys.exit(main())
