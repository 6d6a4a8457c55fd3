"""The database's own guarantees, whatever the code path: a unit never has two active
tenancies, a talent never holds two, a contract ends after it starts, a check-out records its
reason and day, an allocation holds its unit alone, a talent has one application on its way."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from zhaoyin.apartments.models import Application, ApplicationState, Tenancy, TenancyState
from zhaoyin.apartments.tests.conftest import Housing


def _tenancy(h: Housing, **fields: Any) -> Tenancy:
    values: dict[str, Any] = {
        "unit": fields.pop("unit", None) or h.unit("C1"), "talent": h.talent_a, "start": dt.date(2026, 1, 1),
        "end": dt.date(2027, 1, 1), "monthly_rent": Decimal("1000"), "rent_payable": Decimal("1000"),
        **fields,
    }
    with transaction.atomic():
        return Tenancy.objects.create(**values)


def test_a_unit_never_has_two_active_tenancies(housing: Housing) -> None:
    first = _tenancy(housing)
    with pytest.raises(IntegrityError):
        _tenancy(housing, unit=first.unit, talent=housing.talent_b)
    # An ended tenancy of the same unit is history, not a second tenant.
    _tenancy(housing, unit=first.unit, talent=housing.own, state=TenancyState.ENDED, end_reason="departure",
             ended_on=dt.date(2026, 6, 1))


def test_a_talent_never_holds_two_active_tenancies(housing: Housing) -> None:
    _tenancy(housing)
    with pytest.raises(IntegrityError):
        _tenancy(housing, unit=housing.unit("C2"))


@pytest.mark.parametrize("end", [dt.date(2026, 1, 1), dt.date(2025, 12, 31)])
def test_a_contract_ends_after_it_starts(housing: Housing, end: dt.date) -> None:
    with pytest.raises(IntegrityError):
        _tenancy(housing, end=end)


def test_a_check_out_records_reason_and_day(housing: Housing) -> None:
    with pytest.raises(IntegrityError):
        _tenancy(housing, state=TenancyState.ENDED)


def test_a_reduction_is_a_percentage(housing: Housing) -> None:
    with pytest.raises(IntegrityError):
        _tenancy(housing, reduction_percent=Decimal("120"))


def test_one_allocation_per_unit_and_one_open_application_per_talent(housing: Housing) -> None:
    unit = housing.unit("C3")
    Application.objects.create(talent=housing.talent_a, state=ApplicationState.ALLOCATED, unit=unit)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(talent=housing.talent_b, state=ApplicationState.ALLOCATED, unit=unit)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(talent=housing.talent_a, state=ApplicationState.SUBMITTED)
