"""The targets report (issue 15 item 7): the progress table as Excel and the monthly 招商 通报 as
Word and PDF — each file opened and its figures read back."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.roles import Role
from zhaoyin.core.tests.office_files import assert_page_numbers
from zhaoyin.projects.models import Project
from zhaoyin.targets.report import RANKING_HEADERS, bulletin_build, bulletin_docx, bulletin_html
from zhaoyin.targets.tests.conftest import api_client, events, web_client
from zhaoyin.targets.tests.test_ranking_groups import configure_huainan, huainan  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 10, 8)


@pytest.fixture
def month_projects(huainan: dict[str, OrgUnit], project: Callable[..., Project]) -> dict[str, Project]:  # noqa: F811
    """A 1.2 亿 project of county B signed and started in September; a red one in park G."""
    signed = project("county_b", wan="12000")
    Project.objects.filter(pk=signed.pk).update(name="九月签约项目")
    signed.name = "九月签约项目"
    events(signed, ("lead", dt.date(2026, 3, 1)), ("signed", dt.date(2026, 9, 10)), ("started", dt.date(2026, 9, 25)))
    red = project("county_b", wan="50000", planned_start_on=dt.date(2026, 5, 1))
    lit = {"name": "红灯项目", "org_unit": huainan["gxq"], "alert_level": "red", "alert_date": TODAY}
    Project.objects.filter(pk=red.pk).update(**lit)
    configure_huainan(huainan)
    return {"signed": signed, "red": red}


def test_progress_export_reads_back_the_table(month_projects: Any, make_user: Any) -> None:
    leader = make_user(Role.LEADER, "city")
    url = "?year=2026&indicator=external_funds&as_of=2026-09-30"
    page = web_client(leader).get("/targets/export.xlsx" + url)
    assert page.status_code == 200
    api = api_client(leader).get("/api/v1/targets/progress.xlsx" + url)
    assert api.status_code == 200
    for content in (page.content, api.content):
        sheet = load_workbook(io.BytesIO(content)).active
        assert sheet is not None
        values = [[c.value for c in row] for row in sheet.iter_rows()]
        assert str(values[0][0]).startswith("2026年")
        assert values[1] == ["分组", "单位代码", "单位", "年度目标", "完成", "完成率", "序时进度", "差距", "排名"]
        rows = {r[1]: r for r in values[2:]}
        assert rows["340400"][3:6] == [200, 115, 0.575]
        assert rows["340402"][0] == "县区"
        assert rows["340402"][3:6] == [40, 10, 0.25]
        assert rows["340402"][8] == 3
        assert rows["park-m"][0] == "县区"
        assert rows["park-m"][8] == 1
        assert rows["park-a"][0] == "开发区/园区"
        assert rows["park-a"][8] == 1
    assert AuditRecord.objects.filter(action="targets.progress.export").count() == 2
    bad = api_client(leader).get("/api/v1/targets/progress.xlsx?year=2026&indicator=nope")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "indicator"


def test_a_county_exports_only_its_rows(month_projects: Any, make_user: Any) -> None:
    staff = make_user(Role.STAFF, "county_a")
    content = web_client(staff).get("/targets/export.xlsx?year=2026&as_of=2026-09-30").content
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    assert [row[1].value for row in sheet.iter_rows(min_row=3)] == ["340402", "340402", "park-a"]


def test_the_word_bulletin_reads_back(month_projects: Any, make_user: Any, huainan: Any) -> None:  # noqa: F811
    leader = make_user(Role.LEADER, "city")
    b = bulletin_build(leader, year=2026, month=9, today=TODAY)
    assert b.as_of == dt.date(2026, 9, 30)
    content = bulletin_docx(b)
    assert_page_numbers(content)  # GB/T 9704: — N —, odd right, even left
    doc = Document(io.BytesIO(content))
    texts = [p.text for p in doc.paragraphs]
    assert "关于2026年9月全市招商引资工作进展情况的通报" in texts
    assert "淮招引〔2026〕9号" in texts
    summary = next(t for t in texts if t.startswith("截至"))
    assert "全市到位资金115.00亿元，完成年度目标57.5%，序时进度75.0%" in summary
    assert "9月全市新签约项目1个、新开工项目1个；红灯项目1个、黄灯项目0个" in summary
    assert "（一）县区" in texts
    assert "（二）开发区/园区" in texts
    counties, parks, alerts, signed, started = doc.tables
    assert [c.text for c in counties.rows[0].cells] == RANKING_HEADERS
    lines = [[c.text for c in r.cells] for r in counties.rows[1:]]
    assert [line[:2] for line in lines] == [["1", "田家庵区"], ["1", "毛集实验区"], ["3", "大通区"]]
    assert lines[2][2:7] == ["40.00", "10.00", "25.0%", "75.0%", "-50.0%"]
    assert lines[0][7:] == ["1", "1"]  # county B's 1.2 亿 project signed and started this year
    assert [[c.text for c in r.cells][:2] for r in parks.rows[1:]] == [["1", "A园区"], ["2", "高新区"]]
    assert [[c.text for c in r.cells][:3] for r in alerts.rows[1:]] == [["红灯", "红灯项目", "高新区"]]
    assert [[c.text for c in r.cells] for r in signed.rows[1:]] == [["九月签约项目", "田家庵区", "1.20", "2026-09-10"]]
    assert [r.cells[3].text for r in started.rows[1:]] == ["2026-09-25"]
    title = next(p for p in doc.paragraphs if p.text.startswith("关于")).runs[0]._element.rPr
    assert title is not None
    assert title.rFonts is not None
    assert title.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"


def test_the_pdf_bulletin_and_the_downloads(month_projects: Any, make_user: Any) -> None:
    leader = make_user(Role.LEADER, "city")
    assert "（一）县区" in bulletin_html(bulletin_build(leader, year=2026, month=9, today=TODAY))
    r = web_client(leader).get("/targets/bulletin/?year=2026&month=9&format=pdf")
    assert r.status_code == 200
    assert r.content.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=r.content, capture_output=True, check=True).stdout.decode()
    flat = "".join(text.split())
    assert "全市招商引资工作进展情况的通报" in flat
    assert "毛集实验区" in flat
    assert "九月签约项目" in flat
    docx = api_client(leader).get("/api/v1/targets/bulletin?year=2026&month=9&format=docx")
    assert docx.status_code == 200
    Document(io.BytesIO(docx.content))
    assert AuditRecord.objects.filter(action="targets.bulletin.export").count() == 2


@pytest.mark.parametrize(("query", "field"), [("month=13", "month"), ("month=9&format=xls", "format"),
                                              ("year=1999&month=9", "year")])
def test_bad_bulletin_parameters_are_named_and_nothing_is_exported(
    month_projects: Any, make_user: Any, query: str, field: str
) -> None:
    leader = make_user(Role.LEADER, "city")
    q = query if "year=" in query else f"year=2026&{query}"
    r = api_client(leader).get(f"/api/v1/targets/bulletin?{q}")
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == field
    page = web_client(leader).get(f"/targets/bulletin/?{q}")
    assert page.status_code == 400
    assert not AuditRecord.objects.filter(action="targets.bulletin.export").exists()


def test_the_bulletin_is_for_city_wide_roles(month_projects: Any, make_user: Any) -> None:
    staff = make_user(Role.STAFF, "county_a")
    assert web_client(staff).get("/targets/bulletin/?year=2026&month=9").status_code == 403
    assert api_client(staff).get("/api/v1/targets/bulletin?year=2026&month=9").status_code == 403


def test_the_documents_are_built_outside_any_transaction(
    month_projects: Any, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite has one writer: the workbook and the 通报 are built at atomic depth 0 and each
    download's audit record is written in audit_write's own short transaction."""
    from zhaoyin.core.testing import atomic_depths
    from zhaoyin.targets import report

    depths = atomic_depths(monkeypatch, (report, "progress_xlsx"), (report, "bulletin_docx"), (report, "audit_write"))
    leader = make_user(Role.LEADER, "city")
    client = web_client(leader)
    assert client.get("/targets/export.xlsx?year=2026&indicator=external_funds&as_of=2026-09-30").status_code == 200
    assert client.get("/targets/bulletin/?year=2026&month=9&format=docx").status_code == 200
    assert depths["progress_xlsx"] == [0]
    assert depths["bulletin_docx"] == [0]
    assert depths["audit_write"] == [0, 0]
