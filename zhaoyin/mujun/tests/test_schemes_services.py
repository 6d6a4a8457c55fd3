"""The scheme services (评价办法 as data) and the 履约 conditions: each bad input of issue 14 is
refused naming its field and changes nothing; a frozen scheme is kept (409) and changed by
copying; a condition stands against the latest published result; a breach becomes a matter once."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.testing import refused
from zhaoyin.matters.models import Matter
from zhaoyin.mujun import scheme_services
from zhaoyin.mujun.models import MuCondition, MuScheme, SchemeStatus
from zhaoyin.mujun.scheme_conditions import ConditionStatus, condition_status
from zhaoyin.mujun.scheme_data_templates import anhui_template
from zhaoyin.mujun.scheme_inputs import (
    ConditionInput,
    SchemeChangeInput,
    SchemeCopyInput,
    SchemeCreateInput,
    normalize_definition,
)
from zhaoyin.mujun.tests.schemes_support import SchemeWorld, make_project, project_of, publish_run, scheme_world

pytestmark = pytest.mark.django_db
__all__ = ["make_project", "scheme_world"]


def _template() -> dict[str, Any]:
    return copy.deepcopy(anhui_template(2025))


def _create(w: SchemeWorld, definition: Any) -> MuScheme:
    return scheme_services.scheme_create(
        acting_user=w.office, data=SchemeCreateInput.of(year=2025, name="办法", definition=definition))


def _change(w: SchemeWorld, scheme: MuScheme, **values: Any) -> MuScheme:
    scheme.refresh_from_db()
    return scheme_services.scheme_change(acting_user=w.office, scheme=scheme,
                                         data=SchemeChangeInput.of(version=scheme.version, **values))


# ---- the template and the stored form --------------------------------------------------------------


def test_the_anhui_template_is_stored_as_written_and_reads_into_the_engine() -> None:
    template = anhui_template(2025)
    assert normalize_definition(template) == template
    above, below = template["lists"]
    assert [i["weight"] for i in above["indicators"]] == ["30", "20", "20", "10", "10", "10"]
    assert [i["name"] for i in above["indicators"]] == [
        "亩均税收", "亩均增加值", "单位能耗增加值", "单位排放增加值", "全员劳动生产率", "研发经费投入强度"]
    assert {i["benchmark"] for i in above["indicators"]} == {"average"}
    assert below["scope"]["land_min_mu"] == "3"
    assert [i["weight"] for i in below["indicators"]] == ["50", "50"]
    assert above["grading"]["bands"] == [["A", "25"], ["B", "70"], ["C", "95"], ["D", "100"]]
    assert template["consequences"]["surcharge_per_kwh"]["D"] == "0.10"
    assert template["consequences"]["land_tax_relief"]["B"] == "80"


def test_numbers_are_stored_as_text_written_in_full_whatever_the_channel() -> None:
    raw = _template()
    raw["lists"][0]["indicators"][0].update(weight=30, benchmark=24.5, cap="4.5E+1", formula="tax/land_mu")
    stored = normalize_definition(raw)["lists"][0]["indicators"][0]
    assert stored == {"code": "tax_per_mu", "name": "亩均税收", "formula": "tax / land_mu", "weight": "30",
                      "benchmark": "24.5", "cap": "45"}


def test_a_scheme_is_created_numbered_per_year_and_audited(scheme_world: SchemeWorld) -> None:
    w = scheme_world
    second = w.create()
    other_year = w.create(year=2026)
    assert (w.scheme.number, second.number, other_year.number) == (1, 2, 1)
    assert w.scheme.status == SchemeStatus.DRAFT
    assert w.scheme.definition == anhui_template(2025)
    assert AuditRecord.objects.filter(action="mu_scheme.create").count() == 3


def test_only_evaluators_change_schemes(scheme_world: SchemeWorld) -> None:
    w = scheme_world
    data = SchemeCreateInput.of(year=2025, name="办法", definition=_template())
    for user in (w.admin_a, w.leader, w.enterprise_user):
        with refused(PermissionDenied):
            scheme_services.scheme_create(acting_user=user, data=data)
        with refused(PermissionDenied):
            scheme_services.scheme_change(acting_user=user, scheme=w.scheme, data=SchemeChangeInput.of(name="x"))
    scheme_services.scheme_create(acting_user=w.city_admin, data=data)


# ---- the bad input of issue 14 ------------------------------------------------------------------------


def _weights_off() -> dict[str, Any]:
    raw = _template()
    raw["lists"][0]["indicators"][0]["weight"] = "35"
    return raw


def _benchmark_zero() -> dict[str, Any]:
    raw = _template()
    raw["lists"][0]["indicators"][1]["benchmark"] = "0"
    return raw


def _unknown_figure() -> dict[str, Any]:
    raw = _template()
    raw["lists"][1]["indicators"][1]["formula"] = "tax / kwh_used"
    return raw


@pytest.mark.parametrize(("build", "field", "words"), [
    (_weights_off, "definition.lists[0].indicators", "105"),
    (_benchmark_zero, "definition.lists[0].indicators[1].benchmark", ""),
    (_unknown_figure, "definition.lists[1].indicators[1].formula", "kwh_used"),
], ids=["weights_not_summing", "benchmark_zero", "unknown_figure"])
def test_VAL_01_a_bad_definition_names_its_field_and_changes_nothing(
    scheme_world: SchemeWorld, build: Any, field: str, words: str
) -> None:
    w = scheme_world
    with refused(InvalidInput, fields=[field]) as info:
        _create(w, build())
    assert words in info.value.errors[0]["message"]
    before = MuScheme.objects.get(pk=w.scheme.pk).definition
    with refused(InvalidInput, fields=[field]):
        _change(w, w.scheme, definition=build())
    assert MuScheme.objects.get(pk=w.scheme.pk).definition == before


def test_the_shape_is_judged_before_the_values(scheme_world: SchemeWorld) -> None:
    raw = _template()
    raw["lists"][0]["indicators"][0]["colour"] = "red"
    raw["lists"][1]["scope"] = []
    with refused(InvalidInput, fields=["definition.lists[0].indicators[0].colour", "definition.lists[1].scope"]):
        _create(scheme_world, raw)
    with refused(InvalidInput, fields=["definition"]):
        _create(scheme_world, ["not", "an", "object"])


def test_CONC_01_editing_a_frozen_scheme_is_refused_409_and_changes_nothing(scheme_world: SchemeWorld) -> None:
    w = scheme_world
    frozen = scheme_services.scheme_freeze(w.scheme, acting_user=w.office)
    assert frozen.status == SchemeStatus.FROZEN
    assert frozen.frozen_at is not None
    assert scheme_services.scheme_freeze(frozen).version == frozen.version  # already frozen: nothing moves
    with refused(Conflict) as info:
        _change(w, frozen, name="改名")
    assert "冻结" in str(info.value)
    with refused(Conflict):
        scheme_services.scheme_delete(acting_user=w.office, scheme=frozen)
    copied = scheme_services.scheme_copy(acting_user=w.office, scheme=frozen, data=SchemeCopyInput.of())
    assert (copied.number, copied.status, copied.definition) == (2, SchemeStatus.DRAFT, frozen.definition)
    _change(w, copied, name="2025 修订")


def test_CONC_01_a_stale_version_is_refused(scheme_world: SchemeWorld) -> None:
    w = scheme_world
    stale = MuScheme.objects.get(pk=w.scheme.pk)
    _change(w, w.scheme, publicity_days=7)
    with refused(Conflict):
        scheme_services.scheme_change(acting_user=w.office, scheme=stale, data=SchemeChangeInput.of(
            version=stale.version, name="late"))


def test_a_draft_no_run_uses_is_deleted_one_a_run_uses_is_kept(scheme_world: SchemeWorld) -> None:
    w = scheme_world
    spare = w.create()
    scheme_services.scheme_delete(acting_user=w.office, scheme=spare)
    assert not MuScheme.objects.filter(pk=spare.pk).exists()
    publish_run(w.scheme, 2025, w.firm, {"tax": "10"}, by=w.office, state="initial")
    with refused(Conflict):
        scheme_services.scheme_delete(acting_user=w.office, scheme=w.scheme)


# ---- 履约 conditions ----------------------------------------------------------------------------------


def _condition(w: SchemeWorld, project: Any, **values: Any) -> MuCondition:
    data = ConditionInput.of(**({"indicator": "tax_per_mu", "threshold": "30", "from_year": 2024} | values))
    return scheme_services.condition_create(acting_user=w.admin_a, project=project, data=data)


def test_a_condition_stands_against_the_latest_published_result(scheme_world: SchemeWorld, make_project: Any) -> None:
    w = scheme_world
    project = project_of(make_project, w.firm)
    condition = _condition(w, project)
    assert (condition.name, condition.formula) == ("亩均税收", "tax / land_mu")
    assert condition_status(condition).state == ConditionStatus.NO_RESULT
    publish_run(w.scheme, 2023, w.firm, {"tax": "10", "land_mu": "1"}, by=w.office)  # before from_year
    assert condition_status(condition).state == ConditionStatus.NO_RESULT
    publish_run(w.scheme, 2024, w.firm, {"tax": "400", "land_mu": "10"}, by=w.office)
    met = condition_status(condition)
    assert (met.state, met.value, met.year) == (ConditionStatus.MET, Decimal("40.0000"), 2024)
    publish_run(w.scheme, 2025, w.firm, {"tax": "290", "land_mu": "10"}, by=w.office, state="publicity")
    assert condition_status(condition).state == ConditionStatus.MET  # a run in 公示 is not final
    publish_run(w.scheme, 2025, w.firm, {"tax": "290", "land_mu": "10"}, by=w.office)
    breached = condition_status(condition)
    assert (breached.state, breached.value, breached.year) == (ConditionStatus.BREACHED, Decimal("29.0000"), 2025)
    custom = _condition(w, project, indicator=None, name="亩均营收", formula="revenue / land_mu", threshold="100")
    assert condition_status(custom).state == ConditionStatus.MISSING


def test_a_project_without_an_enterprise_has_no_result(scheme_world: SchemeWorld, make_project: Any) -> None:
    condition = _condition(scheme_world, project_of(make_project, None))
    assert condition_status(condition).state == ConditionStatus.NO_RESULT


@pytest.mark.parametrize(("values", "field"), [
    ({"indicator": None}, "indicator"),
    ({"indicator": None, "name": "x", "formula": "tax / acres"}, "formula"),
    ({"indicator": None, "formula": "tax / land_mu"}, "name"),
    ({"indicator": "tax_per_hectare"}, "indicator"),
    ({"threshold": "-1"}, "threshold"),
    ({"from_year": "1999"}, "from_year"),
], ids=["no_indicator", "unknown_figure", "formula_without_name", "unknown_indicator", "negative", "year"])
def test_VAL_01_a_bad_condition_names_its_field_and_changes_nothing(
    scheme_world: SchemeWorld, make_project: Any, values: dict[str, Any], field: str
) -> None:
    project = project_of(make_project, scheme_world.firm)
    with refused(InvalidInput, fields=[field]):
        _condition(scheme_world, project, **values)


def test_conditions_are_written_by_the_projects_editors(scheme_world: SchemeWorld, make_project: Any) -> None:
    w = scheme_world
    project = project_of(make_project, w.firm)
    data = ConditionInput.of(indicator="tax_per_mu", threshold="30", from_year=2024)
    for user in (w.staff_b, w.office, w.leader):
        with refused(PermissionDenied):
            scheme_services.condition_create(acting_user=user, project=project, data=data)
    scheme_services.condition_create(acting_user=w.city_admin, project=project, data=data)


def test_a_breach_becomes_a_matter_once(scheme_world: SchemeWorld, make_project: Any) -> None:
    w = scheme_world
    project = project_of(make_project, w.firm)
    condition = _condition(w, project, note="投产后亩均税收不低于 30 万元")
    with refused(Conflict):  # no result yet: nothing to raise
        scheme_services.condition_raise_matter(acting_user=w.admin_a, condition=condition)
    publish_run(w.scheme, 2025, w.firm, {"tax": "250", "land_mu": "10"}, by=w.office)
    matter = scheme_services.condition_raise_matter(acting_user=w.admin_a, condition=condition)
    condition.refresh_from_db()
    assert condition.matter == matter
    assert (matter.source, matter.lead_unit, matter.project, matter.enterprise) == (
        "project_obstacle", project.org_unit, project, w.firm)
    assert "25.0000" in matter.description
    assert "30" in matter.description
    with refused(Conflict):
        scheme_services.condition_raise_matter(acting_user=w.admin_a, condition=condition)
    assert Matter.objects.count() == 1
    with refused(Conflict):  # a condition with its matter is kept
        scheme_services.condition_delete(acting_user=w.admin_a, condition=condition)
