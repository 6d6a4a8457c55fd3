"""The search pickers (issue 16, core.pickers): the suggestion selectors keep to the caller's
scope (AC-03) and find a firm by name, 拼音首字母, USCC and record number; the endpoints draw
them; the forms still take a typed code, and an unknown or out-of-scope one gets the same
field error; 交办 starts with the co-units of the registration; units come grouped by kind
in the official order."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.selectors import grouped_unit_choices, unit_suggestions, user_suggestions
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Enterprise, Industry
from zhaoyin.enterprises.selectors import enterprise_suggestions
from zhaoyin.enterprises.tests.conftest import uscc_for
from zhaoyin.matters.flow import State
from zhaoyin.matters.models import Matter
from zhaoyin.matters.tests.conftest import MakeMatter, People

pytestmark = pytest.mark.django_db


def _firm(unit: OrgUnit, name: str, n: int) -> Enterprise:
    industry = Industry.objects.order_by("sort_order", "code").first()
    assert industry is not None
    firm = Enterprise(name=name, uscc=uscc_for(n), org_unit=unit, industry=industry)
    firm.refresh_search_text()
    firm.save()
    return firm


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    return client


@pytest.fixture
def firms(org_tree: dict[str, OrgUnit]) -> dict[str, Enterprise]:
    return {
        "a": _firm(org_tree["county_a"], "淮南新能源科技有限公司", 501),
        "b": _firm(org_tree["county_b"], "淮南新能源装备有限公司", 502),
    }


# ---- the suggestion selectors ----------------------------------------------------------------


def test_AC_03_county_staff_never_see_another_countys_firm(
    make_user: MakeUser, firms: dict[str, Enterprise]
) -> None:
    staff_a = make_user(Role.STAFF, "county_a")
    city = make_user(Role.CITY_ADMIN, "city")
    for terms in (("新能源",), ("HNXNY",), (firms["b"].uscc,), (str(firms["b"].pk),)):
        assert firms["b"] not in enterprise_suggestions(staff_a, terms)
    assert enterprise_suggestions(staff_a, ("新能源",)) == [firms["a"]]
    assert set(enterprise_suggestions(city, ("新能源",))) == {firms["a"], firms["b"]}


def test_firm_found_by_initials_uscc_and_record_number(make_user: MakeUser, firms: dict[str, Enterprise]) -> None:
    staff_a = make_user(Role.STAFF, "county_a")
    a = firms["a"]
    assert enterprise_suggestions(staff_a, ("HNXNY",)) == [a]
    assert enterprise_suggestions(staff_a, ("hnxny".upper(), "KJ")) == [a]  # every word must occur
    assert enterprise_suggestions(staff_a, (a.uscc,)) == [a]
    assert enterprise_suggestions(staff_a, (str(a.pk),)) == [a]
    assert enterprise_suggestions(staff_a, ()) == []
    assert enterprise_suggestions(staff_a, ("HNXNYZB",)) == []  # county B's firm's initials


def test_suggestions_are_limited(make_user: MakeUser, org_tree: dict[str, OrgUnit]) -> None:
    for n in range(12):
        _firm(org_tree["county_a"], f"大通制造{n:02d}有限公司", 600 + n)
    staff_a = make_user(Role.STAFF, "county_a")
    found = enterprise_suggestions(staff_a, ("制造",))
    assert len(found) == 10
    assert [f.name for f in found] == sorted(f.name for f in found)


def test_units_in_the_official_order(make_user: MakeUser, org_tree: dict[str, OrgUnit]) -> None:
    city = make_user(Role.CITY_ADMIN, "city")
    kinds = [u.kind for u in unit_suggestions(city, (), within=True)]
    order = ["city", "county", "park", "department", "service_group", "station"]
    assert kinds == sorted(kinds, key=order.index)
    choices = grouped_unit_choices(unit_suggestions(city, (), within=True), "—")
    official = ["市", "县区", "园区（开发区）", "市直部门", "服务组", "人才工作站"]
    assert [label for label, _options in choices[1:]] == official
    # A county's staff are offered their own part of the tree only; found by initials too.
    staff_a = make_user(Role.STAFF, "county_a")
    assert {u.code for u in unit_suggestions(staff_a, (), within=True)} == {"340402", "park-a"}
    assert [u.code for u in unit_suggestions(city, ("FZGGW",), within=False)] == ["dept-fgw"]


def test_users_within_the_callers_part_of_the_tree(make_user: MakeUser, org_tree: dict[str, OrgUnit]) -> None:
    make_user(Role.SERVICE_MEMBER, "group_1", username="member-wang", full_name="王服务")
    make_user(Role.STAFF, "county_b", username="staff-b")
    staff_a = make_user(Role.STAFF, "county_a", username="staff-a")
    city = make_user(Role.CITY_ADMIN, "city")
    assert [u.username for u in user_suggestions(city, ("王",), role="service_member")] == ["member-wang"]
    assert user_suggestions(city, ("STAFF",), role="service_member") == []
    assert [u.username for u in user_suggestions(staff_a, ("STAFF",))] == ["staff-a"]
    assert user_suggestions(make_user(Role.SYSADMIN, "city"), ("STAFF",)) == []


# ---- the endpoints -------------------------------------------------------------------------------


def test_AC_03_the_enterprise_endpoint_answers_within_scope(
    make_user: MakeUser, firms: dict[str, Enterprise]
) -> None:
    client = _client(make_user(Role.STAFF, "county_a"))
    body = client.get(reverse("enterprises:pick"), {"q": "hnxny"}).content.decode()
    assert f'data-value="{firms["a"].pk}"' in body
    assert firms["a"].uscc in body
    assert firms["b"].name not in body
    nothing = client.get(reverse("enterprises:pick"), {"q": firms["b"].uscc}).content.decode()
    assert 'role="option"' not in nothing
    assert "zy-picker-empty" in nothing


def test_the_unit_endpoint_groups_by_kind(make_user: MakeUser, org_tree: dict[str, OrgUnit]) -> None:
    body = _client(make_user(Role.CITY_ADMIN, "city")).get(reverse("accounts:pick_units")).content.decode()
    groups = re.findall(r'class="zy-picker-group">([^<]+)<', body)
    assert groups == ["市", "县区", "园区（开发区）", "市直部门", "服务组", "人才工作站"]


# ---- the forms -----------------------------------------------------------------------------------


def _register(client: Client, **fields: str) -> tuple[int, str]:
    data = {"title": "用地问题", "source": "enterprise_demand", "kind": "coordination", **fields}
    response = client.post(reverse("matters:create"), data)
    return response.status_code, response.content.decode() if response.status_code != 302 else ""


def test_a_typed_record_number_is_still_taken(people: People, firms: dict[str, Enterprise]) -> None:
    client = _client(people.lead)
    status, _body = _register(client, enterprise__text=str(firms["a"].pk), lead_unit="340402")
    assert status == 302
    assert Matter.objects.get(title="用地问题").enterprise_id == firms["a"].pk
    # Chosen in the picker: the hidden value wins over the name shown in the box.
    status, _body = _register(client, enterprise=str(firms["a"].pk), enterprise__text=firms["a"].name)
    assert status == 302


def test_AC_03_unknown_and_out_of_scope_record_get_the_same_error(
    people: People, firms: dict[str, Enterprise]
) -> None:
    client = _client(people.lead)
    before = Matter.objects.count()
    answers = []
    for value in (str(firms["b"].pk), "99999999"):
        for field in ("enterprise", "enterprise__text"):
            status, body = _register(client, **{field: value})
            errors = re.findall(r'<div class="invalid-feedback d-block">([^<]+)</div>', body)
            answers.append((status, errors))
    assert all(answer == answers[0] for answer in answers), answers
    assert answers[0][0] == 400
    assert answers[0][1]
    assert firms["b"].name not in body
    assert Matter.objects.count() == before


def test_assign_starts_with_the_registered_co_units(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.DRAFT, co=("dept",))
    client = _client(people.dispatcher)
    body = client.get(reverse("matters:detail", args=[matter.pk])).content.decode()
    form = body[body.index('data-action="assign"'):]
    assert re.search(r'<input type="hidden" name="co_units" value="dept-fgw">', form)
    assert "发展改革委" in form
    # Posting the form as drawn keeps them (the bug: 交办 silently dropped them).
    matter.refresh_from_db()
    response = client.post(
        reverse("matters:action", args=[matter.pk, "assign"]),
        {"version": str(matter.version), "lead_unit": "340402", "co_units": ["dept-fgw"], "handle_days": "10"},
    )
    assert response.status_code == 302
    assert [u.code for u in Matter.objects.get(pk=matter.pk).co_units.all()] == ["dept-fgw"]


def test_suggestion_lists_cost_the_same_queries_for_one_row_or_ten(
    make_user: MakeUser, org_tree: dict[str, OrgUnit]
) -> None:
    """A picker answers every key stroke: its query count must not grow with its rows (the unit
    of each firm, the kind group of each unit are joined, not fetched row by row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(make_user(Role.STAFF, "county_a"))
    _firm(org_tree["county_a"], "八公山豆腐有限公司", 700)

    def count(url: str, q: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"q": q}, HTTP_HX_REQUEST="true").status_code == 200
        return len(ctx.captured_queries)

    count(reverse("enterprises:pick"), "八公山")  # the session's first request does its own bookkeeping
    one = count(reverse("enterprises:pick"), "八公山")
    for n in range(10):
        _firm(org_tree["county_a"], f"八公山食品{n:02d}有限公司", 710 + n)
    assert count(reverse("enterprises:pick"), "八公山") == one
    # Units: a query that matches one unit and one that matches them all.
    assert count(reverse("accounts:pick_units"), "county_a") == count(reverse("accounts:pick_units"), "")
