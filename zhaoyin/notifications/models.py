"""Notifications: the in-app inbox (``Notification``) and the outbox that delivers each one
over the other channels (``Outbox``: one row per notification and channel, with retries).

A notification is written once, for one recipient, by a service that has already checked
that the recipient may see what it is about (zhaoyin.matters.scan); the inbox shows a user
only their own.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How a notification reaches its recipient."""

    INBOX = "inbox", _("In-app inbox")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class DeliveryState(models.TextChoices):
    """Where the delivery over one channel stands."""

    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")  # gave up after the last attempt; kept with its error


class Notification(models.Model):
    """One message to one user, shown in their inbox until read (``read_at``). ``kind`` names
    what produced it (``matter.urge`` …); ``object_type``/``object_id`` the record it is
    about; ``link`` the page to open (scoped there again: out of scope is 404)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
            models.Index(fields=["object_type", "object_id"], name="notification_object"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"


class Outbox(models.Model):
    """The delivery of one notification over one channel. ``deliver_outbox`` sends the due
    pending rows; a failure is retried with a growing delay (``next_attempt_at``) until
    ``MAX_ATTEMPTS``, so a channel that is down loses nothing. ``address`` is the e-mail
    address or phone number taken when the notification was made."""

    notification = models.ForeignKey(
        Notification, verbose_name=_("notification"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox entry")
        verbose_name_plural = _("outbox")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="outbox_once_per_channel"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="outbox_channel_valid"),
            models.CheckConstraint(condition=Q(state__in=DeliveryState.values), name="outbox_state_valid"),
        ]
        indexes = [
            # The delivery loop reads the due pending rows only.
            models.Index(
                fields=["next_attempt_at"], condition=Q(state=DeliveryState.PENDING.value), name="outbox_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id}/{self.channel}: {self.state}"
