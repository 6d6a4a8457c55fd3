"""THE transition table (DESIGN 3.5): every state × action, illegal ones refused with 409 and
no change, legal ones taken; the same action pressed twice happens once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from zhaoyin.accounts.models import User
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import Conflict
from zhaoyin.matters import clocks, inputs, services
from zhaoyin.matters.choices import ExtensionState
from zhaoyin.matters.flow import (
    EDGES,
    LOOPS,
    STATES,
    TABLE,
    Action,
    Relation,
    State,
    actions_from,
    transition_for,
)
from zhaoyin.matters.inputs import ACTION_INPUTS
from zhaoyin.matters.models import ExtensionRequest, Matter, MatterEvent
from zhaoyin.matters.tests.conftest import FAR, MakeMatter, People, fingerprint

ORDER = list(State)
ACTIONS = list(Action)
# Rows: actions; columns: the states in ORDER (draft assigned accepted reported closed rated
# returned cancelled disputed). "x": allowed. Written out by hand so the test does not restate the table.
GRID = """
assign            x - - - - - x - -
reassign          - x x - - - - - -
accept            - x - - - - - - -
return            - x x - - - - - -
progress          - - x - - - - - -
request_extension - - x - - - - - -
answer_extension  - - x - - - - - -
report            - - x - - - - - -
approve           - - - x - - - - -
reject            - - - x - - - - -
rate              - - - - x - - - -
reopen            - - - - x x - - -
cancel            x x x x - - x - -
list              - x x x - - x - -
unlist            - x x x x x x x -
instruct          x x x x x x x - x
dispute           - - - - - x - - -
confirm_dispute   - - - - - - - - x
dismiss_dispute   - - - - - - - - x
urge              - x x - - - - - -
supervise         - x x - - - - - -
"""
TARGETS = {
    Action.ASSIGN: State.ASSIGNED, Action.REASSIGN: State.ASSIGNED, Action.ACCEPT: State.ACCEPTED,
    Action.RETURN: State.RETURNED, Action.REPORT: State.REPORTED, Action.APPROVE: State.CLOSED,
    Action.REJECT: State.ACCEPTED, Action.RATE: State.RATED, Action.REOPEN: State.ACCEPTED,
    Action.CANCEL: State.CANCELLED, Action.DISPUTE: State.DISPUTED, Action.CONFIRM_DISPUTE: State.ACCEPTED,
    Action.DISMISS_DISPUTE: State.RATED,
}


def _expected() -> set[tuple[Action, State]]:
    allowed: set[tuple[Action, State]] = set()
    for line in GRID.strip().splitlines():
        name, *cells = line.split()
        assert len(cells) == len(ORDER)
        allowed |= {(Action(name), s) for s, c in zip(ORDER, cells, strict=True) if c == "x"}
    return allowed


ALLOWED = _expected()
PAIRS = [(a, s) for a in ACTIONS for s in ORDER]
#: The actions a person takes through a service (``dispute`` is the rating service's own step).
MANUAL = [a for a in ACTIONS if TABLE[a].manual]
MANUAL_PAIRS = [(a, s) for a, s in PAIRS if a in MANUAL]


@pytest.mark.parametrize(("action", "state"), PAIRS)
def test_the_table_allows_exactly_the_grid(action: Action, state: State) -> None:
    assert (transition_for(action, state) is not None) == ((action, state) in ALLOWED)


def test_targets_relations_and_the_flowchart_edges() -> None:
    for action, row in TABLE.items():
        assert row.target == TARGETS.get(action)
    assert TABLE[Action.REPORT].actors == {Relation.LEAD_UNIT}  # never a co-unit
    assert TABLE[Action.PROGRESS].actors == {Relation.LEAD_UNIT, Relation.CO_UNIT}
    assert TABLE[Action.RATE].actors == {Relation.REQUESTER, Relation.DISPATCHER}
    assert TABLE[Action.LIST].actors == {Relation.LEADER, Relation.SUPERVISOR}
    assert TABLE[Action.URGE].actors == TABLE[Action.SUPERVISE].actors == {Relation.SUPERVISOR}
    assert [code for code, _label in STATES] == [s.value for s in ORDER]
    assert ("reported", "accepted", TABLE[Action.REJECT].label) in EDGES
    assert ("rated", "accepted", TABLE[Action.REOPEN].label) in EDGES
    assert ("accepted", TABLE[Action.REQUEST_EXTENSION].label) in LOOPS
    assert all(a != b for a, b, _label in EDGES)
    assert len(EDGES) + len(LOOPS) == len(ALLOWED)
    assert set(services.ACTION_SERVICES) == set(MANUAL)
    assert not TABLE[Action.DISPUTE].manual
    assert actions_from(State.CANCELLED) == [Action.UNLIST]


def actor(people: People, action: Action) -> User:
    """Someone the table grants ``action`` to."""
    if action == Action.INSTRUCT:
        return people.leader  # of the dispatchers only the supervision office records a 批示
    relation = Relation(sorted(TABLE[action].actors)[0])
    return {
        Relation.DISPATCHER: people.dispatcher,
        Relation.LEAD_UNIT: people.lead,
        Relation.CO_UNIT: people.co,
        Relation.REQUESTER: people.requester,
        Relation.LEADER: people.leader,
        Relation.SUPERVISOR: people.supervisor,
    }[relation]


KWARGS: dict[Action, dict[str, Any]] = {
    Action.ASSIGN: {"lead_unit": "340402"},
    Action.REASSIGN: {"lead_unit": "park-a"},
    Action.ACCEPT: {},
    Action.RETURN: {"reason": "职能不符", "suggested_unit": "340403"},
    Action.PROGRESS: {"note": "正在协调"},
    Action.REQUEST_EXTENSION: {"days": 3, "reason": "等待批复"},
    Action.ANSWER_EXTENSION: {"approve": True},
    Action.REPORT: {"summary": "已办结"},
    Action.APPROVE: {},
    Action.REJECT: {"reason": "材料不全"},
    Action.RATE: {"rating": "satisfied"},
    Action.REOPEN: {"reason": "新的批示"},
    Action.CANCEL: {"reason": "重复登记"},
    Action.LIST: {"leader": "leader", "deadline": FAR},
    Action.UNLIST: {},
    Action.URGE: {"note": "请抓紧办理"},
    Action.SUPERVISE: {"note": "逾期未办，请于限期内办结"},
    Action.INSTRUCT: {"text": "请抓紧协调解决"},
    Action.CONFIRM_DISPUTE: {"reason": "企业反映属实"},
    Action.DISMISS_DISPUTE: {"reason": "诉求已按政策答复"},
}


def take(people: People, action: Action, matter: Matter, user: User | None = None) -> Any:
    data = ACTION_INPUTS[action].of(**KWARGS[action])
    return services.ACTION_SERVICES[action](acting_user=user or actor(people, action), matter=matter, data=data)


@pytest.mark.parametrize(("action", "state"), [p for p in MANUAL_PAIRS if p not in ALLOWED])
def test_an_illegal_action_is_a_conflict_and_changes_nothing(
    people: People, make_matter: MakeMatter, action: Action, state: State
) -> None:
    matter = make_matter(state, listed=action == Action.UNLIST)
    before = fingerprint()
    with pytest.raises(Conflict):
        take(people, action, matter)
    assert fingerprint() == before


@pytest.mark.parametrize(("action", "state"), sorted(p for p in ALLOWED if p[0] in MANUAL))
def test_a_legal_action_is_taken_once_and_recorded(
    people: People, make_matter: MakeMatter, action: Action, state: State
) -> None:
    matter = make_matter(state, listed=action == Action.UNLIST, handle_deadline=FAR)
    if action == Action.ANSWER_EXTENSION:
        ExtensionRequest.objects.create(
            matter=matter, current_deadline=FAR, requested_deadline=FAR.replace(year=2027, month=1, day=8),
            reason="等待批复",
        )
    version = matter.version
    take(people, action, matter)
    stored = Matter.objects.get(pk=matter.pk)
    target = TABLE[action].leads_to(state)
    assert stored.state == target.value
    assert stored.version > version
    event = MatterEvent.objects.filter(matter=matter, action=action.value).get()
    assert (event.from_state, event.to_state) == (state.value, target.value)
    record = AuditRecord.objects.filter(action=f"matter.{action.value}", object_id=str(matter.pk)).get()
    assert record.after is not None
    assert record.after["state"] == target.value
    # Pressed again with the matter as it was first read: the version moved on, nothing happens.
    stale = Matter.objects.get(pk=matter.pk)
    stale.state, stale.version, stale.listed = state.value, version, action == Action.UNLIST
    before = fingerprint()
    with pytest.raises(Conflict):
        take(people, action, stale)
    assert fingerprint() == before


def test_double_press_two_readers_of_one_version_the_second_is_a_conflict(
    people: People, make_matter: MakeMatter
) -> None:
    matter = make_matter(State.ASSIGNED)
    first, second = Matter.objects.get(pk=matter.pk), Matter.objects.get(pk=matter.pk)
    services.matter_accept(acting_user=people.lead, matter=first, data=inputs.NoteInput.of())
    before = fingerprint()
    with pytest.raises(Conflict):
        services.matter_accept(acting_user=people.lead_admin, matter=second, data=inputs.NoteInput.of())
    assert fingerprint() == before
    assert MatterEvent.objects.filter(matter=matter, action="accept").count() == 1


def test_two_units_racing_to_answer_only_the_first_counts(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ASSIGNED)
    first, second = Matter.objects.get(pk=matter.pk), Matter.objects.get(pk=matter.pk)
    services.matter_return(acting_user=people.lead, matter=first,
        data=inputs.ReturnInput.of(reason="属地不符", suggested_unit="340403"))
    with pytest.raises(Conflict):
        services.matter_accept(acting_user=people.lead_admin, matter=second, data=inputs.NoteInput.of())
    assert Matter.objects.get(pk=matter.pk).state == State.RETURNED


def test_listing_twice_or_unlisting_an_unlisted_matter_is_a_conflict(people: People, make_matter: MakeMatter) -> None:
    listed = make_matter(State.ACCEPTED, listed=True)
    plain = make_matter(State.ACCEPTED)
    before = fingerprint()
    with pytest.raises(Conflict):
        services.matter_list(
            acting_user=people.leader, matter=listed,
            data=inputs.ListInput.of(
                leader=people.leader.username, deadline=clocks.today() + dt.timedelta(days=30)
            ),
        )
    with pytest.raises(Conflict):
        services.matter_unlist(acting_user=people.leader, matter=plain, data=inputs.NoteInput.of())
    assert fingerprint() == before


def test_answering_without_a_pending_request_and_asking_twice_are_conflicts(
    people: People, make_matter: MakeMatter
) -> None:
    matter = make_matter(State.ACCEPTED)
    with pytest.raises(Conflict):
        services.matter_answer_extension(acting_user=people.dispatcher, matter=matter,
            data=inputs.AnswerExtensionInput.of(approve=True))
    services.matter_request_extension(acting_user=people.lead, matter=matter,
        data=inputs.ExtensionRequestInput.of(days=2, reason="等待"))
    before = fingerprint()
    with pytest.raises(Conflict):
        services.matter_request_extension(acting_user=people.lead, matter=matter,
            data=inputs.ExtensionRequestInput.of(days=4, reason="再等"))
    assert fingerprint() == before
    assert ExtensionRequest.objects.filter(matter=matter, state=ExtensionState.PENDING).count() == 1
