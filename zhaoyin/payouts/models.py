"""政策兑现: the payout ledger (DESIGN 3.7), an enterprise × policy × period granted once; and
since issue 13 a person's subsidy (人才补贴): a talent × talent policy × period, granted once,
scheduled in instalments (``SubsidySchedule``), publicly noticed (公示) before it is paid (拨付).

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
from zhaoyin.core.models import StoredFile
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.policies.models import Policy
from zhaoyin.talents.models import Talent

#: The object type of the ledger's audit records and notices: the model's label from before it
#: left the policies app, kept so that earlier records and later ones read as one history.
OBJECT_TYPE = "policies.payout"


class PayoutStatus(models.TextChoices):
    """An entry of the payout ledger; transitions in ``payouts.services.PAYOUT_TABLE`` (an
    enterprise's) and ``payouts.talent_services.TALENT_PAYOUT_TABLE`` (a talent's, which adds
    the scheduled, noticed, paid and stopped states)."""

    DUE = "due", pgettext_lazy("payout", "Scheduled")
    PENDING = "pending", _("Pending approval")
    APPROVED = "approved", pgettext_lazy("payout", "Approved")
    REJECTED = "rejected", pgettext_lazy("payout", "Rejected")
    PUBLICIZED = "publicized", pgettext_lazy("payout", "In public notice")
    PAID = "paid", pgettext_lazy("payout", "Paid")
    STOPPED = "stopped", pgettext_lazy("payout", "Stopped")
    # Issue 15: a 免申即享 entry the office matched, awaiting the firm's 意愿确认; the firm's
    # confirmation that the money arrived (已到账); an entry withdrawn (撤销).
    MATCHED = "matched", pgettext_lazy("payout", "Awaiting the firm's confirmation")
    RECEIVED = "received", pgettext_lazy("payout", "Received")
    REVOKED = "revoked", pgettext_lazy("payout", "Revoked")


class PayoutKind(models.TextChoices):
    """A ledger entry's kind (issue 15): money paid out (兑现), or a tax incentive enjoyed (享受:
    减免, 加计扣除) — the latter never counts in the cash totals and is never 公示 or 拨付."""

    CASH = "cash", pgettext_lazy("payout kind", "Cash")
    ENJOYED = "enjoyed", pgettext_lazy("payout kind", "Benefit enjoyed")


#: Granted money (the totals' "approved"): an entry approved, and a talent's entry that moved on
#: to its 公示 or was paid (issue 13) — it stays granted on its way to the bank.
GRANTED: tuple[str, ...] = (
    PayoutStatus.APPROVED.value, PayoutStatus.PUBLICIZED.value, PayoutStatus.PAID.value, PayoutStatus.RECEIVED.value
)
#: Money that left the treasury (拨付): paid, and confirmed received (issue 15).
PAID_STATES: tuple[str, ...] = (PayoutStatus.PAID.value, PayoutStatus.RECEIVED.value)
#: An entry that no longer holds its period nor counts against the cap: withdrawn (撤销) or
#: stopped. A rejected entry still holds it: it is resubmitted, not registered again.
RELEASED: tuple[str, ...] = (PayoutStatus.REVOKED.value, PayoutStatus.STOPPED.value)


class Payout(models.Model):
    """One benefit granted (兑现): an enterprise × policy × period, or a talent × talent policy ×
    period (issue 13), never twice.

    Exactly one of ``enterprise`` and ``talent`` is set (a check constraint). ``period`` is
    ``YYYY``, ``YYYY-Qn`` or ``YYYY-MM``; the unique constraints are the guarantee that a
    benefit is not paid twice for a period, whatever the code path. ``org_unit`` and
    ``industry`` are the beneficiary's at registration, so totals stay as they were reported
    (a talent may have no industry). Issue 15: ``kind`` says cash or a tax incentive enjoyed;
    ``review_unit`` (审核: the policy's issuing department) and ``payment_unit`` (拨付: 财政) are
    resolved at registration from ``PolicyApprovers`` or the defaults (``payouts.approvers``);
    ``flagged`` marks an entry registered against the matcher's verdict or outside the policy's
    validity, with ``flag_note`` saying why and ``override_reason`` the registrar's
    justification — it needs two approvals (``first_approved_by`` the first); ``paid_on`` and
    ``voucher_no`` record the 拨付, ``received_at`` the 已到账, ``confirmed_at`` a 免申即享
    firm's 意愿确认. ``instalment`` numbers a scheduled entry (1 … N of its
    policy's ``SubsidySchedule``); ``publicity_ends`` is the last working day of its 公示 and
    ``paid_at`` when it was paid (拨付).
    """

    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="payouts")
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="payouts", null=True,
        blank=True,
    )
    talent = models.ForeignKey(
        Talent, verbose_name=_("talent"), on_delete=models.PROTECT, related_name="payouts", null=True, blank=True
    )
    period = models.CharField(_("period"), max_length=7)
    amount_wan = models.DecimalField(_("amount (10k yuan)"), max_digits=14, decimal_places=2)
    status = models.CharField(_("status"), max_length=10, choices=PayoutStatus.choices, default=PayoutStatus.PENDING)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="payouts"
    )
    industry = models.ForeignKey(
        "enterprises.Industry", verbose_name=_("industry"), on_delete=models.PROTECT, related_name="payouts",
        null=True, blank=True,
    )
    instalment = models.PositiveSmallIntegerField(_("instalment"), null=True, blank=True)
    publicity_ends = models.DateField(_("public notice ends"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
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
    # ---- issue 15: payouts that cannot be gamed ----
    kind = models.CharField(_("kind"), max_length=8, choices=PayoutKind.choices, default=PayoutKind.CASH)
    review_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("reviewing unit"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    payment_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("paying unit"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    flagged = models.BooleanField(_("flagged"), default=False)
    flag_note = models.CharField(_("why flagged"), max_length=500, blank=True)
    override_reason = models.CharField(_("override reason"), max_length=500, blank=True)
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("first approver"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    first_approved_at = models.DateTimeField(_("first approved at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed by the firm at"), null=True, blank=True)
    paid_on = models.DateField(_("payment date"), null=True, blank=True)
    voucher_no = models.CharField(_("voucher number"), max_length=40, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)

    class Meta:
        # The table kept its name when the ledger left the policies app (state-only move).
        db_table = "policies_payout"
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["-registered_at", "-id"]
        constraints = [
            # A revoked entry gives its period back (issue 15): it may be registered again.
            models.UniqueConstraint(
                fields=["enterprise", "policy", "period"], name="payout_once_per_period",
                condition=Q(enterprise__isnull=False) & ~Q(status="revoked"),
            ),
            models.UniqueConstraint(
                fields=["talent", "policy", "period"], name="talent_payout_once_per_period",
                condition=Q(talent__isnull=False),
            ),
            models.CheckConstraint(
                condition=Q(enterprise__isnull=False, talent__isnull=True)
                | Q(enterprise__isnull=True, talent__isnull=False),
                name="payout_one_beneficiary",
            ),
            models.CheckConstraint(condition=Q(amount_wan__gt=0), name="payout_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["policy", "status"], name="payout_policy_status"),
            models.Index(fields=["org_unit", "status"], name="payout_unit_status"),
            models.Index(fields=["talent", "status"], name="payout_talent_status"),
            models.Index(fields=["enterprise", "policy"], name="payout_enterprise_policy"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id or 't' + str(self.talent_id)}/{self.policy_id}/{self.period}"

    @property
    def beneficiary_name(self) -> str:
        """The enterprise's or the talent's name (lists and notices)."""
        if self.enterprise_id is not None and self.enterprise is not None:
            return self.enterprise.name
        return self.talent.name if self.talent_id is not None and self.talent is not None else ""

    @property
    def scope_path(self) -> str:
        """The unit path scope rules read: the enterprise's unit, or the talent's."""
        if self.enterprise_id is not None and self.enterprise is not None:
            return self.enterprise.org_unit.path
        return self.talent.org_unit.path if self.talent is not None else ""


class PolicyApprovers(models.Model):
    """Who approves a policy's payouts (issue 15, roles as data): ``review_unit`` decides 审核 (and
    starts the 公示), ``payment_unit`` records the 拨付. A policy without a row uses the defaults
    (``payouts.approvers``): its keeping unit reviews, the finance bureau (the unit whose code is
    ``ZHAOYIN_PAYOUTS["FINANCE_UNIT"]``) pays. The unit administrators of each act for it.
    """

    policy = models.OneToOneField(
        Policy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="payout_approvers"
    )
    review_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("reviewing unit"), on_delete=models.PROTECT, related_name="+"
    )
    payment_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("paying unit"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("payout approvers")
        verbose_name_plural = _("payout approvers")

    def __str__(self) -> str:
        return f"{self.policy_id}: {self.review_unit_id}/{self.payment_unit_id}"


class ScheduleFrequency(models.TextChoices):
    """How often a scheduled subsidy falls due."""

    MONTHLY = "monthly", _("Monthly")
    YEARLY = "yearly", _("Yearly")


class SubsidySchedule(models.Model):
    """How a talent policy pays (发放计划, issue 13): ``instalments`` entries of ``amount_wan``
    each, monthly (博士生活补贴: 36 months) or yearly (安家补贴: 3 instalments), each noticed
    publicly for ``publicity_days`` working days before it is paid.

    Starting the schedule for an eligible talent writes every instalment into the ledger as a
    ``due`` entry (``talent_services.talent_schedule_start``); a departure stops the ones not
    yet approved for periods after it.
    """

    policy = models.OneToOneField(
        Policy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="subsidy_schedule"
    )
    frequency = models.CharField(_("frequency"), max_length=10, choices=ScheduleFrequency.choices)
    instalments = models.PositiveSmallIntegerField(_("instalments"))
    amount_wan = models.DecimalField(_("amount per instalment (10k yuan)"), max_digits=14, decimal_places=2)
    publicity_days = models.PositiveSmallIntegerField(_("public notice (working days)"), default=5)

    class Meta:
        verbose_name = _("subsidy schedule")
        verbose_name_plural = _("subsidy schedules")
        constraints = [
            models.CheckConstraint(condition=Q(amount_wan__gt=0), name="schedule_amount_positive"),
            models.CheckConstraint(
                condition=Q(instalments__gte=1, instalments__lte=120), name="schedule_instalments_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id}: {self.instalments} × {self.amount_wan} ({self.frequency})"


# ---- 人才补贴申请: a talent's application for a scheduled subsidy (issue 13 item 9) ----------------

#: The object type of a subsidy application's audit records and notices.
APPLICATION_TYPE = "payouts.subsidyapplication"
#: Where the applications' documents are stored (``core.files``: DATA_DIR/subsidy_application_files).
APPLICATION_FILE_AREA = "subsidy_application_files"


class SubsidyApplicationState(models.TextChoices):
    """A subsidy application's state; transitions in ``payouts.applications.APPLICATION_TABLE``."""

    SUBMITTED = "submitted", pgettext_lazy("subsidy application", "Submitted")  # 已申请
    RETURNED = "returned", pgettext_lazy("subsidy application", "Returned")  # 退回补正
    ACCEPTED = "accepted", pgettext_lazy("subsidy application", "Accepted")  # 已受理 (the schedule started)
    REJECTED = "rejected", pgettext_lazy("subsidy application", "Rejected")  # 不予受理
    WITHDRAWN = "withdrawn", pgettext_lazy("subsidy application", "Withdrawn")  # 已撤回


