"""百家企业行 in the demo (DESIGN 3.6, 9): members for each of the 10 service groups and the
visits of the demo year to the 98 enterprises, some raising demands that become draft
matters with source ``visit``, which the office then dispatches to the unit whose work each
is (``demands_dispatch``): only the last couple of days' demands are still drafts.

Members: ``demo_service_member`` leads 第一服务组 (sg-01) and has one colleague; every other
group has a leader and one or two members (``sg02_member1`` … , the demo password). Visits are
drawn deterministically per enterprise and quarter from a seeded generator and recorded by
the group's leader through ``visits.services.visit_create`` (so every visit and matter is
audited as a person's would be), dated from the start of the year up to today. Idempotent: a
planned visit whose enterprise already has a visit on that day is skipped, and existing
accounts and memberships are left alone.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind, ServiceGroupMembership, User
from zhaoyin.accounts.services import user_create
from zhaoyin.demo import data
from zhaoyin.demo.accounts import DEMO_PASSWORD, demo_password_hash
from zhaoyin.demo.matter_history import at_shanghai
from zhaoyin.demo.matters import _Actors, _history
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.matters import clocks
from zhaoyin.matters.choices import MatterSource, Rating
from zhaoyin.matters.flow import State
from zhaoyin.matters.models import MatterEvent
from zhaoyin.visits import services as visit_services
from zhaoyin.visits.inputs import MemberInput, VisitCreateInput
from zhaoyin.visits.models import Visit, VisitDemand
from zhaoyin.workcalendar.selectors import current_calendar

#: The demo account that leads group 1 (DEMO_ACCOUNTS puts it in sg-01).
GROUP_ONE_LEADER = "demo_service_member"

#: Demands enterprises raise on visits: (title, kind, description).
DEMANDS: list[tuple[str, str, str]] = [
    ("企业扩产用电增容协调", "coordination", "企业新上生产线，现有变压器容量不足，申请协调供电公司增容并加快接电。"),
    ("高新技术企业认定政策咨询", "consultation", "企业拟申报高新技术企业，咨询研发费用归集口径和申报时间节点。"),
    ("引进研发人才子女入学", "talent_demand", "新引进的两名研发骨干子女需在市区就近入学，请协调教育部门。"),
    ("厂区周边道路破损影响运输", "coordination", "厂区东侧道路路面破损严重，大货车通行困难，请协调交通部门维修。"),
    ("项目用地规划调整", "coordination", "二期项目用地规划指标需调整，请协调自然资源部门指导办理。"),
    ("流动资金贷款融资对接", "coordination", "企业原材料采购资金周转紧张，希望对接银行开展信用贷款。"),
    ("研发费用加计扣除政策辅导", "consultation", "企业财务人员对研发费用加计扣除政策理解不一，请税务部门上门辅导。"),
    ("环评手续办理进度", "coordination", "技改项目环评报告已提交，请协调生态环境部门加快审批。"),
    ("招工难问题", "coordination", "企业一线操作工缺口约50人，请人社部门协助组织专场招聘。"),
    ("天然气价格咨询", "consultation", "企业咨询工业用天然气阶梯价格执行标准及优惠政策。"),
    ("高层次人才公寓申请", "talent_demand", "企业引进博士一名，申请入住人才公寓，请相关部门协助。"),
    ("出口退税办理时限", "consultation", "企业出口业务增长，咨询出口退税办理时限和资料要求。"),
]

#: Where the office sends each kind of visit demand (issue 15 item 9): the department whose
#: work it is; None: the enterprise's own county or park (roads, environmental approval).
ROUTES: dict[str, str | None] = {
    "企业扩产用电增容协调": "dept-gdgs",
    "高新技术企业认定政策咨询": "dept-kjj",
    "引进研发人才子女入学": "dept-jyj",
    "厂区周边道路破损影响运输": None,
    "项目用地规划调整": "dept-zrzy",
    "流动资金贷款融资对接": "dept-jrjg",
    "研发费用加计扣除政策辅导": "dept-swj",
    "环评手续办理进度": None,
    "招工难问题": "dept-rsj",
    "天然气价格咨询": "dept-fgw",
    "高层次人才公寓申请": "dept-rck",
    "出口退税办理时限": "dept-swj",
}
#: Working days a visit's demand may wait in 已登记 before the office dispatches it: only the
#: last few days' demands are still drafts.
UNDISPATCHED_DAYS = 2

NOTES = [
    "了解企业生产经营情况，订单饱满，一季度产值同比增长。",
    "座谈了解企业用工、融资、用地情况，宣讲最新惠企政策。",
    "实地查看生产线技改进度，企业反映总体运行平稳。",
    "走访企业研发中心，了解新产品研发和专利申报情况。",
    "与企业负责人座谈，送达政策服务清单，解读申报流程。",
    "了解企业上下游配套情况，企业希望加强本地产业链协作。",
]


def _member_name(group: OrgUnit, n: int) -> str:
    """``sg02_member1`` …: not ``demo_*``, which names the one account per role."""
    return f"{group.code.replace('-', '')}_member{n}"


def _full_name(rng: random.Random) -> str:
    return rng.choice(data.SURNAMES) + rng.choice(data.GIVEN_NAMES)


def _members_ensure(groups: list[OrgUnit], result: Any) -> dict[int, list[User]]:
    """2–3 members in every group, one of them its leader; members by group id, leader first."""
    for index, group in enumerate(groups):
        rng = random.Random(f"demo-members:{group.code}")  # noqa: S311 - demo data, not security
        count = 1 if index == 0 else rng.choice((2, 3))  # group 1 also has demo_service_member
        for n in range(1, count + 1):
            username = _member_name(group, n)
            if User.objects.filter(username__iexact=username).exists():
                continue
            user_create(
                acting_user=None, username=username, password=DEMO_PASSWORD,
                password_hash=demo_password_hash(), roles=["service_member"],
                org_unit=group, full_name=_full_name(rng),
            )
            result.add("users")
            result.add("service_group_members")
        if not ServiceGroupMembership.objects.filter(group=group, is_leader=True).exists():
            leader = GROUP_ONE_LEADER if index == 0 else _member_name(group, 1)
            if ServiceGroupMembership.objects.filter(group=group, user__username__iexact=leader).exists():
                visit_services.membership_set_leader(
                    acting_user=None, group=group, data=MemberInput.of(user=leader)
                )
    out: dict[int, list[User]] = {}
    for m in ServiceGroupMembership.objects.filter(group__in=groups).select_related("user").order_by(
        "group", "-is_leader", "user__username"
    ):
        out.setdefault(m.group_id, []).append(m.user)
    return out


def _visit_days(rng: random.Random, year: int, today: dt.date) -> list[dt.date]:
    """The working days an enterprise is visited in ``year`` up to ``today`` (mostly one a
    quarter, sometimes two, now and then none)."""
    days = []
    for quarter in range(4):
        start = dt.date(year, 3 * quarter + 1, 1)
        end = min(dt.date(year + (quarter == 3), (3 * quarter + 3) % 12 + 1, 1) - dt.timedelta(days=1), today)
        if start > end:
            break
        for _i in range(rng.choices((0, 1, 2), (15, 65, 20))[0]):
            day = start + dt.timedelta(days=rng.randint(0, (end - start).days))
            while day.weekday() >= 5 and day > start:  # a weekend: the Friday before
                day -= dt.timedelta(days=1)
            days.append(day)
    return sorted(set(days))


def visits_ensure(*, year: int, result: Any) -> None:
    """Members for the 10 groups and the demo year's visits (see the module docstring)."""
    groups = list(OrgUnit.objects.filter(kind=OrgUnitKind.SERVICE_GROUP, code__startswith="sg-").order_by("code"))
    if not groups:
        return
    members = _members_ensure(groups, result)
    today = clocks.today()
    names = [name for name, _industry, _unit in data.ENTERPRISES]
    firms = {
        e.name: e for e in Enterprise.objects.filter(name__in=names, service_group__isnull=False)
    }
    have = set(Visit.objects.filter(enterprise__in=list(firms.values())).values_list("enterprise_id", "visited_on"))
    for name in names:
        enterprise = firms.get(name)
        if enterprise is None or enterprise.service_group_id not in members:
            continue
        rng = random.Random(f"demo-visits:{year}:{name}")  # noqa: S311 - demo data, not security
        if rng.random() < 0.1:
            continue  # a few enterprises not visited this year: the coverage shows the gap
        team = members[enterprise.service_group_id]
        # A fresh account object per enterprise: the member's group ids are cached on it.
        recorder = User.objects.get(pk=team[0].pk)
        for day in _visit_days(rng, year, today):
            if (enterprise.pk, day) in have:
                continue
            demands = []
            if rng.random() < 0.3:
                title, kind, description = rng.choice(DEMANDS)
                demands.append({"title": title, "kind": kind, "description": description})
            others = [u.username for u in team[1:] if rng.random() < 0.6]
            visit_services.visit_create(
                acting_user=recorder,
                data=VisitCreateInput.of(
                    enterprise=enterprise.pk,
                    date=day,
                    notes=rng.choice(NOTES),
                    participants=others,
                    enterprise_contact=enterprise.legal_representative,
                    demands=demands,
                ),
            )
            have.add((enterprise.pk, day))
            result.add("visits")
            if demands:
                result.add("visit_demands", len(demands))
    demands_dispatch(names=names, today=today, result=result)


