"""The two clocks on the working-day calendar (DESIGN 3.5, 4): weekends, 调休 working
Saturdays, holidays, the close of the day in Asia/Shanghai, provisional deadlines across a
year without official data and their recomputation when the notice is loaded."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.roles import Role
from zhaoyin.matters import clocks, inputs, services
from zhaoyin.matters.clocks import SHANGHAI
from zhaoyin.matters.flow import State
from zhaoyin.matters.models import Matter, MatterEvent
from zhaoyin.matters.tests.conftest import MakeMatter, People
from zhaoyin.workcalendar.services import notice_import, official_year_mark
from zhaoyin.workcalendar.tests.conftest import NOTICE_2027, notice_bytes

pytestmark = pytest.mark.django_db
D = dt.date


def assign_on(people: People, make_matter: MakeMatter, moment: dt.datetime, kind: str, **kwargs: Any) -> Matter:
    matter = make_matter(State.DRAFT, kind=kind)
    with time_machine.travel(moment, tick=False):
        services.matter_assign(acting_user=people.dispatcher, matter=matter, data=inputs.AssignInput.of(**kwargs))
    return Matter.objects.get(pk=matter.pk)


def test_clocks_skip_the_weekend(people: People, make_matter: MakeMatter) -> None:
    # Received on Friday 20 November 2026: counting starts on the next working day, Monday.
    matter = assign_on(people, make_matter, dt.datetime(2026, 11, 20, 17, 0, tzinfo=SHANGHAI), "consultation")
    assert matter.received_on == D(2026, 11, 20)
    assert (matter.sign_deadline, matter.handle_deadline) == (D(2026, 11, 23), D(2026, 11, 25))
    assert not matter.deadlines_provisional


def test_clocks_skip_the_national_day_holiday_and_count_the_working_saturday(
    people: People, make_matter: MakeMatter
) -> None:
    # DESIGN 4's worked case: received 2026-09-30 + 5 working days → 2026-10-13 (10-10 is a
    # make-up Saturday; 1–7 October are the holiday).
    matter = assign_on(people, make_matter, dt.datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI), "urgent_instruction")
    assert (matter.sign_deadline, matter.handle_deadline) == (D(2026, 10, 8), D(2026, 10, 13))
    assert matter.handle_days == 5


def test_the_sign_for_clock_lands_on_a_make_up_saturday(people: People, make_matter: MakeMatter) -> None:
    # Received Friday 2026-02-13: the next working day is the make-up Saturday 2026-02-14.
    matter = assign_on(people, make_matter, dt.datetime(2026, 2, 13, 9, 0, tzinfo=SHANGHAI), "consultation")
    assert matter.sign_deadline == D(2026, 2, 14)
    assert matter.handle_deadline == D(2026, 2, 25)  # the Spring Festival holiday follows


def test_the_receipt_is_the_day_in_shanghai_not_utc(people: People, make_matter: MakeMatter) -> None:
    # 23:30 UTC on Thursday is Friday morning in Shanghai.
    matter = assign_on(people, make_matter, dt.datetime(2026, 11, 19, 23, 30, tzinfo=dt.UTC), "consultation")
    assert matter.received_on == D(2026, 11, 20)


def test_handle_days_override_and_the_reform_date(people: People, make_matter: MakeMatter) -> None:
    monday = dt.datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
    matter = assign_on(people, make_matter, monday, "coordination", handle_days=2)
    assert (matter.handle_deadline, matter.handle_days) == (D(2026, 11, 4), 2)
    reform = assign_on(people, make_matter, monday, "reform", handle_deadline="2026-12-15")
    assert (reform.handle_deadline, reform.handle_days) == (D(2026, 12, 15), None)


def test_settings_change_the_clocks(people: People, make_matter: MakeMatter, settings: Any) -> None:
    settings.ZHAOYIN_MATTERS = {"SIGN_DAYS": 2, "HANDLE_DAYS": {"consultation": 1}}
    matter = assign_on(people, make_matter, dt.datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI), "consultation")
    assert (matter.sign_deadline, matter.handle_deadline) == (D(2026, 11, 24), D(2026, 11, 23))
    assert clocks.default_handle_days("coordination") == 15  # the other kinds keep their defaults
    assert clocks.default_handle_days("reform") is None


def test_a_deadline_ends_at_the_close_of_its_day_in_shanghai() -> None:
    deadline = D(2026, 11, 6)
    assert clocks.deadline_end(deadline) == dt.datetime(2026, 11, 6, 16, 0, tzinfo=dt.UTC)
    assert not clocks.is_past(deadline, dt.datetime(2026, 11, 6, 15, 59, 59, tzinfo=dt.UTC))
    assert clocks.is_past(deadline, dt.datetime(2026, 11, 6, 16, 0, tzinfo=dt.UTC))


def test_accepting_after_the_sign_deadline_is_recorded_as_late(people: People, make_matter: MakeMatter) -> None:
    matter = assign_on(people, make_matter, dt.datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI), "consultation")
    with time_machine.travel(dt.datetime(2026, 11, 24, 8, 0, tzinfo=SHANGHAI), tick=False):
        services.matter_accept(acting_user=people.lead, matter=matter, data=inputs.NoteInput.of())
    assert MatterEvent.objects.get(matter=matter, action="accept").data == {"on_time": False}


def test_a_clock_crossing_into_2027_is_provisional(people: People, make_matter: MakeMatter) -> None:
    matter = assign_on(people, make_matter, dt.datetime(2026, 12, 24, 10, 0, tzinfo=SHANGHAI), "talent_demand")
    # 2027 has no official data yet: the projection (元旦 1 day) counts, and the flag is set.
    assert (matter.sign_deadline, matter.handle_deadline) == (D(2026, 12, 25), D(2027, 1, 8))
    assert matter.deadlines_provisional


@pytest.fixture
def sysadmin(make_user: Any) -> Any:
    return make_user(Role.SYSADMIN, unit="city", username="sys1")


def test_loading_the_2027_notice_moves_a_provisional_deadline(
    people: People, make_matter: MakeMatter, sysadmin: Any
) -> None:
    matter = assign_on(people, make_matter, dt.datetime(2026, 12, 24, 10, 0, tzinfo=SHANGHAI), "talent_demand")
    settled = assign_on(people, make_matter, dt.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI), "talent_demand")
    version = matter.version
    # The notice gives 4 January 2027 off as well (a made-up notice for the test).
    rows = [*NOTICE_2027, [D(2027, 1, 4), "放假", "元旦"]]
    result = notice_import(acting_user=sysadmin, data=notice_bytes(rows), notice="国办发明电〔2026〕1号")
    assert result.recomputed == {"matters": 1}
    stored = Matter.objects.get(pk=matter.pk)
    assert stored.handle_deadline == D(2027, 1, 11)
    assert stored.sign_deadline == D(2026, 12, 25)
    assert not stored.deadlines_provisional
    assert stored.version == version + 1
    event = MatterEvent.objects.get(matter=matter, action="recompute")
    assert event.actor == sysadmin
    assert event.data["before"]["handle_deadline"] == "2027-01-08"
    assert event.data["after"]["handle_deadline"] == "2027-01-11"
    record = AuditRecord.objects.get(action="matter.recompute")
    assert record.object_id == str(matter.pk)
    assert record.after is not None
    assert record.after["handle_deadline"] == "2027-01-11"
    # A matter whose clock did not touch 2027 is left alone.
    assert Matter.objects.get(pk=settled.pk).version == settled.version
    assert not MatterEvent.objects.filter(matter=settled, action="recompute").exists()


def test_marking_the_year_official_clears_the_flag_even_when_the_date_stays(
    people: People, make_matter: MakeMatter, sysadmin: Any
) -> None:
    matter = assign_on(people, make_matter, dt.datetime(2026, 12, 24, 10, 0, tzinfo=SHANGHAI), "talent_demand")
    _official, recomputed = official_year_mark(acting_user=sysadmin, year=2027, notice="N")
    assert recomputed == {"matters": 1}
    stored = Matter.objects.get(pk=matter.pk)
    assert (stored.handle_deadline, stored.deadlines_provisional) == (D(2027, 1, 8), False)


def test_explicit_dates_are_not_recomputed(people: People, make_matter: MakeMatter, sysadmin: Any) -> None:
    matter = make_matter(
        State.ACCEPTED, received_on=D(2026, 12, 24), handle_from=D(2026, 12, 24), sign_deadline=D(2026, 12, 25),
        handle_deadline=D(2027, 1, 8), handle_days=None, deadlines_provisional=True,
    )
    rows = [*NOTICE_2027, [D(2027, 1, 4), "放假", "元旦"]]
    notice_import(acting_user=sysadmin, data=notice_bytes(rows))
    stored = Matter.objects.get(pk=matter.pk)
    assert stored.handle_deadline == D(2027, 1, 8)  # a date someone set stays
    assert not stored.deadlines_provisional
