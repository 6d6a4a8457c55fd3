"""The generic import framework (XLS-01, IMP-01..03, RES-02) on a toy import of industries."""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.http import Http404
from django.utils import translation

from zhaoyin.accounts.models import User
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.importing import (
    Column,
    ImportBlocked,
    ImportFileError,
    ImportSpec,
    RowInvalid,
    RowResult,
    Verdict,
    error_report_xlsx,
    import_batch_get_for_user,
    import_commit,
    import_dir,
    import_preview,
    import_purge_stale,
    plan_import,
    previous_commit,
)
from zhaoyin.core.models import ImportBatch, ImportStatus
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Industry
from zhaoyin.lib.tests.xlsx_fixtures import workbook_bytes

pytestmark = pytest.mark.django_db

HEADER = ["代码", "名称"]


class IndustryImport(ImportSpec):
    """A minimal import: industries keyed by code."""

    kind = "industry-test"
    columns = (Column("code", "代码", "code", required=True, identifier=True), Column("name", "名称", "name"))
    key_column = "code"
    fail_at: int | None = None

    def clean_row(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        errors = []
        if not raw.get("code"):
            errors.append(("code", "required"))
        if not raw.get("name"):
            errors.append(("name", "required"))
        if errors:
            raise RowInvalid(errors)
        return {"code": str(raw["code"]).upper(), "name": str(raw["name"])}

    def classify(self, rows: list[RowResult]) -> None:
        existing = {i.code: i for i in Industry.objects.filter(code__in=[r.key for r in rows])}
        for row in rows:
            assert row.cleaned is not None
            current = existing.get(row.cleaned["code"])
            if current is None:
                row.verdict = Verdict.CREATE
            elif current.name != row.cleaned["name"]:
                row.verdict, row.target = Verdict.UPDATE, current
            else:
                row.verdict = Verdict.UNCHANGED

    def write(self, rows: list[RowResult], batch: ImportBatch | None) -> None:
        for n, row in enumerate(rows):
            if self.fail_at is not None and n == self.fail_at:
                raise RuntimeError("injected failure")
            assert row.cleaned is not None
            if row.verdict == Verdict.CREATE:
                Industry.objects.create(code=row.cleaned["code"], name=row.cleaned["name"], sort_order=n)
            else:
                Industry.objects.filter(pk=row.target.pk).update(name=row.cleaned["name"])


@pytest.fixture
def user(make_user: Any) -> User:
    u: User = make_user(Role.STAFF, "county_a")
    return u


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, settings: Any) -> Iterator[Path]:
    Industry.objects.all().delete()  # the seeded dictionary; the toy import starts empty
    settings.DATA_DIR = tmp_path
    with translation.override("en"):  # the reasons asserted below are the English msgids
        yield tmp_path


def book(*rows: list[Any]) -> bytes:
    return workbook_bytes([HEADER, *rows], text_columns=[0])


def fingerprint() -> list[tuple[str, str]]:
    return list(Industry.objects.order_by("code").values_list("code", "name"))


def test_header_unknown_and_missing_columns_are_file_errors(user: User) -> None:
    with pytest.raises(ImportFileError) as info:
        plan_import(IndustryImport(user), workbook_bytes([["代码", "名称", "备注"], ["A", "b", "c"]]))
    assert info.value.code == "UNKNOWN_COLUMN"
    assert "C「备注」" in info.value.message
    with pytest.raises(ImportFileError) as info:
        plan_import(IndustryImport(user), workbook_bytes([["代码"], ["A"]]))
    assert info.value.code == "MISSING_COLUMN"
    assert "名称" in info.value.message
    with pytest.raises(ImportFileError) as info:
        plan_import(IndustryImport(user), workbook_bytes([["代码", "名称", "code"]]))
    assert info.value.code == "DUPLICATE_COLUMN"


def test_headers_match_after_nfkc_and_in_english(user: User) -> None:
    plan = plan_import(IndustryImport(user), workbook_bytes([[" code ", "名 称"], ["A1", "x"]], text_columns=[0]))
    assert [r.verdict for r in plan.rows] == [Verdict.CREATE]


def test_XLS_01_numeric_identifier_full_width_and_spaces(user: User) -> None:
    data = workbook_bytes([HEADER, [12345, "数字"], ["  ＡＢ１２  ", " 全角 "], [None, None], ["=1+1", "formula"]])
    plan = plan_import(IndustryImport(user), data)
    verdicts = {r.row_number: r.verdict for r in plan.rows}
    assert verdicts == {2: Verdict.ERROR, 3: Verdict.CREATE, 5: Verdict.ERROR}  # the blank row 4 is skipped
    errors = {(e.row, e.column): e.reason for e in plan.errors}
    assert errors[(2, "代码")].startswith("NUMERIC_IDENTIFIER")
    assert errors[(5, "代码")].startswith("FORMULA_NO_VALUE")
    assert plan.rows[1].cleaned is None or plan.rows[1].key == "AB12"
    assert plan.rows[1].key == "AB12"
    assert plan.counts == {"rows_in": 3, "created": 1, "updated": 0, "unchanged": 0, "rejected": 2}


