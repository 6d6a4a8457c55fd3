"""The demo's 亩均 evaluation (issue 14 item 9): last year's run under the Anhui-style scheme,
published from the bureaus' workbooks, with a 调档, two objections (one upheld and re-run), the
grades handed to the eligibility engine, the D firms' rectification matters; reproducible and
idempotent."""

from __future__ import annotations

from collections import Counter

import pytest
from django.utils import timezone

from conftest import LoadDemo
from zhaoyin.demo.mujun_demo import mujun_ensure
from zhaoyin.demo.services import LoadResult
from zhaoyin.enterprises.models import EnterpriseGrade
from zhaoyin.matching.models import PolicyMatch
from zhaoyin.matching.verdicts import refresh_all
from zhaoyin.mujun import services
from zhaoyin.mujun.models import (
    ChangeState,
    MuGradeChange,
    MuInput,
    MuObjection,
    MuRectification,
    MuResult,
    MuRun,
    ObjectionState,
    ParcelHolding,
    SchemeStatus,
)
from zhaoyin.mujun.sources import Source
from zhaoyin.policies.models import Policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(load_demo: LoadDemo) -> MuRun:
    load_demo()
    return MuRun.objects.select_related("scheme").get(year=timezone.localdate().year - 1)


def test_last_year_is_evaluated_from_every_bureau_and_published(run: MuRun) -> None:
    assert run.state == "published"
    assert run.scheme.status == SchemeStatus.FROZEN
    assert set(MuInput.objects.filter(year=run.year).values_list("source", flat=True)) == {
        s.value for s in Source if s != Source.LAND
    }
    assert ParcelHolding.objects.filter(year=run.year, tenure="leased").count() == 4
    grades = Counter(MuResult.objects.filter(run=run).values_list("grade", flat=True))
    # Both lists are graded in all four grades; the power company is evaluated, not graded.
    assert {g for g in grades if g} == {"A", "B", "C", "D"}
    assert MuResult.objects.filter(run=run, why="exempt").exists()
    # Reproducible: the stored snapshot under the stored scheme gives the same bytes.
    assert services.run_verify(run)["identical"] is True


def test_the_process_left_its_records(run: MuRun) -> None:
    change = MuGradeChange.objects.get(run=run)
    assert change.state == ChangeState.APPROVED
    assert change.decided_by_id != change.proposed_by_id  # four-eyes
    assert change.result.grade == change.to_grade != change.result.initial_grade
    objections = {o.state: o for o in MuObjection.objects.filter(run=run)}
    assert set(objections) == {ObjectionState.UPHELD, ObjectionState.DISMISSED}
    upheld = objections[ObjectionState.UPHELD]
    assert upheld.corrections
    assert upheld.files.count() == 1
    assert upheld.matter_id is not None
    assert run.revision >= 1  # the upheld objection re-ran the evaluation
    assert run.publicity_end is not None
    assert run.publicity_end < timezone.localdate()


def test_grades_reach_policies_and_d_firms_are_rectified(run: MuRun) -> None:
    final = dict(MuResult.objects.filter(run=run).exclude(grade="").values_list("enterprise_id", "grade"))
    handed = dict(EnterpriseGrade.objects.filter(year=run.year).values_list("enterprise_id", "grade"))
    assert handed == final
    refresh_all()  # the demo re-matches once its load has committed (not inside a test's transaction)
    policy = Policy.objects.get(title="亩均效益A类企业奖励")
    matched = set(PolicyMatch.objects.filter(policy=policy, verdict="eligible").values_list("enterprise_id", flat=True))
    assert matched == {e for e, g in final.items() if g == "A"}
    d_firms = {e for e, g in final.items() if g == "D"}
    assert set(MuRectification.objects.filter(run=run).values_list("result__enterprise_id", flat=True)) == d_firms


def test_a_second_ensure_changes_nothing(run: MuRun) -> None:
    counts = (MuRun.objects.count(), MuInput.objects.count(), MuObjection.objects.count())
    result = LoadResult()
    mujun_ensure(year=run.year + 1, result=result)
    assert result.total == 0
    assert (MuRun.objects.count(), MuInput.objects.count(), MuObjection.objects.count()) == counts
