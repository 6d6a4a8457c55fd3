"""projects.flow.TABLE (the stage machine) and projects.fund_flow.TABLE (funds entries): every row
as written, every row taken through its service from each of its sources, every change the
table does not list refused with the services' message and nothing changed.

The verdict for every pair of stages is test_transitions.py's hand-written grid."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.roles import Role
from zhaoyin.projects import flow, fund_flow, selectors, services
from zhaoyin.projects.choices import MAIN_LINE, Stage, StageChangeKind
from zhaoyin.projects.inputs import FundCorrectionInput, FundEntryInput, StageChangeInput
from zhaoyin.projects.models import FundEntry, Project
from zhaoyin.projects.tests.helpers import MakeProject, fingerprint

EDITORS = {"city_admin", "unit_admin", "staff"}
MAIN = [s.value for s in MAIN_LINE]
#: kind: (sources, target (None: the user's pick), actors, needs a reason), written out by hand.
EXPECTED: dict[str, tuple[set[str], str | None, set[str], bool]] = {
    "advance": (set(MAIN[:-1]), None, EDITORS, False),
    "skip": (set(MAIN[:-2]), None, EDITORS, True),
    "correction": (set(MAIN[1:]), None, EDITORS, True),
    "hold": (set(MAIN), "on_hold", EDITORS, True),
    "resume": ({"on_hold"}, None, EDITORS, False),
    "terminate": ({*MAIN, "on_hold"}, "terminated", EDITORS, True),
    "reopen": ({"terminated"}, None, EDITORS, True),
}


def test_every_row_as_written() -> None:
    got = {r.action.value: (set(r.sources), r.target, set(r.actors), r.needs_reason) for r in flow.TABLE.rows}
    assert got == EXPECTED
    assert set(flow.TABLE.actions) == set(StageChangeKind)
    assert {k for k, (_s, _t, _a, reason) in EXPECTED.items() if reason} == flow.REASON_REQUIRED


def test_the_table_names_the_roles_the_selectors_let_edit() -> None:
    assert flow.EDITORS == selectors.EDITOR_ROLES


def test_a_kind_the_classifier_names_is_allowed_only_where_its_row_is() -> None:
    """stage_change is classify + the row: no allowed change whose row's sources miss the stage."""
    for current in Stage:
        for target in Stage:
            kind = flow.classify(current, target)
            found = flow.stage_change(current, target)
            if found is not None:
                assert found.action == kind
                assert current in found.sources
                assert found.target in (None, target)
            elif kind is not None:
                assert flow.TABLE.transition_for(kind, current) is None


def _pick(kind: str, current: str) -> str:
    """A stage the user may pick for ``kind`` from ``current`` (where the row allows it)."""
    if kind == "advance":
        return MAIN[MAIN.index(current) + 1]
    fixed = {
        "skip": MAIN[-1],
        "correction": MAIN[0],
        "hold": "on_hold",
        "resume": "signed",
        "terminate": "terminated",
        "reopen": "negotiating",
    }
    return fixed[kind]


@pytest.mark.parametrize(("kind", "current"), [(k, s) for k, (sources, *_rest) in EXPECTED.items() for s in sources])
def test_every_row_from_every_source_through_its_service(
    make_user: Any, make_project: MakeProject, kind: str, current: str
) -> None:
    staff = make_user(Role.STAFF, "county_a")
    project = make_project(stage=Stage(current), resume_stage="signed" if current == "on_hold" else "")
    target = _pick(kind, current)
    event = services.STAGE_SERVICES[StageChangeKind(kind)](
        acting_user=staff, project=project, data=StageChangeInput.of(stage=target, date="2026-02-01", reason="理由")
    )
    assert (event.kind, event.from_stage, event.to_stage) == (kind, current, target)
    assert Project.objects.get(pk=project.pk).stage == target


