"""百家企业行: visits of service groups to their enterprises and the demands they raise (DESIGN 3.6).

Who belongs to which group is ``accounts.ServiceGroupMembership``; which group serves an
enterprise is ``Enterprise.service_group``. A demand raised on a visit becomes a matter in
``draft`` with source ``visit`` (``VisitDemand`` links the two).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.core.models import StoredFile
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.matters.models import Matter


class Visit(models.Model):
    """One visit of a service group to an enterprise (走访): when, who, what was found.

    ``group`` is the enterprise's service group at the time of the visit, so coverage per
    group and quarter stays as it was even when the enterprise later moves to another group.
    """

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="visits"
    )
    group = models.ForeignKey(
        OrgUnit, verbose_name=_("service group"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField(_("date of visit"))
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("participants"), related_name="visits", blank=True
    )
    other_participants = models.CharField(_("other participants"), max_length=200, blank=True)
    enterprise_contact = models.CharField(_("enterprise contact"), max_length=100, blank=True)
    notes = models.TextField(_("notes"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["enterprise", "visited_on"], name="visit_enterprise_date"),
            models.Index(fields=["group", "visited_on", "enterprise"], name="visit_group_date"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.visited_on}"


class VisitDemand(models.Model):
    """A demand raised on a visit and the matter it became (一事一单)."""

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="demands")
    matter = models.OneToOneField(
        Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="visit_demand"
    )

    class Meta:
        verbose_name = _("visit demand")
        verbose_name_plural = _("visit demands")
        ordering = ["visit", "id"]

    def __str__(self) -> str:
        return f"{self.visit_id}: {self.matter_id}"


class VisitFile(StoredFile):
    """A photo or document of a visit, stored by zhaoyin.core.files and served through the
    visit's scope, audited."""

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="files")

    class Meta:
        verbose_name = _("visit file")
        verbose_name_plural = _("visit files")
        ordering = ["visit", "uploaded_at", "id"]
