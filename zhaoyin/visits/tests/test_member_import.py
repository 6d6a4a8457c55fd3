"""Excel import and export of service group members (issue 5, deliverable 1): an upsert of
memberships on username + group code through the group services (audited as on the page),
row/column/reason for every bad row, a failed import commits nothing; the export imports
back unchanged; the pages."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from zhaoyin.accounts.models import ServiceGroupMembership
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.importing import ImportBlocked, import_commit, import_preview
from zhaoyin.core.models import ImportBatch, ImportStatus
from zhaoyin.core.testing import assert_fingerprint_unchanged, db_fingerprint
from zhaoyin.lib.tests.xlsx_fixtures import workbook_bytes
from zhaoyin.visits.member_import import KEEP, MemberImport, member_export, member_template, parse_leader
from zhaoyin.visits.tests.conftest import Service

pytestmark = pytest.mark.django_db

HEADER = ["用户名", "服务组代码", "组长"]
EXCLUDE = {"core.importbatch", "audit.auditrecord", "audit.auditchainhead", "sessions.session"}


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def book(*rows: list[Any], header: list[str] = HEADER) -> bytes:
    return workbook_bytes([header, *rows], text_columns=(0, 1, 2))


def run(svc: Service, data: bytes) -> ImportBatch:
    spec = MemberImport(svc.admin)
    batch, _plan = import_preview(acting_user=svc.admin, spec=spec, data=data, filename="m.xlsx")
    batch, _plan = import_commit(acting_user=svc.admin, spec=MemberImport(svc.admin), batch=batch)
    return batch


def members(svc: Service) -> set[tuple[str, str, bool]]:
    return set(
        ServiceGroupMembership.objects.filter(group__in=[svc.group_1, svc.group_2]).values_list(
            "user__username", "group__code", "is_leader"
        )
    )


def test_import_adds_members_and_a_leader_audited_like_the_page(svc: Service) -> None:
    before = members(svc)
    assert ("member_1", "sg-01", True) in before
    data = book(
        ["member_2", "sg-01", "是"],  # new member and leader of group 1: member_1 is demoted
        ["colleague_1", "SG-02", None],  # new ordinary member of group 2 (a blank 组长 keeps the flag)
        ["member_1", "sg-01", "否"],  # the old leader, now an ordinary member
        ["colleague_1", "sg-01", "否"],  # unchanged
    )
    batch = run(svc, data)
    assert batch.status == ImportStatus.COMMITTED
    assert (batch.created, batch.updated, batch.unchanged, batch.rejected) == (2, 1, 1, 0)
    assert members(svc) == (before - {("member_1", "sg-01", True)}) | {
        ("member_1", "sg-01", False),
        ("member_2", "sg-01", True),
        ("colleague_1", "sg-02", False),
    }
    assert ServiceGroupMembership.objects.filter(group=svc.group_1, is_leader=True).count() == 1
    added = AuditRecord.objects.filter(action="service_group.member_add").order_by("pk")
    assert [(r.actor_id, r.after) for r in added] == [
        (svc.admin.pk, {"group": "sg-01", "user": "member_2", "is_leader": True}),
        (svc.admin.pk, {"group": "sg-02", "user": "colleague_1", "is_leader": False}),
    ]
    cleared = AuditRecord.objects.get(action="service_group.leader_clear")
    assert (cleared.before, cleared.after) == (
        {"group": "sg-01", "leader": "member_1"},
        {"group": "sg-01", "leader": None},
    )
    assert AuditRecord.objects.filter(action="service_group_membership.import_commit").count() == 1
    # The same file again changes nothing.
    again = run(svc, data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)


def test_import_makes_an_existing_member_leader_and_demotes_the_previous(svc: Service) -> None:
    batch = run(svc, book(["colleague_1", "sg-01", "是"]))
    assert (batch.created, batch.updated) == (0, 1)
    leaders = ServiceGroupMembership.objects.filter(group=svc.group_1, is_leader=True)
    assert list(leaders.values_list("user__username", flat=True)) == ["colleague_1"]
    record = AuditRecord.objects.get(action="service_group.leader_set", actor=svc.admin)
    assert (record.before, record.after) == (
        {"group": "sg-01", "leader": "member_1"},
        {"group": "sg-01", "leader": "colleague_1"},
    )


def test_a_blank_leader_cell_keeps_the_current_leader(svc: Service) -> None:
    """A file listing members only (组长 left blank) must not demote a group's leader."""
    batch = run(svc, book(["member_1", "sg-01", None], ["colleague_1", "sg-01", ""]))
    assert (batch.created, batch.updated, batch.unchanged) == (0, 0, 2)
    leaders = ServiceGroupMembership.objects.filter(group=svc.group_1, is_leader=True)
    assert list(leaders.values_list("user__username", flat=True)) == ["member_1"]
    assert not AuditRecord.objects.filter(action="service_group.leader_clear").exists()