@pytest.mark.parametrize(
    ("kind", "current"), [(k, s) for k, (sources, *_rest) in EXPECTED.items() for s in Stage.values if s not in sources]
)
def test_a_kind_from_a_stage_its_row_does_not_list_is_refused(
    make_user: Any, make_project: MakeProject, kind: str, current: str
) -> None:
    staff = make_user(Role.STAFF, "county_a")
    project = make_project(stage=Stage(current))
    _sources, target, _actors, _reason = EXPECTED[kind]
    pick = target or ("signed" if current != "signed" else "negotiating")
    before = fingerprint()
    with translation.override("en"), pytest.raises(Conflict) as exc:
        services.STAGE_SERVICES[StageChangeKind(kind)](
            acting_user=staff, project=project, data=StageChangeInput.of(stage=pick, date="2026-02-01", reason="理由")
        )
    with translation.override("en"):
        assert str(exc.value) == (f"A project at stage {Stage(current).label} cannot change to {Stage(pick).label}.")
    assert fingerprint() == before


@pytest.mark.parametrize("kind", sorted(k for k, (_s, _t, _a, reason) in EXPECTED.items() if reason))
def test_a_row_that_needs_a_reason_refuses_none(make_user: Any, make_project: MakeProject, kind: str) -> None:
    sources, _target, _actors, _reason = EXPECTED[kind]
    current = sorted(sources)[0]
    project = make_project(stage=Stage(current))
    staff = make_user(Role.STAFF, "county_a")
    before = fingerprint()
    with pytest.raises(InvalidInput) as exc:
        services.project_change_stage(
            acting_user=staff,
            project=project,
            data=StageChangeInput.of(stage=_pick(kind, current), date="2026-02-01"),
        )
    assert [e["field"] for e in exc.value.errors] == ["reason"]
    assert fingerprint() == before


def test_the_stage_choices_of_the_page_are_the_tables(make_project: MakeProject) -> None:
    from zhaoyin.projects.views import stage_targets

    project = make_project(stage=Stage.SIGNED)
    offered = [value for value, _label in stage_targets(project)]
    assert offered == [s.value for s in Stage if flow.stage_change(Stage.SIGNED, s) is not None]


# ----------------------------------------------------------------------------- funds entries


def test_the_funds_entry_row_as_written() -> None:
    got = {r.action.value: (set(r.sources), r.target, set(r.actors), r.needs_reason) for r in fund_flow.TABLE.rows}
    assert got == {
        "correct": ({"reported", "verified"}, "superseded", EDITORS, True),
        "verify": ({"reported"}, "verified", {"city_admin"}, False),
        "reject": ({"reported"}, "rejected", {"city_admin"}, True),
    }
    assert fund_flow.TABLE.initial == "reported"


def test_an_active_entry_is_corrected_and_a_superseded_one_refused(make_user: Any, make_project: MakeProject) -> None:
    staff = make_user(Role.STAFF, "county_a")
    project = make_project(stage=Stage.SIGNED)
    first = services.fund_entry_add(
        acting_user=staff,
        project=project,
        data=FundEntryInput.of(month="2025-09", amount_wan="10.00", source="outside_city"),
    )
    assert fund_flow.state_of(first) == "reported"
    assert fund_flow.correctable(first)
    second = services.fund_entry_correct(
        acting_user=staff, entry=first, data=FundCorrectionInput.of(amount_wan="12.00", note="更正")
    )
    stored = FundEntry.objects.get(pk=first.pk)
    assert fund_flow.state_of(stored) == "superseded"
    assert not fund_flow.correctable(stored)
    assert fund_flow.state_of(second) == "reported"
    before = fingerprint()
    with translation.override("en"), pytest.raises(Conflict) as exc:
        services.fund_entry_correct(
            acting_user=staff, entry=stored, data=FundCorrectionInput.of(amount_wan="1", note="再改")
        )
    with translation.override("en"):
        assert str(exc.value).startswith("This entry has already been corrected")
    assert fingerprint() == before


def test_a_role_the_funds_table_does_not_name_is_refused(make_user: Any, make_project: MakeProject) -> None:
    project = make_project(stage=Stage.SIGNED)
    entry = services.fund_entry_add(
        acting_user=None,
        project=project,
        data=FundEntryInput.of(month="2025-09", amount_wan="10.00", source="outside_city"),
    )
    with pytest.raises(PermissionDenied):
        services.fund_entry_correct(
            acting_user=make_user(Role.LEADER), entry=entry, data=FundCorrectionInput.of(amount_wan="2", note="x")
        )
