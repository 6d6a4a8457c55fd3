"""The talent indicators (issue 13 item 8): ``new_talents`` and one count per tier, computed
from the talent records and rolled up the org tree like the others."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit
from zhaoyin.core.roles import Role
from zhaoyin.talents.models import Talent
from zhaoyin.talents.testing import make_talent
from zhaoyin.targets import selectors
from zhaoyin.targets.indicators import REGISTRY
from zhaoyin.targets.models import Target
from zhaoyin.targets.tests.conftest import api_client, web_client

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 9, 30)


@pytest.fixture
def talents(org_tree: dict[str, OrgUnit]) -> list[Talent]:
    """Sixty talents in county A, park A (inside A) and county B, arrived over 2025–2026 with
    and without a tier: the indicators must count exactly the recognized 2026 arrivals up to
    the day asked."""
    rng = random.Random(13)
    made = []
    for n in range(60):
        unit = org_tree[rng.choice(("county_a", "park_a", "county_b"))]
        arrival = dt.date(rng.choice((2025, 2026)), rng.randint(1, 12), rng.randint(1, 28))
        tier = rng.choice(("", "A", "B", "C", "D", "E"))
        made.append(make_talent(org_unit=unit, name=f"指标人才{n}", arrival_date=arrival, tier=tier))
    make_talent(org_unit=org_tree["county_a"], name="未到", arrival_date=None, tier="B")
    return made


def _expected(talents: list[Talent], unit_ids: set[int], tier: str = "") -> Decimal:
    """The count straight from the records (the definition in docs/talent.md)."""
    return Decimal(sum(
        1 for t in talents
        if t.tier and (not tier or t.tier == tier) and t.arrival_date is not None
        and dt.date(2026, 1, 1) <= t.arrival_date <= AS_OF and t.org_unit_id in unit_ids
    ))


@pytest.mark.parametrize("code", ["new_talents", "new_talents_a", "new_talents_c", "new_talents_e"])
def test_progress_equals_the_count_from_the_records(
    make_user: MakeUser, org_tree: dict[str, OrgUnit], talents: list[Talent], code: str
) -> None:
    indicator = REGISTRY[code]
    Target.objects.create(year=2026, indicator=code, org_unit=org_tree["county_a"], value=Decimal(5), unit="人")
    progress = selectors.progress_for(make_user(Role.CITY_ADMIN), year=2026, indicator=indicator, as_of=AS_OF)
    rows = {r.unit.pk: r for r in progress.items}
    a, park, b = org_tree["county_a"], org_tree["park_a"], org_tree["county_b"]
    # County A counts the park inside it; the city counts everything.
    assert rows[a.pk].actual == _expected(talents, {a.pk, park.pk}, indicator.tier)
    assert rows[park.pk].actual == _expected(talents, {park.pk}, indicator.tier)
    assert rows[b.pk].actual == _expected(talents, {b.pk}, indicator.tier)
    assert progress.city is not None
    assert progress.city.actual == _expected(talents, {a.pk, park.pk, b.pk}, indicator.tier)
    assert rows[a.pk].target == Decimal(5)
    assert rows[a.pk].completion == (rows[a.pk].actual / 5).quantize(Decimal("0.0001"))


def test_the_tiers_add_up_to_new_talents(make_user: MakeUser, talents: list[Talent]) -> None:
    user = make_user(Role.CITY_ADMIN)
    total = selectors.progress_for(user, year=2026, indicator=REGISTRY["new_talents"], as_of=AS_OF).city
    tiers = [
        selectors.progress_for(user, year=2026, indicator=REGISTRY[f"new_talents_{t}"], as_of=AS_OF).city
        for t in "abcde"
    ]
    assert total is not None
    assert total.actual == sum((t.actual for t in tiers if t is not None), Decimal(0))
    assert total.actual > 0


def test_progress_takes_a_constant_number_of_queries(make_user: MakeUser, talents: list[Talent]) -> None:
    user = make_user(Role.STAFF, "county_a")
    selectors.progress_for(user, year=2026, indicator=REGISTRY["new_talents"], as_of=AS_OF)  # the user's unit, cached
    with CaptureQueriesContext(connection) as few:
        selectors.progress_for(user, year=2026, indicator=REGISTRY["new_talents"], as_of=AS_OF)
    for n in range(40):
        make_talent(org_unit=talents[n].org_unit, name=f"更多{n}", arrival_date=dt.date(2026, 3, 1), tier="D")
    with CaptureQueriesContext(connection) as many:
        selectors.progress_for(user, year=2026, indicator=REGISTRY["new_talents"], as_of=AS_OF)
    assert len(many) == len(few)


def test_api_progress_of_new_talents(make_user: MakeUser, org_tree: dict[str, OrgUnit], talents: list[Talent]) -> None:
    answer = api_client(make_user(Role.SUPERVISOR)).get(
        "/api/v1/targets/progress?year=2026&indicator=new_talents&as_of=2026-09-30"
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["indicator"] == "new_talents"
    assert body["unit"] == "人"
    everyone = {org_tree[k].pk for k in ("county_a", "park_a", "county_b")}
    assert Decimal(str(body["city"]["actual"])) == _expected(talents, everyone)


def test_a_unit_user_sees_only_their_subtree(make_user: MakeUser, org_tree: dict[str, OrgUnit],
                                            talents: list[Talent]) -> None:
    progress = selectors.progress_for(
        make_user(Role.STAFF, "county_a"), year=2026, indicator=REGISTRY["new_talents"], as_of=AS_OF
    )
    assert {r.unit.pk for r in progress.items} <= {org_tree["county_a"].pk, org_tree["park_a"].pk}


def test_the_drill_down_lists_the_counted_talents(
    make_user: MakeUser, org_tree: dict[str, OrgUnit], talents: list[Talent]
) -> None:
    client = web_client(make_user(Role.STAFF, "county_a"))
    answer = client.get("/targets/talents/?org_unit=340402&year=2026&as_of=2026-09-30&indicator=new_talents_b")
    assert answer.status_code == 200
    rows = answer.context["rows"]
    a, park = org_tree["county_a"], org_tree["park_a"]
    assert len(rows) == _expected(talents, {a.pk, park.pk}, "B")
    assert all(t.tier == "B" for t in rows)
    # County B is out of the staff member's scope (404); a project indicator is refused (400).
    assert client.get("/targets/talents/?org_unit=340403&year=2026&indicator=new_talents").status_code == 404
    bad = client.get("/targets/talents/?org_unit=340402&year=2026&indicator=signed_100m")
    assert bad.status_code == 400
    assert bad.context["errors"][0]["field"] == "indicator"


def test_the_progress_page_links_to_the_talents(make_user: MakeUser, talents: list[Talent]) -> None:
    page = web_client(make_user(Role.CITY_ADMIN)).get("/targets/?year=2026&indicator=new_talents&as_of=2026-09-30")
    assert page.status_code == 200
    assert "/targets/talents/?" in page.content.decode()
