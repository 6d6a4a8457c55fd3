"""整改 (issue 14 item 5): one matter per D-grade firm of a published run in one bulk action,
naming the firm's weakest indicators; idempotent; evaluators only; audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import Conflict
from zhaoyin.core.testing import refused
from zhaoyin.matters.models import Matter
from zhaoyin.mujun.consequences import rectification_create_bulk, weakest_indicators
from zhaoyin.mujun.models import MuRectification, MuResult
from zhaoyin.mujun.tests.report_fixtures import YEAR, MuWorld, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def mu(org_tree: dict[str, OrgUnit], make_user: MakeUser) -> MuWorld:
    return build_world(org_tree, make_user)


def test_each_d_firm_gets_one_matter_naming_its_weakest_indicators(mu: MuWorld) -> None:
    created = rectification_create_bulk(acting_user=mu.office, run=mu.run)
    assert [r.result.enterprise_id for r in created] == [mu.b2.pk]
    matter = Matter.objects.get(pk=created[0].matter_id)
    assert (matter.state, matter.source, matter.kind) == ("draft", "reform_measure", "reform")
    assert matter.enterprise_id == mu.b2.pk
    assert matter.lead_unit_id == mu.b2.org_unit_id
    assert matter.title == f"{YEAR}年度亩均效益评价D类企业整改：{mu.b2.name}"
    # b2: 亩均税收 40 ÷ 40 = 1 against 20 (3.00 of 60), 亩均营收 1500 ÷ 40 = 37.5 against 300 (5.00 of 40).
    lines = matter.description.splitlines()
    assert lines[1] == "- 亩均税收：1，基准值 20，得分 3 / 60"
    assert lines[2] == "- 亩均营收：37.50，基准值 300，得分 5 / 40"
    assert AuditRecord.objects.filter(action="matter.create", object_id=str(matter.pk)).count() == 1
    assert AuditRecord.objects.filter(action="mujun.rectifications").count() == 1


def test_a_second_call_adds_only_what_is_missing(mu: MuWorld) -> None:
    rectification_create_bulk(acting_user=mu.office, run=mu.run)
    assert rectification_create_bulk(acting_user=mu.admin, run=mu.run) == []
    MuResult.objects.filter(run=mu.run, enterprise=mu.a2).update(grade="D")
    again = rectification_create_bulk(acting_user=mu.admin, run=mu.run)
    assert [r.result.enterprise_id for r in again] == [mu.a2.pk]
    assert MuRectification.objects.count() == 2 == Matter.objects.count()


@pytest.mark.parametrize("who", ["leader", "staff_a", "portal"])
def test_only_evaluators_raise_rectifications(mu: MuWorld, who: str) -> None:
    with refused(PermissionDenied):
        rectification_create_bulk(acting_user=getattr(mu, who), run=mu.run)
    assert AuditRecord.objects.filter(action="mujun.rectifications_denied").count() == 1


def test_a_run_not_published_is_refused(org_tree: dict[str, OrgUnit], make_user: MakeUser) -> None:
    world = build_world(org_tree, make_user, state="publicity")
    with refused(Conflict):
        rectification_create_bulk(acting_user=world.office, run=world.run)


def test_the_weakest_are_the_lowest_points_per_weight(mu: MuWorld) -> None:
    result = MuResult.objects.get(run=mu.run, enterprise=mu.b2)
    result.indicators = [["x", "tax / land_mu", "5", "10", "30", "15", ""],
                         ["y", "revenue / land_mu", None, "300", "20", "4", "missing"],
                         ["z", "rd / revenue", "0.01", "0.02", "50", "25", ""]]
    weak = weakest_indicators(result, {"x": "X", "y": "Y", "z": "Z"}, n=2)
    assert [w.name for w in weak] == ["Y", "X"]
    assert weak[0].value is None
