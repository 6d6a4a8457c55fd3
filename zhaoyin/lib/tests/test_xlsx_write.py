"""XLS-02: exported text never becomes a formula; numbers stay numbers; codes stay text."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import openpyxl

from zhaoyin.lib.xlsx_safety import check_xlsx_upload, read_first_sheet
from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1", "-1+1", "@SUM(A1)", "\t=1", "=1+1"]


def _write(rows: list[list[object]], text_columns: frozenset[int] = frozenset()) -> bytes:
    out = io.BytesIO()
    count = write_xlsx(out, [SheetSpec(title="S", headers=["a", "b", "c"], rows=rows, text_columns=text_columns)])
    assert count == len(rows)
    return out.getvalue()


def test_XLS_02_hostile_text_is_written_as_strings_without_formula_elements() -> None:
    data = _write([[v, "x", 1] for v in HOSTILE])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
    assert not re.search(r"<f[\s>/]", xml)
    assert xml.count('t="inlineStr"') >= len(HOSTILE)
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.active
    assert ws is not None
    values = [ws.cell(row=r, column=1) for r in range(2, 2 + len(HOSTILE))]
    assert [c.value for c in values] == HOSTILE
    assert all(c.data_type == "s" for c in values)


def test_XLS_02_numbers_dates_and_codes_keep_their_types() -> None:
    uscc = "913404000000000017"
    data = _write([[uscc, Decimal("12.34"), dt.date(2020, 5, 1)], ["000123", 7, None]], frozenset({0}))
    check_xlsx_upload(data)
    rows = list(read_first_sheet(data).rows)
    assert rows[1] == [uscc, 12.34, dt.date(2020, 5, 1)]
    assert rows[2][0] == "000123"  # leading zeros survive
    assert rows[2][1] == 7
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.active
    assert ws is not None
    assert ws["A2"].number_format == "@"
    assert ws["B2"].data_type == "n"


def test_control_characters_are_dropped() -> None:
    data = _write([["a\x01b", "c", "d"]])
    assert list(read_first_sheet(data).rows)[1][0] == "ab"


def test_blank_text_rows_are_formatted_as_text() -> None:
    out = io.BytesIO()
    write_xlsx(out, [SheetSpec(title="T", headers=["code"], rows=[], text_columns=frozenset({0}), blank_text_rows=3)])
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    ws = book.active
    assert ws is not None
    assert ws["A3"].number_format == "@"
