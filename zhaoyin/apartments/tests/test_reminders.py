"""Contracts ending within 60 days are reminded through the notifications (inbox and outbox),
once per tenancy, threshold and end day; a renewal is reminded again near its new end."""

from __future__ import annotations

import datetime as dt

import pytest

from zhaoyin.apartments.inputs import ApartmentActionInput
from zhaoyin.apartments.models import ExpiryReminder
from zhaoyin.apartments.reminders import remind_expiring
from zhaoyin.apartments.services import tenancy_transition
from zhaoyin.apartments.tests.conftest import Housing
from zhaoyin.notifications.models import Notification

pytestmark = pytest.mark.django_db
TODAY = dt.date(2027, 11, 1)


def test_a_contract_ending_in_50_days_is_reminded_once(housing: Housing) -> None:
    soon = housing.contracted(housing.own, housing.unit("101"), end=TODAY + dt.timedelta(days=50))
    housing.contracted(housing.talent_a, housing.unit("102"), end=TODAY + dt.timedelta(days=200))
    result = remind_expiring(today=TODAY)
    assert result.reminded == 1
    notices = Notification.objects.filter(kind="apartment_tenancy.expiring")
    recipients = set(notices.values_list("recipient__username", flat=True))
    assert recipients == {housing.office.username, housing.talent_user.username}
    assert all(n.object_id == str(soon.pk) for n in notices)
    assert "50" in notices.first().title  # type: ignore[union-attr]
    # The same day again, or a day later inside the same threshold: nothing more.
    assert remind_expiring(today=TODAY).reminded == 0
    assert remind_expiring(today=TODAY + dt.timedelta(days=1)).reminded == 0
    assert notices.count() == 2
    # Crossing 30 days: told again.
    assert remind_expiring(today=TODAY + dt.timedelta(days=25)).reminded == 1
    assert Notification.objects.filter(kind="apartment_tenancy.expiring").count() == 4


def test_first_seen_inside_both_thresholds_is_told_once(housing: Housing) -> None:
    housing.contracted(housing.own, housing.unit("101"), end=TODAY + dt.timedelta(days=10))
    assert remind_expiring(today=TODAY).reminded == 1
    assert set(ExpiryReminder.objects.values_list("threshold_days", flat=True)) == {30, 60}
    assert remind_expiring(today=TODAY + dt.timedelta(days=2)).reminded == 0


def test_a_renewed_contract_is_reminded_near_its_new_end(housing: Housing) -> None:
    tenancy = housing.contracted(housing.own, housing.unit("101"), end=TODAY + dt.timedelta(days=40))
    assert remind_expiring(today=TODAY).reminded == 1
    new_end = TODAY + dt.timedelta(days=400)
    tenancy = tenancy_transition(acting_user=housing.office, tenancy=tenancy, action="renew",
                                 data=ApartmentActionInput.of(end=new_end.isoformat(), version=tenancy.version))
    assert remind_expiring(today=TODAY + dt.timedelta(days=5)).reminded == 0
    assert remind_expiring(today=new_end - dt.timedelta(days=59)).reminded == 1


def test_ended_tenancies_are_not_reminded(housing: Housing) -> None:
    tenancy = housing.contracted(housing.own, housing.unit("101"), end=TODAY + dt.timedelta(days=20))
    tenancy_transition(acting_user=housing.office, tenancy=tenancy, action="checkout",
                       data=ApartmentActionInput.of(end_reason="departure", ended_on="2026-06-01",
                                                    version=tenancy.version))
    assert remind_expiring(today=TODAY).reminded == 0
    assert not Notification.objects.filter(kind="apartment_tenancy.expiring").exists()
