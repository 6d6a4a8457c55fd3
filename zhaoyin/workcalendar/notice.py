"""Reading a State Council holiday notice from an .xlsx file, and writing its blank template.

The file's first worksheet has a header row naming the columns 日期 (date), 类型 (kind:
放假/休/假 or 上班/班; holiday/workday in English) and 名称 (name), optionally 备注 (note);
English headers date / kind / name / note work too. Every data row is validated and every
fault reported with its row number, column and reason; nothing is returned unless all rows
are good (the import is all-or-nothing). The upload is checked by
``zhaoyin.lib.xlsx_safety.check_xlsx_upload`` (size, structure, macros, zip bomb, DTDs)
before anything parses it.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoyin.lib.xlsx_safety import XlsxRejected, check_xlsx_upload, read_first_sheet
from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx
from zhaoyin.workcalendar.models import ExceptionKind

#: A notice has a few dozen rows; anything much larger is not a notice.
MAX_ROWS = 1000
NAME_MAX = 100
NOTE_MAX = 500

HEADER_DATE, HEADER_KIND, HEADER_NAME, HEADER_NOTE = "日期", "类型", "名称", "备注"
_HEADERS = {
    "日期": "date", "date": "date",
    "类型": "kind", "kind": "kind", "type": "kind",
    "名称": "name", "name": "name",
    "备注": "note", "note": "note",
}
_KINDS = {
    "放假": ExceptionKind.HOLIDAY, "休": ExceptionKind.HOLIDAY, "假": ExceptionKind.HOLIDAY,
    "休息": ExceptionKind.HOLIDAY, "holiday": ExceptionKind.HOLIDAY,
    "上班": ExceptionKind.WORKDAY, "班": ExceptionKind.WORKDAY, "workday": ExceptionKind.WORKDAY,
    "work": ExceptionKind.WORKDAY,
}
_DATE_TEXT = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")

#: The upload checker's reason codes, in the user's language.
_REJECTION_MESSAGES: dict[str, Any] = {
    "TOO_LARGE": gettext_lazy("The file is too large (at most 20 MB)."),
    "NOT_XLSX": gettext_lazy("The file is not an Excel workbook (.xlsx)."),
    "MACRO": gettext_lazy("Workbooks with macros are not accepted."),
    "ZIP_BOMB": gettext_lazy("The workbook unpacks to an unreasonable size and was refused."),
    "ENCRYPTED": gettext_lazy("Password-protected workbooks are not accepted."),
    "XML_FORBIDDEN": gettext_lazy("The workbook contains forbidden XML declarations."),
    "EMPTY": gettext_lazy("The workbook has no worksheet."),
}


@dataclass(frozen=True)
class RowError:
    """One fault in the file: Excel row number (1 = header), column heading, reason."""

    row: int
    column: str
    reason: str

    def as_text(self) -> str:
        return _("Row %(row)s, column %(column)s: %(reason)s") % {
            "row": self.row, "column": self.column, "reason": self.reason,
        }


class NoticeFileError(Exception):
    """The file was refused; ``errors`` lists every fault found (at least one)."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(e.as_text() for e in errors[:5]))
        self.errors = errors


@dataclass(frozen=True)
class NoticeRow:
    """One validated day of the notice."""

    row: int
    date: dt.date
    kind: str  # ExceptionKind value
    name: str
    note: str


def _norm(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def _parse_date(value: Any) -> tuple[dt.date | None, str]:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0, 0):
            return None, _("a date without a time of day is expected.")
        return value.date(), ""
    if isinstance(value, dt.date):
        return value, ""
    if isinstance(value, bool | int | float):
        return None, _("a number, not a date; format the cell as a date or type YYYY-MM-DD.")
    if isinstance(value, str):
        match = _DATE_TEXT.match(_norm(value))
        if match:
            try:
                return dt.date(*(int(g) for g in match.groups())), ""
            except ValueError:
                return None, _("no such date.")
    return None, _("not a date; use a date cell or YYYY-MM-DD.")


