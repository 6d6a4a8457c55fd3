"""The demo's talent records (人才档案, issue 13 item 11): about 300 talents and the stations' leads.

Most talents work for the demo's enterprises of the six emerging industries; some for
institutions (a university, hospitals, research institutes) and some for traditional firms.
About one in five arrived through a talent station: 驻长三角人才工作站 (``station-csj``,
channel ``station``) or the G60 人才飞地 (``station-g60``, channel ``enclave``), and each station
has its leads — contacted, negotiating, lost, and arrived ones linked to those talents.

No tier is set here: a tier is written only by a recognition decision (the recognition demo
decides them). The demo talent account (``demo_talent``) is linked to a doctor brought in by
the 长三角 station, and a few more portal accounts (``talent_user_NN``) to other talents.
``RESEARCH_DOCTOR`` is the report's research-institute case (a doctor running a
monitoring-equipment R&D platform), for the demands and projects demos to refer to.

Everything goes through the talent services (audited, validated). Names, ID numbers and
phones are fictional; ID numbers are valid for their document type and fixed per talent,
which makes the load idempotent: a talent whose ID is registered is not planned again.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.services import user_create
from zhaoyin.core.roles import Role
from zhaoyin.demo import data
from zhaoyin.demo.accounts import DEMO_PASSWORD, demo_password_hash
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.lib.idcard import make_resident
from zhaoyin.talents import services
from zhaoyin.talents.crypto import id_blind_index
from zhaoyin.talents.inputs import DepartInput, LeadArrivedInput, LeadInput, LinkAccountInput, TalentInput
from zhaoyin.talents.models import Channel, LeadStatus, Talent, TalentLead
from zhaoyin.talents.validation import TalentLookups

if TYPE_CHECKING:
    from zhaoyin.demo.services import LoadResult

TARGET = 300
CSJ = "station-csj"
G60 = "station-g60"
DEMO_TALENT = "demo_talent"
#: Extra portal accounts (not ``demo_*``, which names the one account per role).
PORTAL_USERS = 5
#: The report's research-institute case: its talent record (fictional names).
RESEARCH_DOCTOR = "周博远"
RESEARCH_INSTITUTE = "淮南安全监测装备研究院"

#: Institutions that are not enterprises of 一企一档: (name, org unit, industry code or "").
INSTITUTIONS = [
    ("安徽理工大学", "340403", "new_materials"),
    ("淮南师范学院", "340403", ""),
    ("淮南市第一人民医院", "340403", "life_health"),
    ("淮南东方医院集团", "340404", "life_health"),
    (RESEARCH_INSTITUTE, "park-gxq", "equipment"),
    ("淮南新能源研究中心", "park-jkq", "nev"),
]
#: Areas of registration for the resident IDs (淮南's districts, 合肥, 上海, 江苏, 浙江, 湖北 …).
AREAS = ["340402", "340403", "340404", "340421", "340422", "340104", "310104", "320102", "330106", "420111",
         "370102", "510107", "610113", "110108", "410105"]
SCHOOLS = ["中国科学技术大学", "合肥工业大学", "安徽大学", "安徽理工大学", "上海交通大学", "复旦大学", "同济大学",
           "南京大学", "浙江大学", "华中科技大学", "东南大学", "中国矿业大学", "淮南师范学院", "安徽医科大学"]
MAJORS = {
    "it": ["计算机科学与技术", "软件工程", "电子信息工程", "人工智能"],
    "new_materials": ["材料科学与工程", "高分子材料", "应用化学"],
    "nev": ["电气工程", "车辆工程", "储能科学与工程"],
    "equipment": ["机械工程", "测控技术与仪器", "自动化"],
    "life_health": ["临床医学", "药学", "生物工程"],
    "green_food": ["食品科学与工程", "农学", "生物技术"],
    "": ["工商管理", "化学工程", "采矿工程", "经济学", "汉语言文学"],
}
FIELDS_OF_WORK = ["集成电路设计", "锂电池材料", "工业机器人", "生物医药", "新能源汽车电控", "食品检测", "大数据"]
CURRENT_EMPLOYERS = ["上海某芯片设计公司", "苏州某新材料公司", "杭州某软件公司", "上海某三甲医院", "南京某研究院",
                     "合肥某新能源公司", "嘉兴某装备制造公司"]
LEAD_NOTES = ["已电话沟通，意向较强", "参加长三角人才招聘会", "需解决子女入学", "关注人才公寓", ""]


@dataclass(frozen=True)
class Plan:
    """One planned talent: its input, and what the load does with it afterwards."""

    values: dict[str, Any]
    departed_on: dt.date | None = None


def _today(year: int) -> dt.date:
    """The latest day an arrival may carry: today, or the demo year's end if it is past."""
    return min(timezone.localdate(), dt.date(year, 12, 31))