def test_IMP_03_duplicate_keys_put_every_row_in_error(user: User) -> None:
    plan = plan_import(IndustryImport(user), book(["A", "one"], ["B", "two"], ["a", "three"]))
    assert [r.verdict for r in plan.rows] == [Verdict.ERROR, Verdict.CREATE, Verdict.ERROR]
    reasons = [e.reason for e in plan.errors]
    assert any("DUPLICATE_KEY" in r and "4" in r for r in reasons)
    assert any("DUPLICATE_KEY" in r and "2" in r for r in reasons)


def test_IMP_01_preview_then_commit(user: User, data_dir: Path) -> None:
    data = book(["A", "甲"], ["B", "乙"])
    batch, _plan = import_preview(acting_user=user, spec=IndustryImport(user), data=data, filename="../../x.xlsx")
    assert fingerprint() == []  # the dry run wrote nothing
    assert batch.status == ImportStatus.PREVIEW
    assert batch.filename == "x.xlsx"
    stored = list((data_dir / "imports").iterdir())
    assert [p.name for p in stored] == [batch.stored_name]
    assert batch.stored_name != "x.xlsx"
    assert (batch.rows_in, batch.created) == (2, 2)
    batch, _plan = import_commit(acting_user=user, spec=IndustryImport(user), batch=batch)
    assert batch.status == ImportStatus.COMMITTED
    assert fingerprint() == [("A", "甲"), ("B", "乙")]
    assert list((data_dir / "imports").iterdir()) == []  # RES-02
    assert AuditRecord.objects.filter(action="industry-test.import_commit").count() == 1
    with pytest.raises(ImportBlocked):
        import_commit(acting_user=user, spec=IndustryImport(user), batch=batch)


def test_IMP_02_same_file_twice_changes_nothing(user: User) -> None:
    data = book(["A", "甲"])
    batch, _ = import_preview(acting_user=user, spec=IndustryImport(user), data=data, filename="a.xlsx")
    first, _ = import_commit(acting_user=user, spec=IndustryImport(user), batch=batch)
    again, _plan = import_preview(acting_user=user, spec=IndustryImport(user), data=data, filename="a.xlsx")
    assert previous_commit(again) == first
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    before = fingerprint()
    again, _ = import_commit(acting_user=user, spec=IndustryImport(user), batch=again)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert fingerprint() == before
    # A corrected row updates only that row.
    changed, _ = import_preview(acting_user=user, spec=IndustryImport(user), data=book(["A", "丙"]), filename="b.xlsx")
    assert previous_commit(changed) is None
    assert (changed.created, changed.updated) == (0, 1)


def test_IMP_01_failure_mid_write_changes_nothing_and_keeps_the_file(user: User, data_dir: Path) -> None:
    Industry.objects.create(code="Z", name="existing")
    before = fingerprint()
    audits = AuditRecord.objects.count()
    data = book(["A", "甲"], ["B", "乙"], ["C", "丙"])
    batch, _ = import_preview(acting_user=user, spec=IndustryImport(user), data=data, filename="a.xlsx")
    spec = IndustryImport(user)
    spec.fail_at = 2
    with pytest.raises(RuntimeError):
        import_commit(acting_user=user, spec=spec, batch=batch)
    assert fingerprint() == before
    assert AuditRecord.objects.count() == audits + 1  # only the preview's record
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert (data_dir / "imports" / batch.stored_name).is_file()  # kept for a re-run
    batch, _ = import_commit(acting_user=user, spec=IndustryImport(user), batch=batch)
    assert len(fingerprint()) == 4


def test_IMP_01_commit_with_row_errors_is_blocked(user: User) -> None:
    batch, _ = import_preview(
        acting_user=user, spec=IndustryImport(user), data=book(["A", "甲"], ["B", None]), filename="a.xlsx"
    )
    assert batch.rejected == 1
    assert batch.errors == [[3, "名称", "required"]]
    with pytest.raises(ImportBlocked):
        import_commit(acting_user=user, spec=IndustryImport(user), batch=batch)
    assert fingerprint() == []
    batch, _ = import_commit(acting_user=user, spec=IndustryImport(user), batch=batch, skip_invalid=True)
    assert fingerprint() == [("A", "甲")]
    assert (batch.created, batch.rejected) == (1, 1)


def test_commit_revalidates_against_current_data(user: User) -> None:
    batch, _ = import_preview(acting_user=user, spec=IndustryImport(user), data=book(["A", "甲"]), filename="a.xlsx")
    Industry.objects.create(code="A", name="甲")  # someone else created it meanwhile
    batch, _ = import_commit(acting_user=user, spec=IndustryImport(user), batch=batch)
    assert (batch.created, batch.unchanged) == (0, 1)


