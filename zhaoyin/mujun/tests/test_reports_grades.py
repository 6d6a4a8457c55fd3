"""mu_grade (issue 14 item 5): a published run's final grades reach the eligibility engine
through the enterprises app, so a policy "A 类企业" matches exactly the A firms and "D 类企业
不享受" leaves out the D firm."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.testing import refused
from zhaoyin.enterprises.models import EnterpriseGrade
from zhaoyin.enterprises.services import enterprise_grades_replace
from zhaoyin.matching.models import PolicyMatch
from zhaoyin.matching.tests.support import make_policy
from zhaoyin.matching.verdicts import load_facts
from zhaoyin.mujun.grades import publish_grades
from zhaoyin.mujun.models import MuResult
from zhaoyin.mujun.tests.report_fixtures import YEAR, MuWorld, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def mu(org_tree: dict[str, OrgUnit], make_user: MakeUser) -> MuWorld:
    return build_world(org_tree, make_user)

A_TREE = {"all": [{"field": "mu_grade", "op": "eq", "value": "A"},
                  {"field": "mu_grade_year", "op": "gte", "value": 2024}]}
NOT_D_TREE = {"all": [{"field": "mu_grade", "op": "ne", "value": "D"}]}


def verdicts(policy: Any) -> dict[int, str]:
    return dict(PolicyMatch.objects.filter(policy=policy).values_list("enterprise_id", "verdict"))


def test_after_publish_grades_an_a_policy_matches_exactly_the_a_firms(
    mu: MuWorld, django_capture_on_commit_callbacks: Any
) -> None:
    a_policy = make_policy(mu.units["city"], A_TREE, title="亩均效益A类企业奖励")
    not_d = make_policy(mu.units["city"], NOT_D_TREE, title="D类企业不享受的政策")
    with django_capture_on_commit_callbacks(execute=True):
        moved = publish_grades(mu.run, acting_user=mu.office)
    assert moved == 4
    assert dict(EnterpriseGrade.objects.filter(year=YEAR).values_list("enterprise_id", "grade")) == {
        mu.a1.pk: "A", mu.a2.pk: "C", mu.b1.pk: "B", mu.b2.pk: "D"}
    assert verdicts(a_policy) == {mu.a1.pk: "eligible"}
    # "Not D": every graded firm but the D one.
    assert {pk for pk, v in verdicts(not_d).items() if v == "eligible"} == {mu.a1.pk, mu.a2.pk, mu.b1.pk}
    assert mu.b2.pk not in verdicts(not_d)
    assert AuditRecord.objects.filter(action="enterprise.grades_replace").count() == 1


def test_a_grade_change_re_matches_and_a_firm_no_longer_graded_loses_its_grade(
    mu: MuWorld, django_capture_on_commit_callbacks: Any
) -> None:
    a_policy = make_policy(mu.units["city"], A_TREE)
    with django_capture_on_commit_callbacks(execute=True):
        publish_grades(mu.run)
    # The run is revised (an upheld objection): a2 becomes A, b2 is no longer graded.
    MuResult.objects.filter(run=mu.run, enterprise=mu.a2).update(grade="A")
    MuResult.objects.filter(run=mu.run, enterprise=mu.b2).update(grade="", why="exempt")
    with django_capture_on_commit_callbacks(execute=True):
        assert publish_grades(mu.run) == 2
    # A firm without a grade is missing data: "possible", as for any unknown fact.
    assert verdicts(a_policy) == {mu.a1.pk: "eligible", mu.a2.pk: "eligible", mu.b2.pk: "possible"}
    assert not EnterpriseGrade.objects.filter(enterprise=mu.b2).exists()
    # Publishing the same grades again changes nothing and writes nothing.
    records = AuditRecord.objects.count()
    assert publish_grades(mu.run) == 0
    assert AuditRecord.objects.count() == records


def test_the_facts_carry_the_latest_years_grade(mu: MuWorld) -> None:
    enterprise_grades_replace(acting_user=None, year=YEAR - 1, grades={mu.a1.pk: "D"})
    enterprise_grades_replace(acting_user=None, year=YEAR, grades={mu.a1.pk: "A"})
    facts = load_facts([mu.a1.pk, mu.b1.pk])
    assert (facts[mu.a1.pk].mu_grade, facts[mu.a1.pk].mu_grade_year) == ("A", YEAR)
    assert (facts[mu.b1.pk].mu_grade, facts[mu.b1.pk].mu_grade_year) == (None, None)


def test_an_unknown_grade_is_refused_by_name_and_nothing_changes(mu: MuWorld) -> None:
    with refused(InvalidInput, fields=["grades"]) as caught:
        enterprise_grades_replace(acting_user=mu.office, year=YEAR, grades={mu.a1.pk: "A", mu.b1.pk: "E"})
    assert "E" in str(caught.value.errors[0]["message"])