def _outcome(rng: random.Random, *, due: dt.date, today: dt.date) -> State:
    """How far the office and the unit have taken a demand: one past its deadline is mostly
    done (rated or closed), a few still open (red) or awaiting review; a recent one is assigned,
    signed for or reported."""
    if due < today:
        states = (State.RATED, State.CLOSED, State.REPORTED, State.ACCEPTED, State.ASSIGNED)
        return rng.choices(states, (50, 20, 10, 15, 5))[0]
    return rng.choices((State.ASSIGNED, State.ACCEPTED, State.REPORTED), (35, 45, 20))[0]


def demands_dispatch(*, names: list[str], today: dt.date, result: Any) -> None:
    """Dispatch the visits' demands as a real office would (issue 15 item 9): each draft older
    than ``UNDISPATCHED_DAYS`` working days is assigned to the unit whose work it is on the
    visit's day (the clocks count from then) and taken on from there — signed for, reported,
    approved, rated after a call — with the history the demo's other matters get
    (``zhaoyin.demo.matters``). The step per demand is drawn from a generator seeded by its
    code, so a second load the same day writes nothing: the demands it dispatched are no
    longer drafts, the recent ones stay drafts."""
    cal = current_calendar()
    links = (
        VisitDemand.objects.filter(
            matter__state=State.DRAFT, matter__source=MatterSource.VISIT, visit__enterprise__name__in=names
        )
        .select_related("visit", "visit__enterprise__org_unit", "matter")
        .order_by("matter__code")
    )
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=[c for c in ROUTES.values() if c])}
    actors = _Actors()
    for link in links:
        matter, visit = link.matter, link.visit
        received = visit.visited_on
        if cal.workdays_between(received, today) <= UNDISPATCHED_DAYS:
            continue
        rng = random.Random(f"demo-visit-demand:{matter.code}")  # noqa: S311 - demo data, not security
        code = ROUTES.get(matter.title)
        lead = units.get(code) if code else visit.enterprise.org_unit
        days = clocks.default_handle_days(matter.kind) or 15
        due, provisional = cal.add_workdays(received, days)
        outcome = _outcome(rng, due=due, today=today)
        matter.lead_unit = lead
        matter.state = outcome.value
        matter.received_on = received
        matter.handle_from = received
        matter.handle_days = days
        matter.sign_deadline = cal.add_workdays(received, clocks.sign_days())[0]
        matter.handle_deadline = due
        matter.deadlines_provisional = provisional
        matter.created_at = at_shanghai(received, 0)  # registered on the visit's day
        rating = rng.choice((Rating.SATISFIED, Rating.SATISFIED, Rating.BASICALLY_SATISFIED)).value
        report_on = min(today, cal.add_workdays(received, rng.randint(2, days))[0])
        events = _history(
            matter, outcome, signed_late=rng.random() < 0.1, report_on=report_on, rating=rating,
            actors=actors, today=today,
        )
        # The service registered the draft now; its history starts on the visit's day.
        MatterEvent.objects.filter(matter=matter, action="create").update(at=matter.created_at, lead_unit=lead)
        added = events[1:]  # _history's own registration is the one on record
        for event in added:
            event.matter = matter
        matter.refresh_facts(cal, returned=False)
        matter.save()
        MatterEvent.objects.bulk_create(added)
        result.add("visit_demands_dispatched")
