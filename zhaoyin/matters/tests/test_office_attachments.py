"""The files offices exchange, end to end on a matter (issue 16 item 6): .doc, .xls, .ppt, .wps,
.et and .ofd attach through the page, keep their names and download with their own content
type; a program renamed .doc is refused on the field and nothing is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from zhaoyin.core.tests import office_files
from zhaoyin.matters.models import MatterFile
from zhaoyin.matters.tests.conftest import People, fingerprint

FILES = [
    ("督办通知.doc", office_files.DOC, "application/msword"),
    ("办理台账.xls", office_files.XLS, "application/vnd.ms-excel"),
    ("情况汇报.ppt", office_files.PPT, "application/vnd.ms-powerpoint"),
    ("请示.wps", office_files.DOC, "application/wps-office.wps"),
    ("统计表.et", office_files.XLS, "application/wps-office.et"),
    ("批复.ofd", office_files.ofd_package(), "application/ofd"),
]


def _create(client: Client, *uploads: SimpleUploadedFile) -> Any:
    return client.post(
        reverse("matters:create"),
        {
            "title": "办公文件附件",
            "source": "enterprise_demand",
            "kind": "coordination",
            "lead_unit": "340402",
            "evidence": list(uploads),
        },
    )


def test_FILE_02_office_files_attach_and_download_with_their_types(people: People, file_root: Path) -> None:
    client = Client()
    client.force_login(people.lead)
    response = _create(client, *(SimpleUploadedFile(name, content) for name, content, _type in FILES))
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = {f.original_name: f for f in MatterFile.objects.all()}
    assert sorted(stored) == sorted(name for name, _c, _t in FILES)
    for name, content, content_type in FILES:
        file = stored[name]
        assert file.content_type == content_type
        response = client.get(reverse("matters:file", args=[file.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert b"".join(response.streaming_content) == content  # type: ignore[attr-defined]
        assert response["X-Content-Type-Options"] == "nosniff"


def test_FILE_02_a_program_renamed_doc_is_refused_and_nothing_is_written(people: People, file_root: Path) -> None:
    client = Client()
    client.force_login(people.lead)
    before = fingerprint()
    program = SimpleUploadedFile("通知.doc", b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 400)
    response = _create(client, SimpleUploadedFile("批复.ofd", office_files.ofd_package()), program)
    assert response.status_code == 400
    body = response.content.decode()
    assert "通知.doc" in body
    assert "accepted type" in body or "不是可接收的文件类型" in body
    assert fingerprint() == before
    assert not file_root.exists() or not any(file_root.iterdir())
