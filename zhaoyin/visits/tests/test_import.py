"""Excel import and export of service group assignments: upsert of Enterprise.service_group on
the USCC, row/column/reason for every bad row, a failed import commits nothing; the pages."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.importing import ImportBlocked, import_commit, import_preview
from zhaoyin.core.models import ImportBatch, ImportStatus
from zhaoyin.core.testing import assert_fingerprint_unchanged, db_fingerprint
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.lib.tests.xlsx_fixtures import workbook_bytes
from zhaoyin.visits.importing import AssignmentImport, assignment_export, assignment_template
from zhaoyin.visits.tests.conftest import Service

pytestmark = pytest.mark.django_db

HEADER = ["统一社会信用代码", "服务组代码"]
EXCLUDE = {"core.importbatch", "audit.auditrecord", "audit.auditchainhead", "sessions.session"}


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def book(*rows: list[Any], header: list[str] = HEADER) -> bytes:
    return workbook_bytes([header, *rows], text_columns=(0, 1))


def run(svc: Service, data: bytes) -> ImportBatch:
    batch, _plan = import_preview(acting_user=svc.admin, spec=AssignmentImport(svc.admin), data=data, filename="a.xlsx")
    batch, _plan = import_commit(acting_user=svc.admin, spec=AssignmentImport(svc.admin), batch=batch)
    return batch


def test_import_moves_enterprises_and_audits_each_change(svc: Service) -> None:
    batch = run(svc, book([svc.ent_1.uscc, "sg-02"], [svc.ent_none.uscc, "SG-01"], [svc.ent_2.uscc, "sg-02"]))
    assert batch.status == ImportStatus.COMMITTED
    assert (batch.updated, batch.unchanged, batch.created, batch.rejected) == (2, 1, 0, 0)
    assert Enterprise.objects.get(pk=svc.ent_1.pk).service_group == svc.group_2
    assert Enterprise.objects.get(pk=svc.ent_none.pk).service_group == svc.group_1
    assert Enterprise.objects.get(pk=svc.ent_1.pk).version == svc.ent_1.version + 1
    records = AuditRecord.objects.filter(action="enterprise.assign_group").order_by("pk")
    assert [(r.object_id, r.before, r.after) for r in records] == [
        (str(svc.ent_1.pk), {"service_group": "sg-01"}, {"service_group": "sg-02"}),
        (str(svc.ent_none.pk), {"service_group": None}, {"service_group": "sg-01"}),
    ]
    # The same file again changes nothing.
    again = run(svc, book([svc.ent_1.uscc, "sg-02"], [svc.ent_none.uscc, "SG-01"], [svc.ent_2.uscc, "sg-02"]))
    assert (again.updated, again.unchanged) == (0, 3)


def test_a_file_with_a_bad_row_commits_nothing_and_names_row_column_reason(svc: Service) -> None:
    data = book(
        [svc.ent_1.uscc, "sg-02"],
        ["91340400MA0000000X", "sg-01"],
        [svc.ent_2.uscc, "340402"],
        [svc.ent_1b.uscc, ""],
        [svc.ent_1.uscc, "sg-01"],
    )
    before = db_fingerprint(exclude=EXCLUDE)
    batch, plan = import_preview(acting_user=svc.admin, spec=AssignmentImport(svc.admin), data=data, filename="a.xlsx")
    with pytest.raises(ImportBlocked):
        import_commit(acting_user=svc.admin, spec=AssignmentImport(svc.admin), batch=batch)
    assert_fingerprint_unchanged(before, db_fingerprint(exclude=EXCLUDE))
    errors = {(e.row, e.column) for e in plan.errors}
    assert {(3, "统一社会信用代码"), (4, "服务组代码"), (5, "服务组代码")} <= errors
    # The same credit code twice: both rows refused.
    assert {(2, "统一社会信用代码"), (6, "统一社会信用代码")} <= errors
    reasons = {e.row: e.reason for e in plan.errors}
    assert "No enterprise" in reasons[3]
    assert "Unknown service group" in reasons[4]


def test_export_round_trips_through_the_import(svc: Service) -> None:
    out = io.BytesIO()
    assert assignment_export(acting_user=svc.admin, out=out) == 3
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("统一社会信用代码", "服务组代码")
    assert {r[0] for r in rows[1:]} == {svc.ent_1.uscc, svc.ent_1b.uscc, svc.ent_2.uscc}
    batch = run(svc, out.getvalue())
    assert (batch.updated, batch.unchanged, batch.rejected) == (0, 3, 0)
    assert openpyxl.load_workbook(io.BytesIO(assignment_template())).sheetnames == ["Assignments", "Codes"]


def test_import_pages(svc: Service) -> None:
    client = Client()
    client.force_login(svc.admin, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    assert client.get(reverse("visits:assign_import")).status_code == 200
    upload = io.BytesIO(book([svc.ent_none.uscc, "sg-02"]))
    upload.name = "a.xlsx"
    response = client.post(reverse("visits:assign_import"), {"file": upload})
    assert response.status_code == 200
    batch = ImportBatch.objects.get()
    response = client.post(reverse("visits:assign_import_commit"), {"batch": str(batch.pk)})
    assert response.status_code == 302
    assert Enterprise.objects.get(pk=svc.ent_none.pk).service_group == svc.group_2
    assert client.get(reverse("visits:assign_import_result", args=[batch.pk])).status_code == 200
    assert client.get(reverse("visits:assign_import_errors", args=[batch.pk])).status_code == 200
    assert client.get(reverse("visits:assign_import_template")).status_code == 200
    export = client.get(reverse("visits:assign_export"))
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