def test_a_file_with_bad_rows_changes_nothing_and_names_each_row_and_column(svc: Service) -> None:
    data = book(
        ["nobody", "sg-01", None],  # 2: no such account
        ["staff_a", "sg-01", None],  # 3: no service_member role
        ["member_2", "sg-99", None],  # 4: unknown group
        ["colleague_1", "sg-02", None],  # 5: the same account and group twice …
        ["COLLEAGUE_1", "sg-02", "否"],  # 6: … in any case
        ["member_1", "sg-01", "是"],  # 7: two leaders for group 1 …
        ["colleague_1", "sg-01", "是"],  # 8: …
        ["member_2", "sg-01", "maybe"],  # 9: not 是/否
        ["member_1", "sg-02", None],  # 10: fine on its own, but not imported
    )
    before = db_fingerprint(exclude=EXCLUDE)
    spec = MemberImport(svc.admin)
    batch, plan = import_preview(acting_user=svc.admin, spec=spec, data=data, filename="m.xlsx")
    with pytest.raises(ImportBlocked):
        import_commit(acting_user=svc.admin, spec=MemberImport(svc.admin), batch=batch)
    assert_fingerprint_unchanged(before, db_fingerprint(exclude=EXCLUDE))
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.FAILED
    errors = {(e.row, e.column) for e in plan.errors}
    assert errors == {
        (2, "用户名"),
        (3, "用户名"),
        (4, "服务组代码"),
        (5, "用户名"),
        (6, "用户名"),
        (7, "组长"),
        (8, "组长"),
        (9, "组长"),
    }
    assert plan.counts == {"rows_in": 9, "created": 1, "updated": 0, "unchanged": 0, "rejected": 8}
    reasons = {(e.row, e.column): e.reason for e in plan.errors}
    assert "No active account" in reasons[(2, "用户名")]
    assert "service group member role" in reasons[(3, "用户名")]
    assert "Unknown service group" in reasons[(4, "服务组代码")]
    assert reasons[(5, "用户名")].startswith("DUPLICATE_KEY")
    assert "6" in reasons[(5, "用户名")]
    assert reasons[(6, "用户名")].startswith("DUPLICATE_KEY")
    assert reasons[(7, "组长")].startswith("TWO_LEADERS")
    assert reasons[(8, "组长")].startswith("TWO_LEADERS")


def test_an_inactive_account_is_refused_on_the_username(svc: Service) -> None:
    svc.member_2.is_active = False
    svc.member_2.save(update_fields=["is_active"])
    _batch, plan = import_preview(
        acting_user=svc.admin, spec=MemberImport(svc.admin), data=book(["member_2", "sg-01", None]), filename="m.xlsx"
    )
    assert [(e.row, e.column) for e in plan.errors] == [(2, "用户名")]


def test_leader_cell_spellings() -> None:
    assert [parse_leader(v) for v in ("是", "否", None, "", "yes", "N", True, 0, 1)] == [
        True,
        False,
        KEEP,
        KEEP,
        True,
        False,
        True,
        False,
        True,
    ]
    assert parse_leader("组员") is None
    assert parse_leader(2) is None


def test_export_round_trips_through_the_import(svc: Service) -> None:
    out = io.BytesIO()
    assert member_export(acting_user=svc.admin, out=out) == 3
    assert AuditRecord.objects.filter(action="service_group.members_export", actor=svc.admin).count() == 1
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(HEADER)
    assert set(rows[1:]) == {("member_1", "sg-01", "是"), ("colleague_1", "sg-01", "否"), ("member_2", "sg-02", "否")}
    before = db_fingerprint(exclude=EXCLUDE)
    batch = run(svc, out.getvalue())
    assert (batch.created, batch.updated, batch.unchanged, batch.rejected) == (0, 0, 3, 0)
    assert_fingerprint_unchanged(before, db_fingerprint(exclude=EXCLUDE))
    template = openpyxl.load_workbook(io.BytesIO(member_template()))
    assert template.sheetnames == ["Members", "Codes"]
    codes = [r[0] for r in template["Codes"].iter_rows(min_row=2, values_only=True)]
    assert {"sg-01", "sg-02"} <= set(codes)


def test_member_import_pages(svc: Service) -> None:
    client = Client()
    client.force_login(svc.admin, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    listing = client.get(reverse("visits:group_list")).content.decode()
    assert reverse("visits:member_import") in listing
    assert reverse("visits:member_export") in listing
    assert client.get(reverse("visits:member_import")).status_code == 200
    upload = io.BytesIO(book(["member_2", "sg-01", "否"]))
    upload.name = "m.xlsx"
    response = client.post(reverse("visits:member_import"), {"file": upload})
    assert response.status_code == 200
    batch = ImportBatch.objects.get(kind=MemberImport.kind)
    response = client.post(reverse("visits:member_import_commit"), {"batch": str(batch.pk)})
    assert response.status_code == 302
    assert ServiceGroupMembership.objects.filter(group=svc.group_1, user=svc.member_2, is_leader=False).exists()
    assert client.get(reverse("visits:member_import_result", args=[batch.pk])).status_code == 200
    assert client.get(reverse("visits:member_import_errors", args=[batch.pk])).status_code == 200
    assert client.get(reverse("visits:member_import_template")).status_code == 200
    export = client.get(reverse("visits:member_export"))
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
