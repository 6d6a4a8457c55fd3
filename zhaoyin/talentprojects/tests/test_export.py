"""Excel export of the talent-project list: the list's scope and filters (XLS-03), text cells
(XLS-02), a fixed number of queries, refused parameters before anything is written, audited."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.roles import Role
from zhaoyin.talentprojects.exporting import export_headers, talent_project_export
from zhaoyin.talentprojects.models import Programme, ProgrammeRound, TalentProject
from zhaoyin.talents.testing import make_talent

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, settings: Any) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def rnd(db: Any) -> ProgrammeRound:
    programme = Programme.objects.create(code="ptyc", name="平台引才奖补", level="city")
    return ProgrammeRound.objects.create(programme=programme, year=TODAY.year, name="第一批",
                                         opens_on=TODAY - dt.timedelta(days=30), closes_on=TODAY)


def add(rnd: ProgrammeRound, unit: OrgUnit, name: str, state: str = "applied", **fields: Any) -> TalentProject:
    talent = make_talent(org_unit=unit, name=name, employer_name="淮南研究院")
    return TalentProject.objects.create(round=rnd, talent=talent, org_unit=unit, title=f"{name}的项目",
                                        employer_name="淮南研究院", requested_wan=Decimal("120.50"),
                                        applied_on=TODAY, state=state, **fields)


def export(user: User, params: dict[str, str] | None = None) -> tuple[list[list[Any]], int]:
    out = io.BytesIO()
    count = talent_project_export(acting_user=user, params=params or {}, out=out)
    ws = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    assert ws is not None
    return [[c.value for c in row] for row in ws.iter_rows()], count


def test_XLS_03_the_export_holds_the_users_scope_with_headers_and_values(
    rnd: ProgrammeRound, org_tree: dict[str, OrgUnit], make_user: MakeUser
) -> None:
    a = add(rnd, org_tree["county_a"], "甲博士", "approved", recommended_on=TODAY, approved_on=TODAY,
            approved_wan=Decimal(100))
    b = add(rnd, org_tree["county_b"], "乙博士")
    rows, count = export(make_user(Role.STAFF, "county_a"))
    assert count == 1
    assert rows[0] == export_headers()
    assert rows[1][:13] == [a.pk, "平台引才奖补", "第一批", TODAY.year, "甲博士", "淮南研究院", "340402", "大通区",
                            "甲博士的项目", 120.5, 100, 0, str(a.get_state_display())]
    assert rows[1][13].date() == TODAY  # applied on
    office_rows, office_count = export(make_user(Role.TALENT_OFFICE, "city"))
    assert office_count == 2
    assert {r[0] for r in office_rows[1:]} == {a.pk, b.pk}


def test_the_export_applies_the_lists_filters(
    rnd: ProgrammeRound, org_tree: dict[str, OrgUnit], make_user: MakeUser
) -> None:
    add(rnd, org_tree["county_a"], "甲博士")
    declined = add(rnd, org_tree["county_a"], "丙博士", "declined", decided_on=TODAY, reason="=1+1")
    office = make_user(Role.TALENT_OFFICE, "city")
    rows, count = export(office, {"state": "declined"})
    assert (count, [r[0] for r in rows[1:]]) == (1, [declined.pk])
    assert rows[1][-1] == "=1+1"  # a text cell, never a formula (XLS-02)
    rows, count = export(office, {"q": "甲博士"})
    assert [r[4] for r in rows[1:]] == ["甲博士"]
    record = AuditRecord.objects.filter(action="talent_project.export").latest("pk")
    detail = json.loads(record.detail)
    assert (set(detail["filter"]), detail["rows"]) == ({"q"}, 1)  # the audit masks the searched words


def test_a_bad_filter_is_refused_before_anything_is_written(
    rnd: ProgrammeRound, org_tree: dict[str, OrgUnit], make_user: MakeUser
) -> None:
    add(rnd, org_tree["county_a"], "甲博士")
    out = io.BytesIO()
    with pytest.raises(InvalidInput) as info:
        talent_project_export(acting_user=make_user(Role.TALENT_OFFICE, "city"), params={"year": "19"}, out=out)
    assert [e["field"] for e in info.value.errors] == ["year"]
    assert out.getvalue() == b""
    assert not AuditRecord.objects.filter(action="talent_project.export").exists()


def _queries(user: User) -> int:
    with CaptureQueriesContext(connection) as ctx:
        export(user)
    return len(ctx.captured_queries)


def test_the_export_takes_a_fixed_number_of_queries(
    rnd: ProgrammeRound, org_tree: dict[str, OrgUnit], make_user: MakeUser
) -> None:
    office = make_user(Role.TALENT_OFFICE, "city")
    for i in range(2):
        add(rnd, org_tree["county_a"], f"人才{i}")
    _queries(office)
    few = _queries(office)
    for i in range(2, 12):
        add(rnd, org_tree["county_b"], f"人才{i}")
    assert _queries(office) == few
    assert export(office)[1] == 12


def test_the_list_links_the_export_and_the_page_streams_a_workbook(
    rnd: ProgrammeRound, org_tree: dict[str, OrgUnit], make_user: MakeUser
) -> None:
    add(rnd, org_tree["county_a"], "甲博士")
    client = Client()
    client.force_login(make_user(Role.STAFF, "county_a"), backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    page = client.get(reverse("talentprojects:list") + "?state=applied&page=1").content.decode()
    assert f'href="{reverse("talentprojects:export")}?state=applied"' in page
    answer = client.get(reverse("talentprojects:export") + "?state=applied")
    assert answer.status_code == 200
    assert "attachment" in answer["Content-Disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active  # type: ignore[attr-defined]
    assert ws is not None
    assert ws.max_row == 2
    refused_answer = client.get(reverse("talentprojects:export") + "?year=abc")
    assert refused_answer.status_code == 302
    assert refused_answer["Location"] == reverse("talentprojects:list")
