"""The demo's 亩均 evaluation (issue 14 item 9): the year before the demo's, published.

Everything goes through the services a city's staff would use, in the order they would:

1. the 经信局's 亩均 office (``demo_mu_office``) imports the eight bureaus' workbooks kept in
   the repository (``demo.mujun_fixtures``) for the year, and records a bonus and a deduction;
2. creates the year's scheme from the Anhui-style template (规上 six indicators 30/20/20/10/10/10
   against the year's averages, 规下 ≥ 3 亩 亩均税收 50 + 单位电耗税收 50, utilities exempt,
   percentile bands A 25 % / B 70 % / C 95 % / D the rest) and runs it (初评);
3. proposes a 调档 (a C firm up to B, with its reason), which the city administrator approves
   (four-eyes), and opens the 公示;
4. the demo enterprise (汉邦日化) objects — the tax bureau's figure left out a branch's tax —
   with a stamped statement; the office upholds it with the corrected tax and the run is
   computed again; a second firm's objection (its land) is dismissed;
5. the 公示 is over (its dates are moved into the past: the only record the demo writes
   directly, so that the evaluation can be published today), the office publishes — the grades
   reach the eligibility engine (``mu_grade``) — and raises the D-grade firms' rectification
   matters in one bulk action.

Idempotent: a year that has a published run is left as it is.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhaoyin.accounts.models import User
from zhaoyin.accounts.services import user_create
from zhaoyin.demo import data
from zhaoyin.demo.accounts import DEMO_PASSWORD, demo_password_hash
from zhaoyin.demo.mujun_fixtures import FIXTURE_DIR, FIXTURE_YEAR, UNDER_REPORTED, UNDER_REPORTED_SHARE
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.mujun import consequences, input_services, scheme_services, services
from zhaoyin.mujun.flow import State
from zhaoyin.mujun.input_inputs import AdjustmentInput
from zhaoyin.mujun.inputs import (
    AnswerInput,
    GradeDecideInput,
    GradeProposeInput,
    ObjectionInput,
    RunCreateInput,
    StepInput,
)
from zhaoyin.mujun.models import MuObjection, MuResult, MuRun
from zhaoyin.mujun.scheme_data_templates import anhui_template
from zhaoyin.mujun.scheme_inputs import SchemeCreateInput
from zhaoyin.mujun.sources import Source
from zhaoyin.workcalendar.selectors import current_calendar

if TYPE_CHECKING:
    from zhaoyin.demo.services import LoadResult

OFFICE = "demo_mu_office"
APPROVER = "demo_city_admin"
#: The second objecting firm's portal account (the demo enterprise account is 汉邦日化's).
SECOND_FIRM = "淮南显界智能显示科技有限公司"
SECOND_ACCOUNT = "xianjie_liaison"
#: A PDF with the bytes a stamped statement has (core.files checks the magic bytes).
STATEMENT = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _figure(enterprise: Enterprise, figure: str, year: int) -> Decimal:
    return Decimal(str(enterprise.mu_inputs.get(year=year, figure=figure).value))


def _second_account(result: LoadResult) -> User:
    user = User.objects.filter(username=SECOND_ACCOUNT).first()
    if user is not None:
        return user
    firm = Enterprise.objects.get(name=SECOND_FIRM)
    user, _uri = user_create(
        acting_user=None, username=SECOND_ACCOUNT, password=DEMO_PASSWORD, password_hash=demo_password_hash(),
        roles=["enterprise"], org_unit=firm.org_unit, full_name="显界智能 联络员", enterprise_id=firm.pk,
    )
    result.add("users")
    return user


def _workdays_back(day: dt.date, n: int) -> dt.date:
    """The working day ``n`` working days before ``day``."""
    calendar = current_calendar()
    while n > 0:
        day -= dt.timedelta(days=1)
        if calendar.is_workday(day):
            n -= 1
    return day


def mujun_ensure(*, year: int, result: LoadResult) -> None:
    """Evaluate ``year - 1`` as the demo does (see the module docstring)."""
    eval_year = year - 1
    if MuRun.objects.filter(year=eval_year, state=State.PUBLISHED).exists():
        return
    office = User.objects.get(username=OFFICE)
    approver = User.objects.get(username=APPROVER)
    firm_user = User.objects.get(username="demo_enterprise")
    second_user = _second_account(result)
    # 1. The bureaus' workbooks (the fixtures report FIXTURE_YEAR's figures; the demo files them
    #    under its own evaluation year).
    for source in Source:
        content = (FIXTURE_DIR / f"{FIXTURE_YEAR}-{source.value}.xlsx").read_bytes()
        plan = input_services.mu_import_apply(acting_user=office, source=source, year=eval_year, content=content)
        if plan.errors:
            raise RuntimeError(f"demo workbook {source.value}: {plan.errors[:3]}")
        result.add("mu_imports")
    firms = {e.name: e for e in Enterprise.objects.filter(name__in=[n for n, _i, _u in data.ENTERPRISES])}
    for name, points, reason in (
        ("淮南赛纬电子材料有限公司", "3", "获评省级智能工厂"),
        ("淮南华瑞光电科技有限公司", "-5", "发生一般生产安全事故"),
    ):
        input_services.adjustment_add(acting_user=office, enterprise=firms[name], data=AdjustmentInput.parse(
            {"year": eval_year, "points": points, "reason": reason}))
    # 2. The scheme and the 初评.
    scheme = scheme_services.scheme_create(acting_user=office, data=SchemeCreateInput.parse({
        "year": eval_year, "name": f"{eval_year}年度工业企业亩均效益综合评价办法", "publicity_days": 5,
        "definition": anhui_template(eval_year),
    }))
    run = services.run_create(acting_user=office, data=RunCreateInput.parse({"scheme": scheme.pk}))
    result.add("mu_runs")
    # 3. 调档: the best C firm of the 规上 list goes up to B (four-eyes: the city admin decides).
    lifted = MuResult.objects.filter(run=run, grade="C").order_by("-score", "enterprise_id").first()
    if lifted is not None:
        change = services.grade_change_propose(acting_user=office, run=run, data=GradeProposeInput.parse({
            "result": lifted.pk, "to_grade": "B",
            "reason": "获评省级绿色工厂，经亩均评价联席会议研究上调一档",
        }))
        services.grade_change_decide(acting_user=approver, change=change, action="approve_grade",
                                     data=GradeDecideInput.parse({"note": "同意"}))
    run.refresh_from_db()
    run = services.run_step(acting_user=office, run=run, action="start_publicity", data=StepInput.parse({}))
    # 4. 异议: the under-reported tax (upheld, corrected) and a land objection (dismissed).
    hanbang = firms[UNDER_REPORTED]
    own = MuResult.objects.get(run=run, enterprise=hanbang)
    upheld = services.objection_submit(
        acting_user=firm_user, result=own,
        data=ObjectionInput.parse({"text": "税务部门提供的实缴税金未计入我公司寿县分公司缴纳的税款，"
                                           "请按完税证明核定的全年实缴税金重新计算。"}),
        files=[SimpleUploadedFile("完税证明.pdf", STATEMENT, content_type="application/pdf")],
    )
    taxed = _figure(hanbang, "tax", eval_year)
    full = (taxed / UNDER_REPORTED_SHARE).quantize(Decimal("0.01"))
    run.refresh_from_db()
    services.objection_answer(acting_user=office, objection=upheld, action="uphold", data=AnswerInput.parse({
        "reason": "经与税务部门核实，分公司税款应计入，按更正后的实缴税金重新计算。",
        "corrections": {"tax": str(full)},
    }))
    other = MuResult.objects.get(run=run, enterprise=firms[SECOND_FIRM])
    dismissed = services.objection_submit(
        acting_user=second_user, result=other,
        data=ObjectionInput.parse({"text": "我公司用地面积中含代征道路用地约 3 亩，应予扣除。"}),
    )
    services.objection_answer(acting_user=office, objection=dismissed, action="dismiss", data=AnswerInput.parse({
        "reason": "经自然资源部门核实，不动产权证载面积不含代征道路，用地面积不予调整。",
    }))
    # 5. The 公示 took place: its five working days end yesterday or earlier (the demo's one
    #    direct write), then the evaluation is published and the D firms' rectifications raised.
    today = timezone.localdate()
    start = _workdays_back(today, 8)
    end, _provisional = current_calendar().add_workdays(start, 5)
    if end >= today:  # a calendar with few working days ahead: keep the end in the past
        end = today - dt.timedelta(days=1)
    MuRun.objects.filter(pk=run.pk).update(publicity_start=start, publicity_end=end)
    submitted = timezone.make_aware(dt.datetime.combine(start + dt.timedelta(days=1), dt.time(10, 30)))
    MuObjection.objects.filter(run=run).update(submitted_at=submitted)
    run.refresh_from_db()
    run = services.run_step(acting_user=office, run=run, action="publish", data=StepInput.parse({}))
    made = consequences.rectification_create_bulk(acting_user=office, run=run)
    result.add("mu_rectifications", len(made))
