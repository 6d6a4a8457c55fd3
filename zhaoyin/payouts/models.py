"""政策兑现: the payout ledger (DESIGN 3.7), an enterprise × policy × period granted once.

The model moved here from the policies app; its table keeps the name ``policies_payout``
(``Meta.db_table``) and its audit records the object type ``policies.payout``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.policies.models import Policy

#: The object type of the ledger's audit records and notices: the model's label from before it
#: left the policies app, kept so that earlier records and later ones read as one history.
OBJECT_TYPE = "policies.payout"


class PayoutStatus(models.TextChoices):
    """An entry of the payout ledger; transitions in ``payouts.services.PAYOUT_TABLE``."""

    PENDING = "pending", _("Pending approval")
    APPROVED = "approved", pgettext_lazy("payout", "Approved")
    REJECTED = "rejected", pgettext_lazy("payout", "Rejected")


class Payout(models.Model):
    """One benefit granted (兑现): an enterprise × policy × period, never twice.

    ``period`` is ``YYYY``, ``YYYY-Qn`` or ``YYYY-MM``; the unique constraint is the guarantee
    that a benefit is not paid twice for a period, whatever the code path. ``org_unit`` and
    ``industry`` are the enterprise's at registration, so totals stay as they were reported.
    """

    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="payouts")
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="payouts"
    )
    period = models.CharField(_("period"), max_length=7)
    amount_wan = models.DecimalField(_("amount (10k yuan)"), max_digits=14, decimal_places=2)
    status = models.CharField(_("status"), max_length=10, choices=PayoutStatus.choices, default=PayoutStatus.PENDING)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="payouts"
    )
    industry = models.ForeignKey(
        "enterprises.Industry", verbose_name=_("industry"), on_delete=models.PROTECT, related_name="payouts"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), null=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        # The table kept its name when the ledger left the policies app (state-only move).
        db_table = "policies_payout"
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["-registered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "policy", "period"], name="payout_once_per_period"),
            models.CheckConstraint(condition=Q(amount_wan__gt=0), name="payout_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["policy", "status"], name="payout_policy_status"),
            models.Index(fields=["org_unit", "status"], name="payout_unit_status"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}/{self.policy_id}/{self.period}"
