"""Generator of talent apartment buildings and their flats (issue 13 item 4: 20 000 flats at
province scale), registered with ``zhaoyin generate``.

Buildings of 120 flats (``人才公寓G0001`` …, the last one shorter) are spread over the demo
tree's counties and parks; each flat has a layout, an area and a rent like the demo's. About
3 % are in maintenance and the rest available: occupancy comes from tenancies, which need
talents and contracts (the demo's flow, or ``bench/bench_apartments.py``'s waitlist), so the
generator does not invent "occupied" flats without a tenant. Bulk-inserted (see ``generate``);
a building whose name exists is kept, so a repeated run adds nothing and a larger count adds
the rest.
"""

from __future__ import annotations

from decimal import Decimal

from zhaoyin.apartments.models import ApartmentUnit, Building, UnitState
from zhaoyin.demo.apartments_demo import LAYOUTS
from zhaoyin.demo.generate import BATCH_SIZE, GenContext, register

NAME_PREFIX = "人才公寓G"
PER_BUILDING = 120
PER_FLOOR = 12
MAINTENANCE_SHARE = 0.03


def _name(index: int) -> str:
    return f"{NAME_PREFIX}{index + 1:04d}"


@register("apartment_units", city=2_000, province=20_000)
def generate_apartment_units(ctx: GenContext, count: int) -> int:
    """``count`` flats in buildings of ``PER_BUILDING`` (existing generated buildings kept)."""
    rng = ctx.rng("apartment_units")
    n_buildings = -(-count // PER_BUILDING) if count > 0 else 0
    existing = set(Building.objects.filter(name__startswith=NAME_PREFIX).values_list("name", flat=True))
    weights = [w for _l, w, _a, _b, _r in LAYOUTS]
    created = 0
    units: list[ApartmentUnit] = []
    for index in range(n_buildings):
        # Draw for every building, made or kept, so each one's flats do not depend on the others.
        place = ctx.places[index % len(ctx.places)]
        flats = min(PER_BUILDING, count - index * PER_BUILDING)
        draws = [(rng.choices(LAYOUTS, weights=weights)[0], rng.random(), rng.random()) for _ in range(flats)]
        name = _name(index)
        if name in existing:
            continue
        building = Building.objects.create(name=name, address=f"{place.name}人才公寓路{index + 1}号", org_unit=place,
                                           operator=f"{place.name}住房保障中心")
        for flat, ((layout, _w, low, high, per_m2), area_draw, state_draw) in enumerate(draws):
            area = Decimal(low * 2 + int(area_draw * (high - low) * 2)) / 2
            units.append(ApartmentUnit(
                building=building, number=f"{flat // PER_FLOOR + 1}{flat % PER_FLOOR + 1:02d}", layout=layout,
                area_m2=area, monthly_rent=(area * per_m2 / 10).quantize(Decimal("1")) * 10,
                state=UnitState.MAINTENANCE if state_draw < MAINTENANCE_SHARE else UnitState.AVAILABLE,
            ))
        if len(units) >= BATCH_SIZE:
            ApartmentUnit.objects.bulk_create(units, batch_size=BATCH_SIZE)
            created += len(units)
            units = []
    ApartmentUnit.objects.bulk_create(units, batch_size=BATCH_SIZE)
    return created + len(units)
