"""Builders of hostile and ordinary workbooks for the Excel tests (generated, never shipped)."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable, Sequence
from typing import Any

import openpyxl

BILLION_LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n'
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
)

SST = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
    b"<si><t>x</t></si></sst>"
)


def workbook_bytes(rows: Sequence[Sequence[Any]], *, text_columns: Sequence[int] = ()) -> bytes:
    """An ordinary workbook written by openpyxl; ``text_columns`` (0-based) get the '@' format."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            if c - 1 in text_columns:
                cell.number_format = "@"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewrite_members(
    data: bytes, change: Callable[[str, bytes], bytes | None], extra: dict[str, bytes] | None = None
) -> bytes:
    """Copy a zip, passing each member through ``change`` (None drops it), adding ``extra``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = change(info.filename, src.read(info))
            if body is not None:
                dst.writestr(info.filename, body)
        for name, body in (extra or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def with_macro(data: bytes) -> bytes:
    """The workbook plus a VBA project and the macro-enabled content type (an .xlsm)."""

    def change(name: str, body: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return body.replace(
                b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            )
        return body

    return rewrite_members(data, change, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 512})


def with_doctype(data: bytes, member: str, prolog: bytes = BILLION_LAUGHS, use_entity: bytes = b"&lol3;") -> bytes:
    """Put a DOCTYPE (entity expansion by default) in front of ``member``'s root element."""

    def change(name: str, body: bytes) -> bytes:
        if name != member:
            return body
        start = body.index(b"?>") + 2 if body.startswith(b"<?xml") else 0
        doc = prolog + body[start:].lstrip()
        # Reference the entity inside the first text node so a parser would expand it.
        return doc.replace(b"<t>", b"<t>" + use_entity, 1) if use_entity else doc

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        present = member in archive.namelist()
    extra = {} if present else {member: change(member, SST)}
    return rewrite_members(data, change, extra)


def zip_bomb(declared_mb: int = 100) -> bytes:
    """A workbook whose sheet inflates to ``declared_mb`` MB of zeros (ratio ≈ 1000:1)."""
    base = workbook_bytes([["a"]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        zeros = b"\x00" * (1024 * 1024)
        with dst.open("xl/media/zeros.bin", "w", force_zip64=True) as member:
            for _ in range(declared_mb):
                member.write(zeros)
    return out.getvalue()


def lying_sizes(data: bytes, member: str, declared: int) -> bytes:
    """Patch ``member``'s declared uncompressed size (local header and central directory)."""
    raw = bytearray(data)
    name = member.encode()
    # Local file header: signature, then the size at offset 22, name at 30.
    pos = 0
    while (pos := raw.find(b"PK\x03\x04", pos)) != -1:
        name_len = struct.unpack_from("<H", raw, pos + 26)[0]
        if raw[pos + 30 : pos + 30 + name_len] == name:
            struct.pack_into("<I", raw, pos + 22, declared)
        pos += 4
    pos = 0
    while (pos := raw.find(b"PK\x01\x02", pos)) != -1:
        name_len = struct.unpack_from("<H", raw, pos + 28)[0]
        if raw[pos + 46 : pos + 46 + name_len] == name:
            struct.pack_into("<I", raw, pos + 24, declared)
        pos += 4
    return bytes(raw)


def sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()
