"""The drill-downs' exports (issue 16 item 2): each is exactly its page's rows under the same
parameters (every page of them), scoped like the page, audited, with a Chinese file name."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import export_sheet
from zhaoyin.projects.models import Project
from zhaoyin.talents.models import Talent
from zhaoyin.targets.tests.conftest import events, web_client
from zhaoyin.targets.tests.test_progress import demo_like  # noqa: F401 (fixture)
from zhaoyin.targets.tests.test_talent_indicators import talents  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
PERIOD = "year=2026&as_of=2026-09-30"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, settings: Any) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_funds_drill_export_is_every_entry_of_the_page(
    demo_like: dict[str, Project], make_user: Callable[..., Any]  # noqa: F811
) -> None:
    client = web_client(make_user(Role.CITY_ADMIN, "city"))
    query = f"?org_unit=340402&{PERIOD}&basis=reported"
    page = client.get("/targets/funds/" + query)
    assert 'id="drill-export" href="/targets/funds/export/' + query.replace("&", "&amp;") + '"' in page.content.decode()
    entries = list(page.context["page_obj"].paginator.object_list)
    assert entries
    rows = export_sheet(client.get("/targets/funds/export/" + query))
    assert rows[0] == ("月份", "项目编号", "项目", "单位", "来源", "类型", "金额（万元）")
    assert [(r[1], r[6]) for r in rows[1:]] == [(e.project.code, float(e.amount_wan)) for e in entries]
    detail = json.loads(AuditRecord.objects.filter(action="targets.drill_export").latest("id").detail)
    assert detail == {"filter": {"as_of": "2026-09-30", "basis": "reported", "indicator": "external_funds",
                                 "org_unit": "340402", "year": "2026"}, "rows": len(entries)}


def test_projects_drill_export_is_the_pages_rows(
    org_tree: dict[str, OrgUnit], project: Callable[..., Project], make_user: Callable[..., Any]
) -> None:
    for n, unit in enumerate(("county_a", "park_a", "county_a", "county_b")):
        events(project(unit, wan="200000"), ("signed", dt.date(2026, n + 2, 1)))
    events(project("county_a", wan="500"), ("signed", dt.date(2026, 3, 1)))  # under 1亿: not counted
    client = web_client(make_user(Role.CITY_ADMIN, "city"))
    query = f"?indicator=signed_100m&org_unit={org_tree['county_a'].code}&{PERIOD}"
    page = client.get("/targets/projects/" + query)
    expected = [(p.code, on) for p, on in page.context["rows"]]
    assert len(expected) == 3
    rows = export_sheet(client.get("/targets/projects/export/" + query))
    assert [(r[0], r[4].date()) for r in rows[1:]] == expected
    bad = client.get(f"/targets/projects/export/?indicator=external_funds&org_unit=340402&{PERIOD}")
    assert bad.status_code == 302


def test_talents_drill_export_is_the_pages_rows_in_scope(
    make_user: Callable[..., Any], org_tree: dict[str, OrgUnit], talents: list[Talent]  # noqa: F811
) -> None:
    client = web_client(make_user(Role.STAFF, "county_a"))
    query = f"?org_unit=340402&{PERIOD}&indicator=new_talents"
    page = client.get("/targets/talents/" + query)
    expected = [t.name for t in page.context["rows"]]
    rows = export_sheet(client.get("/targets/talents/export/" + query))
    assert rows[0][:2] == ("姓名", "人才层次")
    assert [r[0] for r in rows[1:]] == expected
    assert len(expected) > 1
    assert {r[1] for r in rows[1:]} == {t.get_tier_display() for t in page.context["rows"]}
    assert client.get(f"/targets/talents/export/?org_unit=340403&{PERIOD}&indicator=new_talents").status_code == 404
