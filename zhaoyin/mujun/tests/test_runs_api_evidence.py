"""The objection's evidence through the API (issue 14): ``POST /me/mu-results/{id}/objections``
takes ``multipart/form-data`` (``text`` and ``files``) as well as JSON; a bad file → 422 naming
``files`` and nothing stored; the OpenAPI document says both."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zhaoyin.accounts.models import User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.core import files as files_core
from zhaoyin.matters.models import Matter
from zhaoyin.mujun import services
from zhaoyin.mujun.models import FILE_AREA, MuObjection, MuObjectionFile, MuResult, MuRun
from zhaoyin.mujun.tests.runs_fixtures import MuWorld, mu_world_fixture, step

mu_world = mu_world_fixture

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _client(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})


def _in_publicity(w: MuWorld, monkeypatch: pytest.MonkeyPatch) -> MuRun:
    run = step(w.run(), "start_publicity", w.office)
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 3, 5))
    return run


def _own(w: MuWorld, run: MuRun, n: int = 0) -> MuResult:
    return MuResult.objects.get(run=run, enterprise=w.firms[n])


def _post(user: User, result: MuResult, data: dict[str, Any]) -> Any:
    return _client(user).post(f"/api/v1/me/mu-results/{result.pk}/objections", data)


def _stored() -> int:
    folder = files_core.file_dir(FILE_AREA)
    return sum(1 for _p in folder.iterdir()) if folder.exists() else 0


def _nothing_stored(before: int) -> None:
    assert not MuObjection.objects.exists()
    assert not MuObjectionFile.objects.exists()
    assert not Matter.objects.exists()
    assert _stored() == before


def test_an_objection_with_evidence_files(mu_world: MuWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    w = mu_world
    run = _in_publicity(w, monkeypatch)
    answer = _post(w.portal, _own(w, run), {
        "text": "实缴税金漏报了一笔，应为 480 万元",
        "files": [SimpleUploadedFile("完税证明.pdf", PDF, content_type="application/pdf"),
                  SimpleUploadedFile("现场.png", PNG, content_type="image/png")]})
    assert answer.status_code == 201, answer.content
    objection = MuObjection.objects.get(pk=answer.json()["id"])
    assert objection.text == "实缴税金漏报了一笔，应为 480 万元"
    assert sorted(f.content_type for f in objection.files.all()) == ["application/pdf", "image/png"]
    assert objection.matter_id is not None


def test_FILE_02_a_bad_file_is_refused_naming_files_and_nothing_is_stored(
    mu_world: MuWorld, monkeypatch: pytest.MonkeyPatch,
) -> None:
    w = mu_world
    run = _in_publicity(w, monkeypatch)
    before = _stored()
    for files in (
        [SimpleUploadedFile("证明.pdf", b"just text, not a PDF", content_type="application/pdf")],
        [SimpleUploadedFile("空.pdf", b"", content_type="application/pdf")],
        [SimpleUploadedFile("好.pdf", PDF, content_type="application/pdf"),
         SimpleUploadedFile("坏.exe", b"MZ\x90\x00" * 8, content_type="application/octet-stream")],
        [SimpleUploadedFile(f"{n}.pdf", PDF, content_type="application/pdf")
         for n in range(files_core.MAX_FILES + 1)],
    ):
        answer = _post(w.portal, _own(w, run), {"text": "数据有误", "files": files})
        assert answer.status_code == 422, answer.content
        assert [e["field"] for e in answer.json()["errors"]] == ["files"]
        _nothing_stored(before)


def test_the_text_and_stray_parts_are_judged_too(mu_world: MuWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    w = mu_world
    run = _in_publicity(w, monkeypatch)
    before = _stored()
    pdf = SimpleUploadedFile("证明.pdf", PDF, content_type="application/pdf")
    missing = _post(w.portal, _own(w, run), {"files": [pdf]})
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["text"]
    blank = _post(w.portal, _own(w, run), {"text": "   "})
    assert [e["field"] for e in blank.json()["errors"]] == ["text"]
    stray = _post(w.portal, _own(w, run), {"text": "数据有误", "evidence": [pdf]})
    assert stray.status_code == 422
    assert [e["field"] for e in stray.json()["errors"]] == ["evidence"]
    extra = _post(w.portal, _own(w, run), {"text": "数据有误", "grade": "A"})
    assert [e["field"] for e in extra.json()["errors"]] == ["grade"]
    broken = _client(w.portal).post(f"/api/v1/me/mu-results/{_own(w, run).pk}/objections", "{not json",
                                    content_type="application/json")
    assert broken.status_code == 422
    assert [e["field"] for e in broken.json()["errors"]] == ["body"]
    _nothing_stored(before)


def test_AC_03_another_firms_result_is_not_found_whatever_is_sent(
    mu_world: MuWorld, monkeypatch: pytest.MonkeyPatch,
) -> None:
    w = mu_world
    run = _in_publicity(w, monkeypatch)
    other = _own(w, run, 7)
    before = _stored()
    for data in ({"text": "数据有误", "files": [SimpleUploadedFile("证明.pdf", PDF)]},
                 {"files": [SimpleUploadedFile("x.pdf", b"bad")]}):
        assert _post(w.portal, other, data).status_code == 404
    assert _post(w.portal, MuResult(pk=10**9), {"text": "数据有误"}).status_code == 404
    _nothing_stored(before)


def test_the_document_says_both_media_types(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    body = document["paths"]["/api/v1/me/mu-results/{id}/objections"]["post"]["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"]["required"] == ["text"]
    form = body["content"]["multipart/form-data"]["schema"]
    assert form["required"] == ["text"]
    assert form["properties"]["files"]["items"] == {"type": "string", "format": "binary"}
    assert form["properties"]["files"]["maxItems"] == files_core.MAX_FILES
