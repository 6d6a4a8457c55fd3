"""The demo's talent records (issue 13 item 11): ~300 talents, stations, portal accounts, leads."""

from __future__ import annotations

import copy
from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone

from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.testing import SetupReplay
from zhaoyin.demo.services import (
    LoadResult,
    _accounts_ensure,
    _enterprises_ensure,
    dictionaries_ensure,
    org_tree_ensure,
)
from zhaoyin.demo.talents_demo import RESEARCH_DOCTOR, talents_ensure
from zhaoyin.lib.idcard import parse_id
from zhaoyin.talents.crypto import decrypt_id
from zhaoyin.talents.models import LeadStatus, Talent, TalentLead

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(db: None, setup_replay: SetupReplay) -> LoadResult:
    """What the talents' part needs (units, dictionaries, enterprises, accounts), then the part
    alone: demo_load runs recognition after it, which gives tiers, and the apartments' tenants.

    Run for real by the first test, replayed as rows for the others (``SetupReplay``, checked
    against what the real run left): ≈ 3.5 s a test on PostgreSQL otherwise."""
    today = timezone.localdate()

    def run() -> LoadResult:
        base = LoadResult()
        result = LoadResult()
        with transaction.atomic():
            units = org_tree_ensure(result=base)
            dictionaries_ensure(result=base)
            firms = _enterprises_ensure(year=today.year, result=base)
            _accounts_ensure(units=units, firms=firms, result=base)
            talents_ensure(year=today.year, result=result)
        return result

    # The date is part of the key: the part's dates (arrivals, leads) follow it.
    result: LoadResult = setup_replay.run(("talents demo part", today), run)
    return copy.deepcopy(result)  # a test's changes to it stay its own


def test_about_300_talents_mostly_emerging_without_tiers(loaded: LoadResult) -> None:
    talents = list(Talent.objects.select_related("industry", "employer", "org_unit"))
    assert loaded.created["talents"] == len(talents) == 300
    emerging = [t for t in talents if t.industry is not None and t.industry.emerging]
    assert len(emerging) > len(talents) * 0.6
    # Tiers are the recognition's to set; the demo leaves them all empty.
    assert {t.tier for t in talents} == {""}
    assert {t.education for t in talents} >= {"doctorate", "master", "bachelor"}
    assert len({t.id_type for t in talents}) >= 3
    assert Counter(t.status for t in talents)["departed"] >= 1
    today = timezone.localdate()
    for t in talents:
        # Every record was validated by the service: a valid ID, an arrival not in the future.
        parse_id(t.id_type, decrypt_id(bytes(t.id_number_enc)))
        assert t.arrival_date is not None
        assert t.arrival_date <= today
        assert t.employer is not None or t.employer_name
        if t.employer is not None:
            assert t.org_unit == t.employer.org_unit
    assert AuditRecord.objects.filter(action="talent.create").count() == 300


def test_stations_have_attributed_talents_and_leads_in_every_state(loaded: LoadResult) -> None:
    by_station = Counter(Talent.objects.filter(station__isnull=False).values_list("station__code", flat=True))
    assert by_station["station-csj"] >= 20
    assert by_station["station-g60"] >= 10
    for code in ("station-csj", "station-g60"):
        leads = TalentLead.objects.filter(station__code=code)
        assert {lead.status for lead in leads} == {s.value for s in LeadStatus}
        for lead in leads.filter(status=LeadStatus.ARRIVED):
            assert lead.talent is not None
            assert lead.talent.station is not None
            assert lead.talent.station.code == code


def test_the_demo_talent_account_is_the_research_doctor(loaded: LoadResult) -> None:
    doctor = Talent.objects.select_related("account", "station").get(name=RESEARCH_DOCTOR)
    assert doctor.account is not None
    assert doctor.account.username == "demo_talent"
    assert doctor.education == "doctorate"
    assert doctor.station is not None
    assert doctor.station.code == "station-csj"
    portal = Talent.objects.filter(account__username__startswith="talent_user_")
    assert portal.count() == 5
    assert all(t.account is not None and t.account.has_role("talent") for t in portal)


def test_a_second_run_creates_nothing(loaded: LoadResult) -> None:
    counts = (Talent.objects.count(), TalentLead.objects.count(), AuditRecord.objects.count())
    again = LoadResult()
    with transaction.atomic():
        talents_ensure(year=timezone.localdate().year, result=again)
    assert again.total == 0
    assert (Talent.objects.count(), TalentLead.objects.count(), AuditRecord.objects.count()) == counts
