"""The demo's talent projects (人才项目申报, issue 13 items 6 and 11).

Three programmes — the province's 特支计划, the city's 平台引才奖补 (at most 500 万元 a project)
and the city's 领军人才计划 — with the demo year's rounds, and about 24 applications of the
recognized talents in every state of the table. The research-institute case's doctor applies
to 平台引才奖补 for his monitoring-equipment R&D platform: 300 万元 requested, approved in full
and paid in two instalments (the special fund his talent demand asked about).

Everything goes through ``talentprojects.services`` as the system (``acting_user=None``),
each decision dated (the services take the document's date) and never later than today;
a round that has not opened yet by today gets no applications. Runs after ``demands_ensure``
(the talents: the talents' demo, or the few the demands add without it). Idempotent: a second load
adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.demo.demands_demo import CASE_DOCTOR, _talent_ensure
from zhaoyin.talentprojects import services
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
    TalentProjectInput,
)
from zhaoyin.talentprojects.inputs import (
    TalentProjectReasonInput as ReasonInput,
)
from zhaoyin.talentprojects.models import Programme, ProgrammeRound, ProjectState, TalentProject
from zhaoyin.talents.models import Talent, TalentStatus

#: (code, name, level, sponsor, cap in 万元) — fictional programmes in the style of the report's.
PROGRAMMES = (
    ("tzjh", "安徽省特支计划", "province", "省委组织部", None),
    ("ptyc", "平台引才奖补", "city", "市委组织部人才科", Decimal(500)),
    ("lyrc", "淮南市领军人才计划", "city", "市委组织部人才科", Decimal(200)),
)
#: (programme code, round name, opens (month, day), closes (month, day)).
ROUNDS = (
    ("ptyc", "第一批", (1, 15), (3, 31)),
    ("tzjh", "年度申报", (3, 1), (4, 30)),
    ("lyrc", "年度申报", (4, 1), (5, 31)),
    ("ptyc", "第二批", (7, 1), (8, 31)),
)
#: What the demo talents apply for (title, requested 万元).
TITLES = (
    ("新型储能材料中试平台建设", Decimal(200)),
    ("煤矿井下智能巡检机器人研发", Decimal(150)),
    ("量子精密测量传感器产业化", Decimal(300)),
    ("生物医药中试公共服务平台", Decimal(180)),
    ("工业互联网安全监测系统研发", Decimal(120)),
    ("高效光伏组件关键工艺攻关", Decimal(160)),
    ("智能网联汽车零部件检测平台", Decimal(100)),
    ("现代农业种质资源创新团队", Decimal(80)),
)
#: The outcome of each application in turn (every state of the table appears).
OUTCOMES = (
    ProjectState.FUNDED, ProjectState.APPROVED, ProjectState.RECOMMENDED, ProjectState.APPLIED,
    ProjectState.FUNDED, ProjectState.DECLINED, ProjectState.APPROVED, ProjectState.WITHDRAWN,
)
CASE_TITLE = "智能监测装备研发平台专项资金"
APPLICATIONS = 24


def _step(previous: dt.date, days: int, today: dt.date) -> dt.date:
    """``days`` after ``previous``, never past today (nor before ``previous``)."""
    return max(previous, min(previous + dt.timedelta(days=days), today))


def _advance(project: TalentProject, outcome: str, *, approved: Decimal, today: dt.date, rng: random.Random) -> None:
    """Take ``project`` (applied) to ``outcome`` through the services, each step dated."""
    day = project.applied_on
    if outcome == ProjectState.APPLIED:
        return
    if outcome == ProjectState.WITHDRAWN:
        services.project_withdraw(acting_user=None, project=project, data=ReasonInput.of(
            reason="申报人已调离原单位，申请撤回。", on=_step(day, 5, today).isoformat()))
        return
    day = _step(day, rng.randint(5, 15), today)
    if outcome == ProjectState.DECLINED and rng.random() < 0.5:
        services.project_not_recommend(acting_user=None, project=project, data=ReasonInput.of(
            reason="申报材料中的研发投入证明不完整。", on=day.isoformat()))
        return
    services.project_recommend(acting_user=None, project=project, data=DecisionInput.of(on=day.isoformat()))
    if outcome == ProjectState.RECOMMENDED:
        return
    day = _step(day, rng.randint(15, 40), today)
    if outcome == ProjectState.DECLINED:
        services.project_reject(acting_user=None, project=project, data=ReasonInput.of(
            reason="经专家评审，项目创新性不足，不予立项。", on=day.isoformat()))
        return
    services.project_approve(acting_user=None, project=project, data=ApproveInput.of(
        approved_wan=str(approved), on=day.isoformat()))
    if outcome == ProjectState.APPROVED:
        return
    first = (approved / 2).quantize(Decimal("0.01"))
    for amount, note in ((first, "首期资金"), (approved - first, "二期资金")):
        day = _step(day, rng.randint(20, 60), today)
        services.project_fund(acting_user=None, project=project, data=FundInput.of(
            amount_wan=str(amount), paid_on=day.isoformat(), note=note))


def _rounds(year: int) -> dict[tuple[str, str], ProgrammeRound]:
    programmes = {
        code: services.programme_ensure(
            acting_user=None, code=code, name=name, level=level, sponsor=sponsor, max_funding_wan=cap
        )
        for code, name, level, sponsor, cap in PROGRAMMES
    }
    return {
        (code, name): services.round_ensure(
            acting_user=None, programme=programmes[code], year=year, name=f"{year}年{name}",
            opens_on=dt.date(year, *opens), closes_on=dt.date(year, *closes),
        )
        for code, name, opens, closes in ROUNDS
    }


def talentprojects_ensure(*, year: int, result: Any) -> None:
    """Load the programmes, rounds and applications once (see the module docstring)."""
    if TalentProject.objects.filter(title=CASE_TITLE, round__year=year).exists():
        return
    rng = random.Random(f"demo-talentprojects:{year}")  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    before = (Programme.objects.count(), ProgrammeRound.objects.count())
    rounds = _rounds(year)
    result.add("talent_programmes", Programme.objects.count() - before[0])
    result.add("talent_rounds", ProgrammeRound.objects.count() - before[1])
    units = {u.code: u for u in OrgUnit.objects.all()}
    doctor = _talent_ensure(CASE_DOCTOR, 0, year=year, units=units, result=result)
    first = rounds[("ptyc", "第一批")]
    if first.opens_on <= today:
        case = services.project_create(acting_user=None, data=TalentProjectInput.of(
            round=first.pk, talent=doctor.pk, title=CASE_TITLE, requested_wan="300",
            summary="矿山安全在线监测装备研发平台：多参数传感器、边缘计算网关和中试线建设。",
            applied_on=_step(first.opens_on, 10, today).isoformat(),
        ))
        _advance(case, ProjectState.FUNDED, approved=Decimal(300), today=today, rng=rng)
        result.add("talent_projects")
    pool = list(Talent.objects.filter(status=TalentStatus.ACTIVE).exclude(tier="").exclude(pk=doctor.pk)
                .order_by("pk")[:60])
    if len(pool) < 8:
        pool += list(Talent.objects.filter(status=TalentStatus.ACTIVE, tier="").exclude(pk=doctor.pk)
                     .order_by("pk")[: 8 - len(pool)])
    open_rounds = [r for r in rounds.values() if r.opens_on <= today]
    if not pool or not open_rounds:
        return
    for n in range(APPLICATIONS):
        rnd = open_rounds[n % len(open_rounds)]
        talent = pool[n % len(pool)]
        if TalentProject.objects.filter(round=rnd, talent=talent).exists():
            continue
        title, requested = TITLES[n % len(TITLES)]
        # An application asks at most the programme's cap (the service refuses more).
        requested = min(requested, rnd.programme.max_funding_wan or requested)
        last = min(rnd.closes_on, today)
        applied = rnd.opens_on + dt.timedelta(days=rng.randint(0, max((last - rnd.opens_on).days, 0)))
        project = services.project_create(acting_user=None, data=TalentProjectInput.of(
            round=rnd.pk, talent=talent.pk, title=title, requested_wan=str(requested), applied_on=applied.isoformat(),
        ))
        approved = min(requested, rnd.programme.max_funding_wan or requested)
        _advance(project, OUTCOMES[n % len(OUTCOMES)], approved=approved, today=today, rng=rng)
        result.add("talent_projects")
