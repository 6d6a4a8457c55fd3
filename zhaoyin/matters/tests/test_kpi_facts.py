"""The KPI facts stored on a matter (returned, signed in time, closed in time, working days to
close) are written by the step that decides them, and always equal what the matter's own
columns say (``Matter.refresh_facts``, used for bulk-written data and the migration)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
import time_machine

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.matters import inputs, services
from zhaoyin.matters.clocks import SHANGHAI
from zhaoyin.matters.models import Matter
from zhaoyin.matters.tests.conftest import People
from zhaoyin.workcalendar.selectors import current_calendar

pytestmark = pytest.mark.django_db
FACTS = ("returned", "signed_on_time", "closed_on_time", "workdays_to_close", "search_text")


def at(day: dt.date, hour: int = 10) -> Any:
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI), tick=False)


def stored(matter: Matter) -> dict[str, Any]:
    fresh = Matter.objects.get(pk=matter.pk)
    return {f: getattr(fresh, f) for f in FACTS}


def derived(matter: Matter, *, returned: bool) -> dict[str, Any]:
    probe = copy.copy(Matter.objects.get(pk=matter.pk))
    probe.refresh_facts(current_calendar(), returned=returned)
    return {f: getattr(probe, f) for f in FACTS}


def new(people: People, title: str = "用电增容") -> Matter:
    return services.matter_create(acting_user=people.dispatcher,
        data=inputs.MatterCreateInput.of(title=title, source="enterprise_demand", kind="consultation"))


def test_in_time_all_along(people: People, org_tree: dict[str, OrgUnit]) -> None:
    with at(dt.date(2026, 11, 2)):
        m = new(people)
        services.matter_assign(acting_user=people.dispatcher, matter=m, data=inputs.AssignInput.of(lead_unit="340402"))
    with at(dt.date(2026, 11, 3), 22):  # the evening of the sign-for deadline: in time
        services.matter_accept(acting_user=people.lead, matter=m, data=inputs.NoteInput.of())
    with at(dt.date(2026, 11, 5)):
        services.matter_report(acting_user=people.lead, matter=m, data=inputs.ReportInput.of(summary="已办结"))
        services.matter_approve(acting_user=people.dispatcher, matter=m, data=inputs.NoteInput.of())
    assert stored(m) == derived(m, returned=False)
    assert stored(m)["signed_on_time"]
    assert stored(m)["closed_on_time"]
    assert stored(m)["workdays_to_close"] == 3  # received Monday 2 Nov, closed Thursday 5 Nov


def test_late_steps_a_return_and_a_reopening(people: People, org_tree: dict[str, OrgUnit]) -> None:
    with at(dt.date(2026, 11, 2)):
        m = new(people)
        services.matter_assign(acting_user=people.dispatcher, matter=m, data=inputs.AssignInput.of(lead_unit="340402"))
        services.matter_return(acting_user=people.lead, matter=m,
            data=inputs.ReturnInput.of(reason="非本单位职责", suggested_unit="340403"))
    assert stored(m)["returned"]
    with at(dt.date(2026, 11, 3)):
        services.matter_assign(acting_user=people.dispatcher, matter=m, data=inputs.AssignInput.of(lead_unit="340402"))
    with at(dt.date(2026, 11, 9)):  # sign-for deadline was 4 November: late
        services.matter_accept(acting_user=people.lead, matter=m, data=inputs.NoteInput.of())
    with at(dt.date(2026, 11, 12)):  # handling deadline 6 November: closed late
        services.matter_report(acting_user=people.lead, matter=m, data=inputs.ReportInput.of(summary="已办结"))
        services.matter_approve(acting_user=people.dispatcher, matter=m, data=inputs.NoteInput.of())
    assert stored(m) == derived(m, returned=True)
    assert (stored(m)["signed_on_time"], stored(m)["closed_on_time"]) == (False, False)
    assert stored(m)["workdays_to_close"] == 7
    with at(dt.date(2026, 11, 13)):
        services.matter_rate(acting_user=people.dispatcher, matter=m,
            data=inputs.RateInput.of(rating="dissatisfied", comment="未解决"))  # to verify
        assert stored(m)["workdays_to_close"] == 7  # still closed until the verification
        services.matter_confirm_dispute(acting_user=people.dispatcher, matter=m,
            data=inputs.NewClockInput.of(reason="属实"))  # reopens
    assert stored(m) == derived(m, returned=True)
    assert (stored(m)["closed_on_time"], stored(m)["workdays_to_close"]) == (False, None)


def test_rating_an_approved_matter_keeps_its_closing_facts(people: People, org_tree: dict[str, OrgUnit]) -> None:
    """A rating comes after the dispatcher's approval (issue 15): the closing facts are the
    approval's, and the rating leaves them as they are."""
    with at(dt.date(2026, 11, 2)):
        m = new(people)
        services.matter_assign(acting_user=people.dispatcher, matter=m, data=inputs.AssignInput.of(lead_unit="340402"))
        services.matter_accept(acting_user=people.lead, matter=m, data=inputs.NoteInput.of())
        services.matter_report(acting_user=people.lead, matter=m, data=inputs.ReportInput.of(summary="已办结"))
    with at(dt.date(2026, 11, 4)):
        services.matter_approve(acting_user=people.dispatcher, matter=m, data=inputs.NoteInput.of())
    with at(dt.date(2026, 11, 9)):
        services.matter_rate(acting_user=people.dispatcher, matter=m, data=inputs.RateInput.of(rating="satisfied"))
    assert stored(m) == derived(m, returned=False)
    assert stored(m)["closed_on_time"]
    assert stored(m)["workdays_to_close"] == 2


def test_the_migration_backfill_derives_the_facts_of_existing_matters(
    people: People, org_tree: dict[str, OrgUnit]
) -> None:
    import importlib

    from django.apps import apps
    from django.db import connection

    backfill = importlib.import_module("zhaoyin.matters.migrations.0004_kpi_facts_search_text").backfill
    with at(dt.date(2026, 11, 2)):
        done = new(people, "已办结事项")
        services.matter_assign(acting_user=people.dispatcher, matter=done,
            data=inputs.AssignInput.of(lead_unit="340402"))
        services.matter_accept(acting_user=people.lead, matter=done, data=inputs.NoteInput.of())
        services.matter_report(acting_user=people.lead, matter=done, data=inputs.ReportInput.of(summary="已办结"))
        services.matter_approve(acting_user=people.dispatcher, matter=done, data=inputs.NoteInput.of())
        back = new(people, "退回事项")
        services.matter_assign(acting_user=people.dispatcher, matter=back,
            data=inputs.AssignInput.of(lead_unit="340402"))
        services.matter_return(acting_user=people.lead, matter=back,
            data=inputs.ReturnInput.of(reason="非本单位职责", suggested_unit="340403"))
    before = {m.pk: stored(m) for m in (done, back)}
    Matter.objects.update(
        returned=False, signed_on_time=False, closed_on_time=False, workdays_to_close=None, search_text=""
    )

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection  # type: ignore[attr-defined]
    backfill(apps, editor)
    assert {m.pk: stored(m) for m in (done, back)} == before
    assert before[back.pk]["returned"]
    assert before[done.pk]["closed_on_time"]
