"""The demo's talent demands (人才诉求, issue 13 items 5 and 11).

About 200 demands over the demo year, linked to the talents on record, across the five
categories (住房, 子女入学, 配偶就业, 项目申报, 医疗 and a few others) and in every state of
the matters' machine, each routed to its category's department (``matters.routing``). Plus
the report's research-institute case: a doctor who runs a monitoring-equipment R&D platform,
whose 300 万元 special fund and the land approval of its pilot base were both matters.

How they are written: the demands dated in the past are written with their histories as the
other demo matters are (``demo.matters._history``: the services stamp every step with the
present moment, a demo needs a past); the registrations of today — the drafts waiting for
their dispatcher — go through ``matters.services.talent_demand_raise``, raised by the talent
in the portal or by the talent office for a talent, exactly as a person would.

Talents: the talents' demo loads first (about 300). When it has not (an installation that
loads only part of the demo), the few talents the demands need are created here, as is the
doctor of the case; each is looked up by its ID's blind index first, so a second load adds
nothing. All names are fictional. Idempotent: a second load adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.audit.services import audit_write, snapshot
from zhaoyin.demo.matter_history import at_shanghai
from zhaoyin.demo.matters import _Actors, _history, _save
from zhaoyin.matters.choices import DemandCategory, MatterKind, MatterSource, Rating
from zhaoyin.matters.clocks import default_handle_days, sign_days
from zhaoyin.matters.flow import State
from zhaoyin.matters.inputs import TalentDemandInput
from zhaoyin.matters.models import Matter, MatterCoUnit
from zhaoyin.matters.routing import route_unit
from zhaoyin.matters.services import next_matter_code, talent_demand_raise
from zhaoyin.talents.crypto import id_blind_index, id_fields, phone_fields
from zhaoyin.talents.models import Channel, Education, Talent, TalentStatus, Title
from zhaoyin.workcalendar.selectors import current_calendar

#: How many talent demands the demo year has (the report counts about 200 a year).
DEMANDS_PER_YEAR = 200
#: The fewest talents the demands are spread over; below it the module adds its own.
MIN_TALENTS = 12

#: What talents ask, per category (the report's five kinds and a few others).
DEMAND_TEXTS: dict[DemandCategory, tuple[tuple[str, str], ...]] = {
    DemandCategory.HOUSING: (
        ("申请入住人才公寓", "本人已与用人单位签订五年劳动合同，申请就近入住人才公寓，希望尽快安排房源。"),
        ("人才公寓租金减免申请", "已入住人才公寓，按人才层次申请租金减免，请核定减免比例。"),
        ("购房补贴申领咨询", "拟在本市首次购房，咨询人才购房补贴的申领条件和所需材料。"),
    ),
    DemandCategory.SCHOOLING: (
        ("子女就近入学协调", "子女今年秋季升入小学一年级，户籍尚未迁入，申请按人才政策就近入学。"),
        ("子女转学插班申请", "随迁子女读初中二年级，申请转入工作单位附近学校插班就读。"),
        ("子女入园安排", "孩子三岁，申请安排就近公办幼儿园入园。"),
    ),
    DemandCategory.SPOUSE_EMPLOYMENT: (
        ("配偶就业安置", "配偶原在外地企业从事财务工作，随迁来淮，希望协助推荐合适岗位。"),
        ("配偶随调申请", "配偶为外省事业单位在编人员，申请按人才政策随调安置。"),
    ),
    DemandCategory.PROJECT_APPLICATION: (
        ("平台引才奖补申报指导", "所在研发平台拟申报平台引才奖补，请指导申报材料的准备。"),
        ("省特支计划申报咨询", "拟申报省特支计划创新领军人才，咨询推荐程序和时间安排。"),
        ("人才项目资金拨付进度查询", "立项项目的首期资金尚未到位，请协助了解拨付进度。"),
    ),
    DemandCategory.MEDICAL: (
        ("高层次人才健康体检安排", "按人才服务政策申请年度健康体检，希望安排时间。"),
        ("就医绿色通道办理", "申请办理人才就医绿色通道（保健医疗服务卡）。"),
        ("父母异地医保备案协助", "随迁父母医保关系在外省，申请协助办理异地就医备案。"),
    ),
    DemandCategory.OTHER: (
        ("人才休假疗养安排", "申请参加今年人才休假疗养活动。"),
        ("户口迁入办理", "申请将本人及家属户口迁入本市，咨询办理流程。"),
    ),
}
#: How often each category comes (housing and schooling most, as in the report).
CATEGORY_WEIGHTS: dict[DemandCategory, int] = {
    DemandCategory.HOUSING: 30,
    DemandCategory.SCHOOLING: 25,
    DemandCategory.SPOUSE_EMPLOYMENT: 15,
    DemandCategory.PROJECT_APPLICATION: 15,
    DemandCategory.MEDICAL: 10,
    DemandCategory.OTHER: 5,
}
#: How the year's demands stand (most done and rated; every state present).
OUTCOME_WEIGHTS: dict[State, int] = {
    State.RATED: 48,
    State.CLOSED: 12,
    State.REPORTED: 8,
    State.ACCEPTED: 14,
    State.ASSIGNED: 6,
    State.RETURNED: 4,
    State.CANCELLED: 4,
    # A 不满意 waiting for the dispatcher's 核实 (issue 15).
    State.DISPUTED: 3,
}
#: How many of the year's demands are today's registrations (drafts, through the service).
DRAFTS_TODAY = 4
OPEN = (State.ASSIGNED, State.ACCEPTED, State.REPORTED)


@dataclass(frozen=True)
class DemoTalent:
    """A talent this module creates when the talents' demo has not loaded (fictional)."""

    name: str
    birth: dt.date
    female: bool
    education: str
    title: str
    unit: str
    employer_name: str
    channel: str = Channel.EMPLOYER.value
    station: str = ""
    tier: str = ""