def _day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max((last - first).days, 0)))


def _education(rng: random.Random) -> str:
    return rng.choices(["doctorate", "master", "bachelor", "college", "other"], weights=[16, 36, 38, 8, 2])[0]


def _title(rng: random.Random, education: str, age: int) -> str:
    if age >= 45:
        return rng.choice(["senior", "associate", "associate", "intermediate"])
    if education == "doctorate":
        return rng.choice(["associate", "intermediate", "intermediate", "none"])
    if age >= 32:
        return rng.choice(["intermediate", "intermediate", "junior", "none"])
    return rng.choice(["junior", "none", "none"])


def _id_document(rng: random.Random, index: int, born: dt.date, female: bool) -> tuple[str, str]:
    """(id_type, number): mostly resident IDs, a few passports and residence permits."""
    draw = rng.random()
    if draw < 0.02:
        return "passport", f"E{70_000_000 + index:08d}"
    if draw < 0.04:
        prefix = rng.choice(("810000", "820000", "830000"))
        return "hmt_residence", make_resident(prefix, born, index * 2 + (0 if female else 1))
    if draw < 0.05:
        return "foreign_permanent", make_resident("911840", born, index * 2 + (0 if female else 1))
    # The sequence's last digit is odd for a man; the index keeps the number unique.
    return "resident", make_resident(rng.choice(AREAS), born, (index % 500) * 2 + (0 if female else 1))


def _channel(rng: random.Random) -> tuple[str, str]:
    """(channel, station code or "")."""
    draw = rng.random()
    if draw < 0.13:
        return Channel.STATION, CSJ
    if draw < 0.21:
        return Channel.ENCLAVE, G60
    return rng.choice([Channel.CAMPUS, Channel.CAMPUS, Channel.REFERRAL, Channel.EMPLOYER, Channel.EMPLOYER,
                       Channel.EMPLOYER, Channel.OTHER]), ""


