"""目标考核: yearly targets per indicator and org unit, with optional monthly plans (DESIGN 3.3)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.models import OrgUnit


class Target(models.Model):
    """The annual target of one org unit for one indicator, in the indicator's unit of measure
    (亿元 for ``external_funds``, a count of projects for the others). Set by the city admin."""

    year = models.PositiveSmallIntegerField(_("year"))
    indicator = models.CharField(_("indicator"), max_length=32)
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="targets")
    value = models.DecimalField(_("annual target"), max_digits=16, decimal_places=2)
    unit = models.CharField(_("unit of measure"), max_length=16, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["year", "indicator", "org_unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["year", "indicator", "org_unit"], name="target_one_per_unit"),
            models.CheckConstraint(condition=Q(value__gt=0), name="target_value_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.indicator} {self.org_unit_id}: {self.value}"

    @property
    def indicator_label(self) -> str:
        """The indicator's name ("引进市外资金"); pages show it, never the code (issue 16)."""
        from zhaoyin.targets.indicators import REGISTRY  # the registry reads other apps' models

        found = REGISTRY.get(self.indicator)
        return str(found.label) if found is not None else self.indicator


class TargetMonthPlan(models.Model):
    """The planned cumulative value of a target at the end of one month (the 序时 plan)."""

    target = models.ForeignKey(Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="month_plans")
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    cumulative = models.DecimalField(_("planned cumulative value"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("monthly plan")
        verbose_name_plural = _("monthly plans")
        ordering = ["target", "month"]
        constraints = [
            models.UniqueConstraint(fields=["target", "month"], name="target_plan_one_per_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="target_plan_month_range"),
            models.CheckConstraint(condition=Q(cumulative__gte=0), name="target_plan_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.target_id} M{self.month}: {self.cumulative}"
