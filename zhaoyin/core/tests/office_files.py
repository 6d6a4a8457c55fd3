"""Small but well-formed files of the kinds offices exchange, built in the test (no fixtures on
disk): an OLE2 compound file (the binary Office and older WPS formats), an OFD package and an
OOXML package. ``olefile`` only reads, so the compound file is written here by hand after
MS-CFB: version 3, 512-byte sectors, sector 0 the FAT, the directory from sector 1 on.
"""

from __future__ import annotations

import io
import struct
import zipfile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
END_OF_CHAIN = 0xFFFFFFFE
FREE = 0xFFFFFFFF
FAT_SECTOR = 0xFFFFFFFD
NO_STREAM = 0xFFFFFFFF


def _entry(name: str, kind: int, *, child: int, right: int, size: int, start: int) -> bytes:
    encoded = name.encode("utf-16-le") + b"\0\0"
    assert len(encoded) <= 64
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB", len(encoded), kind, 1)  # name length, type, colour (black)
        + struct.pack("<III", NO_STREAM, right, child)  # left, right sibling, child
        + bytes(16)  # CLSID
        + bytes(4)  # state bits
        + bytes(16)  # created, modified
        + struct.pack("<IQ", start if size else END_OF_CHAIN, size)  # start sector, size
    )


def compound_file(*streams: str, stream_bytes: bytes = b"") -> bytes:
    """An OLE2 compound file whose root storage holds the streams named ``streams`` (empty,
    or ``stream_bytes`` in regular sectors for the first one), as Word ("WordDocument"), Excel
    ("Workbook") or PowerPoint ("PowerPoint Document") write them."""
    entries = [("Root Entry", 5)] + [(name, 2) for name in streams]
    dir_sectors = (len(entries) + 3) // 4
    data_sectors = (len(stream_bytes) + 511) // 512
    # Streams under 4096 bytes belong in the mini stream; one in regular sectors is still a
    # well-formed file for a directory reader, and keeps this builder short.
    slots = []
    for i, (name, kind) in enumerate(entries):
        child = 1 if kind == 5 and len(entries) > 1 else NO_STREAM
        right = i + 1 if kind == 2 and i + 1 < len(entries) else NO_STREAM
        size = len(stream_bytes) if i == 1 else 0
        slots.append(_entry(name, kind, child=child, right=right, size=size, start=dir_sectors + 1))
    unused = (bytes(64) + struct.pack("<HBBIII", 0, 0, 0, NO_STREAM, NO_STREAM, NO_STREAM)).ljust(128, b"\0")
    directory = b"".join(slots) + unused * (dir_sectors * 4 - len(slots))
    # Sector map: 0 FAT, 1..dir_sectors the directory, then the stream's data.
    fat = [FAT_SECTOR] + [n + 2 for n in range(dir_sectors - 1)] + [END_OF_CHAIN]
    if data_sectors:
        fat += [*range(dir_sectors + 2, dir_sectors + 1 + data_sectors), END_OF_CHAIN]
    fat += [FREE] * (128 - len(fat))
    header = bytearray(512)
    header[0:8] = OLE_MAGIC
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)  # versions, byte order, shifts
    struct.pack_into("<I", header, 0x2C, 1)  # FAT sectors
    struct.pack_into("<I", header, 0x30, 1)  # first directory sector
    struct.pack_into("<III", header, 0x38, 4096, END_OF_CHAIN, 0)  # mini cutoff, mini FAT
    struct.pack_into("<II", header, 0x44, END_OF_CHAIN, 0)  # no DIFAT sectors
    struct.pack_into("<I", header, 0x4C, 0)  # the FAT is sector 0
    header[0x50:] = b"\xff" * (512 - 0x50)
    body = struct.pack("<128I", *fat) + directory + stream_bytes.ljust(data_sectors * 512, b"\0")
    return bytes(header) + body


def zip_package(*parts: str) -> bytes:
    """A ZIP package holding ``parts`` (each a small XML document)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in parts:
            archive.writestr(part, '<?xml version="1.0" encoding="UTF-8"?><root/>')
    return out.getvalue()


def ofd_package() -> bytes:
    """An OFD (GB/T 33190) package: OFD.xml at the root, one document below it."""
    return zip_package("OFD.xml", "Doc_0/Document.xml", "Doc_0/Pages/Page_0/Content.xml")


DOC = compound_file("WordDocument", "1Table", "\x05SummaryInformation", stream_bytes=b"\xec\xa5" + bytes(600))
XLS = compound_file("Workbook", "\x05SummaryInformation")
PPT = compound_file("PowerPoint Document", "Current User", "Pictures")
#: A Word file with a VBA project (a macro document: refused).
DOC_WITH_MACROS = compound_file("WordDocument", "1Table", "Macros", "VBA")


def footer_text(footer: object) -> str:
    """A Word footer's text with its fields as ``{PAGE}``/``{NUMPAGES}`` (the number Word
    shows until it computes the field left out)."""
    from docx.oxml.ns import qn

    out: list[str] = []
    in_result = False
    for element in footer._element.iter():  # type: ignore[attr-defined]
        tag = str(element.tag).rsplit("}", 1)[-1]
        if tag == "fldChar":
            in_result = element.get(qn("w:fldCharType")) == "separate"
        elif tag == "instrText":
            out.append("{" + (element.text or "").strip() + "}")
        elif tag == "t" and not in_result:
            out.append(element.text or "")
    return "".join(out)


def assert_page_numbers(content: bytes, *, official: bool = True) -> None:
    """The Word file ``content`` numbers its pages in the footer with a PAGE field: a 公文 as
    GB/T 9704 says ("— N —", odd pages right, even pages left), another document centred
    ("第 N 页 / 共 M 页") (``core.gongwen.page_numbers``)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = Document(io.BytesIO(content))
    assert doc.sections
    for section in doc.sections:
        if official:
            assert doc.settings.odd_and_even_pages_header_footer
            odd, even = section.footer, section.even_page_footer
            assert footer_text(odd) == "\u2014 {PAGE} \u2014"
            assert footer_text(even) == "\u2014 {PAGE} \u2014"
            assert odd.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
            assert even.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT
            run = next(r for r in odd.paragraphs[0].runs if r.text.strip("\u2014 "))
            assert run.font.size is not None
            assert run.font.size.pt == 14  # 4号
        else:
            assert footer_text(section.footer) == "第 {PAGE} 页 / 共 {NUMPAGES} 页"
            assert section.footer.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
