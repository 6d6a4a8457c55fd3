"""人才认定: the tier rules (认定标准) as versioned data, and the recognition applications.

A ``TierRuleSet`` is one year's standard in one version: a draft is edited, activating it
retires the year's active one (a year has at most one active set: a database constraint), and
a retired set is kept as it was — every application records the set it was judged by. Each
``TierRule`` is an eligibility tree over a talent's fields (``lib.eligibility``, the talent
subject); a talent's tier is the highest (A best) whose tree it meets.

A ``Recognition`` is one application: its state follows ``recognition.flow.RECOGNITION_TABLE``;
the suggested tier and its reasons are stored as judged when the application was made (or
resubmitted). Objections received during the publicity are ``RecognitionObjection`` rows, the
applicant's documents ``RecognitionFile`` rows (stored by ``core.files``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.core.models import StoredFile
from zhaoyin.recognition.flow import OPEN_STATES, STATES, State
from zhaoyin.talents.models import Talent, Tier

#: Where the applicants' documents are stored (``core.files``: DATA_DIR/recognition_files).
FILE_AREA = "recognition_files"
#: The publicity's default length in working days, and the default years a recognition lasts.
DEFAULT_PUBLICITY_DAYS = 5
DEFAULT_VALID_YEARS = 3


class RuleSetStatus(models.TextChoices):
    """A tier rule set's life: edited as a draft, active (the year's standard), retired."""

    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class TierRuleSet(models.Model):
    """One year's tier standard (认定标准) in one version, with its publicity length in working
    days and the years a recognition made under it stays valid."""

    year = models.PositiveIntegerField(_("year"))
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=16, choices=RuleSetStatus.choices, default=RuleSetStatus.DRAFT)
    note = models.CharField(_("note"), max_length=500, blank=True)
    publicity_days = models.PositiveSmallIntegerField(_("publicity (working days)"), default=DEFAULT_PUBLICITY_DAYS)
    valid_years = models.PositiveSmallIntegerField(_("valid for (years)"), default=DEFAULT_VALID_YEARS)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    #: Compare-and-set counter of edits (a PATCH or an activation with an older one → 409).
    version = models.PositiveIntegerField(_("revision"), default=1)

    class Meta:
        verbose_name = _("tier rule set")
        verbose_name_plural = _("tier rule sets")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="tier_rule_set_year_number"),
            models.UniqueConstraint(
                fields=["year"], condition=Q(status="active"), name="tier_rule_set_one_active_per_year"
            ),
            models.CheckConstraint(condition=Q(publicity_days__gte=1), name="tier_rule_set_publicity_days"),
            models.CheckConstraint(condition=Q(valid_years__gte=1), name="tier_rule_set_valid_years"),
        ]

    def __str__(self) -> str:
        return f"{self.year} v{self.number}"


class TierRule(models.Model):
    """The condition of one tier in a rule set: an eligibility tree over a talent's fields."""

    rule_set = models.ForeignKey(TierRuleSet, verbose_name=_("tier rule set"), on_delete=models.CASCADE,
                                 related_name="rules")
    tier = models.CharField(_("tier"), max_length=1, choices=Tier.choices)
    label = models.CharField(_("label"), max_length=200, blank=True)
    tree = models.JSONField(_("conditions"))

    class Meta:
        verbose_name = _("tier rule")
        verbose_name_plural = _("tier rules")
        ordering = ["rule_set", "tier"]
        constraints = [models.UniqueConstraint(fields=["rule_set", "tier"], name="tier_rule_once_per_set")]

    def __str__(self) -> str:
        return f"{self.rule_set} {self.tier}"


class Recognition(models.Model):
    """One recognition application (人才认定申请) of a talent, judged by one rule set.

    ``suggested_tier`` and ``suggestion`` (each tier's verdict and reasons, in words) are what
    the rules said when the application was made; ``tier`` is the tier the second review put
    to publicity and the recognition grants. The review notes and reviewers are internal: the
    talent's portal never shows them.
    """

    talent = models.ForeignKey(Talent, verbose_name=_("talent"), on_delete=models.PROTECT, related_name="recognitions")
    rule_set = models.ForeignKey(TierRuleSet, verbose_name=_("tier rule set"), on_delete=models.PROTECT,
                                 related_name="recognitions")
    state = models.CharField(_("state"), max_length=20, choices=STATES, default=State.FIRST_REVIEW.value)
    claimed_tier = models.CharField(_("claimed tier"), max_length=1, choices=Tier.choices)
    suggested_tier = models.CharField(_("suggested tier"), max_length=1, choices=Tier.choices, blank=True)
    suggestion = models.JSONField(_("rule verdicts"), default=dict)
    tier = models.CharField(_("tier"), max_length=1, choices=Tier.choices, blank=True)
    statement = models.CharField(_("statement"), max_length=1000, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applied by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    # 初审
    first_note = models.CharField(_("first review note"), max_length=1000, blank=True)
    first_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("first reviewer"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    first_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("first review unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    first_at = models.DateTimeField(_("first reviewed at"), null=True, blank=True)
    # 复审
    second_note = models.CharField(_("second review note"), max_length=1000, blank=True)
    second_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("second reviewer"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    second_at = models.DateTimeField(_("second reviewed at"), null=True, blank=True)
    # 公示
    publicity_start = models.DateField(_("publicity start"), null=True, blank=True)
    publicity_end = models.DateField(_("publicity end"), null=True, blank=True)
    # 认定 / 不予认定 / 退回 / 撤回
    return_reason = models.CharField(_("return reason"), max_length=1000, blank=True)
    refusal_reason = models.CharField(_("refusal reason"), max_length=1000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    certificate_no = models.CharField(_("certificate number"), max_length=20, null=True, blank=True, unique=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")
        ordering = ["-applied_at", "-id"]
        indexes = [
            models.Index(fields=["state", "applied_at"], name="recognition_state_applied"),
            models.Index(fields=["talent", "applied_at"], name="recognition_talent_applied"),
            models.Index(fields=["publicity_end"], name="recognition_publicity_end"),
        ]
        constraints = [
            # A talent has at most one application under way.
            models.UniqueConstraint(
                fields=["talent"], condition=Q(state__in=sorted(s.value for s in OPEN_STATES)),
                name="recognition_one_open_per_talent",
            ),
            models.CheckConstraint(
                condition=~Q(state="recognized") | Q(certificate_no__isnull=False, valid_until__isnull=False),
                name="recognition_recognized_has_certificate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.talent.name} · {self.get_claimed_tier_display()}"


class RecognitionObjection(models.Model):
    """An objection (异议) received during the publicity, and the office's answer to it."""

    recognition = models.ForeignKey(Recognition, verbose_name=_("recognition"), on_delete=models.CASCADE,
                                    related_name="objections")
    text = models.CharField(_("objection"), max_length=1000)
    received_on = models.DateField(_("received on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    answer = models.CharField(_("answer"), max_length=1000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["recognition", "received_on", "id"]

    def __str__(self) -> str:
        return self.text[:50]

    @property
    def is_open(self) -> bool:
        return not self.answered_at


class RecognitionFile(StoredFile):
    """A document the applicant uploaded with the application (degree, title certificate …)."""

    recognition = models.ForeignKey(Recognition, verbose_name=_("recognition"), on_delete=models.CASCADE,
                                    related_name="files")

    class Meta:
        verbose_name = _("recognition document")
        verbose_name_plural = _("recognition documents")
        ordering = ["recognition", "uploaded_at", "id"]
