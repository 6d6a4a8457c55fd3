"""The demo's talent apartments (人才公寓, issue 13 item 4): 963 units in 8 buildings, about
85 % occupied, a waitlist, a few allocations awaiting their contract, a few contracts ending
within 60 days, and some past tenancies (checked out on departure or a home purchase).

Where the records come from:

- The buildings and units are created by the apartment services (audited), as the housing
  office (住建局) would register them — a building's flats in one ``units_create`` —; a few
  units go into maintenance the same way.
- The talents: the demo's existing talent records first (the talents demo makes about 300;
  their tiers, if the recognition demo set any, order the waitlist). There are not enough of
  them to fill 800 flats, so the tenants of the bulk of the flats are created here as talent
  records of their own (``TENANT_PREFIX`` in the ID number's area code, 潘集区 340406, which the
  talents demo does not use), the way ``talents.testing.make_talent`` builds one: no tier —
  a tier is written only by a recognition decision.
- The applications that are still moving (submitted, waitlisted, allocated) go through the
  services, by the talent office, so the waitlist order, the notices and the audit trail are
  the real ones. The long-settled tenancies (hundreds of signed contracts of the last three
  years and their applications) are written in bulk, like ``generate_matters`` writes
  histories: one audited service call per past step would only add fixture noise.

Idempotent: once the first demo building exists, nothing more is planned.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.apartments import services
from zhaoyin.apartments.inputs import (
    ApartmentActionInput,
    ApartmentApplicationInput,
    ApartmentBuildingInput,
    MaintenanceInput,
    UnitInput,
)
from zhaoyin.apartments.models import (
    ApartmentUnit,
    Application,
    ApplicationState,
    Building,
    EndReason,
    Layout,
    Tenancy,
    TenancyState,
    UnitState,
)
from zhaoyin.talents.crypto import id_blind_index, id_fields
from zhaoyin.talents.models import Education, Talent, TalentStatus

if TYPE_CHECKING:
    from zhaoyin.demo.services import LoadResult

OFFICE = "demo_talent_office"
FALLBACK = "demo_city_admin"
#: Area code of the created tenants' resident IDs (潘集区): the talents demo does not use it.
TENANT_PREFIX = "340406"
OCCUPIED_SHARE = 0.85
WAITLIST = 36
SUBMITTED = 6
ALLOCATED = 8
EXPIRING = 9
MAINTENANCE = 14
PAST = 24


@dataclass(frozen=True)
class BuildingSpec:
    """A demo building: name, address, managing org unit (code), operator, floors × flats."""

    name: str
    address: str
    org_unit: str
    operator: str
    floors: int
    per_floor: int
    extra: int = 0  # flats on a last, shorter floor


#: 963 flats in all: 168 + 144 + 132 + 120 + 120 + 108 + 96 + 75.
BUILDINGS: tuple[BuildingSpec, ...] = (
    BuildingSpec("山南新区人才公寓1号楼", "淮南市田家庵区山南新区春申路66号", "dept-zjj", "淮南城投住房租赁有限公司",
                 14, 12),
    BuildingSpec("山南新区人才公寓2号楼", "淮南市田家庵区山南新区春申路68号", "dept-zjj", "淮南城投住房租赁有限公司",
                 12, 12),
    BuildingSpec("高新区人才公寓", "淮南高新区科技大道18号", "park-gxq", "淮南高新区建设发展有限公司", 11, 12),
    BuildingSpec("经开区青年人才驿站", "淮南经开区经一路9号", "park-jkq", "淮南经开区管委会", 10, 12),
    BuildingSpec("大通区人才公寓", "淮南市大通区大庆路120号", "340402", "大通区住房保障中心", 10, 12),
    BuildingSpec("田家庵区舜耕人才公寓", "淮南市田家庵区舜耕路35号", "340403", "田家庵区住房保障中心", 9, 12),
    BuildingSpec("新桥国际产业园人才公寓", "寿县新桥国际产业园振兴路2号", "park-xinqiao", "新桥园区运营公司", 8, 12),
    BuildingSpec("凤台县人才公寓", "凤台县州来大道88号", "340421", "凤台县住房保障中心", 6, 12, extra=3),
)
#: Layout, area range (m²) and monthly rent per m² (yuan) of the flats.
LAYOUTS: tuple[tuple[str, int, int, int, Decimal], ...] = (
    (Layout.ONE_BED, 5, 42, 55, Decimal("19.00")),
    (Layout.TWO_BED, 4, 68, 88, Decimal("17.50")),
    (Layout.THREE_BED, 1, 96, 118, Decimal("16.00")),
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "子涵浩然雨轩欣怡梓萱宇航佳琪思远志强晓东婷婷建华明轩若曦一鸣天佑家豪诗涵文博嘉怡俊杰雅琴振宇晨阳"
SCHOOLS = ("安徽理工大学", "中国科学技术大学", "合肥工业大学", "安徽大学", "南京理工大学", "中国矿业大学",
           "淮南师范学院")


def tenant_id_number(born: dt.date, serial: int) -> str:
    """A valid resident ID of the demo tenants' area (``TENANT_PREFIX``): fictional, fixed per serial."""
    body = f"{TENANT_PREFIX}{born:%Y%m%d}{serial % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def _acting_user() -> User | None:
    return User.objects.filter(username=OFFICE).first() or User.objects.filter(username=FALLBACK).first()


