"""The demo's talent projects (issue 13 items 6 and 11): programmes, rounds, applications in
every state through the services; the research-institute case's 300 万元; idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import LoadDemo
from zhaoyin.demo.demands_demo import demands_ensure
from zhaoyin.demo.services import LoadResult
from zhaoyin.demo.talentprojects_demo import CASE_TITLE, talentprojects_ensure
from zhaoyin.talentprojects.models import Programme, ProjectState, TalentProject

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(load_demo: LoadDemo) -> LoadResult:
    load_demo()
    # In the load's order: the demands (and the talents they add when the talents' demo is absent) first.
    demands_ensure(year=timezone.localdate().year, result=LoadResult())
    result = LoadResult()
    talentprojects_ensure(year=timezone.localdate().year, result=result)
    return result


def test_programmes_and_applications_in_every_state(loaded: LoadResult) -> None:
    assert Programme.objects.count() == 3
    projects = list(TalentProject.objects.prefetch_related("funds"))
    assert len(projects) >= 10
    if timezone.localdate().month >= 6:  # late enough in the year for every step to have happened
        assert {p.state for p in projects} == set(ProjectState.values)
    for p in projects:
        assert p.funded_wan == sum((f.amount_wan for f in p.funds.all()), Decimal(0)), p.pk
        if p.approved_wan is not None:
            assert p.funded_wan <= p.approved_wan <= p.requested_wan


def test_the_research_institute_case(loaded: LoadResult) -> None:
    today = timezone.localdate()
    if today < dt.date(today.year, 1, 15):  # the first round has not opened: no application yet
        assert not TalentProject.objects.filter(title=CASE_TITLE).exists()
        return
    case = TalentProject.objects.select_related("talent").get(title=CASE_TITLE)
    assert "监测装备" in case.talent.employer_name
    assert (case.requested_wan, case.approved_wan) == (Decimal(300), Decimal(300))
    assert case.round.programme.code == "ptyc"
    assert case.state == ProjectState.FUNDED


def test_a_second_load_adds_nothing(loaded: LoadResult) -> None:
    count = TalentProject.objects.count()
    again = LoadResult()
    talentprojects_ensure(year=timezone.localdate().year, result=again)
    assert again.total == 0
    assert TalentProject.objects.count() == count
