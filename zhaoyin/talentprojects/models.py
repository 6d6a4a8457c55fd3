"""Talent projects (人才项目申报, issue 13 item 6).

A *programme* (人才项目, e.g. the province's 特支计划 or the city's 平台引才奖补) opens
*rounds* (申报批次) with an application window. A talent applies in a round with their
employer (a *talent project*): it is recommended (推荐) by the unit, approved (立项) by the
talent office with an approved amount, and funded (资金) by one or more disbursements, each
recorded with its date and amount in 万元. The states move only along ``flow.TABLE``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhaoyin.accounts.models import OrgUnit


class ProgrammeLevel(models.TextChoices):
    """Who runs a programme (项目层级)."""

    NATIONAL = "national", _("National")  # 国家级
    PROVINCE = "province", _("Provincial")  # 省级
    CITY = "city", _("Municipal")  # 市级


class ProjectState(models.TextChoices):
    """The states of a talent project (the values of ``flow.State``)."""

    APPLIED = "applied", pgettext_lazy("talent project state", "Applied")  # 已申报
    RECOMMENDED = "recommended", pgettext_lazy("talent project state", "Recommended")  # 已推荐
    APPROVED = "approved", pgettext_lazy("talent project state", "Approved")  # 已立项
    FUNDED = "funded", pgettext_lazy("talent project state", "Funded")  # 资金已拨付 (at least one disbursement)
    DECLINED = "declined", pgettext_lazy("talent project state", "Declined")  # 未推荐 / 未立项
    WITHDRAWN = "withdrawn", pgettext_lazy("talent project state", "Withdrawn")  # 已撤回


class Programme(models.Model):
    """A talent programme (人才项目) talents apply to, e.g. 特支计划 or 平台引才奖补;
    ``max_funding_wan`` caps one project's approved amount when set."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=ProgrammeLevel.choices)
    sponsor = models.CharField(_("sponsoring department"), max_length=100, blank=True)
    max_funding_wan = models.DecimalField(
        _("funding cap per project (万元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("talent programme")
        verbose_name_plural = _("talent programmes")
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return self.name


class ProgrammeRound(models.Model):
    """One application round (申报批次) of a programme, open from ``opens_on`` to ``closes_on``."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="rounds"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=100)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("application round")
        verbose_name_plural = _("application rounds")
        ordering = ["-year", "programme__name", "opens_on"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="talentprojects_round_unique"),
            models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")), name="talentprojects_round_window"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.name} {self.name}"


class TalentProject(models.Model):
    """A talent's application in a round (人才项目申报), with the employer it is made with.

    ``org_unit`` is the talent's unit when they applied: unit-scoped staff see and recommend
    the projects of their subtree. ``approved_wan`` is set by 立项, ``funded_wan`` is the sum
    of the disbursements (kept with them in one transaction) and never exceeds it.
    """

    round = models.ForeignKey(
        ProgrammeRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="projects"
    )
    talent = models.ForeignKey(
        "talents.Talent", verbose_name=_("talent"), on_delete=models.PROTECT, related_name="talent_projects"
    )
    employer = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("employer"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="talent_projects",
    )
    #: The employer's name as it was when applying (an institution has no enterprise record).
    employer_name = models.CharField(_("employer name"), max_length=200, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="talent_projects"
    )
    title = models.CharField(_("project title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    requested_wan = models.DecimalField(_("requested (万元)"), max_digits=12, decimal_places=2)
    approved_wan = models.DecimalField(_("approved (万元)"), max_digits=12, decimal_places=2, null=True, blank=True)
    funded_wan = models.DecimalField(_("funded (万元)"), max_digits=12, decimal_places=2, default=Decimal(0))
    state = models.CharField(
        _("state"), max_length=16, choices=ProjectState.choices, default=ProjectState.APPLIED
    )
    applied_on = models.DateField(_("applied on"))
    recommended_on = models.DateField(_("recommended on"), null=True, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    decided_on = models.DateField(_("declined or withdrawn on"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("talent project")
        verbose_name_plural = _("talent projects")
        ordering = ["-applied_on", "-id"]
        indexes = [
            models.Index(fields=["org_unit", "state"], name="talentproject_unit_state"),
            models.Index(fields=["round", "state"], name="talentproject_round_state"),
        ]
        constraints = [
            # A talent applies once per round.
            models.UniqueConstraint(fields=["round", "talent"], name="talentproject_one_per_round"),
            models.CheckConstraint(
                condition=Q(state__in=ProjectState.values), name="talentproject_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(funded_wan=0) | Q(approved_wan__isnull=False, funded_wan__lte=F("approved_wan")),
                name="talentproject_funded_within_approved",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TalentProjectFund(models.Model):
    """One disbursement (资金拨付) to an approved talent project, in 万元."""

    project = models.ForeignKey(
        TalentProject, verbose_name=_("talent project"), on_delete=models.PROTECT, related_name="funds"
    )
    paid_on = models.DateField(_("paid on"))
    amount_wan = models.DecimalField(_("amount (万元)"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_wan__gt=0), name="talentprojectfund_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.amount_wan}"
