#!/usr/bin/env python3
"""Excel import of 100 000 enterprise rows (issue 2 acceptance: ≤ 60 s, peak ≤ 500 MB).

In a throwaway ZHAOYIN_DATA_DIR with a migrated SQLite database holding a few org units, a
workbook of ``--rows`` enterprises (valid USCCs from ``make_uscc``, the seeded industries and
qualifications) is written with the export writer. Each phase then runs in its own process,
so that ``ru_maxrss`` is that phase's peak memory:

    floor     the bare read of the same file with the same reader (python-calamine,
              every cell of every row touched)
    dry_run   upload checks + the preview (clean, classify, store the batch)
    commit    re-validation + all-or-nothing write with one audit record per enterprise
    reimport  the same file again (preview): must be 0 created, 0 updated

Prints one JSON line per phase: {"name","rows","seconds","peak_mb","floor_seconds","ratio"}
(ratio = seconds / floor_seconds) and exits non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60.0
TARGET_PEAK_MB = 500.0
FILE_NAME = "enterprises.xlsx"
BENCH_PASSWORD = "Bench-Import-2026!x"  # noqa: S105 - a throwaway account in a throwaway database


def peak_mb() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


# --- phases (each in a child process) --------------------------------------------------------


def phase_setup(rows: int) -> dict[str, Any]:
    _django()
    import datetime as dt
    from decimal import Decimal

    from django.core.management import call_command

    from zhaoyin.accounts.models import OrgUnit, OrgUnitKind
    from zhaoyin.accounts.services import user_create
    from zhaoyin.enterprises.importing import ENTERPRISE_COLUMNS, IDENTIFIER_INDEXES
    from zhaoyin.enterprises.models import Industry, Qualification
    from zhaoyin.lib.uscc import make_uscc
    from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx

    call_command("migrate", verbosity=0)
    city = OrgUnit.objects.create(code="340400", name="淮南市", kind=OrgUnitKind.CITY)
    counties = [
        OrgUnit.objects.create(code=code, name=name, kind=OrgUnitKind.COUNTY, parent=city)
        for code, name in [("340402", "大通区"), ("340403", "田家庵区"), ("340421", "凤台县")]
    ]
    groups = [
        OrgUnit.objects.create(code=f"sg-{n:02d}", name=f"第{n}服务组", kind=OrgUnitKind.SERVICE_GROUP, parent=city)
        for n in range(1, 4)
    ]
    user_create(acting_user=None, username="bench_admin", password=BENCH_PASSWORD, roles=["city_admin"], org_unit=city)
    industries = list(Industry.objects.values_list("name", flat=True))
    quals = list(Qualification.objects.values_list("name", flat=True))

    def generate() -> Any:
        for n in range(rows):
            county = counties[n % len(counties)]
            yield [
                f"基准测试企业{n:06d}有限公司",
                make_uscc(county.code, f"{n:08d}"),
                county.code,
                industries[n % len(industries)],
                "王" + str(n % 97),
                f"淮南市{county.name}示范路{n % 500}号",
                "规上" if n % 3 == 0 else "规下",
                dt.date(1990 + n % 30, 1 + n % 12, 1 + n % 28),
                n % 2000,
                Decimal(n % 1000) / 4,
                "、".join(quals[(n + k) % len(quals)] for k in range(n % 3)),
                groups[n % len(groups)].code if n % 2 else None,
            ]

    path = Path(os.environ["ZHAOYIN_DATA_DIR"]) / FILE_NAME
    started = time.perf_counter()
    write_xlsx(
        path,
        [
            SheetSpec(
                title="企业",
                headers=[c.label for c in ENTERPRISE_COLUMNS],
                rows=generate(),
                text_columns=IDENTIFIER_INDEXES,
            )
        ],
    )
    return {"seconds": time.perf_counter() - started, "bytes": path.stat().st_size}


def phase_floor() -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from zhaoyin.lib.xlsx_safety import read_first_sheet

    data = (Path(os.environ["ZHAOYIN_DATA_DIR"]) / FILE_NAME).read_bytes()
    started = time.perf_counter()
    cells = 0
    for row in read_first_sheet(data).rows:
        for _value in row:
            cells += 1
    return {"seconds": time.perf_counter() - started, "cells": cells}


def phase_dry_run(name: str) -> dict[str, Any]:
    _django()
    from zhaoyin.accounts.models import User
    from zhaoyin.core.importing import import_preview
    from zhaoyin.enterprises.importing import EnterpriseImport

    user = User.objects.get(username="bench_admin")
    data = (Path(os.environ["ZHAOYIN_DATA_DIR"]) / FILE_NAME).read_bytes()
    started = time.perf_counter()
    batch, plan = import_preview(acting_user=user, spec=EnterpriseImport(user), data=data, filename=FILE_NAME)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "batch": batch.pk, **plan.counts}


def phase_commit(batch_id: int) -> dict[str, Any]:
    _django()
    from zhaoyin.accounts.models import User
    from zhaoyin.audit.chain import verify_chain
    from zhaoyin.core.importing import import_commit
    from zhaoyin.core.models import ImportBatch
    from zhaoyin.enterprises.importing import EnterpriseImport
    from zhaoyin.enterprises.models import Enterprise

    user = User.objects.get(username="bench_admin")
    batch = ImportBatch.objects.get(pk=batch_id)
    started = time.perf_counter()
    batch, plan = import_commit(acting_user=user, spec=EnterpriseImport(user), batch=batch)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "enterprises": Enterprise.objects.count(),
        "chain_ok": verify_chain().ok,
        **plan.counts,
    }


# --- the parent ------------------------------------------------------------------------------


def child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", *args],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        phase, *rest = args.child
        if phase == "setup":
            result = phase_setup(int(rest[0]))
        elif phase == "floor":
            result = phase_floor()
        elif phase == "dry_run":
            result = phase_dry_run(rest[0] if rest else "")
        elif phase == "commit":
            result = phase_commit(int(rest[0]))
        else:
            raise SystemExit(f"unknown phase {phase}")
        result["peak_mb"] = round(peak_mb(), 1)
        print(json.dumps(result, ensure_ascii=False))
        return 0

    tmp = tempfile.mkdtemp(prefix="zhaoyin-bench-import-")
    (Path(tmp) / "static").mkdir()
    env = dict(os.environ, ZHAOYIN_DATA_DIR=tmp, ZHAOYIN_ENV="development", DJANGO_SETTINGS_MODULE="config.settings")
    env.pop("DATABASE_URL", None)
    failed = False
    try:
        setup = child(["setup", str(args.rows)], env)
        floor = child(["floor"], env)
        floor_s = floor["seconds"]
        results = []
        dry = child(["dry_run"], env)
        results.append(("import_dry_run", dry))
        commit = child(["commit", str(dry["batch"])], env)
        results.append(("import_commit", commit))
        again = child(["dry_run"], env)
        results.append(("import_reimport_dry_run", again))
        print(json.dumps({"name": "import_floor_read", "rows": args.rows, "seconds": round(floor_s, 3),
                          "peak_mb": floor["peak_mb"], "file_mb": round(setup["bytes"] / 2**20, 2)}), flush=True)
        for name, r in results:
            record = {
                "name": name,
                "rows": args.rows,
                "seconds": round(r["seconds"], 3),
                "peak_mb": r["peak_mb"],
                "floor_seconds": round(floor_s, 3),
                "ratio": round(r["seconds"] / floor_s, 1) if floor_s else None,
                "created": r.get("created"),
                "updated": r.get("updated"),
                "unchanged": r.get("unchanged"),
                "rejected": r.get("rejected"),
            }
            print(json.dumps(record, ensure_ascii=False), flush=True)
            failed |= r["peak_mb"] > TARGET_PEAK_MB
        total = dry["seconds"] + commit["seconds"]
        print(json.dumps({"name": "import_total", "rows": args.rows, "seconds": round(total, 3),
                          "peak_mb": max(dry["peak_mb"], commit["peak_mb"]), "floor_seconds": round(floor_s, 3),
                          "ratio": round(total / floor_s, 1) if floor_s else None}), flush=True)
        failed |= total > TARGET_SECONDS
        failed |= commit.get("created") != args.rows or not commit.get("chain_ok")
        failed |= (again.get("created"), again.get("updated"), again.get("unchanged")) != (0, 0, args.rows)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
