"""Talent projects hand no work on silently: each step tells the next actor and the applicant
(``notifications.handoff``), and 我的待办 lists every wait of ``flow.TABLE`` for the people who
owe it, within their scope (``talentprojects.todo``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.core import todo as core_todo
from zhaoyin.core.roles import Role
from zhaoyin.notifications.models import Notification
from zhaoyin.talentprojects import flow, services
from zhaoyin.talentprojects.inputs import (
    PortalWithdrawInput,
    TalentProjectApproveInput,
    TalentProjectDecisionInput,
    TalentProjectFundInput,
    TalentProjectInput,
    TalentProjectReasonInput,
)
from zhaoyin.talentprojects.models import Programme, ProgrammeRound, TalentProject
from zhaoyin.talentprojects.portal import withdraw_own
from zhaoyin.talentprojects.todo import TalentProjectTodo
from zhaoyin.talents.models import Talent
from zhaoyin.talents.testing import make_talent

pytestmark = pytest.mark.django_db
Commit = Callable[..., Any]
TODAY = timezone.localdate()


@dataclass
class World:
    rnd: ProgrammeRound
    talent: Talent  # county A's, with a portal account
    portal: User
    city_unit_admin: User  # a unit role at the city: its scope holds county A
    admin_a: User
    staff_a: User
    staff_park: User  # below county A: a county A project is not in their scope
    staff_b: User
    office: User
    office2: User
    city_admin: User
    leader: User


@pytest.fixture
def w(org_tree: dict[str, OrgUnit], make_user: MakeUser) -> World:
    programme = Programme.objects.create(code="ptyc", name="平台引才奖补", level="city")
    rnd = ProgrammeRound.objects.create(programme=programme, year=TODAY.year, name="第一批",
                                        opens_on=TODAY - dt.timedelta(days=30), closes_on=TODAY)
    portal = make_user(Role.TALENT, "city")
    return World(
        rnd=rnd,
        talent=make_talent(org_unit=org_tree["county_a"], name="甲博士", account=portal),
        portal=portal,
        city_unit_admin=make_user(Role.UNIT_ADMIN, "city"),
        admin_a=make_user(Role.UNIT_ADMIN, "county_a"),
        staff_a=make_user(Role.STAFF, "county_a"),
        staff_park=make_user(Role.STAFF, "park_a"),
        staff_b=make_user(Role.STAFF, "county_b"),
        office=make_user(Role.TALENT_OFFICE, "city"),
        office2=make_user(Role.TALENT_OFFICE, "city"),
        city_admin=make_user(Role.CITY_ADMIN, "city"),
        leader=make_user(Role.LEADER, "city"),
    )


def told(kind: str) -> set[int]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def ids(*users: User) -> set[int]:
    return {u.pk for u in users}


def apply(w: World, by: User, talent: Talent | None = None, rnd: ProgrammeRound | None = None) -> TalentProject:
    return services.project_create(acting_user=by, data=TalentProjectInput.of(
        round=(rnd or w.rnd).pk, talent=(talent or w.talent).pk, title="智能监测装备研发平台", requested_wan="300"))


def recommend(by: User, p: TalentProject) -> TalentProject:
    return services.project_recommend(acting_user=by, project=p, data=TalentProjectDecisionInput.of())


def approve(by: User, p: TalentProject, wan: str = "200") -> TalentProject:
    return services.project_approve(acting_user=by, project=p, data=TalentProjectApproveInput.of(approved_wan=wan))


def fund(by: User, p: TalentProject, wan: str) -> TalentProject:
    return services.project_fund(acting_user=by, project=p, data=TalentProjectFundInput.of(amount_wan=wan))


def test_the_table_says_who_waits_and_who_is_told() -> None:
    waits = {s: [(x.actor, x.todo, x.when) for x in ws] for s, ws in flow.TABLE.waits.items()}
    assert waits == {
        "applied": [(flow.RECOMMENDER, "tp_to_recommend", "")],
        "recommended": [(flow.DECIDER, "tp_to_approve", "")],
        "approved": [(flow.DECIDER, "tp_to_fund", "")],
        "funded": [(flow.DECIDER, "tp_to_fund", flow.FUNDS_LEFT)],
    }
    notify = {str(r.action): set(r.notify or ()) for r in flow.TABLE.rows}
    assert notify == {
        "recommend": {flow.DECIDER, flow.APPLICANT},
        "not_recommend": {flow.APPLICANT},
        "approve": {flow.DECIDER, flow.APPLICANT},
        "reject": {flow.APPLICANT},
        "fund": {flow.APPLICANT},
        "withdraw": {flow.APPLICANT},
    }
    assert set(flow.APPLY.notify or ()) == {flow.RECOMMENDER}


def test_each_step_tells_the_next_actor_and_the_applicant(w: World, django_capture_on_commit_callbacks: Commit) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        p = apply(w, w.staff_a)
    # The units whose scope holds county A (the city's unit admin, county A's admin) and the talent
    # office — not the one who registered it, not the park below, not county B, not the talent.
    assert told("talent_project.apply") == ids(w.city_unit_admin, w.admin_a, w.office, w.office2)
    note = Notification.objects.filter(kind="talent_project.apply", recipient=w.admin_a).get()
    assert "智能监测装备研发平台" in note.title
    assert "甲博士" in note.title
    assert note.link == reverse("talentprojects:open", args=[p.pk])
    with django_capture_on_commit_callbacks(execute=True):
        p = recommend(w.admin_a, p)
    # 待立项: the talent office; the applicant: the talent and the staff member who registered it.
    assert told("talent_project.recommend") == ids(w.office, w.office2, w.portal, w.staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        p = approve(w.office, p)
    # 待拨付: the other officer (the one who approved is never told of their own step).
    assert told("talent_project.approve") == ids(w.office2, w.portal, w.staff_a)
    assert "200" in Notification.objects.get(kind="talent_project.approve", recipient=w.portal).body
    with django_capture_on_commit_callbacks(execute=True):
        p = fund(w.office, p, "50")
    assert told("talent_project.fund") == ids(w.portal, w.staff_a)
    assert "50" in Notification.objects.get(kind="talent_project.fund", recipient=w.portal).body
    # Nobody else was told anything: the leader, county B, the park, the city admin.
    assert not Notification.objects.filter(recipient__in=[w.leader, w.staff_b, w.staff_park, w.city_admin]).exists()


def test_declines_and_withdrawals_tell_the_applicant_only(
    w: World, django_capture_on_commit_callbacks: Commit, org_tree: dict[str, OrgUnit]
) -> None:
    rounds = [ProgrammeRound.objects.create(programme=w.rnd.programme, year=TODAY.year, name=f"批次{n}",
                                            opens_on=w.rnd.opens_on, closes_on=w.rnd.closes_on) for n in range(4)]
    projects = [apply(w, w.staff_a, rnd=r) for r in rounds]
    with django_capture_on_commit_callbacks(execute=True):
        services.project_not_recommend(acting_user=w.admin_a, project=projects[0],
                                       data=TalentProjectReasonInput.of(reason="材料不全"))
    assert told("talent_project.not_recommend") == ids(w.portal, w.staff_a)
    assert "材料不全" in Notification.objects.get(kind="talent_project.not_recommend", recipient=w.portal).body
    recommend(w.admin_a, projects[1])
    with django_capture_on_commit_callbacks(execute=True):
        services.project_reject(acting_user=w.office, project=projects[1],
                                data=TalentProjectReasonInput.of(reason="不符合条件"))
    assert told("talent_project.reject") == ids(w.portal, w.staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.project_withdraw(acting_user=w.staff_a, project=projects[2],
                                  data=TalentProjectReasonInput.of(reason="人才本人要求"))
    assert told("talent_project.withdraw") == ids(w.portal)  # staff withdrew: the talent is told
    Notification.objects.all().delete()
    # The talent withdrawing their own application tells the one who registered it, not themself.
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_own(user=w.portal, project=projects[3], data=PortalWithdrawInput.of(reason="另有安排"))
    assert told("talent_project.withdraw") == ids(w.staff_a)


def test_a_talent_applying_in_the_portal_tells_the_recommenders_and_not_themself(
    w: World, django_capture_on_commit_callbacks: Commit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        p = apply(w, w.portal)
    assert told("talent_project.apply") == ids(w.city_unit_admin, w.admin_a, w.staff_a, w.office, w.office2)
    with django_capture_on_commit_callbacks(execute=True):
        recommend(w.staff_a, p)
    # The applicant is the talent alone (they registered it themself).
    assert told("talent_project.recommend") == ids(w.office, w.office2, w.portal)


def test_a_notice_link_opens_the_portal_page_for_the_talent_and_the_staff_page_for_staff(w: World) -> None:
    p = apply(w, w.staff_a)
    link = reverse("talentprojects:open", args=[p.pk])

    def go(user: User) -> Any:
        client = Client()
        client.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
        return client.get(link)

    assert go(w.portal)["Location"] == reverse("talentprojects:mine_detail", args=[p.pk])
    assert go(w.admin_a)["Location"] == reverse("talentprojects:detail", args=[p.pk])
    assert go(w.staff_b).status_code == 404  # out of scope, as an unknown one


def counts(user: User) -> dict[str, int]:
    return TalentProjectTodo().counts(user)


def test_the_waits_are_listed_for_who_owes_them_within_scope(w: World) -> None:
    applied = apply(w, w.staff_a)
    assert counts(w.admin_a) == counts(w.staff_a) == counts(w.city_unit_admin) == {"tp_to_recommend": 1}
    assert counts(w.office) == counts(w.city_admin) == {"tp_to_recommend": 1}
    for nobody in (w.staff_b, w.staff_park, w.portal, w.leader):
        assert counts(nobody) == {}
    recommend(w.admin_a, applied)
    assert counts(w.admin_a) == {}
    assert counts(w.office) == counts(w.city_admin) == {"tp_to_approve": 1}
    approve(w.office, applied, "100")
    assert counts(w.office) == {"tp_to_fund": 1}
    fund(w.office, applied, "40")
    assert counts(w.office) == {"tp_to_fund": 1}  # funded, 60 万元 still to pay
    fund(w.office, applied, "60")
    assert counts(w.office) == {}  # fully funded: nothing left to do
    items = TalentProjectTodo().todo(w.office, limit=10)
    assert items == []


def test_the_to_do_list_shows_the_items_with_their_heading_and_link(w: World) -> None:
    p = apply(w, w.staff_a)
    whole = core_todo.todo_for(w.admin_a)
    mine = [i for i in whole.items if i.machine == "talent_project"]
    assert [(i.kind, i.code, i.label, i.link, i.unit) for i in mine] == [
        ("tp_to_recommend", "甲博士", p.title, reverse("talentprojects:detail", args=[p.pk]), "大通区"),
    ]
    assert {(h.kind, h.count) for h in whole.headings} >= {("tp_to_recommend", 1)}
    # 我发起的: what the staff member registered; 已办: the steps they took.
    assert [t.link for t in whole.raised if t.machine == "talent_project"] == []
    assert [t.label for t in core_todo.todo_for(w.staff_a).raised if t.machine == "talent_project"] == [p.title]
    recommend(w.admin_a, p)
    done = [t for t in core_todo.todo_for(w.admin_a).done if t.machine == "talent_project"]
    assert [(t.label, t.what) for t in done] == [(p.title, str(flow.TABLE.by_action[flow.Action.RECOMMEND].label))]


def _grow(w: World, n: int, org_tree: dict[str, OrgUnit]) -> None:
    start = Talent.objects.count()
    for i in range(start, start + n):
        talent = make_talent(org_unit=org_tree["county_a"], name=f"人才{i}")
        for state, extra in (("applied", {}), ("recommended", {}),
                             ("approved", {"approved_wan": Decimal(10)}),
                             ("funded", {"approved_wan": Decimal(10), "funded_wan": Decimal(5)})):
            rnd, _new = ProgrammeRound.objects.get_or_create(
                programme=w.rnd.programme, name=state,
                defaults={"year": TODAY.year, "opens_on": w.rnd.opens_on, "closes_on": w.rnd.closes_on})
            TalentProject.objects.create(round=rnd, talent=talent, org_unit=talent.org_unit, title=f"项目{i}",
                                         requested_wan=Decimal(10), applied_on=TODAY, state=state, **extra)


def _queries(user: User) -> int:
    provider = TalentProjectTodo()
    with CaptureQueriesContext(connection) as ctx:
        provider.counts(user)
        provider.todo(user, limit=100)
        provider.raised(user, limit=20)
        provider.done(user, limit=20)
    return len(ctx.captured_queries)


def test_the_provider_takes_a_fixed_number_of_queries(w: World, org_tree: dict[str, OrgUnit]) -> None:
    _grow(w, 2, org_tree)
    for u in (w.admin_a, w.office, w.city_admin):
        _queries(u)  # the user's roles and unit subtree, read once per request in the real pages
    few = {u.username: _queries(u) for u in (w.admin_a, w.office, w.city_admin)}
    assert counts(w.office) == {"tp_to_recommend": 2, "tp_to_approve": 2, "tp_to_fund": 4}
    _grow(w, 6, org_tree)
    many = {u.username: _queries(u) for u in (w.admin_a, w.office, w.city_admin)}
    assert counts(w.office) == {"tp_to_recommend": 8, "tp_to_approve": 8, "tp_to_fund": 16}
    assert many == few
