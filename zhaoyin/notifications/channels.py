"""The delivery channels of the outbox and the SMS gateway interface.

A channel sends one notification to one address and raises ``DeliveryError`` (or any
exception) when it could not; the outbox then retries later. E-mail goes through Django's
mail settings (``EMAIL_BACKEND`` …). SMS goes through a gateway chosen by the setting
``ZHAOYIN_NOTIFICATIONS["SMS_GATEWAY"]`` (a dotted path to a class with a ``send`` method,
see ``SmsGateway``); the default ``LoggingSmsGateway`` only writes the message to the log,
for installations without an SMS contract.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Final, Protocol, TypedDict, cast, runtime_checkable

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from zhaoyin.notifications.models import Channel, Notification

logger = logging.getLogger("zhaoyin.notifications")

DEFAULTS: Final[Mapping[str, Any]] = {
    # Channels used besides the inbox, when the recipient has an address for them.
    "CHANNELS": ["email", "sms"],
    # Notification kinds that also go out by SMS (SMS is for what cannot wait).
    "SMS_KINDS": ["matter.urge", "matter.supervise", "matter.listed"],
    "SMS_GATEWAY": "zhaoyin.notifications.channels.LoggingSmsGateway",
    # Retries: the n-th failure waits BACKOFF_SECONDS * 2**(n-1), at most BACKOFF_MAX_SECONDS;
    # after MAX_ATTEMPTS the row is marked failed (kept, with its last error).
    "MAX_ATTEMPTS": 12,
    "BACKOFF_SECONDS": 60,
    "BACKOFF_MAX_SECONDS": 3600,
    # A claimed row is not retried by another worker for this long (a worker died mid-send).
    "LEASE_SECONDS": 300,
    # Prefix of the links in e-mails and SMS (the site's address); blank: relative links.
    "BASE_URL": "",
}


class NotificationSettings(TypedDict, total=False):
    """The keys of ``ZHAOYIN_NOTIFICATIONS`` (see ``DEFAULTS``); a caller may give only some."""

    CHANNELS: list[str]
    SMS_KINDS: list[str]
    SMS_GATEWAY: str
    MAX_ATTEMPTS: int
    BACKOFF_SECONDS: int
    BACKOFF_MAX_SECONDS: int
    LEASE_SECONDS: int
    BASE_URL: str


def notification_settings() -> NotificationSettings:
    """``settings.ZHAOYIN_NOTIFICATIONS`` over ``DEFAULTS``."""
    return cast(NotificationSettings, {**DEFAULTS, **(getattr(settings, "ZHAOYIN_NOTIFICATIONS", {}) or {})})


class DeliveryError(Exception):
    """A channel could not deliver (the outbox retries later)."""


@runtime_checkable
class SmsGateway(Protocol):
    """What an SMS provider's adapter implements."""

    def send(self, *, phone: str, text: str) -> None:
        """Send ``text`` to ``phone``; raise on failure."""
        ...


class LoggingSmsGateway:
    """An SMS gateway that writes each message to the log instead of sending it."""

    def send(self, *, phone: str, text: str) -> None:
        masked = phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"
        logger.info("SMS to %s: %s", masked, text)


def sms_gateway() -> SmsGateway:
    """The configured gateway (a new instance each call, so a setting change takes effect)."""
    gateway = import_string(str(notification_settings()["SMS_GATEWAY"]))()
    if not isinstance(gateway, SmsGateway):
        raise TypeError("ZHAOYIN_NOTIFICATIONS['SMS_GATEWAY'] must name a class with a send(phone=, text=) method")
    return gateway


def absolute_link(link: str) -> str:
    """``link`` prefixed with the configured site address (links in mail leave the site)."""
    base = str(notification_settings()["BASE_URL"]).rstrip("/")
    return base + link if link.startswith("/") else link


class ChannelSender(Protocol):
    """Sends one notification over one channel to ``address``."""

    def __call__(self, notification: Notification, address: str) -> None: ...


def send_email(notification: Notification, address: str) -> None:
    """By e-mail through Django's mail settings."""
    body = notification.body
    if notification.link:
        body = f"{body}\n\n{absolute_link(notification.link)}"
    sent = send_mail(notification.title, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)
    if sent != 1:
        raise DeliveryError("the mail backend accepted no message")


def send_sms(notification: Notification, address: str) -> None:
    """By SMS through the configured gateway (title only: SMS is short)."""
    sms_gateway().send(phone=address, text=notification.title)


SENDERS: dict[str, ChannelSender] = {Channel.EMAIL.value: send_email, Channel.SMS.value: send_sms}