#: The research-institute case's doctor (fictional), and the few talents added when needed.
CASE_DOCTOR = DemoTalent(
    "贺明远", dt.date(1984, 3, 17), False, Education.DOCTORATE.value, Title.ASSOCIATE.value, "park-gxq",
    "淮南智感监测装备研究院", Channel.STATION.value, "station-csj", "B",
)
SPARE_TALENTS = (
    DemoTalent("周若溪", dt.date(1991, 6, 2), True, Education.DOCTORATE.value, Title.INTERMEDIATE.value,
               "park-gxq", "淮南新材料创新研究院", tier="C"),
    DemoTalent("陆景川", dt.date(1988, 11, 9), False, Education.MASTER.value, Title.ASSOCIATE.value, "park-jkq",
               "淮南经开区智能制造公共服务平台", Channel.ENCLAVE.value, "station-g60", "D"),
    DemoTalent("沈知秋", dt.date(1993, 1, 25), True, Education.MASTER.value, Title.INTERMEDIATE.value, "340403",
               "淮南市第一人民医院", Channel.CAMPUS.value, tier="E"),
    DemoTalent("韩亦舟", dt.date(1986, 8, 14), False, Education.DOCTORATE.value, Title.SENIOR.value,
               "340402", "安徽理工大学淮南研究院", Channel.REFERRAL.value, tier="B"),
    DemoTalent("孟书瑶", dt.date(1995, 4, 30), True, Education.BACHELOR.value, Title.NONE.value, "340422",
               "寿县新桥国际产业园服务中心", Channel.CAMPUS.value),
    DemoTalent("程远航", dt.date(1990, 9, 12), False, Education.DOCTORATE.value, Title.INTERMEDIATE.value,
               "park-gxq", "淮南量子信息产业研究院", Channel.STATION.value, "station-csj", "C"),
    DemoTalent("许清和", dt.date(1987, 12, 3), False, Education.MASTER.value, Title.ASSOCIATE.value, "340421",
               "凤台县现代农业科技示范园", tier="D"),
    DemoTalent("林晚晴", dt.date(1992, 2, 18), True, Education.DOCTORATE.value, Title.INTERMEDIATE.value,
               "park-jkq", "淮南生物医药中试基地", Channel.ENCLAVE.value, "station-g60", "C"),
    DemoTalent("唐予安", dt.date(1989, 7, 7), False, Education.MASTER.value, Title.INTERMEDIATE.value, "340404",
               "淮南煤矿安全装备研究所", tier="E"),
    DemoTalent("苏念白", dt.date(1994, 10, 21), True, Education.MASTER.value, Title.NONE.value, "340405",
               "八公山区文旅发展中心", Channel.CAMPUS.value),
    DemoTalent("顾行之", dt.date(1985, 5, 5), False, Education.DOCTORATE.value, Title.SENIOR.value,
               "park-gxq", "淮南新能源储能研究院", Channel.REFERRAL.value, tier="A"),
    DemoTalent("叶知微", dt.date(1996, 3, 9), True, Education.BACHELOR.value, Title.NONE.value, "340406",
               "潘集区现代煤化工园区服务中心"),
)
#: The case's two matters (titles are the idempotence marker of the whole module).
CASE_FUND_TITLE = "智能监测装备研发平台300万元专项资金申报"
CASE_LAND_TITLE = "监测装备研发平台中试基地用地审批协调"


