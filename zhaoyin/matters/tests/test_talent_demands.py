"""Talent demands (人才诉求, issue 13 item 5): the talent link, the category and its routing,
who may link which talent (AC-03: an out-of-scope talent answers as an unknown one), the
talent following and rating the demands raised for them, the portal pages and the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit, OrgUnitKind, User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import refused
from zhaoyin.matters import inputs, routing, selectors, services
from zhaoyin.matters.choices import DemandCategory, Rating
from zhaoyin.matters.flow import State
from zhaoyin.matters.models import Matter
from zhaoyin.talents.models import Talent
from zhaoyin.talents.testing import make_talent

pytestmark = pytest.mark.django_db


@pytest.fixture
def depts(org_tree: dict[str, OrgUnit]) -> dict[str, OrgUnit]:
    """The departments the demo routes to (教育局, 人社局, 住建局, the talent office)."""
    city = org_tree["city"]
    out = {}
    for code, name in (("dept-jyj", "教育局"), ("dept-rsj", "人社局"), ("dept-zjj", "住建局"), ("dept-rck", "人才科")):
        out[code] = OrgUnit.objects.create(code=code, name=name, kind=OrgUnitKind.DEPARTMENT, parent=city)
    return out


@pytest.fixture
def talent_user(make_user: MakeUser) -> User:
    return make_user(Role.TALENT, "station", username="talent_me", full_name="林博远")


@pytest.fixture
def own(talent_user: User, org_tree: dict[str, OrgUnit]) -> Talent:
    return make_talent(org_unit=org_tree["county_a"], name="林博远", account=talent_user)


@pytest.fixture
def talent_b(org_tree: dict[str, OrgUnit]) -> Talent:
    return make_talent(org_unit=org_tree["county_b"], name="周若溪")


def raise_demand(user: User, **values: Any) -> Matter:
    data = {"demand_category": "schooling", "description": "孩子明年秋季入学，需要协调学位。"} | values
    return services.talent_demand_raise(acting_user=user, data=inputs.TalentDemandInput.of(**data))


# ---- routing ---------------------------------------------------------------------------------


def test_routes_are_data_and_the_setting_replaces_a_category(settings: Any, depts: dict[str, OrgUnit]) -> None:
    assert routing.route_unit("schooling") == depts["dept-jyj"]
    assert routing.route_unit("spouse_employment") == depts["dept-rsj"]
    assert routing.route_unit("housing") == depts["dept-zjj"]
    # No 卫健委 in this tree: medical falls back to the talent office.
    assert routing.route_unit("medical") == depts["dept-rck"]
    settings.ZHAOYIN_MATTERS = {"TALENT_DEMAND_ROUTES": {"housing": "dept-rck"}}
    assert routing.route_unit("housing") == depts["dept-rck"]
    settings.ZHAOYIN_MATTERS = {"TALENT_DEMAND_ROUTES": {"housing": ["nowhere"]}}
    assert routing.route_unit("housing") is None


def test_an_inactive_department_is_skipped(depts: dict[str, OrgUnit]) -> None:
    OrgUnit.objects.filter(code="dept-zjj").update(is_active=False)
    assert routing.route_unit("housing") == depts["dept-rck"]


# ---- raising ---------------------------------------------------------------------------------


def test_a_talent_raises_a_demand_for_themselves_routed_by_category(
    talent_user: User, own: Talent, depts: dict[str, OrgUnit]
) -> None:
    matter = raise_demand(talent_user)
    assert matter.source == "talent_demand"
    assert matter.kind == "talent_demand"
    assert matter.talent == own
    assert matter.demand_category == "schooling"
    assert matter.lead_unit == depts["dept-jyj"]
    assert matter.requester == talent_user
    assert matter.state == State.DRAFT.value
    assert matter.title.startswith(str(DemandCategory.SCHOOLING.label))


def test_a_talent_cannot_link_another_talent(talent_user: User, own: Talent, talent_b: Talent) -> None:
    """AC-03: another talent's id answers exactly as an unknown one (422 naming ``talent``)."""
    with refused(InvalidInput, fields={"talent"}) as other:
        raise_demand(talent_user, talent=talent_b.pk)
    with refused(InvalidInput, fields={"talent"}) as unknown:
        raise_demand(talent_user, talent=talent_b.pk + 1000)
    assert other.value.errors == unknown.value.errors


