"""招商项目全周期: projects, their stage history with evidence, and monthly funds in place."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.core.models import StoredFile
from zhaoyin.enterprises.models import Enterprise, Industry
from zhaoyin.projects.choices import (
    AlertLevel,
    AttractionMethod,
    FundEvidenceKind,
    FundKind,
    FundSource,
    FundVerification,
    SourceRegion,
    Stage,
    StageChangeKind,
)


class Project(models.Model):
    """An investment project from first contact to full capacity (DESIGN 3.2).

    Money is in 万元 as Decimal. ``stage``/``stage_on`` mirror the newest ``StageEvent`` and
    are changed only by the stage services; ``resume_stage`` remembers where a held project was.
    """

    code = models.CharField(_("project code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    investor = models.ForeignKey(
        Enterprise,
        verbose_name=_("investor (registered enterprise)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    investor_name = models.CharField(_("investor"), max_length=200)
    source_region = models.CharField(_("source region"), max_length=20, choices=SourceRegion.choices)
    industry = models.ForeignKey(
        Industry, verbose_name=_("industry"), on_delete=models.PROTECT, related_name="projects"
    )
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="projects")
    total_investment_wan = models.DecimalField(_("total investment (10k yuan)"), max_digits=16, decimal_places=2)
    construction_content = models.TextField(_("construction content"), blank=True)
    land_mu = models.DecimalField(_("land need (mu)"), max_digits=12, decimal_places=2, null=True, blank=True)
    attraction_method = models.CharField(
        _("attraction method"), max_length=20, choices=AttractionMethod.choices, default=AttractionMethod.OTHER
    )
    lead_official = models.CharField(_("lead official"), max_length=60, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff in charge"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects_in_charge",
    )
    first_contact_on = models.DateField(_("first contact"), null=True, blank=True)
    planned_sign_on = models.DateField(_("planned signing"), null=True, blank=True)
    planned_start_on = models.DateField(_("planned start"), null=True, blank=True)
    planned_production_on = models.DateField(_("planned production"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.LEAD, db_index=True)
    stage_on = models.DateField(_("stage date"), null=True, blank=True)
    resume_stage = models.CharField(_("stage before hold"), max_length=16, choices=Stage.choices, blank=True)
    search_text = models.CharField(_("search text"), max_length=500, editable=False, default="", db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1)
    # The milestones the stage history establishes (zhaoyin.lib.cycle_times, replayed by the
    # stage services on every change) and the three spans in days: the indicators and the
    # cycle-time distributions read these columns instead of replaying 100 000s of events.
    signed_on = models.DateField(_("signed on"), null=True, blank=True, editable=False)
    started_on = models.DateField(_("started on"), null=True, blank=True, editable=False)
    producing_on = models.DateField(_("in production on"), null=True, blank=True, editable=False)
    contact_to_signing_days = models.PositiveIntegerField(null=True, blank=True, editable=False)
    signing_to_start_days = models.PositiveIntegerField(null=True, blank=True, editable=False)
    start_to_production_days = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # The 红黄绿 light as of ``alert_date``, stored by zhaoyin.projects.alerts (see there).
    alert_level = models.CharField(
        _("alert"), max_length=8, choices=AlertLevel.choices, default=AlertLevel.GREEN, editable=False
    )
    alert_date = models.DateField(_("alert as of"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("investment project")
        verbose_name_plural = _("investment projects")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["org_unit", "stage"], name="project_unit_stage"),
            models.Index(fields=["industry", "stage"], name="project_industry_stage"),
            models.Index(fields=["updated_at", "id"], name="project_updated_id"),
            models.Index(fields=["signed_on"], name="project_signed_on"),
            models.Index(fields=["started_on"], name="project_started_on"),
            models.Index(fields=["producing_on"], name="project_producing_on"),
            models.Index(fields=["alert_level", "org_unit"], name="project_alert_unit"),
            models.Index(fields=["alert_level", "name"], name="project_alert_name"),
            models.Index(fields=["stage", "alert_date"], name="project_stage_alert_date"),
            # Covers the cycle-time distributions: the spans read without the wide rows.
            models.Index(
                fields=[
                    "signed_on",
                    "org_unit",
                    "industry",
                    "contact_to_signing_days",
                    "signing_to_start_days",
                    "start_to_production_days",
                ],
                name="project_cycle_spans",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total_investment_wan__gte=0), name="project_investment_non_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    def refresh_search_text(self) -> None:
        """Rebuild ``search_text``; call after changing code, name or investor name. The name's
        拼音首字母 (lib.pinyin) follow the name, so a project is found by them too."""
        from zhaoyin.core.search import search_fold
        from zhaoyin.lib.pinyin import pinyin_initials

        parts = (self.code, self.name, pinyin_initials(self.name), self.investor_name)
        self.search_text = search_fold(" ".join(p for p in parts if p))[:500]


class StageEvent(models.Model):
    """One recorded stage change (who, when, the stage's date, note, reason, evidence)."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="stage_events"
    )
    from_stage = models.CharField(_("from"), max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=16, choices=Stage.choices)
    kind = models.CharField(_("kind of change"), max_length=12, choices=StageChangeKind.choices)
    stage_on = models.DateField(_("date of the stage"))
    note = models.TextField(_("note"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("stage event")
        verbose_name_plural = _("stage events")
        ordering = ["project", "created_at", "id"]
        indexes = [models.Index(fields=["to_stage", "stage_on"], name="stage_event_to_on")]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.from_stage}→{self.to_stage}"


class EvidenceFile(StoredFile):
    """A file backing a stage change (agreement, 施工许可, 入统证明 …), stored under the data
    directory with a random name and served only through a scoped view (FILE-05)."""

    event = models.ForeignKey(StageEvent, verbose_name=_("stage event"), on_delete=models.CASCADE, related_name="files")

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")


class FundEntry(models.Model):
    """Funds in place (到位资金) for one project, month, source and kind, in 万元.

    Entries are never edited: a correction supersedes the active entry and points back to it,
    so the history stays. At most one active entry per (project, month, source, kind).
    """

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="fund_entries"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    amount_wan = models.DecimalField(_("amount (10k yuan)"), max_digits=16, decimal_places=2)
    source = models.CharField(_("source"), max_length=16, choices=FundSource.choices)
    kind = models.CharField(_("type"), max_length=12, choices=FundKind.choices, default=FundKind.FIXED_ASSET)
    note = models.CharField(_("note"), max_length=200, blank=True)
    replaces = models.OneToOneField(
        "self", verbose_name=_("corrects"), null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)
    # 核查 (docs/targets.md, "Funds verification"): 填报 → 核实 | 退回 by the city. Only
    # verified active entries count in targets, rankings and the cockpit. A returned entry
    # leaves the active set (``superseded_at`` is set when it is returned) and stays in the
    # history with its reason.
    verification = models.CharField(
        _("verification"), max_length=12, choices=FundVerification.choices, default=FundVerification.REPORTED
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    evidence_kind = models.CharField(
        _("proof of arrival"), max_length=24, choices=FundEvidenceKind.choices, blank=True
    )
    verification_note = models.CharField(_("check note or reason returned"), max_length=200, blank=True)
    #: Plausibility flags (``FundFlag`` codes) computed on entry, shown to the verifier.
    flags = models.JSONField(_("flags"), default=list, blank=True)
    over_total_reason = models.CharField(_("reason for exceeding the total investment"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("funds-in-place entry")
        verbose_name_plural = _("funds-in-place entries")
        ordering = ["project", "month", "source", "kind", "entered_at"]
        indexes = [
            models.Index(fields=["month", "project"], name="fund_entry_month_project"),
            models.Index(fields=["verification", "month"], name="fund_entry_verification"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "month", "source", "kind"],
                condition=Q(superseded_at__isnull=True),
                name="fund_entry_one_active",
            ),
            models.CheckConstraint(condition=Q(amount_wan__gte=0), name="fund_entry_amount_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.month:%Y-%m} {self.amount_wan}"


class FundRollup(models.Model):
    """Σ of the active fund entries per (org unit, industry, month, source), in fen — all of
    them (``fen``, the 填报 figure) and the verified ones (``verified_fen``, the 核实 figure).

    Kept by database triggers (migration 0002) on every insert, update and delete of a fund
    entry and on every move of a project to another unit or industry, so it is exact whatever
    path wrote the entries (services, imports, bulk generators). Target progress and the
    cockpit's fund charts read this table — a few thousand rows — instead of aggregating the
    fund entries (600 000 at province scale). ``tests/test_fund_rollup.py`` checks it against
    the bare aggregate after every kind of write.
    """

    # No database-level foreign keys: the triggers write these rows, and a unit or industry
    # whose sums went back to zero must stay deletable.
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("org unit")
    )
    industry = models.ForeignKey(
        Industry, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("industry")
    )
    month = models.DateField(_("month"))
    source = models.CharField(_("source"), max_length=16, choices=FundSource.choices)
    fen = models.BigIntegerField(_("amount (fen)"), default=0)
    entries = models.IntegerField(_("entries"), default=0)
    #: The same over the verified active entries only: what targets and rankings count.
    verified_fen = models.BigIntegerField(_("verified amount (fen)"), default=0)
    verified_entries = models.IntegerField(_("verified entries"), default=0)

    class Meta:
        verbose_name = _("funds-in-place rollup")
        verbose_name_plural = _("funds-in-place rollups")
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "industry", "month", "source"], name="fund_rollup_key"),
        ]
        indexes = [models.Index(fields=["month", "org_unit"], name="fund_rollup_month_unit")]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.industry_id} {self.month:%Y-%m} {self.source} {self.fen}"


class FundEvidenceFile(StoredFile):
    """A 到账凭证 (bank slip, 验资 report) backing the verification of a funds entry; stored
    like stage evidence and served only through a scoped view (FILE-05)."""

    entry = models.ForeignKey(FundEntry, verbose_name=_("funds entry"), on_delete=models.CASCADE, related_name="files")

    class Meta:
        verbose_name = _("proof of arrival file")
        verbose_name_plural = _("proof of arrival files")
