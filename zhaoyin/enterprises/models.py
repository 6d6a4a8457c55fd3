"""一企一档: one profile per enterprise, its dictionaries and its yearly figures (DESIGN 3.1)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.core.search import search_fold
from zhaoyin.lib.pinyin import pinyin_initials


class Industry(models.Model):
    """An industry of the dictionary: the six emerging industries plus traditional ones."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    emerging = models.BooleanField(_("emerging industry"), default=False)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("industry")
        verbose_name_plural = _("industries")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Qualification(models.Model):
    """A qualification an enterprise may hold (高新技术企业, 专精特新 …)."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class SizeClass(models.TextChoices):
    """规上 / 规下: above or below the designated size of the statistics bureau."""

    ABOVE = "above", _("Above designated size")
    BELOW = "below", _("Below designated size")


class Enterprise(models.Model):
    """An enterprise profile (一企一档), keyed by its unified social credit code.

    ``search_text`` holds name, its 拼音首字母, USCC, legal representative and address in one
    column so a Chinese substring search is one LIKE over one indexed column.
    """

    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    legal_representative = models.CharField(_("legal representative"), max_length=60, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="enterprises"
    )
    service_group = models.ForeignKey(
        OrgUnit,
        verbose_name=_("service group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="served_enterprises",
        limit_choices_to={"kind": "service_group"},
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    industry = models.ForeignKey(
        Industry, verbose_name=_("industry"), on_delete=models.PROTECT, related_name="enterprises"
    )
    size_class = models.CharField(_("size class"), max_length=8, choices=SizeClass.choices, default=SizeClass.BELOW)
    founded_on = models.DateField(_("founding date"), null=True, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    land_mu = models.DecimalField(_("land area (mu)"), max_digits=12, decimal_places=2, null=True, blank=True)
    qualifications = models.ManyToManyField(
        Qualification, verbose_name=_("qualifications"), blank=True, related_name="enterprises"
    )
    search_text = models.CharField(_("search text"), max_length=500, editable=False, default="", db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["org_unit", "name"], name="enterprise_unit_name"),
            models.Index(fields=["industry", "name"], name="enterprise_industry_name"),
            models.Index(fields=["service_group"], name="enterprise_service_group"),
            # The list's default order and its "latest changes" order, for LIMIT without a sort.
            models.Index(fields=["name", "id"], name="enterprise_name_id"),
            models.Index(fields=["updated_at", "id"], name="enterprise_updated_id"),
            models.Index(fields=["employees", "id"], name="enterprise_employees_id"),
            models.Index(fields=["land_mu", "id"], name="enterprise_land_id"),
            models.Index(fields=["founded_on", "id"], name="enterprise_founded_id"),
        ]

    def __str__(self) -> str:
        return self.name

    def refresh_search_text(self) -> None:
        """Rebuild ``search_text``; call after changing any of the searched fields."""
        self.search_text = enterprise_search_text(self.name, self.uscc, self.legal_representative, self.address)


def enterprise_search_text(name: str, uscc: str, legal_representative: str, address: str) -> str:
    """An enterprise's ``search_text``: name, its 拼音首字母 (lib.pinyin; right after the name, so
    the cut at 500 characters never takes them), USCC, legal representative and address, folded.
    The data migration ``0006_search_text_pinyin`` wrote it for the rows stored before."""
    parts = (name, pinyin_initials(name), uscc, legal_representative, address)
    return search_fold(" ".join(p for p in parts if p))[:500]


class FigureSource(models.TextChoices):
    """Where a year's figures come from."""

    STATISTICS = "statistics", _("Statistics bureau")
    TAX = "tax", _("Tax bureau")
    POWER = "power", _("Power supply company")
    SELF_REPORTED = "self_reported", _("Self-reported")
    OTHER = "other", _("Other")


class EnterpriseFigure(models.Model):
    """An enterprise's figures for one year (revenue, tax, output … in 万元 as Decimal)."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="figures"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    revenue_wan = models.DecimalField(_("revenue (10k yuan)"), max_digits=16, decimal_places=2, null=True, blank=True)
    tax_wan = models.DecimalField(_("tax (10k yuan)"), max_digits=16, decimal_places=2, null=True, blank=True)
    output_wan = models.DecimalField(
        _("industrial output (10k yuan)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    value_added_wan = models.DecimalField(
        _("value added (10k yuan)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    energy_tce = models.DecimalField(_("energy use (tce)"), max_digits=16, decimal_places=2, null=True, blank=True)
    emissions_t = models.DecimalField(_("emissions (t)"), max_digits=16, decimal_places=2, null=True, blank=True)
    rd_wan = models.DecimalField(_("R&D spend (10k yuan)"), max_digits=16, decimal_places=2, null=True, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    electricity_kwh = models.DecimalField(
        _("electricity (kWh)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    source = models.CharField(
        _("data source"), max_length=16, choices=FigureSource.choices, default=FigureSource.SELF_REPORTED
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("enterprise yearly figures")
        verbose_name_plural = _("enterprise yearly figures")
        ordering = ["enterprise", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="enterprise_figure_unique_year"),
            models.CheckConstraint(
                condition=Q(year__gte=1949) & Q(year__lte=2100), name="enterprise_figure_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}/{self.year}"


class GradeKind(models.TextChoices):
    """Which evaluation a grade comes from (a kind, so another yearly grading can join later)."""

    MU = "mu", _("Land-efficiency grade")  # 亩均效益评价等级


GRADES = ("A", "B", "C", "D")


class EnterpriseGrade(models.Model):
    """An enterprise's grade of one year in an evaluation (亩均论英雄 A–D), as the evaluation
    published it. The eligibility engine reads the latest year's as ``mu_grade``; the grades
    reach this app from the evaluation above it through ``services.enterprise_grades_replace``,
    so the policy apps never import the evaluation."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="grades"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=8, choices=GradeKind.choices, default=GradeKind.MU)
    grade = models.CharField(_("grade"), max_length=1, choices=[(g, g) for g in GRADES])
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("enterprise grade")
        verbose_name_plural = _("enterprise grades")
        ordering = ["enterprise", "kind", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "enterprise"], name="enterprise_grade_once"),
            models.CheckConstraint(condition=Q(grade__in=GRADES), name="enterprise_grade_valid"),
        ]
        indexes = [models.Index(fields=["enterprise", "kind", "year"], name="enterprise_grade_latest")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.kind} {self.year} {self.grade}"