def parse_notice(data: bytes) -> list[NoticeRow]:
    """Validate an uploaded notice workbook; raise ``NoticeFileError`` listing every fault."""
    try:
        check_xlsx_upload(data)
        sheet = read_first_sheet(data)
    except XlsxRejected as exc:
        reason = str(_REJECTION_MESSAGES.get(exc.code, _("The file could not be read.")))
        raise NoticeFileError([RowError(0, _("file"), reason)]) from None
    rows = iter(sheet.rows)
    header = next(rows, None)
    if header is None:
        raise NoticeFileError([RowError(1, _("header"), _("the worksheet is empty."))])
    columns: dict[str, tuple[int, str]] = {}  # field → (0-based index, heading as written)
    for index, cell in enumerate(header):
        heading = _norm(cell) if cell not in (None, "") else ""
        field = _HEADERS.get(heading.casefold())
        if field and field not in columns:
            columns[field] = (index, heading)
    errors: list[RowError] = []
    for field, heading in (("date", HEADER_DATE), ("kind", HEADER_KIND)):
        if field not in columns:
            errors.append(RowError(1, heading, _("this column is missing from the header row.")))
    if errors:
        raise NoticeFileError(errors)

    def value_of(row: list[Any], field: str) -> Any:
        if field not in columns:
            return ""
        index = columns[field][0]
        return row[index] if index < len(row) else ""

    def heading_of(field: str) -> str:
        return columns[field][1] if field in columns else field

    result: list[NoticeRow] = []
    seen: dict[dt.date, int] = {}
    for number, row in enumerate(rows, start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        if len(result) + len(errors) >= MAX_ROWS:
            reason = _("more than %(max)s rows; a notice is much shorter.") % {"max": MAX_ROWS}
            errors.append(RowError(number, _("file"), reason))
            break
        row_errors: list[RowError] = []
        for field in columns:
            if (number, columns[field][0] + 1) in sheet.formulas_without_value:
                reason = _("a formula without a stored value; enter the value itself.")
                row_errors.append(RowError(number, heading_of(field), reason))
        raw_date = value_of(row, "date")
        day: dt.date | None = None
        if raw_date in (None, ""):
            row_errors.append(RowError(number, heading_of("date"), _("a date is required.")))
        else:
            day, reason = _parse_date(raw_date)
            if day is None:
                row_errors.append(RowError(number, heading_of("date"), reason))
            elif day in seen:
                reason = _("the same date is already on row %(row)s.") % {"row": seen[day]}
                row_errors.append(RowError(number, heading_of("date"), reason))
        raw_kind = value_of(row, "kind")
        kind = _KINDS.get(_norm(raw_kind).casefold()) if isinstance(raw_kind, str) else None
        if kind is None:
            if raw_kind in (None, ""):
                row_errors.append(RowError(number, heading_of("kind"), _("a kind is required (放假 or 上班).")))
            else:
                reason = _("unknown kind; use 放假 (holiday) or 上班 (working day).")
                row_errors.append(RowError(number, heading_of("kind"), reason))
        name = _norm(value_of(row, "name")) if value_of(row, "name") not in (None, "") else ""
        if len(name) > NAME_MAX:
            too_long = _("at most %(max)s characters.") % {"max": NAME_MAX}
            row_errors.append(RowError(number, heading_of("name"), too_long))
        note = _norm(value_of(row, "note")) if value_of(row, "note") not in (None, "") else ""
        if len(note) > NOTE_MAX:
            too_long = _("at most %(max)s characters.") % {"max": NOTE_MAX}
            row_errors.append(RowError(number, heading_of("note"), too_long))
        if row_errors:
            errors.extend(row_errors)
            continue
        # Narrowed by the checks above.
        assert day is not None
        assert kind is not None
        seen[day] = number
        result.append(NoticeRow(row=number, date=day, kind=kind.value, name=name, note=note))
    if errors:
        raise NoticeFileError(errors)
    if not result:
        raise NoticeFileError([RowError(2, _("file"), _("the file lists no days."))])
    return result


def notice_template() -> bytes:
    """The blank import template: the header row, and a second sheet explaining the columns."""
    out = io.BytesIO()
    instructions = [
        (HEADER_DATE, _("The day, as a date cell or as text YYYY-MM-DD.")),
        (HEADER_KIND, _("放假 (or 休) for a day off, 上班 (or 班) for a make-up working day.")),
        (HEADER_NAME, _("The holiday, e.g. 春节. Optional.")),
        (HEADER_NOTE, _("Anything else. Optional.")),
        ("", _("List every day of the notice: the days off and the make-up working days. "
               "Only the first worksheet is read.")),
    ]
    write_xlsx(out, [
        SheetSpec(title=_("Notice"), headers=[HEADER_DATE, HEADER_KIND, HEADER_NAME, HEADER_NOTE],
                  rows=[], widths=(14, 10, 16, 30)),
        SheetSpec(title=_("Instructions"), headers=[_("Column"), _("Meaning")],
                  rows=instructions, widths=(10, 90)),
    ])
    return out.getvalue()

