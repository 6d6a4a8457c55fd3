"""The demo's talent policies (issue 13 item 3): ten person-level policies with talent trees
(the library demo's 博士/硕士生活补贴, 安家补贴 and 人才公寓 converted, six more registered),
schedules, and paid instalments through the ledger with the four-eyes rule; enterprises are no
longer matched against them; a second run adds nothing."""

from __future__ import annotations

import pytest

from conftest import LoadDemo
from zhaoyin.audit.chain import verify_chain
from zhaoyin.audit.models import AuditRecord
from zhaoyin.demo.services import LoadResult
from zhaoyin.demo.talentpolicy_demo import talentpolicy_ensure
from zhaoyin.matching import talent_verdicts, verdicts
from zhaoyin.matching.models import PolicyMatch, TalentPolicyMatch
from zhaoyin.payouts.models import OBJECT_TYPE, Payout, PayoutStatus, SubsidySchedule
from zhaoyin.policies.models import Beneficiary, Policy

YEAR = 2026


@pytest.mark.django_db
def test_demo_talent_policies_schedules_and_paid_entries(load_demo: LoadDemo) -> None:
    load_demo(YEAR)
    result = LoadResult()
    talentpolicy_ensure(year=YEAR, result=result)

    talent_policies = Policy.objects.filter(beneficiary=Beneficiary.TALENT)
    titles = set(talent_policies.values_list("title", flat=True))
    assert len(titles) == 10
    assert {"博士研究生生活补贴", "高层次人才子女入学安置", "高层次人才配偶就业安置", "人才公寓租金减免",
            "高层次人才学术休假", "高层次人才保健医疗服务"} <= titles
    for policy in talent_policies:
        assert all("qualification" not in str(leaf) for leaf in policy.eligibility.get("all", []))

    doctor = talent_policies.get(title="博士研究生生活补贴")
    schedule = SubsidySchedule.objects.get(policy=doctor)
    assert (schedule.frequency, schedule.instalments) == ("monthly", 36)

    # Enterprises are no longer matched against a person's subsidy; talents are.
    verdicts.refresh_all()
    talent_verdicts.refresh_all_talents()
    assert not PolicyMatch.objects.filter(policy__beneficiary=Beneficiary.TALENT).exists()
    assert TalentPolicyMatch.objects.filter(policy=doctor, verdict="eligible").exists()

    entries = list(Payout.objects.filter(talent__isnull=False).select_related("registered_by", "decided_by"))
    paid = [e for e in entries if e.status == PayoutStatus.PAID]
    assert paid, "a year of paid instalments"
    for entry in paid:
        assert entry.publicity_ends is not None
        assert entry.paid_at is not None
        assert entry.decided_by is not None
        assert entry.registered_by is not None
        assert entry.decided_by != entry.registered_by  # four eyes
    assert any(e.status == PayoutStatus.DUE for e in entries)
    assert result.total == 0  # demo_load ran talentpolicy_ensure already

    again = LoadResult()
    talentpolicy_ensure(year=YEAR, result=again)
    assert again.total == 0
    assert Payout.objects.filter(talent__isnull=False).count() == len(entries)


@pytest.mark.django_db
def test_the_paid_history_is_audited_step_by_step_as_the_service_would(load_demo: LoadDemo) -> None:
    """The past year of paid instalments is written in bulk (``_paid_history``): every paid
    entry still has the service's four records — submitted by the talent office, approved,
    noticed and paid by the city admin, each naming the status it left and reached — and the
    audit chain holds."""
    load_demo(YEAR)
    paid = Payout.objects.filter(talent__isnull=False, status=PayoutStatus.PAID)
    assert paid.count() >= 12
    steps = [("payout.submit", "demo_talent_office", "due", "pending"),
             ("payout.approve", "demo_city_admin", "pending", "approved"),
             ("payout.publicize", "demo_city_admin", "approved", "publicized"),
             ("payout.pay", "demo_city_admin", "publicized", "paid")]
    for entry in paid:
        records = AuditRecord.objects.filter(object_type=OBJECT_TYPE, object_id=str(entry.pk),
                                             action__in=[s[0] for s in steps]).order_by("pk")
        seen = [(r.action, r.actor, (r.before or {}).get("status"), (r.after or {}).get("status")) for r in records]
        assert seen == steps, entry
        # Versions count the steps: created 1, paid after four.
        assert entry.version == 5
        # The fields each step changed are named (their business values withheld, issue 12 D4).
        assert set(records.get(action="payout.publicize").after or {}) == {"status", "version", "publicity_ends"}
        assert set(records.get(action="payout.pay").after or {}) == {"status", "version", "paid_at"}
    assert verify_chain().ok
