"""core.files.stored_uploads: a change's files stay when it succeeds and go when it fails."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation

from zhaoyin.core import files as files_core

PDF = files_core.CheckedFile(original_name="批复.pdf", content=b"%PDF-1.4 test", content_type="application/pdf")


def test_the_files_of_a_change_that_succeeds_stay(tmp_path: Path) -> None:
    with override_settings(DATA_DIR=tmp_path), files_core.stored_uploads("test-area") as store:
        columns = store.write(PDF)
    assert columns == {
        "original_name": "批复.pdf",
        "stored_name": columns["stored_name"],
        "content_type": "application/pdf",
        "size": len(PDF.content),
        "sha256": PDF.sha256,
    }
    assert (tmp_path / "test-area" / columns["stored_name"]).read_bytes() == PDF.content


def _failing_change(seen: list[int], area: Path) -> None:
    with files_core.stored_uploads("test-area") as store:
        store.write(PDF)
        store.write(PDF)
        seen.append(len(list(area.iterdir())))
        raise RuntimeError("rolled back")


def test_the_files_of_a_change_that_fails_are_removed_and_the_error_goes_on(tmp_path: Path) -> None:
    seen: list[int] = []
    with override_settings(DATA_DIR=tmp_path), pytest.raises(RuntimeError, match="rolled back"):
        _failing_change(seen, tmp_path / "test-area")
    assert seen == [2]
    assert list((tmp_path / "test-area").iterdir()) == []


POLYGLOT = b"%PDF-1.4\n<html><body><script>alert(document.domain)</script></body></html>\n%%EOF\n"


def test_d11_FILE_05_a_stored_file_takes_the_extension_of_its_sniffed_type() -> None:
    """Issue 12 D11: a PDF polyglot uploaded as ``.html`` is kept and downloaded as ``.pdf``."""
    uploads = [
        SimpleUploadedFile("报告.html", POLYGLOT),
        SimpleUploadedFile("scan", b"\x89PNG\r\n\x1a\n" + b"\0" * 32),
        SimpleUploadedFile("照片.JPEG", b"\xff\xd8\xff\xe0" + b"\0" * 32),
        SimpleUploadedFile("批复.PDF", POLYGLOT),
        SimpleUploadedFile("a.pdf.exe", POLYGLOT),
    ]
    checked = files_core.check_uploads(uploads)
    assert [c.original_name for c in checked] == ["报告.pdf", "scan.png", "照片.JPEG", "批复.PDF", "a.pdf.pdf"]
    assert [c.content_type for c in checked] == [
        "application/pdf", "image/png", "image/jpeg", "application/pdf", "application/pdf",
    ]


def test_d11_FILE_05_a_file_stored_under_another_extension_downloads_with_its_type() -> None:
    response = files_core.attachment_response(
        io.BytesIO(POLYGLOT), filename="evidence.html", content_type="application/pdf"
    )
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="evidence.pdf"' in disposition
    assert ".html" not in disposition
    assert response["Content-Type"] == "application/pdf"


# ---- The files offices exchange (issue 16 item 6) ------------------------------------------------

from zhaoyin.core.errors import InvalidInput  # noqa: E402
from zhaoyin.core.tests import office_files  # noqa: E402

MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\0" * 200  # a Windows program's first bytes


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("通知.doc", office_files.DOC, "application/msword"),
        ("台账.xls", office_files.XLS, "application/vnd.ms-excel"),
        ("汇报.ppt", office_files.PPT, "application/vnd.ms-powerpoint"),
        ("请示.wps", office_files.DOC, "application/wps-office.wps"),
        ("统计.et", office_files.XLS, "application/wps-office.et"),
        ("请示.wps", office_files.zip_package("word/document.xml"), "application/wps-office.wps"),
        ("统计.ET", office_files.zip_package("[Content_Types].xml", "xl/workbook.xml"), "application/wps-office.et"),
        ("批复.ofd", office_files.ofd_package(), "application/ofd"),
        ("汇报.pptx", office_files.zip_package("[Content_Types].xml", "ppt/presentation.xml"),
         "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ],
    ids=["doc", "xls", "ppt", "wps-ole", "et-ole", "wps-ooxml", "et-ooxml", "ofd", "pptx"],
)
def test_FILE_02_the_files_offices_exchange_are_accepted_by_their_bytes(
    name: str, content: bytes, content_type: str
) -> None:
    (checked,) = files_core.check_uploads([SimpleUploadedFile(name, content)])
    assert (checked.original_name, checked.content_type) == (name, content_type)
    response = files_core.attachment_response(io.BytesIO(content), filename=name, content_type=content_type)
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"


def _refusal(name: str, content: bytes) -> str:
    # In English: the words asserted below (the zh-hans catalogue is checked on its own).
    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        files_core.check_uploads([SimpleUploadedFile(name, content)])
    ((field, message),) = [(e["field"], e["message"]) for e in caught.value.errors]
    assert field == "files"
    assert name in message
    return message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("通知.doc", MZ),  # a program renamed .doc
        ("台账.xls", MZ),
        ("请示.wps", MZ),
        ("批复.ofd", office_files.zip_package("Doc_0/Document.xml")),  # a ZIP without OFD.xml
        ("批复.ofd", office_files.zip_package("ofd.XML")),  # the name must be exact, at the root
        ("批复.ofd", office_files.zip_package("sub/OFD.xml")),
        ("通知.doc", office_files.compound_file("Contents")),  # OLE, but no Word stream
        ("通知.doc", office_files.DOC_WITH_MACROS),  # a macro document (FILE-02)
        ("通知.doc", office_files.DOC[:700]),  # cut short: the directory is missing
        ("a", office_files.compound_file("Workbook", "WordDocument")),  # which one?
    ],
    ids=[
        "exe-doc", "exe-xls", "exe-wps", "zip-ofd", "ofd-case", "ofd-deep", "ole-no-word", "macros", "cut", "two-kinds",
    ],
)
def test_FILE_02_a_file_that_is_not_what_it_claims_is_refused(name: str, content: bytes) -> None:
    message = _refusal(name, content)
    assert "PDF, OFD, JPEG, PNG, Word (doc, docx, wps)" in message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("通知.doc", POLYGLOT),  # a PDF named .doc
        ("台账.xls", office_files.DOC),  # a Word file named .xls
        ("通知.doc", office_files.XLS),
        ("统计.et", office_files.DOC),  # WPS 表格 holding a Word stream
        ("请示.wps", office_files.PPT),
        ("汇报.ppt", office_files.zip_package("word/document.xml")),
        ("批复.ofd", office_files.zip_package("word/document.xml")),
        ("通知.docx", office_files.ofd_package()),
        ("照片.jpg", POLYGLOT),
    ],
    ids=["pdf-doc", "doc-xls", "xls-doc", "doc-et", "ppt-wps", "docx-ppt", "docx-ofd", "ofd-docx", "pdf-jpg"],
)
def test_FILE_02_the_extension_must_agree_with_the_content(name: str, content: bytes) -> None:
    assert "is not the kind of file its extension says" in _refusal(name, content)


def test_FILE_02_within_one_kind_of_document_the_extension_is_corrected() -> None:
    """A .docx package named .doc is still a Word document: it is kept as .docx (D11)."""
    uploads = [
        SimpleUploadedFile("通知.doc", office_files.zip_package("word/document.xml")),
        SimpleUploadedFile("通知.docx", office_files.DOC),
        SimpleUploadedFile("台账", office_files.XLS),
        SimpleUploadedFile("照片.jpg", b"\x89PNG\r\n\x1a\n" + b"\0" * 32),
    ]
    checked = files_core.check_uploads(uploads)
    assert [c.original_name for c in checked] == ["通知.docx", "通知.doc", "台账.xls", "照片.png"]


def test_FILE_02_a_directory_chain_that_loops_is_refused_not_followed() -> None:
    looping = bytearray(office_files.XLS)
    # FAT entry of the directory sector (1) points back at itself.
    looping[512 + 4 : 512 + 8] = (1).to_bytes(4, "little")
    assert files_core.ole_entry_names(bytes(looping)) is None
    _refusal("台账.xls", bytes(looping))


def test_accept_hint_lists_every_accepted_extension() -> None:
    assert files_core.ACCEPT.split(",") == [
        ".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx", ".pptx", ".doc", ".xls", ".ppt", ".wps", ".et", ".ofd",
    ]
