"""The audit log (AUD-01..07): append-only, hash-chained, never edited by the application."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    DENIED = "denied", _("Denied")


class AuditRecord(models.Model):
    """One audited event. ``hash`` = HMAC-SM3(key, prev_hash ‖ canonical record).

    Rows are written only by ``zhaoyin.audit.services``; database triggers refuse UPDATE
    and DELETE, and ``zhaoyin audit verify`` recomputes the chain to find tampering.
    Actor fields are copied, not foreign keys, so the record outlives any account.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True)
    actor = models.CharField(_("actor"), max_length=150, db_index=True)
    roles = models.CharField(_("roles"), max_length=200, blank=True)
    unit = models.CharField(_("org unit"), max_length=32, blank=True)
    channel = models.CharField(_("channel"), max_length=10)
    client_ip = models.GenericIPAddressField(_("client IP"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    object_type = models.CharField(_("object type"), max_length=64, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.actor}"


class AuditChainHead(models.Model):
    """A single row holding the newest hash; locking it serialises appends to the chain.

    ``mac`` is an HMAC-SM3 with the chain key over (``count``, ``last_id``, ``last_hash``)
    (``audit.services.head_mac``): whoever cuts the tail of the log cannot point the head at
    the new last record without the key (issue 12 D2). The never-written head (0, 0, genesis)
    carries no MAC.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    count = models.BigIntegerField(default=0)
    mac = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self) -> str:
        return f"head #{self.last_id}"
