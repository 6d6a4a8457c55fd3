"""The escalation scan (DESIGN 3.5, 5.2): each notice exactly once, however often or however
concurrently the scan runs; a pass looks only at the matters whose ladder can have changed;
recipients are the people in charge and only ever people who may see the matter."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core import periodic
from zhaoyin.matters import clocks, inputs, services
from zhaoyin.matters.clocks import SHANGHAI
from zhaoyin.matters.flow import State
from zhaoyin.matters.models import Matter, MatterNotice
from zhaoyin.matters.scan import NEVER, notices_for, scan_pass
from zhaoyin.matters.selectors import matter_get_for_user
from zhaoyin.matters.tests.conftest import MakeMatter, People
from zhaoyin.notifications.models import Notification

pytestmark = pytest.mark.django_db

FRIDAY = dt.date(2026, 6, 5)  # a handling deadline; Sat/Sun off, then Mon 8 … Fri 12 June


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


def travel(moment: dt.datetime) -> Any:
    return time_machine.travel(moment, tick=False)


def kinds(matter: Matter) -> list[tuple[str, str, str]]:
    return sorted((n.kind, n.clock, n.deadline.isoformat()) for n in notices_for(matter))


def inbox(user: User) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def overdue(make_matter: MakeMatter, **fields: Any) -> Matter:
    """An accepted matter whose handling deadline was Friday 5 June 2026."""
    return make_matter(State.ACCEPTED, handle_deadline=FRIDAY, **fields)


def test_scan_far_future_twice_leaves_one_urge_and_one_supervise(people: People, make_matter: MakeMatter) -> None:
    """The issue's acceptance line, through the command."""
    matter = overdue(make_matter)
    first, second = StringIO(), StringIO()
    call_command("scan", "--now", "2030-01-07T10:00", stdout=first)
    call_command("scan", "--now", "2030-01-07T10:00", stdout=second)
    assert kinds(matter) == [("supervise", "handling", "2026-06-05"), ("urge", "handling", "2026-06-05")]
    assert "(urge 1, supervise 1)" in first.getvalue(), first.getvalue()
    assert "with new notices (none)" in second.getvalue(), second.getvalue()
    notice = MatterNotice.objects.get(matter=matter, kind="urge")
    assert notice.due_on == dt.date(2026, 6, 8)  # the first overdue working day
    assert MatterNotice.objects.get(matter=matter, kind="supervise").due_on == dt.date(2026, 6, 12)
    # Each recipient was told once of each notice.
    assert inbox(people.lead) == ["matter.supervise", "matter.urge"]
    assert inbox(people.supervisor) == ["matter.supervise"]


def test_scan_command_refuses_a_bad_now(db: Any) -> None:
    for bad in ("tomorrow", "2026-13-01T00:00", "2150-01-01T00:00"):
        with pytest.raises(CommandError) as caught:
            call_command("scan", "--now", bad)
        assert caught.value.returncode == 2
        assert "--now" in str(caught.value)


def test_scan_command_runs_without_now(people: People, make_matter: MakeMatter) -> None:
    overdue(make_matter)
    out = StringIO()
    call_command("scan", stdout=out)
    assert out.getvalue().startswith("examined 1 matters"), out.getvalue()


