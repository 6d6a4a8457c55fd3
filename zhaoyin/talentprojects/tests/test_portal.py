"""The talent applies for a talent project in the portal (page and /api/v1/me/talent-projects):
their own record only, an open round, the programme's cap; their own applications only (another
talent's is 404), without internal fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import refused
from zhaoyin.talentprojects import services
from zhaoyin.talentprojects.inputs import PortalApplicationInput, TalentProjectInput
from zhaoyin.talentprojects.models import Programme, ProgrammeRound, TalentProject
from zhaoyin.talentprojects.portal import apply_for_self
from zhaoyin.talents.models import Talent
from zhaoyin.talents.testing import make_talent

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def programme(db: Any) -> Programme:
    return Programme.objects.create(code="ptyc", name="平台引才奖补", level="city", max_funding_wan=Decimal(500))


@pytest.fixture
def open_round(programme: Programme) -> ProgrammeRound:
    return ProgrammeRound.objects.create(programme=programme, year=TODAY.year, name="第一批",
                                         opens_on=TODAY - dt.timedelta(days=5), closes_on=TODAY)


@pytest.fixture
def closed_round(programme: Programme) -> ProgrammeRound:
    return ProgrammeRound.objects.create(programme=programme, year=TODAY.year, name="上一批",
                                         opens_on=TODAY - dt.timedelta(days=60),
                                         closes_on=TODAY - dt.timedelta(days=1))


@pytest.fixture
def portal_user(make_user: MakeUser) -> User:
    return make_user(Role.TALENT, "city")


@pytest.fixture
def me(portal_user: User, org_tree: dict[str, OrgUnit]) -> Talent:
    return make_talent(org_unit=org_tree["county_a"], name="甲博士", employer_name="淮南监测装备研究院",
                       account=portal_user)


@pytest.fixture
def someone(org_tree: dict[str, OrgUnit], make_user: MakeUser) -> Talent:
    return make_talent(org_unit=org_tree["county_b"], name="乙博士", account=make_user(Role.TALENT, "city"))


def _api(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})


def _web(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    return client


def _data(rnd: ProgrammeRound, **values: Any) -> dict[str, Any]:
    return {"round": rnd.pk, "title": "智能监测装备研发平台", "summary": "中试线建设", "requested_wan": "300"} | values


def test_the_talent_applies_for_themself_through_project_create(
    portal_user: User, me: Talent, open_round: ProgrammeRound
) -> None:
    project = apply_for_self(user=portal_user, talent=me, data=PortalApplicationInput.of(**_data(open_round)))
    assert (project.talent, project.employer_name, project.org_unit, project.applied_on, project.created_by) == (
        me, "淮南监测装备研究院", me.org_unit, TODAY, portal_user)
    assert project.state == "applied"


@pytest.mark.parametrize(("values", "field"), [
    ({"requested_wan": "500.01"}, "requested_wan"),  # above the programme's cap
    ({"requested_wan": "0"}, "requested_wan"),
    ({"title": ""}, "title"),
    ({"round": 999_999}, "round"),
])
def test_AC_04_bad_portal_applications_name_the_field_and_change_nothing(
    portal_user: User, me: Talent, open_round: ProgrammeRound, values: dict[str, Any], field: str
) -> None:
    with refused(InvalidInput, fields={field}):
        apply_for_self(user=portal_user, talent=me, data=PortalApplicationInput.parse(_data(open_round, **values)))


def test_AC_04_a_closed_round_or_a_second_application_is_refused_on_round(
    portal_user: User, me: Talent, open_round: ProgrammeRound, closed_round: ProgrammeRound
) -> None:
    with refused(InvalidInput, fields={"round"}):
        apply_for_self(user=portal_user, talent=me, data=PortalApplicationInput.of(**_data(closed_round)))
    apply_for_self(user=portal_user, talent=me, data=PortalApplicationInput.of(**_data(open_round)))
    with refused(InvalidInput, fields={"round"}):
        apply_for_self(user=portal_user, talent=me, data=PortalApplicationInput.of(**_data(open_round)))


def test_AC_03_a_talent_applies_for_no_one_else_and_backdates_nothing(
    portal_user: User, me: Talent, someone: Talent, open_round: ProgrammeRound
) -> None:
    # The service itself refuses another talent's record and a date other than today, whatever
    # a caller passes (the portal never passes them).
    with refused(InvalidInput, fields={"talent"}):
        services.project_create(acting_user=portal_user, data=TalentProjectInput.of(
            talent=someone.pk, **_data(open_round)))
    with refused(InvalidInput, fields={"applied_on"}):
        services.project_create(acting_user=portal_user, data=TalentProjectInput.of(
            talent=me.pk, applied_on=(TODAY - dt.timedelta(days=1)).isoformat(), **_data(open_round)))


def test_portal_pages_apply_and_follow_own_applications_only(
    portal_user: User, me: Talent, someone: Talent, open_round: ProgrammeRound, closed_round: ProgrammeRound,
    make_user: MakeUser,
) -> None:
    client = _web(portal_user)
    home = client.get(reverse("core:home")).content.decode()
    assert reverse("talentprojects:mine") in home
    page = client.get(reverse("talentprojects:mine"))
    html = page.content.decode()
    assert f'id="open-round-{open_round.pk}"' in html
    assert f'id="open-round-{closed_round.pk}"' not in html
    form = client.get(reverse("talentprojects:mine_apply") + f"?round={open_round.pk}")
    assert form.status_code == 200
    assert "talent" not in form.context["form"].fields
    # Bad input: the field named, nothing written; the talent and employer are not read from the form.
    bad = client.post(reverse("talentprojects:mine_apply"), _data(open_round, requested_wan="600"))
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) == {"requested_wan"}
    closed = client.post(reverse("talentprojects:mine_apply"), _data(closed_round))
    assert (closed.status_code, set(closed.context["form"].errors)) == (400, {"round"})
    assert not TalentProject.objects.exists()
    done = client.post(reverse("talentprojects:mine_apply"), _data(
        open_round, talent=someone.pk, employer_name="冒名单位", applied_on="2020-01-01"))
    project = TalentProject.objects.get()
    assert done.status_code == 302
    assert done["Location"] == reverse("talentprojects:mine_detail", args=[project.pk])
    assert (project.talent, project.employer_name, project.applied_on) == (me, "淮南监测装备研究院", TODAY)
    # Staff decline it with a reason: the talent reads the state and the reason, no internal field.
    office = make_user(Role.TALENT_OFFICE, "city")
    from zhaoyin.talentprojects.inputs import TalentProjectReasonInput

    services.project_not_recommend(acting_user=office, project=project,
                                   data=TalentProjectReasonInput.of(reason="材料不全"))
    detail = client.get(reverse("talentprojects:mine_detail", args=[project.pk]))
    html = detail.content.decode()
    assert detail.status_code == 200
    assert "材料不全" in html
    assert me.org_unit.name not in html
    listed = client.get(reverse("talentprojects:mine")).content.decode()
    assert f'id="my-project-{project.pk}"' in listed
    assert f'id="open-round-{open_round.pk}"' not in listed  # applied in already
    # Another talent's application: 404, as an unknown one.
    theirs = TalentProject.objects.create(round=open_round, talent=someone, org_unit=someone.org_unit,
                                          title="他人项目", requested_wan=Decimal(1), applied_on=TODAY)
    assert client.get(reverse("talentprojects:mine_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("talentprojects:mine_detail", args=[999_999])).status_code == 404
    assert "他人项目" not in client.get(reverse("talentprojects:mine")).content.decode()


def test_an_account_without_a_record_is_told_so(portal_user: User, open_round: ProgrammeRound) -> None:
    client = _web(portal_user)
    assert 'id="my-not-linked"' in client.get(reverse("talentprojects:mine")).content.decode()
    refused_page = client.post(reverse("talentprojects:mine_apply"), _data(open_round))
    assert refused_page.status_code == 409
    answer = _api(portal_user).post("/api/v1/me/talent-projects", _data(open_round),
                                    content_type="application/json")
    assert answer.status_code == 409
    assert not TalentProject.objects.exists()


def test_api_me_talent_projects(portal_user: User, me: Talent, someone: Talent, open_round: ProgrammeRound,
                                closed_round: ProgrammeRound) -> None:
    client = _api(portal_user)
    rounds = client.get("/api/v1/me/talent-projects/rounds").json()["items"]
    assert [r["id"] for r in rounds] == [open_round.pk]
    bad = client.post("/api/v1/me/talent-projects", _data(open_round, requested_wan=600),
                      content_type="application/json")
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["requested_wan"]
    smuggled = client.post("/api/v1/me/talent-projects", _data(open_round, talent=someone.pk),
                           content_type="application/json")
    assert smuggled.status_code == 422  # no such field in the body
    assert not TalentProject.objects.exists()
    created = client.post("/api/v1/me/talent-projects", _data(open_round, requested_wan=299.99),
                          content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["requested_wan"], body["state"], body["employer_name"], body["applied_on"]) == (
        "299.99", "applied", "淮南监测装备研究院", TODAY.isoformat())
    for internal in ("org_unit", "talent", "talent_name", "version", "allowed_actions", "created_by"):
        assert internal not in body
    assert [p["id"] for p in client.get("/api/v1/me/talent-projects").json()] == [body["id"]]
    assert client.get(f"/api/v1/me/talent-projects/{body['id']}").status_code == 200
    theirs = TalentProject.objects.create(round=closed_round, talent=someone, org_unit=someone.org_unit,
                                          title="他人项目", requested_wan=Decimal(1), applied_on=closed_round.opens_on)
    assert client.get(f"/api/v1/me/talent-projects/{theirs.pk}").status_code == 404
    assert client.get(f"/api/v1/me/talent-projects/{theirs.pk + 1000}").status_code == 404
