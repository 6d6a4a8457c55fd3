"""Safe handling of untrusted .xlsx uploads (FILE-01..04, XLS-01). Pure Python, no Django.

``check_xlsx_upload`` looks at the archive before anything parses it:

* size: at most ``max_bytes`` (20 MB) of upload (FILE-01);
* structure: a ZIP (``PK\\x03\\x04``) holding ``[Content_Types].xml`` and ``xl/workbook.xml``,
  so an HTML page or a CSV renamed to .xlsx is refused by content, not by name (FILE-02);
* no macros: no ``vbaProject*.bin`` member and no ``macroEnabled`` content type (FILE-02);
* zip bomb: the central directory's *declared* sizes are checked — total uncompressed size
  (``max_uncompressed``, 200 MB: a 100 000-row workbook inflates to ≈ 60 MB, so 200 MB leaves
  room and still bounds memory), member count (``max_members``, 2 000) and each member's
  compression ratio (``max_ratio``, 200:1; spreadsheet XML compresses 5–60:1) — before any
  member is inflated (FILE-03);
* XML: every XML part is then inflated as a stream (bounded by the declared sizes just
  checked; the CRC check proves a member did not lie about its size) and refused if its
  prolog carries a DOCTYPE/ENTITY declaration, so entity-expansion ("billion laughs") and
  external-entity workbooks never reach a parser. openpyxl additionally parses through
  defusedxml (asserted at import, FILE-04).

``read_first_sheet`` then reads the first worksheet with python-calamine, which is ≈ 10× faster
than openpyxl and keeps cell *types* (text vs number), which XLS-01 needs to refuse 18-digit
codes typed as numbers. Calamine reports a formula cell without a cached value as an empty
cell, so formula cells are located by a streaming scan of the sheet XML (only when the sheet
contains any formula at all) and reported separately.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import openpyxl
import python_calamine
from defusedxml import ElementTree as SafeET

# FILE-04: openpyxl uses defusedxml only when it is importable; refuse to run otherwise.
if not openpyxl.DEFUSEDXML:  # pragma: no cover - the lock file installs defusedxml
    raise ImportError("defusedxml must be installed so openpyxl refuses entity expansion (FILE-04)")

MB = 1024 * 1024
MAX_BYTES = 20 * MB
MAX_UNCOMPRESSED = 200 * MB
MAX_MEMBERS = 2000
MAX_RATIO = 200
#: Members smaller than this are exempt from the ratio test (tiny parts compress oddly).
RATIO_FLOOR = 1 * MB
ZIP_MAGIC = b"PK\x03\x04"
PROLOG_BYTES = 64 * 1024
CHUNK = 1 * MB

NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]|\st=[\"']e[\"']")
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")


class XlsxRejected(Exception):
    """The upload is not a workbook we accept; ``code`` is stable, ``message`` is English."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def check_xlsx_upload(
    data: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_uncompressed: int = MAX_UNCOMPRESSED,
    max_members: int = MAX_MEMBERS,
    max_ratio: int = MAX_RATIO,
) -> None:
    """Raise ``XlsxRejected`` unless ``data`` is a plausible, macro-free, bounded .xlsx."""
    if len(data) > max_bytes:
        raise XlsxRejected("TOO_LARGE", f"the file is larger than {max_bytes // MB} MB")
    if not data.startswith(ZIP_MAGIC):
        raise XlsxRejected("NOT_XLSX", "the file is not an .xlsx workbook (wrong content)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise XlsxRejected("NOT_XLSX", "the file is not an .xlsx workbook (damaged archive)") from None
    with archive:
        infos = archive.infolist()
        _check_directory(infos, max_uncompressed=max_uncompressed, max_members=max_members, max_ratio=max_ratio)
        names = {i.filename for i in infos}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise XlsxRejected("NOT_XLSX", "the file is not an .xlsx workbook (missing workbook parts)")
        for info in infos:
            _check_member(archive, info)
        content_types = archive.read("[Content_Types].xml")
        if b"macroenabled" in content_types.lower() or b"vbaproject" in content_types.lower():
            raise XlsxRejected("MACRO", "workbooks with macros (.xlsm) are not accepted")


def _check_directory(infos: list[zipfile.ZipInfo], *, max_uncompressed: int, max_members: int, max_ratio: int) -> None:
    if len(infos) > max_members:
        raise XlsxRejected("ZIP_BOMB", "the archive has too many members")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise XlsxRejected("ENCRYPTED", "password-protected workbooks are not accepted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise XlsxRejected("NOT_XLSX", "the archive uses an unsupported compression method")
        lower = info.filename.lower()
        if "vbaproject" in lower or lower.endswith(".xlsm") or lower.startswith("xl/macrosheets/"):
            raise XlsxRejected("MACRO", "workbooks with macros (.xlsm) are not accepted")
        total += info.file_size
        if total > max_uncompressed:
            raise XlsxRejected("ZIP_BOMB", "the workbook unpacks to more than the allowed size")
        if info.file_size > RATIO_FLOOR and info.file_size > max_ratio * max(info.compress_size, 1):
            raise XlsxRejected("ZIP_BOMB", "a member of the archive is compressed suspiciously well")


def _check_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Inflate one member as a stream: CRC and declared size verified, XML prolog DTD-free."""
    is_xml = info.filename.endswith((".xml", ".rels", ".vml"))
    head = b""
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                if is_xml and len(head) < PROLOG_BYTES:
                    head += chunk[: PROLOG_BYTES - len(head)]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        raise XlsxRejected("NOT_XLSX", "the file is not an .xlsx workbook (damaged member)") from None
    if not is_xml:
        return
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:64]:
        raise XlsxRejected("NOT_XLSX", "workbook XML must be UTF-8")
    # A DOCTYPE may only appear before the root element; looking at the prolog is enough,
    # but a prolog longer than PROLOG_BYTES is itself suspicious.
    root = _root_start(head)
    if root is None and len(head) >= PROLOG_BYTES:
        raise XlsxRejected("XML_FORBIDDEN", "workbook XML has an oversized prolog")
    if _DTD.search(head[: root if root is not None else len(head)]):
        raise XlsxRejected("XML_FORBIDDEN", "workbook XML declares a DTD or entities, which are not accepted")


def _root_start(head: bytes) -> int | None:
    """Offset of the first element start tag (not ``<?``, ``<!``) in ``head``."""
    for match in re.finditer(rb"<([^?!])", head):
        return match.start()
    return None


# --------------------------------------------------------------------------- reading


@dataclass
class Sheet:
    """The first worksheet: rows of typed values (str, float, bool, date/datetime, '' for empty)."""

    name: str
    rows: Iterator[list[Any]]
    #: (row, column), both 1-based, of formula cells that carry no cached value.
    formulas_without_value: set[tuple[int, int]] = field(default_factory=set)
    #: (row, column) of cells holding an Excel error (#N/A, #VALUE! …), which calamine reads as ''.
    error_cells: set[tuple[int, int]] = field(default_factory=set)


def read_first_sheet(data: bytes) -> Sheet:
    """Read the first worksheet of an upload that passed ``check_xlsx_upload``."""
    try:
        path = _first_sheet_path(data)
        formulas, errors = _special_cells(data, path) if path else (set(), set())
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not book.sheet_names:
            raise XlsxRejected("EMPTY", "the workbook has no worksheet")
        sheet = book.get_sheet_by_index(0)
    except XlsxRejected:
        raise
    except Exception:  # calamine raises its own error types for broken parts
        raise XlsxRejected("NOT_XLSX", "the workbook could not be read") from None
    start_col = sheet.start[1] if sheet.start else 0

    def rows() -> Iterator[list[Any]]:
        # calamine's iter_rows starts at row 1 but at the first used column: pad to column A.
        pad = [""] * start_col
        for row in sheet.iter_rows():
            yield pad + list(row) if start_col else list(row)

    return Sheet(name=book.sheet_names[0], rows=rows(), formulas_without_value=formulas, error_cells=errors)


def _first_sheet_path(data: bytes) -> str | None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            book = SafeET.fromstring(archive.read("xl/workbook.xml"))
            rels = SafeET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        except KeyError:
            return None
        except Exception:  # defusedxml refuses DTDs; any parse error means a broken workbook
            raise XlsxRejected("NOT_XLSX", "the workbook could not be read") from None
        sheet = book.find(f"{NS_MAIN}sheets/{NS_MAIN}sheet")
        if sheet is None:
            raise XlsxRejected("EMPTY", "the workbook has no worksheet")
        rid = sheet.get(f"{NS_REL}id")
        for rel in rels.findall(f"{NS_PKG_REL}Relationship"):
            if rel.get("Id") == rid:
                target = rel.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else "xl/" + target
                return path if path in archive.namelist() else None
    return None


def _special_cells(data: bytes, path: str) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """Formula cells without a cached value, and error cells, of the sheet at ``path``."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        # Fast path: most imports (our template, our exports) contain neither.
        found = False
        tail = b""
        with archive.open(path) as stream:
            while chunk := stream.read(CHUNK):
                if _FORMULA_TAG.search(tail + chunk):
                    found = True
                    break
                tail = chunk[-32:]
        if not found:
            return set(), set()
        cells: set[tuple[int, int]] = set()
        errors: set[tuple[int, int]] = set()
        with archive.open(path) as stream:
            for _event, elem in SafeET.iterparse(stream, events=("end",)):
                if elem.tag == f"{NS_MAIN}c":
                    if elem.get("t") == "e":
                        errors.add(_parse_ref(elem.get("r", "")))
                    elif elem.find(f"{NS_MAIN}f") is not None:
                        value = elem.find(f"{NS_MAIN}v")
                        inline = elem.find(f"{NS_MAIN}is")
                        if (value is None or not (value.text or "")) and inline is None:
                            cells.add(_parse_ref(elem.get("r", "")))
                elif elem.tag == f"{NS_MAIN}row":
                    elem.clear()
        return cells, errors


def _parse_ref(ref: str) -> tuple[int, int]:
    match = _CELL_REF.match(ref)
    if match is None:
        raise XlsxRejected("NOT_XLSX", "a formula or error cell has no cell reference")
    col = 0
    for ch in match.group(1):
        col = col * 26 + (ord(ch) - 64)
    return int(match.group(2)), col


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
