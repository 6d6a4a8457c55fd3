"""The matter list parser (one for the page, the export and the API): every bad parameter named
at once, each filter narrowing an already scoped list, and the alert light as one SQL filter
that agrees with the ladder (zhaoyin.lib.escalation) on every day, holidays included."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.core.errors import InvalidInput
from zhaoyin.matters.filters import (
    MatterFilter,
    alert_q,
    matter_alert,
)
from zhaoyin.matters.flow import State
from zhaoyin.matters.models import Matter, matter_search_text
from zhaoyin.matters.selectors import matter_list_visible_to
from zhaoyin.matters.tests.conftest import MakeMatter, People
from zhaoyin.workcalendar.selectors import current_calendar

pytestmark = pytest.mark.django_db


def _fields(exc: pytest.ExceptionInfo[InvalidInput]) -> set[str]:
    return {e["field"] for e in exc.value.errors}


def test_parse_defaults() -> None:
    flt = MatterFilter.parse({})
    assert flt == MatterFilter()
    assert (flt.sort, flt.page, flt.page_size, flt.is_filtered) == ("-updated_at", 1, 50, False)


def test_parse_reads_every_filter(org_tree: dict[str, OrgUnit]) -> None:
    flt = MatterFilter.parse({
        "q": " 用地  JB2026 ", "state": "accepted", "lead_unit": "340402", "source": "visit",
        "kind": "reform", "alert": "overdue", "listed": "true", "sort": "-handle_deadline", "page": "2",
        "page_size": "20", "other": "ignored",
    })
    assert flt.q == ("用地", "JB2026")
    assert flt.lead_unit == org_tree["county_a"]
    assert (flt.state, flt.source, flt.kind, flt.alert, flt.listed) == ("accepted", "visit", "reform", "overdue", True)
    assert (flt.sort, flt.page, flt.page_size) == ("-handle_deadline", 2, 20)
    assert flt.is_filtered
    assert "other" not in flt.params
    assert MatterFilter.parse({"listed": "0"}).listed is False


def test_parse_names_every_bad_parameter(org_tree: dict[str, OrgUnit]) -> None:
    with pytest.raises(InvalidInput) as exc:
        MatterFilter.parse({
            "q": "x" * 101, "state": "open", "lead_unit": "nowhere", "source": "rumour", "kind": "chat",
            "alert": "red", "listed": "maybe", "sort": "password", "page": "0", "page_size": "5000",
        })
    assert _fields(exc) == {
        "q", "state", "lead_unit", "source", "kind", "alert", "listed", "sort", "page", "page_size",
    }


def test_parse_refuses_control_characters_and_too_many_words() -> None:
    for q in ("a\x00b", "a b c d e f"):
        with pytest.raises(InvalidInput) as exc:
            MatterFilter.parse({"q": q})
        assert _fields(exc) == {"q"}


def test_apply_narrows_the_scoped_list(people: People, make_matter: MakeMatter) -> None:
    a = make_matter(State.ACCEPTED)
    park = make_matter(State.ASSIGNED, lead="park_a", co=())
    b = make_matter(State.DRAFT, lead="county_b", co=())
    Matter.objects.filter(pk=b.pk).update(
        title="人才公寓申请", requester_name="张博士", listed=True,
        search_text=matter_search_text(b.code, "人才公寓申请", "张博士"),
    )
    Matter.objects.filter(pk=park.pk).update(source="visit", kind="consultation")

    def ids(user: Any, **params: str) -> set[int]:
        qs = MatterFilter.parse(params).apply(matter_list_visible_to(user))
        return set(qs.values_list("pk", flat=True))

    city = people.dispatcher
    assert ids(city) == {a.pk, park.pk, b.pk}
    assert ids(city, lead_unit="340402") == {a.pk, park.pk}  # the park is inside county A
    assert ids(city, lead_unit="park-a") == {park.pk}
    assert ids(city, q="公寓") == {b.pk}
    assert ids(city, q="博士") == {b.pk}  # the requester's name
    assert ids(city, q="用地 协调") == {a.pk, park.pk}  # every word must occur
    assert ids(city, q="用地 公寓") == set()
    assert ids(city, q=a.code[-6:]) == {a.pk}
    assert ids(city, state="accepted") == {a.pk}
    assert ids(city, source="visit", kind="consultation") == {park.pk}
    assert ids(city, listed="true") == {b.pk}
    assert ids(city, listed="false") == {a.pk, park.pk}
    # Scope first: a filter never widens what a user may see.
    assert ids(people.outsider, lead_unit="340402") == set()
    assert ids(people.outsider) == {b.pk}  # county B's staff: their county's matter only
    assert ids(people.lead) == {a.pk, park.pk}


def test_sort_orders_with_ties_broken_by_id(people: People, make_matter: MakeMatter) -> None:
    first = make_matter(State.ACCEPTED, handle_deadline=dt.date(2026, 12, 10))
    second = make_matter(State.ACCEPTED, handle_deadline=dt.date(2026, 12, 1))
    draft = make_matter(State.DRAFT)
    qs = matter_list_visible_to(people.dispatcher)

    def order(sort: str) -> list[int]:
        return list(MatterFilter.parse({"sort": sort}).apply(qs).values_list("pk", flat=True))

    assert order("handle_deadline") == [second.pk, first.pk, draft.pk]  # missing deadlines last
    assert order("-handle_deadline") == [first.pk, second.pk, draft.pk]
    assert order("code") == sorted([first.pk, second.pk, draft.pk])


def _grid(make_matter: MakeMatter, days: list[dt.date]) -> list[Matter]:
    """An assigned and an accepted matter for each deadline day, plus states without a clock."""
    out = []
    for day in days:
        out.append(make_matter(State.ASSIGNED, co=(), sign_deadline=day, handle_deadline=day + dt.timedelta(30)))
        out.append(make_matter(State.ACCEPTED, co=(), handle_deadline=day, sign_deadline=day - dt.timedelta(30)))
    for state in (State.DRAFT, State.REPORTED, State.CLOSED, State.RETURNED, State.CANCELLED):
        out.append(make_matter(state, co=(), handle_deadline=days[0], sign_deadline=days[0]))
    return out


def _span(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(n) for n in range((last - first).days + 1)]


def test_alert_filter_agrees_with_the_ladder_on_every_day(people: People, make_matter: MakeMatter) -> None:
    """Around 国庆 2026 (a week of holidays and a make-up working Saturday, 10-10): on every
    day, the SQL ranges and ``matter_alert`` (through ``escalation.evaluate``) put every
    matter under the same light."""
    calendar = current_calendar()
    days = _span(dt.date(2026, 9, 24), dt.date(2026, 10, 16))
    matters = _grid(make_matter, days)
    scoped = matter_list_visible_to(people.dispatcher)
    for today in _span(dt.date(2026, 9, 25), dt.date(2026, 10, 14)):
        expected = {m.pk: matter_alert(m, today, calendar) for m in matters}
        for alert in ("normal", "approaching", "overdue"):
            got = set(MatterFilter.parse({"alert": alert}).apply(scoped, today=today)
                      .values_list("pk", flat=True))
            assert got == {pk for pk, value in expected.items() if value == alert}, (today, alert)


def test_alert_around_a_weekend_and_the_deadline_day(people: People, make_matter: MakeMatter) -> None:
    """Friday 2026-11-27: the deadline day and the weekend before Monday's deadline are blue
    (≤ 1 working day left), Tuesday's is not; yesterday's is red; the light follows the open
    clock only (sign-for while assigned, handling while accepted)."""
    calendar = current_calendar()
    friday = dt.date(2026, 11, 27)

    def light(state: State, deadline: dt.date) -> str:
        field = "sign_deadline" if state == State.ASSIGNED else "handle_deadline"
        return matter_alert(make_matter(state, co=(), **{field: deadline}), friday, calendar)

    assert light(State.ACCEPTED, dt.date(2026, 11, 26)) == "overdue"
    assert light(State.ACCEPTED, friday) == "approaching"
    assert light(State.ACCEPTED, dt.date(2026, 11, 29)) == "approaching"  # Sunday
    assert light(State.ACCEPTED, dt.date(2026, 11, 30)) == "approaching"  # Monday: 1 working day left
    assert light(State.ACCEPTED, dt.date(2026, 12, 1)) == "normal"
    assert light(State.ASSIGNED, dt.date(2026, 11, 20)) == "overdue"
    assert light(State.REPORTED, dt.date(2026, 11, 20)) == "normal"
    unclocked = make_matter(State.ASSIGNED, co=(), sign_deadline=None)
    assert matter_alert(unclocked, friday, calendar) == "normal"
    assert Matter.objects.filter(alert_q("normal", friday, calendar), pk=unclocked.pk).exists()


def test_approaching_follows_the_setting(people: People, make_matter: MakeMatter, settings: Any) -> None:
    settings.ZHAOYIN_MATTERS = {"APPROACHING_WORKDAYS": 0}
    calendar = current_calendar()
    friday = dt.date(2026, 11, 27)
    monday = make_matter(State.ACCEPTED, co=(), handle_deadline=dt.date(2026, 11, 30))
    today = make_matter(State.ACCEPTED, co=(), handle_deadline=friday)
    assert matter_alert(monday, friday, calendar) == "normal"
    assert matter_alert(today, friday, calendar) == "approaching"
    near = set(Matter.objects.filter(alert_q("approaching", friday, calendar)).values_list("pk", flat=True))
    assert near == {today.pk}
