"""Enterprise Excel import: acceptance bad inputs, upsert, scope, audit, idempotency
(issue 2 item 8; XLS-01, IMP-01..03, FILE-01..04)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.utils import translation

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.audit.chain import verify_chain
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.importing import ImportBlocked, ImportFileError, Verdict, import_commit, import_preview
from zhaoyin.core.models import ImportBatch, ImportStatus
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import atomic_depths, db_fingerprint
from zhaoyin.enterprises.importing import ENTERPRISE_COLUMNS, EnterpriseImport, enterprise_import_template
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.enterprises.tests.conftest import MakeEnterprise
from zhaoyin.lib.tests.xlsx_fixtures import with_doctype, with_macro, workbook_bytes, zip_bomb
from zhaoyin.lib.uscc import make_uscc

pytestmark = pytest.mark.django_db

HEADER = [c.label for c in ENTERPRISE_COLUMNS]
TEXT = [i for i, c in enumerate(ENTERPRISE_COLUMNS) if c.identifier]
#: Business tables only: a refused import may leave its batch record and audit rows.
EXCLUDE = frozenset({"sessions.session", "audit.auditrecord", "audit.auditchainhead", "core.importbatch"})


def code(n: int, region: str = "340402") -> str:
    return make_uscc(region, f"MA{n:06d}")


def row(n: int, **over: Any) -> list[Any]:
    values: dict[str, Any] = {
        "name": f"导入企业{n}有限公司",
        "uscc": code(n),
        "org_unit": "340402",
        "industry": "新材料",
        "legal_representative": "张三",
        "address": "淮南市大通区",
        "size_class": "规上",
        "founded_on": dt.date(2015, 3, 1),
        "employees": 120,
        "land_mu": Decimal("12.50"),
        "qualifications": "高新技术企业、专精特新",
        "service_group": "sg-01",
    }
    values.update(over)
    return [values[c.key] for c in ENTERPRISE_COLUMNS]


def book(*rows: list[Any]) -> bytes:
    return workbook_bytes([HEADER, *rows], text_columns=TEXT)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, settings: Any) -> Iterator[Path]:
    settings.DATA_DIR = tmp_path
    with translation.override("en"):  # the reasons asserted below are the English msgids
        yield tmp_path


@pytest.fixture
def staff(make_user: Any) -> User:
    user: User = make_user(Role.STAFF, "county_a")
    return user


def preview(user: User, data: bytes) -> tuple[ImportBatch, Any]:
    return import_preview(acting_user=user, spec=EnterpriseImport(user), data=data, filename="e.xlsx")


def run(user: User, data: bytes) -> ImportBatch:
    batch, _plan = preview(user, data)
    batch, _plan = import_commit(acting_user=user, spec=EnterpriseImport(user), batch=batch)
    return batch


def errors_of(batch: ImportBatch) -> list[tuple[int, str, str]]:
    return [(r, c, m) for r, c, m in batch.errors]


def refused_row(user: User, data: bytes) -> list[tuple[int, str, str]]:
    """Preview and try to commit a file with row errors: nothing may change."""
    before = db_fingerprint(exclude=EXCLUDE)
    batch, _plan = preview(user, data)
    with pytest.raises(ImportBlocked):
        import_commit(acting_user=user, spec=EnterpriseImport(user), batch=batch)
    assert db_fingerprint(exclude=EXCLUDE) == before
    return errors_of(batch)


def refused_file(user: User, data: bytes) -> str:
    before = db_fingerprint(exclude=frozenset({"sessions.session"}))
    with pytest.raises(ImportFileError) as info:
        preview(user, data)
    assert db_fingerprint(exclude=frozenset({"sessions.session"})) == before  # not even a batch
    return info.value.code


def test_import_creates_enterprises_with_audit(staff: User, org_tree: dict[str, OrgUnit]) -> None:
    batch = run(staff, book(row(1), row(2, org_unit="park-a", qualifications="", service_group=None)))
    assert (batch.rows_in, batch.created, batch.updated, batch.unchanged, batch.rejected) == (2, 2, 0, 0, 0)
    first = Enterprise.objects.get(uscc=code(1))
    assert first.name == "导入企业1有限公司"
    assert first.org_unit == org_tree["county_a"]
    assert first.service_group == org_tree["group_1"]
    assert first.size_class == "above"
    assert first.land_mu == Decimal("12.50")
    assert first.founded_on == dt.date(2015, 3, 1)
    assert sorted(q.name for q in first.qualifications.all()) == ["专精特新", "高新技术企业"]
    assert "导入企业1" in first.search_text
    second = Enterprise.objects.get(uscc=code(2))
    assert second.org_unit == org_tree["park_a"]
    assert second.service_group is None
    audits = AuditRecord.objects.filter(action="enterprise.create").order_by("id")
    assert [a.object_id for a in audits] == [str(first.pk), str(second.pk)]
    assert audits[0].after is not None
    # The audit log records the fields and ids, not the enterprise's values (issue 12 D4).
    assert audits[0].after["id"] == first.pk
    assert audits[0].after["name"] == "***"
    assert audits[0].after["qualifications"] == "***"
    assert "导入企业1" not in str(audits[0].after) + audits[0].object_repr
    assert audits[0].actor == staff.username
    assert verify_chain().ok


def test_IMP_02_update_only_changed_rows_with_before_after(staff: User) -> None:
    run(staff, book(row(1), row(2)))
    version = Enterprise.objects.get(uscc=code(1)).version
    batch = run(staff, book(row(1, name="改名企业", qualifications="专精特新"), row(2)))
    assert (batch.created, batch.updated, batch.unchanged) == (0, 1, 1)
    changed = Enterprise.objects.get(uscc=code(1))
    assert changed.name == "改名企业"
    assert changed.version == version + 1
    assert [q.name for q in changed.qualifications.all()] == ["专精特新"]
    audit = AuditRecord.objects.get(action="enterprise.update")
    assert audit.before is not None
    assert audit.after is not None
    # Which fields changed, not their values (issue 12 D4).
    assert {"name", "qualifications"} <= set(audit.after)
    assert audit.before["name"] == audit.after["name"] == "***"
    assert audit.before["qualifications"] == "***"
    assert "改名企业" not in str(audit.after)
    assert "uscc" not in audit.after
    assert verify_chain().ok


def test_AC_same_file_twice_changes_nothing(staff: User) -> None:
    data = book(row(1), row(2), row(3))
    run(staff, data)
    before = db_fingerprint(exclude=EXCLUDE)
    audits = AuditRecord.objects.filter(action__in=["enterprise.create", "enterprise.update"]).count()
    batch, plan = preview(staff, data)
    assert [r.verdict for r in plan.rows] == [Verdict.UNCHANGED] * 3
    batch, _plan = import_commit(acting_user=staff, spec=EnterpriseImport(staff), batch=batch)
    assert (batch.created, batch.updated, batch.unchanged) == (0, 0, 3)
    assert db_fingerprint(exclude=EXCLUDE) == before
    assert AuditRecord.objects.filter(action__in=["enterprise.create", "enterprise.update"]).count() == audits


def test_AC_wrong_uscc_check_character(staff: User) -> None:
    bad = code(1)[:17] + ("0" if code(1)[17] != "0" else "1")
    errors = refused_row(staff, book(row(2), row(1, uscc=bad)))
    assert len(errors) == 1
    assert errors[0][:2] == (3, "统一社会信用代码")
    assert "check character" in errors[0][2]


def test_AC_IMP_03_duplicate_uscc_in_file(staff: User) -> None:
    errors = refused_row(staff, book(row(1), row(2), row(1, name="另一个名字")))
    assert {(r, c) for r, c, _m in errors} == {(2, "统一社会信用代码"), (4, "统一社会信用代码")}
    assert all("DUPLICATE_KEY" in m for _r, _c, m in errors)
    assert "4" in errors[0][2]


def test_AC_IMP_03_skip_mode_imports_nothing_for_the_duplicated_key(staff: User) -> None:
    batch, _ = preview(staff, book(row(1), row(2), row(1, name="另一个名字")))
    batch, _ = import_commit(acting_user=staff, spec=EnterpriseImport(staff), batch=batch, skip_invalid=True)
    assert list(Enterprise.objects.values_list("uscc", flat=True)) == [code(2)]
    assert (batch.rows_in, batch.created, batch.rejected) == (3, 1, 2)


@pytest.mark.parametrize("value", ["2020-13-45", "昨天", "2999-01-01"])
def test_AC_malformed_dates(staff: User, value: str) -> None:
    errors = refused_row(staff, book(row(1, founded_on=value)))
    assert [(r, c) for r, c, _m in errors] == [(2, "成立日期")]


def test_AC_unknown_org_unit(staff: User) -> None:
    errors = refused_row(staff, book(row(1, org_unit="999999")))
    assert errors == [(2, "所属单位代码", "unknown org unit code")]


def test_unknown_industry_qualification_and_size(staff: User) -> None:
    errors = refused_row(staff, book(row(1, industry="炼金术", qualifications="诺贝尔奖", size_class="巨大")))
    assert {c for _r, c, _m in errors} == {"行业", "资质", "规模"}


def test_AC_XLS_01_numeric_identifier_cells(staff: User) -> None:
    data = workbook_bytes([HEADER, row(1, uscc=913404000000000000), row(2, org_unit=340402)])  # no '@' format
    errors = refused_row(staff, data)
    assert [(r, c) for r, c, _m in errors] == [(2, "统一社会信用代码"), (3, "所属单位代码")]
    assert all(m.startswith("NUMERIC_IDENTIFIER") for _r, _c, m in errors)


def test_XLS_01_full_width_and_spaces_are_normalised(staff: User) -> None:
    full_width = code(1).translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHJKLMNPQRTUWXY"})
    run(staff, book(row(1, uscc=f"  {full_width} ", name=" 全角企业 ")))
    assert Enterprise.objects.get(uscc=code(1)).name == "全角企业"


def test_AC_formula_without_cached_value(staff: User) -> None:
    errors = refused_row(staff, book(row(1, name='=CONCAT("a","b")')))
    assert errors[0][:2] == (2, "企业名称")
    assert errors[0][2].startswith("FORMULA_NO_VALUE")


def test_AC_html_renamed_xlsx(staff: User) -> None:
    assert refused_file(staff, b"<!DOCTYPE html><html><body>not a workbook</body></html>") == "NOT_XLSX"


def test_AC_macro_workbook(staff: User) -> None:
    assert refused_file(staff, with_macro(book(row(1)))) == "MACRO"


def test_AC_entity_expansion_workbook(staff: User) -> None:
    assert refused_file(staff, with_doctype(book(row(1)), "xl/worksheets/sheet1.xml")) == "XML_FORBIDDEN"


def test_AC_zip_bomb(staff: User) -> None:
    assert refused_file(staff, zip_bomb(100)) == "ZIP_BOMB"


def test_AC_20_mb_upload(staff: User) -> None:
    assert refused_file(staff, b"PK\x03\x04" + b"\x00" * (20 * 1024 * 1024 - 3)) == "TOO_LARGE"


def test_wrong_headers(staff: User) -> None:
    assert refused_file(staff, workbook_bytes([["企业", "代码"], ["a", "b"]])) == "UNKNOWN_COLUMN"
    assert refused_file(staff, workbook_bytes([HEADER[:-1], row(1)[:-1]])) == "MISSING_COLUMN"


def test_AC_03_scope_of_the_importing_user(staff: User, make_enterprise: MakeEnterprise) -> None:
    outside = make_enterprise(unit="county_b", uscc=code(9))
    errors = refused_row(
        staff,
        book(row(1, org_unit="340403"), row(9, org_unit="340402"), row(3)),
    )
    assert errors[0][:2] == (2, "所属单位代码")
    assert errors[1][:2] == (3, "统一社会信用代码")
    assert Enterprise.objects.get(pk=outside.pk).org_unit.code == "340403"


def test_moving_an_enterprise_out_of_scope_is_refused(staff: User, make_enterprise: MakeEnterprise) -> None:
    make_enterprise(unit="county_a", uscc=code(5))
    errors = refused_row(staff, book(row(5, org_unit="340403")))
    assert errors[0][:2] == (2, "所属单位代码")


def test_city_admin_may_import_everywhere(make_user: Any) -> None:
    admin = make_user(Role.CITY_ADMIN, "city")
    batch = run(admin, book(row(1, org_unit="340403"), row(2)))
    assert batch.created == 2


def test_IMP_01_failure_in_the_audit_write_rolls_everything_back(staff: User, monkeypatch: pytest.MonkeyPatch) -> None:
    run(staff, book(row(1)))
    before = db_fingerprint(exclude=EXCLUDE)
    batch, _ = preview(staff, book(row(1, name="新名字"), row(2), row(3)))

    def boom(**kwargs: Any) -> int:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("zhaoyin.enterprises.importing.audit_write_many", boom)
    with pytest.raises(RuntimeError):
        import_commit(acting_user=staff, spec=EnterpriseImport(staff), batch=batch)
    assert db_fingerprint(exclude=EXCLUDE) == before
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED


def test_template_has_headers_example_text_columns_and_codes(make_user: Any) -> None:
    admin = make_user(Role.CITY_ADMIN, "city")
    data = enterprise_import_template(admin)
    book_ = openpyxl.load_workbook(io.BytesIO(data))
    sheet, codes = book_.worksheets
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet["B2"].value is not None
    for letter in ("B", "C", "L"):
        assert sheet[f"{letter}2"].number_format == "@"
        assert sheet[f"{letter}50"].number_format == "@"
    listed = {(r[0], r[1]) for r in codes.iter_rows(min_row=2, values_only=True)}
    assert ("行业", "it") in listed or ("Industry", "it") in listed
    assert any(r[1] == "340402" for r in listed)
    # The template's example row is itself a valid row.
    _batch, plan = preview(admin, data)
    assert [r.verdict for r in plan.rows] == [Verdict.CREATE]


def test_IMP_01_d1_the_commit_reads_and_cleans_the_file_before_its_transaction(
    staff: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12 D1: unzipping, parsing and cleaning a workbook is the slow part of an import;
    on SQLite a transaction holds the one write lock, so the commit does all of it before its
    transaction opens, which only classifies the rows against the database and writes them."""
    from zhaoyin.core import importing

    batch, _plan = preview(staff, book(row(1), row(2)))
    depths = atomic_depths(
        monkeypatch, (importing, "check_xlsx_upload"), (importing, "read_first_sheet"),
        (EnterpriseImport, "clean_row"), (EnterpriseImport, "classify"), (EnterpriseImport, "write"),
    )
    batch, _plan = import_commit(acting_user=staff, spec=EnterpriseImport(staff), batch=batch)
    assert batch.created == 2
    assert depths["check_xlsx_upload"] == [0]
    assert depths["read_first_sheet"] == [0]
    assert depths["clean_row"] == [0, 0]
    assert depths["classify"] == [1]
    assert depths["write"] == [1]
