"""The demo's payout ledger (政策兑现台账, DESIGN 3.7): about 40 plausible entries.

Entries go to enterprises the matcher finds *eligible* for a demo policy in force (computed
here with the pure engine: the stored verdicts are refreshed only after the demo's
transaction commits). Most are approved (some of them in their 公示), some pending, one
rejected, for last year (annual awards) and this year's quarters; a 免申即享 policy's entries
wait for the firm's 意愿确认 (matched). Registered by a payout clerk (``payout_clerk``, staff at
the city) and decided by the policy's issuing department (issue 15: ``payout_reviewer`` and
``payout_reviewer_<unit code>``, the administrators of each policy's keeping unit) through the
payout services, so the four-eyes rule and the audit trail hold as for a person's work. Tax
incentives (减免, 加计扣除) are 享受 records, not cash: the demo registers none. Amounts are a
share of the policy's maximum (or a plausible sum), in 万元 to the 0.5.

Idempotent: once the clerk has registered anything, nothing more is planned.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import TYPE_CHECKING

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.services import user_create
from zhaoyin.core.roles import Role
from zhaoyin.demo import data
from zhaoyin.demo.accounts import DEMO_PASSWORD, demo_password_hash
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.lib import eligibility as engine
from zhaoyin.matching import verdicts
from zhaoyin.payouts.inputs import PayoutActionInput, PayoutRegisterInput
from zhaoyin.payouts.models import Payout, PayoutKind, PayoutStatus
from zhaoyin.payouts.services import payout_approve, payout_register, payout_reject, payout_transition
from zhaoyin.policies.models import Policy, PolicyCategory

if TYPE_CHECKING:
    from zhaoyin.demo.services import LoadResult

#: Not ``demo_*``, which names the one account per role.
CLERK = "payout_clerk"
#: The reviewers' user names: this one for the city's own policies, ``<it>_<unit code>`` for a
#: department's.
APPROVER = "payout_reviewer"
TARGET = 40
#: Categories whose benefit is a sum paid out (tax relief is a 享受 record, not registered here).
PAID_CATEGORIES = (PolicyCategory.FUNDS, PolicyCategory.TALENT, PolicyCategory.FINANCE, PolicyCategory.LAND)
NOTES = ("按申报材料核定", "依据审计报告核定", "经主管部门审核", "")


def _clerk() -> User:
    user = User.objects.filter(username=CLERK).first()
    if user is None:
        city = OrgUnit.objects.get(code=data.CITY_CODE)
        user, _uri = user_create(
            acting_user=None,
            username=CLERK,
            password=DEMO_PASSWORD, password_hash=demo_password_hash(),
            roles=[Role.STAFF.value],
            org_unit=city,
            full_name="政策兑现 经办人",
        )
    return user


def _reviewer(unit: OrgUnit) -> User:
    """The administrator of a policy's keeping unit who reviews its payouts (created once)."""
    name = APPROVER if unit.code == data.CITY_CODE else f"{APPROVER}_{unit.code}"[:150]
    user = User.objects.filter(username=name).first()
    if user is None:
        user, _uri = user_create(
            acting_user=None,
            username=name,
            password=DEMO_PASSWORD, password_hash=demo_password_hash(),
            roles=[Role.UNIT_ADMIN.value],
            org_unit=unit,
            full_name=f"{unit.name} 政策兑现审核人",
        )
    return user


def _amount(rng: random.Random, policy: Policy) -> Decimal:
    top = policy.max_amount_wan or Decimal(rng.choice((20, 30, 50, 80)))
    share = Decimal(rng.randint(20, 100)) / 100
    halves = max(int(top * share * 2), 1)
    return Decimal(halves) / 2


def _plan(year: int) -> list[tuple[Enterprise, Policy]]:
    """Eligible (enterprise, policy) pairs among the demo's paid policies, drawn with a seeded
    generator so every load plans the same entries."""
    vocab = verdicts.vocabulary()
    compiled = [
        (policy, c)
        for policy in verdicts.in_force_policies()
        if policy.category in PAID_CATEGORIES and (c := verdicts.compile_policy(policy, vocab)) is not None
    ]
    enterprises = list(Enterprise.objects.select_related("org_unit", "industry").order_by("pk"))
    facts = verdicts.load_facts([e.pk for e in enterprises])
    pairs = [
        (enterprise, policy)
        for policy, c in compiled
        for enterprise in enterprises
        if enterprise.pk in facts and c.verdict(facts[enterprise.pk]) == engine.MET
    ]
    rng = random.Random(f"payouts-{year}")  # noqa: S311 - demo data, not security
    rng.shuffle(pairs)
    return pairs[:TARGET]


def payouts_ensure(*, year: int, result: LoadResult) -> int:
    """About 40 payouts for eligible demo enterprises × demo policies; returns the count made."""
    clerk = _clerk()
    if Payout.objects.filter(registered_by=clerk).exists():
        return 0
    rng = random.Random(f"payout-amounts-{year}")  # noqa: S311 - demo data, not security
    made = 0
    for index, (enterprise, policy) in enumerate(_plan(year)):
        period = str(year - 1) if index % 3 else f"{year}-Q{1 + index % 2}"
        payout = payout_register(
            acting_user=clerk, policy=policy, enterprise=enterprise,
            data=PayoutRegisterInput.of(period=period, amount_wan=str(_amount(rng, policy)), note=rng.choice(NOTES)),
        )
        made += 1
        if payout.status == PayoutStatus.MATCHED:
            continue  # 免申即享: the firm confirms in its portal first
        approver = _reviewer(policy.org_unit)
        if index == 7:
            payout_reject(
                acting_user=approver, payout=payout, reason="申报材料中研发费用审计报告缺失，请补充后重新提交"
            )
        elif index % 6 != 5:
            payout_approve(acting_user=approver, payout=payout, note="审核通过，按程序公示后拨付")
            if index % 4 == 1 and payout.kind == PayoutKind.CASH:
                payout_transition(acting_user=approver, payout=payout, action="publicize",
                                  data=PayoutActionInput.of(reason="在政府网站公示"))
    result.add("payouts", made)
    return made