def _plans(year: int, firms: list[Enterprise]) -> list[Plan]:
    """The talents of the demo, drawn with a seeded generator so every load plans the same."""
    rng = random.Random("talents-demo")  # noqa: S311 - fixture data, not security
    today = _today(year)
    emerging = [f for f in firms if f.industry is not None and f.industry.emerging]
    traditional = [f for f in firms if f not in emerging]
    plans = [_research_doctor(today)]
    for index in range(1, TARGET):
        female = rng.random() < 0.42
        born = dt.date(rng.randint(1966, 2000), rng.randint(1, 12), rng.randint(1, 28))
        education = _education(rng)
        age = today.year - born.year
        id_type, number = _id_document(rng, index, born, female)
        channel, station = _channel(rng)
        values: dict[str, Any] = {
            "name": rng.choice(data.SURNAMES) + rng.choice(data.GIVEN_NAMES),
            "id_type": id_type,
            "id_number": number,
            "education": education,
            "title": _title(rng, education, age),
            "school": rng.choice(SCHOOLS),
            "channel": channel,
        }
        if id_type == "passport":
            values["birth_date"] = born
            values["sex"] = "female" if female else "male"
        if station:
            values["station"] = station
        where = rng.random()
        if where < 0.72 and emerging:
            firm = rng.choice(emerging)
        elif where < 0.87 and traditional:
            firm = rng.choice(traditional)
        else:
            firm = None
        if firm is not None:
            values["employer"] = str(firm.pk)
            values["org_unit"] = firm.org_unit.code
            industry = firm.industry.code if firm.industry is not None else ""
        else:
            name, unit, industry = rng.choice(INSTITUTIONS)
            values["employer_name"] = name
            values["org_unit"] = unit
        if industry:
            values["industry"] = industry
        values["major"] = rng.choice(MAJORS.get(industry, MAJORS[""]))
        # Arrived after studying, within the last six years (most recently: the programme grew).
        earliest = max(dt.date(today.year - 6, 1, 1), dt.date(born.year + 23, born.month, born.day))
        arrival = _day_between(rng, earliest, today) if earliest <= today else today
        if rng.random() < 0.5:
            arrival = max(arrival, _day_between(rng, dt.date(today.year - 2, 1, 1), today))
        values["arrival_date"] = arrival
        values["contract_start"] = arrival
        length = rng.choice((3, 3, 5, 5, 8))
        values["contract_end"] = arrival.replace(year=arrival.year + length, day=min(arrival.day, 28))
        months = (today.year - arrival.year) * 12 + today.month - arrival.month
        values["social_insurance_months"] = max(0, min(months - rng.randint(0, 3), 480))
        values["phone"] = f"1{rng.choice((35, 37, 38, 39, 58, 86, 89))}{rng.randint(0, 99_999_999):08d}"
        if rng.random() < 0.3:
            values["email"] = f"talent{index:03d}@example.com"
        departed = None
        if rng.random() < 0.04 and (today - arrival).days > 60:
            departed = _day_between(rng, arrival + dt.timedelta(days=30), today)
        plans.append(Plan(values, departed))
    return plans


def _research_doctor(today: dt.date) -> Plan:
    """The report's case: a doctor heading the institute's monitoring-equipment R&D platform,
    brought in by the 长三角 station (the demo talent account's own record)."""
    born = dt.date(1983, 6, 12)
    arrival = dt.date(today.year - 2, 4, 8)
    return Plan({
        "name": RESEARCH_DOCTOR,
        "id_type": "resident",
        "id_number": make_resident("320102", born, 137),
        "education": "doctorate",
        "title": "associate",
        "school": "中国矿业大学",
        "major": "安全科学与工程",
        "employer_name": RESEARCH_INSTITUTE,
        "org_unit": "park-gxq",
        "industry": "equipment",
        "channel": Channel.STATION,
        "station": CSJ,
        "arrival_date": arrival,
        "contract_start": arrival,
        "contract_end": dt.date(arrival.year + 5, arrival.month, arrival.day),
        "social_insurance_months": (today.year - arrival.year) * 12 + today.month - arrival.month,
        "phone": "13955400137",
        "email": "zhou.boyuan@example.com",
    })


def _portal_account(username: str, talent: Talent, result: LoadResult) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user, _uri = user_create(
            acting_user=None, username=username, password=DEMO_PASSWORD,
            password_hash=demo_password_hash(), roles=[Role.TALENT.value],
            org_unit=talent.org_unit, full_name=talent.name,
        )
        result.add("users")
    return user


