"""THE stage transition table of a project (DESIGN 3.2), one ``core.transitions.TransitionTable``.

One row per kind of change (``StageChangeKind``): the stages it may be taken from, the stage it
leads to, who may take it (role codes: the project editors; which projects, the selectors'
scope rule ``can_edit_project``) and whether it needs a reason. ``stage_change`` below is the
one lookup the services (``projects.services``, one service per kind) and the detail page's
stage choices use.

**The target stage is chosen by the user**, so most rows cannot name it. The decision:

- rows whose target is fixed name it: ``hold`` → on_hold, ``terminate`` → terminated;
- the others have ``target=None``, meaning here "the stage the user picks", never "the stage
  stays" (no row of this table keeps the stage);
- a small pure function, ``classify``, says which kind a pick is — only the geometry of the
  two stages: the next main-line stage is an advance, a later one a skip, an earlier one a
  correction; leaving on_hold for a main-line stage is a resume (and only to the stage the
  project left: its ``resume_stage``), leaving terminated for one a reopen; going to on_hold is a
  hold and to terminated a termination. It does not decide whether the change is allowed;
- ``stage_change`` then MUST find that kind's row with ``TABLE.transition_for(kind, current)``
  (the row's sources decide, e.g. a terminated project cannot be put on hold, a project at full
  capacity cannot advance) and, for a row with a fixed target, that target must be the pick.

So the table says from where each kind may be taken and with which reason; ``classify`` only
names a pick. Because of the ``target=None`` rows, ``TABLE.edges()`` does not draw this
machine (it would draw loops); the flowchart is not offered for it.

No Django here beyond the choice sets and ``gettext_lazy``.
"""

from __future__ import annotations

from zhaoyin.core.roles import Role
from zhaoyin.core.transitions import Transition, TransitionTable, row
from zhaoyin.projects.choices import MAIN_LINE, TERMINAL_STATES, Stage, StageChangeKind

Kind = StageChangeKind

#: Who changes a project's stage (the same roles as ``selectors.EDITOR_ROLES``).
EDITORS: frozenset[str] = frozenset({Role.CITY_ADMIN.value, Role.UNIT_ADMIN.value, Role.STAFF.value})

TABLE: TransitionTable[Stage, StageChangeKind] = TransitionTable(
    name="project_stage",
    states=tuple((s, s.label) for s in Stage),
    initial=Stage.LEAD,
    terminal=frozenset(TERMINAL_STATES),
    rows=(
        # target None: the stage the user picks (see the module docstring), not "stays".
        row(Kind.ADVANCE, MAIN_LINE[:-1], None, EDITORS, Kind.ADVANCE.label),
        row(Kind.SKIP, MAIN_LINE[:-2], None, EDITORS, Kind.SKIP.label, needs_reason=True),
        row(Kind.CORRECTION, MAIN_LINE[1:], None, EDITORS, Kind.CORRECTION.label, needs_reason=True),
        row(Kind.HOLD, MAIN_LINE, Stage.ON_HOLD, EDITORS, Kind.HOLD.label, needs_reason=True),
        row(Kind.RESUME, {Stage.ON_HOLD}, None, EDITORS, Kind.RESUME.label),
        row(
            Kind.TERMINATE,
            {*MAIN_LINE, Stage.ON_HOLD},
            Stage.TERMINATED,
            EDITORS,
            Kind.TERMINATE.label,
            needs_reason=True,
            style="outline-danger",
        ),
        row(Kind.REOPEN, {Stage.TERMINATED}, None, EDITORS, Kind.REOPEN.label, needs_reason=True),
    ),
)

#: Kinds of change that must carry a reason (read from the table).
REASON_REQUIRED: frozenset[StageChangeKind] = TABLE.reason_required


def classify(current: Stage, target: Stage, resume_to: Stage | None = None) -> StageChangeKind | None:
    """The kind of change a pick of ``target`` from ``current`` would be, or None when it is no
    kind at all (the same stage; a held project picking a main-line stage other than
    ``resume_to``, the stage it left). Whether that kind may be taken from ``current`` is the
    table's: see ``stage_change``."""
    if current == target:
        return None
    if target == Stage.TERMINATED:
        return Kind.TERMINATE
    if target == Stage.ON_HOLD:
        return Kind.HOLD
    if current == Stage.TERMINATED:
        return Kind.REOPEN
    if current == Stage.ON_HOLD:
        return Kind.RESUME if resume_to is None or target == resume_to else None
    i, j = MAIN_LINE.index(current), MAIN_LINE.index(target)
    if j == i + 1:
        return Kind.ADVANCE
    return Kind.SKIP if j > i else Kind.CORRECTION


def stage_change(
    current: Stage, target: Stage, resume_to: Stage | None = None
) -> Transition[Stage, StageChangeKind] | None:
    """THE lookup: the table's row for changing ``current`` to ``target``, or None when the
    table forbids it. ``resume_to`` is the main-line stage a held project left."""
    kind = classify(current, target, resume_to)
    if kind is None:
        return None
    found = TABLE.transition_for(kind, current)
    if found is None or (found.target is not None and found.target != target):
        return None
    return found


def stage_change_kind(current: Stage, target: Stage, resume_to: Stage | None = None) -> StageChangeKind | None:
    """The kind of the change from ``current`` to ``target`` the table allows, or None."""
    found = stage_change(current, target, resume_to)
    return None if found is None else found.action