def _units_of(rng: random.Random, spec: BuildingSpec) -> list[UnitInput]:
    weights = [w for _l, w, _a, _b, _r in LAYOUTS]
    rows: list[UnitInput] = []
    floors = [(f, spec.per_floor) for f in range(1, spec.floors + 1)]
    if spec.extra:
        floors.append((spec.floors + 1, spec.extra))
    for floor, flats in floors:
        for flat in range(1, flats + 1):
            layout, _w, low, high, per_m2 = rng.choices(LAYOUTS, weights=weights)[0]
            area = Decimal(rng.randint(low * 2, high * 2)) / 2
            rent = (area * per_m2 / 10).quantize(Decimal("1")) * 10
            rows.append(UnitInput.of(number=f"{floor}{flat:02d}", layout=layout, area_m2=str(area),
                                     monthly_rent=str(rent)))
    return rows


def _buildings(user: User, rng: random.Random, result: LoadResult) -> list[ApartmentUnit]:
    units: list[ApartmentUnit] = []
    org_units = {u.code: u for u in OrgUnit.objects.filter(code__in=[b.org_unit for b in BUILDINGS])}
    for spec in BUILDINGS:
        if spec.org_unit not in org_units:
            continue
        building = services.building_create(acting_user=user, data=ApartmentBuildingInput.of(
            name=spec.name, address=spec.address, org_unit=spec.org_unit, operator=spec.operator))
        result.add("apartment buildings")
        made = services.units_create(acting_user=user, building=building, data=_units_of(rng, spec))
        units.extend(made)
        result.add("apartment units", len(made))
    return units


def _tenants(rng: random.Random, needed: int, org_units: list[OrgUnit]) -> list[Talent]:
    """``needed`` talent records made for the demo's tenants (the same ones on every load)."""
    made: list[Talent] = []
    today = timezone.localdate()
    serial = 0
    while len(made) < needed:
        serial += 1
        born = dt.date(1984 + serial % 14, 1 + serial % 12, 1 + serial % 28)
        number = tenant_id_number(born, serial)
        if Talent.objects.filter(id_index=id_blind_index("resident", number)).exists():
            continue
        name = rng.choice(SURNAMES) + rng.choice(GIVEN[::2]) + rng.choice(GIVEN[1::2])
        talent = Talent(
            name=name, org_unit=rng.choice(org_units), birth_date=born, sex=rng.choice(("male", "female")),
            education=rng.choice((Education.BACHELOR, Education.MASTER, Education.MASTER, Education.DOCTORATE)),
            school=rng.choice(SCHOOLS), arrival_date=today - dt.timedelta(days=rng.randint(200, 1400)),
            social_insurance_months=rng.randint(6, 48), **id_fields("resident", number),
        )
        talent.refresh_search_text()
        made.append(talent)
    return Talent.objects.bulk_create(made, batch_size=500)


