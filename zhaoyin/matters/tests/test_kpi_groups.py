"""Matters KPIs by ranking group (issue 15 item 2): 县区 and 市直部门 are ranked apart, and a unit
with fewer matters than its group's minimum is listed 样本不足, unranked — on the page, in the
API and in the 通报."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from docx import Document

from zhaoyin.accounts.models import RankingGroup, RankingGroupMember
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.matters.bulletin import THIN_SAMPLE, bulletin_build, bulletin_docx
from zhaoyin.matters.flow import State
from zhaoyin.matters.kpis import kpi_report
from zhaoyin.matters.tests.conftest import MakeMatter, People
from zhaoyin.matters.tests.test_kpis import TODAY, at, matters  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def grouped(matters: dict[str, Any], make_matter: MakeMatter, org_tree: Any) -> dict[str, Any]:  # noqa: F811
    """County A has 4 matters in November, county B 1, the department 1 (closed on time, 满意).
    县区 needs 2 matters for a rank; 市直部门 1."""
    d = dt.date
    make_matter(
        State.RATED,
        lead="dept",
        co=(),
        assigned_at=at(d(2026, 11, 2), 9),
        received_on=d(2026, 11, 2),
        accepted_at=at(d(2026, 11, 2), 15),
        handle_deadline=d(2026, 11, 16),
        closed_at=at(d(2026, 11, 10)),
        rating="satisfied",
    )
    RankingGroup.objects.all().delete()
    counties = RankingGroup.objects.create(code="counties", name="县区", order=10, min_matters=2)
    depts = RankingGroup.objects.create(code="departments", name="市直部门", order=30, min_matters=1)
    RankingGroupMember.objects.create(group=counties, org_unit=org_tree["county_a"])
    RankingGroupMember.objects.create(group=counties, org_unit=org_tree["county_b"])
    RankingGroupMember.objects.create(group=depts, org_unit=org_tree["dept"])
    return matters


def test_AC_groups_rank_apart_and_a_thin_sample_is_unranked(
    grouped: dict[str, Any], people: People, org_tree: Any
) -> None:
    report = kpi_report(people.supervisor, year=2026, month=11, today=TODAY)
    rows = [(r.unit.code, r.group.code if r.group else None, r.rank, r.thin_sample) for r in report.rows]
    assert rows == [
        (org_tree["county_a"].code, "counties", 1, False),
        (org_tree["county_b"].code, "counties", None, True),
        (org_tree["dept"].code, "departments", 1, False),
    ]
    # The department's perfect month does not outrank county A: they are not compared.
    dept = report.rows[2]
    assert dept.score is not None
    assert report.rows[0].score is not None
    assert dept.score > report.rows[0].score


def test_the_api_marks_the_thin_sample(grouped: dict[str, Any], people: People, org_tree: Any) -> None:
    token = api_token_issue(user=people.dispatcher)
    body = Client().get("/api/v1/matters/kpis?year=2026&month=11", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    items = {i["org_unit"]: i for i in body["items"]}
    b = items[org_tree["county_b"].code]
    assert (b["rank"], b["sample_too_small"], b["group"], b["group_name"]) == (None, True, "counties", "县区")
    assert (items[org_tree["dept"].code]["rank"], items[org_tree["dept"].code]["group"]) == (1, "departments")


def test_the_supervision_page_and_the_bulletin_show_groups_and_sample_too_small(
    grouped: dict[str, Any], people: People, org_tree: Any
) -> None:
    client = Client()
    client.force_login(people.supervisor)
    html = client.get("/matters/supervision/?year=2026&month=11").content.decode()
    assert html.index("县区") < html.index("样本不足") < html.index("市直部门")
    doc = Document(io.BytesIO(bulletin_docx(bulletin_build(people.supervisor, year=2026, month=11, today=TODAY))))
    texts = [p.text for p in doc.paragraphs]
    assert "（一）县区" in texts
    assert "（二）市直部门" in texts
    counties, depts = doc.tables[0], doc.tables[1]
    assert [(r.cells[0].text, r.cells[1].text) for r in counties.rows[1:]] == [
        ("1", org_tree["county_a"].name),
        (THIN_SAMPLE, org_tree["county_b"].name),
    ]
    assert [(r.cells[0].text, r.cells[1].text) for r in depts.rows[1:]] == [("1", org_tree["dept"].name)]
