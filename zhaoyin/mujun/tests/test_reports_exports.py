"""The bureaus' lists (issue 14 item 5, acceptance: "the differentiated-price export opens in
openpyxl with the expected columns and totals"), the 公示 list in Excel and PDF, scope, audit."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import Conflict
from zhaoyin.core.testing import atomic_depths
from zhaoyin.mujun import exports
from zhaoyin.mujun.tests.report_fixtures import YEAR, MuWorld, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def mu(org_tree: dict[str, OrgUnit], make_user: MakeUser) -> MuWorld:
    return build_world(org_tree, make_user)


def rows_of(content: bytes, sheet: int = 0) -> list[list[Any]]:
    ws = load_workbook(io.BytesIO(content)).worksheets[sheet]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_the_differentiated_price_list_has_the_grid_companys_columns_and_totals(mu: MuWorld) -> None:
    built = exports.run_export(acting_user=mu.office, run=mu.run, kind="surcharge")
    assert built.content_type == exports.XLSX
    assert built.filename.endswith(".xlsx")
    rows = rows_of(built.content)
    assert rows[0][0] == f"{YEAR}年度亩均效益评价差别化电价名单"
    assert rows[1] == [
        "序号", "企业名称", "统一社会信用代码", "评价等级",
        "用电量（万千瓦时）", "加价标准（元/千瓦时）", "加价金额（万元）",
    ]
    # Only the charged grades (C 0.05, D 0.10 元/千瓦时), C before D; amount = use × surcharge.
    assert rows[2] == [1, mu.a2.name, mu.a2.uscc, "C", 250.5, 0.05, 12.53]
    assert rows[3] == [2, mu.b2.name, mu.b2.uscc, "D", 1200.25, 0.1, 120.03]
    assert rows[4] == ["合计", None, None, None, 1450.75, None, 132.56]
    assert len(rows) == 5
    assert built.rows == 2
    record = AuditRecord.objects.filter(action="mujun.export").get()
    assert json.loads(record.detail) == {"kind": "surcharge", "rows": 2}


def test_the_land_tax_relief_list_gives_area_and_relief_with_totals(mu: MuWorld) -> None:
    rows = rows_of(exports.run_export(acting_user=mu.office, run=mu.run, kind="land-tax").content)
    assert rows[1] == ["序号", "企业名称", "统一社会信用代码", "评价等级", "用地面积（亩）", "减免比例（%）"]
    assert rows[2:] == [[1, mu.a1.name, mu.a1.uscc, "A", 30, 100], [2, mu.b1.name, mu.b1.uscc, "B", 25, 80],
                        ["合计", None, None, None, 55, None]]


def test_the_priority_lists_hold_the_a_and_b_firms_by_score_for_each_body(mu: MuWorld) -> None:
    content = exports.run_export(acting_user=mu.office, run=mu.run, kind="priority").content
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["用地优先", "用能优先", "信贷优先"]
    land = rows_of(content, 0)
    assert land[1][-1] == "用地面积（亩）"
    assert [r[1] for r in land[2:]] == [mu.a1.name, mu.b1.name]
    assert rows_of(content, 1)[2][-1] == 800
    assert rows_of(content, 2)[3][-1] == 9000


def test_the_publicity_list_shows_rank_firm_and_grade_only(mu: MuWorld) -> None:
    rows = rows_of(exports.run_export(acting_user=mu.office, run=mu.run, kind="publicity-xlsx").content)
    assert rows[0][0] == f"{YEAR}年度工业企业亩均效益综合评价结果公示 — 规上企业"
    assert rows[1] == ["排名", "企业名称", "评价等级"]
    assert rows[2:] == [[1, mu.a1.name, "A"], [2, mu.b1.name, "B"], [3, mu.a2.name, "C"], [4, mu.b2.name, "D"]]


def test_the_publicity_pdf_carries_the_title_and_the_firms(mu: MuWorld, tmp_path: Path) -> None:
    built = exports.run_export(acting_user=mu.office, run=mu.run, kind="publicity-pdf")
    assert built.content.startswith(b"%PDF")
    assert built.content_type == exports.PDF
    path = tmp_path / "publicity.pdf"
    path.write_bytes(built.content)
    assert shutil.which("pdftotext") is not None
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert f"{YEAR}年度工业企业亩均效益综合评价结果公示" in text
    for firm in (mu.a1, mu.a2, mu.b1, mu.b2):
        assert firm.name in text
    assert "900" not in text  # no figures: the detailed inputs are each firm's own


def test_a_county_exports_its_own_firms_only(mu: MuWorld) -> None:
    rows = rows_of(exports.run_export(acting_user=mu.staff_a, run=mu.run, kind="surcharge").content)
    assert [r[1] for r in rows[2:-1]] == [mu.a2.name]
    assert rows[-1][4] == 250.5


def test_a_run_not_yet_public_has_no_lists(org_tree: dict[str, OrgUnit], make_user: MakeUser) -> None:
    world = build_world(org_tree, make_user, state="initial")
    with pytest.raises(Conflict):
        exports.run_export(acting_user=world.office, run=world.run, kind="surcharge")
    assert not AuditRecord.objects.filter(action="mujun.export").exists()


def test_the_file_is_built_outside_any_transaction(mu: MuWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    depths = atomic_depths(monkeypatch, (exports, "write_xlsx"), (exports, "audit_write"))
    exports.run_export(acting_user=mu.office, run=mu.run, kind="surcharge")
    assert depths["write_xlsx"] == [0]
    assert depths["audit_write"] == [0]


def test_amounts_are_exact_decimals() -> None:
    assert exports._total([Decimal("0.10"), None, Decimal("0.20")]) == Decimal("0.30")
