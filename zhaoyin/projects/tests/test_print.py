"""Print views of a project and of the targets progress table (issue 16 item 2): the print
stylesheet, no navigation, scoped like the detail pages (404 out of scope)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from zhaoyin.core.roles import Role
from zhaoyin.matters.tests.test_print import is_print_page

pytestmark = pytest.mark.django_db


def test_project_print_view_shows_verified_funds_and_is_scoped(make_user: Any, make_project: Any) -> None:
    from zhaoyin.projects.choices import FundVerification
    from zhaoyin.projects.models import FundEntry
    from zhaoyin.projects.tests.helpers import web_client

    project = make_project(name="打印测试项目", unit="county_a")
    FundEntry.objects.create(project=project, month=dt.date(2026, 3, 1), amount_wan=Decimal("12.34"),
                             source="outside_city", verification=FundVerification.VERIFIED)
    url = reverse("projects:print", args=[project.pk])
    response = web_client(make_user(Role.STAFF, "county_a")).get(url)
    assert response.status_code == 200
    body = response.content.decode()
    is_print_page(body)
    assert "打印测试项目" in body
    assert '<td class="num" id="print-funds">12.34</td>' in body
    assert web_client(make_user(Role.STAFF, "county_b")).get(url).status_code == 404
    detail = web_client(make_user(Role.STAFF, "county_a")).get(reverse("projects:detail", args=[project.pk]))
    assert f'href="{url}"' in detail.content.decode()


def test_progress_print_view_lists_the_export_rows(make_user: Any) -> None:
    from zhaoyin.projects.tests.helpers import web_client

    query = "?year=2026&indicator=signed_100m&as_of=2026-09-30"
    response = web_client(make_user(Role.LEADER, "city")).get(reverse("targets:print") + query)
    assert response.status_code == 200
    body = response.content.decode()
    is_print_page(body)
    assert 'id="print-progress"' in body
    assert '<th scope="col">完成率</th>' in body
    # Read on paper: unit names, not the import's unit codes; ratios as percentages.
    assert "单位代码" not in body
    assert "county_a" not in body
    assert re.search(r'<td class="num">\d+\.\d{2}%</td>', body) or "<td class=\"num\">—</td>" in body
    assert web_client(make_user(Role.LEADER, "city")).get(reverse("targets:print") + "?year=abc").status_code == 400
    page = web_client(make_user(Role.LEADER, "city")).get(reverse("targets:progress") + query).content.decode()
    assert reverse("targets:print") + "?year=2026" in page
