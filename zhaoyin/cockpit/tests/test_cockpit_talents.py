"""The cockpit's talent panel (issue 13 item 8): every figure equals the records the user may
see, ``new_talents`` equals /targets/ progress, drill-down links, a constant number of queries.

The expected values are computed here from the objects the fixture made, with plain Python
predicates (the scope rules of docs/talent.md), never through the selectors under test.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.apartments.models import ApartmentUnit, Building, Layout, UnitState
from zhaoyin.cockpit.selectors import talent_panel_for
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Industry
from zhaoyin.matters.choices import MatterKind, MatterSource
from zhaoyin.matters.models import Matter, met_deadline
from zhaoyin.payouts.models import Payout, PayoutStatus
from zhaoyin.payouts.tests.fixtures import make_policy
from zhaoyin.policies.models import Beneficiary
from zhaoyin.talents.models import Talent
from zhaoyin.talents.testing import make_talent
from zhaoyin.targets.models import Target
from zhaoyin.targets.tests.conftest import api_client

pytestmark = pytest.mark.django_db
YEAR = 2026
AS_OF = dt.date(YEAR, 9, 30)
URL = "/cockpit/"
QUERY = {"year": str(YEAR), "as_of": AS_OF.isoformat()}
TIERS = ("A", "B", "C", "D", "E", "")
#: A closing at 23:30 in Shanghai is on that day (the deadline's day ends at midnight there).
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class TalentWorld:
    units: dict[str, OrgUnit]
    industries: list[Industry]
    talents: list[Talent] = field(default_factory=list)
    payouts: list[Payout] = field(default_factory=list)
    buildings: list[Building] = field(default_factory=list)
    apartment_units: list[ApartmentUnit] = field(default_factory=list)
    matters: list[Matter] = field(default_factory=list)
    serial: int = 0

    def add(self, n: int) -> None:
        """``n`` more talents over the counties and tiers, each with payouts, an apartment unit
        and demands in varied states — the records grow, the figures follow."""
        policy = make_policy(self.units["city"], f"博士生活补贴{self.serial}", beneficiary=Beneficiary.TALENT)
        places = ("county_a", "park_a", "county_b")
        for _i in range(n):
            k = self.serial = self.serial + 1
            unit = self.units[places[k % 3]]
            talent = make_talent(
                org_unit=unit,
                name=f"驾驶舱人才{k}",
                tier=TIERS[k % 6],
                industry=self.industries[k % 2] if k % 5 else None,
                arrival_date=dt.date(YEAR - (k % 4 == 0), 1 + k % 12, 1 + k % 27),
                status="departed" if k % 7 == 0 else "active",
                departed_on=dt.date(YEAR, 6, 1) if k % 7 == 0 else None,
                station=self.units["station"] if k % 4 == 1 else None,
            )
            self.talents.append(talent)
            for period, status in ((f"{YEAR}-{1 + k % 9:02d}", PayoutStatus.PAID),
                                   (f"{YEAR - 1}-12", PayoutStatus.PAID),
                                   (f"{YEAR}-11", PayoutStatus.PUBLICIZED if k % 2 else PayoutStatus.PAID)):
                self.payouts.append(Payout.objects.create(
                    policy=policy, talent=talent, period=period, amount_wan=Decimal(f"{k}.{k % 100:02d}"),
                    status=status, org_unit=unit, industry=talent.industry,
                ))
            building = self.buildings[k % len(self.buildings)]
            self.apartment_units.append(ApartmentUnit.objects.create(
                building=building, number=f"{k:04d}", layout=Layout.TWO_BED, area_m2=Decimal("68.50"),
                monthly_rent=Decimal("1200.00"), state=list(UnitState)[k % 4],
            ))
            lead = self.units[("county_a", "county_b", "dept")[k % 3]]
            self.matters.append(self._matter(k, talent, lead))
            if k % 3 == 0:  # a talent demand raised for no talent record: not counted
                self.matters.append(self._matter(k * 1000, None, lead))

    def _matter(self, k: int, talent: Talent | None, lead: OrgUnit) -> Matter:
        state = ("draft", "assigned", "accepted", "reported", "closed", "rated", "returned", "cancelled")[k % 8]
        deadline = dt.date(YEAR, 5, 10)
        closed = state in ("closed", "rated")
        closed_at = (
            dt.datetime(YEAR, 5, 10 if k % 3 else 11, 23, 30, tzinfo=SHANGHAI) if closed else None
        )
        matter = Matter(
            code=f"JB-T{k:06d}", title=f"人才诉求{k}", source=MatterSource.TALENT_DEMAND,
            kind=MatterKind.TALENT_DEMAND, talent=talent, lead_unit=lead, dispatcher_unit=self.units["city"],
            state=state, received_on=dt.date(YEAR, 4, 20), handle_deadline=deadline, closed_at=closed_at,
            # The stored fact, as the services write it when a matter is closed.
            closed_on_time=closed and met_deadline(timezone.localdate(closed_at), deadline),
        )
        matter.refresh_search_text()
        matter.save()
        return matter


def talent_world(org_tree: dict[str, OrgUnit], n: int) -> TalentWorld:
    """Two buildings (county A, county B), two industries, ``n`` talents with their records."""
    industries = list(Industry.objects.order_by("sort_order", "code")[:2])
    assert len(industries) == 2  # the seeded catalogue
    w = TalentWorld(org_tree, industries)
    w.buildings = [
        Building.objects.create(name="大通区人才公寓", address="大通区舜耕路1号", org_unit=org_tree["county_a"]),
        Building.objects.create(name="田家庵区人才公寓", address="田家庵区洞山路2号", org_unit=org_tree["county_b"]),
    ]
    w.add(n)
    Target.objects.create(year=YEAR, indicator="new_talents", org_unit=org_tree["city"], value=Decimal(8), unit="人")
    return w


@pytest.fixture
def world(org_tree: dict[str, OrgUnit]) -> TalentWorld:
    return talent_world(org_tree, 12)


def _units_of(user: User, units: dict[str, OrgUnit]) -> set[int] | None:
    """None: the whole city; else the user's subtree (by the tree the fixture built)."""
    if user.has_role(Role.CITY_ADMIN, Role.LEADER, Role.SUPERVISOR):
        return None
    assert user.org_unit is not None
    return {u.pk for u in units.values() if u.path.startswith(user.org_unit.path)}


