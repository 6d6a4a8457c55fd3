"""亩均论英雄: the inputs from the bureaus, the schemes, the runs and their results (issue 14).

- ``MuInput`` — one figure of one firm for one year (实缴税金, 用电量 …), with the source
  (bureau) and the import batch (``core.ImportBatch``) it came in; a re-import replaces the
  value and its batch. ``Parcel`` / ``ParcelHolding`` — land (自然资源): a parcel's area in 亩
  and who holds it in a year, owned or leased; a firm's land is the sum of its holdings.
- ``MuAdjustment`` — a bonus (加分) or deduction (减分) of a firm in a year, with its reason.
- ``MuScheme`` — a year's evaluation scheme (评价办法) in one version: the definition is data
  (JSON read by ``scheme_data.to_engine`` into ``lib.mujun.Scheme``), frozen once a run that
  uses it is published.
- ``MuRun`` — one evaluation: the frozen snapshot of the inputs it ran over, the digests that
  make it reproducible (inputs, scheme, engine version, results), its state in
  ``flow.RUN_TABLE``; ``MuResult`` one firm's result in it (every indicator's value,
  benchmark, points and formula), ``MuGradeChange`` a 调档 (four-eyes), ``MuObjection`` a
  firm's 异议 during the 公示 (a matter with a deadline), ``MuObjectionFile`` its evidence.
- ``MuCondition`` — a 亩均 condition of a project's investment agreement (履约).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.core.models import ImportBatch, StoredFile
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.mujun.flow import STATES, State
from zhaoyin.mujun.sources import FIGURE_CHOICES, SOURCE_CHOICES

#: Where objection evidence is stored (``core.files``: DATA_DIR/mujun_files).
FILE_AREA = "mujun_files"
#: The 公示's default length in working days.
DEFAULT_PUBLICITY_DAYS = 5
#: An objection's answer is due within this many working days (the matter's deadline).
OBJECTION_DAYS = 5
GRADE_CHOICES = (("A", "A"), ("B", "B"), ("C", "C"), ("D", "D"))


class MuInput(models.Model):
    """One figure of one firm for one year, as the owning bureau reported it."""

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE,
                                   related_name="mu_inputs")
    year = models.PositiveSmallIntegerField(_("year"))
    figure = models.CharField(_("figure"), max_length=32, choices=FIGURE_CHOICES)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    source = models.CharField(_("source"), max_length=16, choices=SOURCE_CHOICES)
    batch = models.ForeignKey(ImportBatch, verbose_name=_("import batch"), on_delete=models.PROTECT,
                              null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("evaluation input")
        verbose_name_plural = _("evaluation inputs")
        constraints = [
            models.UniqueConstraint(fields=["year", "figure", "enterprise"], name="mu_input_one_per_figure"),
        ]
        indexes = [models.Index(fields=["enterprise", "year"], name="mu_input_firm_year")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year} {self.figure}={self.value}"


class Tenure(models.TextChoices):
    """How a firm holds a parcel: a leased parcel counts for the user, not the owner."""

    OWNED = "owned", _("Owned")
    LEASED = "leased", _("Leased")


class Parcel(models.Model):
    """A land parcel (地块) as the natural resources bureau records it."""

    code = models.CharField(_("parcel code"), max_length=40, unique=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    park = models.ForeignKey(OrgUnit, verbose_name=_("park"), on_delete=models.PROTECT, null=True, blank=True,
                             related_name="mu_parcels")
    area_mu = models.DecimalField(_("area (mu)"), max_digits=12, decimal_places=2)
    land_use = models.CharField(_("land use"), max_length=40, blank=True)
    batch = models.ForeignKey(ImportBatch, verbose_name=_("import batch"), on_delete=models.PROTECT,
                              null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("land parcel")
        verbose_name_plural = _("land parcels")
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=Q(area_mu__gt=0), name="mu_parcel_area_positive")]

    def __str__(self) -> str:
        return self.code


class ParcelHolding(models.Model):
    """Who holds (uses) a parcel in a year and how much of it: an owner, or a lessee."""

    parcel = models.ForeignKey(Parcel, verbose_name=_("parcel"), on_delete=models.CASCADE, related_name="holdings")
    year = models.PositiveSmallIntegerField(_("year"))
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE,
                                   related_name="mu_holdings")
    tenure = models.CharField(_("tenure"), max_length=8, choices=Tenure.choices, default=Tenure.OWNED)
    area_mu = models.DecimalField(_("area (mu)"), max_digits=12, decimal_places=2)
    batch = models.ForeignKey(ImportBatch, verbose_name=_("import batch"), on_delete=models.PROTECT,
                              null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("parcel holding")
        verbose_name_plural = _("parcel holdings")
        constraints = [
            models.UniqueConstraint(fields=["parcel", "year", "enterprise"], name="mu_holding_once"),
            models.CheckConstraint(condition=Q(area_mu__gt=0), name="mu_holding_area_positive"),
        ]
        indexes = [models.Index(fields=["enterprise", "year"], name="mu_holding_firm_year")]

    def __str__(self) -> str:
        return f"{self.parcel_id} {self.year} {self.enterprise_id}"


class MuAdjustment(models.Model):
    """A bonus (加分, positive points) or deduction (减分, negative) of a firm in a year."""

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE,
                                   related_name="mu_adjustments")
    year = models.PositiveSmallIntegerField(_("year"))
    points = models.DecimalField(_("points"), max_digits=8, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("bonus or deduction")
        verbose_name_plural = _("bonuses and deductions")
        ordering = ["enterprise", "year", "id"]

    def __str__(self) -> str:
        return f"{self.points} {self.reason}"


class SchemeStatus(models.TextChoices):
    """A scheme is edited while a draft; frozen once a run that uses it is published."""

    DRAFT = "draft", _("Draft")
    FROZEN = "frozen", _("Frozen")


class MuScheme(models.Model):
    """A year's evaluation scheme (评价办法) in one version; ``definition`` is its data.

    ``definition`` holds the result lists (scope, indicators, weights, benchmarks, caps,
    missing-data rule, grading) and the scheme's other rules (exempt industries, the
    consequences per grade: 差别化电价 surcharge, 土地使用税 relief) in the JSON shape
    ``scheme_data`` reads and checks. ``version`` counts the row's edits (compare-and-set).
    """

    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    definition = models.JSONField(_("definition"), default=dict)
    publicity_days = models.PositiveSmallIntegerField(_("publicity (working days)"), default=DEFAULT_PUBLICITY_DAYS)
    status = models.CharField(_("status"), max_length=8, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("revision"), default=1)

    class Meta:
        verbose_name = _("evaluation scheme")
        verbose_name_plural = _("evaluation schemes")
        ordering = ["-year", "-number"]
        constraints = [models.UniqueConstraint(fields=["year", "number"], name="mu_scheme_year_number")]

    def __str__(self) -> str:
        return f"{self.year} {self.name} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.status == SchemeStatus.FROZEN


class MuRun(models.Model):
    """One evaluation over a frozen snapshot of the year's inputs (state: ``flow.RUN_TABLE``).

    ``snapshot`` is the engine's input (one entry per firm: key, size class, figures, years in
    production, exempt, adjustments) exactly as the run read it, so running ``scheme`` over it
    again gives byte-identical results: ``digest`` (``lib.mujun.Run.digest``) is compared, and
    ``inputs_digest`` / ``scheme_digest`` / ``engine_version`` say what it ran on. ``revision``
    counts the re-runs (re-computation, an upheld objection's correction).
    """

    scheme = models.ForeignKey(MuScheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="runs")
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(_("status"), max_length=12, choices=STATES, default=State.INITIAL)
    snapshot = models.JSONField(_("input snapshot"), default=list)
    benchmarks = models.JSONField(_("benchmarks"), default=dict)
    outside = models.JSONField(_("firms outside every list"), default=list)
    inputs_digest = models.CharField(_("inputs digest"), max_length=64)
    scheme_digest = models.CharField(_("scheme digest"), max_length=64)
    engine_version = models.CharField(_("engine version"), max_length=20)
    digest = models.CharField(_("results digest"), max_length=64)
    revision = models.PositiveIntegerField(_("re-runs"), default=0)
    firms = models.PositiveIntegerField(_("firms"), default=0)
    publicity_start = models.DateField(_("publicity starts"), null=True, blank=True)
    publicity_end = models.DateField(_("publicity ends"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    version = models.PositiveIntegerField(_("revision"), default=1)

    class Meta:
        verbose_name = _("evaluation run")
        verbose_name_plural = _("evaluation runs")
        ordering = ["-year", "-id"]
        constraints = [
            # One published evaluation per year: the grade a policy reads is unambiguous.
            models.UniqueConstraint(fields=["year"], condition=Q(state=State.PUBLISHED), name="mu_run_one_published"),
        ]

    def __str__(self) -> str:
        return f"{self.year} #{self.pk}"


#: The sort key of a result without a rank (not graded, outside every list): after every rank.
UNRANKED = 2**31


class MuResult(models.Model):
    """One firm's result in a run: its list, score, rank, grade (初评 and after 调档), and every
    indicator as ``[code, formula, value, benchmark, weight, points, note]`` — so a firm can
    check its own score. ``grade`` is blank when the firm is not graded (``why``: exempt,
    incomplete) or outside every list (``list_code`` blank, ``why`` = ``outside``)."""

    run = models.ForeignKey(MuRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="results")
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="mu_results")
    #: The firm's org unit when the run was made: the county / park distributions read it.
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="+")
    list_code = models.CharField(_("result list"), max_length=32, blank=True)
    score = models.DecimalField(_("score"), max_digits=10, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    initial_grade = models.CharField(_("initial grade"), max_length=1, choices=GRADE_CHOICES, blank=True)
    grade = models.CharField(_("grade"), max_length=1, choices=GRADE_CHOICES, blank=True)
    why = models.CharField(_("not graded because"), max_length=16, blank=True)
    indicators = models.JSONField(_("indicators"), default=list)
    adjustments = models.JSONField(_("bonuses and deductions"), default=list)
    #: The firm's figures as the run read them (its snapshot entry's): the result page shows
    #: each formula with its numbers without reading the run's whole snapshot.
    figures = models.JSONField(_("figures"), default=dict)
    #: The results list's sort keys, computed by the database from ``rank`` so they can never
    #: disagree with it: ``order_key`` is the rank with the firms not ranked last
    #: (``UNRANKED``), ``order_key_desc`` the rank negated with them last too. ``rank`` is
    #: NULL for those firms and an index cannot serve "NULLS LAST" on SQLite (nor the
    #: descending one on PostgreSQL); a never-NULL key walks ``(run, key, id)`` in order, so a
    #: page of a 100 000-firm run reads 50 rows, not the whole run sorted.
    order_key = models.GeneratedField(expression=Coalesce("rank", Value(UNRANKED)),
                                      output_field=models.BigIntegerField(), db_persist=True)
    order_key_desc = models.GeneratedField(expression=Coalesce(Value(0) - F("rank"), Value(UNRANKED)),
                                           output_field=models.BigIntegerField(), db_persist=True)

    class Meta:
        verbose_name = _("evaluation result")
        verbose_name_plural = _("evaluation results")
        ordering = ["run", "list_code", "rank", "enterprise_id"]
        constraints = [models.UniqueConstraint(fields=["run", "enterprise"], name="mu_result_once")]
        indexes = [
            models.Index(fields=["enterprise", "run"], name="mu_result_firm"),
            models.Index(fields=["run", "grade"], name="mu_result_run_grade"),
            models.Index(fields=["run", "org_unit"], name="mu_result_run_unit"),
            # The results list by rank either way (filters_runs.ResultFilter), id breaking ties.
            models.Index(fields=["run", "order_key", "id"], name="mu_result_run_order"),
            models.Index(fields=["run", "order_key_desc", "-id"], name="mu_result_run_order_desc"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id} {self.enterprise_id} {self.grade or self.why}"


class ChangeState(models.TextChoices):
    """A 调档 proposal: waiting for the second evaluator, approved or rejected."""

    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class MuGradeChange(models.Model):
    """调档: a manual grade change with its reason, proposed by one evaluator and decided by
    another (four-eyes)."""

    run = models.ForeignKey(MuRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="grade_changes")
    result = models.ForeignKey(MuResult, verbose_name=_("result"), on_delete=models.CASCADE,
                               related_name="grade_changes")
    from_grade = models.CharField(_("from grade"), max_length=1, choices=GRADE_CHOICES, blank=True)
    to_grade = models.CharField(_("to grade"), max_length=1, choices=GRADE_CHOICES)
    reason = models.CharField(_("reason"), max_length=500)
    state = models.CharField(_("status"), max_length=10, choices=ChangeState.choices, default=ChangeState.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("proposed by"),
                                    on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")
        ordering = ["run", "proposed_at", "id"]
        constraints = [
            # One open proposal per result: a second would race the first.
            models.UniqueConstraint(fields=["result"], condition=Q(state="proposed"), name="mu_change_one_open"),
        ]

    def __str__(self) -> str:
        return f"{self.from_grade}→{self.to_grade}"


class ObjectionState(models.TextChoices):
    """An objection: open, upheld (the firm re-run with corrected inputs) or dismissed."""

    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class MuObjection(models.Model):
    """异议: a firm objects to its result during the 公示, with evidence. It is also a matter
    (``matter``) with a working-day deadline for the answer; upholding it records the
    corrected inputs (``corrections``: figure → value) the firm was re-run with."""

    run = models.ForeignKey(MuRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="objections")
    result = models.ForeignKey(MuResult, verbose_name=_("result"), on_delete=models.CASCADE,
                               related_name="objections")
    text = models.TextField(_("objection"))
    state = models.CharField(_("status"), max_length=10, choices=ObjectionState.choices, default=ObjectionState.OPEN)
    matter = models.ForeignKey("matters.Matter", verbose_name=_("matter"), on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"),
                                     on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    corrections = models.JSONField(_("corrected inputs"), default=dict, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answered by"),
                                    on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    #: The answer is due by the end of this day (``OBJECTION_DAYS`` working days after it was made).
    due_on = models.DateField(_("answer due"), null=True, blank=True)
    #: The grade before and after an upheld objection's re-run (blank until then).
    grade_before = models.CharField(_("grade before"), max_length=1, blank=True)
    grade_after = models.CharField(_("grade after"), max_length=1, blank=True)

    class Meta:
        verbose_name = _("evaluation objection")
        verbose_name_plural = _("evaluation objections")
        ordering = ["run", "submitted_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]

    @property
    def is_open(self) -> bool:
        return self.state == ObjectionState.OPEN


class MuObjectionFile(StoredFile):
    """A document a firm uploaded with its objection (stamped statement, tax certificate …)."""

    objection = models.ForeignKey(MuObjection, verbose_name=_("objection"), on_delete=models.CASCADE,
                                  related_name="files")

    class Meta:
        verbose_name = _("objection document")
        verbose_name_plural = _("objection documents")
        ordering = ["objection", "uploaded_at", "id"]


class MuCondition(models.Model):
    """履约: a 亩均 condition of a project's investment agreement — an indicator (a formula over
    the figures, e.g. ``tax / land_mu`` for 亩均税收) at least ``threshold`` from ``from_year``
    (the end of the initial operation period). A published result below it is a breach."""

    project = models.ForeignKey("projects.Project", verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="mu_conditions")
    name = models.CharField(_("indicator"), max_length=60)
    formula = models.CharField(_("formula"), max_length=60)
    threshold = models.DecimalField(_("at least"), max_digits=16, decimal_places=4)
    from_year = models.PositiveSmallIntegerField(_("from year"))
    note = models.CharField(_("agreement clause"), max_length=300, blank=True)
    #: The matter a breach became (blank until someone raised one).
    matter = models.ForeignKey("matters.Matter", verbose_name=_("matter"), on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("efficiency condition")
        verbose_name_plural = _("efficiency conditions")
        ordering = ["project", "from_year", "id"]

    def __str__(self) -> str:
        return f"{self.name} ≥ {self.threshold}"


class MuRectification(models.Model):
    """整改: a D-grade firm of a published run made a rectification matter (one per firm and
    run: the bulk action skips firms that already have theirs)."""

    run = models.ForeignKey(MuRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="rectifications")
    result = models.OneToOneField(MuResult, verbose_name=_("result"), on_delete=models.CASCADE,
                                  related_name="rectification")
    matter = models.ForeignKey("matters.Matter", verbose_name=_("matter"), on_delete=models.PROTECT,
                               related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["run", "id"]

    def __str__(self) -> str:
        return f"{self.run_id} {self.result_id}"
