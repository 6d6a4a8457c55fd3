"""Page numbers in every Word document the platform writes (issue 16 item 6).

``core.gongwen.page_numbers`` is the one footer: a 公文 numbered as GB/T 9704 7.5 says, any
other document "第 N 页 / 共 M 页". Each writer's own test opens the file it produces and
checks the footer (``office_files.assert_page_numbers``); the walk below keeps the list of
writers whole, so a new writer cannot ship without page numbers."""

from __future__ import annotations

import ast
import datetime as dt
import io
from pathlib import Path

import pytest
from docx import Document

from zhaoyin.core import gongwen
from zhaoyin.core.tests.office_files import assert_page_numbers, footer_text

PACKAGE = Path(__file__).resolve().parents[2]
#: Every module that writes a Word document, with the test that opens what it writes.
WRITERS = {
    "matters/bulletin.py": "matters/tests/test_bulletin.py",
    "matters/supervision_docs.py": "matters/tests/test_supervision.py",
    "targets/report.py": "targets/tests/test_report.py",
    "matching/policy_list_docs.py": "matching/tests/test_policy_list.py",
}


def test_a_gongwen_document_is_numbered_as_gb_t_9704_says() -> None:
    doc = gongwen.document(issuer="淮南市招商引资工作领导小组办公室", doc_number="淮招引督〔2026〕1号", title="通报")
    for n in range(60):  # several pages: the fields, not the text, carry the number
        gongwen.body(doc, f"第{n}段。" * 20)
    content = gongwen.sign_and_save(doc, issuer="淮南市招商引资工作领导小组办公室", issued_on=dt.date(2026, 12, 7))
    assert_page_numbers(content, official=True)
    opened = Document(io.BytesIO(content))
    odd = opened.sections[0].footer.paragraphs[0]
    assert odd.paragraph_format.right_indent is not None
    assert odd.paragraph_format.right_indent.pt == 14  # one character in from the edge


def test_another_document_is_numbered_page_of_pages_centred() -> None:
    doc = Document()
    gongwen.page_numbers(doc, official=False, font_name="宋体", size_pt=9)
    out = io.BytesIO()
    doc.save(out)
    assert_page_numbers(out.getvalue(), official=False)
    assert footer_text(Document(io.BytesIO(out.getvalue())).sections[0].footer) == "第 {PAGE} 页 / 共 {NUMPAGES} 页"


def _writes_word(path: Path) -> bool:
    """Whether the module builds a Word document: python-docx's ``Document`` or
    ``gongwen.document``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "docx" and any(a.name == "Document" for a in node.names):
            return True
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id, node.attr) == ("gongwen", "document")
        ):
            return True
    return False


def test_every_word_writer_is_listed_and_its_test_checks_the_page_numbers() -> None:
    found = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "tests" not in path.parts and path.name != "gongwen.py" and _writes_word(path)
    }
    assert found == set(WRITERS)
    for writer, test in WRITERS.items():
        source = (PACKAGE / writer).read_text(encoding="utf-8")
        # Its own Document() is numbered by hand; gongwen.document numbers its pages itself.
        assert "page_numbers(" in source or "gongwen.document(" in source, writer
        assert "assert_page_numbers(" in (PACKAGE / test).read_text(encoding="utf-8"), test


@pytest.mark.parametrize("official", [True, False])
def test_the_fields_survive_a_second_section(official: bool) -> None:
    """A landscape table section added later is numbered too (every section's footer)."""
    from docx.enum.section import WD_SECTION

    doc = Document()
    doc.add_section(WD_SECTION.NEW_PAGE)
    gongwen.page_numbers(doc, official=official)
    out = io.BytesIO()
    doc.save(out)
    assert_page_numbers(out.getvalue(), official=official)
