"""Hand-off notices of matters (zhaoyin.notifications.handoff + zhaoyin.matters.notices) and
the matters' part of 我的待办 (zhaoyin.matters.todo): who is told of each step and whose list
it lands on, computed from the table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from zhaoyin.accounts.models import User
from zhaoyin.core import todo
from zhaoyin.core.errors import InvalidInput
from zhaoyin.matters import services
from zhaoyin.matters.clocks import SHANGHAI
from zhaoyin.matters.flow import MATTER_TABLE, Action, Relation, State
from zhaoyin.matters.inputs import (
    AnswerExtensionInput,
    AssignInput,
    ExtensionRequestInput,
    NewClockInput,
    NoteInput,
    RateInput,
    ReportInput,
    ReturnInput,
)
from zhaoyin.matters.models import Matter, MatterNotice
from zhaoyin.matters.scan import scan_pass
from zhaoyin.matters.tests.conftest import MakeMatter, People
from zhaoyin.matters.todo import MatterTodo
from zhaoyin.notifications.handoff import resolver_for
from zhaoyin.notifications.models import Channel, Notification, Outbox

pytestmark = pytest.mark.django_db
MONDAY = dt.datetime(2026, 11, 2, 9, 30, tzinfo=SHANGHAI)
Commit = Callable[..., Any]


def at(moment: dt.datetime) -> Any:
    return time_machine.travel(moment, tick=False)


def told(kind: str) -> list[str]:
    """Who got a notice of ``kind``, by username."""
    return sorted(
        Notification.objects.filter(kind=kind).select_related("recipient").values_list("recipient__username", flat=True)
    )


def kinds(user: User) -> dict[str, int]:
    return MatterTodo().counts(user)


# ---- the table ------------------------------------------------------------------------------


def test_every_row_that_gives_work_names_who_is_told() -> None:
    notify = {r.action: r.notify or frozenset() for r in MATTER_TABLE.rows}
    assert notify[Action.ASSIGN] == frozenset({Relation.LEAD_UNIT, Relation.CO_UNIT})
    assert notify[Action.REASSIGN] == frozenset({Relation.LEAD_UNIT, Relation.CO_UNIT})
    assert notify[Action.RETURN] == frozenset({Relation.DISPATCHER})
    assert notify[Action.REQUEST_EXTENSION] == frozenset({Relation.DISPATCHER})
    assert notify[Action.ANSWER_EXTENSION] == frozenset({Relation.LEAD_UNIT})
    assert notify[Action.REPORT] == frozenset({Relation.DISPATCHER})
    assert notify[Action.APPROVE] == frozenset({Relation.REQUESTER})
    assert notify[Action.REJECT] == frozenset({Relation.LEAD_UNIT})
    assert notify[Action.REOPEN] == frozenset({Relation.LEAD_UNIT})
    # Signing for gives nobody new work; 挂牌督办 is announced by the escalation scan.
    for quiet in (Action.ACCEPT, Action.PROGRESS, Action.RATE, Action.CANCEL, Action.LIST, Action.UNLIST):
        assert notify[quiet] == frozenset(), quiet
    resolver = resolver_for("matter")
    assert resolver is not None
    assert {a for n in notify.values() for a in n} <= resolver.actors


def test_hand_off_kinds_never_collide_with_the_scan_kinds() -> None:
    from zhaoyin.matters.models import NoticeKind

    handoff_kinds = {f"matter.{r.action}" for r in MATTER_TABLE.rows if r.notify}
    assert handoff_kinds.isdisjoint({f"matter.{k}" for k in NoticeKind.values})


# ---- notices --------------------------------------------------------------------------------


def test_assign_tells_the_lead_and_co_units_people_in_charge_only(
    people: People, make_matter: MakeMatter, django_capture_on_commit_callbacks: Commit
) -> None:
    matter = make_matter(State.DRAFT)
    with at(MONDAY), django_capture_on_commit_callbacks(execute=True):
        services.matter_assign(
            acting_user=people.supervisor, matter=matter, data=AssignInput.of(lead_unit="340402", co_units=["dept-fgw"])
        )
    # County A's staff and admin (the lead unit), the department's staff (co-unit); not the
    # park below county A, not county B, not the supervisor who acted.
    assert told("matter.assign") == ["co", "lead", "lead_admin"]
    note = Notification.objects.filter(kind="matter.assign", recipient=people.lead).get()
    assert matter.code in note.title
    assert "2026-11-03" in note.body  # the sign-for deadline
    assert note.link == f"/matters/{matter.pk}/"
    assert (note.object_type, note.object_id) == ("matters.matter", str(matter.pk))
    # Delivered to the inbox at once (and queued for the other channels the settings name).
    assert Outbox.objects.filter(notification=note, channel=Channel.INBOX.value, state="sent").exists()


def test_each_step_tells_whoever_the_next_step_waits_for(
    people: People, make_matter: MakeMatter, django_capture_on_commit_callbacks: Commit
) -> None:
    matter = make_matter(State.DRAFT)
    with at(MONDAY), django_capture_on_commit_callbacks(execute=True):
        services.matter_assign(
            acting_user=people.dispatcher, matter=matter, data=AssignInput.of(lead_unit="340402", co_units=[])
        )
        services.matter_accept(acting_user=people.lead, matter=matter, data=NoteInput.of())
        services.matter_request_extension(
            acting_user=people.lead, matter=matter, data=ExtensionRequestInput.of(days=2, reason="等待批复")
        )
        services.matter_answer_extension(
            acting_user=people.supervisor, matter=matter, data=AnswerExtensionInput.of(approve=True)
        )
        services.matter_report(acting_user=people.lead, matter=matter, data=ReportInput.of(summary="已办结"))
        services.matter_reject(acting_user=people.supervisor, matter=matter, data=NewClockInput.of(reason="缺少回函"))
        services.matter_report(acting_user=people.lead, matter=matter, data=ReportInput.of(summary="已补充"))
        services.matter_approve(acting_user=people.supervisor, matter=matter, data=NoteInput.of())
    assert told("matter.accept") == []
    # The dispatching unit (the city) holds the dispatcher: its city admin and supervisor.
    assert told("matter.request_extension") == ["dispatcher", "supervisor"]
    assert told("matter.answer_extension") == ["lead", "lead_admin"]
    assert told("matter.report") == ["dispatcher", "dispatcher", "supervisor", "supervisor"]
    assert told("matter.reject") == ["lead", "lead_admin"]
    assert told("matter.approve") == ["requester"]  # 待评价
    with django_capture_on_commit_callbacks(execute=True):
        services.matter_rate(acting_user=people.requester, matter=matter, data=RateInput.of(rating="satisfied"))
    assert told("matter.rate") == []


def test_return_tells_the_dispatcher_and_a_dissatisfied_rating_the_lead_unit(
    people: People, make_matter: MakeMatter, django_capture_on_commit_callbacks: Commit
) -> None:
    matter = make_matter(State.ASSIGNED)
    with django_capture_on_commit_callbacks(execute=True):
        services.matter_return(
            acting_user=people.lead, matter=matter, data=ReturnInput.of(reason="不属本单位", suggested_unit="340403")
        )
    assert told("matter.return") == ["dispatcher", "supervisor"]
    closed = make_matter(State.CLOSED, closed_at=MONDAY, handle_days=5)
    with django_capture_on_commit_callbacks(execute=True):
        services.matter_rate(
            acting_user=people.requester, matter=closed, data=RateInput.of(rating="dissatisfied", comment="未解决")
        )
    # 不满意 goes to the dispatcher for verification first; its confirmation tells the lead unit.
    assert told("matter.dispute") == ["dispatcher", "supervisor"]
    assert told("matter.reopen") == []
    with django_capture_on_commit_callbacks(execute=True):
        services.matter_confirm_dispute(
            acting_user=people.supervisor, matter=Matter.objects.get(pk=closed.pk),
            data=NewClockInput.of(reason="属实"),
        )
    assert told("matter.confirm_dispute") == ["lead", "lead_admin"]


def test_a_refused_step_tells_nobody(
    people: People, make_matter: MakeMatter, django_capture_on_commit_callbacks: Commit
) -> None:
    matter = make_matter(State.DRAFT)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidInput):
        services.matter_assign(
            acting_user=people.dispatcher, matter=matter, data=AssignInput.of(lead_unit="340402", handle_days="x")
        )
    assert not Notification.objects.exists()


def test_only_people_who_may_see_the_matter_are_told(
    people: People, make_matter: MakeMatter, django_capture_on_commit_callbacks: Commit
) -> None:
    matter = make_matter(State.REPORTED)
    people.dispatcher.is_active = False
    people.dispatcher.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        services.matter_approve(acting_user=people.supervisor, matter=matter, data=NoteInput.of())
        services.matter_rate(acting_user=people.requester, matter=matter, data=RateInput.of(rating="satisfied"))
    assert told("matter.approve") == ["requester"]
    resolver = resolver_for("matter")
    assert resolver is not None
    assert not resolver.may_see(people.outsider, matter)
    assert not resolver.may_see(people.sysadmin, matter)


def test_the_hand_off_stands_for_a_reminder_already_due_so_the_scan_does_not_repeat_it(
    people: People, make_matter: MakeMatter, django_capture_on_commit_callbacks: Commit
) -> None:
    matter = make_matter(State.DRAFT)
    # Monday: the sign-for deadline (one working day) is Tuesday — "approaching" at once.
    with at(MONDAY), django_capture_on_commit_callbacks(execute=True):
        services.matter_assign(
            acting_user=people.dispatcher, matter=matter, data=AssignInput.of(lead_unit="340402", co_units=[])
        )
    remind = MatterNotice.objects.get(matter=matter, kind="remind")
    assert (remind.clock, remind.deadline) == ("sign_for", dt.date(2026, 11, 3))
    assert sorted(remind.recipients) == ["lead", "lead_admin"]
    with at(MONDAY + dt.timedelta(minutes=5)):
        scan_pass()
    assert Notification.objects.filter(kind="matter.remind").count() == 0
    assert told("matter.assign") == ["lead", "lead_admin"]
    # The scan still urges once the deadline has passed.
    with at(dt.datetime(2026, 11, 4, 9, 0, tzinfo=SHANGHAI)):
        scan_pass()
    assert told("matter.urge") == ["lead", "lead_admin"]


def test_a_visit_demand_assigned_tells_the_lead_unit(
    people: People, make_matter: MakeMatter, django_capture_on_commit_callbacks: Commit
) -> None:
    matter = make_matter(State.DRAFT, source="visit")
    with at(MONDAY), django_capture_on_commit_callbacks(execute=True):
        services.matter_assign(
            acting_user=people.supervisor, matter=matter, data=AssignInput.of(lead_unit="340402", co_units=[])
        )
    assert told("matter.assign") == ["lead", "lead_admin"]


# ---- 我的待办 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "extra", "holders"),
    [
        (State.ASSIGNED, {}, {"lead": "to_sign", "lead_admin": "to_sign"}),
        (State.ACCEPTED, {}, {"lead": "to_handle", "lead_admin": "to_handle"}),
        (State.RETURNED, {}, {"dispatcher": "to_reassign", "supervisor": "to_reassign"}),
        (State.REPORTED, {}, {"dispatcher": "to_review", "supervisor": "to_review"}),
        (State.CLOSED, {"closed_at": MONDAY}, {"requester": "to_rate"}),
        (State.RATED, {}, {}),
        (State.DRAFT, {}, {}),
        (State.CANCELLED, {}, {}),
    ],
)
def test_each_state_lands_on_the_list_of_whoever_waits(
    people: People, make_matter: MakeMatter, state: State, extra: dict[str, Any], holders: dict[str, str]
) -> None:
    make_matter(state, **extra)
    everyone = [
        people.dispatcher,
        people.supervisor,
        people.leader,
        people.lead,
        people.lead_admin,
        people.park,
        people.co,
        people.outsider,
        people.requester,
        people.other_portal,
    ]
    for user in everyone:
        expected = {holders[user.username]: 1} if user.username in holders else {}
        assert kinds(user) == expected, user.username
        items = MatterTodo().todo(user, limit=10)
        assert [i.kind for i in items] == list(expected), user.username


def test_an_extension_request_waits_for_the_dispatchers_answer(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ACCEPTED, handle_deadline=dt.date(2026, 11, 20))
    assert kinds(people.supervisor) == {}
    with at(MONDAY):
        services.matter_request_extension(
            acting_user=people.lead, matter=matter, data=ExtensionRequestInput.of(days=2, reason="等待批复")
        )
    assert kinds(people.supervisor) == {"to_answer_extension": 1}
    assert kinds(people.lead) == {"to_handle": 1}
    with at(MONDAY):
        services.matter_answer_extension(
            acting_user=people.supervisor, matter=matter, data=AnswerExtensionInput.of(approve=False)
        )
    assert kinds(people.supervisor) == {}


def test_items_come_oldest_due_first_with_their_light(people: People, make_matter: MakeMatter) -> None:
    late = make_matter(State.ASSIGNED, sign_deadline=dt.date(2026, 11, 3))
    near = make_matter(State.ACCEPTED, handle_deadline=dt.date(2026, 11, 10))
    far = make_matter(State.ACCEPTED, handle_deadline=dt.date(2026, 12, 31))
    with at(dt.datetime(2026, 11, 9, 10, 0, tzinfo=SHANGHAI)):
        items = todo.todo_for(people.lead).items
    assert [(i.code, i.kind, i.light) for i in items] == [
        (late.code, "to_sign", "red"),
        (near.code, "to_handle", "yellow"),
        (far.code, "to_handle", "green"),
    ]
    assert items[0].deadline == dt.date(2026, 11, 3)
    assert items[0].unit == "大通区"


def test_raised_and_done_follow_the_user(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.DRAFT)
    with at(MONDAY):
        services.matter_assign(
            acting_user=people.supervisor, matter=matter, data=AssignInput.of(lead_unit="340402", co_units=[])
        )
        services.matter_accept(acting_user=people.lead, matter=matter, data=NoteInput.of())
    mine = todo.todo_for(people.supervisor)
    assert [t.code for t in mine.raised] == [matter.code]
    assert [(t.code, t.what) for t in mine.done] == [(matter.code, "交办")]
    lead = todo.todo_for(people.lead)
    assert [(t.code, t.what, t.state) for t in lead.done] == [(matter.code, "签收", "办理中")]
    assert [t.code for t in todo.todo_for(people.requester).raised] == [matter.code]
    assert todo.todo_for(people.outsider).done == []


def test_the_matter_stays_where_the_table_put_it(people: People, make_matter: MakeMatter) -> None:
    """The provider reads the stored state only (no second source of truth)."""
    matter = make_matter(State.ASSIGNED)
    Matter.objects.filter(pk=matter.pk).update(state=State.REPORTED.value)
    assert kinds(people.lead) == {}
    assert kinds(people.supervisor) == {"to_review": 1}
