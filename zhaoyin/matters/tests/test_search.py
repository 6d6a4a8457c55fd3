"""The matter list's search through the bigram index (zhaoyin.core.search): the index follows
every write, finds exactly the matters whose number, title or requester contains each word —
on SQLite from the index alone, on PostgreSQL with the recheck — and folds case and width."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from zhaoyin.matters import inputs, services
from zhaoyin.matters.filters import MatterFilter
from zhaoyin.matters.models import Matter
from zhaoyin.matters.search import SEARCH_INDEX
from zhaoyin.matters.tests.conftest import People

pytestmark = pytest.mark.django_db


def found(q: str) -> set[str]:
    flt = MatterFilter.parse({"q": q})
    return set(flt.apply(Matter.objects.all()).values_list("title", flat=True))


def create(people: People, title: str, requester_name: str = "") -> Matter:
    return services.matter_create(acting_user=people.dispatcher,
        data=inputs.MatterCreateInput.of(
            title=title,
            source="enterprise_demand",
            kind="coordination",
            requester_name=requester_name,
        ))


@pytest.fixture
def titled(people: People) -> dict[str, Matter]:
    return {
        t: create(people, t, r)
        for t, r in [
            ("寿县用地报批协调", "张博士"),
            ("用地 地报 两处", ""),  # both bigrams of 用地报, never adjacent
            ("人才公寓申请", "李ＡＢＣ"),  # full-width Latin in the requester
            ("融资需求对接", "企业联络员"),
        ]
    }


def test_words_of_two_and_more_characters_are_found_exactly(titled: dict[str, Matter]) -> None:
    assert found("用地") == {"寿县用地报批协调", "用地 地报 两处"}
    assert found("用地报") == {"寿县用地报批协调"}  # the other has the bigrams, not the substring
    assert found("用地 协调") == {"寿县用地报批协调"}  # every word must occur
    assert found("张博士") == {"寿县用地报批协调"}  # the requester
    assert found("协调张") == set()  # no match across the number, title and requester
    assert found("abc") == {"人才公寓申请"}  # folded: case and width
    assert found("对") == {"融资需求对接"}  # one character: a plain scan
    assert found("不存在") == set()


def test_the_number_is_searched(titled: dict[str, Matter]) -> None:
    code = titled["融资需求对接"].code
    assert found(code.lower()) == {"融资需求对接"}
    assert found(code[-3:]) >= {"融资需求对接"}


def test_the_index_follows_updates_and_deletes(people: People, titled: dict[str, Matter]) -> None:
    matter = titled["融资需求对接"]
    services.matter_update(acting_user=people.dispatcher, matter=matter,
        data=inputs.MatterUpdateInput.parse({"title": "电力增容"}))
    assert found("融资") == set()
    assert found("电力增容") == {"电力增容"}
    Matter.objects.filter(pk=matter.pk).delete()
    assert found("电力") == set()


def test_the_index_agrees_with_a_plain_scan(titled: dict[str, Matter], people: People) -> None:
    for i in range(30):
        create(people, f"第{i}号{'用地报批' if i % 3 else '报批用地'}事项{'A' * (i % 4)}")
    for term in ("用地", "报批用", "号用地报", "AA", "项A", "事项", "0号", "1号报批"):
        scan = set(Matter.objects.filter(search_text__contains=term).values_list("pk", flat=True))
        indexed = set(Matter.objects.filter(SEARCH_INDEX.matches(term)).values_list("pk", flat=True))
        assert indexed == scan, term


def test_the_index_is_used(titled: dict[str, Matter]) -> None:
    sql = str(Matter.objects.filter(SEARCH_INDEX.matches("用地")).query)
    if connection.vendor == "sqlite":
        assert "MATCH" in sql
        # Every row is in the index: each is found by its own whole search text.
        for matter in Matter.objects.all():
            assert Matter.objects.filter(SEARCH_INDEX.matches(matter.search_text)).filter(pk=matter.pk).exists()
    else:
        assert "zy_bigrams" in sql
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql.split(' WHERE ')[0]} WHERE zy_bigrams(search_text) @> ARRAY['用地']")
            plan: Any = " ".join(r[0] for r in cursor.fetchall())
        assert "matters_matter_search" in plan


def test_a_search_within_units_follows_the_lead_unit(people: People, titled: dict[str, Matter],
                                                     org_tree: dict[str, Any]) -> None:
    a, b = org_tree["county_a"].pk, org_tree["county_b"].pk
    matter = titled["寿县用地报批协调"]

    def within(unit: int) -> set[int]:
        qs = Matter.objects.filter(lead_unit_id__in=[unit]).filter(SEARCH_INDEX.matches("用地", units=[unit]))
        return set(qs.values_list("pk", flat=True))

    services.matter_assign(acting_user=people.dispatcher, matter=matter, data=inputs.AssignInput.of(lead_unit="340402"))
    assert (within(a), within(b)) == ({matter.pk}, set())
    services.matter_reassign(acting_user=people.dispatcher, matter=matter,
        data=inputs.ReassignInput.of(lead_unit="340403"))
    assert (within(a), within(b)) == (set(), {matter.pk})
    assert not Matter.objects.filter(SEARCH_INDEX.matches("用地", units=[])).exists()
