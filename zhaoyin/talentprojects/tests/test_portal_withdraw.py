"""The talent withdraws their own application in the portal (page and
``POST /api/v1/me/talent-projects/{id}/actions/withdraw``) through ``services.project_withdraw``:
while applied or recommended, with a reason; another talent's is 404, another state 409, no
reason 422 naming ``reason`` — and nothing changes when refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import Conflict
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import refused
from zhaoyin.talentprojects import services
from zhaoyin.talentprojects.inputs import PortalWithdrawInput, TalentProjectReasonInput
from zhaoyin.talentprojects.models import Programme, ProgrammeRound, TalentProject
from zhaoyin.talentprojects.portal import withdraw_own
from zhaoyin.talents.models import Talent
from zhaoyin.talents.testing import make_talent

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def rnd(db: Any) -> ProgrammeRound:
    programme = Programme.objects.create(code="ptyc", name="平台引才奖补", level="city")
    return ProgrammeRound.objects.create(programme=programme, year=TODAY.year, name="第一批",
                                         opens_on=TODAY - dt.timedelta(days=5), closes_on=TODAY)


@pytest.fixture
def portal_user(make_user: MakeUser) -> User:
    return make_user(Role.TALENT, "city")


@pytest.fixture
def me(portal_user: User, org_tree: dict[str, OrgUnit]) -> Talent:
    return make_talent(org_unit=org_tree["county_a"], name="甲博士", account=portal_user)


@pytest.fixture
def other(org_tree: dict[str, OrgUnit], make_user: MakeUser) -> Talent:
    return make_talent(org_unit=org_tree["county_a"], name="乙博士", account=make_user(Role.TALENT, "city"))


def project(rnd: ProgrammeRound, talent: Talent, state: str = "applied", **fields: Any) -> TalentProject:
    return TalentProject.objects.create(round=rnd, talent=talent, org_unit=talent.org_unit,
                                        title=f"{talent.name}的项目", requested_wan=Decimal(100), applied_on=TODAY,
                                        state=state, **fields)


def _web(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    return client


def _api(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})


def _withdraw_url(pk: int) -> str:
    return f"/api/v1/me/talent-projects/{pk}/actions/withdraw"


def state_of(p: TalentProject) -> tuple[str, int, str]:
    p.refresh_from_db()
    return p.state, p.version, p.reason


def test_the_talent_withdraws_their_own_application_through_the_service(
    rnd: ProgrammeRound, portal_user: User, me: Talent
) -> None:
    p = project(rnd, me, "recommended", recommended_on=TODAY)
    done = withdraw_own(user=portal_user, project=p, data=PortalWithdrawInput.of(reason="另有安排", version=1))
    assert (done.state, done.reason, done.decided_on, done.version) == ("withdrawn", "另有安排", TODAY, 2)
    record = AuditRecord.objects.filter(action="talent_project.withdraw").get()
    assert (record.actor_id, record.object_id) == (portal_user.pk, str(p.pk))


def test_AC_03_the_service_refuses_a_talent_on_another_talents_application(
    rnd: ProgrammeRound, portal_user: User, me: Talent, other: Talent
) -> None:
    theirs = project(rnd, other)
    with refused(PermissionDenied):
        services.project_withdraw(acting_user=portal_user, project=theirs,
                                  data=TalentProjectReasonInput.of(reason="冒名撤回"))
    assert state_of(theirs) == ("applied", 1, "")
    # The talent holds no other action of the table, on their own application either.
    mine = project(ProgrammeRound.objects.create(programme=rnd.programme, year=TODAY.year, name="第二批",
                                                 opens_on=rnd.opens_on, closes_on=rnd.closes_on), me)
    with refused(PermissionDenied):
        services.project_not_recommend(acting_user=portal_user, project=mine,
                                       data=TalentProjectReasonInput.of(reason="自己不推荐"))
    assert state_of(mine) == ("applied", 1, "")


def test_portal_page_withdraws_with_a_reason(rnd: ProgrammeRound, portal_user: User, me: Talent) -> None:
    p = project(rnd, me)
    client = _web(portal_user)
    page = client.get(reverse("talentprojects:mine_detail", args=[p.pk]))
    assert 'id="my-withdraw"' in page.content.decode()
    url = reverse("talentprojects:mine_withdraw", args=[p.pk])
    bad = client.post(url, {"reason": "  ", "version": "1"})
    assert bad.status_code == 400
    assert set(bad.context["withdraw_form"].errors) == {"reason"}
    assert state_of(p) == ("applied", 1, "")
    # A date is not the talent's to choose: a posted ``on`` is not read.
    done = client.post(url, {"reason": "另有安排", "version": "1", "on": "2020-01-01"})
    assert done.status_code == 302
    assert done["Location"] == reverse("talentprojects:mine_detail", args=[p.pk])
    assert state_of(p) == ("withdrawn", 2, "另有安排")
    assert p.decided_on == TODAY
    after = client.get(reverse("talentprojects:mine_detail", args=[p.pk])).content.decode()
    assert 'id="my-withdraw"' not in after
    assert "另有安排" in after


def test_portal_page_refuses_another_state_a_stale_page_and_another_talents_application(
    rnd: ProgrammeRound, portal_user: User, me: Talent, other: Talent
) -> None:
    client = _web(portal_user)
    approved = project(rnd, me, "approved", recommended_on=TODAY, approved_on=TODAY, approved_wan=Decimal(50))
    page = client.get(reverse("talentprojects:mine_detail", args=[approved.pk])).content.decode()
    assert 'id="my-withdraw"' not in page
    late = client.post(reverse("talentprojects:mine_withdraw", args=[approved.pk]), {"reason": "太晚了"})
    assert late.status_code == 409
    assert late.context["withdraw_form"].non_field_errors()
    assert state_of(approved) == ("approved", 1, "")
    second = ProgrammeRound.objects.create(programme=rnd.programme, year=TODAY.year, name="第二批",
                                           opens_on=rnd.opens_on, closes_on=rnd.closes_on)
    mine = project(second, me, version=3)
    stale = client.post(reverse("talentprojects:mine_withdraw", args=[mine.pk]), {"reason": "撤回", "version": "2"})
    assert stale.status_code == 409
    assert state_of(mine) == ("applied", 3, "")
    theirs = project(rnd, other)
    assert client.post(reverse("talentprojects:mine_withdraw", args=[theirs.pk]), {"reason": "冒名"}).status_code == 404
    assert client.post(reverse("talentprojects:mine_withdraw", args=[999_999]), {"reason": "冒名"}).status_code == 404
    assert state_of(theirs) == ("applied", 1, "")


def test_api_me_withdraw(rnd: ProgrammeRound, portal_user: User, me: Talent, other: Talent) -> None:
    client = _api(portal_user)
    p = project(rnd, me, "recommended", recommended_on=TODAY)
    missing = client.post(_withdraw_url(p.pk), {"version": 1}, content_type="application/json")
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["reason"]
    dated = client.post(_withdraw_url(p.pk), {"reason": "撤回", "on": "2020-01-01"}, content_type="application/json")
    assert dated.status_code == 422  # no such field: the date is today
    stale = client.post(_withdraw_url(p.pk), {"reason": "撤回", "version": 7}, content_type="application/json")
    assert stale.status_code == 409
    assert state_of(p) == ("recommended", 1, "")
    theirs = project(rnd, other)
    assert client.post(_withdraw_url(theirs.pk), {"reason": "冒名"}, content_type="application/json").status_code == 404
    assert state_of(theirs) == ("applied", 1, "")
    done = client.post(_withdraw_url(p.pk), {"reason": "另有安排", "version": 1}, content_type="application/json")
    assert done.status_code == 200
    body = done.json()
    assert (body["id"], body["state"], body["reason"], body["decided_on"]) == (p.pk, "withdrawn", "另有安排",
                                                                              TODAY.isoformat())
    assert "org_unit" not in body
    again = client.post(_withdraw_url(p.pk), {"reason": "再撤一次"}, content_type="application/json")
    assert again.status_code == 409
    assert state_of(p) == ("withdrawn", 2, "另有安排")


def test_a_refused_withdrawal_raises_conflict_for_a_closed_application(
    rnd: ProgrammeRound, portal_user: User, me: Talent
) -> None:
    p = project(rnd, me, "declined", decided_on=TODAY, reason="材料不全")
    with refused(Conflict):
        withdraw_own(user=portal_user, project=p, data=PortalWithdrawInput.of(reason="撤回"))
    assert state_of(p) == ("declined", 1, "材料不全")
