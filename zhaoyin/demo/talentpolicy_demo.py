"""The demo's ten talent policies (淮南人才新政 as person-level policies, issue 13 item 3), their
payment schedules, and paid entries of the ledger.

The library demo (``demo.policies``) registers 博士/硕士研究生生活补贴, 高层次人才安家补贴 and
人才公寓租金减免 with enterprise trees (the employer's 高企 status): here they become talent
policies (``beneficiary=talent``) with talent trees, through ``policy_update``, and six more are
registered — 子女入学安置, 配偶就业安置, 人才休假, 保健医疗, 青年人才购房补贴, 高层次人才服务绿卡.
Run it before the payout demo (``payouts_ensure``), so that no enterprise is paid under a
person's subsidy.

Then, for every active talent eligible for 博士研究生生活补贴 (at most ``DOCTORS``) and for the
A/B/C-tier talents eligible for 安家补贴, the schedule is started from January of last year
(through the service), and each entry whose month (year) has passed is submitted by the talent
office, approved by the city admin (four-eyes), noticed (公示) and paid (拨付) on its own dates —
that past written in bulk, step by step as the service takes it (``_paid_history``) — so the
ledger holds a year of paid instalments, a few pending and the rest due. The
talents come from the talents demo; when there are none (the talents part not loaded), three
fictional doctors are recorded so that the ledger has entries.

Idempotent: a policy already serving talents is left as it is; a talent who has entries under a
policy gets no new schedule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.audit.services import audit_write_many, diff, snapshot
from zhaoyin.demo import data
from zhaoyin.lib import eligibility as engine
from zhaoyin.notifications import handoff
from zhaoyin.payouts import talent_services
from zhaoyin.payouts.inputs import PayoutActionInput, ScheduleStartInput
from zhaoyin.payouts.models import OBJECT_TYPE, Payout, PayoutStatus, SubsidySchedule
from zhaoyin.payouts.periods import period_start
from zhaoyin.policies import services as policy_services
from zhaoyin.policies.inputs import PolicyInput, PolicyUpdateInput
from zhaoyin.policies.models import Beneficiary, Policy, PolicyStatus
from zhaoyin.talents.models import Education, Talent, TalentStatus
from zhaoyin.talents.testing import make_talent

if TYPE_CHECKING:
    from zhaoyin.demo.services import LoadResult

OFFICE = "demo_talent_office"
APPROVER = "demo_city_admin"
ISSUER = "中共淮南市委人才工作领导小组"
#: At most this many doctors get the living subsidy's schedule (the demo stays quick).
DOCTORS = 12
SETTLERS = 6

Tree = dict[str, Any]


def _f(field: str, op: str, value: Any) -> Tree:
    return {"field": field, "op": op, "value": value}


IN_CITY = _f("contract_in_city", "eq", True)
DOCTOR: Tree = {"all": [_f("education", "eq", "doctorate"), _f("age_at_arrival", "lte", 40), IN_CITY]}
MASTER: Tree = {"all": [_f("education", "eq", "master"), _f("age_at_arrival", "lte", 35), IN_CITY]}
HIGH_TIER: Tree = {"all": [_f("tier", "in", ["A", "B", "C"]), IN_CITY]}
TIERED: Tree = {"all": [_f("tier", "in", ["A", "B", "C", "D", "E"]), IN_CITY]}

#: Existing demo policies that serve persons: title → (new title or None, talent tree, schedule).
CONVERTED: dict[str, tuple[str | None, Tree, tuple[str, int, str] | None]] = {
    "博士研究生生活补贴": (None, DOCTOR, ("monthly", 36, "0.30")),
    "硕士研究生生活补贴": (None, MASTER, ("monthly", 36, "0.15")),
    "高层次人才安家补贴": (None, HIGH_TIER, ("yearly", 3, "10.00")),
    # Titled 人才公寓租金减免 in the library data too: a rename here made a second load create
    # the enterprise version again (policies_ensure finds its policies by title).
    "人才公寓租金减免": (
        None,
        {"all": [_f("education", "in", ["doctorate", "master", "bachelor"]), _f("years_since_arrival", "lte", 3),
                 IN_CITY]},
        None,
    ),
}

#: New talent policies: (title, doc no, benefits, tree, schedule or None, max 万元 or None).
NEW: list[tuple[str, str, str, Tree, tuple[str, int, str] | None, str | None]] = [
    ("高层次人才子女入学安置", "淮人才〔2024〕11号",
     "A、B、C类人才子女在市区接受义务教育的，由教育部门按意愿就近安排公办学校就读。", HIGH_TIER, None, None),
    ("高层次人才配偶就业安置", "淮人才〔2024〕12号",
     "A、B、C类人才配偶随调随迁的，由人社部门协助安排就业，暂未就业的按月发放生活补助1500元，最长12个月。",
     HIGH_TIER, ("monthly", 12, "0.15"), "1.8"),
    ("高层次人才学术休假", "淮人才〔2024〕13号",
     "A、B类人才每年可享受不超过15天的学术休假，期间待遇不变，并给予每年1万元的休假补助。",
     {"all": [_f("tier", "in", ["A", "B"]), IN_CITY]}, ("yearly", 3, "1.00"), "3"),
    ("高层次人才保健医疗服务", "淮人才〔2024〕14号",
     "A至E类人才每年享受一次免费健康体检，在市属医院就医享受绿色通道服务。", TIERED, None, None),
    ("青年人才首次购房补贴", "淮人才〔2024〕15号",
     "40周岁以下全日制硕士以上人才在本市首次购房的，给予6万元购房补贴，分三年发放。",
     {"all": [_f("education", "in", ["doctorate", "master"]), _f("age_years", "lte", 40),
              _f("social_insurance_months", "gte", 6), IN_CITY]},
     ("yearly", 3, "2.00"), "6"),
    ("高层次人才服务绿卡", "淮人才〔2024〕16号",
     "为A至D类人才发放“淮上英才卡”，凭卡享受出行、文旅、政务办理等便利服务。",
     {"all": [_f("tier", "in", ["A", "B", "C", "D"])]}, None, None),
]


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _schedule(policy: Policy, spec: tuple[str, int, str] | None, result: LoadResult) -> None:
    if spec is None or SubsidySchedule.objects.filter(policy=policy).exists():
        return
    frequency, instalments, amount = spec
    talent_services.subsidy_schedule_set(
        acting_user=_user(OFFICE), policy=policy, frequency=frequency, instalments=instalments, amount_wan=amount,
    )
    result.add("subsidy_schedules")


def _convert(year: int, result: LoadResult) -> dict[str, Policy]:
    out: dict[str, Policy] = {}
    for title, (new_title, tree, schedule) in CONVERTED.items():
        policy = Policy.objects.filter(title__in=[title, new_title or title]).order_by("pk").first()
        if policy is None:
            continue
        if policy.beneficiary != Beneficiary.TALENT:
            change: dict[str, Any] = {"beneficiary": Beneficiary.TALENT.value, "eligibility": tree}
            if new_title:
                change["title"] = new_title
            policy = policy_services.policy_update(
                acting_user=None, policy=policy, data=PolicyUpdateInput.parse(change), version=policy.version
            )
            result.add("talent_policies_converted")
        _schedule(policy, schedule, result)
        out[policy.title] = policy
    return out


def _register_new(year: int, result: LoadResult) -> dict[str, Policy]:
    city = OrgUnit.objects.get(code=data.CITY_CODE)
    out: dict[str, Policy] = {}
    for title, doc_no, benefits, tree, schedule, top in NEW:
        policy = Policy.objects.filter(title=title).first()
        if policy is None:
            values: dict[str, Any] = {
                "title": title, "issuer": ISSUER, "doc_no": doc_no, "level": "city", "category": "talent",
                "delivery": "application", "beneficiary": Beneficiary.TALENT.value, "org_unit": city.code,
                "valid_from": f"{year - 2}-01-01", "benefits": benefits, "eligibility": tree,
                "contact_office": "市委组织部人才科", "max_amount_wan": top,
            }
            policy = policy_services.policy_create(acting_user=None, data=PolicyInput.parse(values))
            policy_services.policy_transition(
                acting_user=None, policy=policy, action="publish", today=dt.date(year - 2, 1, 1)
            )
            policy.refresh_from_db()
            result.add("talent_policies")
        _schedule(policy, schedule, result)
        out[title] = policy
    return out


def _fallback_doctors(year: int) -> None:
    """Three fictional doctors when the talents demo did not load any talent."""
    if Talent.objects.exists():
        return
    unit = OrgUnit.objects.filter(kind="county").order_by("code").first() or OrgUnit.objects.get(code=data.CITY_CODE)
    for n, (name, birth) in enumerate((("林博远", dt.date(1990, 4, 12)), ("周若岚", dt.date(1992, 9, 3)),
                                        ("许致衡", dt.date(1988, 1, 27)))):
        make_talent(
            org_unit=unit, name=name, birth=birth, female=n == 1, education=Education.DOCTORATE,
            arrival_date=dt.date(year - 2, 7, 1), employer_name="淮南市环境监测技术研究院",
            contract_start=dt.date(year - 2, 7, 1), contract_end=dt.date(year + 3, 6, 30),
            social_insurance_months=18, tier="C" if n == 2 else "", tier_valid_until=dt.date(year + 3, 12, 31),
        )


def _eligible(policy: Policy, limit: int) -> list[Talent]:
    out = []
    for talent in Talent.objects.filter(status=TalentStatus.ACTIVE).order_by("pk"):
        explained = talent_services.talent_verdict(policy, talent)
        if explained is not None and explained.verdict == engine.MET:
            out.append(talent)
            if len(out) >= limit:
                break
    return out


def _last_day(period: str) -> dt.date:
    start = period_start(period)
    if len(period) == 4:
        return dt.date(start.year, 12, 31)
    following = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


#: The passed periods' steps: (action, who takes it, days after the period's end + 5).
HISTORY_STEPS: tuple[tuple[str, str, int], ...] = (
    ("submit", OFFICE, 0), ("approve", APPROVER, 3), ("publicize", APPROVER, 4), ("pay", APPROVER, 20),
)


def _step(
    entry: Payout, action: str, user: User, day: dt.date, notice: Callable[[dt.date], dt.date], now: dt.datetime
) -> talent_services.TalentPayoutTransition:
    """Take ``action`` on the in-memory ``entry`` as ``talent_services._transition`` does: the
    table must allow it from the entry's status, and the same fields change; its row.
    ``notice(day)``: the last day of a public notice started on ``day``."""
    rule = talent_services.TALENT_PAYOUT_TABLE.transition_for(action, entry.status)
    if rule is None:
        raise RuntimeError(f"demo payout history: {action} is not allowed from {entry.status} ({entry})")
    assert rule.target is not None  # every row of the table leads to a status
    entry.status, entry.version = rule.target, entry.version + 1
    if action == "submit":
        if period_start(entry.period) > day:
            raise RuntimeError(f"demo payout history: {entry.period} is submitted before it began")
        entry.registered_by, entry.registered_at = user, now
    elif action == "publicize":
        entry.publicity_ends = notice(day)
    elif action == "pay":
        if entry.publicity_ends is None or day <= entry.publicity_ends:
            raise RuntimeError(f"demo payout history: {entry} is paid before its public notice ended")
        entry.paid_at = now
    else:  # approve: a decision, by another person than the registrant (four-eyes)
        if entry.registered_by_id == user.pk:
            raise RuntimeError(f"demo payout history: {entry} is approved by its registrant")
        entry.decided_by, entry.decided_at, entry.decision_note = user, now, ""
    return rule


def _paid_history(entries: list[Payout], office: User, approver: User, *, publicity_days: int) -> int:
    """The entries whose period ended more than 40 days ago, taken through submit, approve,
    publicize and pay on their own dates, written in bulk (issue 13: the 1 050 service calls
    took ≈ 20 s of every real demo load).

    Like the matter histories (``demo.matter_history``), the past is written directly: each step
    is checked against ``TALENT_PAYOUT_TABLE`` and changes the fields the service changes;
    every step gets the audit record the service writes ("payout.<action>", its actor, the
    changed fields before and after; ``audit_write_many`` keeps the chain) and the hand-off the
    service schedules (the approvers told of a submission, the talent of the payment). Returns
    how many were paid."""
    from zhaoyin.workcalendar.selectors import current_calendar

    users = {OFFICE: office, APPROVER: approver}
    now = timezone.now()
    calendar = current_calendar()  # read once: each read checks the calendar's version in the database

    def notice(day: dt.date) -> dt.date:
        ends, _provisional = calendar.add_workdays(day, publicity_days)
        return ends

    cutoff = talent_services.today() - dt.timedelta(days=40)
    paid: list[Payout] = []
    records: dict[str, list[Any]] = {OFFICE: [], APPROVER: []}
    handoffs: list[tuple[talent_services.TalentPayoutTransition, Payout, str, User]] = []
    for entry in entries:
        ended = _last_day(entry.period)
        if ended >= cutoff:
            break  # this period and the later ones are still to come (entries in period order)
        for action, who, after in HISTORY_STEPS:
            before, source = snapshot(entry), entry.status
            rule = _step(entry, action, users[who], ended + dt.timedelta(days=5 + after), notice, now)
            handoffs.append((rule, entry, source, users[who]))
            old, new = diff(before, snapshot(entry))
            records[who].append({"action": f"payout.{action}", "obj": entry, "object_type": OBJECT_TYPE,
                                 "before": old, "after": new})
        paid.append(entry)
    if not paid:
        return 0
    Payout.objects.bulk_update(paid, ["status", "version", "registered_by", "registered_at", "decided_by",
                                      "decided_at", "decision_note", "publicity_ends", "paid_at"], batch_size=500)
    for who, user in users.items():
        audit_write_many(user=user, entries=records[who])
    for rule, entry, source, user in handoffs:
        handoff.hand_off(table=talent_services.TALENT_PAYOUT_TABLE, row=rule, pk=entry.pk, source=source,
                         acting_user=user)
    return len(paid)


def _pay_history(policy: Policy, talents: list[Talent], year: int, *, first: str, result: LoadResult) -> None:
    """Start the schedule for each talent (through the service) and take the entries whose
    period has passed through the ledger: submitted after the period, approved, noticed, paid
    (``_paid_history``, in bulk). The last passed period is submitted through the service."""
    office, approver = _user(OFFICE), _user(APPROVER)
    schedule = SubsidySchedule.objects.filter(policy=policy).first()
    publicity_days = schedule.publicity_days if schedule is not None else talent_services.DEFAULT_PUBLICITY_DAYS
    for talent in talents:
        if Payout.objects.filter(talent=talent, policy=policy).exists():
            continue
        with transaction.atomic():
            entries = talent_services.talent_schedule_start(
                acting_user=office, policy=policy, talent=talent,
                data=ScheduleStartInput.parse({"first_period": first}),
            )
            result.add("talent_payouts", len(entries))
            result.add("talent_payouts_paid", _paid_history(entries, office, approver,
                                                            publicity_days=publicity_days))
        # The last passed period waits for approval: the to-do of the approvers.
        pending = (
            Payout.objects.filter(talent=talent, policy=policy, status=PayoutStatus.DUE).order_by("period").first()
        )
        if pending is not None and period_start(pending.period) <= talent_services.today():
            talent_services.talent_payout_transition(
                acting_user=office, payout=pending, action="submit",
                data=PayoutActionInput.parse({"version": pending.version}),
            )


def talentpolicy_ensure(*, year: int, result: LoadResult) -> None:
    """The ten talent policies, their schedules and a year of paid instalments (see above)."""
    policies = {**_convert(year, result), **_register_new(year, result)}
    _fallback_doctors(year)
    doctor = policies.get("博士研究生生活补贴")
    if doctor is not None and doctor.status == PolicyStatus.IN_FORCE:
        _pay_history(doctor, _eligible(doctor, DOCTORS), year, first=f"{year - 1}-01", result=result)
    settle = policies.get("高层次人才安家补贴")
    if settle is not None and settle.status == PolicyStatus.IN_FORCE:
        _pay_history(settle, _eligible(settle, SETTLERS), year, first=str(year - 1), result=result)
    _demo_application(result)


def _demo_application(result: LoadResult) -> None:
    """The demo talent's own subsidy application (补贴申请), submitted through the service: the
    first scheduled talent policy not yet in their ledger that they may apply for."""
    from zhaoyin.core.errors import Conflict, InvalidInput
    from zhaoyin.payouts.applications import subsidy_apply
    from zhaoyin.payouts.inputs import SubsidyApplyInput
    from zhaoyin.payouts.models import SubsidyApplication

    user = User.objects.filter(username="demo_talent").first()
    talent = Talent.objects.filter(account=user).first() if user is not None else None
    if user is None or talent is None or SubsidyApplication.objects.filter(talent=talent).exists():
        return
    scheduled = Policy.objects.filter(
        beneficiary=Beneficiary.TALENT, status=PolicyStatus.IN_FORCE, subsidy_schedule__isnull=False
    ).order_by("pk")
    for policy in scheduled:
        if Payout.objects.filter(talent=talent, policy=policy).exists():
            continue
        data = SubsidyApplyInput.parse(
            {"policy": policy.pk, "statement": "本人全职在淮工作，劳动合同与社保缴纳证明已提交人才办，请予审核。"}
        )
        try:
            subsidy_apply(acting_user=user, data=data)
        except (InvalidInput, Conflict):
            continue  # not one they may apply for: try the next
        result.add("subsidy_applications")
        return
