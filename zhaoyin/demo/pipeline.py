"""The demo's investment pipeline (DESIGN 9, issue 3 item 9): projects, funds, targets.

Everything goes through the domain services (``project_create``, ``project_change_stage``,
``fund_entry_add``, ``target_set``) so the demo's records carry the same stage events and audit
records as a person's work. Projects are found by name, fund entries by project × month ×
source × kind and targets by year × indicator × unit, so a second run writes nothing.

The numbers reproduce the report: funds from outside the city January–September of the demo
year total exactly 510.93 亿元 against a city target of 660 亿元 (completion 77.41 %). Each
project has its own funding pace; every January–September entry is verified by the city's
verifier (``demo_city_admin``) with a bank slip, and two October entries are left reported
(one flagged) for the verifier's queue and the 填报/核实 switch.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.demo import data
from zhaoyin.projects.choices import MAIN_LINE, AttractionMethod, FundKind, FundSource, SourceRegion, Stage
from zhaoyin.projects.inputs import FundEntryInput, FundVerifyInput, ProjectInput, StageChangeInput
from zhaoyin.projects.models import FundEntry, Project
from zhaoyin.projects.services import fund_entry_add, fund_entry_verify, project_change_stage, project_create
from zhaoyin.targets.inputs import TargetSetInput
from zhaoyin.targets.models import Target
from zhaoyin.targets.services import target_set

if TYPE_CHECKING:
    from zhaoyin.demo.services import LoadResult

#: Funds in place January–September of the demo year, in 万元 (510.93 亿元).
FUNDS_TOTAL_WAN = Decimal("5109300.00")
#: The last month of the report's funds period.
FUNDS_LAST_MONTH = 9
#: The city's annual target for funds from outside the city, 亿元.
CITY_FUNDS_TARGET = Decimal(660)
#: How the city target is split: counties and the parks under the city sum to 660; 新桥 is
#: inside 寿县, so its target is part of 寿县's and not added again.
UNIT_FUNDS_TARGETS: dict[str, Decimal] = {
    "340402": Decimal(45),
    "340403": Decimal(70),
    "340404": Decimal(40),
    "340405": Decimal(25),
    "340406": Decimal(50),
    "340421": Decimal(55),
    "340422": Decimal(120),
    "park-gxq": Decimal(85),
    "park-jkq": Decimal(75),
    "park-mhg": Decimal(80),
    "park-maoji": Decimal(15),
    "park-xinqiao": Decimal(70),
}
#: City targets of the project-count indicators (个).
COUNT_TARGETS: dict[str, Decimal] = {"signed_100m": Decimal(40), "started_100m": Decimal(30), "producing": Decimal(20)}

HANBANG_PROJECT = "汉邦日化二期医疗器械生产项目"
SAIWEI_PROJECT = "赛纬锂电池电解液项目"
BEIKE_PROJECT = "贝可科技触摸屏盖板玻璃项目"

#: A date relative to the demo year: (years back, month, day).
When = tuple[int, int, int]

Y = SourceRegion.YANGTZE_DELTA
P = SourceRegion.PEARL_DELTA
J = SourceRegion.JINGJINJI
IN = SourceRegion.IN_PROVINCE
OD = SourceRegion.OTHER_DOMESTIC
OV = SourceRegion.OVERSEAS


@dataclass(frozen=True)
class ProjectSpec:
    """One demo project: its fields and its stage path (main-line stages with their dates,
    then optionally a side state — on hold or terminated — with its date and reason)."""

    name: str
    investor_name: str
    region: str
    industry: str
    unit: str
    investment_wan: int
    path: tuple[tuple[Stage, When], ...]
    method: str = AttractionMethod.OTHER
    investor: str | None = None  # a demo enterprise's name
    content: str = ""
    side: tuple[Stage, When, str] | None = None
    #: Days from signing to the planned start, and from the planned start to the planned
    #: production (issue 15 item 9): the plans a signed project carries, so that the ones that
    #: have not started in time light yellow or red as the alert rules say (docs/targets.md).
    plan: tuple[int, int] = (90, 540)


def _steps(first: When, stage: Stage, gap: int) -> tuple[tuple[Stage, When], ...]:
    """Main-line stages from lead to ``stage``, ``gap`` days apart, starting at ``first``."""
    start = dt.date(2003 + first[0], first[1], first[2])  # non-leap base years keep m/d valid
    out: list[tuple[Stage, When]] = []
    for i, step in enumerate(MAIN_LINE[: MAIN_LINE.index(stage) + 1]):
        day = start + dt.timedelta(days=gap * i)
        out.append((step, (day.year - 2003, day.month, day.day)))
    return tuple(out)


def _after(path: tuple[tuple[Stage, When], ...], gap: int) -> When:
    last = path[-1][1]
    day = dt.date(2003 + last[0], last[1], last[2]) + dt.timedelta(days=gap)
    return (day.year - 2003, day.month, day.day)


def _generic(
    name: str, investor: str, region: str, industry: str, unit: str, wan: int, first: When, stage: Stage, gap: int,
    method: str = AttractionMethod.OTHER, side: tuple[Stage, str] | None = None, plan: tuple[int, int] = (90, 540),
) -> ProjectSpec:
    path = _steps(first, stage, gap)
    return ProjectSpec(
        name, investor, region, industry, unit, wan, path, method,
        side=(side[0], _after(path, gap), side[1]) if side else None, plan=plan,
    )


S = Stage
BR, FUND, RES, CHAIN, EVT = (AttractionMethod.BUSINESS_REFERRAL, AttractionMethod.FUND,
                             AttractionMethod.RESIDENT_OFFICE, AttractionMethod.CHAIN_LEADER, AttractionMethod.EVENT)
LOCAL = AttractionMethod.LOCAL_EXPANSION

PROJECTS: list[ProjectSpec] = [
    ProjectSpec(
        # 汉邦 already makes wet wipes in 新桥: its second phase is a local firm's expansion
        # (本地企业增资扩产), not 以商招商, with capital from within the province.
        HANBANG_PROJECT, data.HANBANG, IN, data.HLT, "park-xinqiao", 27800,
        ((S.LEAD, (-1, 10, 12)), (S.NEGOTIATING, (0, 1, 8)), (S.SIGNED, (0, 3, 18)),
         (S.REGISTERED, (0, 5, 6)), (S.STARTED, (0, 9, 16))),
        LOCAL, investor=data.HANBANG, plan=(150, 420),
        content="建设医疗器械及卫生用品生产线；一期湿巾年产3.5亿包，二期医用敷料及一次性医疗器械。",
    ),
    ProjectSpec(
        # 赛纬 is a 珠海 firm and 贝可 a 深圳 one: both come from the Pearl River Delta.
        SAIWEI_PROJECT, data.SAIWEI, P, data.MAT, "park-mhg", 250000,
        ((S.LEAD, (0, 6, 2)), (S.NEGOTIATING, (0, 7, 1)), (S.SIGNED, (0, 8, 19))),
        CHAIN, investor=data.SAIWEI, plan=(150, 540),
        content="建设锂电池电解液及配套添加剂生产线，依托园区煤化工原料就地转化。",
    ),
    ProjectSpec(
        BEIKE_PROJECT, data.BEIKE, P, data.IT, "park-gxq", 120000,
        ((S.LEAD, (-1, 3, 10)), (S.NEGOTIATING, (-1, 4, 20)), (S.SIGNED, (-1, 6, 18)),
         (S.REGISTERED, (-1, 7, 25)), (S.STARTED, (-1, 9, 8)), (S.PRODUCING, (0, 6, 28))),
        RES, investor=data.BEIKE, plan=(60, 300), content="建设触摸屏盖板玻璃生产线，年产盖板玻璃3000万片。",
    ),
    _generic("煤制烯烃升级改造项目", "国能化工投资（北京）有限公司", J, data.CHEM, "park-mhg", 1500000,
             (-1, 2, 15), S.STARTED, 60, CHAIN),
    _generic("新型储能电池制造基地", "上海储源新能源科技有限公司", Y, data.NEV, "park-mhg", 800000,
             (-1, 5, 10), S.STARTED, 50, FUND),
    _generic("光伏组件及储能一体化项目", "江苏晶辉光能有限公司", Y, data.POWER, "340421", 600000,
             (-1, 4, 1), S.PRODUCING, 70, EVT),
    _generic("动力电池产业园项目", "深圳锂动科技有限公司", P, data.NEV, "park-jkq", 1000000,
             (-1, 3, 5), S.STARTED, 65, CHAIN),
    _generic("集成电路封装测试项目", "苏州芯测半导体有限公司", Y, data.IT, "park-gxq", 450000,
             (-1, 7, 20), S.STARTED, 45, FUND),
    _generic("新能源汽车零部件产业园", "宁波驰航汽车部件有限公司", Y, data.NEV, "park-xinqiao", 350000,
             (-1, 9, 2), S.REGISTERED, 55, BR),
    _generic("高端数控机床生产项目", "北京精机装备有限公司", J, data.EQP, "park-jkq", 120000,
             (-1, 6, 12), S.FULL_CAPACITY, 60, RES),
    _generic("生物医药创新产业园", "杭州康源生物科技有限公司", Y, data.HLT, "park-gxq", 200000,
             (0, 1, 10), S.SIGNED, 40, FUND),
    _generic("焦岗湖绿色食品加工项目", "合肥谷丰食品有限公司", IN, data.FOOD, "park-maoji", 60000,
             (-1, 10, 8), S.PRODUCING, 50, EVT),
    _generic("毛集风电场二期项目", "中电新能（北京）投资有限公司", J, data.POWER, "park-maoji", 400000,
             (-1, 8, 1), S.STARTED, 75),
    _generic("算力中心及大数据产业园", "上海云算科技有限公司", Y, data.IT, "340403", 300000,
             (-1, 11, 15), S.STARTED, 60, RES),
    _generic("铝基新材料精深加工项目", "山东鑫铝新材料有限公司", OD, data.MAT, "340404", 150000,
             (0, 2, 20), S.REGISTERED, 35, BR),
    _generic("八公山豆制品产业园", "安徽豆香食品集团有限公司", IN, data.FOOD, "340405", 80000,
             (0, 3, 3), S.SIGNED, 45, EVT, plan=(150, 540)),
    _generic("煤基新材料一体化项目", "陕西煤化新材料有限公司", OD, data.CHEM, "340406", 500000,
             (-1, 5, 20), S.PRODUCING, 70, CHAIN),
    _generic("智能矿山装备制造项目", "徐州智矿装备有限公司", Y, data.EQP, "340402", 100000,
             (0, 4, 15), S.NEGOTIATING, 40, RES),
    _generic("功能性面料生产项目", "绍兴锦纶纺织有限公司", Y, data.TEX, "340422", 50000,
             (0, 5, 10), S.LEAD, 30, EVT),
    _generic("家电核心零部件项目", "佛山美智电器配件有限公司", P, data.APPL, "park-xinqiao", 180000,
             (-1, 12, 1), S.STARTED, 60, BR),
    _generic("工业软件研发中心", "南京数擎软件有限公司", Y, data.IT, "340403", 30000,
             (0, 7, 1), S.NEGOTIATING, 30, RES),
    _generic("新型绿色建材项目", "河南建华新材有限公司", OD, data.BLD, "340421", 70000,
             (0, 8, 5), S.LEAD, 30),
    _generic("医用耗材生产项目", "上海康仪医疗器械有限公司", Y, data.HLT, "340404", 90000,
             (0, 6, 18), S.NEGOTIATING, 45, BR),
    _generic("新型显示模组项目", "深圳显芯光电有限公司", P, data.IT, "park-gxq", 650000,
             (-1, 4, 18), S.PRODUCING, 75, CHAIN),
    _generic("汽车电子控制器项目", "新加坡驰联电子有限公司", OV, data.NEV, "park-jkq", 250000,
             (0, 1, 20), S.STARTED, 50, RES),
    _generic("氢能制储加一体化项目", "北京氢源能源科技有限公司", J, data.CHEM, "park-mhg", 300000,
             (0, 9, 10), S.NEGOTIATING, 30, FUND),
    _generic("冷链物流园项目", "南京鲜达供应链有限公司", Y, data.FOOD, "340402", 40000,
             (-1, 9, 1), S.NEGOTIATING, 60, EVT, side=(S.ON_HOLD, "投资方资金链调整，暂缓推进。")),
    _generic("焦化产能置换项目", "山西焦源能源有限公司", OD, data.COAL, "340406", 200000,
             (-1, 6, 1), S.NEGOTIATING, 50, side=(S.TERMINATED, "不符合能耗双控要求，终止洽谈。")),
    _generic("光电传感器项目", "武汉光感科技有限公司", OD, data.IT, "340404", 80000,
             (-1, 10, 10), S.SIGNED, 60, BR, side=(S.ON_HOLD, "土地报批未完成，待用地指标落实。")),
]


def _date(year: int, when: When, today: dt.date) -> dt.date:
    """The calendar date of ``when`` in the demo ``year``, never after today."""
    return min(dt.date(year + when[0], when[1], when[2]), today)


def planned_dates(spec: ProjectSpec, *, year: int, today: dt.date) -> dict[str, dt.date]:
    """The planned start and production of a project that has been signed (none before: a
    lead or a talk has no construction plan yet), counted from its signing day."""
    signed = dict(spec.path).get(Stage.SIGNED)
    if signed is None:
        return {}
    start = _date(year, signed, today) + dt.timedelta(days=spec.plan[0])
    return {"planned_start_on": start, "planned_production_on": start + dt.timedelta(days=spec.plan[1])}


def _create(spec: ProjectSpec, *, year: int, today: dt.date) -> Project:
    from zhaoyin.demo.services import demo_uscc

    investor = None
    if spec.investor is not None:
        unit = next(u for n, _i, u in data.ENTERPRISES if n == spec.investor)
        investor = demo_uscc(spec.investor, unit)
    project = project_create(
        acting_user=None,
        data=ProjectInput.parse({
            "name": spec.name,
            "investor": investor,
            "investor_name": spec.investor_name,
            "source_region": spec.region,
            "industry": spec.industry,
            "org_unit": spec.unit,
            "total_investment_wan": Decimal(spec.investment_wan),
            "construction_content": spec.content,
            "attraction_method": spec.method,
            "first_contact_on": _date(year, spec.path[0][1], today),
            **planned_dates(spec, year=year, today=today),
        }),
    )
    for stage, when in spec.path[1:]:
        project_change_stage(
            acting_user=None, project=project, data=StageChangeInput.of(stage=stage, date=_date(year, when, today))
        )
    if spec.side is not None:
        stage, when, reason = spec.side
        project_change_stage(
            acting_user=None,
            project=project,
            data=StageChangeInput.of(stage=stage, date=_date(year, when, today), reason=reason),
        )
    return project


def _source(region: str) -> str:
    if region == SourceRegion.IN_PROVINCE:
        return FundSource.OUTSIDE_CITY.value
    if region == SourceRegion.OVERSEAS:
        return FundSource.FOREIGN.value
    return FundSource.OUTSIDE_PROVINCE.value


def _pace(name: str) -> int:
    """A project's funding pace in percent of the average (40–160), fixed by its name."""
    return random.Random("pace:" + name).randint(40, 160)  # noqa: S311 - fixture data, not security


