"""FILE-01..04 and XLS-01 reading: hostile uploads are refused before any parser sees them."""

from __future__ import annotations

import datetime as dt
import time
import zipfile
from io import BytesIO

import openpyxl
import pytest

from zhaoyin.lib.tests.xlsx_fixtures import (
    EXTERNAL_ENTITY,
    lying_sizes,
    rewrite_members,
    with_doctype,
    with_macro,
    workbook_bytes,
    zip_bomb,
)
from zhaoyin.lib.xlsx_safety import MAX_BYTES, XlsxRejected, check_xlsx_upload, column_letter, read_first_sheet


def rejected(data: bytes, **limits: int) -> str:
    with pytest.raises(XlsxRejected) as info:
        check_xlsx_upload(data, **limits)
    return info.value.code


def test_ordinary_workbook_passes() -> None:
    check_xlsx_upload(workbook_bytes([["企业名称"], ["甲"]]))


def test_FILE_04_defusedxml_is_active() -> None:
    assert openpyxl.DEFUSEDXML is True


def test_FILE_01_upload_over_20_mb_rejected() -> None:
    data = b"PK\x03\x04" + b"\x00" * (MAX_BYTES + 1 - 4)
    assert len(data) == 20 * 1024 * 1024 + 1
    assert rejected(data) == "TOO_LARGE"


def test_FILE_02_html_renamed_xlsx_rejected() -> None:
    assert rejected(b"<html><body><table><tr><td>1</td></tr></table></body></html>") == "NOT_XLSX"


def test_FILE_02_zip_without_workbook_parts_rejected() -> None:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "hi")
    assert rejected(out.getvalue()) == "NOT_XLSX"


def test_FILE_02_truncated_zip_rejected() -> None:
    assert rejected(workbook_bytes([["a"]])[:300]) == "NOT_XLSX"


def test_FILE_02_macro_workbook_rejected() -> None:
    assert rejected(with_macro(workbook_bytes([["a"]]))) == "MACRO"


def test_FILE_02_macro_content_type_alone_rejected() -> None:
    data = rewrite_members(
        workbook_bytes([["a"]]),
        lambda n, b: b.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml") if n == "[Content_Types].xml" else b,
    )
    assert rejected(data) == "MACRO"


def test_FILE_03_zip_bomb_rejected_by_ratio_without_inflating() -> None:
    bomb = zip_bomb(100)
    assert len(bomb) < 1024 * 1024  # ≈ 100 KB declaring 100 MB
    started = time.perf_counter()
    assert rejected(bomb) == "ZIP_BOMB"
    # Inflating 100 MB would take far longer than reading the central directory.
    assert time.perf_counter() - started < 0.1


def test_FILE_03_total_declared_size_limit() -> None:
    assert rejected(zip_bomb(3), max_uncompressed=2 * 1024 * 1024, max_ratio=10_000) == "ZIP_BOMB"


def test_FILE_03_member_count_limit() -> None:
    data = rewrite_members(workbook_bytes([["a"]]), lambda n, b: b, {f"xl/media/{i}.bin": b"x" for i in range(30)})
    assert rejected(data, max_members=20) == "ZIP_BOMB"


def test_FILE_03_member_lying_about_its_size_rejected() -> None:
    data = zip_bomb(5)
    # Declares 1 KB but inflates to 5 MB: the CRC/size check while streaming catches it.
    assert rejected(lying_sizes(data, "xl/media/zeros.bin", 1024)) == "NOT_XLSX"


@pytest.mark.parametrize("member", ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_FILE_04_entity_expansion_rejected(member: str) -> None:
    data = with_doctype(workbook_bytes([["企业名称"], ["甲"]]), member)
    assert rejected(data) == "XML_FORBIDDEN"


def test_FILE_04_external_entity_rejected() -> None:
    data = with_doctype(workbook_bytes([["a"]]), "xl/worksheets/sheet1.xml", EXTERNAL_ENTITY, b"&xxe;")
    assert rejected(data) == "XML_FORBIDDEN"


def test_FILE_04_openpyxl_itself_refuses_entity_expansion() -> None:
    data = with_doctype(workbook_bytes([["a"]]), "xl/worksheets/sheet1.xml")
    with pytest.raises(Exception):  # noqa: B017, PT011 - defusedxml's error surfaces through openpyxl
        openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)


def test_XLS_01_reader_keeps_cell_types() -> None:
    data = workbook_bytes(
        [["code", "n", "d"], ["913404001234567890", 913404001234567890, dt.date(2020, 1, 2)]], text_columns=[0]
    )
    check_xlsx_upload(data)
    rows = list(read_first_sheet(data).rows)
    assert rows[1][0] == "913404001234567890"
    assert isinstance(rows[1][1], float)  # the precision is already lost: must be refused
    assert rows[1][2] == dt.date(2020, 1, 2)


def test_XLS_01_formula_cells_without_cached_value_located() -> None:
    data = workbook_bytes([["a", "b"], ["x", "=1+1"], ["=A2", "y"]])
    sheet = read_first_sheet(data)
    assert sheet.formulas_without_value == {(2, 2), (3, 1)}
    assert list(sheet.rows)[1] == ["x", ""]


def test_no_formula_fast_path() -> None:
    assert read_first_sheet(workbook_bytes([["a"], ["=not a formula? it is"]])).formulas_without_value == {(2, 1)}
    assert read_first_sheet(workbook_bytes([["a"], ["b"]])).formulas_without_value == set()


def test_rows_start_at_column_a() -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws["B1"] = "h"
    ws["C2"] = "v"
    out = BytesIO()
    book.save(out)
    rows = list(read_first_sheet(out.getvalue()).rows)
    assert rows[0][:2] == ["", "h"]
    assert rows[1][2] == "v"


def test_column_letter() -> None:
    assert [column_letter(i) for i in (1, 26, 27, 52)] == ["A", "Z", "AA", "AZ"]


def test_XLS_01_error_cells_located() -> None:
    data = rewrite_members(
        workbook_bytes([["a", "b"], ["x", "y"]]),
        lambda n, b: b.replace(b'<c r="B2" t="inlineStr"><is><t>y</t></is></c>', b'<c r="B2" t="e"><v>#N/A</v></c>')
        if n == "xl/worksheets/sheet1.xml"
        else b,
    )
    sheet = read_first_sheet(data)
    assert sheet.error_cells == {(2, 2)}
    assert sheet.formulas_without_value == set()
