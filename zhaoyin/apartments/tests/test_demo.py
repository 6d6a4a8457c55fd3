"""The demo's apartments: 963 flats in 8 buildings, about 85 % let, a waitlist in the stored
order, allocations awaiting their contract, contracts ending within 60 days, past tenancies;
the database constraints hold and a second run adds nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import LoadDemo
from zhaoyin.apartments import selectors
from zhaoyin.apartments.models import ApartmentUnit, Application, ApplicationState, Building, Tenancy, UnitState
from zhaoyin.demo.apartments_demo import BUILDINGS, EXPIRING, apartments_ensure
from zhaoyin.demo.services import LoadResult

YEAR = 2026


@pytest.mark.django_db
def test_demo_apartments_are_plausible_and_idempotent(load_demo: LoadDemo) -> None:
    load_demo(YEAR)
    result = LoadResult()
    apartments_ensure(year=YEAR, result=result)
    assert Building.objects.count() == len(BUILDINGS) == 8
    units = ApartmentUnit.objects.count()
    assert units == 963
    occupied = ApartmentUnit.objects.filter(state=UnitState.OCCUPIED).count()
    assert 0.83 <= occupied / units <= 0.87
    # Every occupied flat has exactly one active tenancy, and no other flat has one.
    active = Tenancy.objects.filter(state="active")
    assert active.count() == occupied
    assert set(active.values_list("unit_id", flat=True)) == set(
        ApartmentUnit.objects.filter(state=UnitState.OCCUPIED).values_list("pk", flat=True))
    # Reserved flats are held by allocated applications.
    reserved = set(ApartmentUnit.objects.filter(state=UnitState.RESERVED).values_list("pk", flat=True))
    assert reserved
    assert reserved == set(Application.objects.filter(state=ApplicationState.ALLOCATED).values_list("unit_id",
                                                                                                     flat=True))
    assert ApartmentUnit.objects.filter(state=UnitState.MAINTENANCE).exists()
    assert Application.objects.filter(state=ApplicationState.WAITLISTED).count() >= 30
    assert Application.objects.filter(state=ApplicationState.SUBMITTED).exists()
    assert Tenancy.objects.filter(state="ended").exclude(end_reason="").exists()
    today = timezone.localdate()
    expiring = active.filter(end__lte=today + dt.timedelta(days=selectors.EXPIRY_DAYS))
    assert expiring.count() == EXPIRING
    for t in active:
        assert t.start < t.end
        assert t.end > today
        assert t.rent_payable <= t.monthly_rent
    assert result.total == 0  # demo_load ran apartments_ensure already
    # A second run adds nothing.
    again = LoadResult()
    apartments_ensure(year=YEAR, result=again)
    assert again.total == 0
    assert ApartmentUnit.objects.count() == 963


@pytest.mark.django_db
def test_the_generator_makes_buildings_of_flats_and_a_rerun_adds_nothing() -> None:
    from io import StringIO

    from django.core.management import call_command

    from zhaoyin.demo.generate_apartments import NAME_PREFIX, PER_BUILDING

    call_command("generate", "--scale", "city", "--count", "250", "--seed", "3", stdout=StringIO())
    buildings = Building.objects.filter(name__startswith=NAME_PREFIX)
    assert buildings.count() == 3
    flats = ApartmentUnit.objects.filter(building__in=buildings)
    assert flats.count() == 250
    assert flats.filter(building__name=f"{NAME_PREFIX}0001").count() == PER_BUILDING
    assert not flats.filter(state__in=[UnitState.OCCUPIED, UnitState.RESERVED]).exists()
    assert len(set(flats.values_list("layout", flat=True))) == 3
    first = set(flats.values_list("building__name", "number", "layout", "area_m2", "monthly_rent"))
    call_command("generate", "--scale", "city", "--count", "250", "--seed", "3", stdout=StringIO())
    assert ApartmentUnit.objects.count() == 250
    assert set(flats.values_list("building__name", "number", "layout", "area_m2", "monthly_rent")) == first
