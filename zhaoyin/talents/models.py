"""人才档案: one record per talent, and the leads the talent stations work on (DESIGN 3.8).

Personal data (the ID document number, the phone) is stored SM4-GCM encrypted under a key
derived from ``ZHAOYIN_FIELD_KEY``; it is found by exact match through a keyed SM3 blind
index and shown masked (the masked form is stored too, so lists never decrypt). Revealing
a value is a service call that writes an audit record (PII rows of the security checklist).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.core.search import search_fold


class IdType(models.TextChoices):
    """The ID document a talent is registered with; each has its own format check."""

    RESIDENT = "resident", _("Resident identity card")  # 居民身份证 (GB 11643)
    PASSPORT = "passport", _("Passport")  # 护照
    HMT_RESIDENCE = "hmt_residence", _("HK/Macao/Taiwan residence permit")  # 港澳台居民居住证
    FOREIGN_PERMANENT = "foreign_permanent", _("Foreigner permanent residence ID")  # 外国人永久居留身份证


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Education(models.TextChoices):
    """Highest degree (学历学位), highest first."""

    DOCTORATE = "doctorate", _("Doctorate")  # 博士
    MASTER = "master", _("Master")  # 硕士
    BACHELOR = "bachelor", _("Bachelor")  # 本科
    COLLEGE = "college", _("College")  # 大专
    OTHER = "other", _("Other")


class Title(models.TextChoices):
    """Professional title (专业技术职称)."""

    SENIOR = "senior", _("Senior (full)")  # 正高级
    ASSOCIATE = "associate", _("Associate senior")  # 副高级
    INTERMEDIATE = "intermediate", _("Intermediate")  # 中级
    JUNIOR = "junior", _("Junior")  # 初级
    NONE = "none", _("None")


class Channel(models.TextChoices):
    """How the talent was brought to the city (引才渠道)."""

    STATION = "station", _("Talent workstation")  # 驻长三角人才工作站
    ENCLAVE = "enclave", _("Talent enclave")  # G60 人才飞地
    CAMPUS = "campus", _("Campus recruitment")  # 校园招聘
    REFERRAL = "referral", _("Talent referral")  # 以才引才
    EMPLOYER = "employer", _("Recruited by employer")  # 企业自主引进
    OTHER = "other", _("Other")


class Tier(models.TextChoices):
    """Recognized talent tier (人才层次), A highest; set only by a recognition decision."""

    A = "A", _("Tier A")
    B = "B", _("Tier B")
    C = "C", _("Tier C")
    D = "D", _("Tier D")
    E = "E", _("Tier E")


class TalentStatus(models.TextChoices):
    ACTIVE = "active", _("In the city")
    DEPARTED = "departed", _("Departed")


def _label(choices: type[models.TextChoices], value: str) -> str:
    """The label of ``value`` among ``choices`` (the value itself if it is not one of them)."""
    return str(choices(value).label) if value in choices.values else value


class Talent(models.Model):
    """A talent's record (人才档案).

    ``org_unit`` is where the talent works (county, park or department): unit-scoped staff
    see the talents of their subtree. ``station`` attributes the arrival to a talent
    workstation or enclave. ``tier`` and ``tier_valid_until`` are written only by the
    recognition decision; ``departed_on`` stops scheduled subsidies.
    """

    name = models.CharField(_("name"), max_length=50)
    id_type = models.CharField(_("ID document type"), max_length=20, choices=IdType.choices, default=IdType.RESIDENT)
    id_number_enc = models.BinaryField(_("ID number (encrypted)"), editable=False)
    #: HMAC-SM3 of the normalised (type, number): the exact-match lookup and the uniqueness key.
    id_index = models.CharField(_("ID number index"), max_length=64, unique=True, editable=False)
    id_masked = models.CharField(_("ID number"), max_length=40, editable=False)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, blank=True)
    education = models.CharField(_("education"), max_length=16, choices=Education.choices, default=Education.BACHELOR)
    school = models.CharField(_("graduating school"), max_length=100, blank=True)
    major = models.CharField(_("major"), max_length=100, blank=True)
    title = models.CharField(_("professional title"), max_length=16, choices=Title.choices, default=Title.NONE)
    employer = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("employer"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="talents",
    )
    #: The employer's name when it is an institution (not an enterprise of 一企一档).
    employer_name = models.CharField(_("employer name"), max_length=200, blank=True)
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="talents")
    industry = models.ForeignKey(
        "enterprises.Industry", verbose_name=_("industry"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="talents",
    )
    arrival_date = models.DateField(_("arrival date"), null=True, blank=True)
    channel = models.CharField(_("source channel"), max_length=16, choices=Channel.choices, default=Channel.EMPLOYER)
    station = models.ForeignKey(
        OrgUnit, verbose_name=_("talent station"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="station_talents", limit_choices_to={"kind": "station"},
    )
    phone_enc = models.BinaryField(_("phone (encrypted)"), null=True, blank=True, editable=False)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    email = models.CharField(_("e-mail"), max_length=100, blank=True)
    contract_start = models.DateField(_("labour contract start"), null=True, blank=True)
    contract_end = models.DateField(_("labour contract end"), null=True, blank=True)
    social_insurance_months = models.PositiveIntegerField(_("social insurance months in the city"), default=0)
    tier = models.CharField(_("tier"), max_length=1, choices=Tier.choices, blank=True)
    tier_valid_until = models.DateField(_("tier valid until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=TalentStatus.choices, default=TalentStatus.ACTIVE)
    departed_on = models.DateField(_("departed on"), null=True, blank=True)
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("portal account"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="talent",
    )
    search_text = models.CharField(_("search text"), max_length=400, editable=False, default="", db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("talent")
        verbose_name_plural = _("talents")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["org_unit", "name"], name="talent_unit_name"),
            models.Index(fields=["name", "id"], name="talent_name_id"),
            models.Index(fields=["tier", "id"], name="talent_tier_id"),
            models.Index(fields=["arrival_date", "id"], name="talent_arrival_id"),
            models.Index(fields=["station", "arrival_date"], name="talent_station_arrival"),
            models.Index(fields=["employer"], name="talent_employer"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(contract_end__isnull=True) | Q(contract_start__isnull=True)
                | Q(contract_end__gte=models.F("contract_start")),
                name="talent_contract_order",
            ),
            models.CheckConstraint(
                condition=Q(status="active", departed_on__isnull=True)
                | Q(status="departed", departed_on__isnull=False),
                name="talent_departure_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    # The list renders these per row: one enum lookup each, where ``get_FOO_display`` builds
    # a dict of every (translated) choice on each call.
    @property
    def education_label(self) -> str:
        return _label(Education, self.education)

    @property
    def title_label(self) -> str:
        return _label(Title, self.title)

    @property
    def channel_label(self) -> str:
        return _label(Channel, self.channel)

    @property
    def status_label(self) -> str:
        return _label(TalentStatus, self.status)

    @property
    def employer_display(self) -> str:
        return self.employer.name if self.employer_id and self.employer else self.employer_name

    def refresh_search_text(self) -> None:
        """Rebuild ``search_text`` (name, employer, school, major; never the ID or phone)."""
        parts = (self.name, self.employer_display, self.school, self.major)
        self.search_text = search_fold(" ".join(p for p in parts if p))[:400]


class LeadStatus(models.TextChoices):
    CONTACTED = "contacted", _("Contacted")
    NEGOTIATING = "negotiating", _("Negotiating")
    ARRIVED = "arrived", _("Arrived")
    LOST = "lost", _("Lost")


class TalentLead(models.Model):
    """A talent a station has contacted who has not (yet) arrived (引才线索).

    When the talent arrives the lead links to the new record (``talent``) and counts as the
    station's arrival.
    """

    station = models.ForeignKey(
        OrgUnit, verbose_name=_("talent station"), on_delete=models.PROTECT, related_name="talent_leads",
    )
    name = models.CharField(_("name"), max_length=50)
    education = models.CharField(_("education"), max_length=16, choices=Education.choices, default=Education.MASTER)
    field_of_work = models.CharField(_("field of work"), max_length=100, blank=True)
    current_employer = models.CharField(_("current employer"), max_length=200, blank=True)
    target_employer = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("target employer"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="talent_leads",
    )
    contacted_on = models.DateField(_("contacted on"))
    status = models.CharField(_("status"), max_length=16, choices=LeadStatus.choices, default=LeadStatus.CONTACTED)
    note = models.TextField(_("note"), blank=True)
    talent = models.OneToOneField(
        Talent, verbose_name=_("talent record"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="lead",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("talent lead")
        verbose_name_plural = _("talent leads")
        ordering = ["-contacted_on", "id"]
        indexes = [models.Index(fields=["station", "status"], name="talent_lead_station_status")]

    def __str__(self) -> str:
        return self.name
