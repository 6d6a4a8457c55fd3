"""招商项目册: reserved projects the city pitches, and the editions that publish them (DESIGN 3.4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.enterprises.models import Industry


class CooperationMode(models.TextChoices):
    """合作方式 offered to an investor (domain-practice 1.6)."""

    SOLE = "sole", _("Sole proprietorship (独资)")
    JOINT = "joint", _("Joint venture (合资)")
    PPP = "ppp", _("PPP")
    FUND = "fund", _("Fund investment (基金)")
    OPEN = "open", _("Open to discussion (面议)")


class ItemStatus(models.TextChoices):
    """Whether an item may still be selected for a new edition."""

    ACTIVE = "active", _("Active")
    ARCHIVED = "archived", _("Archived")


class CatalogItem(models.Model):
    """One reserved project of the catalog: what the city offers an investor.

    City-wide promotion material: not scoped by org unit, every government role reads it.
    The contact phone is personal data: lists and exports mask it (see docs/catalog.md).
    """

    name = models.CharField(_("project name"), max_length=200)
    industry = models.ForeignKey(
        Industry, verbose_name=_("industry"), on_delete=models.PROTECT, related_name="catalog_items"
    )
    park = models.ForeignKey(OrgUnit, verbose_name=_("park"), on_delete=models.PROTECT, related_name="catalog_items")
    land_mu = models.DecimalField(_("land (mu)"), max_digits=12, decimal_places=2, null=True, blank=True)
    investment_estimate_wan = models.DecimalField(_("estimated investment (10k yuan)"), max_digits=16, decimal_places=2)
    construction_content = models.TextField(_("construction content"), blank=True)
    market_analysis = models.TextField(_("market analysis"), blank=True)
    benefit_analysis = models.TextField(_("benefit analysis"), blank=True)
    cooperation_mode = models.CharField(
        _("cooperation mode"), max_length=8, choices=CooperationMode.choices, default=CooperationMode.OPEN
    )
    contact_unit = models.CharField(_("contact unit"), max_length=100, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=ItemStatus.choices, default=ItemStatus.ACTIVE)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("catalog item")
        verbose_name_plural = _("catalog items")
        ordering = ["industry__sort_order", "name", "id"]
        indexes = [models.Index(fields=["industry", "name"], name="catalog_item_industry_name")]

    def __str__(self) -> str:
        return self.name


class EditionStatus(models.TextChoices):
    """draft → published → withdrawn (the transitions are ``catalog.flow.TABLE``)."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CatalogEdition(models.Model):
    """An edition of the catalog (e.g. 2026年招商项目册): an ordered selection of items.

    Once published it is frozen: its items cannot change, a new edition is made instead.
    """

    title = models.CharField(_("title"), max_length=100)
    year = models.PositiveIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=10, choices=EditionStatus.choices, default=EditionStatus.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    items = models.ManyToManyField(
        CatalogItem, through="CatalogEditionItem", verbose_name=_("items"), related_name="editions"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("catalog edition")
        verbose_name_plural = _("catalog editions")
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.title


class CatalogEditionItem(models.Model):
    """An item's place in an edition."""

    edition = models.ForeignKey(CatalogEdition, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="entries")
    sort_order = models.PositiveIntegerField(_("sort order"))

    class Meta:
        verbose_name = _("edition item")
        verbose_name_plural = _("edition items")
        ordering = ["edition", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "item"], name="catalog_edition_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.sort_order}. {self.item_id}"
