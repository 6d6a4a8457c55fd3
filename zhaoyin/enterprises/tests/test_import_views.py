"""The import and export pages: roles, upload limits (FILE-01), preview → commit → result,
downloads with safe headers (FILE-05), batches of others are 404 (AC-03)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhaoyin.core.models import ImportBatch, ImportStatus
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.enterprises.tests.conftest import MakeEnterprise, web_client
from zhaoyin.enterprises.tests.test_import import book, code, row
from zhaoyin.lib.tests.xlsx_fixtures import with_macro

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, settings: Any) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def upload(client: Any, data: bytes, name: str = "企业.xlsx") -> Any:
    return client.post(reverse("enterprises:import"), {"file": SimpleUploadedFile(name, data, content_type=XLSX)})


def stored_files(data_dir: Path) -> list[Path]:
    folder = data_dir / "imports"
    return list(folder.iterdir()) if folder.exists() else []


def test_import_roles(make_user: Any) -> None:
    for role, unit, status in [
        (Role.STAFF, "county_a", 200),
        (Role.UNIT_ADMIN, "county_a", 200),
        (Role.CITY_ADMIN, "city", 200),
        (Role.LEADER, "city", 403),
        (Role.SERVICE_MEMBER, "group_1", 403),
    ]:
        client = web_client(make_user(role, unit))
        assert client.get(reverse("enterprises:import")).status_code == status, role
        assert client.get(reverse("enterprises:import_template")).status_code == status, role


def test_upload_preview_commit_result(make_user: Any, data_dir: Path) -> None:
    user = make_user(Role.STAFF, "county_a")
    client = web_client(user)
    # The same bytes twice: a rebuilt workbook carries a new timestamp, hence a new hash.
    workbook = book(row(1), row(2))
    response = upload(client, workbook)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="import-commit"' in body
    assert "导入企业1有限公司" in body
    assert not Enterprise.objects.exists()
    batch = ImportBatch.objects.get()
    assert batch.filename == "企业.xlsx"
    assert len(stored_files(data_dir)) == 1
    response = client.post(reverse("enterprises:import_commit"), {"batch": batch.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("enterprises:import_result", args=[batch.pk])
    assert Enterprise.objects.count() == 2
    assert stored_files(data_dir) == []
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'id="import-status"' in page.content.decode()
    # Uploading it again: nothing to do, and the page says the file was imported before.
    again = upload(client, workbook).content.decode()
    assert 'id="import-previous"' in again
    assert 'id="import-nothing"' in again


def test_preview_with_errors_offers_the_report_not_the_commit(make_user: Any) -> None:
    client = web_client(make_user(Role.STAFF, "county_a"))
    body = upload(client, book(row(1, org_unit="999999"))).content.decode()
    assert 'id="import-commit"' not in body
    assert "所属单位代码" in body
    assert 'id="import-errors"' in body
    batch = ImportBatch.objects.get()
    report = client.get(reverse("enterprises:import_errors", args=[batch.pk]))
    assert report.status_code == 200
    assert report["Content-Disposition"].startswith("attachment;")
    assert report["X-Content-Type-Options"] == "nosniff"
    ws = openpyxl.load_workbook(io.BytesIO(report.content)).active
    assert ws is not None
    assert next(ws.iter_rows(min_row=2, values_only=True))[:2] == (2, "所属单位代码")
    # Forcing the commit anyway changes nothing and says why.
    response = client.post(reverse("enterprises:import_commit"), {"batch": batch.pk}, follow=True)
    assert not Enterprise.objects.exists()
    failed = ImportBatch.objects.get()
    assert failed.status == ImportStatus.FAILED
    assert failed.message
    assert failed.message in response.content.decode()


def test_FILE_01_upload_over_20_mb_is_refused(make_user: Any, data_dir: Path) -> None:
    client = web_client(make_user(Role.STAFF, "county_a"))
    response = upload(client, b"PK\x03\x04" + b"\x00" * (20 * 1024 * 1024 - 3))
    assert response.status_code == 413
    assert 'id="import-error"' in response.content.decode()
    assert stored_files(data_dir) == []
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    "data",
    [b"<html><body>x</body></html>", with_macro(book(row(1)))],
    ids=["html", "macro"],
)
def test_FILE_02_refused_files_show_a_message(make_user: Any, data_dir: Path, data: bytes) -> None:
    client = web_client(make_user(Role.STAFF, "county_a"))
    response = upload(client, data)
    assert response.status_code == 400
    assert 'id="import-error"' in response.content.decode()
    assert stored_files(data_dir) == []
    assert not ImportBatch.objects.exists()


def test_missing_file_and_bad_batch_id(make_user: Any) -> None:
    client = web_client(make_user(Role.STAFF, "county_a"))
    assert client.post(reverse("enterprises:import"), {}).status_code == 400
    assert client.post(reverse("enterprises:import_commit"), {"batch": "x"}).status_code == 400
    assert client.post(reverse("enterprises:import_commit"), {"batch": "999"}).status_code == 404


def test_AC_03_another_users_batch_is_404(make_user: Any) -> None:
    owner = web_client(make_user(Role.STAFF, "county_a"))
    upload(owner, book(row(1)))
    batch = ImportBatch.objects.get()
    other = web_client(make_user(Role.STAFF, "county_a"))
    assert other.post(reverse("enterprises:import_commit"), {"batch": batch.pk}).status_code == 404
    assert other.get(reverse("enterprises:import_result", args=[batch.pk])).status_code == 404
    assert other.get(reverse("enterprises:import_errors", args=[batch.pk])).status_code == 404
    assert not Enterprise.objects.exists()


def test_template_download(make_user: Any) -> None:
    response = web_client(make_user(Role.STAFF, "county_a")).get(reverse("enterprises:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")


def test_export_view(make_user: Any, make_enterprise: MakeEnterprise) -> None:
    make_enterprise(unit="county_a", uscc=code(1))
    make_enterprise(unit="county_b")
    client = web_client(make_user(Role.SERVICE_MEMBER, "group_1"))
    assert client.get(reverse("enterprises:export")).status_code == 200  # business roles may export
    response = web_client(make_user(Role.STAFF, "county_a")).get(reverse("enterprises:export"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws is not None
    assert [r[1] for r in ws.iter_rows(min_row=2, values_only=True)] == [code(1)]


def test_export_view_bad_filter_redirects_with_message(make_user: Any) -> None:
    client = web_client(make_user(Role.STAFF, "county_a"))
    response = client.get(reverse("enterprises:export"), {"size_class": "huge"})
    assert response.status_code == 302


def test_export_refused_for_admin_roles(make_user: Any) -> None:
    client = web_client(make_user(Role.AUDITOR, "city"))
    assert client.get(reverse("enterprises:export")).status_code == 403


def test_XLS_03_export_roles_are_the_list_roles(make_user: Any) -> None:
    from zhaoyin.core.authz import rule_of
    from zhaoyin.enterprises import import_views, views

    assert rule_of(import_views.enterprise_export_view) == rule_of(views.enterprise_list)
    assert web_client(make_user(Role.TALENT, "station")).get(reverse("enterprises:export")).status_code == 403