def _in(ids: set[int] | None, pk: int | None) -> bool:
    return ids is None or pk in ids


@pytest.mark.parametrize(("role", "unit"), [(Role.CITY_ADMIN, "city"), (Role.STAFF, "county_a"),
                                            (Role.UNIT_ADMIN, "county_b"), (Role.STAFF, "station")])
def test_AC_03_talent_panel_figures_equal_the_records_the_user_may_see(
    world: TalentWorld, make_user: MakeUser, role: Role, unit: str
) -> None:
    user = make_user(role, unit=unit)
    ids = _units_of(user, world.units)
    station_staff = unit == "station"

    def talent_seen(t: Talent) -> bool:
        return _in(ids, t.org_unit_id) or (station_staff and t.station_id == world.units["station"].pk)

    panel = talent_panel_for(user, year=YEAR, as_of=AS_OF)
    assert panel is not None
    active = [t for t in world.talents if t.status == "active" and talent_seen(t)]
    assert active  # every persona of the test sees some talents, and not all of them
    assert len(active) < sum(1 for t in world.talents if t.status == "active") or role == Role.CITY_ADMIN
    assert panel.talents == len(active)
    assert {code: n for code, _l, n in panel.by_tier} == {
        (tier or "none"): sum(1 for t in active if t.tier == tier) for tier in TIERS
    }
    industry_codes = {i.pk: i.code for i in world.industries}
    expected_industries = {
        industry_codes.get(t.industry_id or 0, ""): 0 for t in active
    }
    for t in active:
        expected_industries[industry_codes.get(t.industry_id or 0, "")] += 1
    assert {code: n for code, _name, n in panel.by_industry} == expected_industries

    paid = [p for p in world.payouts
            if p.status == PayoutStatus.PAID and p.period.startswith(str(YEAR))
            and p.talent is not None and talent_seen(p.talent)]
    assert (panel.subsidies_paid, panel.subsidies_wan) == (len(paid), sum((p.amount_wan for p in paid), Decimal(0)))

    rooms = [u for u in world.apartment_units if _in(ids, u.building.org_unit_id)]
    assert (panel.units_total, panel.units_occupied) == (len(rooms), sum(1 for u in rooms if u.state == "occupied"))
    assert {r.label: (r.occupied, r.total) for r in panel.occupancy} == {
        b.name: (sum(1 for u in rooms if u.building_id == b.pk and u.state == "occupied"),
                 sum(1 for u in rooms if u.building_id == b.pk))
        for b in world.buildings if _in(ids, b.org_unit_id)
    }

    demands = [m for m in world.matters if m.talent_id is not None and _in(ids, m.lead_unit_id)]
    open_states = {"assigned", "accepted", "returned", "reported"}
    assert panel.demands_open == sum(1 for m in demands if m.state in open_states)
    closed = [m for m in demands if m.state in ("closed", "rated")]
    assert panel.demands_closed == len(closed)
    assert panel.demands_on_time == sum(
        1 for m in closed if m.closed_at is not None and m.handle_deadline is not None
        and timezone.localdate(m.closed_at) <= m.handle_deadline
    )
    assert sum(n for _s, _l, n in panel.demands_by_state) == len(demands)

    new = [t for t in world.talents if t.tier and t.arrival_date and dt.date(YEAR, 1, 1) <= t.arrival_date <= AS_OF
           and _in(ids, t.org_unit_id)]
    if station_staff:
        # The indicator counts where talents work: a station's own subtree holds none of them.
        assert panel.new_talents.city is not None
        assert panel.new_talents.city.actual == 0
    else:
        assert panel.new_talents.city is not None
        assert panel.new_talents.city.actual == len(new)
    if role == Role.CITY_ADMIN:
        assert panel.talents > 0
        assert panel.subsidies_paid > 0
        assert panel.demands_closed > 0
    else:
        # Out-of-scope records are not counted: county B's talents, payouts and apartments.
        county_b = [t for t in world.talents if t.org_unit_id == world.units["county_b"].pk]
        assert unit == "county_b" or not any(talent_seen(t) and not t.station_id for t in county_b)