def test_staff_link_a_talent_of_their_scope_only(
    make_user: MakeUser, own: Talent, talent_b: Talent, depts: dict[str, OrgUnit]
) -> None:
    staff = make_user(Role.STAFF, "county_a")
    matter = raise_demand(staff, talent=own.pk, demand_category="spouse_employment")
    assert matter.talent == own
    assert matter.lead_unit == depts["dept-rsj"]
    with refused(InvalidInput, fields={"talent"}) as out_of_scope:
        raise_demand(staff, talent=talent_b.pk)
    with refused(InvalidInput, fields={"talent"}) as unknown:
        raise_demand(staff, talent=999_999)
    assert out_of_scope.value.errors == unknown.value.errors
    # Staff must name the talent.
    with refused(InvalidInput, fields={"talent"}):
        raise_demand(staff)


def test_the_talent_office_raises_for_any_talent(
    make_user: MakeUser, talent_b: Talent, depts: dict[str, OrgUnit]
) -> None:
    office = make_user(Role.TALENT_OFFICE, "city")
    matter = raise_demand(office, talent=talent_b.pk, demand_category="housing")
    assert matter.talent == talent_b
    assert matter.lead_unit == depts["dept-zjj"]
    assert matter.requester == office


def test_a_chosen_lead_unit_wins_over_the_route(make_user: MakeUser, own: Talent, depts: dict[str, OrgUnit]) -> None:
    admin = make_user(Role.CITY_ADMIN, "city")
    matter = services.matter_create(acting_user=admin, data=inputs.MatterCreateInput.of(
        title="配偶工作", source="talent_demand", kind="talent_demand", talent=own.pk,
        demand_category="spouse_employment", lead_unit="dept-rck",
    ))
    assert matter.lead_unit == depts["dept-rck"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"demand_category": "weather"}, "demand_category"),
        ({"demand_category": ""}, "demand_category"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 4001}, "description"),
        ({"title": "t" * 201}, "title"),
        ({"talent": "abc"}, "talent"),
        ({"talent": -3}, "talent"),
    ],
)
def test_bad_demand_input_names_the_field_and_changes_nothing(
    talent_user: User, own: Talent, values: dict[str, Any], field: str
) -> None:
    with refused(InvalidInput, fields={field}):
        raise_demand(talent_user, **values)


def test_a_category_or_talent_belongs_to_talent_demands_only(make_user: MakeUser, own: Talent) -> None:
    admin = make_user(Role.CITY_ADMIN, "city")
    with refused(InvalidInput, fields={"demand_category"}):
        services.matter_create(acting_user=admin, data=inputs.MatterCreateInput.of(
            title="用地", source="enterprise_demand", kind="coordination", demand_category="housing",
        ))
    with refused(InvalidInput, fields={"talent"}):
        services.matter_create(acting_user=admin, data=inputs.MatterCreateInput.of(
            title="用地", source="enterprise_demand", kind="coordination", talent=own.pk,
        ))


# ---- following and rating ---------------------------------------------------------------------


def _close(matter: Matter) -> Matter:
    Matter.objects.filter(pk=matter.pk).update(state=State.CLOSED.value)
    matter.refresh_from_db()
    return matter


def test_the_talent_sees_and_rates_a_demand_staff_raised_for_them(
    make_user: MakeUser, talent_user: User, own: Talent, talent_b: Talent
) -> None:
    office = make_user(Role.TALENT_OFFICE, "city")
    mine = raise_demand(office, talent=own.pk)
    theirs = raise_demand(office, talent=talent_b.pk)
    visible = set(selectors.matter_list_visible_to(talent_user).values_list("pk", flat=True))
    assert mine.pk in visible
    assert theirs.pk not in visible
    matter = _close(mine)
    services.matter_rate(acting_user=talent_user, matter=matter,
                         data=inputs.RateInput.of(rating="satisfied", comment="很快解决"))
    matter.refresh_from_db()
    assert matter.state == State.RATED.value
    assert matter.rating == Rating.SATISFIED


def test_talent_names_are_masked_outside_the_talent_scope(
    make_user: MakeUser, own: Talent, depts: dict[str, OrgUnit]
) -> None:
    office = make_user(Role.TALENT_OFFICE, "city")
    matter = raise_demand(office, talent=own.pk)
    education = make_user(Role.STAFF, "city")
    education.org_unit = depts["dept-jyj"]
    education.save()
    assert selectors.matter_talent_name(office, matter) == "林博远"
    assert selectors.matter_talent_name(make_user(Role.STAFF, "county_a"), matter) == "林博远"
    assert selectors.matter_talent_name(education, matter) == "林*远"