def test_tampered_stored_file_is_refused(user: User, data_dir: Path) -> None:
    batch, _ = import_preview(acting_user=user, spec=IndustryImport(user), data=book(["A", "甲"]), filename="a.xlsx")
    (data_dir / "imports" / batch.stored_name).write_bytes(book(["EVIL", "x"]))
    with pytest.raises(ImportBlocked):
        import_commit(acting_user=user, spec=IndustryImport(user), batch=batch)
    assert fingerprint() == []


def test_RES_02_failed_preview_leaves_no_file(user: User, data_dir: Path) -> None:
    with pytest.raises(ImportFileError):
        import_preview(
            acting_user=user, spec=IndustryImport(user), data=workbook_bytes([["?"]]), filename="a.xlsx"
        )
    with pytest.raises(ImportFileError):
        import_preview(acting_user=user, spec=IndustryImport(user), data=b"<html>", filename="a.xlsx")
    assert not (data_dir / "imports").exists() or list((data_dir / "imports").iterdir()) == []
    assert ImportBatch.objects.count() == 0


def test_batches_are_scoped_to_the_uploader(user: User, make_user: Any) -> None:
    batch, _ = import_preview(acting_user=user, spec=IndustryImport(user), data=book(["A", "甲"]), filename="a.xlsx")
    other = make_user(Role.STAFF, "county_a")
    with pytest.raises(Http404):
        import_batch_get_for_user(user=other, pk=batch.pk, kind=IndustryImport.kind)
    with pytest.raises(Http404):
        import_commit(acting_user=other, spec=IndustryImport(other), batch=batch)
    assert import_batch_get_for_user(user=user, pk=batch.pk, kind=IndustryImport.kind) == batch


def test_error_report_workbook(user: User) -> None:
    batch, _ = import_preview(
        acting_user=user, spec=IndustryImport(user), data=book([123, "x"], ["B", None]), filename="a.xlsx"
    )
    ws = openpyxl.load_workbook(io.BytesIO(error_report_xlsx(batch))).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][:2] == (2, "代码")
    assert str(rows[1][2]).startswith("NUMERIC_IDENTIFIER")
    assert rows[2] == (3, "名称", "required")


def test_purge_stale_uploads(user: User, data_dir: Path) -> None:
    import datetime as dt

    from django.utils import timezone

    batch, _ = import_preview(acting_user=user, spec=IndustryImport(user), data=book(["A", "甲"]), filename="a.xlsx")
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    assert import_purge_stale() == 1
    assert list(import_dir().iterdir()) == []


def test_XLS_01_error_cells_are_row_errors(user: User) -> None:
    from zhaoyin.lib.tests.xlsx_fixtures import rewrite_members

    data = rewrite_members(
        book(["A", "甲"]),
        lambda n, b: b.replace(
            b'<c r="B2" t="inlineStr"><is><t>\xe7\x94\xb2</t></is></c>', b'<c r="B2" t="e"><v>#N/A</v></c>'
        )
        if n == "xl/worksheets/sheet1.xml"
        else b,
    )
    plan = plan_import(IndustryImport(user), data)
    assert [(e.row, e.column) for e in plan.errors] == [(2, "名称")]
    assert plan.errors[0].reason.startswith("CELL_ERROR")


def test_audit_write_many_continues_the_hash_chain(user: User) -> None:
    from zhaoyin.audit.chain import verify_chain
    from zhaoyin.audit.models import AuditChainHead
    from zhaoyin.audit.services import audit_write, audit_write_many

    audit_write(action="test.single", user=user, object_repr="before")
    written = audit_write_many(
        user=user,
        entries=({"action": "test.bulk", "object_type": "x", "object_id": n, "after": {"n": n}} for n in range(2500)),
    )
    audit_write(action="test.single", user=user, object_repr="after")
    assert written == 2500
    head = AuditChainHead.objects.get(id=1)
    assert head.last_id == AuditRecord.objects.latest("id").pk
    report = verify_chain()
    assert report.ok, report
    bulk = list(AuditRecord.objects.filter(action="test.bulk").order_by("id")[:2])
    assert bulk[1].prev_hash == bulk[0].hash
    assert bulk[0].actor == user.username
    assert audit_write_many(user=user, entries=[]) == 0


def test_XLS_01_openpyxl_reads_and_writes_without_lxml() -> None:
    """The Excel paths are tested on openpyxl's standard-library XML parser (with defusedxml);
    lxml, present for python-docx, must not switch it (zhaoyin/__init__.py)."""
    from openpyxl.xml import DEFUSEDXML, LXML

    assert (LXML, DEFUSEDXML) == (False, True)
