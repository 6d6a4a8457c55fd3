"""The auditor's pages: search, detail, export, and that searching and exporting are
themselves audited (AUD-07); formula-safe export (XLS-02); the retention check (AUD-05)."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.core import checks
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from zhaoyin.audit.models import AuditRecord
from zhaoyin.audit.services import audit_write
from zhaoyin.core.roles import Role

pytestmark = pytest.mark.django_db
BACKEND = "zhaoyin.accounts.backends.ZhaoyinBackend"
NASTY = ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.fixture
def auditor_client(client: Any, make_user: Any) -> Any:
    client.force_login(make_user(Role.AUDITOR, unit="city", username="aud1"), backend=BACKEND)
    return client


def test_AUD_07_auditor_search_is_audited_with_filter_and_count(auditor_client: Any) -> None:
    for i in range(3):
        audit_write(action="enterprise.update", object_type="enterprises.enterprise", object_id=str(i))
    audit_write(action="user.create")
    response = auditor_client.get(reverse("audit:list"), {"action": "enterprise.update"})
    assert response.status_code == 200
    assert len(response.context["records"]) == 3
    query = AuditRecord.objects.filter(action="audit.query").latest("id")
    assert query.actor == "aud1"
    detail = json.loads(query.detail)
    assert detail == {"filters": {"action": "enterprise.update"}, "rows": 3}


def test_AUD_07_search_filters(auditor_client: Any) -> None:
    audit_write(action="enterprise.create", object_type="enterprises.enterprise", object_id="7")
    audit_write(action="enterprise.update", object_type="enterprises.enterprise", object_id="7")
    audit_write(action="enterprise.update", object_type="enterprises.enterprise", object_id="8")
    target = audit_write(action="calendar.update", outcome="failure")

    def ids(**params: str) -> set[int]:
        response = auditor_client.get(reverse("audit:list"), params)
        assert response.status_code == 200
        return {r.pk for r in response.context["records"]}

    assert len(ids(action="enterprise.")) == 3
    assert len(ids(object_type="enterprises.enterprise", object_id="7")) == 2
    assert ids(outcome="failure") == {target.pk}
    assert ids(request_id=target.request_id) == {target.pk}
    assert len(ids(actor="anonymous", action="enterprise.update")) == 2
    assert ids(since="2000-01-01T00:00", until="2000-01-02T00:00") == set()


def test_AUD_07_pagination(auditor_client: Any) -> None:
    for _ in range(25):
        audit_write(action="bulk.event")
    response = auditor_client.get(reverse("audit:list"), {"action": "bulk.event", "page_size": "20", "page": "2"})
    assert response.status_code == 200
    assert len(response.context["records"]) == 5
    assert response.context["page_obj"].paginator.count == 25


def test_VAL_bad_time_range_names_the_field_and_is_not_run(auditor_client: Any) -> None:
    before = AuditRecord.objects.filter(action="audit.query").count()
    response = auditor_client.get(
        reverse("audit:list"), {"since": "2026-05-02T00:00", "until": "2026-05-01T00:00"}
    )
    assert response.status_code == 400
    assert "until" in response.context["form"].errors
    response = auditor_client.get(reverse("audit:list"), {"since": "not-a-date"})
    assert response.status_code == 400
    assert "since" in response.context["form"].errors
    assert AuditRecord.objects.filter(action="audit.query").count() == before


def test_AUD_07_detail_shows_before_and_after(auditor_client: Any) -> None:
    rec = audit_write(action="enterprise.update", before={"name": "旧名称"}, after={"name": "新名称"})
    response = auditor_client.get(reverse("audit:detail", args=[rec.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "旧名称" in body
    assert "新名称" in body
    assert auditor_client.get(reverse("audit:detail", args=[rec.pk + 1000])).status_code == 404


def test_AUD_07_XLS_02_export_is_audited_and_formula_safe(auditor_client: Any) -> None:
    for text in NASTY:
        audit_write(action="enterprise.update", object_repr=text, detail=text)
    response = auditor_client.get(reverse("audit:export"), {"action": "enterprise.update"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    assert "<f " not in sheet
    book = load_workbook(io.BytesIO(data))
    ws = book.worksheets[0]
    rows = list(ws.iter_rows(min_row=2, values_only=False))
    assert len(rows) == len(NASTY)
    reprs = sorted(str(r[12].value) for r in rows)
    # XML turns a bare carriage return into a line feed; the value stays inert text.
    assert reprs == sorted(t.replace("\r", "\n") for t in NASTY)
    for row in rows:
        assert row[12].data_type == "s"
    export = AuditRecord.objects.filter(action="audit.export").latest("id")
    assert json.loads(export.detail) == {"filters": {"action": "enterprise.update"}, "rows": len(NASTY)}


def test_AC_auditor_cannot_open_business_pages(auditor_client: Any) -> None:
    assert auditor_client.get(reverse("enterprises:list")).status_code == 403
    assert AuditRecord.objects.filter(action="http.denied", actor="aud1").exists()


@pytest.mark.parametrize("role", [Role.CITY_ADMIN, Role.STAFF, Role.SYSADMIN, Role.SECURITY_ADMIN])
def test_AC_only_the_auditor_reads_the_audit_log(client: Any, make_user: Any, role: Role) -> None:
    client.force_login(make_user(role), backend=BACKEND)
    for url in (reverse("audit:list"), reverse("audit:export"), reverse("audit:detail", args=[1])):
        assert client.get(url).status_code == 403


def test_AUD_03_no_application_path_changes_audit_records(auditor_client: Any) -> None:
    rec = audit_write(action="enterprise.update")
    count = AuditRecord.objects.count()
    for url in (reverse("audit:list"), reverse("audit:detail", args=[rec.pk]), reverse("audit:export")):
        for method in ("post", "put", "patch", "delete"):
            assert getattr(auditor_client, method)(url).status_code in (403, 405)
    assert AuditRecord.objects.count() == count
    assert AuditRecord.objects.get(pk=rec.pk).action == "enterprise.update"


def test_AUD_05_retention_check() -> None:
    assert not [m for m in checks.run_checks() if m.id == "audit.E001"]
    for bad in (90, 179, None, "365"):
        security = {"AUDIT_RETENTION_DAYS": bad} if bad is not None else {}
        with override_settings(ZHAOYIN_SECURITY=security):
            errors = [m for m in checks.run_checks() if m.id == "audit.E001"]
        assert errors
        assert errors[0].level == checks.ERROR
    with override_settings(ZHAOYIN_SECURITY={"AUDIT_RETENTION_DAYS": 365}):
        assert not [m for m in checks.run_checks() if m.id == "audit.E001"]
