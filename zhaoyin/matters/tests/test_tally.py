"""``MatterTally`` (zhaoyin.matters.tally) stays equal to a bare GROUP BY over the matters after
every kind of write, on SQLite and PostgreSQL; the list counts taken from it equal a live count
for every kind of user and filter; the triggers exist after all migrations."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.db import connection

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.matters import inputs, services, tally
from zhaoyin.matters.filters import MatterFilter
from zhaoyin.matters.flow import State
from zhaoyin.matters.models import Matter, MatterTally
from zhaoyin.matters.search import SEARCH_INDEX
from zhaoyin.matters.selectors import matter_list_visible_to, matter_state_counts
from zhaoyin.matters.tests.conftest import MakeMatter, People

pytestmark = pytest.mark.django_db


def bare() -> Counter[tuple[Any, ...]]:
    rows = Matter.objects.order_by().values_list("lead_unit_id", "dispatcher_unit_id", "state", "source", "kind")
    return Counter((lead or 0, disp or 0, state, source, kind) for lead, disp, state, source, kind in rows)


def kept() -> Counter[tuple[Any, ...]]:
    rows = MatterTally.objects.exclude(n=0).values_list("lead", "dispatcher", "state", "source", "kind", "n")
    return Counter({key[:5]: key[5] for key in rows})


def test_the_triggers_exist_after_all_migrations() -> None:
    # A later migration that rebuilds matters_matter on SQLite drops its triggers: this fails then.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        names = {row[0] for row in cursor.fetchall()}
    assert set(tally.TRIGGER_NAMES) <= names
    if connection.vendor == "sqlite":
        assert {f"{SEARCH_INDEX.name}_{e}" for e in ("insert", "update", "delete")} <= names


def test_the_tally_follows_every_kind_of_write(people: People, make_matter: MakeMatter,
                                               org_tree: dict[str, OrgUnit]) -> None:
    a = make_matter(State.ASSIGNED)
    make_matter(State.DRAFT, lead="county_b", co=())
    assert kept() == bare()
    assert sum(kept().values()) == 2
    services.matter_accept(acting_user=people.lead, matter=a, data=inputs.NoteInput.of())
    services.matter_reassign(acting_user=people.dispatcher, matter=a, data=inputs.ReassignInput.of(lead_unit="340403"))
    assert kept() == bare()
    Matter.objects.bulk_create([
        Matter(code=f"T{i}", title="批量", source="visit", kind="coordination", state="assigned",
               lead_unit=org_tree["dept"], dispatcher_unit=org_tree["county_a"])
        for i in range(5)
    ])
    assert kept() == bare()
    # One statement changing many rows and several tracked columns at once.
    Matter.objects.filter(code__startswith="T").update(state="accepted", lead_unit=org_tree["park_a"])
    Matter.objects.filter(code="T0").update(kind="consultation", dispatcher_unit=None)
    Matter.objects.filter(code="T1").update(title="不计数的列")  # not tracked: no change
    assert kept() == bare()
    Matter.objects.filter(code__in=["T2", "T3"]).delete()
    assert kept() == bare()
    tally.rebuild(connection)
    assert kept() == bare()


@pytest.mark.parametrize(
    "params",
    [{}, {"state": "assigned"}, {"source": "visit"}, {"kind": "coordination", "state": "accepted"},
     {"lead_unit": "340402"}, {"q": "用地"}, {"alert": "overdue"}, {"listed": "false"}],
)
def test_list_counts_from_the_tally_equal_a_live_count(
    params: dict[str, str], people: People, make_matter: MakeMatter, org_tree: dict[str, OrgUnit]
) -> None:
    make_matter(State.ASSIGNED)  # county A leads, the department co-works, the enterprise asked
    make_matter(State.ACCEPTED, lead="county_b", co=("dept",))
    make_matter(State.DRAFT, lead="county_b", co=())
    make_matter(State.ACCEPTED, lead="park_a", co=())
    Matter.objects.bulk_create([
        # Dispatched by county A to a unit outside it: county A sees them as dispatcher.
        Matter(code="D1", title="区派", source="visit", kind="coordination", state="assigned",
               lead_unit=org_tree["dept"], dispatcher_unit=org_tree["county_a"]),
        Matter(code="D2", title="区派", source="visit", kind="coordination", state="draft",
               dispatcher_unit=org_tree["park_a"]),
    ])
    flt = MatterFilter.parse(params)
    for user in (people.dispatcher, people.supervisor, people.lead, people.park, people.co, people.outsider,
                 people.requester, people.other_portal, people.sysadmin):
        qs = flt.apply(matter_list_visible_to(user))
        live = Counter(qs.values_list("state", flat=True))
        counts = matter_state_counts(user, flt)
        assert counts.by_state == dict(live), (user.username, params)
        assert (counts.total, counts.capped) == (sum(live.values()), False)


def test_a_search_is_counted_up_to_the_cap(people: People, make_matter: MakeMatter,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from zhaoyin.matters import selectors

    for _ in range(4):
        make_matter(State.ASSIGNED)
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 3)
    counts = matter_state_counts(people.dispatcher, MatterFilter.parse({"q": "用地"}))
    assert (counts.total, counts.capped, counts.by_state) == (4, True, {})
    exact = matter_state_counts(people.dispatcher, MatterFilter.parse({"q": "用地", "state": "draft"}))
    assert (exact.total, exact.capped) == (0, False)
