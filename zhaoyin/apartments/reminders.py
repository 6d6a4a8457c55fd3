"""Contracts ending soon (合同到期提醒): a periodic job tells the talent and the talent office,
exactly once per tenancy, threshold and end day.

``THRESHOLDS`` days ahead (60, then 30): when a tenancy's end is within a threshold, a
``ExpiryReminder`` row is inserted for it; the unique constraint (tenancy, threshold, end)
makes a second or concurrent pass a no-op, and only the pass whose insert succeeded sends the
notice (inbox and outbox, ``notifications.services.notify_many``). A tenancy first seen inside
both thresholds is told once (the nearest) and both are recorded. A renewal moves the end: a
new key, so the renewed contract is reminded again when its new end comes near.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.apartments.models import TENANCY_TYPE, ExpiryReminder, Tenancy, TenancyState
from zhaoyin.core.roles import Role
from zhaoyin.notifications.services import NewNotification, notify_many

JOB_NAME = "apartments-expiry-reminders"
THRESHOLDS: tuple[int, ...] = (60, 30)


@dataclass(frozen=True)
class ReminderResult:
    """What one pass did: tenancies reminded and notices written."""

    reminded: int
    notices: int


def remind_expiring(*, today: dt.date | None = None) -> ReminderResult:
    """One pass (see the module docstring). Each tenancy in its own short transaction."""
    day = today or timezone.localdate()
    horizon = day + dt.timedelta(days=max(THRESHOLDS))
    candidates = list(
        Tenancy.objects.filter(state=TenancyState.ACTIVE, end__gte=day, end__lte=horizon)
        .select_related("talent__account", "unit__building").order_by("end", "id")
    )
    office = list(User.objects.filter(role_assignments__role=Role.TALENT_OFFICE.value, is_active=True,
                                      admin_role="").distinct())
    reminded = notices = 0
    for tenancy in candidates:
        days_left = (tenancy.end - day).days
        reached = sorted(t for t in THRESHOLDS if days_left <= t)
        if not reached:
            continue
        # The reminder rows and the notices commit together: a failed write tells nobody and
        # leaves the key free for the next pass.
        with transaction.atomic():
            written = _record(tenancy, reached)
            if reached[0] not in written:
                continue
            items = _notices(tenancy, days_left, office)
            if items:
                notify_many(items=items)
        reminded += 1
        notices += len(items)
    return ReminderResult(reminded=reminded, notices=notices)


def _notices(tenancy: Tenancy, days_left: int, office: list[User]) -> list[NewNotification]:
    people = list(office)
    account = tenancy.talent.account
    if account is not None and account.is_active and account not in people:
        people.append(account)
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Apartment contract ends in %(days)d days: %(unit)s, %(name)s") % {
            "days": days_left, "unit": f"{tenancy.unit.building.name} {tenancy.unit.number}",
            "name": tenancy.talent.name}
        body = _("Contract end: %(end)s") % {"end": tenancy.end.isoformat()}
    return [
        NewNotification(
            recipient=u, kind="apartment_tenancy.expiring", title=title, body=body,
            link=reverse("apartments:portal") if u.pk == tenancy.talent.account_id
            else reverse("apartments:tenancy_detail", args=[tenancy.pk]),
            object_type=TENANCY_TYPE, object_id=str(tenancy.pk),
        )
        for u in people
    ]


def _record(tenancy: Tenancy, thresholds: list[int]) -> set[int]:
    """Insert the reminder rows of ``thresholds``; the ones this pass inserted."""
    written: set[int] = set()
    for threshold in thresholds:
        try:
            with transaction.atomic():
                ExpiryReminder.objects.create(tenancy=tenancy, threshold_days=threshold, end=tenancy.end)
        except IntegrityError:
            continue
        written.add(threshold)
    return written


def remind_expiring_job() -> None:
    """The periodic job's entry (``zhaoyin worker``)."""
    remind_expiring()
