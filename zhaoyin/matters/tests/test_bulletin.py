"""The monthly bulletin (issue 4 item 8): the generated Word and PDF files are opened and read."""

from __future__ import annotations

import io
import subprocess
from typing import Any

import pytest
from django.test import Client
from docx import Document
from docx.oxml.ns import qn

from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.tests.office_files import assert_page_numbers
from zhaoyin.matters.bulletin import RANKING_HEADERS, bulletin_build, bulletin_docx, bulletin_pdf
from zhaoyin.matters.models import Matter
from zhaoyin.matters.tests.conftest import People
from zhaoyin.matters.tests.test_kpis import TODAY, matters  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_the_word_bulletin_has_the_title_ranking_and_lists_in_chinese_fonts(
    matters: dict[str, Any], people: People, org_tree: Any  # noqa: F811
) -> None:
    Matter.objects.filter(pk=matters["overdue"].pk).update(listed=True)
    b = bulletin_build(people.supervisor, year=2026, month=11, today=TODAY)
    content = bulletin_docx(b)
    assert_page_numbers(content)  # GB/T 9704: — N —, odd right, even left
    doc = Document(io.BytesIO(content))
    texts = [p.text for p in doc.paragraphs]
    assert "关于2026年11月交办事项办理情况的通报" in texts
    assert "淮招引督〔2026〕11号" in texts
    assert any(t.startswith("11月，全市共交办事项5件") for t in texts)
    ranking, overdue, listed = doc.tables
    assert [c.text for c in ranking.rows[0].cells] == RANKING_HEADERS
    assert [r.cells[1].text for r in ranking.rows[1:]] == [org_tree["county_a"].name, org_tree["county_b"].name]
    assert matters["overdue"].code in {r.cells[0].text for r in overdue.rows[1:]}
    assert [r.cells[0].text for r in listed.rows[1:]] == [matters["overdue"].code]
    title_run = next(p for p in doc.paragraphs if p.text.startswith("关于")).runs[0]
    rpr = title_run._element.rPr
    assert rpr is not None
    assert rpr.rFonts is not None
    assert rpr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    section = doc.sections[0]
    assert section.top_margin is not None
    assert section.left_margin is not None
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)


def test_the_pdf_bulletin_reads_as_the_same_text(matters: dict[str, Any], people: People, org_tree: Any) -> None:  # noqa: F811
    pdf = bulletin_pdf(bulletin_build(people.supervisor, year=2026, month=11, today=TODAY))
    assert pdf.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    flat = "".join(text.split())
    assert "关于2026年11月交办事项办理情况的通报" in flat
    assert org_tree["county_a"].name in flat
    assert "签收及时率" in flat


def test_download_is_audited_and_bad_input_is_refused(matters: dict[str, Any], people: People) -> None:  # noqa: F811
    client = Client()
    client.force_login(people.supervisor)
    response = client.get("/matters/bulletin/?year=2026&month=11&format=docx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="bulletin-2026-11.docx"'
    Document(io.BytesIO(response.content))
    record = AuditRecord.objects.get(action="matters.bulletin.export")
    assert record.after is not None
    assert record.after["format"] == "docx"
    for query, field in (("format=xls", "format"), ("month=13", "month")):
        bad = client.get(f"/matters/bulletin/?year=2026&{query}")
        assert bad.status_code == 400
        assert field in bad.content.decode()
    assert AuditRecord.objects.filter(action="matters.bulletin.export").count() == 1
    staff = Client()
    staff.force_login(people.lead)
    assert staff.get("/matters/bulletin/?year=2026&month=11").status_code == 403
