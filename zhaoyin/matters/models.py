"""交办事项跟踪督办: matters, their transition events, extension requests and attachments.

Every field that a workflow step changes is written only by zhaoyin.matters.services, through
a compare-and-set on (state, version); the table of allowed steps is zhaoyin.matters.flow.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.core.models import StoredFile
from zhaoyin.core.search import search_fold
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.lib.workdays import CalendarRangeError, WorkCalendar
from zhaoyin.matters.choices import DemandCategory, ExtensionState, MatterKind, MatterSource, Rating
from zhaoyin.matters.flow import CLOCK_STATES, OPEN_STATES, STATES, Action, State
from zhaoyin.projects.models import Project

# flow's state sets as codes, in the lifecycle order: one stable order for the partial indexes'
# conditions (the migration autodetector compares them as lists) and for the queries that should
# use them (SQLite takes a partial index only for the same IN list).
_CLOCK_STATES = [s.value for s in State if s in CLOCK_STATES]
#: ``flow.OPEN_STATES`` as codes, for ``state__in`` filters.
OPEN_STATE_CODES = [s.value for s in State if s in OPEN_STATES]
#: The columns of a month's KPI counts, in the order of their covering index.
KPI_COLUMNS = [
    "assigned_at", "lead_unit", "state", "returned", "signed_on_time", "closed_at", "closed_on_time",
    "workdays_to_close", "rating", "sign_deadline", "handle_deadline", "id",
]
ACTION_CHOICES = [(a.value, a.value) for a in Action] + [("create", "create"), ("recompute", "recompute")]


def matter_search_text(code: str, title: str, requester_name: str) -> str:
    """The ``search_text`` of a matter: its number, title and requester, folded."""
    return search_fold(" ".join(p for p in (code, title, requester_name) if p))[:400]


def workdays_taken(calendar: WorkCalendar, received: dt.date | None, closed: dt.date | None) -> int | None:
    """Working days from the date of receipt to the day closed (None when either is unknown or
    outside the calendar: the KPI mean leaves such a matter out)."""
    if received is None or closed is None:
        return None
    try:
        return max(0, calendar.workdays_between(received, closed))
    except CalendarRangeError:
        return None


def met_deadline(day: dt.date | None, deadline: dt.date | None) -> bool:
    """Whether a step taken on ``day`` met ``deadline`` (which ends at the close of its day);
    False when either is unknown — no deadline set is not "in time" for the KPIs."""
    return day is not None and deadline is not None and day <= deadline


def derive_facts(matter: Any, calendar: WorkCalendar, *, returned: bool) -> None:
    """``Matter.refresh_facts`` on any object with the matter's columns (the migration that added
    the facts passes its historical model, which has no methods)."""
    accepted = timezone.localdate(matter.accepted_at) if matter.accepted_at else None
    closed = timezone.localdate(matter.closed_at) if matter.closed_at else None
    matter.returned = returned
    matter.signed_on_time = met_deadline(accepted, matter.sign_deadline)
    matter.closed_on_time = met_deadline(closed, matter.handle_deadline)
    matter.workdays_to_close = workdays_taken(calendar, matter.received_on, closed)
    matter.search_text = matter_search_text(matter.code, matter.title, matter.requester_name)


class MatterSequence(models.Model):
    """The last number handed out for matter codes of one year (``JB<year>-<number>``).

    Incremented with a single UPDATE that holds the row lock until the creating transaction
    ends, so concurrent creations get distinct numbers without retries.
    """

    year = models.PositiveIntegerField(_("year"), primary_key=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("matter code sequence")
        verbose_name_plural = _("matter code sequences")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Matter(models.Model):
    """One problem to solve (交办事项): an enterprise, project or talent demand, a leader's
    instruction, a meeting decision or a reform measure, assigned to a lead unit (主办) with
    co-units (协办) and two working-day clocks (DESIGN 3.5).

    ``state`` and ``version`` change only through the services' compare-and-set. The deadlines
    are dates that end at the close of their day in Asia/Shanghai; ``handle_days`` is the
    number of working days the handling deadline was counted with from ``handle_from`` (None
    when the deadline is a date someone set: a reform date, an approved extension, a review's
    new deadline), so a provisional deadline can be recomputed when a notice is loaded.
    """

    code = models.CharField(_("matter number"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=MatterSource.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=MatterKind.choices)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="matters",
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), null=True, blank=True, on_delete=models.PROTECT, related_name="matters"
    )
    # The talent a talent demand (人才诉求) serves (issue 13): the portal user's own record, or
    # one in the registering staff's talent scope. Its category routes it (matters.routing).
    talent = models.ForeignKey(
        "talents.Talent", verbose_name=_("talent"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="matters",
    )
    demand_category = models.CharField(
        _("demand category"), max_length=24, choices=DemandCategory.choices, blank=True
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requester account"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="matters_requested",
    )
    requester_name = models.CharField(_("requester"), max_length=100, blank=True)
    dispatcher_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("dispatching unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="matters_dispatched",
    )
    lead_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("lead unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="matters_led",
    )
    co_units = models.ManyToManyField(
        OrgUnit, verbose_name=_("co-units"), through="MatterCoUnit", related_name="matters_co", blank=True
    )
    state = models.CharField(_("state"), max_length=12, choices=STATES, default=State.DRAFT.value)
    version = models.PositiveIntegerField(_("version"), default=1)
    handle_days = models.PositiveSmallIntegerField(_("handling working days"), null=True, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    handle_from = models.DateField(_("handling clock counted from"), null=True, blank=True)
    sign_deadline = models.DateField(_("sign-for deadline"), null=True, blank=True)
    handle_deadline = models.DateField(_("handling deadline"), null=True, blank=True)
    deadlines_provisional = models.BooleanField(_("deadlines provisional"), default=False)
    listed = models.BooleanField(_("listed for supervision"), default=False)
    listed_at = models.DateTimeField(_("listed at"), null=True, blank=True)
    listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("listed by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    # 挂牌督办 (issue 15 item 4): the supervising leader named at listing and the 限期 set.
    listed_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("supervising leader"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    listed_deadline = models.DateField(_("listed supervision deadline"), null=True, blank=True)
    # The day of the last sign of progress while in progress (签收, 进展反馈, a new handling
    # clock): a running matter without progress for N working days shows yellow (进展滞后).
    last_progress_on = models.DateField(_("last progress on"), null=True, blank=True)
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The next instant the escalation ladder can change for this matter (zhaoyin.matters.scan):
    # every transition sets it to "now" so the next scan looks at the matter; the scan then
    # stores zhaoyin.lib.escalation.next_change_at (scan.NEVER: nothing more can change; NULL:
    # never computed, looked at by the next scan). The scan reads only open matters whose
    # instant has come, so a pass costs what changes.
    next_check_at = models.DateTimeField(_("next escalation check"), null=True, blank=True, editable=False)
    # The searched text: number, title and requester folded into one column (search_fold), so one
    # bigram index serves the list's search (zhaoyin.matters.search).
    search_text = models.CharField(_("search text"), max_length=400, editable=False, default="")
    # KPI facts, written by the step that decides them so a month's KPIs are one grouped query
    # over plain columns (zhaoyin.matters.kpis): returned at least once (退回); signed for
    # within the sign-for clock; closed by the handling deadline; working days from the date
    # of receipt to the day closed. A reopening clears the closing facts.
    returned = models.BooleanField(_("returned"), default=False, editable=False)
    signed_on_time = models.BooleanField(_("signed for in time"), default=False, editable=False)
    closed_on_time = models.BooleanField(_("closed in time"), default=False, editable=False)
    workdays_to_close = models.PositiveIntegerField(
        _("working days to close"), null=True, blank=True, editable=False
    )
    # Issue 15. The leader whose instruction a ``leader_instruction`` matter is (领导批示): the
    # leader who registered it, or the one the supervision office named.
    instructing_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("instructing leader"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    # The dispatcher's assessment (考核) of an internal task (reform measure, meeting decision),
    # kept apart from ``rating`` (the requester's 回访) so it never counts in the public 满意率.
    assessment = models.CharField(_("assessment"), max_length=20, choices=Rating.choices, blank=True)

    class Meta:
        verbose_name = _("assigned matter")
        verbose_name_plural = _("assigned matters")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["state", "-updated_at"], name="matter_state_updated"),
            models.Index(fields=["lead_unit", "state"], name="matter_lead_state"),
            models.Index(fields=["dispatcher_unit", "state"], name="matter_dispatcher_state"),
            # Lists filtered by source or kind (and state) come in the default order from these.
            models.Index(fields=["source", "state", "updated_at"], name="matter_source_state_upd"),
            models.Index(fields=["kind", "state", "updated_at"], name="matter_kind_state_upd"),
            # The default order, covering the lead unit and the state: a unit's list pages by
            # walking this index alone (zhaoyin.matters.selectors.matter_list_visible_to).
            models.Index(fields=["updated_at", "id", "lead_unit", "state"], name="matter_updated_scope"),
            # The KPIs count the matters assigned in a month, per lead unit, from this index
            # alone: it carries every column the counts read (zhaoyin.matters.kpis).
            models.Index(fields=KPI_COLUMNS, name="matter_kpi_facts"),
            # The running clocks by deadline: the alert filter (overdue, approaching) counts and
            # pages from these alone, a unit's scope included (the id too: PostgreSQL's
            # index-only scans return only indexed columns); the escalation scan walks them.
            models.Index(
                fields=["sign_deadline", "state", "updated_at", "lead_unit", "id"],
                condition=Q(state=State.ASSIGNED.value),
                name="matter_open_sign_due_upd",
            ),
            models.Index(
                fields=["handle_deadline", "state", "updated_at", "lead_unit", "id"],
                condition=Q(state=State.ACCEPTED.value),
                name="matter_open_handle_due_upd",
            ),
            # A loaded notice recomputes the provisional deadlines only.
            models.Index(
                fields=["received_on"],
                condition=Q(deadlines_provisional=True, state__in=_CLOCK_STATES),
                name="matter_provisional",
            ),
            models.Index(fields=["listed", "state"], condition=Q(listed=True), name="matter_listed"),
            # 进展滞后 (yellow): the running matters by the day of their last progress.
            models.Index(
                fields=["last_progress_on", "updated_at", "lead_unit", "id"],
                condition=Q(state=State.ACCEPTED.value),
                name="matter_progress_stale",
            ),
            # The escalation scan: open matters whose next check has come.
            models.Index(fields=["next_check_at"], condition=Q(state__in=OPEN_STATE_CODES), name="matter_next_check"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=[s for s, _label in STATES]), name="matter_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=MatterSource.values), name="matter_source_valid"
            ),
            models.CheckConstraint(condition=Q(kind__in=MatterKind.values), name="matter_kind_valid"),
            models.CheckConstraint(
                condition=Q(assessment="") | Q(assessment__in=Rating.values), name="matter_assessment_valid"
            ),
            models.CheckConstraint(
                condition=Q(demand_category="") | Q(demand_category__in=DemandCategory.values),
                name="matter_demand_category_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATE_CODES

    def refresh_facts(self, calendar: WorkCalendar, *, returned: bool) -> None:
        """Set the stored KPI facts and the search text from the matter's own columns, as the
        services write them step by step — for matters written in bulk (the demo, the
        generator). ``returned``: a return is on record."""
        derive_facts(self, calendar, returned=returned)

    def refresh_search_text(self) -> None:
        """Rebuild ``search_text``; call after changing the number, title or requester."""
        self.search_text = matter_search_text(self.code, self.title, self.requester_name)


class MatterCoUnit(models.Model):
    """A co-unit (协办单位) of a matter."""

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="co_links")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("co-unit"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("co-unit")
        verbose_name_plural = _("co-units")
        constraints = [models.UniqueConstraint(fields=["matter", "unit"], name="matter_co_unit_unique")]
        indexes = [models.Index(fields=["unit", "matter"], name="matter_co_unit_unit")]

    def __str__(self) -> str:
        return f"{self.matter_id}: {self.unit_id}"


class MatterEvent(models.Model):
    """One recorded step of a matter (who, when, from, to, reason): a transition of the table,
    the registration, or a recomputed deadline. ``lead_unit`` is the lead unit at the time,
    so a unit's figures (退回率 …) stay right after a reassignment; ``data`` holds the step's
    details (the suggested unit of a return, the new deadline, the rating …)."""

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=ACTION_CHOICES)
    from_state = models.CharField(_("from"), max_length=12, choices=STATES, blank=True)
    to_state = models.CharField(_("to"), max_length=12, choices=STATES)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    lead_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("lead unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("matter event")
        verbose_name_plural = _("matter events")
        ordering = ["matter", "at", "id"]
        indexes = [
            models.Index(fields=["matter", "at"], name="matter_event_matter_at"),
            models.Index(fields=["action", "at"], name="matter_event_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.matter_id}: {self.action} {self.from_state}→{self.to_state}"


class MatterInstruction(models.Model):
    """A leader's instruction (领导批示) on a matter (issue 15): the text, the leader, the day it
    was given; recorded by the leader or by the supervision office on the leader's behalf. The
    step's ``MatterEvent`` (``instruct``) puts it on the timeline; the monthly 通报 lists the
    month's instructions from here (by ``instructed_on``)."""

    matter = models.ForeignKey(
        Matter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="instructions"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("leader"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("instruction"))
    instructed_on = models.DateField(_("instructed on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    event = models.OneToOneField(
        "MatterEvent", verbose_name=_("event"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("leader's instruction")
        verbose_name_plural = _("leaders' instructions")
        ordering = ["matter", "instructed_on", "id"]
        indexes = [models.Index(fields=["instructed_on", "matter"], name="matter_instruction_day")]

    def __str__(self) -> str:
        return f"{self.matter_id}: {self.instructed_on} {self.leader_id}"


class ExtensionRequest(models.Model):
    """An extension request (延期申请) of the handling deadline by the lead unit, made before
    the deadline and answered by the dispatcher; approval moves the deadline."""

    matter = models.ForeignKey(
        Matter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="extension_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    current_deadline = models.DateField(_("deadline when requested"))
    requested_deadline = models.DateField(_("requested deadline"))
    reason = models.TextField(_("reason"))
    state = models.CharField(
        _("state"), max_length=10, choices=ExtensionState.choices, default=ExtensionState.PENDING
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer_note = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["matter", "requested_at", "id"]
        constraints = [
            # At most one open request per matter.
            models.UniqueConstraint(
                fields=["matter"], condition=Q(state=ExtensionState.PENDING.value), name="extension_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.matter_id}: {self.requested_deadline} ({self.state})"


class MatterFile(StoredFile):
    """An attachment of a matter (the 督查通知单, a report's evidence …), stored under the data
    directory with a random name (zhaoyin.core.files) and served only through a scoped view.
    ``event`` is the step it came with (None for files given at registration)."""

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="files")
    event = models.ForeignKey(
        MatterEvent, verbose_name=_("event"), null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )

    class Meta:
        verbose_name = _("matter file")
        verbose_name_plural = _("matter files")
        ordering = ["matter", "uploaded_at", "id"]


class NoticeKind(models.TextChoices):
    """The escalation notices of a matter (DESIGN 3.5, 5.1)."""

    REMIND = "remind", _("Deadline approaching")  # 临期提醒
    URGE = "urge", _("Urging notice")  # 催办
    SUPERVISE = "supervise", _("Supervision notice")  # 督办
    LISTED = "listed", _("Listed for supervision")  # 挂牌督办


class MatterNotice(models.Model):
    """An escalation notice issued on a matter (提醒, 催办, 督办, 挂牌督办): a record, issued
    exactly once per (matter, kind, clock, deadline) — the unique constraint is what makes a
    second or concurrent scan a no-op (zhaoyin.lib.escalation.Notice.key). A new deadline
    (an extension, a rejected report) is a new key. For ``listed`` the clock is blank and
    ``deadline`` is the day the matter was listed. ``scan_token`` names the scan pass that
    inserted the row, so that pass alone notifies its recipients."""

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("kind"), max_length=12, choices=NoticeKind.choices)
    clock = models.CharField(_("clock"), max_length=12, blank=True)
    deadline = models.DateField(_("deadline"))
    due_on = models.DateField(_("due on"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    lead_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("lead unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    scan_token = models.CharField(_("scan pass"), max_length=32, editable=False)
    # A 催办 / 督办 by the supervision office's hand (issue 15): who, and its note (None: the scan).
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    # A database default: the scan inserts its notices with raw multi-row statements.
    note = models.TextField(_("note"), blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("matter notice")
        verbose_name_plural = _("matter notices")
        ordering = ["matter", "issued_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "kind", "clock", "deadline"], name="matter_notice_once"),
            models.CheckConstraint(condition=Q(kind__in=NoticeKind.values), name="matter_notice_kind_valid"),
        ]
        indexes = [
            models.Index(fields=["scan_token"], name="matter_notice_token"),
            models.Index(fields=["kind", "issued_at"], name="matter_notice_kind_at"),
        ]

    def __str__(self) -> str:
        return f"{self.matter_id}: {self.kind} {self.clock} {self.deadline}"


class EscalationScanState(models.Model):
    """One row: the calendar version and ladder settings the stored ``next_check_at`` values
    were computed with. When either changes (a holiday notice, new thresholds), the next scan
    revisits every open matter once."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    basis = models.CharField(_("computed with"), max_length=200, blank=True)
    last_pass_at = models.DateTimeField(_("last pass at"), null=True, blank=True)

    class Meta:
        verbose_name = _("escalation scan state")
        verbose_name_plural = _("escalation scan state")

    def __str__(self) -> str:
        return self.basis


class MatterTally(models.Model):
    """How many matters there are per (lead unit, dispatching unit, state, source, kind), kept
    exact by database triggers on the matter table (zhaoyin.matters.tally), so the counts of a
    list filtered by those columns alone are a sum over a few hundred rows instead of a count
    over a million. The units are plain ids, 0 standing for none (a draft has no lead unit):
    a unique key must not contain NULL for the triggers' upsert to find its row."""

    lead = models.IntegerField(_("lead unit"))
    dispatcher = models.IntegerField(_("dispatching unit"))
    state = models.CharField(_("state"), max_length=12)
    source = models.CharField(_("source"), max_length=20)
    kind = models.CharField(_("kind"), max_length=20)
    n = models.IntegerField(_("matters"), default=0)

    class Meta:
        verbose_name = _("matter tally")
        verbose_name_plural = _("matter tallies")
        constraints = [
            models.UniqueConstraint(fields=["lead", "dispatcher", "state", "source", "kind"], name="matter_tally_key")
        ]

    def __str__(self) -> str:
        return f"{self.lead}/{self.dispatcher} {self.state} {self.source} {self.kind}: {self.n}"


class SupervisionOrderSequence(models.Model):
    """The last 督办单 number handed out in a year (淮招督〔year〕N号): incremented by one UPDATE
    whose row lock is held until the issuing transaction ends, so numbers never repeat."""

    year = models.PositiveIntegerField(_("year"), primary_key=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("supervision order sequence")
        verbose_name_plural = _("supervision order sequences")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class SupervisionOrderKind(models.TextChoices):
    """What a 督办单 was issued for."""

    SUPERVISE = "supervise", _("Supervision")  # 督办
    LISTED = "listed", _("Listed supervision")  # 挂牌督办


class SupervisionOrder(models.Model):
    """A 督办单 (supervision order): numbered per year in the issuing transaction, its Word
    document (公文 layout) rendered from these fields on each download, outside any write
    transaction (zhaoyin.matters.supervision_docs). What it says is frozen here at issue."""

    matter = models.ForeignKey(
        Matter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="supervision_orders"
    )
    event = models.ForeignKey(
        MatterEvent, verbose_name=_("event"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=SupervisionOrderKind.choices)
    year = models.PositiveIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    lead_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("lead unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requirement = models.TextField(_("requirement"), blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("supervising leader"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        ordering = ["matter", "issued_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="supervision_order_number_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=SupervisionOrderKind.values), name="supervision_order_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.doc_number

    @property
    def doc_number(self) -> str:
        """文号: 淮招督〔year〕N号."""
        return f"淮招督〔{self.year}〕{self.number}号"