def _resident_id(birth: dt.date, serial: int, *, female: bool) -> str:
    """A well-formed 18-digit 居民身份证 number (GB 11643 check digit) of a 淮南 region code;
    the demo's serials start at 700 so they stay apart from the talents' demo."""
    seq = 700 + (serial % 150) * 2 + (0 if female else 1)
    body = f"340403{birth:%Y%m%d}{seq:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def _talent_ensure(
    spec: DemoTalent, serial: int, *, year: int, units: dict[str, OrgUnit], result: Any, account: User | None = None
) -> Talent:
    """The talent of ``spec`` (found by its ID's blind index, else created and audited)."""
    number = _resident_id(spec.birth, serial, female=spec.female)
    found = Talent.objects.filter(id_index=id_blind_index("resident", number)).first()
    if found is not None:
        return found
    arrival = dt.date(year, 1 + serial % 9, 3 + serial % 20)
    talent = Talent(
        name=spec.name,
        birth_date=spec.birth,
        sex="female" if spec.female else "male",
        education=spec.education,
        title=spec.title,
        employer_name=spec.employer_name,
        org_unit=units[spec.unit],
        arrival_date=min(arrival, timezone.localdate()),
        channel=spec.channel,
        station=units.get(spec.station) if spec.station else None,
        tier=spec.tier,
        tier_valid_until=dt.date(year + 3, 12, 31) if spec.tier else None,
        contract_start=arrival,
        contract_end=dt.date(year + 5, arrival.month, arrival.day),
        social_insurance_months=max(1, (timezone.localdate() - arrival).days // 30),
        account=account,
        **id_fields("resident", number),
        **phone_fields(f"139{serial:08d}"),
    )
    talent.refresh_search_text()
    talent.save()
    audit_write(action="talent.create", obj=talent, after=snapshot(talent))
    result.add("talents")
    return talent


def _talents(*, year: int, units: dict[str, OrgUnit], result: Any) -> tuple[list[Talent], Talent | None]:
    """The active talents the demands are spread over (the spare ones added when fewer than
    ``MIN_TALENTS`` are on record) and the demo talent's own record (created if missing)."""
    portal = User.objects.filter(username="demo_talent").first()
    own = Talent.objects.filter(account=portal).first() if portal is not None else None
    if portal is not None and own is None:
        spec = DemoTalent("江澄宇", dt.date(1990, 4, 12), False, Education.DOCTORATE.value, Title.INTERMEDIATE.value,
                          "park-gxq", "淮南高新区集成电路设计中心", Channel.STATION.value, "station-csj", "C")
        own = _talent_ensure(spec, 99, year=year, units=units, result=result, account=portal)
    pool = list(Talent.objects.filter(status=TalentStatus.ACTIVE).order_by("pk")[:400])
    if len(pool) < MIN_TALENTS:
        for n, spec in enumerate(SPARE_TALENTS, start=1):
            _talent_ensure(spec, n, year=year, units=units, result=result)
        pool = list(Talent.objects.filter(status=TalentStatus.ACTIVE).order_by("pk")[:400])
    return pool, own


@dataclass
class _Plan:
    """One demand to write with its history."""

    talent: Talent
    category: DemandCategory
    title: str
    description: str
    outcome: State
    received: dt.date


def _write(
    plan: _Plan,
    *,
    rng: random.Random,
    units: dict[str, OrgUnit],
    actors: _Actors,
    today: dt.date,
    lead: OrgUnit | None = None,
    kind: MatterKind = MatterKind.TALENT_DEMAND,
    rating: str = "",
) -> Matter:
    """Write one past demand (routed by its category unless ``lead`` is given) and its history."""
    cal = current_calendar()
    days = default_handle_days(kind) or 10
    lead = lead or route_unit(plan.category.value) or units["dept-rck"]
    handle_due, provisional = cal.add_workdays(plan.received, days)
    talent_user = plan.talent.account
    requester = talent_user or actors.dispatcher
    matter = Matter(
        code=next_matter_code(plan.received.year),
        title=plan.title,
        description=plan.description,
        source=MatterSource.TALENT_DEMAND,
        kind=kind,
        talent=plan.talent,
        demand_category=plan.category.value,
        requester=requester,
        requester_name=plan.talent.name,
        dispatcher_unit=units["dept-rck"],
        lead_unit=lead,
        state=plan.outcome.value,
        received_on=plan.received,
        handle_from=plan.received,
        handle_days=days,
        sign_deadline=cal.add_workdays(plan.received, sign_days())[0],
        handle_deadline=handle_due,
        deadlines_provisional=provisional,
        created_by=requester,
        created_at=min(at_shanghai(plan.received, 0), timezone.now()),
    )
    if not rating:
        ratings = (Rating.SATISFIED, Rating.SATISFIED, Rating.SATISFIED, Rating.BASICALLY_SATISFIED,
                   Rating.DISSATISFIED)
        rating = rng.choice(ratings).value
    report_on = cal.add_workdays(plan.received, rng.randint(2, days + 1))[0]
    events = _history(
        matter,
        plan.outcome,
        signed_late=rng.random() < 0.08,
        report_on=min(report_on, today),
        rating=rating,
        actors=actors,
        today=today,
        reason="该诉求不属于本单位职责，建议由市委组织部人才科统筹协调。",
        cancel_reason="人才本人已自行解决，申请撤回。",
        reopen_reason="人才对办理结果不满意，要求重新办理。",
        rater=talent_user,
    )
    _save(matter, events)
    return matter


def _case(
    doctor: Talent, *, year: int, units: dict[str, OrgUnit], actors: _Actors, today: dt.date, result: Any
) -> None:
    """The research-institute case: the platform's 300 万元 special fund (a project
    application to the talent office) and its pilot base's land approval (自然资源和规划局
    leads, the talent office co-ordinates); both done and rated satisfied."""
    rng = random.Random(f"demo-demands-case:{year}")  # noqa: S311 - demo data, not security
    cal = current_calendar()
    start = max(dt.date(year, 1, 1), doctor.arrival_date or dt.date(year, 1, 1))
    fund_on = min(cal.add_workdays(start, 10)[0], today)
    land_on = min(cal.add_workdays(fund_on, 25)[0], today)
    fund = _Plan(
        doctor, DemandCategory.PROJECT_APPLICATION, CASE_FUND_TITLE,
        "本人牵头的智能监测装备研发平台拟申报市级人才平台专项资金300万元，用于矿山安全监测传感器研发和中试线建设，"
        "请人才办指导申报并协调财政资金拨付进度。",
        State.RATED, fund_on,
    )
    _write(fund, rng=rng, units=units, actors=actors, today=today, rating=Rating.SATISFIED.value)
    land = _Plan(
        doctor, DemandCategory.OTHER, CASE_LAND_TITLE,
        "研发平台中试基地拟选址高新区约12亩工业用地，需办理用地预审和规划许可，请协调自然资源和规划局加快审批。",
        State.RATED, land_on,
    )
    matter = _write(
        land, rng=rng, units=units, actors=actors, today=today, lead=units.get("dept-zrzy"),
        kind=MatterKind.COORDINATION, rating=Rating.SATISFIED.value,
    )
    MatterCoUnit.objects.create(matter=matter, unit=units["dept-rck"])
    result.add("matters", 2)


def demands_ensure(*, year: int, result: Any) -> None:
    """Load the year's talent demands and the research-institute case once (module docstring)."""
    if Matter.objects.filter(source=MatterSource.TALENT_DEMAND, title=CASE_FUND_TITLE).exists():
        return
    rng = random.Random(f"demo-demands:{year}")  # noqa: S311 - demo data, not security
    cal = current_calendar()
    today = timezone.localdate()
    units = {u.code: u for u in OrgUnit.objects.all()}
    actors = _Actors()
    office = User.objects.filter(username="demo_talent_office").first()
    if office is not None:
        actors.dispatcher = office
    pool, own = _talents(year=year, units=units, result=result)
    doctor = _talent_ensure(CASE_DOCTOR, 0, year=year, units=units, result=result)
    _case(doctor, year=year, units=units, actors=actors, today=today, result=result)
    first, last = dt.date(year, 1, 2), min(today, dt.date(year, 12, 31))
    span = max((last - first).days, 0)
    categories, weights = list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values())
    outcomes, outcome_weights = list(OUTCOME_WEIGHTS), list(OUTCOME_WEIGHTS.values())
    for n in range(DEMANDS_PER_YEAR - DRAFTS_TODAY - 2):
        category = rng.choices(categories, weights)[0]
        title, description = rng.choice(DEMAND_TEXTS[category])
        outcome = rng.choices(outcomes, outcome_weights)[0]
        # Open demands are recent (some past their deadline); the finished ones span the year.
        back = rng.randint(0, 25) if outcome in OPEN else rng.randint(min(20, span), span)
        received = max(last - dt.timedelta(days=back), first)
        while not cal.is_workday(received) and received > first:
            received -= dt.timedelta(days=1)
        # Every fifth demand is the demo talent's own, so the portal shows a history.
        talent = own if own is not None and n % 5 == 0 else pool[n % len(pool)]
        _write(_Plan(talent, category, title, description, outcome, received),
               rng=rng, units=units, actors=actors, today=today)
        result.add("matters")
    _drafts_today(rng, pool=pool, own=own, office=office, result=result)


def _drafts_today(
    rng: random.Random, *, pool: list[Talent], own: Talent | None, office: User | None, result: Any
) -> None:
    """Today's registrations through the service: the demo talent's own (in the portal) and
    the talent office's for other talents (drafts waiting for their dispatcher)."""
    for n in range(DRAFTS_TODAY):
        category = list(DEMAND_TEXTS)[n % len(DEMAND_TEXTS)]
        title, description = rng.choice(DEMAND_TEXTS[category])
        if n == 0 and own is not None and own.account is not None:
            user, talent_id = own.account, None
        elif office is not None:
            user, talent_id = office, pool[(7 * n) % len(pool)].pk
        else:
            continue
        data = TalentDemandInput.of(demand_category=category.value, description=description, title=title,
                                    talent=talent_id)
        talent_demand_raise(acting_user=user, data=data)
        result.add("matters")
