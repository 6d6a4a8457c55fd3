"""Word documents in 公文 layout (党政机关公文格式, GB/T 9704, in its main points), shared by the
matters 通报 (``matters.bulletin``) and the targets 招商 通报 (``targets.report``).

A4, margins 37/35/28/26 mm; the issuing body's mark in red 小标宋 above a red rule, the
document number; the title in 二号 小标宋; the body in 三号 仿宋 with 28 pt lines and
two-character indents; 一、二、 headings in 黑体; tables in 小四; the issuer and date at the
end. Chinese fonts are named on ``w:eastAsia`` (Word picks the Latin font otherwise).
python-docx is imported inside the functions: only the exports load it.

Page numbers (``page_numbers``) are the one footer of every Word document the platform
writes: a 公文 gets GB/T 9704's "— 1 —" (odd pages right, even pages left), any other
document a centred "第 1 页 / 共 3 页". ``document`` adds them; a writer that builds its own
``Document()`` calls ``page_numbers`` (``zhaoyin/core/tests/test_page_numbers.py`` holds
every writer to it).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

MARK_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
#: Point sizes: 二号 (the mark and the title), 三号 (the body), 小四 (tables).
TITLE_SIZE, BODY_SIZE, TABLE_SIZE = 22, 16, 12
#: GB/T 9704 7.5: 页码 in 4号 (14 pt) 半角宋体 Arabic numerals.
PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE = "宋体", 14
#: 一字线, one each side of the number.
EM_DASH = "\u2014"


def chinese_date(day: dt.date) -> str:
    """2026年9月30日."""
    return f"{day.year}年{day.month}月{day.day}日"


def percent(value: Decimal | None) -> str:
    """A fraction as a percentage with one place (0.7741 → 77.4%); None → —."""
    return "—" if value is None else f"{(value * 100).quantize(Decimal('0.1'))}%"


def font(run: Any, east_asia: str, size_pt: float, *, bold: bool = False, red: bool = False) -> None:
    """Set a run's font, Chinese included (``w:eastAsia``)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = east_asia
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    if red:
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    rpr = run._element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), east_asia)


def paragraph(
    doc: Any,
    text: str,
    font_name: str,
    size: float,
    *,
    align: str = "left",
    indent: bool = False,
    bold: bool = False,
    red: bool = False,
) -> Any:
    """A paragraph on 28 pt lines; ``indent``: two characters on the first line."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = doc.add_paragraph()
    p.alignment = {
        "left": WD_ALIGN_PARAGRAPH.JUSTIFY,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }[align]
    p.paragraph_format.line_spacing = Pt(28)
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    font(p.add_run(text), font_name, size, bold=bold, red=red)
    return p


def _field(paragraph: Any, code: str, font_name: str, size_pt: float) -> None:
    """A field (``PAGE``, ``NUMPAGES``) in ``paragraph``: Word computes it on every page; "1"
    stands in until it does (a reader that does not compute fields shows that)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run_with(*children: Any) -> None:
        run = paragraph.add_run()
        font(run, font_name, size_pt)
        run._element.extend(children)

    begin, separate, end = (OxmlElement("w:fldChar") for _ in range(3))
    begin.set(qn("w:fldCharType"), "begin")
    separate.set(qn("w:fldCharType"), "separate")
    end.set(qn("w:fldCharType"), "end")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {code} "
    shown = OxmlElement("w:t")
    shown.text = "1"
    run_with(begin)
    run_with(instr)
    run_with(separate)
    run_with(shown)
    run_with(end)


def _number_line(paragraph: Any, parts: list[str], font_name: str, size_pt: float) -> None:
    """Text and fields in turn: ``["第 ", "PAGE", " 页"]`` (upper-case words are fields)."""
    for part in parts:
        if part in ("PAGE", "NUMPAGES"):
            _field(paragraph, part, font_name, size_pt)
        elif part:
            font(paragraph.add_run(part), font_name, size_pt)