def test_AC_03_out_of_scope_records_change_no_figure(world: TalentWorld, make_user: MakeUser) -> None:
    """County A's panel does not move when county B gets more of everything."""
    user = make_user(Role.STAFF, unit="county_a")
    before = talent_panel_for(user, year=YEAR, as_of=AS_OF)
    b = world.units["county_b"]
    talent = make_talent(org_unit=b, name="乙县新人才", tier="A", industry=world.industries[0],
                         arrival_date=dt.date(YEAR, 3, 1))
    policy = make_policy(world.units["city"], "乙县补贴", beneficiary=Beneficiary.TALENT)
    Payout.objects.create(policy=policy, talent=talent, period=f"{YEAR}-03", amount_wan=Decimal("9.99"),
                          status=PayoutStatus.PAID, org_unit=b)
    ApartmentUnit.objects.create(building=world.buildings[1], number="B-999", layout=Layout.ONE_BED,
                                 area_m2=Decimal(40), monthly_rent=Decimal(800), state=UnitState.OCCUPIED)
    world._matter(999_999, talent, b)
    after = talent_panel_for(user, year=YEAR, as_of=AS_OF)
    assert before == after
    city = talent_panel_for(make_user(Role.CITY_ADMIN), year=YEAR, as_of=AS_OF)
    assert city is not None
    assert city.units_occupied >= 1
    assert city.subsidies_paid >= 1


def test_new_talents_equals_target_progress_for_the_same_user_year_and_day(
    world: TalentWorld, make_user: MakeUser
) -> None:
    for user in (make_user(Role.LEADER), make_user(Role.STAFF, unit="county_a")):
        body = api_client(user).get(
            "/api/v1/targets/progress", {"indicator": "new_talents", **QUERY}
        ).json()
        client = Client()
        client.force_login(user)
        page = client.get(URL, QUERY)
        assert page.status_code == 200
        html = page.content.decode()
        value = f'<div class="zy-kpi-value" id="kpi-new-talents-value">{int(body["city"]["actual"])}</div>'
        assert value in html
        assert body["city"]["actual"] > 0


