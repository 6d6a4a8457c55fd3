"""core.files.stored_uploads: a change's files stay when it succeeds and go when it fails."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

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
