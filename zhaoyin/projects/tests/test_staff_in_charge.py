"""The staff member in charge (经办人): who may be chosen (role and the editor's scope), on the
form as a list, and in the services as a check with a clear error naming ``staff``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from zhaoyin.accounts.models import User
from zhaoyin.accounts.services import user_set_active
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Industry
from zhaoyin.projects import selectors, services
from zhaoyin.projects.forms import ProjectForm
from zhaoyin.projects.inputs import ProjectInput, ProjectUpdateInput
from zhaoyin.projects.models import Project
from zhaoyin.projects.tests.helpers import MakeProject, api_client, fingerprint, web_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user: Any) -> dict[str, User]:
    """Accounts across the tree: those who may be in charge and those who may not."""
    people = {
        "staff_a": make_user(Role.STAFF, "county_a", full_name="张经办"),
        "admin_a": make_user(Role.UNIT_ADMIN, "county_a"),
        "staff_park": make_user(Role.STAFF, "park_a"),
        "staff_b": make_user(Role.STAFF, "county_b"),
        "admin_b": make_user(Role.UNIT_ADMIN, "county_b"),
        "staff_dept": make_user(Role.STAFF, "dept"),
        "city_admin": make_user(Role.CITY_ADMIN, "city"),
        "leader": make_user(Role.LEADER, "city"),
        "member": make_user(Role.SERVICE_MEMBER, "group_1"),
        "sysadmin": make_user(Role.SYSADMIN, "city"),
        "gone": make_user(Role.STAFF, "county_a"),
    }
    user_set_active(acting_user=make_user(Role.SECURITY_ADMIN, "city"), user=people["gone"], active=False)
    return people


def _choices(form: ProjectForm) -> list[str]:
    return [value for value, _label in form.fields["staff"].widget.choices if value]


def _data(**overrides: Any) -> dict[str, Any]:
    industry = Industry.objects.order_by("sort_order", "code").first()
    assert industry is not None
    data: dict[str, Any] = {
        "name": "年产10万吨新材料项目",
        "investor_name": "上海某新材料有限公司",
        "source_region": "yangtze_delta",
        "industry": industry.code,
        "org_unit": "340402",
        "total_investment_wan": "120000.50",
    }
    data.update(overrides)
    return data


def test_AC_03_city_admin_may_choose_every_active_staff_member_and_unit_admin(people: dict[str, User]) -> None:
    form = ProjectForm(user=people["city_admin"])
    names = {people[k].username for k in ("staff_a", "admin_a", "staff_park", "staff_b", "admin_b", "staff_dept")}
    assert set(_choices(form)) == names
    # Shown with name and unit, submitted as the user name (what the API takes too).
    labels = dict(form.fields["staff"].widget.choices)
    assert labels[people["staff_a"].username] == f"张经办 ({people['staff_a'].username}) · 大通区"
    assert form.fields["staff"].widget.choices[0] == ("", "—")


@pytest.mark.parametrize("editor", ["staff_a", "admin_a"])
def test_AC_03_county_editor_chooses_within_its_subtree_only(people: dict[str, User], editor: str) -> None:
    form = ProjectForm(user=people[editor])
    assert set(_choices(form)) == {people[k].username for k in ("staff_a", "admin_a", "staff_park")}


def test_AC_03_park_editor_chooses_within_the_park(people: dict[str, User]) -> None:
    assert _choices(ProjectForm(user=people["staff_park"])) == [people["staff_park"].username]


def test_non_editors_may_choose_nobody(people: dict[str, User]) -> None:
    for key in ("leader", "member", "sysadmin"):
        assert not selectors.staff_in_charge_candidates(people[key]).exists()


def test_edit_form_keeps_the_current_staff_member_selectable(
    people: dict[str, User], make_project: MakeProject
) -> None:
    # A city admin put a department's staff member in charge of a county project.
    project = make_project(unit="county_a", staff=people["staff_dept"])
    form = ProjectForm(user=people["staff_a"], project=project)
    assert people["staff_dept"].username in _choices(form)
    assert form.initial["staff"] == people["staff_dept"].username


@pytest.mark.parametrize(
    ("editor", "chosen"),
    [
        ("staff_a", "staff_b"),  # another county
        ("staff_a", "staff_dept"),  # a city department, outside the county
        ("staff_park", "staff_a"),  # the county above the park
        ("city_admin", "leader"),  # wrong role
        ("city_admin", "city_admin"),  # wrong role
        ("city_admin", "member"),  # wrong role
        ("city_admin", "gone"),  # inactive
        ("city_admin", "sysadmin"),  # one of the 三员
    ],
)
def test_VAL_staff_outside_scope_or_role_is_refused_naming_the_field(
    people: dict[str, User], editor: str, chosen: str
) -> None:
    unit = "park-a" if editor == "staff_park" else "340402"
    before = fingerprint()
    with pytest.raises(InvalidInput) as exc:
        services.project_create(
            acting_user=people[editor], data=ProjectInput.parse(_data(org_unit=unit, staff=people[chosen].username))
        )
    assert [e["field"] for e in exc.value.errors] == ["staff"]
    assert fingerprint() == before


def test_staff_within_scope_is_accepted(people: dict[str, User]) -> None:
    project = services.project_create(
        acting_user=people["staff_a"], data=ProjectInput.parse(_data(staff=people["staff_park"].username))
    )
    assert project.staff == people["staff_park"]
    project = services.project_create(acting_user=people["city_admin"],
        data=ProjectInput.parse(_data(staff=people["staff_b"].username)))
    assert project.staff == people["staff_b"]


def test_update_refuses_a_new_staff_member_outside_scope_but_keeps_the_current_one(
    people: dict[str, User], make_project: MakeProject
) -> None:
    project = make_project(unit="county_a", staff=people["staff_dept"])
    before = fingerprint()
    with pytest.raises(InvalidInput) as exc:
        services.project_update(
            acting_user=people["staff_a"], project=project,
                data=ProjectUpdateInput.parse({"staff": people["staff_b"].username})
        )
    assert exc.value.errors[0]["field"] == "staff"
    assert fingerprint() == before
    # Unchanged, the department's staff member stays while another field changes.
    services.project_update(
        acting_user=people["staff_a"], project=project,
            data=ProjectUpdateInput.parse({"staff": people["staff_dept"].username, "name": "新名称"})
    )
    project.refresh_from_db()
    assert (project.name, project.staff) == ("新名称", people["staff_dept"])


def test_page_shows_the_staff_error_on_the_field(people: dict[str, User]) -> None:
    before = fingerprint()
    response = web_client(people["staff_a"]).post(
        reverse("projects:create"), _data(attraction_method="other", staff=people["staff_b"].username)
    )
    assert response.status_code == 400
    assert "staff" in response.context["form"].errors
    assert fingerprint() == before
    ok = web_client(people["staff_a"]).post(
        reverse("projects:create"), _data(attraction_method="other", staff=people["admin_a"].username)
    )
    assert ok.status_code == 302
    assert Project.objects.get().staff == people["admin_a"]


def test_api_still_takes_a_user_name_and_names_the_field_on_refusal(people: dict[str, User]) -> None:
    client = api_client(people["staff_a"])
    before = fingerprint()
    body = {**_data(), "staff": people["staff_b"].username}
    refused = client.post("/api/v1/projects", data=json.dumps(body), content_type="application/json")
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["staff"]
    assert fingerprint() == before
    body["staff"] = people["staff_park"].username
    created = client.post("/api/v1/projects", data=json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["staff"] == people["staff_park"].username
