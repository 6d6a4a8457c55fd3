"""我的待办 on every channel: the page /todo/, the home page that leads with it, the menu badge
and ``GET /api/v1/me/todo`` — in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from zhaoyin.accounts.models import User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.core.testing import assert_constant_queries
from zhaoyin.matters.flow import State
from zhaoyin.matters.models import Matter
from zhaoyin.matters.tests.conftest import MakeMatter, People

pytestmark = pytest.mark.django_db


def web(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_lists_the_units_work_oldest_due_first(people: People, make_matter: MakeMatter) -> None:
    later = make_matter(State.ACCEPTED, handle_deadline=dt.date(2026, 12, 30), title="后到期事项")
    sooner = make_matter(State.ASSIGNED, sign_deadline=dt.date(2026, 11, 3), title="先到期事项")
    html = web(people.lead_admin).get(reverse("core:todo")).content.decode()
    assert html.index(sooner.code) < html.index(later.code)
    assert "待签收" in html
    assert "待办理" in html
    assert 'data-todo="to_sign"' in html
    # Someone else's unit sees nothing of it.
    other = web(people.outsider).get(reverse("core:todo")).content.decode()
    assert sooner.code not in other
    assert 'data-todo="' not in other
    assert "暂无待办事项" in other


def test_home_leads_with_the_to_do_list_and_the_menu_counts_it(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.REPORTED)
    response = web(people.supervisor).get("/")
    html = response.content.decode()
    assert response.context["home"].todo.total == 1
    # The to-do panel comes before the KPI cards.
    assert html.index("zy-home-todo-head") < html.index("zy-kpis")
    assert matter.code in html
    assert "待审核" in html
    assert f'href="{reverse("core:todo")}"' in html
    assert 'zy-nav-badge" title="1 项待办">1<' in html
    # Portal users (the requester) get the panel too; the 三员 do not.
    assert web(people.requester).get("/").context["home"].todo is not None
    assert web(people.sysadmin).get("/").context["home"].todo is None


def test_the_api_returns_the_same_list(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.CLOSED, closed_at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC))
    client = Client(headers={"Authorization": f"Bearer {api_token_issue(user=people.requester)}"})
    body = client.get("/api/v1/me/todo").json()
    assert body["total"] == 1
    assert body["headings"] == [{"kind": "to_rate", "label": "待评价", "count": 1}]
    item = body["items"][0]
    assert (item["kind"], item["machine"], item["code"], item["link"]) == (
        "to_rate", "matter", matter.code, f"/matters/{matter.pk}/",
    )
    assert item["deadline"] is None
    assert item["light"] == ""
    assert [r["code"] for r in body["raised"]] == [matter.code]
    sysadmin = Client(headers={"Authorization": f"Bearer {api_token_issue(user=people.sysadmin)}"})
    assert sysadmin.get("/api/v1/me/todo").status_code == 403


def test_the_list_costs_a_constant_number_of_queries(people: People, make_matter: MakeMatter) -> None:
    def grow(n: int) -> None:
        for i in range(Matter.objects.count(), n):
            make_matter([State.ASSIGNED, State.ACCEPTED, State.REPORTED][i % 3])

    page = web(people.lead_admin)
    count = assert_constant_queries(grow=grow, run=lambda: page.get(reverse("core:todo")), sizes=(3, 15))
    # A budget, grown with each machine with a to-do: its count, 我发起的 and 已办 queries.
    assert count <= 30
    api = Client(headers={"Authorization": f"Bearer {api_token_issue(user=people.supervisor)}"})
    assert_constant_queries(grow=grow, run=lambda: api.get("/api/v1/me/todo"), sizes=(15, 24))
    home = web(people.supervisor)
    assert_constant_queries(grow=grow, run=lambda: home.get("/"), sizes=(24, 30))


def test_the_badge_is_one_query_per_machine(
    people: People, make_matter: MakeMatter, django_assert_max_num_queries: Any
) -> None:
    from zhaoyin.core.todo import providers, todo_count

    for state in (State.ASSIGNED, State.ACCEPTED, State.ACCEPTED):
        make_matter(state)
    user = User.objects.select_related("org_unit").get(pk=people.lead.pk)
    assert todo_count(user) == 3  # loads what a request loads once per user (roles, subtree)
    # At most one count per machine with a to-do (matters, payouts, recognitions …), however
    # many items wait.
    with django_assert_max_num_queries(len(providers())):
        assert todo_count(user) == 3
