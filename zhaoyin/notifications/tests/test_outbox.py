"""The outbox: every notification is in the inbox at once and goes out by e-mail and SMS
with retries, so nothing is lost when a channel fails."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import pytest
from django.core import mail

from conftest import MakeUser
from zhaoyin.notifications.channels import LoggingSmsGateway, NotificationSettings, sms_gateway
from zhaoyin.notifications.models import Channel, DeliveryState, Notification, Outbox
from zhaoyin.notifications.services import NewNotification, backoff, deliver_outbox, notify_many

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 8, 1, 0, tzinfo=dt.UTC)
GATEWAY = "zhaoyin.notifications.tests.test_outbox.FlakyGateway"


class FlakyGateway:
    """An SMS gateway that fails while ``down`` and records what it sent."""

    down: ClassVar[bool] = True
    sent: ClassVar[list[tuple[str, str]]] = []

    def send(self, *, phone: str, text: str) -> None:
        if FlakyGateway.down:
            raise ConnectionError("gateway unreachable")
        FlakyGateway.sent.append((phone, text))


@pytest.fixture
def flaky(settings: Any) -> type[FlakyGateway]:
    settings.ZHAOYIN_NOTIFICATIONS = {**settings.ZHAOYIN_NOTIFICATIONS, "SMS_GATEWAY": GATEWAY, "MAX_ATTEMPTS": 3}
    FlakyGateway.down, FlakyGateway.sent = True, []
    return FlakyGateway


def _notify(user: Any, kind: str = "matter.urge") -> Notification:
    ids = notify_many(
        items=[NewNotification(recipient=user, kind=kind, title="催办：JB2026-000001", body="已超期。",
                               link="/matters/1/")],
        now=NOW,
    )
    return Notification.objects.get(pk=ids[0])


def _channels(n: Notification) -> dict[str, str]:
    return dict(Outbox.objects.filter(notification=n).values_list("channel", "state"))


def test_a_notification_is_in_the_inbox_at_once_and_queued_for_each_channel(make_user: MakeUser) -> None:
    full = make_user("staff", "county_a", phone="13800001111")
    full.email = "staff@example.cn"
    full.save(update_fields=["email"])
    bare = make_user("staff", "county_a")
    n_full, n_bare = _notify(full), _notify(bare)
    assert _channels(n_full) == {"inbox": "sent", "email": "pending", "sms": "pending"}
    assert _channels(n_bare) == {"inbox": "sent"}  # no address, no channel
    reminder = _notify(full, kind="matter.remind")
    assert _channels(reminder) == {"inbox": "sent", "email": "pending"}  # SMS only for what cannot wait
    assert Outbox.objects.get(notification=n_full, channel="sms").address == "13800001111"


def test_delivery_sends_email_and_sms_once(make_user: MakeUser, flaky: type[FlakyGateway]) -> None:
    user = make_user("staff", "county_a", phone="13800001111")
    user.email = "staff@example.cn"
    user.save(update_fields=["email"])
    flaky.down = False
    n = _notify(user)
    result = deliver_outbox(now=NOW)
    assert (result.sent, result.retried, result.failed) == (2, 0, 0)
    assert [m.to for m in mail.outbox] == [["staff@example.cn"]]
    assert mail.outbox[0].subject == "催办：JB2026-000001"
    assert "/matters/1/" in str(mail.outbox[0].body)
    assert flaky.sent == [("13800001111", "催办：JB2026-000001")]
    assert _channels(n) == {"inbox": "sent", "email": "sent", "sms": "sent"}
    # A second run finds nothing due: nothing is sent twice.
    assert deliver_outbox(now=NOW + dt.timedelta(hours=1)).sent == 0
    assert len(mail.outbox) == 1
    assert len(flaky.sent) == 1


def test_a_failing_channel_is_retried_with_backoff_until_it_recovers(
    make_user: MakeUser, flaky: type[FlakyGateway]
) -> None:
    user = make_user("staff", "county_a", phone="13800001111")
    n = _notify(user)
    first = deliver_outbox(now=NOW)
    assert (first.sent, first.retried) == (0, 1)
    row = Outbox.objects.get(notification=n, channel=Channel.SMS)
    assert (row.state, row.attempts) == (DeliveryState.PENDING, 1)
    assert row.next_attempt_at == NOW + dt.timedelta(seconds=60)
    assert "gateway unreachable" in row.last_error
    # Not due before its backoff has passed.
    assert deliver_outbox(now=NOW + dt.timedelta(seconds=30)).retried == 0
    second = deliver_outbox(now=NOW + dt.timedelta(seconds=61))
    assert second.retried == 1
    row.refresh_from_db()
    assert row.attempts == 2
    assert row.next_attempt_at == NOW + dt.timedelta(seconds=61 + 120)  # doubled
    flaky.down = False
    third = deliver_outbox(now=NOW + dt.timedelta(seconds=200))
    assert third.sent == 1
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == (DeliveryState.SENT, 3, "")
    assert flaky.sent == [("13800001111", "催办：JB2026-000001")]


def test_after_the_last_attempt_the_row_is_kept_as_failed_with_its_error(
    make_user: MakeUser, flaky: type[FlakyGateway]
) -> None:
    user = make_user("staff", "county_a", phone="13800001111")
    n = _notify(user)
    moment = NOW
    for _ in range(3):
        deliver_outbox(now=moment)
        moment += dt.timedelta(hours=2)
    row = Outbox.objects.get(notification=n, channel=Channel.SMS)
    assert (row.state, row.attempts) == (DeliveryState.FAILED, 3)
    assert "ConnectionError" in row.last_error
    assert Notification.objects.filter(pk=n.pk).exists()  # still in the inbox


def test_a_row_claimed_by_another_worker_is_not_sent_again(make_user: MakeUser, flaky: type[FlakyGateway]) -> None:
    user = make_user("staff", "county_a", phone="13800001111")
    n = _notify(user)
    row = Outbox.objects.get(notification=n, channel=Channel.SMS)
    # Another worker claimed it (its lease runs) and is sending it right now.
    Outbox.objects.filter(pk=row.pk).update(next_attempt_at=NOW + dt.timedelta(minutes=5), attempts=1)
    flaky.down = False
    assert deliver_outbox(now=NOW).sent == 0
    assert flaky.sent == []


def test_backoff_doubles_up_to_the_cap() -> None:
    conf: NotificationSettings = {"BACKOFF_SECONDS": 60, "BACKOFF_MAX_SECONDS": 3600}
    assert [backoff(n, conf).total_seconds() for n in (1, 2, 3, 6, 7, 20)] == [60, 120, 240, 1920, 3600, 3600]


def test_the_default_sms_gateway_logs(caplog: pytest.LogCaptureFixture) -> None:
    gateway = sms_gateway()
    assert isinstance(gateway, LoggingSmsGateway)
    with caplog.at_level("INFO", logger="zhaoyin.notifications"):
        gateway.send(phone="13800001111", text="督办")
    assert "138****1111" in caplog.text
    assert "13800001111" not in caplog.text


def test_a_gateway_setting_naming_something_else_is_refused(settings: Any) -> None:
    settings.ZHAOYIN_NOTIFICATIONS = {"SMS_GATEWAY": "datetime.date"}
    with pytest.raises(TypeError):
        sms_gateway()
