"""人才公寓: buildings and units, applications and the waitlist, tenancies (DESIGN 3.8, issue 13).

Two guarantees are the database's, whatever the code path: a unit never has two active
tenancies and a talent never holds two (partial unique indexes on ``Tenancy`` where
``state = 'active'``), and a contract ends after it starts (a check constraint). The services
check first to give a clear 409 / 422 and turn a lost race into the same answer.

Two rules are data, not code: the waitlist's order (``WaitlistRule``: tier rank, then the
time of application; a talent without a recognized tier after every ranked one) and the rent
reduction per tier (``RentReduction``). Both are seeded by migration 0002.
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
from zhaoyin.core.models import StoredFile
from zhaoyin.talents.models import Talent

#: The object types of the audit records and notices.
BUILDING_TYPE = "apartments.building"
UNIT_TYPE = "apartments.unit"
APPLICATION_TYPE = "apartments.application"
TENANCY_TYPE = "apartments.tenancy"


class Layout(models.TextChoices):
    """A unit's layout (户型)."""

    ONE_BED = "one_bed", _("One bedroom, one living room")  # 一室一厅
    TWO_BED = "two_bed", _("Two bedrooms, one living room")  # 两室一厅
    THREE_BED = "three_bed", _("Three bedrooms, one living room")  # 三室一厅


class UnitState(models.TextChoices):
    """A unit's state: free to allocate, allocated awaiting its contract, let, or out of use."""

    AVAILABLE = "available", _("Available")  # 空置可分配
    RESERVED = "reserved", _("Reserved")  # 已分配待签约
    OCCUPIED = "occupied", _("Occupied")  # 已入住
    MAINTENANCE = "maintenance", _("Under maintenance")  # 维修中


class ApplicationState(models.TextChoices):
    """An application's state; transitions in ``apartments.flow.APPLICATION_TABLE``."""

    SUBMITTED = "submitted", pgettext_lazy("apartment application", "Submitted")  # 已申请
    WAITLISTED = "waitlisted", _("On the waitlist")  # 候补
    REJECTED = "rejected", pgettext_lazy("apartment application", "Rejected")  # 不予通过
    ALLOCATED = "allocated", _("Allocated")  # 已配房
    CONTRACTED = "contracted", _("Contracted")  # 已签约
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 已撤回
    ENDED = "ended", _("Moved out")  # 已退租


#: An application still on its way to a unit (a talent has at most one).
OPEN_APPLICATION_STATES = (ApplicationState.SUBMITTED, ApplicationState.WAITLISTED, ApplicationState.ALLOCATED)


class TenancyState(models.TextChoices):
    """A tenancy's state; transitions in ``apartments.flow.TENANCY_TABLE``."""

    ACTIVE = "active", _("Active")  # 在租
    ENDED = "ended", _("Ended")  # 已退租


class EndReason(models.TextChoices):
    """Why a tenancy ended (退租原因)."""

    DEPARTURE = "departure", _("Left the city")  # 离开本市
    HOME_PURCHASE = "home_purchase", _("Bought a home")  # 购房
    CONTRACT_END = "contract_end", _("Contract ended")  # 合同到期
    OTHER = "other", _("Other")


