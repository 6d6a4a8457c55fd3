"""Excel import of targets: preview, all-or-nothing commit, errors naming row and column."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.roles import Role
from zhaoyin.targets.importing import TARGET_COLUMNS
from zhaoyin.targets.models import Target
from zhaoyin.targets.tests.conftest import web_client

pytestmark = pytest.mark.django_db
HEADER = [c.label for c in TARGET_COLUMNS]


def workbook(rows: list[list[Any]]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("targets.xlsx", out.getvalue())


def months(*values: Any) -> list[Any]:
    return list(values) + [None] * (12 - len(values))


@pytest.fixture
def admin_client(org_tree: dict[str, OrgUnit], make_user: Callable[..., Any]) -> Any:
    return web_client(make_user(Role.CITY_ADMIN, "city"))


def test_import_previews_then_commits_all_rows(admin_client: Any, org_tree: dict[str, OrgUnit]) -> None:
    rows = [
        [2026, "340400", "external_funds", 660, *months(50, 100, 150, 200, 250, 300, 350, 400, 510.93, 550, 600, 660)],
        [2026, "340402", "signed_100m", "12", *months()],
    ]
    r = admin_client.post("/targets/import/", {"file": workbook(rows)})
    assert r.status_code == 200
    assert Target.objects.count() == 0  # the preview writes nothing
    batch = r.context["batch"]
    assert batch.created == 2
    r = admin_client.post("/targets/import/commit/", {"batch": batch.pk})
    assert r.status_code == 302
    city = Target.objects.get(org_unit=org_tree["city"])
    assert city.value == Decimal(660)
    assert city.month_plans.get(month=9).cumulative == Decimal("510.93")
    assert Target.objects.get(org_unit=org_tree["county_a"]).value == 12
    assert AuditRecord.objects.filter(action="target.set").count() == 2
    again = admin_client.post("/targets/import/", {"file": workbook(rows)})
    assert again.context["batch"].unchanged == 2


def test_bad_rows_are_reported_and_nothing_is_imported(admin_client: Any) -> None:
    rows = [
        [2026, "340400", "external_funds", 660, *months()],
        [2026, "nowhere", "nope", -1, *months(5, 4)],
        [2026, "340400", "external_funds", 600, *months()],
    ]
    r = admin_client.post("/targets/import/", {"file": workbook(rows)})
    assert r.status_code == 200
    errors = {(e.row, e.column) for e in r.context["errors"]}
    assert {(3, "单位代码"), (3, "指标"), (3, "年度目标"), (3, "2月")} <= errors
    assert (2, "单位代码") in errors  # the duplicate pair
    assert (4, "单位代码") in errors
    r = admin_client.post("/targets/import/commit/", {"batch": r.context["batch"].pk})
    assert Target.objects.count() == 0


def test_template_and_refusals(admin_client: Any, make_user: Callable[..., Any]) -> None:
    r = admin_client.get("/targets/import/template/")
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content))
    assert [c.value for c in next(book.worksheets[0].iter_rows(max_row=1))] == HEADER
    assert admin_client.post("/targets/import/", {}).status_code == 400
    not_xlsx = SimpleUploadedFile("x.xlsx", b"not a workbook")
    assert admin_client.post("/targets/import/", {"file": not_xlsx}).status_code == 400
    staff = web_client(make_user(Role.UNIT_ADMIN, "county_a"))
    assert staff.post("/targets/import/", {"file": workbook([])}).status_code == 403
