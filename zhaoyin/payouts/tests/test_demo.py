"""The demo's payout ledger: about 40 entries for eligible enterprises, mostly approved (some in
their 公示), some pending, one rejected, 免申即享 ones awaiting the firm; decided by the policy's
issuing department, never the clerk (four eyes); a second load adds nothing."""

from __future__ import annotations

import pytest

from conftest import LoadDemo
from zhaoyin.demo.payouts_demo import APPROVER, CLERK, payouts_ensure
from zhaoyin.demo.services import LoadResult
from zhaoyin.lib import eligibility as engine
from zhaoyin.matching import verdicts
from zhaoyin.payouts.models import Payout, PayoutStatus

YEAR = 2026


@pytest.mark.django_db
def test_demo_payouts_are_plausible_and_idempotent(load_demo: LoadDemo) -> None:
    load_demo(YEAR)
    # The enterprise ledger (the talents' subsidies are the talent-policy demo's).
    payouts = list(
        Payout.objects.filter(enterprise__isnull=False).select_related("policy", "enterprise", "registered_by",
                                                                        "decided_by")
    )
    assert 30 <= len(payouts) <= 40
    statuses = [p.status for p in payouts]
    assert statuses.count(PayoutStatus.REJECTED) == 1
    assert statuses.count(PayoutStatus.PENDING) >= 3
    granted = statuses.count(PayoutStatus.APPROVED) + statuses.count(PayoutStatus.PUBLICIZED)
    assert granted > (len(payouts) - statuses.count(PayoutStatus.MATCHED)) / 2
    assert statuses.count(PayoutStatus.PUBLICIZED) >= 1
    for p in payouts:
        assert p.registered_by is not None
        assert p.registered_by.username == CLERK
        if p.status == PayoutStatus.MATCHED:
            assert p.policy.delivery == "no_application"
        if p.decided_by is not None:
            # Issue 15: an administrator of the policy's issuing department; never the clerk.
            assert p.decided_by.username.startswith(APPROVER)
            assert p.decided_by.org_unit_id == p.policy.org_unit_id
        assert p.amount_wan > 0
        assert p.period in (str(YEAR - 1), f"{YEAR}-Q1", f"{YEAR}-Q2")
        if p.policy.max_amount_wan is not None:
            assert p.amount_wan <= p.policy.max_amount_wan
    # Every entry goes to an enterprise the matcher finds eligible for the policy.
    vocab = verdicts.vocabulary()
    facts = verdicts.load_facts([p.enterprise_id for p in payouts if p.enterprise_id is not None])
    for p in payouts:
        assert p.enterprise_id is not None  # the demo's enterprise ledger
        compiled = verdicts.compile_policy(p.policy, vocab)
        assert compiled is not None
        assert compiled.verdict(facts[p.enterprise_id]) == engine.MET
    result = LoadResult()
    assert payouts_ensure(year=YEAR, result=result) == 0
    assert Payout.objects.filter(enterprise__isnull=False).count() == len(payouts)