def _free_talents() -> list[Talent]:
    """Active talents with no apartment application at all (the demo's records first)."""
    return list(
        Talent.objects.filter(status=TalentStatus.ACTIVE, apartment_applications__isnull=True, tenancies__isnull=True)
        .order_by("pk")
    )


def _settled(rng: random.Random, units: list[ApartmentUnit], tenants: list[Talent], user: User,
             result: LoadResult) -> None:
    """The contracts signed over the last three years: bulk-written (see the module docstring).
    ``EXPIRING`` of them end within 60 days from today."""
    today = timezone.localdate()
    now = timezone.now()
    apps: list[Application] = []
    tenancies: list[Tenancy] = []
    for index, (unit, talent) in enumerate(zip(units, tenants, strict=False)):
        if index < EXPIRING:
            end = today + dt.timedelta(days=5 + index * 6)
            start = end - dt.timedelta(days=3 * 365)
        else:
            start = today - dt.timedelta(days=rng.randint(20, 3 * 365 - 80))
            end = start + dt.timedelta(days=3 * 365)
        signed = timezone.make_aware(dt.datetime.combine(start, dt.time(10, 0)))
        submitted = signed - dt.timedelta(days=rng.randint(20, 90))
        app = Application(talent=talent, state=ApplicationState.CONTRACTED, unit=unit, reason="新引进人才住房需求",
                          preferred_layout=unit.layout, submitted_at=submitted, submitted_by=user,
                          reviewed_at=submitted + dt.timedelta(days=3), reviewed_by=user,
                          allocated_at=signed - dt.timedelta(days=7), allocated_by=user, version=4)
        apps.append(app)
        percent = services.reduction_for(talent.tier)
        tenancies.append(Tenancy(
            unit=unit, talent=talent, application=app, start=start, end=end, monthly_rent=unit.monthly_rent,
            reduction_percent=percent, rent_payable=services.payable(unit.monthly_rent, percent),
            deposit=unit.monthly_rent * 2, tier_at_signing=talent.tier, signed_at=min(signed, now), signed_by=user,
        ))
    Application.objects.bulk_create(apps, batch_size=500)
    for tenancy in tenancies:
        tenancy.application_id = tenancy.application.pk if tenancy.application else None
    Tenancy.objects.bulk_create(tenancies, batch_size=500)
    ApartmentUnit.objects.filter(pk__in=[u.pk for u in units[: len(tenancies)]]).update(state=UnitState.OCCUPIED)
    result.add("apartment tenancies", len(tenancies))


def _past(rng: random.Random, units: list[ApartmentUnit], tenants: list[Talent], user: User,
          result: LoadResult) -> None:
    """Tenancies already checked out (departure, home purchase, contract end) on flats that
    are free again; their talents are marked departed when they left the city."""
    today = timezone.localdate()
    reasons = (EndReason.HOME_PURCHASE, EndReason.DEPARTURE, EndReason.CONTRACT_END)
    for unit, talent in zip(units, tenants, strict=False):
        reason = rng.choice(reasons)
        ended = today - dt.timedelta(days=rng.randint(15, 400))
        start = ended - dt.timedelta(days=3 * 365 if reason == EndReason.CONTRACT_END else rng.randint(200, 900))
        signed = timezone.make_aware(dt.datetime.combine(start, dt.time(10, 0)))
        app = Application.objects.create(
            talent=talent, state=ApplicationState.ENDED, unit=unit, reason="新引进人才住房需求",
            submitted_at=signed - dt.timedelta(days=30), submitted_by=user, reviewed_at=signed - dt.timedelta(days=25),
            reviewed_by=user, allocated_at=signed - dt.timedelta(days=7), allocated_by=user, version=5,
        )
        percent = services.reduction_for(talent.tier)
        Tenancy.objects.create(
            unit=unit, talent=talent, application=app, start=start, end=max(ended, start + dt.timedelta(days=1)),
            monthly_rent=unit.monthly_rent, reduction_percent=percent,
            rent_payable=services.payable(unit.monthly_rent, percent), deposit=unit.monthly_rent * 2,
            tier_at_signing=talent.tier, state=TenancyState.ENDED, end_reason=reason, ended_on=ended,
            inspection_note=rng.choice(("房屋完好，押金全额退还", "墙面轻微污损，扣除清洁费200元", "家电完好")),
            signed_at=signed, signed_by=user,
        )
        if reason == EndReason.DEPARTURE:
            Talent.objects.filter(pk=talent.pk).update(status=TalentStatus.DEPARTED, departed_on=ended)
    result.add("apartment tenancies (ended)", min(len(units), len(tenants)))


