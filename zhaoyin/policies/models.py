"""惠企政策: the policy library (DESIGN 3.7).

A policy's eligibility is a JSON tree (DESIGN 5.1) checked by ``zhaoyin.lib.eligibility``;
the verdicts of every enterprise × policy are computed and stored by the matching app
(``zhaoyin.matching``), which sits above this one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.core.models import StoredFile
from zhaoyin.core.search import search_fold


class PolicyLevel(models.TextChoices):
    """Who issued the policy: 国家 / 省 / 市 / 县."""

    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    CITY = "city", _("City")
    COUNTY = "county", _("County")


class PolicyCategory(models.TextChoices):
    """What a policy gives (资金 / 税收 / 人才 / 用地 / 金融 / 其他)."""

    FUNDS = "funds", _("Funds and awards")
    TAX = "tax", _("Tax")
    TALENT = "talent", _("Talent")
    LAND = "land", _("Land")
    FINANCE = "finance", _("Finance")
    OTHER = "other", _("Other")


class PolicyStatus(models.TextChoices):
    """The life of a policy; the transitions are ``policies.flow.TABLE``."""

    DRAFT = "draft", _("Draft")
    IN_FORCE = "in_force", _("In force")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Delivery(models.TextChoices):
    """How an enterprise gets the benefit: 免申即享 (no application), 快申快享 or an application."""

    NO_APPLICATION = "no_application", _("No application needed")
    QUICK_APPLICATION = "quick_application", _("Quick application")
    APPLICATION = "application", _("Application")


class BenefitType(models.TextChoices):
    """What the beneficiary gets (issue 15 item 6): money paid out (兑现资金), or a tax incentive
    enjoyed at filing (减免, 加计扣除), recorded in the ledger as a 享受 record, never as cash."""

    CASH = "cash", _("Cash payment")
    TAX_REDUCTION = "tax_reduction", _("Tax reduction or exemption")
    SUPER_DEDUCTION = "super_deduction", _("Super deduction")


#: Benefit types enjoyed rather than paid: their ledger entries are 享受 records (``kind``
#: ``enjoyed``), kept out of the cash totals (兑现金额).
ENJOYED_BENEFITS: frozenset[str] = frozenset({BenefitType.TAX_REDUCTION.value, BenefitType.SUPER_DEDUCTION.value})


class Beneficiary(models.TextChoices):
    """Whom a policy serves (受益对象): enterprises (惠企政策) or persons (人才政策, issue 13).

    It decides the vocabulary of the policy's eligibility tree (an enterprise tree or a talent
    tree, ``lib.eligibility`` subjects), who is matched against it (``matching``) and to whom
    its ledger entries are paid (``payouts``).
    """

    ENTERPRISE = "enterprise", _("Enterprises")
    TALENT = "talent", _("Talents")


class Policy(models.Model):
    """A policy of the library (惠企政策) with its machine-readable eligibility tree.

    ``org_unit`` is the unit that keeps the record (the city for national, provincial and city
    policies; a county for its own); writes are scoped by it. ``eligibility`` is the canonical
    JSON of the tree (``lib.eligibility.tree_to_json``), or ``{}`` while a draft has none; it is
    an enterprise tree or a talent tree as ``beneficiary`` says.
    """

    title = models.CharField(_("title"), max_length=200)
    issuer = models.CharField(_("issuer"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=PolicyLevel.choices)
    doc_no = models.CharField(_("document number"), max_length=100, blank=True)
    category = models.CharField(_("category"), max_length=16, choices=PolicyCategory.choices)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="policies"
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT)
    delivery = models.CharField(_("delivery"), max_length=20, choices=Delivery.choices, default=Delivery.APPLICATION)
    beneficiary = models.CharField(
        _("beneficiary"), max_length=12, choices=Beneficiary.choices, default=Beneficiary.ENTERPRISE
    )
    summary = models.TextField(_("summary"), blank=True)
    benefits = models.TextField(_("benefits"))
    max_amount_wan = models.DecimalField(
        _("maximum amount (10k yuan)"), max_digits=14, decimal_places=2, null=True, blank=True,
        help_text=_("The most one beneficiary receives under this policy in one calendar year."),
    )
    benefit_type = models.CharField(
        _("benefit type"), max_length=16, choices=BenefitType.choices, default=BenefitType.CASH
    )
    application_guide = models.TextField(_("application guide"), blank=True)
    apply_deadline = models.CharField(_("application period"), max_length=100, blank=True)
    contact_office = models.CharField(_("contact office"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_address = models.CharField(_("address"), max_length=200, blank=True)
    eligibility = models.JSONField(_("eligibility"), default=dict, blank=True)
    search_text = models.CharField(_("search text"), max_length=600, editable=False, default="")
    matched_at = models.DateTimeField(_("matched at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["-valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="policy_valid_to_after_from",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "valid_from", "id"], name="policy_status_from"),
            models.Index(fields=["org_unit", "status"], name="policy_unit_status"),
            models.Index(fields=["beneficiary", "status"], name="policy_beneficiary_status"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def shows_application_guide(self) -> bool:
        """Whether the policy's pages and documents show its application guide: a 免申即享
        policy never does (nobody applies: the office compares data and the firm confirms)."""
        return self.delivery != Delivery.NO_APPLICATION and bool(self.application_guide)

    def refresh_search_text(self) -> None:
        """Rebuild ``search_text`` (title and its 拼音首字母, issuer, document number, summary)
        after a change."""
        from zhaoyin.lib.pinyin import pinyin_initials

        parts = (self.title, pinyin_initials(self.title), self.issuer, self.doc_no, self.summary[:200])
        self.search_text = search_fold(" ".join(p for p in parts if p))[:600]


class PolicyFile(StoredFile):
    """An attachment of a policy (the original document, forms), stored by zhaoyin.core.files
    under a random name and served only through a scoped, audited view."""

    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="files")

    class Meta:
        verbose_name = _("policy file")
        verbose_name_plural = _("policy files")
        ordering = ["policy", "uploaded_at", "id"]
