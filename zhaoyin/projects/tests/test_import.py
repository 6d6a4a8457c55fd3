"""Excel import of projects (issue 3 item 1) and the month funds import page (item 3)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from zhaoyin.core.importing import import_commit, import_preview
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Industry
from zhaoyin.projects.choices import Stage
from zhaoyin.projects.importing import PROJECT_COLUMNS, ProjectImport
from zhaoyin.projects.models import FundEntry, Project
from zhaoyin.projects.tests.helpers import MakeProject, fingerprint, upload, web_client

pytestmark = pytest.mark.django_db
HEADER = [c.label for c in PROJECT_COLUMNS]


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Any, settings: Any) -> Iterator[None]:
    settings.DATA_DIR = tmp_path
    # Reasons are asserted in English (the default language translates them).
    with translation.override("en"):
        yield


def workbook(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(code: str | None = None, **over: Any) -> list[Any]:
    industry = Industry.objects.order_by("sort_order", "code").first()
    assert industry is not None
    values: dict[str, Any] = {
        "code": code, "name": "导入项目", "investor_name": "导入投资方", "source_region": "yangtze_delta",
        "industry": industry.code, "org_unit": "340402", "total_investment_wan": "5000", "construction_content": "厂房",
        "land_mu": "12.5", "attraction_method": None, "lead_official": "王五", "first_contact_on": "2025-03-01",
        "planned_sign_on": "2026-06-01", "planned_start_on": None, "planned_production_on": None,
    }
    values.update(over)
    return [values[c.key] for c in PROJECT_COLUMNS]


def run(user: Any, data: bytes) -> tuple[Any, Any]:
    batch, plan = import_preview(acting_user=user, spec=ProjectImport(user), data=data, filename="p.xlsx")
    return batch, plan


def commit(user: Any, data: bytes) -> Any:
    batch, _plan = run(user, data)
    batch, _plan = import_commit(acting_user=user, spec=ProjectImport(user), batch=batch)
    return batch


@pytest.mark.parametrize(
    ("over", "column", "needle"),
    [
        ({"org_unit": "nowhere"}, "所属单位代码", "org unit within your scope"),
        ({"total_investment_wan": "-5"}, "总投资(万元)", ""),
        ({"planned_sign_on": "2026/13/01"}, "计划签约日期", "YYYY-MM-DD"),
    ],
)
def test_IMP_01_bad_cells_reported_and_nothing_changed(
    make_user: Any, make_project: MakeProject, over: dict[str, Any], column: str, needle: str
) -> None:
    staff = make_user(Role.STAFF, "county_a")
    existing = make_project(unit="county_a")
    data = workbook([row(existing.code, name="改名"), row(None, **over)])
    before = fingerprint()
    batch, plan = run(staff, data)
    assert batch.rejected == 1
    assert [(e.row, e.column) for e in plan.errors] == [(3, column)]
    assert needle in plan.errors[0].reason
    client = web_client(staff)
    response = client.post(reverse("projects:import_commit"), {"batch": batch.pk})
    assert response.status_code == 302
    assert Project.objects.get(pk=existing.pk).name == existing.name
    after = fingerprint()
    assert after[0] == before[0]
    assert after[1:4] == before[1:4]


def test_IMP_01_other_countys_code_and_duplicate_code(make_user: Any, make_project: MakeProject) -> None:
    staff = make_user(Role.STAFF, "county_a")
    mine, theirs = make_project(unit="county_a"), make_project(unit="county_b")
    data = workbook(
        [row(theirs.code, org_unit="340403"), row(theirs.code, name="其他", org_unit="340402"),
         row(mine.code, name="甲"), row(mine.code.lower(), name="乙")]
    )
    before = fingerprint()
    batch, plan = run(staff, data)
    got = {(e.row, e.column): e.reason for e in plan.errors}
    assert "row(s) 3" in got[(2, "项目编号")]
    assert "row(s) 2" in got[(3, "项目编号")]
    assert "row(s) 5" in got[(4, "项目编号")]
    assert "row(s) 4" in got[(5, "项目编号")]
    assert batch.rejected == 4
    # Another county's project: refused on the code, whatever unit the row names.
    _b, plan2 = run(staff, workbook([row(theirs.code), row(None, org_unit="340403")]))
    assert [(e.row, e.column) for e in plan2.errors] == [(2, "项目编号"), (3, "所属单位代码")]
    assert "unknown project code" in plan2.errors[0].reason
    # A unit outside the importer's scope is refused first, in the words of an unknown one
    # (AC-03), whether the code is another county's or no one's.
    _b, plan3 = run(staff, workbook([row(theirs.code, org_unit="340403")]))
    _b, plan3_unknown = run(staff, workbook([row("XM-2020-99999", org_unit="340403")]))
    assert [(e.row, e.column, e.reason) for e in plan3.errors] == [
        (e.row, e.column, e.reason) for e in plan3_unknown.errors
    ] == [(2, "所属单位代码", plan3.errors[0].reason)]
    _b, plan4 = run(staff, workbook([row(theirs.code)]))
    assert [(e.row, e.column) for e in plan4.errors] == [(2, "项目编号")]
    theirs.refresh_from_db()
    assert theirs.name != "导入项目"
    assert fingerprint()[0] == before[0]


def test_IMP_02_good_file_creates_and_updates_and_reimport_changes_nothing(
    make_user: Any, make_project: MakeProject
) -> None:
    staff = make_user(Role.STAFF, "county_a")
    existing = make_project(unit="county_a")
    data = workbook(
        [row(existing.code, name="更新后的项目", total_investment_wan=12345.5),
         row(None, name="新项目一"), row(None, name="新项目二", org_unit="park-a", first_contact_on=None)]
    )
    batch = commit(staff, data)
    assert (batch.created, batch.updated, batch.unchanged, batch.rejected) == (2, 1, 0, 0)
    existing.refresh_from_db()
    assert existing.name == "更新后的项目"
    assert existing.total_investment_wan == Decimal("12345.50")
    assert existing.land_mu == Decimal("12.5")
    assert existing.lead_official == "王五"
    new = Project.objects.get(name="新项目一")
    assert new.code.startswith("XM-")
    assert new.org_unit.code == "340402"
    assert Project.objects.get(name="新项目二").org_unit.code == "park-a"
    before = fingerprint()
    again = commit(staff, data)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 0)
    after = fingerprint()
    assert after[0] == before[0]
    assert after[1:4] == before[1:4]


def test_project_import_pages(make_user: Any, make_project: MakeProject) -> None:
    staff = make_user(Role.STAFF, "county_a")
    client = web_client(staff)
    assert client.get(reverse("projects:list")).content.decode().count(reverse("projects:import")) == 1
    template = client.get(reverse("projects:import_template"))
    assert template.status_code == 200
    sheet = load_workbook(io.BytesIO(template.content)).worksheets[0]
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == HEADER
    response = client.post(reverse("projects:import"), {"file": upload("p.xlsx", workbook([row(None)]))})
    assert response.status_code == 200
    batch = response.context["batch"]
    assert batch.created == 1
    response = client.post(reverse("projects:import_commit"), {"batch": batch.pk})
    assert response.status_code == 302
    assert Project.objects.filter(name="导入项目").count() == 1
    assert client.get(response["Location"]).status_code == 200
    bad = client.post(reverse("projects:import"), {"file": upload("p.xlsx", b"not a workbook")})
    assert bad.status_code == 400


FUNDS_HEADER = ["项目编号", "金额(万元)", "来源", "类型"]


def test_funds_import_page_happy_path(make_user: Any, make_project: MakeProject) -> None:
    staff = make_user(Role.STAFF, "county_a")
    project = make_project(unit="county_a", stage=Stage.SIGNED)
    client = web_client(staff)
    assert client.get(reverse("projects:funds_import")).status_code == 200
    assert client.get(reverse("projects:funds_import_template")).status_code == 200
    data = workbook([[project.code, "100.5", "市外", "固定资产"]], FUNDS_HEADER)
    response = client.post(reverse("projects:funds_import"), {"month": "2025-09", "file": upload("f.xlsx", data)})
    assert response.status_code == 200
    assert response.context["result"].committed
    assert 'id="import-done"' in response.content.decode()
    entry = FundEntry.objects.get(project=project)
    assert entry.amount_wan == Decimal("100.5")
    assert entry.month.isoformat() == "2025-09-01"


def test_funds_import_page_bad_file_changes_nothing(make_user: Any, make_project: MakeProject) -> None:
    staff = make_user(Role.STAFF, "county_a")
    mine, theirs = make_project(unit="county_a"), make_project(unit="county_b")
    client = web_client(staff)
    data = workbook([[mine.code, "100", "市外", None], [theirs.code, "-1", "火星", None]], FUNDS_HEADER)
    before = fingerprint()
    response = client.post(reverse("projects:funds_import"), {"month": "2025-09", "file": upload("f.xlsx", data)})
    assert response.status_code == 400
    errors = {(e.row, e.column) for e in response.context["errors"]}
    assert {(3, "金额(万元)"), (3, "来源")} <= errors
    assert 'id="import-errors"' in response.content.decode()
    not_xlsx = client.post(reverse("projects:funds_import"), {"month": "2025-09", "file": upload("f.xlsx", b"x")})
    assert not_xlsx.status_code == 400
    bad_month = client.post(reverse("projects:funds_import"), {"month": "2025-13", "file": upload("f.xlsx", data)})
    assert bad_month.status_code == 400
    assert "YYYY-MM" in bad_month.content.decode()
    assert fingerprint() == before