def page_numbers(
    doc: Any, *, official: bool = True, font_name: str = PAGE_NUMBER_FONT, size_pt: float = PAGE_NUMBER_SIZE
) -> None:
    """Page numbers in the footer of every section of ``doc``, as ``PAGE`` fields.

    ``official`` (a 公文, GB/T 9704 7.5): "— 1 —", the number in 4号 半角宋体 with an 一字线
    either side, odd pages at the right and even pages at the left, each one character in from
    the edge (Word's different odd and even footers; the standard's strict rule, not the
    centred variant it tolerates). Otherwise (an enterprise's list, not a 公文): "第 1 页 / 共
    3 页" centred.
    """
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    if official:
        doc.settings.odd_and_even_pages_header_footer = True
    for section in doc.sections:
        # Each section its own footer: a linked one is the previous section's, numbered once.
        section.footer.is_linked_to_previous = False
        if not official:
            paragraph = section.footer.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _number_line(paragraph, ["第 ", "PAGE", " 页 / 共 ", "NUMPAGES", " 页"], font_name, size_pt)
            continue
        for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
            footer.is_linked_to_previous = False
            paragraph = footer.paragraphs[0]
            if align == "right":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                paragraph.paragraph_format.right_indent = Pt(size_pt)
            else:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
                paragraph.paragraph_format.left_indent = Pt(size_pt)
            _number_line(paragraph, [f"{EM_DASH} ", "PAGE", f" {EM_DASH}"], font_name, size_pt)


def red_rule(par: Any) -> None:
    """A red rule under the issuing body's mark (a bottom border on its paragraph)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = par._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "8"), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    ppr.append(border)


def table(doc: Any, headers: list[str], rows: list[list[str]]) -> None:
    """A ruled table: headers in 黑体, cells in 仿宋, both 小四."""
    t = doc.add_table(rows=1, cols=len(headers))
    t.style = "Table Grid"
    for cell, text in zip(t.rows[0].cells, headers, strict=True):
        font(cell.paragraphs[0].add_run(text), HEADING_FONT, TABLE_SIZE)
    for values in rows:
        cells = t.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            font(cell.paragraphs[0].add_run(text), BODY_FONT, TABLE_SIZE)


def document(*, issuer: str, doc_number: str, title: str) -> Any:
    """A new A4 document in 公文 margins with the red mark, the number, the rule, the title and
    the page numbers."""
    from docx import Document
    from docx.shared import Mm

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    paragraph(doc, issuer, MARK_FONT, TITLE_SIZE, align="center", red=True)
    paragraph(doc, doc_number, BODY_FONT, BODY_SIZE, align="center")
    red_rule(doc.paragraphs[-1])
    paragraph(doc, title, MARK_FONT, TITLE_SIZE, align="center")
    page_numbers(doc)
    return doc


def heading(doc: Any, text: str) -> Any:
    """一、… in 黑体 三号."""
    return paragraph(doc, text, HEADING_FONT, BODY_SIZE, indent=True)


def body(doc: Any, text: str) -> Any:
    """A body paragraph in 仿宋 三号 with the two-character indent."""
    return paragraph(doc, text, BODY_FONT, BODY_SIZE, indent=True)


def table_sections(doc: Any, sections: list[tuple[str, list[str], list[list[str]], str]]) -> None:
    """Each (heading, headers, rows, what to say when empty): the heading, then the table or
    the sentence."""
    for title, headers, rows, empty in sections:
        heading(doc, title)
        if rows:
            table(doc, headers, rows)
        else:
            body(doc, empty)


def sign_and_save(doc: Any, *, issuer: str, issued_on: dt.date) -> bytes:
    """Close with the issuer and the date (right-aligned) and return the file's bytes."""
    paragraph(doc, issuer, BODY_FONT, BODY_SIZE, align="right")
    paragraph(doc, chinese_date(issued_on), BODY_FONT, BODY_SIZE, align="right")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
