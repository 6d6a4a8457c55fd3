"""The cockpit's export (issue 16 item 2): a sheet per panel with the figures the page draws
for the same year, day and basis, Chinese headers and file name, scoped, audited."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from zhaoyin.accounts.models import User
from zhaoyin.audit.models import AuditRecord
from zhaoyin.cockpit.tests.test_cockpit import AS_OF, URL, _data, pipeline  # noqa: F401 (fixture)
from zhaoyin.core.roles import Role
from zhaoyin.projects.models import Project

pytestmark = pytest.mark.django_db
EXPORT = "/cockpit/export/"
QUERY = {"year": "2026", "as_of": AS_OF.isoformat(), "basis": "reported"}


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, settings: Any) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _book(response: Any) -> openpyxl.Workbook:
    assert response.status_code == 200, response.status_code
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _rows(book: openpyxl.Workbook, title: str) -> list[tuple[Any, ...]]:
    return list(book[title].iter_rows(values_only=True))


def _chart_rows(items: list[dict[str, Any]]) -> list[tuple[str, float]]:
    return [(i["name"], i["value"]) for i in items]


def _rounded(rows: list[tuple[Any, ...]], places: int = 2) -> list[tuple[str, float]]:
    return [(str(r[0]), round(float(r[1] or 0), places)) for r in rows]


@pytest.mark.parametrize(("role", "unit"), [(Role.CITY_ADMIN, "city"), (Role.STAFF, "county_a")])
def test_cockpit_export_holds_the_pages_figures(
    pipeline: dict[str, Project], make_user: Callable[..., User], role: Role, unit: str  # noqa: F811
) -> None:
    client = _client(make_user(role, unit=unit))
    page = client.get(URL, QUERY)
    charts = _data(page)
    body = page.content.decode()
    assert 'id="cockpit-export" href="/cockpit/export/?year=2026&amp;as_of=2026-09-30&amp;basis=reported"' in body
    book = _book(client.get(EXPORT, QUERY))
    assert book.sheetnames[:4] == ["关键指标", "各单位目标完成进度", "项目推进漏斗", "逐月引进市外资金（亿元）"]
    pipeline_rows = _rows(book, "项目推进漏斗")
    assert pipeline_rows[0] == ("阶段", "项目")
    assert [(r[0], r[1]) for r in pipeline_rows[1:]] == _chart_rows(charts["funnel"]["items"])
    assert _rounded(_rows(book, "逐月引进市外资金（亿元）")[1:]) == _chart_rows(charts["months"]["items"])
    assert _rounded(_rows(book, "按资金来源")[1:]) == _chart_rows(charts["source"]["items"])
    assert _rounded(_rows(book, "按行业")[1:]) == [(i["name"], i["value"]) for i in charts["industry"]["items"]]
    units = _rows(book, "各单位目标完成进度")
    assert [(r[0], round(float(r[3]), 2)) for r in units[1:]] == _chart_rows(charts["units"]["items"])
    kpis = dict(_rows(book, "关键指标")[1:])
    assert kpis["项目"] == page.context["c"].project_count
    assert Decimal(str(kpis["引进市外资金（亿元）"])) == page.context["city"].actual
    alerts = _rows(book, "红黄灯项目")
    assert [r[0] for r in alerts[1:]] == [a.project.code for a in page.context["c"].alerts]
    if role == Role.STAFF:  # county B's project is outside the staff member's scope
        assert pipeline["b"].code not in {r[0] for r in alerts[1:]}
    audit = AuditRecord.objects.filter(action="cockpit.export").latest("id")
    assert json.loads(audit.detail)["filter"] == {"year": "2026", "as_of": "2026-09-30", "basis": "reported"}


def test_cockpit_export_bad_parameter_goes_back(make_user: Callable[..., User], org_tree: Any) -> None:
    response = _client(make_user(Role.CITY_ADMIN, unit="city")).get(EXPORT, {"as_of": "2026-13-01"})
    assert response.status_code == 302
    assert response["Location"] == URL
    assert not AuditRecord.objects.filter(action="cockpit.export").exists()


def test_cockpit_export_file_name_is_chinese(make_user: Callable[..., User], org_tree: Any) -> None:
    response = _client(make_user(Role.CITY_ADMIN, unit="city")).get(EXPORT)
    day = timezone.localdate().isoformat()
    assert quote(f"驾驶舱_{day}.xlsx") in response["Content-Disposition"]