def _capped_shares(total: int, weights: list[int], caps: list[int]) -> list[int]:
    """``total`` split in proportion to ``weights``, none above its cap (the excess of a capped
    share is split again among the others; whole fen, the last remainder to the largest room)."""
    shares = [0] * len(weights)
    open_ = set(range(len(weights)))
    left = total
    while left > 0 and open_:
        weight = sum(weights[i] for i in open_)
        capped = {i for i in open_ if shares[i] + left * weights[i] // weight >= caps[i]}
        if not capped:
            for i in open_:
                shares[i] += left * weights[i] // weight
            left = total - sum(shares)
            room = max(open_, key=lambda i: caps[i] - shares[i])
            shares[room] += left
            break
        for i in capped:
            left -= caps[i] - shares[i]
            shares[i] = caps[i]
        open_ -= capped
    if left > 0:  # every cap reached (a demo loaded early in the year): the total still holds
        shares[-1] += left
    return shares


def fund_plan(year: int, today: dt.date) -> list[tuple[str, dt.date, Decimal, str, str]]:
    """The demo's fund entries (project name, month, 万元, source, kind): the total spread over
    the projects signed (or later) by the end of September, weighted by investment × months
    funded, each month jittered deterministically; the rounding remainder goes on the last
    entry, so the sum is exactly ``FUNDS_TOTAL_WAN`` (when at least one month is not future)."""
    last_month = dt.date(year, FUNDS_LAST_MONTH, 1)
    funded: list[tuple[ProjectSpec, list[dt.date]]] = []
    for spec in PROJECTS:
        signed = dict(spec.path).get(Stage.SIGNED)
        if signed is None or spec.side is not None:
            continue
        signed_on = dt.date(year + signed[0], signed[1], signed[2])
        first = dt.date(year, 1, 1) if signed_on.year < year else signed_on.replace(day=1)
        months = [
            dt.date(year, m, 1)
            for m in range(first.month if first.year == year else 1, FUNDS_LAST_MONTH + 1)
            if dt.date(year, m, 1) <= min(last_month, today.replace(day=1))
        ]
        if months and signed_on <= dt.date(year, FUNDS_LAST_MONTH, 30):
            funded.append((spec, months))
    if not funded:
        return []
    total_fen = int(FUNDS_TOTAL_WAN * 100)
    # Each project has its own pace (40–160 % of the average, deterministic per name): funds
    # vary by project as in a real report instead of following the investment at one ratio.
    weights = [spec.investment_wan * len(months) * _pace(spec.name) for spec, months in funded]
    # Below each project's total investment and no month above the flagged share (the entries
    # must pass the plausibility rules unflagged): a capped project's excess goes to the others.
    caps = [
        int(spec.investment_wan * 100 * min(Decimal("0.95"), Decimal("0.35") * len(months)))
        for spec, months in funded
    ]
    shares = _capped_shares(total_fen, weights, caps)
    entries: list[tuple[str, dt.date, int, str, str]] = []
    for (spec, months), share in zip(funded, shares, strict=True):
        rng = random.Random("funds:" + spec.name)  # noqa: S311 - fixture data, not security
        jitter = [rng.randint(70, 130) for _m in months]
        kinds = [FundKind.OTHER.value if rng.random() < 0.15 else FundKind.FIXED_ASSET.value for _m in months]
        for month, j, kind in zip(months, jitter, kinds, strict=True):
            entries.append((spec.name, month, share * j // sum(jitter), _source(spec.region), kind))
    remainder = total_fen - sum(e[2] for e in entries)
    name, month, fen, source, kind = entries[-1]
    entries[-1] = (name, month, fen + remainder, source, kind)
    return [(n, m, (Decimal(f) / 100).quantize(Decimal("0.01")), s, k) for n, m, f, s, k in entries]


def _targets_ensure(*, year: int, result: LoadResult) -> None:
    setter = User.objects.filter(username="demo_city_admin").first()
    if setter is None:  # the demo accounts are loaded first; without them no one may set targets
        return
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=[data.CITY_CODE, *UNIT_FUNDS_TARGETS])}
    wanted: list[tuple[str, str, Decimal]] = [("external_funds", data.CITY_CODE, CITY_FUNDS_TARGET)]
    wanted += [("external_funds", code, value) for code, value in UNIT_FUNDS_TARGETS.items()]
    wanted += [(indicator, data.CITY_CODE, value) for indicator, value in COUNT_TARGETS.items()]
    existing = set(Target.objects.filter(year=year).values_list("indicator", "org_unit__code"))
    for indicator, code, value in wanted:
        if (indicator, code) in existing:
            continue
        target_set(
            acting_user=setter, org_unit=units[code],
            data=TargetSetInput.of(year=year, indicator=indicator, value=value),
        )
        result.add("targets")


def pipeline_ensure(*, year: int, result: LoadResult) -> None:
    """Create the demo's missing projects (with their stage history), fund entries and targets
    for ``year``; count what was created into ``result``."""
    today = timezone.localdate()
    projects = {p.name: p for p in Project.objects.filter(name__in=[s.name for s in PROJECTS])}
    for spec in PROJECTS:
        if spec.name not in projects:
            projects[spec.name] = _create(spec, year=year, today=today)
            result.add("projects")
    existing = set(
        FundEntry.objects.filter(project__in=list(projects.values()), superseded_at__isnull=True).values_list(
            "project__name", "month", "source", "kind"
        )
    )
    for name, month, amount, source, kind in fund_plan(year, today):
        if (name, month, source, kind) in existing:
            continue
        entry = fund_entry_add(
            acting_user=None,
            project=projects[name],
            data=FundEntryInput.of(month=f"{month:%Y-%m}", amount_wan=amount, source=source, kind=kind),
        )
        _verify(entry)
        result.add("fund_entries")
    _october_ensure(projects, year=year, today=today, result=result)
    _targets_ensure(year=year, result=result)


#: A minimal PDF standing for a scanned 银行到账凭证 (the demo's proof of arrival).
_SLIP = b"%PDF-1.4\n% demo bank slip\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _verify(entry: FundEntry) -> None:
    """核实 a demo entry as the city's verifier (the 招商服务中心 admin) with a bank slip."""
    verifier = User.objects.filter(username="demo_city_admin").first()
    if verifier is None:  # the demo accounts are loaded first; without them nobody verifies
        return
    slip = SimpleUploadedFile(f"到账凭证-{entry.project.code}-{entry.month:%Y%m}.pdf", _SLIP, "application/pdf")
    fund_entry_verify(
        acting_user=verifier, entry=entry,
        data=FundVerifyInput.of(evidence_kind="bank_slip", note="演示数据：已核对银行到账凭证"), files=[slip],
    )


def _october_ensure(projects: dict[str, Project], *, year: int, today: dt.date, result: LoadResult) -> None:
    """A few October entries reported and left for the verifier (never before October is over
    in the demo year, the month must not be a future one): one ordinary, one flagged for a
    month above the configured share of the project's total."""
    october = dt.date(year, 10, 1)
    if october > today.replace(day=1):
        return
    reporter = User.objects.filter(username="demo_staff").first()
    signed = [
        p for p in projects.values()
        if p.signed_on is not None and p.stage not in (Stage.ON_HOLD, Stage.TERMINATED)
    ]
    signed.sort(key=lambda p: p.name)
    wanted: list[tuple[Project, Decimal | None]] = (
        [(signed[0], Decimal("1200.00")), (signed[-1], None)] if len(signed) >= 2 else []
    )
    have = set(FundEntry.objects.filter(month=october, project__in=signed).values_list("project_id", flat=True))
    for project, amount in wanted:
        if project.pk in have:
            continue
        if amount is None:  # flagged: more than the configured share of the total in one month
            amount = (project.total_investment_wan * Decimal("0.6")).quantize(Decimal("0.01"))
        fund_entry_add(
            acting_user=reporter if reporter is not None and reporter.org_unit_id == project.org_unit_id else None,
            project=project,
            data=FundEntryInput.of(
                month=f"{october:%Y-%m}", amount_wan=amount, source=_source(project.source_region),
                over_total_reason="含股东追加出资，待核", note="10月填报",
            ),
        )
        result.add("fund_entries")