# ---- pages -----------------------------------------------------------------------------------


def _web(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    return client


def test_portal_pages_raise_list_and_rate(
    talent_user: User, own: Talent, depts: dict[str, OrgUnit], file_root: Any
) -> None:
    web = _web(talent_user)
    assert web.get(reverse("matters:talent_demand_create")).status_code == 200
    pdf = _pdf()
    answer = web.post(reverse("matters:talent_demand_create"), {
        "demand_category": "housing", "description": "申请人才公寓或购房补贴咨询。", "evidence": pdf,
    })
    assert answer.status_code == 302
    matter = Matter.objects.get(talent=own)
    assert matter.lead_unit == depts["dept-zjj"]
    assert matter.files.count() == 1
    listing = web.get(reverse("matters:talent_demands"))
    assert listing.status_code == 200
    assert matter.code in listing.content.decode()
    page = web.get(reverse("matters:talent_demand", args=[matter.pk]))
    assert page.status_code == 200
    assert "talent-demand-rate" not in page.content.decode()
    _close(matter)
    page = web.get(reverse("matters:talent_demand", args=[matter.pk]))
    assert "talent-demand-rate" in page.content.decode()
    bad = web.post(reverse("matters:talent_demand_rate", args=[matter.pk]), {"rating": "great", "version": "1"})
    assert bad.status_code == 400
    matter.refresh_from_db()
    assert matter.state == State.CLOSED.value
    good = web.post(reverse("matters:talent_demand_rate", args=[matter.pk]),
                    {"rating": "basically_satisfied", "version": str(matter.version)})
    assert good.status_code == 302
    matter.refresh_from_db()
    assert matter.rating == "basically_satisfied"


def test_portal_form_refuses_bad_input_naming_the_field(talent_user: User, own: Talent) -> None:
    web = _web(talent_user)
    before = Matter.objects.count()
    answer = web.post(reverse("matters:talent_demand_create"), {"demand_category": "", "description": ""})
    assert answer.status_code == 400
    form = answer.context["form"]
    assert set(form.errors) >= {"demand_category", "description"}
    assert Matter.objects.count() == before


def test_portal_pages_hide_other_talents_demands(
    make_user: MakeUser, talent_user: User, own: Talent, talent_b: Talent
) -> None:
    office = make_user(Role.TALENT_OFFICE, "city")
    theirs = raise_demand(office, talent=talent_b.pk)
    web = _web(talent_user)
    assert web.get(reverse("matters:talent_demand", args=[theirs.pk])).status_code == 404
    assert web.post(reverse("matters:talent_demand_rate", args=[theirs.pk]), {"rating": "satisfied"}).status_code == 404
    assert theirs.code not in web.get(reverse("matters:talent_demands")).content.decode()


def _pdf() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("证明.pdf", b"%PDF-1.4\n% demand\n%%EOF\n", content_type="application/pdf")


# ---- API -------------------------------------------------------------------------------------


def _api(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})


def test_api_accepts_a_talent_and_a_category(make_user: MakeUser, own: Talent, depts: dict[str, OrgUnit]) -> None:
    office = make_user(Role.TALENT_OFFICE, "city")
    client = _api(office)
    body = {"title": "子女入学", "source": "talent_demand", "kind": "talent_demand", "talent": own.pk,
            "demand_category": "schooling"}
    answer = client.post("/api/v1/matters", data=json.dumps(body), content_type="application/json")
    assert answer.status_code == 201, answer.content
    data = answer.json()
    assert data["talent"] == own.pk
    assert data["demand_category"] == "schooling"
    assert data["talent_name"] == "林博远"
    assert data["lead_unit"]["code"] == "dept-jyj"


def test_api_refuses_an_out_of_scope_talent_as_unknown(
    make_user: MakeUser, own: Talent, talent_b: Talent
) -> None:
    staff = make_user(Role.STAFF, "county_a")
    client = _api(staff)
    answers = []
    for pk in (talent_b.pk, 987_654):
        body = {"title": "住房", "source": "talent_demand", "kind": "talent_demand", "talent": pk}
        before = Matter.objects.count()
        answer = client.post("/api/v1/matters", data=json.dumps(body), content_type="application/json")
        assert answer.status_code == 422
        assert Matter.objects.count() == before
        answers.append(answer.json()["errors"])
    assert answers[0] == answers[1]
    assert answers[0][0]["field"] == "talent"
