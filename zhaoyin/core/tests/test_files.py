"""core.files.stored_uploads: a change's files stay when it succeeds and go when it fails."""

from __future__ import annotations

from pathlib import Path

import pytest
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