def test_the_ladder_step_by_step_and_each_pass_examines_only_what_changes(
    people: People, make_matter: MakeMatter
) -> None:
    matter = overdue(make_matter)
    # Forty matters far from their deadlines: looked at once, then not again.
    quiet = [make_matter(State.ACCEPTED, co=()) for _ in range(40)]
    draft = make_matter(State.DRAFT)

    def scan(moment: dt.datetime) -> Any:
        with travel(moment):
            return scan_pass()

    first = scan(at(dt.date(2026, 6, 4)))  # Thursday: one working day left → blue
    assert first.recomputed_all  # the first pass ever looks at every open matter once
    assert first.examined == 41
    assert kinds(matter) == [("remind", "handling", "2026-06-05")]
    assert all(not notices_for(q) for q in quiet)
    assert not notices_for(draft)

    again = scan(at(dt.date(2026, 6, 4), 15))
    assert (again.examined, again.changed, again.recomputed_all) == (0, 0, False)

    saturday = scan(at(dt.date(2026, 6, 6)))  # red from midnight, but no 催办 before Monday
    assert (saturday.examined, saturday.changed) == (1, 0)
    assert scan(at(dt.date(2026, 6, 7))).examined == 0

    monday = scan(at(dt.date(2026, 6, 8), 0))
    assert (monday.examined, monday.changed, monday.notices["urge"]) == (1, 1, 1)
    for day in (8, 9, 10, 11):
        assert scan(at(dt.date(2026, 6, day), 18)).examined == 0

    friday = scan(at(dt.date(2026, 6, 12)))  # the 5th overdue working day → 督办
    assert (friday.examined, friday.notices["supervise"]) == (1, 1)
    matter.refresh_from_db()
    assert matter.next_check_at == NEVER  # nothing more can change on this deadline
    assert scan(at(dt.date(2026, 7, 1))).examined == 0
    assert kinds(matter) == [
        ("remind", "handling", "2026-06-05"),
        ("supervise", "handling", "2026-06-05"),
        ("urge", "handling", "2026-06-05"),
    ]


def test_a_transition_makes_the_matter_due_and_a_new_deadline_is_a_new_notice(
    people: People, make_matter: MakeMatter
) -> None:
    matter = overdue(make_matter)
    with travel(at(dt.date(2026, 6, 8))):
        assert scan_pass().notices["urge"] == 1
        services.matter_report(acting_user=people.lead, matter=matter, data=inputs.ReportInput.of(summary="已办结"))
        matter.refresh_from_db()
        assert matter.next_check_at is not None
        # The report stops the clock: looked at once, nothing new.
        result = scan_pass()
        assert (result.examined, result.changed) == (1, 0)
        services.matter_reject(acting_user=people.dispatcher, matter=matter,
            data=inputs.NewClockInput.of(reason="材料不全", handle_deadline="2026-06-09"))
    with travel(at(dt.date(2026, 6, 10))):
        result = scan_pass()
    assert (result.examined, result.notices["urge"]) == (1, 1)
    assert [k for k in kinds(matter) if k[0] == "urge"] == [
        ("urge", "handling", "2026-06-05"),
        ("urge", "handling", "2026-06-09"),
    ]


def test_a_listed_matter_gets_one_listed_notice_for_leaders_supervisors_and_the_unit(
    people: People, make_matter: MakeMatter
) -> None:
    matter = make_matter(State.ACCEPTED)  # far from its deadline
    with travel(at(dt.date(2026, 6, 3))):
        scan_pass()
        services.matter_list(
            acting_user=people.leader, matter=matter,
            data=inputs.ListInput.of(
                leader=people.leader.username, deadline=clocks.today() + dt.timedelta(days=30), note="重点跟踪"
            ),
        )
        result = scan_pass()
        assert (result.examined, result.notices["listed"]) == (1, 1)
        assert scan_pass().examined == 0
    assert kinds(matter) == [("listed", "", "2026-06-03")]
    for user in (people.leader, people.supervisor, people.lead, people.lead_admin):
        assert inbox(user) == ["matter.listed"], user.username
    for user in (people.dispatcher, people.park, people.co, people.outsider, people.requester, people.sysadmin):
        assert inbox(user) == [], user.username


