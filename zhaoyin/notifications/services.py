"""Notification use cases: create notifications with their outbox rows, mark them read, and
deliver the outbox (with retries).

``notify_many`` does not check scope: its callers hand it recipients they have already
filtered (zhaoyin.matters.scan and zhaoyin.notifications.handoff keep only people who may see
the object). It writes no audit
record of its own; the caller audits the event the notifications are about.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from zhaoyin.accounts.models import User
from zhaoyin.audit.services import audit_write
from zhaoyin.core.bulk import insert_values
from zhaoyin.notifications.channels import SENDERS, NotificationSettings, notification_settings
from zhaoyin.notifications.models import Channel, DeliveryState, Notification, Outbox

logger = logging.getLogger("zhaoyin.notifications")

NOTIFICATION_COLUMNS = (
    "recipient_id", "kind", "title", "body", "link", "object_type", "object_id", "created_at", "read_at",
)
OUTBOX_COLUMNS = (
    "notification_id", "channel", "address", "state", "attempts", "next_attempt_at", "last_error", "created_at",
    "sent_at",
)


@dataclass(frozen=True)
class NewNotification:
    """What ``notify_many`` needs to write one notification."""

    recipient: User
    kind: str
    title: str
    body: str = ""
    link: str = ""
    object_type: str = ""
    object_id: str = ""


def _channels_for(item: NewNotification, configured: NotificationSettings) -> list[tuple[str, str]]:
    """The (channel, address) pairs besides the inbox that ``item`` goes out on."""
    channels = set(configured["CHANNELS"])
    out: list[tuple[str, str]] = []
    if Channel.EMAIL.value in channels and item.recipient.email:
        out.append((Channel.EMAIL.value, item.recipient.email))
    if Channel.SMS.value in channels and item.recipient.phone and item.kind in set(configured["SMS_KINDS"]):
        out.append((Channel.SMS.value, item.recipient.phone))
    return out


@transaction.atomic
def notify_many(*, items: Sequence[NewNotification], now: dt.datetime | None = None) -> list[int]:
    """Write the notifications (they are in the inbox at once) and one pending outbox row per
    further channel the recipient has an address for (``ZHAOYIN_NOTIFICATIONS``). Returns the
    new notifications' ids, in the order of ``items``. Multi-row statements: a scan pass may
    write tens of thousands."""
    if not items:
        return []
    now = now or timezone.now()
    configured = notification_settings()
    ids = insert_values(
        Notification,
        NOTIFICATION_COLUMNS,
        [
            [item.recipient.pk, item.kind[:40], item.title[:200], item.body, item.link[:300], item.object_type[:60],
             item.object_id[:40], now, None]
            for item in items
        ],
        returning_pk=True,
    )
    # The inbox is delivered by being written; its row records that like the others.
    sent = DeliveryState.SENT.value
    pending = DeliveryState.PENDING.value
    outbox: list[list[Any]] = []
    for item, pk in zip(items, ids, strict=True):
        outbox.append([pk, Channel.INBOX.value, "", sent, 1, now, "", now, now])
        for channel, address in _channels_for(item, configured):
            outbox.append([pk, channel, address[:254], pending, 0, now, "", now, None])
    insert_values(Outbox, OUTBOX_COLUMNS, outbox)
    return ids


@transaction.atomic
def notification_mark_read(*, acting_user: User, notification: Notification) -> Notification:
    """Mark one of the user's notifications read (the caller fetched it through the selector,
    so it is the user's own). Reading it again changes nothing."""
    if notification.recipient_id != acting_user.pk:
        raise PermissionDenied  # the selector makes this unreachable
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
        audit_write(action="notification.read", user=acting_user, obj=notification, after={"read_at": now})
    return notification


@transaction.atomic
def notification_mark_all_read(*, acting_user: User) -> int:
    """Mark every unread notification of the user read; returns how many."""
    now = timezone.now()
    count = Notification.objects.filter(recipient=acting_user, read_at__isnull=True).update(read_at=now)
    if count:
        audit_write(
            action="notification.read_all", user=acting_user, object_type="notifications.notification",
            after={"count": count, "read_at": now},
        )
    return count


@dataclass
class DeliveryResult:
    """What one ``deliver_outbox`` call did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int, configured: NotificationSettings | None = None) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed attempt (doubling, capped)."""
    configured = configured or notification_settings()
    base, cap = int(configured["BACKOFF_SECONDS"]), int(configured["BACKOFF_MAX_SECONDS"])
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def deliver_outbox(*, now: dt.datetime | None = None, limit: int = 500) -> DeliveryResult:
    """Send the due pending outbox rows (at most ``limit``), each claimed first with a
    conditional UPDATE so several workers never send the same row at once; a row whose send
    fails is retried after ``backoff`` until ``MAX_ATTEMPTS``, then marked failed with its
    error. Nothing is sent inside a database transaction (a slow mail server holds no lock)."""
    now = now or timezone.now()
    configured = notification_settings()
    lease = dt.timedelta(seconds=int(configured["LEASE_SECONDS"]))
    max_attempts = int(configured["MAX_ATTEMPTS"])
    result = DeliveryResult()
    due = list(
        Outbox.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        claimed = Outbox.objects.filter(pk=pk, state=DeliveryState.PENDING, next_attempt_at__lte=now).update(
            next_attempt_at=now + lease, attempts=F("attempts") + 1
        )
        if claimed != 1:
            continue  # another worker took it
        row = Outbox.objects.select_related("notification").get(pk=pk)
        sender = SENDERS.get(row.channel)
        try:
            if sender is None:
                raise LookupError(f"no sender for channel {row.channel}")
            sender(row.notification, row.address)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:2000]
            logger.warning("delivery of outbox row %s (%s) failed: %s", pk, row.channel, error)
            result.errors.append(error)
            if row.attempts >= max_attempts:
                Outbox.objects.filter(pk=pk).update(state=DeliveryState.FAILED, last_error=error)
                result.failed += 1
            else:
                Outbox.objects.filter(pk=pk).update(next_attempt_at=now + backoff(row.attempts, configured),
                                                    last_error=error)
                result.retried += 1
            continue
        Outbox.objects.filter(pk=pk).update(state=DeliveryState.SENT, sent_at=timezone.now(), last_error="")
        result.sent += 1
    return result


def deliver_outbox_job() -> None:
    """The worker's periodic job: deliver until nothing due is left (bounded per run)."""
    for _round in range(20):
        result = deliver_outbox()
        if result.sent + result.retried + result.failed < 500:
            break