def _moving(rng: random.Random, user: User, units: list[ApartmentUnit], talents: list[Talent],
            result: LoadResult) -> None:
    """Applications still on their way, through the services: some allocated (a flat
    reserved, awaiting the contract), a waitlist, a few just submitted."""
    layouts = ["", Layout.ONE_BED, Layout.TWO_BED, Layout.ONE_BED, ""]
    made = 0
    for index, talent in enumerate(talents[: ALLOCATED + WAITLIST + SUBMITTED]):
        layout = rng.choice(layouts) if index >= ALLOCATED else ""
        app = services.application_submit(acting_user=user, data=ApartmentApplicationInput.of(
            talent=talent.pk, preferred_layout=layout, reason=rng.choice((
                "新引进博士，暂无住房", "随企业落户淮南，申请过渡性住房", "配偶随迁，需两室住房",
                "刚入职，申请人才公寓")),
        ))
        made += 1
        if index >= ALLOCATED + WAITLIST:
            continue
        app = services.application_transition(acting_user=user, application=app, action="review",
                                              data=ApartmentActionInput.of(note="材料齐全"))
        if index < ALLOCATED and index < len(units):
            services.application_transition(acting_user=user, application=app, action="allocate",
                                            data=ApartmentActionInput.of(unit=units[index].pk))
    result.add("apartment applications", made)


def apartments_ensure(*, year: int, result: LoadResult) -> None:
    """963 flats in 8 buildings, about 85 % let, a waitlist, contracts ending soon (see the
    module docstring). ``year`` seeds the draws."""
    if Building.objects.filter(name=BUILDINGS[0].name).exists():
        return
    user = _acting_user()
    if user is None:
        return
    rng = random.Random(f"apartments-{year}")  # noqa: S311 - demo data, not security
    with transaction.atomic():
        units = _buildings(user, rng, result)
        rng.shuffle(units)
        n_occupied = round(len(units) * OCCUPIED_SHARE)
        occupied = units[:n_occupied]
        rest = units[n_occupied:]
        maintenance, rest = rest[:MAINTENANCE], rest[MAINTENANCE:]
        for unit in maintenance:
            services.unit_set_maintenance(acting_user=user, unit=unit, data=MaintenanceInput.of(on="yes"))
        existing = _free_talents()
        moving = ALLOCATED + WAITLIST + SUBMITTED
        # The demo's own talents apply now (their tiers order the waitlist); those with a
        # portal account (demo_talent …) hold the first contracts, so the portal shows one
        # (the first few end within 60 days). The tenants of the other settled and past
        # contracts are made here when the demo has too few talents.
        with_account = [t for t in existing if t.account_id is not None]
        others = [t for t in existing if t.account_id is None]
        movers, pool = others[:moving], with_account + others[moving:]
        wanted = n_occupied + PAST
        shortfall = moving - len(movers)
        extra = _tenants(rng, max(0, wanted - len(pool)) + max(0, shortfall),
                         list(OrgUnit.objects.filter(code__in=[b.org_unit for b in BUILDINGS])))
        pool += extra
        if shortfall > 0:
            movers, pool = movers + pool[-shortfall:], pool[:-shortfall]
        _settled(rng, occupied, pool[:n_occupied], user, result)
        _past(rng, rest[ALLOCATED:ALLOCATED + PAST], pool[n_occupied:wanted], user, result)
        _moving(rng, user, rest[:ALLOCATED], movers, result)
        result.add("talents (apartment tenants)", len(extra))