class Building(models.Model):
    """A talent apartment building (人才公寓楼): where it is, the unit (county, park or
    department such as 住建局) whose staff manage its units, and the operator company."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    address = models.CharField(_("address"), max_length=200)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="apartment_buildings"
    )
    operator = models.CharField(_("operator"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("apartment building")
        verbose_name_plural = _("apartment buildings")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["org_unit", "name"], name="apt_building_unit")]

    def __str__(self) -> str:
        return self.name


class ApartmentUnit(models.Model):
    """One apartment (房源): its number in the building, layout, area in m², monthly rent in
    yuan and state. ``state`` follows the tenancies: ``reserved`` from allocation to contract,
    ``occupied`` while a tenancy is active, ``maintenance`` set by the building's staff."""

    building = models.ForeignKey(Building, verbose_name=_("building"), on_delete=models.PROTECT, related_name="units")
    number = models.CharField(_("unit number"), max_length=20)
    layout = models.CharField(_("layout"), max_length=16, choices=Layout.choices)
    area_m2 = models.DecimalField(_("area (m²)"), max_digits=7, decimal_places=2)
    monthly_rent = models.DecimalField(_("monthly rent (yuan)"), max_digits=9, decimal_places=2)
    state = models.CharField(_("state"), max_length=12, choices=UnitState.choices, default=UnitState.AVAILABLE)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("apartment unit")
        verbose_name_plural = _("apartment units")
        ordering = ["building__name", "number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="apt_unit_number_once"),
            models.CheckConstraint(condition=Q(area_m2__gt=0), name="apt_unit_area_positive"),
            models.CheckConstraint(condition=Q(monthly_rent__gte=0), name="apt_unit_rent_not_negative"),
        ]
        indexes = [
            models.Index(fields=["state", "layout", "building"], name="apt_unit_state_layout"),
            models.Index(fields=["building", "state"], name="apt_unit_building_state"),
        ]

    def __str__(self) -> str:
        return f"{self.building.name} {self.number}" if self.building_id else self.number