def _chart_data(html: str) -> dict[str, Any]:
    start = html.index('<script id="cockpit-data" type="application/json">') + len(
        '<script id="cockpit-data" type="application/json">'
    )
    return dict(json.loads(html[start : html.index("</script>", start)]))


def test_every_talent_figure_links_to_its_records(world: TalentWorld, make_user: MakeUser) -> None:
    user = make_user(Role.CITY_ADMIN)
    client = Client()
    client.force_login(user)
    html = client.get(URL, QUERY).content.decode()
    assert 'href="/targets/?indicator=new_talents&amp;year=2026&amp;as_of=2026-09-30"' in html
    assert 'href="/talents/?status=active"' in html
    assert 'href="/payouts/?status=paid&amp;year=2026"' in html
    assert 'href="/apartments/occupancy/"' in html
    assert 'href="/matters/?source=talent_demand&amp;has_talent=true&amp;closed_on_time=true"' in html
    for b in world.buildings:
        assert f'href="/apartments/buildings/{b.pk}/"' in html
        assert f'href="/apartments/units/?building={b.pk}&amp;state=occupied"' in html
    data = _chart_data(html)
    tiers = {i["url"]: i["value"] for i in data["talent_tiers"]["items"]}
    panel = talent_panel_for(user, year=YEAR, as_of=AS_OF)
    assert panel is not None

    # Each link, followed, lists exactly the records the figure counts.
    def talents_listed(url: str) -> int:
        page = client.get(url)
        assert page.status_code == 200, url
        return int(page.context["page_obj"].paginator.count)

    def matters_listed(url: str) -> int:
        page = client.get(url)
        assert page.status_code == 200, url
        return int(page.context["total_count"])

    assert len(tiers) == 6
    assert sum(tiers.values()) == panel.talents
    for url, value in tiers.items():
        assert url.startswith("/talents/?tier=")
        assert url.endswith("&status=active")
        assert talents_listed(url) == value
    industry = [i for i in data["talent_industry"]["items"] if "url" in i]
    assert industry
    assert all(talents_listed(i["url"]) == i["value"] for i in industry)
    for item in data["talent_demands"]["items"]:
        assert item["url"].startswith("/matters/?state=")
        assert "has_talent=true" in item["url"]
        assert matters_listed(item["url"]) == item["value"]
    on_time = "/matters/?source=talent_demand&has_talent=true&closed_on_time=true"
    assert panel.demands_on_time > 0
    assert matters_listed(on_time) == panel.demands_on_time
    paid = client.get("/payouts/", {"status": "paid", "year": str(YEAR)})
    assert paid.status_code == 200
    assert paid.context["ledger"].count == panel.subsidies_paid


def test_the_panel_is_not_shown_without_a_talent_scope(org_tree: dict[str, OrgUnit], make_user: MakeUser) -> None:
    """A unit role without a unit sees no talent: no panel (the rest of the cockpit stays)."""
    user = make_user(Role.STAFF, unit="county_a")
    User.objects.filter(pk=user.pk).update(org_unit=None)
    user.refresh_from_db()
    assert talent_panel_for(user, year=YEAR, as_of=AS_OF) is None


def test_talent_panel_queries_do_not_grow_with_the_records(
    org_tree: dict[str, OrgUnit], make_user: MakeUser
) -> None:
    """2 talents, then 20 (with their payouts, apartments and demands): the same queries."""
    world = talent_world(org_tree, 2)
    clients = []
    for user in (make_user(Role.CITY_ADMIN), make_user(Role.STAFF, unit="county_a")):
        client = Client()
        client.force_login(user)
        clients.append(client)

    def count(client: Client) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, QUERY).status_code == 200
        return len(ctx.captured_queries)

    for client in clients:
        count(client)  # the first request of a session also rewrites its last-seen time
    few = [count(client) for client in clients]
    world.add(18)
    assert len(world.talents) == 20
    assert [count(client) for client in clients] == few
