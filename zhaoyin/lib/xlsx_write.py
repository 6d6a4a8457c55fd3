"""Writing .xlsx safely and fast (XLS-02). Pure Python over openpyxl's write-only mode, no Django.

openpyxl turns any string starting with ``=`` into a formula; every text value here is written
as an explicit string cell (inline string, ``t="inlineStr"``), so ``=HYPERLINK(..)``, ``+1``,
``-1+1`` or ``@SUM(A1)`` stay inert text when Excel opens the file. Identifier columns are
formatted as text (``@``) so an 18-digit code is never shown or re-typed as a number. Numbers
(int, Decimal, float) stay numeric; dates are real dates. Rows are streamed: memory does not
grow with the row count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
MAX_CELL_TEXT = 32767  # Excel's limit for one cell


@dataclass(frozen=True)
class SheetSpec:
    """One worksheet: a header row, then ``rows``; ``text_columns`` are 0-based indexes."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    text_columns: frozenset[int] = frozenset()
    widths: Sequence[int] = ()
    #: Empty rows pre-formatted as text below the data, so typing a code into them keeps it text.
    blank_text_rows: int = 0
    #: A title line above the header row (a printed list's heading, e.g. a 公示's title).
    caption: str = ""


def clean_text(value: str) -> str:
    """Drop characters XML cannot carry and cut to Excel's cell limit."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL_TEXT]


def make_cell(ws: WriteOnlyWorksheet, value: Any, *, text: bool = False) -> Cell:
    """A cell whose type follows the Python value; strings are always string cells."""
    if value is None or value == "":
        cell = WriteOnlyCell(ws, value=None)
        if text:
            cell.number_format = TEXT_FORMAT
        return cell
    if text or isinstance(value, str):
        cell = WriteOnlyCell(ws, value=clean_text(str(value)))
        # Assigning a string starting with "=" made it a formula; force a plain string cell.
        cell.data_type = "s"
        if text:
            cell.number_format = TEXT_FORMAT
        return cell
    if isinstance(value, bool | int | float | Decimal):
        number: Any = value  # openpyxl writes Decimal as a number; its stubs omit it
        return WriteOnlyCell(ws, value=number)
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(ws, value=value.replace(tzinfo=None))
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, dt.date):
        day: Any = value
        cell = WriteOnlyCell(ws, value=day)
        cell.number_format = DATE_FORMAT
        return cell
    cell = WriteOnlyCell(ws, value=clean_text(str(value)))
    cell.data_type = "s"
    return cell


def write_xlsx(target: str | Path | IO[bytes], sheets: Sequence[SheetSpec]) -> int:
    """Write ``sheets`` to ``target``; return the number of data rows of the first sheet."""
    book = Workbook(write_only=True)
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    first_count = 0
    for index, spec in enumerate(sheets):
        ws = book.create_sheet(title=spec.title[:31])
        for col, width in enumerate(spec.widths, start=1):
            ws.column_dimensions[get_column_letter(col)].width = width
        if spec.caption:
            title = make_cell(ws, spec.caption)
            title.font = Font(bold=True, size=14)
            ws.append([title])
        header = []
        for label in spec.headers:
            cell = make_cell(ws, label)
            cell.font = header_font
            cell.fill = header_fill
            header.append(cell)
        ws.append(header)
        count = 0
        for row in spec.rows:
            ws.append([make_cell(ws, v, text=i in spec.text_columns) for i, v in enumerate(row)])
            count += 1
        for _ in range(spec.blank_text_rows):
            ws.append([make_cell(ws, None, text=i in spec.text_columns) for i in range(len(spec.headers))])
        if index == 0:
            first_count = count
    book.save(target)
    return first_count