class Application(models.Model):
    """An application for a talent apartment (住房申请): whose, the preferred layout (blank:
    any), the reason, then the review and the allocation. ``review_note`` is internal (never
    shown to the talent); ``decision_reason`` is the reason a talent is told (a rejection)."""

    talent = models.ForeignKey(
        Talent, verbose_name=_("talent"), on_delete=models.PROTECT, related_name="apartment_applications"
    )
    preferred_layout = models.CharField(_("preferred layout"), max_length=16, choices=Layout.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=ApplicationState.choices, default=ApplicationState.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    review_note = models.CharField(_("internal review note"), max_length=500, blank=True)
    decision_reason = models.CharField(_("reason given"), max_length=500, blank=True)
    unit = models.ForeignKey(
        ApartmentUnit, verbose_name=_("allocated unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="applications",
    )
    allocated_at = models.DateTimeField(_("allocated at"), null=True, blank=True)
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("allocated by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("apartment application")
        verbose_name_plural = _("apartment applications")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            # One application on its way per talent (a second one is refused with a 409).
            models.UniqueConstraint(
                fields=["talent"], condition=Q(state__in=["submitted", "waitlisted", "allocated"]),
                name="apt_application_one_open",
            ),
            # A unit is held by at most one allocation awaiting its contract.
            models.UniqueConstraint(
                fields=["unit"], condition=Q(state="allocated"), name="apt_application_unit_once",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "submitted_at", "id"], name="apt_application_waitlist"),
            models.Index(fields=["talent", "state"], name="apt_application_talent"),
        ]

    def __str__(self) -> str:
        return f"{self.talent_id}/{self.pk}"


class ApplicationFile(StoredFile):
    """A document attached to an application (学历证明, 劳动合同 …), stored by ``core.files``."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="files"
    )

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        ordering = ["uploaded_at", "id"]


class Tenancy(models.Model):
    """A tenancy contract (租赁合同): the unit, the talent, the term, the monthly rent at
    signing, the reduction for the talent's tier (``RentReduction``) and the rent payable,
    the deposit. Ends with a check-out (退租: reason, day, inspection note); renewals move
    ``end`` and are kept in ``TenancyRenewal``."""

    unit = models.ForeignKey(ApartmentUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="tenancies")
    talent = models.ForeignKey(Talent, verbose_name=_("talent"), on_delete=models.PROTECT, related_name="tenancies")
    application = models.OneToOneField(
        Application, verbose_name=_("application"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="tenancy",
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    monthly_rent = models.DecimalField(_("monthly rent (yuan)"), max_digits=9, decimal_places=2)
    reduction_percent = models.DecimalField(_("rent reduction (%)"), max_digits=5, decimal_places=2, default=0)
    rent_payable = models.DecimalField(_("rent payable (yuan/month)"), max_digits=9, decimal_places=2)
    deposit = models.DecimalField(_("deposit (yuan)"), max_digits=9, decimal_places=2, default=0)
    tier_at_signing = models.CharField(_("tier at signing"), max_length=1, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=TenancyState.choices, default=TenancyState.ACTIVE)
    end_reason = models.CharField(_("end reason"), max_length=16, choices=EndReason.choices, blank=True)
    ended_on = models.DateField(_("checked out on"), null=True, blank=True)
    inspection_note = models.CharField(_("inspection note"), max_length=500, blank=True)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signed by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("tenancy")
        verbose_name_plural = _("tenancies")
        ordering = ["end", "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit"], condition=Q(state="active"), name="apt_tenancy_unit_once"),
            models.UniqueConstraint(fields=["talent"], condition=Q(state="active"), name="apt_tenancy_talent_once"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="apt_tenancy_end_after_start"),
            models.CheckConstraint(
                condition=Q(state="active", ended_on__isnull=True, end_reason="")
                | Q(state="ended", ended_on__isnull=False) & ~Q(end_reason=""),
                name="apt_tenancy_checkout_recorded",
            ),
            models.CheckConstraint(
                condition=Q(reduction_percent__gte=0, reduction_percent__lte=100), name="apt_tenancy_reduction_range"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "end"], name="apt_tenancy_state_end"),
            models.Index(fields=["talent", "state"], name="apt_tenancy_talent"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.talent_id} {self.start}–{self.end}"


class TenancyRenewal(models.Model):
    """One renewal of a tenancy (续租): the end before and after, who renewed it and when."""

    tenancy = models.ForeignKey(Tenancy, verbose_name=_("tenancy"), on_delete=models.CASCADE, related_name="renewals")
    previous_end = models.DateField(_("previous end"))
    new_end = models.DateField(_("new end"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    renewed_at = models.DateTimeField(_("renewed at"), default=timezone.now)
    renewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("renewed by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("tenancy renewal")
        verbose_name_plural = _("tenancy renewals")
        ordering = ["tenancy", "renewed_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(new_end__gt=F("previous_end")), name="apt_renewal_extends"),
        ]

    def __str__(self) -> str:
        return f"{self.tenancy_id}: {self.previous_end} → {self.new_end}"


class ExpiryReminder(models.Model):
    """A reminder that a tenancy ends soon, sent once per (tenancy, threshold, end day): the
    unique constraint makes a second or concurrent pass of the job a no-op; a renewal (a new
    end day) is a new key."""

    tenancy = models.ForeignKey(Tenancy, verbose_name=_("tenancy"), on_delete=models.CASCADE, related_name="reminders")
    threshold_days = models.PositiveIntegerField(_("days ahead"))
    end = models.DateField(_("end"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("expiry reminder")
        verbose_name_plural = _("expiry reminders")
        constraints = [
            models.UniqueConstraint(fields=["tenancy", "threshold_days", "end"], name="apt_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.tenancy_id}: {self.threshold_days}d before {self.end}"


class WaitlistRule(models.Model):
    """The waitlist's order, as data (候补排序规则): applications are ranked by the talent's
    tier in ``tier_order`` (first letter first), a talent without a tier in it after every
    ranked one, then by the time of application, then by id. One rule is active."""

    name = models.CharField(_("name"), max_length=100)
    tier_order = models.CharField(_("tier order"), max_length=10, help_text=_("Tiers first to last, e.g. ABCDE"))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("waitlist rule")
        verbose_name_plural = _("waitlist rules")
        constraints = [
            models.UniqueConstraint(fields=["active"], condition=Q(active=True), name="apt_waitlist_rule_one_active"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.tier_order})"


class RentReduction(models.Model):
    """The rent reduction for a tier (租金减免), in percent of the unit's rent; ``tier`` blank:
    a talent without a recognized tier. Read when a contract is signed (and kept on it)."""

    tier = models.CharField(_("tier"), max_length=1, blank=True, unique=True)
    percent = models.DecimalField(_("reduction (%)"), max_digits=5, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = _("rent reduction")
        verbose_name_plural = _("rent reductions")
        ordering = ["tier"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__gte=0, percent__lte=100), name="apt_reduction_range"),
        ]

    def __str__(self) -> str:
        return f"{self.tier or '-'}: {self.percent}%"
