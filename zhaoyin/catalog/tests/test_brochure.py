"""The PDF brochure checked for real (pdftotext) and the Excel export (openpyxl)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from zhaoyin.catalog import brochure, services
from zhaoyin.catalog.inputs import EditionItemsInput
from zhaoyin.catalog.models import CatalogEdition

pytestmark = pytest.mark.django_db


def _pdf_text(pdf: bytes, tmp_path: Path) -> tuple[str, int]:
    path = tmp_path / "b.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    return text, pages


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_pdf_has_cover_contents_and_one_page_per_project(edition_with_items: CatalogEdition, tmp_path: Path) -> None:
    pdf = brochure.edition_pdf(edition_with_items)
    assert pdf.startswith(b"%PDF")
    text, pages = _pdf_text(pdf, tmp_path)
    assert pages == 2 + 3  # cover + contents + one page per project
    page_texts = text.split("\f")
    assert "2026年招商项目册" in page_texts[0]
    assert "淮南市" in page_texts[0]
    contents = page_texts[1]
    for industry, name, page in [
        ("新材料", "煤基新材料产业园项目", 3),
        ("新能源汽车及零部件", "新能源汽车零部件生产基地", 4),
        ("高端装备制造", "高端装备智能制造项目", 5),
    ]:
        assert industry in contents
        line = next(line for line in contents.splitlines() if name in line)
        assert line.rstrip().endswith(str(page)), line  # target-counter page numbers
        assert name in page_texts[page - 1]
    assert "3.50" in page_texts[2]  # 35000 万元 shown as 3.50 亿元
    assert "13855443322" in page_texts[2]  # the brochure carries the full contact
    assert "2026年招商项目册" in page_texts[3]  # running header


def test_pdf_url_fetcher_refuses_the_network_and_other_files() -> None:
    for url in ("http://example.com/x.css", "https://example.com/x.png", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="refused"):
            brochure.local_url_fetcher(url)
    assert brochure.local_url_fetcher((brochure.STATIC_DIR / brochure.STYLESHEET).as_uri())


def test_d10_pdf_url_fetcher_decodes_before_it_checks() -> None:
    """Issue 12 D10: an encoded ``/`` or ``..`` cannot walk out of the static directory."""
    base = brochure.STATIC_DIR.as_uri()
    up = "..%2F" * 20
    for url in (
        f"{base}/%2F{up}etc%2Fhostname",
        f"{base}/css%2F{up}etc%2Fhostname",
        f"{base}/css/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/hostname",
        f"{base}/css/{'%252e%252e/' * 20}etc/hostname",
        f"{base}/..%5C..%5Cetc%5Chostname",
        "file://evil.example.com/etc/hostname",
        "FILE:///etc/hostname",
    ):
        with pytest.raises(ValueError, match="refused"):
            brochure.local_url_fetcher(url)
    # An encoded name inside the directory is still served, as the file it names.
    fetched = brochure.local_url_fetcher(base + "/css/catalog%2Dbrochure.css")
    assert fetched["string"] == (brochure.STATIC_DIR / brochure.STYLESHEET).read_bytes()
    assert fetched["mime_type"] == "text/css"


def test_published_pdf_is_cached(edition_with_items: CatalogEdition, generated_dir: Path) -> None:
    edition = services.edition_publish(acting_user=None, edition=edition_with_items)
    first = brochure.edition_pdf(edition)
    cached = list((generated_dir / "catalog").glob("*.pdf"))
    assert len(cached) == 1
    assert cached[0].read_bytes() == first
    cached[0].write_bytes(b"%PDF-cached")
    assert brochure.edition_pdf(edition) == b"%PDF-cached"


def test_draft_pdf_is_not_cached(edition_with_items: CatalogEdition, generated_dir: Path) -> None:
    brochure.edition_pdf(edition_with_items)
    assert not (generated_dir / "catalog").exists()


def test_xlsx_export(edition_with_items: CatalogEdition) -> None:
    data = brochure.edition_xlsx(edition_with_items)
    book = load_workbook(io.BytesIO(data))
    ws = book.active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 4
    names = [r[1] for r in rows[1:]]
    assert names == ["煤基新材料产业园项目", "新能源汽车零部件生产基地", "高端装备智能制造项目"]
    first = rows[1]
    assert first[0] == 1
    assert first[2] == "新材料"
    assert first[3] == "A园区"
    assert first[5] == 35000
    assert first[12] == "138****3322"  # masked
    assert ws.cell(row=2, column=13).data_type == "s"


def test_xlsx_formula_text_stays_text(make_item, edition_with_items: CatalogEdition) -> None:  # type: ignore[no-untyped-def]
    item = make_item(name='=HYPERLINK("http://x")', industry="it")
    ids = list(edition_with_items.entries.order_by("sort_order").values_list("item_id", flat=True))
    services.edition_set_items(
        acting_user=None, edition=edition_with_items, data=EditionItemsInput.of(items=[*ids, item.pk])
    )
    ws = load_workbook(io.BytesIO(brochure.edition_xlsx(edition_with_items))).active
    assert ws is not None
    cells = [c for row in ws.iter_rows() for c in row if c.value == item.name]
    assert cells
    assert cells[0].data_type == "s"
