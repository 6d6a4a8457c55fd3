"""Project Excel export: scope and filters as on the list (XLS-03), no formulas (XLS-02),
audited with the filter and the row count."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from zhaoyin.accounts.models import User
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.roles import Role
from zhaoyin.lib.xlsx_safety import read_first_sheet
from zhaoyin.projects.choices import Stage
from zhaoyin.projects.exporting import project_export
from zhaoyin.projects.tests.helpers import MakeProject, web_client

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://evil.example","点我")', "+1", "-1+1", "@SUM(A1)"]


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, settings: Any) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def export(user: User, params: dict[str, str] | None = None) -> tuple[bytes, int]:
    out = io.BytesIO()
    count = project_export(acting_user=user, params=params or {}, out=out)
    return out.getvalue(), count


def test_XLS_02_hostile_text_stays_text(make_user: Any, make_project: MakeProject) -> None:
    for name in HOSTILE:
        make_project(name=name, investor_name="=1+2", lead_official="@cmd")
    data, count = export(make_user(Role.STAFF, "county_a"))
    assert count == len(HOSTILE)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert not re.search(r"<f[\s>/]", xml)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws is not None
    assert sorted(str(ws.cell(row=r, column=2).value) for r in range(2, 2 + count)) == sorted(HOSTILE)
    # Codes are text, the amount a number.
    assert ws.cell(row=2, column=1).data_type == "s"
    assert ws.cell(row=2, column=5).data_type == "s"
    assert ws.cell(row=2, column=8).data_type == "n"


def test_XLS_03_export_is_scoped_and_audited(make_user: Any, make_project: MakeProject) -> None:
    for _ in range(3):
        make_project(unit="county_a")
    make_project(unit="park_a")
    for _ in range(2):
        make_project(unit="county_b")
    county_b = make_user(Role.STAFF, "county_b")
    data, count = export(county_b)
    rows = list(read_first_sheet(data).rows)[1:]
    assert count == len(rows) == 2
    assert {r[4] for r in rows} == {"340403"}
    audit = AuditRecord.objects.filter(action="project.export").latest("id")
    assert audit.actor == county_b.username
    assert json.loads(audit.detail) == {"filter": {}, "rows": 2}
    assert export(make_user(Role.STAFF, "county_a"))[1] == 4
    assert export(make_user(Role.LEADER, "city"))[1] == 6


def test_XLS_03_export_applies_the_list_filters(make_user: Any, make_project: MakeProject) -> None:
    make_project(name="甲项目", stage=Stage.SIGNED, total_investment_wan=Decimal("5.00"))
    make_project(name="乙项目", stage=Stage.LEAD)
    user = make_user(Role.STAFF, "county_a")
    data, count = export(user, {"stage": "signed"})
    assert count == 1
    row = list(read_first_sheet(data).rows)[1]
    assert row[1] == "甲项目"
    audit = AuditRecord.objects.filter(action="project.export").latest("id")
    assert json.loads(audit.detail) == {"filter": {"stage": "signed"}, "rows": 1}
    assert export(user, {"q": "乙"})[1] == 1


def test_bad_filter_is_refused_without_audit(make_user: Any) -> None:
    user = make_user(Role.STAFF, "county_a")
    with pytest.raises(InvalidInput) as info:
        export(user, {"min_investment": "-3"})
    assert info.value.errors[0]["field"] == "min_investment"
    assert not AuditRecord.objects.filter(action="project.export").exists()


def test_export_view_streams_xlsx(make_user: Any, make_project: MakeProject) -> None:
    make_project()
    client = web_client(make_user(Role.LEADER, "city"))
    response = client.get(reverse("projects:export"), {"stage": "lead"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert len(list(read_first_sheet(data).rows)) == 2
    bad = client.get(reverse("projects:export"), {"stage": "nope"})
    assert bad.status_code == 302


def test_export_carries_verified_funds_in_place(make_user: Any, make_project: MakeProject) -> None:
    """到位资金 (issue 16 item 2): the verified active entries only, named so in the header."""
    from zhaoyin.projects.choices import FundVerification
    from zhaoyin.projects.models import FundEntry

    funded = make_project(name="有资金项目")
    make_project(name="无资金项目")
    month = dt.date(2026, 3, 1)
    for amount, source, verification in (
        ("100.50", "outside_city", FundVerification.VERIFIED),
        ("20.25", "foreign", FundVerification.VERIFIED),
        ("7.00", "outside_province", FundVerification.REPORTED),  # 填报, not yet 核实: not counted
    ):
        FundEntry.objects.create(
            project=funded, month=month, amount_wan=Decimal(amount), source=source, verification=verification
        )
    # A superseded (corrected) verified entry is not counted either.
    FundEntry.objects.create(
        project=funded, month=dt.date(2026, 2, 1), amount_wan=Decimal("999.00"), source="outside_city",
        verification=FundVerification.VERIFIED, superseded_at=timezone.now(),
    )
    data, count = export(make_user(Role.STAFF, "county_a"))
    rows = list(read_first_sheet(data).rows)
    header = rows[0]
    column = header.index("到位资金（核实，万元）")
    by_name = {r[1]: r[column] for r in rows[1:]}
    assert count == 2
    assert Decimal(str(by_name["有资金项目"])) == Decimal("120.75")
    assert Decimal(str(by_name["无资金项目"])) == 0


def test_export_file_name_is_chinese_with_ascii_fallback(make_user: Any, make_project: MakeProject) -> None:
    make_project()
    response = web_client(make_user(Role.LEADER, "city")).get(reverse("projects:export"))
    day = timezone.localdate().isoformat()
    disposition = response["Content-Disposition"]
    assert disposition == (
        f"attachment; filename=\"export_{day}.xlsx\"; filename*=UTF-8''{quote(f'招商项目_{day}.xlsx')}"
    )
