"""THE transition table, every pair of stages (DESIGN 3.2)."""

from __future__ import annotations

import pytest

from zhaoyin.projects.choices import Stage, StageChangeKind
from zhaoyin.projects.flow import REASON_REQUIRED, stage_change_kind

ORDER = [
    Stage.LEAD,
    Stage.NEGOTIATING,
    Stage.SIGNED,
    Stage.REGISTERED,
    Stage.STARTED,
    Stage.PRODUCING,
    Stage.FULL_CAPACITY,
    Stage.ON_HOLD,
    Stage.TERMINATED,
]
CODES = {
    "-": None,
    "A": StageChangeKind.ADVANCE,
    "S": StageChangeKind.SKIP,
    "C": StageChangeKind.CORRECTION,
    "H": StageChangeKind.HOLD,
    "R": StageChangeKind.RESUME,
    "T": StageChangeKind.TERMINATE,
    "O": StageChangeKind.REOPEN,
}
# Rows: from; columns: to, in ORDER (lead … full_capacity, on_hold, terminated). Written out
# by hand so the test does not restate the function it checks.
GRID = """
lead          - A S S S S S H T
negotiating   C - A S S S S H T
signed        C C - A S S S H T
registered    C C C - A S S H T
started       C C C C - A S H T
producing     C C C C C - A H T
full_capacity C C C C C C - H T
on_hold       R R R R R R R - T
terminated    O O O O O O O - -
"""


def _expected() -> dict[tuple[Stage, Stage], StageChangeKind | None]:
    table: dict[tuple[Stage, Stage], StageChangeKind | None] = {}
    for line in GRID.strip().splitlines():
        name, *cells = line.split()
        assert len(cells) == len(ORDER)
        for target, cell in zip(ORDER, cells, strict=True):
            table[(Stage(name), target)] = CODES[cell]
    return table


EXPECTED = _expected()


@pytest.mark.parametrize(("current", "target"), list(EXPECTED))
def test_every_pair_of_stages_has_the_expected_verdict(current: Stage, target: Stage) -> None:
    assert stage_change_kind(current, target) == EXPECTED[(current, target)]


def test_the_grid_covers_all_81_pairs() -> None:
    assert len(EXPECTED) == len(Stage) ** 2 == 81


@pytest.mark.parametrize("left", [s for s in ORDER if s not in (Stage.ON_HOLD, Stage.TERMINATED)])
@pytest.mark.parametrize("target", ORDER)
def test_a_held_project_resumes_only_at_the_stage_it_left(left: Stage, target: Stage) -> None:
    verdict = stage_change_kind(Stage.ON_HOLD, target, resume_to=left)
    if target == left:
        assert verdict == StageChangeKind.RESUME
    elif target == Stage.TERMINATED:
        assert verdict == StageChangeKind.TERMINATE
    else:
        assert verdict is None


def test_reasons_are_required_for_every_kind_but_advance_and_resume() -> None:
    assert set(StageChangeKind) - REASON_REQUIRED == {StageChangeKind.ADVANCE, StageChangeKind.RESUME}