def test_recipients_are_the_people_in_charge_and_only_within_scope(
    people: People, make_matter: MakeMatter, make_user: Any, org_tree: dict[str, OrgUnit]
) -> None:
    member = make_user("service_member", "county_a", username="member_in_a")
    inactive = make_user("staff", "county_a", username="gone")
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    in_b = make_user("unit_admin", "county_b", username="head_b")
    matter = overdue(make_matter)
    other = overdue(make_matter, lead_unit=org_tree["county_b"])
    with travel(at(dt.date(2026, 6, 15))):
        scan_pass()
    assert inbox(people.lead) == inbox(people.lead_admin) == ["matter.supervise", "matter.urge"]
    # County B's people, for county B's matter only.
    assert inbox(in_b) == inbox(people.outsider) == ["matter.supervise", "matter.urge"]
    assert set(Notification.objects.filter(recipient__in=[in_b, people.outsider]).values_list(
        "object_id", flat=True)) == {str(other.pk)}
    assert inbox(people.supervisor) == ["matter.supervise", "matter.supervise"]
    nobody = (people.dispatcher, people.leader, people.park, people.co, people.requester, people.other_portal,
              people.sysadmin, member, inactive)
    for user in nobody:
        assert inbox(user) == [], user.username
    # Every notification points at a matter its recipient may open.
    for n in Notification.objects.select_related("recipient"):
        assert matter_get_for_user(user=n.recipient, pk=int(n.object_id))
        assert n.link.endswith(f"/{n.object_id}/")
    urge = MatterNotice.objects.get(matter=matter, kind="urge")
    assert sorted(urge.recipients) == ["lead", "lead_admin"]
    assert sorted(MatterNotice.objects.get(matter=other, kind="urge").recipients) == ["head_b", "outsider"]
    # Each issued notice is audited, by the system.
    audit = AuditRecord.objects.filter(action="matter.notice_urge", object_id=str(matter.pk)).get()
    assert audit.after is not None
    assert audit.after["recipients"] == ["lead", "lead_admin"]


def test_running_a_pass_again_over_the_same_matters_issues_nothing_twice(
    people: People, make_matter: MakeMatter
) -> None:
    """The unique constraint, not the schedule, is what makes a notice exactly-once: force a
    second pass to look at the same matters again."""
    matters = [overdue(make_matter) for _ in range(5)]
    moment = at(dt.date(2026, 6, 15))
    with travel(moment):
        first = scan_pass()
        Matter.objects.update(next_check_at=moment - dt.timedelta(hours=1))
        second = scan_pass()
    assert (first.examined, first.notices["urge"], first.notices["supervise"]) == (5, 5, 5)
    assert (second.examined, second.changed, second.notifications) == (5, 0, 0)
    assert MatterNotice.objects.count() == 10
    assert Notification.objects.filter(recipient=people.lead).count() == 10
    assert all(len(kinds(m)) == 2 for m in matters)


def test_a_pass_in_the_future_leaves_the_matters_due_for_the_real_time_pass(
    people: People, make_matter: MakeMatter
) -> None:
    matter = make_matter(State.ACCEPTED)  # deadline at the end of the year
    with travel(at(dt.date(2026, 6, 3))):
        scan_pass()
        future = scan_pass(at(dt.date(2027, 3, 1)))
        assert future.notices["urge"] == 1
        matter.refresh_from_db()
        assert matter.next_check_at is not None
        assert matter.next_check_at <= at(dt.date(2026, 6, 3))
        real = scan_pass()
    assert (real.examined, real.changed) == (1, 0)
    matter.refresh_from_db()
    assert matter.next_check_at is not None
    assert matter.next_check_at > at(dt.date(2026, 6, 3))


def test_a_calendar_change_makes_every_open_matter_due_once(
    people: People, make_matter: MakeMatter, settings: Any
) -> None:
    for _ in range(3):
        make_matter(State.ACCEPTED)
    make_matter(State.CLOSED)
    with travel(at(dt.date(2026, 6, 3))):
        assert scan_pass().examined == 3
        assert scan_pass().examined == 0
        settings.ZHAOYIN_MATTERS = {**settings.ZHAOYIN_MATTERS, "SUPERVISE_AFTER_WORKDAYS": 3}
        changed = scan_pass()
        assert (changed.recomputed_all, changed.examined) == (True, 3)
        assert scan_pass().examined == 0


def test_the_scan_and_the_delivery_are_registered_with_the_worker() -> None:
    jobs = {job.name: job.every_seconds for job in periodic.registered()}
    assert jobs["matters-escalation-scan"] == 300
    assert jobs["notifications-deliver"] == 60


def test_an_open_matter_written_without_the_services_is_looked_at(people: People, make_matter: MakeMatter) -> None:
    with travel(at(dt.date(2026, 6, 15))):
        scan_pass()
        late = overdue(make_matter)  # written straight to the table: next_check_at is NULL
        assert late.next_check_at is None
        result = scan_pass()
    assert (result.examined, result.notices["urge"]) == (1, 1)

