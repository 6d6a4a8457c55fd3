"""The demo's talent recognition (人才认定, issue 13 item 2).

- The tier standard as data: an active rule set for last year, and for the demo year a first
  version retired by a second (the 基础人才 tier widened), both made and activated by the talent
  office through the services. The year the services judge by (today's) gets one too.
- Most demo talents hold a tier A–E from a decided recognition of last year or this year: those
  applications are history, written with their dates (applied, 初审, 复审, 公示 on the
  working-day calendar, 认定 with a certificate number and valid-until), the tier the rules
  give the talent, and the talent's tier set through ``talents.services.talent_set_tier`` (its
  only writer). A few were refused (不予认定) or withdrawn.
- Applications under way today go through the services, so the to-do lists, notices and audit
  trail are as for a person's work: in 初审, returned to complete, in 复审, in 公示 (one with
  an objection answered, one with an objection still open).

The talents are the demo's (helper "talents" loads them first); when there are none, about 40
are created here so the part works on its own. Idempotent: once a recognition exists nothing
more is made.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.services import user_create
from zhaoyin.core.errors import Conflict
from zhaoyin.demo import data
from zhaoyin.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_password_hash
from zhaoyin.enterprises.models import Enterprise, Industry
from zhaoyin.recognition import services
from zhaoyin.recognition.inputs import (
    AnswerInput,
    ApplyInput,
    ObjectionInput,
    RuleSetActivateInput,
    RuleSetCreateInput,
    StepInput,
)
from zhaoyin.recognition.models import Recognition, TierRuleSet
from zhaoyin.recognition.rules import suggest
from zhaoyin.recognition.selectors import active_rule_set
from zhaoyin.talents.crypto import id_fields
from zhaoyin.talents.models import Channel, Talent
from zhaoyin.talents.services import talent_set_tier
from zhaoyin.talents.testing import resident_id

if TYPE_CHECKING:
    from zhaoyin.demo.services import LoadResult

OFFICE = "demo_talent_office"
CITY_ADMIN = "demo_city_admin"
UNIT_ADMIN = "demo_unit_admin"

#: The demo's standard (淮南市人才分类认定标准, fictional wording): A best.
RULES: list[dict[str, Any]] = [
    {"tier": "A", "label": "领军人才", "tree": {"all": [
        {"field": "title", "op": "eq", "value": "senior"},
        {"field": "education", "op": "eq", "value": "doctorate"},
    ]}},
    {"tier": "B", "label": "拔尖人才", "tree": {"any": [
        {"field": "education", "op": "eq", "value": "doctorate"},
        {"field": "title", "op": "eq", "value": "senior"},
    ]}},
    {"tier": "C", "label": "骨干人才", "tree": {"any": [
        {"field": "education", "op": "eq", "value": "master"},
        {"field": "title", "op": "eq", "value": "associate"},
    ]}},
    {"tier": "D", "label": "青年人才", "tree": {"all": [
        {"field": "education", "op": "eq", "value": "bachelor"},
        {"field": "age_at_arrival", "op": "lte", "value": 35},
    ]}},
    {"tier": "E", "label": "基础人才", "tree": {"all": [
        {"field": "education", "op": "in", "value": ["bachelor", "college"]},
        {"field": "social_insurance_months", "op": "gte", "value": 12},
    ]}},
]
#: The demo year's second version: 基础人才 from six months of social insurance.
RULES_V2: list[dict[str, Any]] = [*RULES[:4], {"tier": "E", "label": "基础人才", "tree": {"all": [
    {"field": "education", "op": "in", "value": ["bachelor", "college"]},
    {"field": "social_insurance_months", "op": "gte", "value": 6},
]}}]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = ("子涵", "浩然", "雨桐", "思远", "嘉怡", "宇航", "欣然", "俊杰", "梓萱", "博文", "一鸣", "佳琪",
         "明轩", "若曦", "天佑", "诗雨", "振华", "晓东", "静怡", "志强")
SCHOOLS = ("中国科学技术大学", "合肥工业大学", "安徽大学", "安徽理工大学", "东南大学", "同济大学", "上海交通大学",
           "淮南师范学院")
MAJORS = ("材料科学与工程", "化学工程", "计算机科学与技术", "电气工程", "生物医学工程", "机械工程", "采矿工程",
          "环境工程")
#: (education, title) of the standalone talents, spread over the tiers.
PROFILES = (
    ("doctorate", "senior"), ("doctorate", "associate"), ("doctorate", "none"), ("master", "intermediate"),
    ("master", "associate"), ("master", "none"), ("bachelor", "intermediate"), ("bachelor", "junior"),
    ("bachelor", "none"), ("college", "junior"),
)
REFUSALS = ("学位证书未经教育部留学服务中心认证，不符合认定条件", "社会保险缴纳记录不足，经公示后不予认定")
OBJECTIONS = ("有群众反映申报人工作单位与劳动合同不一致", "对申报人职称取得时间有疑问")
#: The states of today's applications, in turn.
LIVE_STAGES = ("publicity", "first_review", "returned", "second_review", "objection_answered", "first_review",
               "second_review", "objection_open", "publicity", "returned")
ANSWERS = ("经核实，申报人已于公示前变更劳动合同，情况属实，异议不成立", "经人社部门核实，职称证书真实有效，异议不成立")


def _account(username: str) -> User:
    """The demo account (created as the demo's accounts list says, when the part runs alone)."""
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    spec = next(a for a in DEMO_ACCOUNTS if a.username == username)
    unit = OrgUnit.objects.filter(code=spec.unit).first()
    user, _uri = user_create(acting_user=None, username=username, password=DEMO_PASSWORD,
                             password_hash=demo_password_hash(), roles=[spec.role.value],
                             org_unit=unit, full_name=spec.full_name)
    return user


def _rule_sets_ensure(*, office: User, years: list[int], demo_year: int, result: LoadResult) -> None:
    for y in years:
        if TierRuleSet.objects.filter(year=y).exists():
            continue
        versions = [RULES, RULES_V2] if y == demo_year else [RULES]
        for number, rules in enumerate(versions, start=1):
            note = "淮南市人才分类认定标准" + ("（修订：基础人才社保缴纳满6个月）" if number > 1 else "")
            made = services.rule_set_create(acting_user=office, data=RuleSetCreateInput.of(
                year=y, rules=rules, note=note, publicity_days=5, valid_years=3))
            services.rule_set_activate(acting_user=office, rule_set=made,
                                       data=RuleSetActivateInput.of(version=made.version))
            result.add("tier_rule_sets")


def _talents_ensure(*, year: int, result: LoadResult) -> list[Talent]:
    """The demo's active talents; about 40 made here when there are none (standalone)."""
    talents = list(Talent.objects.filter(status="active").select_related("org_unit").order_by("pk"))
    if talents:
        return talents
    rng = random.Random(f"recognition-talents-{year}")  # noqa: S311 - demo data, not security
    places = list(OrgUnit.objects.filter(code__in=[u.code for u in data.PLACES]).order_by("code"))
    stations = list(OrgUnit.objects.filter(kind="station").order_by("code"))
    industries = list(Industry.objects.filter(emerging=True).order_by("code")) or list(Industry.objects.all()[:6])
    employers = list(Enterprise.objects.order_by("pk")[:60])
    for n in range(40):
        education, title = PROFILES[n % len(PROFILES)]
        birth = dt.date(1968 + (n * 7) % 30, 1 + n % 12, 1 + (n * 3) % 27)
        arrival = dt.date(year - 1 - n % 4, 1 + (n * 5) % 12, 1)
        station = stations[n % len(stations)] if stations and n % 4 == 0 else None
        employer = employers[n % len(employers)] if employers and n % 3 else None
        talent = Talent(
            name=SURNAMES[n % len(SURNAMES)] + GIVEN[(n * 7) % len(GIVEN)], birth_date=birth,
            sex="female" if n % 3 == 1 else "male", education=education, title=title,
            school=rng.choice(SCHOOLS), major=rng.choice(MAJORS), employer=employer,
            employer_name="" if employer else "淮南市某研究院",
            org_unit=employer.org_unit if employer else places[n % len(places)],
            industry=industries[n % len(industries)] if industries else None, arrival_date=arrival,
            channel=Channel.STATION if station else rng.choice((Channel.CAMPUS, Channel.EMPLOYER, Channel.REFERRAL)),
            station=station, social_insurance_months=min(60, 3 + (n * 5) % 40),
            **id_fields("resident", resident_id(birth, 400 + n, female=n % 3 == 1)),
        )
        talent.refresh_search_text()
        talent.save()
        talents.append(talent)
    result.add("talents", len(talents))
    return talents


def _first_reviewer(talent: Talent, unit_admin: User, city_admin: User) -> User:
    unit = unit_admin.org_unit
    if unit is not None and talent.org_unit.path.startswith(unit.path):
        return unit_admin
    return city_admin


def _publicity_end(start: dt.date, days: int) -> dt.date:
    try:
        return services.publicity_end(start, days)
    except Conflict:  # outside the calendar's years: a week, as five working days usually are
        return start + dt.timedelta(days=7)


def _history(
    *, talents: list[Talent], year: int, today: dt.date, office: User, unit_admin: User, city_admin: User,
    result: LoadResult,
) -> list[Talent]:
    """Decided recognitions of last year and this: most talents recognized at the tier the
    rules give them, a few refused or withdrawn. Returns the talents left for live applications."""
    rng = random.Random(f"recognition-history-{year}")  # noqa: S311 - demo data, not security
    sets = {s.year: s for s in TierRuleSet.objects.filter(status="active").prefetch_related("rules")}
    seq: dict[int, int] = {}
    live = talents[-14:] if len(talents) > 60 else talents[-10:]
    decided = talents[: len(talents) - len(live)]
    rows: list[tuple[dt.date, Talent, Recognition]] = []
    for index, talent in enumerate(decided):
        # Half last year, half this year (a talent who arrived this year, this year).
        arrived = talent.arrival_date.year if talent.arrival_date else year - 1
        y = min(max(year - 1 + index % 2, arrived), today.year)
        rule_set = sets.get(y) or sets.get(year)
        if rule_set is None:
            continue
        applied = dt.date(y, 1 + (index * 5) % 10, 1 + (index * 7) % 25)
        latest = today - dt.timedelta(days=30)
        if applied > latest:
            applied = latest
        suggestion = suggest(talent, list(rule_set.rules.all()), on=applied)
        first_at = applied + dt.timedelta(days=rng.randint(3, 10))
        second_at = first_at + dt.timedelta(days=rng.randint(2, 8))
        fields: dict[str, Any] = {
            "talent": talent, "rule_set": rule_set, "claimed_tier": suggestion.tier or "E",
            "suggested_tier": suggestion.tier or "", "suggestion": suggestion.as_json(), "applied_by": office,
            "applied_at": _at(applied), "statement": "申请人才分类认定，相关材料附后。",
        }
        reviewer = _first_reviewer(talent, unit_admin, city_admin)
        if index % 11 == 10:  # withdrawn by the applicant during the first review
            fields.update(state="withdrawn", decided_on=applied + dt.timedelta(days=2))
        elif index % 9 == 8 or suggestion.tier is None:
            fields.update(state="refused", first_reviewer=reviewer, first_at=_at(first_at),
                          first_unit=reviewer.org_unit, first_note="材料已审核",
                          refusal_reason=REFUSALS[index % len(REFUSALS)], decided_by=reviewer, decided_on=first_at)
        else:
            start = second_at
            end = _publicity_end(start, rule_set.publicity_days)
            decided_on = min(end + dt.timedelta(days=1), today - dt.timedelta(days=1))
            seq[decided_on.year] = seq.get(decided_on.year, _issued(decided_on.year)) + 1
            fields.update(
                state="recognized", tier=suggestion.tier, first_reviewer=reviewer, first_at=_at(first_at),
                first_unit=reviewer.org_unit, first_note="材料齐全，符合申报条件", second_reviewer=office,
                second_at=_at(second_at), second_note="同意公示", publicity_start=start, publicity_end=end,
                decided_by=office, decided_on=decided_on,
                certificate_no=f"{services.CERTIFICATE_PREFIX}{decided_on.year}-{seq[decided_on.year]:05d}",
                valid_until=services.add_years(decided_on, rule_set.valid_years),
            )
        recognition = Recognition.objects.create(**fields, updated_at=_at(fields.get("decided_on") or applied))
        rows.append((fields.get("decided_on") or applied, talent, recognition))
    result.add("recognitions", len(rows))
    # The tier of each talent's latest recognition, in the order they were decided.
    for _day, talent, recognition in sorted(rows, key=lambda r: (r[0], r[2].pk)):
        if recognition.state == "recognized" and recognition.valid_until is not None:
            talent_set_tier(acting_user=office, talent=talent, tier=recognition.tier,
                            valid_until=recognition.valid_until, reason=recognition.certificate_no or "")
    return live


def _issued(year: int) -> int:
    return Recognition.objects.filter(certificate_no__startswith=f"{services.CERTIFICATE_PREFIX}{year}-").count()


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def _live(*, talents: list[Talent], office: User, city_admin: User, unit_admin: User, result: LoadResult) -> None:
    """Applications under way today, through the services, in the order of ``LIVE_STAGES`` (the
    first, the demo talent's own when linked, in publicity: the portal shows its end date)."""
    today = services.today()
    rule_set = active_rule_set(today.year)
    if rule_set is None:
        return
    rules = list(rule_set.rules.all())
    made = 0
    for index, talent in enumerate(talents):
        portal = User.objects.filter(pk=talent.account_id).first() if talent.account_id else None
        claimed = suggest(talent, rules, on=today).tier or "E"
        r = services.recognition_apply(acting_user=portal or office, talent=talent, data=ApplyInput.of(
            claimed_tier=claimed, statement="本人申请人才分类认定，学历学位、职称及劳动合同材料已上传。"))
        made += 1
        reviewer = _first_reviewer(talent, unit_admin, city_admin)
        stage = LIVE_STAGES[index % len(LIVE_STAGES)]
        if stage == "first_review":
            continue
        if stage == "returned":
            _step(r, "first_return", reviewer, note="请补充近12个月社保缴纳证明")
            continue
        _step(r, "first_pass", reviewer, note="材料齐全，符合申报条件")
        if stage == "second_review":
            continue
        r = _step(r, "second_pass", office, note="同意公示", tier=claimed)
        if stage in ("objection_answered", "objection_open"):
            n = 0 if stage == "objection_answered" else 1
            objection = services.objection_record(acting_user=office, recognition=r, data=ObjectionInput.of(
                text=OBJECTIONS[n], received_on=today.isoformat(), version=r.version))
            if stage == "objection_answered":
                r.refresh_from_db()
                services.objection_answer(acting_user=office, recognition=r, objection=objection,
                                          data=AnswerInput.of(answer=ANSWERS[n], version=r.version))
    result.add("recognitions", made)


def _step(r: Recognition, action: str, user: User, **values: Any) -> Recognition:
    r.refresh_from_db()
    return services.recognition_step(acting_user=user, recognition=r, action=action,
                                     data=StepInput.of(version=r.version, **values))


def recognition_ensure(*, year: int, result: LoadResult) -> None:
    """The rule sets of last year, ``year`` and today's year; decided recognitions giving most
    demo talents a tier; applications under way in every state. Idempotent."""
    office = _account(OFFICE)
    city_admin = _account(CITY_ADMIN)
    unit_admin = _account(UNIT_ADMIN)
    today = services.today()
    _rule_sets_ensure(office=office, years=sorted({year - 1, year, today.year}), demo_year=year, result=result)
    if Recognition.objects.exists():
        return
    talents = _talents_ensure(year=year, result=result)
    # The demo talent's own record (linked here when the part runs alone) applies today.
    portal = User.objects.filter(username="demo_talent").first()
    own = Talent.objects.filter(account=portal).first() if portal is not None else None
    if portal is not None and own is None and talents:
        own = talents[-1]
        Talent.objects.filter(pk=own.pk).update(account=portal)
        own.account = portal
    if own is not None:
        talents = [t for t in talents if t.pk != own.pk] + [own]
    live = _history(talents=talents, year=year, today=today, office=office, unit_admin=unit_admin,
                    city_admin=city_admin, result=result)
    if own is not None and own in live:
        live = [own] + [t for t in live if t.pk != own.pk]
    _live(talents=live, office=office, city_admin=city_admin, unit_admin=unit_admin, result=result)