#: An application still open: a talent has at most one per policy (a partial unique constraint).
OPEN_APPLICATION_STATES = (SubsidyApplicationState.SUBMITTED.value, SubsidyApplicationState.RETURNED.value)


class SubsidyApplication(models.Model):
    """A talent's application for a talent policy's scheduled subsidy (补贴申请).

    The talent applies (or staff on their behalf) with a statement and documents; a reviewer
    accepts it — which starts the policy's ``SubsidySchedule`` for the talent in the same
    transaction (``talent_services.talent_schedule_start``, the only writer of schedules) from
    ``first_period`` —, returns it for more documents, or rejects it. ``verdict`` is what the
    policy's tree said when the talent applied (``eligible`` or ``possible``). ``staff_note`` is
    internal (never shown to the talent); ``reason`` is what the talent is told on a return or
    a rejection.
    """

    talent = models.ForeignKey(
        Talent, verbose_name=_("talent"), on_delete=models.PROTECT, related_name="subsidy_applications"
    )
    policy = models.ForeignKey(
        Policy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="subsidy_applications"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=SubsidyApplicationState.choices, default=SubsidyApplicationState.SUBMITTED
    )
    statement = models.TextField(_("statement"), blank=True)
    verdict = models.CharField(_("verdict when applying"), max_length=12, blank=True)
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applied by"), null=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    staff_note = models.CharField(_("internal note"), max_length=500, blank=True)
    reason = models.CharField(_("reason given"), max_length=500, blank=True)
    first_period = models.CharField(_("first period"), max_length=7, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("subsidy application")
        verbose_name_plural = _("subsidy applications")
        ordering = ["-applied_at", "-id"]
        constraints = [
            # One open application per talent and policy (a second one is refused with a 409).
            models.UniqueConstraint(
                fields=["talent", "policy"], condition=Q(state__in=["submitted", "returned"]),
                name="subsidy_application_one_open",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "applied_at", "id"], name="subsidy_app_state"),
            models.Index(fields=["talent", "state"], name="subsidy_app_talent"),
        ]

    def __str__(self) -> str:
        return f"{self.talent_id}/{self.policy_id}/{self.pk}"


class SubsidyApplicationFile(StoredFile):
    """A document attached to a subsidy application (学历证明, 劳动合同 …), stored by ``core.files``."""

    application = models.ForeignKey(
        SubsidyApplication, verbose_name=_("application"), on_delete=models.CASCADE, related_name="files"
    )

    class Meta:
        verbose_name = _("subsidy application document")
        verbose_name_plural = _("subsidy application documents")
        ordering = ["uploaded_at", "id"]