def _link_accounts(talents: list[Talent], result: LoadResult) -> None:
    """``demo_talent`` (created with the demo accounts) → the research doctor; the
    ``talent_user_NN`` accounts (created here) → a few other talents still in the city."""
    pairs: list[tuple[str, Talent]] = [(DEMO_TALENT, talents[0])]
    active = [t for t in talents[1:] if t.status == "active"]
    pairs += [(f"talent_user_{n:02d}", t) for n, t in enumerate(active[7 : 7 + 11 * PORTAL_USERS : 11], start=1)]
    linked = set(Talent.objects.filter(account__isnull=False).values_list("account_id", flat=True))
    for username, talent in pairs:
        if talent.account_id is not None:
            continue
        user = User.objects.filter(username=username).first()
        if user is None and username == DEMO_TALENT:
            continue  # the demo accounts were not loaded: nothing to link
        user = user or _portal_account(username, talent, result)
        if user.pk in linked:
            continue
        services.talent_link_account(acting_user=None, talent=talent, data=LinkAccountInput.of(username=username))
        result.add("talent_accounts")


def _leads_ensure(*, year: int, result: LoadResult) -> None:
    """Each station's leads: about 14 open or lost, and one arrived lead per attributed talent
    (up to 10 a station). A station that has leads already is left as it is."""
    rng = random.Random("talent-leads")  # noqa: S311 - fixture data, not security
    today = _today(year)
    firms = list(Enterprise.objects.filter(industry__emerging=True).order_by("pk")[:40])
    for code in (CSJ, G60):
        station = OrgUnit.objects.filter(code=code).first()
        if station is None or TalentLead.objects.filter(station=station).exists():
            continue
        arrived = list(Talent.objects.filter(station=station).order_by("pk")[:10])
        for talent in arrived:
            contacted = (talent.arrival_date or today) - dt.timedelta(days=rng.randint(30, 200))
            lead = services.lead_create(acting_user=None, station=station, data=LeadInput.of(
                name=talent.name, education=talent.education, field_of_work=rng.choice(FIELDS_OF_WORK),
                current_employer=rng.choice(CURRENT_EMPLOYERS), contacted_on=contacted,
                note=rng.choice(LEAD_NOTES)))
            services.lead_mark_arrived(acting_user=None, lead=lead, data=LeadArrivedInput.of(talent=str(talent.pk)))
            result.add("talent_leads")
        for _n in range(14):
            values: dict[str, Any] = {
                "name": rng.choice(data.SURNAMES) + rng.choice(data.GIVEN_NAMES),
                "education": rng.choice(["doctorate", "doctorate", "master", "master", "bachelor"]),
                "field_of_work": rng.choice(FIELDS_OF_WORK),
                "current_employer": rng.choice(CURRENT_EMPLOYERS),
                "contacted_on": _day_between(rng, dt.date(today.year - 1, 1, 1), today),
                "note": rng.choice(LEAD_NOTES),
            }
            if firms and rng.random() < 0.6:
                values["target_employer"] = str(rng.choice(firms).pk)
            status = rng.choices([LeadStatus.CONTACTED, LeadStatus.NEGOTIATING, LeadStatus.LOST], weights=[5, 6, 3])[0]
            if status != LeadStatus.CONTACTED:
                values["status"] = status
            services.lead_create(acting_user=None, station=station, data=LeadInput.of(**values))
            result.add("talent_leads")


def talents_ensure(*, year: int, result: LoadResult) -> None:
    """About 300 talent records, portal accounts linked to some, and the stations' leads."""
    firms = list(Enterprise.objects.select_related("org_unit", "industry").order_by("pk"))
    plans = _plans(year, firms)
    indexes = [id_blind_index(p.values["id_type"], p.values["id_number"]) for p in plans]
    existing = {t.id_index: t for t in Talent.objects.filter(id_index__in=indexes)}
    lookups = TalentLookups.load(None)
    talents: list[Talent] = []
    for plan, index in zip(plans, indexes, strict=True):
        talent = existing.get(index)
        if talent is None:
            talent = services.talent_create(acting_user=None, data=TalentInput.of(**plan.values), lookups=lookups)
            result.add("talents")
            if plan.departed_on is not None:
                talent = services.talent_depart(acting_user=None, talent=talent,
                                                data=DepartInput.of(departed_on=plan.departed_on))
        talents.append(talent)
    _link_accounts(talents, result)
    _leads_ensure(year=year, result=result)
