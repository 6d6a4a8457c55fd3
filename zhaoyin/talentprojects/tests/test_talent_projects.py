"""Talent projects (人才项目申报, issue 13 item 6): 推荐 → 立项 → 资金 through the services, the
API and the pages; bad input named and nothing changed; scope (AC-03)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.roles import Role
from zhaoyin.talentprojects import services
from zhaoyin.talentprojects.inputs import (
    ProgrammeUpdateInput,
    TalentProjectInput,
)
from zhaoyin.talentprojects.inputs import (
    TalentProjectApproveInput as ApproveInput,
)
from zhaoyin.talentprojects.inputs import (
    TalentProjectDecisionInput as DecisionInput,
)
from zhaoyin.talentprojects.inputs import (
    TalentProjectFundInput as FundInput,
)
from zhaoyin.talentprojects.inputs import (
    TalentProjectReasonInput as ReasonInput,
)
from zhaoyin.talentprojects.models import Programme, ProgrammeRound, TalentProject, TalentProjectFund
from zhaoyin.talents.models import Talent
from zhaoyin.talents.testing import make_talent

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def rnd(db: Any) -> ProgrammeRound:
    programme = Programme.objects.create(code="ptyc", name="平台引才奖补", level="city", max_funding_wan=Decimal(500))
    return ProgrammeRound.objects.create(
        programme=programme, year=TODAY.year, name="第一批", opens_on=TODAY - dt.timedelta(days=60),
        closes_on=TODAY + dt.timedelta(days=10),
    )


@pytest.fixture
def talent(org_tree: dict[str, OrgUnit]) -> Talent:
    return make_talent(org_unit=org_tree["county_a"], name="甲博士", employer_name="淮南监测装备研究院")


@pytest.fixture
def office(make_user: MakeUser) -> User:
    return make_user(Role.TALENT_OFFICE, "city")


@pytest.fixture
def staff(make_user: MakeUser) -> User:
    return make_user(Role.STAFF, "county_a")


def _apply(user: User | None, rnd: ProgrammeRound, who: Talent, **values: Any) -> TalentProject:
    data = {"round": rnd.pk, "talent": who.pk, "title": "智能监测装备研发平台", "requested_wan": "300"} | values
    return services.project_create(acting_user=user, data=TalentProjectInput.of(**data))


def _api(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})


def _web(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    return client


def _fields(exc: pytest.ExceptionInfo[InvalidInput]) -> set[str]:
    return set(exc.value.by_field())


def test_the_whole_path_recommend_approve_fund(rnd: ProgrammeRound, talent: Talent, staff: User, office: User) -> None:
    project = _apply(staff, rnd, talent, applied_on=(TODAY - dt.timedelta(days=20)).isoformat())
    assert project.state == "applied"
    assert project.employer_name == "淮南监测装备研究院"
    assert project.org_unit == talent.org_unit
    services.project_recommend(acting_user=staff, project=project,
                               data=DecisionInput.of(on=(TODAY - dt.timedelta(days=15)).isoformat()))
    services.project_approve(acting_user=office, project=project,
                             data=ApproveInput.of(approved_wan="300", on=(TODAY - dt.timedelta(days=10)).isoformat()))
    services.project_fund(acting_user=office, project=project,
                          data=FundInput.of(amount_wan="100", paid_on=(TODAY - dt.timedelta(days=5)).isoformat()))
    services.project_fund(acting_user=office, project=project, data=FundInput.of(amount_wan="200", note="二期"))
    project.refresh_from_db()
    assert project.state == "funded"
    assert project.approved_wan == Decimal(300)
    assert project.funded_wan == Decimal(300) == sum(f.amount_wan for f in project.funds.all())
    assert project.version == 5
    actions = set(AuditRecord.objects.filter(action__startswith="talent_project.").values_list("action", flat=True))
    assert {"talent_project.create", "talent_project.recommend", "talent_project.approve",
            "talent_project.fund"} <= actions


def test_bad_applications_name_the_field_and_change_nothing(
    rnd: ProgrammeRound, talent: Talent, staff: User, org_tree: dict[str, OrgUnit]
) -> None:
    other = make_talent(org_unit=org_tree["county_b"], name="乙")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"talent": other.pk}, "talent"),  # out of the staff member's scope: as unknown
        ({"talent": 999_999}, "talent"),
        ({"round": 999_999}, "round"),
        ({"applied_on": (TODAY + dt.timedelta(days=1)).isoformat()}, "applied_on"),
        ({"applied_on": (rnd.opens_on - dt.timedelta(days=1)).isoformat()}, "applied_on"),
    ]
    for values, field in cases:
        with pytest.raises(InvalidInput) as exc:
            _apply(staff, rnd, talent, **values)
        assert _fields(exc) == {field}, values
    for amount in ("0", "-5", "abc", "1.234"):
        with pytest.raises(InvalidInput) as exc:
            _apply(staff, rnd, talent, requested_wan=amount)
        assert _fields(exc) == {"requested_wan"}, amount
    with pytest.raises(InvalidInput) as exc:
        _apply(staff, rnd, talent, title="  ")
    assert _fields(exc) == {"title"}
    assert not TalentProject.objects.exists()
    # One application per talent and round.
    _apply(staff, rnd, talent)
    with pytest.raises(InvalidInput) as exc:
        _apply(staff, rnd, talent, title="第二份")
    assert _fields(exc) == {"talent"}
    assert TalentProject.objects.count() == 1


def test_decisions_are_checked(rnd: ProgrammeRound, talent: Talent, staff: User, office: User) -> None:
    project = _apply(staff, rnd, talent)
    # The unit recommends; it does not approve (403), and nothing moves from the wrong state (409).
    with pytest.raises(PermissionDenied):
        services.project_approve(acting_user=staff, project=project, data=ApproveInput.of(approved_wan="1"))
    with pytest.raises(Conflict):
        services.project_approve(acting_user=office, project=project, data=ApproveInput.of(approved_wan="1"))
    with pytest.raises(Conflict):  # a stale version
        services.project_recommend(acting_user=staff, project=project, data=DecisionInput.of(version=7))
    with pytest.raises(InvalidInput) as exc:
        services.project_recommend(acting_user=staff, project=project,
                                   data=DecisionInput.of(on=(TODAY + dt.timedelta(days=1)).isoformat()))
    assert _fields(exc) == {"on"}
    with pytest.raises(InvalidInput) as exc:
        ReasonInput.of(reason=" ")
    assert _fields(exc) == {"reason"}
    project.refresh_from_db()
    assert (project.state, project.version) == ("applied", 1)
    services.project_recommend(acting_user=staff, project=project, data=DecisionInput.of(version=1))
    for amount, why in (("301", "above the request"), ("0", "zero")):
        with pytest.raises(InvalidInput) as exc:
            services.project_approve(acting_user=office, project=project, data=ApproveInput.of(approved_wan=amount))
        assert _fields(exc) == {"approved_wan"}, why
    services.project_approve(acting_user=office, project=project, data=ApproveInput.of(approved_wan="250"))
    with pytest.raises(InvalidInput) as exc:
        services.project_fund(acting_user=office, project=project, data=FundInput.of(amount_wan="250.01"))
    assert _fields(exc) == {"amount_wan"}
    with pytest.raises(InvalidInput) as exc:
        services.project_fund(acting_user=office, project=project,
                              data=FundInput.of(amount_wan="10", paid_on=(TODAY - dt.timedelta(days=1)).isoformat()))
    assert _fields(exc) == {"paid_on"}
    project.refresh_from_db()
    assert (project.state, project.funded_wan) == ("approved", Decimal(0))
    assert not TalentProjectFund.objects.exists()


def test_the_programme_cap(rnd: ProgrammeRound, talent: Talent, staff: User, office: User) -> None:
    with pytest.raises(InvalidInput) as exc:
        _apply(staff, rnd, talent, requested_wan="500.01")
    assert _fields(exc) == {"requested_wan"}
    assert not TalentProject.objects.exists()
    project = _apply(staff, rnd, talent, requested_wan="500")
    services.project_recommend(acting_user=staff, project=project, data=DecisionInput.of())
    # The cap lowered after the application binds the 立项 still to come.
    services.programme_update(acting_user=office, programme=rnd.programme,
                              data=ProgrammeUpdateInput.of(max_funding_wan="400"))
    with pytest.raises(InvalidInput) as exc:
        services.project_approve(acting_user=office, project=project, data=ApproveInput.of(approved_wan="450"))
    assert _fields(exc) == {"approved_wan"}
    project.refresh_from_db()
    assert (project.state, project.approved_wan) == ("recommended", None)


def test_declines_and_withdrawals_keep_the_reason(rnd: ProgrammeRound, staff: User, office: User,
                                                  org_tree: dict[str, OrgUnit]) -> None:
    a, b = (make_talent(org_unit=org_tree["county_a"], name=n) for n in ("丙", "丁"))
    declined = _apply(staff, rnd, a)
    services.project_not_recommend(acting_user=staff, project=declined, data=ReasonInput.of(reason="材料不全"))
    declined.refresh_from_db()
    assert (declined.state, declined.reason, declined.decided_on) == ("declined", "材料不全", TODAY)
    withdrawn = _apply(staff, rnd, b)
    services.project_recommend(acting_user=staff, project=withdrawn, data=DecisionInput.of())
    services.project_withdraw(acting_user=staff, project=withdrawn, data=ReasonInput.of(reason="人才本人撤回"))
    withdrawn.refresh_from_db()
    assert withdrawn.state == "withdrawn"
    with pytest.raises(Conflict):
        services.project_recommend(acting_user=staff, project=withdrawn, data=DecisionInput.of())


def test_the_database_keeps_funds_within_the_approved_amount(rnd: ProgrammeRound, talent: Talent) -> None:
    project = _apply(None, rnd, talent)
    with pytest.raises(IntegrityError), transaction.atomic():
        TalentProject.objects.filter(pk=project.pk).update(funded_wan=Decimal(1))


def test_the_api_path_and_scope(rnd: ProgrammeRound, talent: Talent, staff: User, office: User,
                                make_user: MakeUser, org_tree: dict[str, OrgUnit]) -> None:
    created = _api(staff).post("/api/v1/talent-projects", {"round": rnd.pk, "talent": talent.pk, "title": "平台",
                                                           "requested_wan": 300.5}, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["state"], body["requested_wan"], body["allowed_actions"]) == (
        "applied", "300.50", ["recommend", "not_recommend", "withdraw"])
    pk = body["id"]
    url = f"/api/v1/talent-projects/{pk}/actions/"
    assert _api(staff).post(url + "recommend", {}, content_type="application/json").status_code == 200
    assert _api(staff).post(url + "approve", {"approved_wan": "300"},
                            content_type="application/json").status_code == 403
    answer = _api(office).post(url + "approve", {"approved_wan": "300.5"}, content_type="application/json")
    assert answer.status_code == 200
    assert answer.json()["approved_wan"] == "300.50"
    bad = _api(office).post(url + "fund", {"amount_wan": "400"}, content_type="application/json")
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["amount_wan"]
    assert _api(office).post(url + "fund", {"amount_wan": "100"}, content_type="application/json").status_code == 200
    detail = _api(office).get(f"/api/v1/talent-projects/{pk}").json()
    assert (detail["state"], detail["funded_wan"]) == ("funded", "100.00")
    assert [f["amount_wan"] for f in detail["funds"]] == ["100.00"]
    assert _api(office).post(url + "recommend", {}, content_type="application/json").status_code == 409
    # County B's staff: the project does not exist for them; the talent of county A cannot be named.
    other = make_user(Role.STAFF, "county_b")
    assert _api(other).get(f"/api/v1/talent-projects/{pk}").status_code == 404
    refused = _api(other).post("/api/v1/talent-projects", {"round": rnd.pk, "talent": talent.pk, "title": "x",
                                                           "requested_wan": "1"}, content_type="application/json")
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["talent"]
    assert TalentProject.objects.count() == 1


def test_a_talent_reads_only_their_own(rnd: ProgrammeRound, staff: User, make_user: MakeUser,
                                       org_tree: dict[str, OrgUnit]) -> None:
    portal = make_user(Role.TALENT, "station")
    own = make_talent(org_unit=org_tree["county_a"], name="本人", account=portal)
    other = make_talent(org_unit=org_tree["county_a"], name="他人")
    mine, theirs = _apply(staff, rnd, own), _apply(staff, rnd, other)
    listed = _api(portal).get("/api/v1/talent-projects").json()
    assert [p["id"] for p in listed["items"]] == [mine.pk]
    assert listed["items"][0]["allowed_actions"] == []
    assert _api(portal).get(f"/api/v1/talent-projects/{theirs.pk}").status_code == 404
    assert _api(portal).post(f"/api/v1/talent-projects/{mine.pk}/actions/withdraw", {"reason": "x"},
                             content_type="application/json").status_code == 403


def test_the_pages(rnd: ProgrammeRound, talent: Talent, staff: User, office: User) -> None:
    client = _web(staff)
    page = client.get("/talent-projects/new/")
    assert page.status_code == 200
    bad = client.post("/talent-projects/new/", {"round": rnd.pk, "talent": talent.pk, "title": "平台",
                                                "requested_wan": "-1"})
    assert bad.status_code == 400
    assert "requested_wan" in bad.context["form"].errors
    assert not TalentProject.objects.exists()
    done = client.post("/talent-projects/new/", {"round": rnd.pk, "talent": talent.pk, "title": "平台",
                                                 "requested_wan": "300"})
    assert done.status_code == 302
    project = TalentProject.objects.get()
    detail = client.get(f"/talent-projects/{project.pk}/")
    assert detail.status_code == 200
    assert 'id="action-recommend"' in detail.content.decode()
    assert client.post(f"/talent-projects/{project.pk}/recommend/", {"version": "1"}).status_code == 302
    office_client = _web(office)
    too_much = office_client.post(f"/talent-projects/{project.pk}/approve/", {"approved_wan": "301", "version": "2"})
    assert too_much.status_code == 400
    assert "approved_wan" in dict(too_much.context["action_forms"][0][1].errors)
    assert office_client.post(f"/talent-projects/{project.pk}/approve/",
                              {"approved_wan": "300", "version": "2"}).status_code == 302
    stale = office_client.post(f"/talent-projects/{project.pk}/fund/", {"amount_wan": "10", "version": "2"})
    assert stale.status_code == 400  # the page was read at version 2; it is 3 now (409 shown on the form)
    assert office_client.post(f"/talent-projects/{project.pk}/promote/", {}).status_code == 404
    listing = client.get("/talent-projects/?state=approved")
    assert listing.status_code == 200
    assert [p.pk for p in listing.context["rows"]] == [project.pk]
    assert client.get("/talent-projects/?state=nonsense").status_code == 400
