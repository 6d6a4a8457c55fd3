"""Project use cases: create, change, stage changes with evidence, funds in place.

The only writers of project data. Each service is atomic and writes its audit record in the
same transaction (AUD-01).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.audit.services import audit_write, diff, snapshot
from zhaoyin.core import files as files_core
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.projects import flow, fund_flow
from zhaoyin.projects.alerts import alerts_refresh
from zhaoyin.projects.choices import FundFlag, FundVerification, Stage, StageChangeKind
from zhaoyin.projects.inputs import (
    FundCorrectionInput,
    FundEntryInput,
    FundRejectInput,
    FundVerifyInput,
    ProjectInput,
    ProjectUpdateInput,
    StageChangeInput,
)
from zhaoyin.projects.milestones import MILESTONE_FIELDS, project_milestones
from zhaoyin.projects.models import EvidenceFile, FundEntry, FundEvidenceFile, Project, StageEvent
from zhaoyin.projects.selectors import can_edit_project, fund_sum_wan
from zhaoyin.projects.validation import clean_project

#: Largest evidence file accepted (FILE-01).
MAX_EVIDENCE_BYTES = files_core.MAX_FILE_BYTES
#: Most evidence files on one stage change.
MAX_EVIDENCE_FILES = files_core.MAX_FILES
MAX_NOTE = 2000


# --------------------------------------------------------------------------- projects


def _next_code(year: int) -> str:
    """The next free ``XM-<year>-<5 digits>`` code (the unique index settles races)."""
    prefix = f"XM-{year}-"
    last = (
        Project.objects.filter(code__startswith=prefix).order_by("-code").values_list("code", flat=True).first()
    )
    number = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    return f"{prefix}{number:05d}"


@transaction.atomic
def project_create(*, acting_user: User | None, data: ProjectInput) -> Project:
    """Register a project at stage ``lead``; its first stage event is dated the first contact
    (or today). The code ``XM-<year>-<sequence>`` is generated. The references (industry, org
    unit, investor, staff) are looked up here, within the acting user's scope."""
    cleaned = clean_project(data.values(), acting_user=acting_user)
    today = timezone.localdate()
    stage_on = cleaned.get("first_contact_on") or today
    project = Project(**cleaned, stage=Stage.LEAD, stage_on=stage_on)
    for _attempt in range(5):
        project.code = _next_code(today.year)
        project.refresh_search_text()
        try:
            # A savepoint: a concurrent insert of the same code fails only this attempt.
            with transaction.atomic():
                project.save(force_insert=True)
            break
        except IntegrityError:
            project.pk = None
    else:  # pragma: no cover - five collisions in a row
        raise Conflict(_("Could not allocate a project code; try again."))
    StageEvent.objects.create(
        project=project,
        from_stage="",
        to_stage=Stage.LEAD,
        kind=StageChangeKind.ADVANCE,
        stage_on=stage_on,
        created_by=acting_user,
    )
    _store_milestones(project)
    audit_write(action="project.create", user=acting_user, obj=project, after=snapshot(project))
    return project


#: The project fields the 红黄绿 light reads (besides the stage and the funds).
LIGHT_INPUTS = frozenset({"total_investment_wan", "planned_start_on", "planned_production_on"})


def _store_milestones(project: Project) -> None:
    """Replay the project's stage history into its milestone columns (one read, one write)."""
    values = project_milestones(project.pk, project.first_contact_on)
    Project.objects.filter(pk=project.pk).update(**values)
    for key, value in values.items():
        setattr(project, key, value)


@transaction.atomic
def project_update(*, acting_user: User | None, project: Project, data: ProjectUpdateInput) -> Project:
    """Change a project's fields (PATCH semantics: the fields sent; the stage only through
    stage services).

    ``data.version`` guards against lost updates (CONC-01): a stale one raises ``Conflict``.
    Saving what is already stored writes nothing.
    """
    if acting_user is not None and not can_edit_project(acting_user, project):
        raise PermissionDenied
    cleaned = clean_project(data.values(), acting_user=acting_user, partial=True, current=project)
    version = data.version
    if version is not None and version != project.version:
        raise Conflict(_("This project was changed by someone else; reload it and apply your change again."))
    before = snapshot(project)
    if all(getattr(project, key) == value for key, value in cleaned.items()):
        return project
    current_version = project.version
    for key, value in cleaned.items():
        setattr(project, key, value)
    project.refresh_search_text()
    project.updated_at = timezone.now()
    update_fields = [*cleaned, "search_text", "updated_at"]
    if "first_contact_on" in cleaned:  # the first span starts at the first contact
        for key, value in project_milestones(project.pk, project.first_contact_on).items():
            setattr(project, key, value)
        update_fields += MILESTONE_FIELDS
    values = {f: getattr(project, f) for f in update_fields}
    changed = Project.objects.filter(pk=project.pk, version=current_version).update(
        version=current_version + 1, **values
    )
    if changed != 1:
        project.refresh_from_db()
        raise Conflict(_("This project was changed by someone else; reload it and apply your change again."))
    project.version = current_version + 1
    if LIGHT_INPUTS & set(cleaned):
        alerts_refresh(project_ids=[project.pk])
    old, new = diff(before, snapshot(project))
    if old or new:
        audit_write(action="project.update", user=acting_user, obj=project, before=old, after=new)
    return project


# --------------------------------------------------------------------------- evidence files


# The checks and the storage are shared with other apps' attachments (zhaoyin.core.files).
sniff_content_type = files_core.sniff_content_type
EVIDENCE_AREA = "evidence"


def _check_files(files: Sequence[files_core.Upload] | None) -> list[files_core.CheckedFile]:
    """Read and check every upload before anything is written (size, type)."""
    # The limits are read here, at call time, so tests can lower them on this module.
    return files_core.check_uploads(files, max_files=MAX_EVIDENCE_FILES, max_bytes=MAX_EVIDENCE_BYTES)


def evidence_dir() -> Path:
    """Where evidence files live: ``DATA_DIR/evidence`` (outside any web root)."""
    return files_core.file_dir(EVIDENCE_AREA)


def evidence_path(stored_name: str) -> Path:
    """The path of a stored evidence file (the stored name is random hex, never user input)."""
    return files_core.stored_path(EVIDENCE_AREA, stored_name)


def _store_files(
    checked: Iterable[files_core.CheckedFile],
    *,
    event: StageEvent,
    acting_user: User | None,
    store: files_core.UploadStore,
) -> list[EvidenceFile]:
    """Write the files under random names (``store`` removes them if the change fails) and
    record them."""
    return [EvidenceFile.objects.create(event=event, uploaded_by=acting_user, **store.write(item)) for item in checked]


@transaction.atomic
def evidence_open(*, acting_user: User, evidence: EvidenceFile) -> BinaryIO:
    """Open an evidence file for ``acting_user`` to download, and audit the read.

    ``evidence`` comes from ``selectors.evidence_get_for_user`` (scope already checked). The
    record ("project.evidence.download") names the file and its project. A file missing on
    disk raises ``OSError`` before anything is recorded; the caller answers 404. If the audit
    write fails, the handle is closed and nothing is served (AUD-04: fail closed).
    """
    project = evidence.event.project
    return files_core.open_attachment(
        evidence, area=EVIDENCE_AREA, acting_user=acting_user, action="project.evidence.download",
        owner_repr=project.code, owner={"project": project.pk, "project_code": project.code},
    )


# --------------------------------------------------------------------------- stage changes


def _change_stage(
    expected: StageChangeKind | None,
    *,
    acting_user: User | None,
    project: Project,
    data: StageChangeInput,
    files: Sequence[files_core.Upload] | None = None,
) -> StageEvent:
    """The one implementation behind every stage service.

    Order of checks: input (the model: stage, date, texts; files: 422) → the transition table under a
    row lock (409 if the table refuses it, or the kind is not ``expected``) → reason (422).
    The project row is locked and updated compare-and-set on (stage, version), so a double
    submit changes the stage once and the second gets a 409.
    """
    if acting_user is not None and not can_edit_project(acting_user, project):
        raise PermissionDenied
    target, when, note_text, reason_text = Stage(data.stage), data.date, data.note, data.reason
    checked = _check_files(files)
    # The transaction inside the store: when it rolls back, its files go too (RES-02).
    with files_core.stored_uploads(EVIDENCE_AREA) as store, transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        current = Stage(locked.stage)
        resume_to = Stage(locked.resume_stage) if locked.resume_stage else None
        found = flow.stage_change(current, target, resume_to)
        if found is None or (expected is not None and found.action != expected):
            raise Conflict(
                _("A project at stage %(current)s cannot change to %(target)s.")
                % {"current": current.label, "target": target.label}
            )
        kind = StageChangeKind(found.action)
        if acting_user is not None and not found.may(acting_user.role_codes):
            raise PermissionDenied
        if found.needs_reason and not reason_text:
            raise InvalidInput.field("reason", _("This change needs a reason."))
        _check_timeline(current, locked.stage_on, when)
        if kind == StageChangeKind.HOLD:
            new_resume = current.value
        elif kind == StageChangeKind.TERMINATE:
            # A held project that is terminated remembers the main-line stage it left.
            new_resume = locked.resume_stage if current == Stage.ON_HOLD else current.value
        else:
            new_resume = ""
        before = {"stage": locked.stage, "stage_on": locked.stage_on, "resume_stage": locked.resume_stage}
        now = timezone.now()
        changed = Project.objects.filter(pk=locked.pk, stage=locked.stage, version=locked.version).update(
            stage=target.value,
            stage_on=when,
            resume_stage=new_resume,
            version=locked.version + 1,
            updated_at=now,
        )
        if changed != 1:  # pragma: no cover - the row lock makes this unreachable on PostgreSQL
            raise Conflict(_("This project was changed by someone else; reload it and try again."))
        event = StageEvent.objects.create(
            project=locked,
            from_stage=current.value,
            to_stage=target.value,
            kind=kind,
            stage_on=when,
            note=note_text,
            reason=reason_text,
            created_by=acting_user,
            created_at=now,
        )
        _store_milestones(locked)
        alerts_refresh(project_ids=[locked.pk])
        stored = _store_files(checked, event=event, acting_user=acting_user, store=store)
        audit_write(
            action=f"project.stage.{kind.value}",
            user=acting_user,
            obj=locked,
            before=before,
            after={
                "stage": target.value,
                "stage_on": when,
                "resume_stage": new_resume,
                "reason": reason_text,
                "note": note_text,
                "files": [f.original_name for f in stored],
            },
        )
    # Called inside an enclosing transaction that later rolls back, the files would stay as
    # orphans no row points at (never served); the pages and the API call this outside one.
    project.stage = target.value
    project.stage_on = when
    project.resume_stage = new_resume
    project.version = locked.version + 1
    project.updated_at = now
    for key in MILESTONE_FIELDS:
        setattr(project, key, getattr(locked, key))
    return event


def _check_timeline(current: Stage, current_on: dt.date | None, when: dt.date) -> None:
    """A stage's date follows the timeline (issue 16): on or after the date of the stage it
    leaves (the newest event's, mirrored in ``Project.stage_on``), so each stage of the history
    is dated on or after the one before; "not in the future" is the input model's check. Run
    under the project's row lock, before anything is written: a refused date changes nothing."""
    if current_on is not None and when < current_on:
        raise InvalidInput.field(
            "date",
            _("The date must be on or after %(date)s, the date of the stage before (%(stage)s).")
            % {"date": current_on.isoformat(), "stage": current.label},
        )


def _stage_service(kind: StageChangeKind, doc: str) -> Callable[..., StageEvent]:
    def service(
        *,
        acting_user: User | None,
        project: Project,
        data: StageChangeInput,
        files: Sequence[files_core.Upload] | None = None,
    ) -> StageEvent:
        return _change_stage(kind, acting_user=acting_user, project=project, data=data, files=files)

    service.__name__ = f"project_{kind.value}"
    service.__doc__ = doc
    return service


project_advance = _stage_service(StageChangeKind.ADVANCE, "Move a project to the next main-line stage.")
project_skip = _stage_service(
    StageChangeKind.SKIP, "Move a project forward past one or more stages; a reason is required."
)
project_correct = _stage_service(
    StageChangeKind.CORRECTION, "Move a project back to an earlier stage (a recorded correction; reason required)."
)
project_hold = _stage_service(StageChangeKind.HOLD, "Put a project on hold (reason required); it remembers its stage.")
project_resume = _stage_service(StageChangeKind.RESUME, "Resume a held project at the stage it left.")
project_terminate = _stage_service(StageChangeKind.TERMINATE, "Terminate a project (reason required).")
project_reopen = _stage_service(
    StageChangeKind.REOPEN, "Reopen a terminated project at a main-line stage (reason required)."
)

STAGE_SERVICES: dict[StageChangeKind, Callable[..., StageEvent]] = {
    StageChangeKind.ADVANCE: project_advance,
    StageChangeKind.SKIP: project_skip,
    StageChangeKind.CORRECTION: project_correct,
    StageChangeKind.HOLD: project_hold,
    StageChangeKind.RESUME: project_resume,
    StageChangeKind.TERMINATE: project_terminate,
    StageChangeKind.REOPEN: project_reopen,
}


def project_change_stage(
    *,
    acting_user: User | None,
    project: Project,
    data: StageChangeInput,
    files: Sequence[files_core.Upload] | None = None,
) -> StageEvent:
    """Change a project's stage: looks the change up in the table (``flow.stage_change``) and
    calls the service of that kind (which checks it again under the row lock).

    A change the table forbids → ``Conflict``; a change that needs a reason without one →
    ``InvalidInput`` on ``reason``.
    """
    current = Stage(project.stage)
    resume_to = Stage(project.resume_stage) if project.resume_stage else None
    found = flow.stage_change(current, Stage(data.stage), resume_to)
    if found is None:
        # Still call through the generic path: it re-reads the row, so a stale ``project``
        # object gets the verdict of the stored stage.
        return _change_stage(None, acting_user=acting_user, project=project, data=data, files=files)
    return STAGE_SERVICES[found.action](acting_user=acting_user, project=project, data=data, files=files)


# --------------------------------------------------------------------------- funds in place


#: The stages at which a project has signed (funds may arrive).
SIGNED_OR_LATER = frozenset({Stage.SIGNED, Stage.REGISTERED, Stage.STARTED, Stage.PRODUCING, Stage.FULL_CAPACITY})


def month_share_flag() -> Decimal:
    """``ZHAOYIN_FUNDS_MONTH_SHARE_FLAG``: one month above this share of the total is flagged."""
    return Decimal(str(getattr(settings, "ZHAOYIN_FUNDS_MONTH_SHARE_FLAG", "0.5")))


def fund_plausibility(
    *, project: Project, month: dt.date, amount: Decimal, over_total_reason: str, replacing: FundEntry | None = None,
    new_entry: bool = True,
) -> list[str]:
    """The plausibility rules of an entry (docs/targets.md, "Plausibility"): refuse, or return
    the flags (``FundFlag`` codes) the verifier is shown.

    - a new entry on a project not yet signed (lead, negotiating: ``signed_on`` is empty) is
      refused on ``month`` — no month's funds can arrive before there is an agreement;
    - the project's cumulative active funds with this entry above its total investment are
      refused on ``over_total_reason`` unless a reason is given, then flagged ``over_total``;
    - this entry's month (all of the project's active entries of that month) above
      ``month_share_flag()`` of the total is flagged ``month_share``.

    ``replacing``: the entry a correction supersedes (its amount no longer counts). Called
    under the project's row lock, so two simultaneous entries cannot both pass.
    """
    # The milestone column, or the stage for a project stored without its history replayed.
    signed = project.signed_on is not None or Stage(project.stage) in SIGNED_OR_LATER
    if new_entry and not signed:
        raise InvalidInput.field(
            "month",
            _("Funds in place can be recorded only once the project is signed; this project is at stage %(stage)s.")
            % {"stage": Stage(project.stage).label},
        )
    active = FundEntry.objects.filter(project=project, superseded_at__isnull=True)
    if replacing is not None:
        active = active.exclude(pk=replacing.pk)
    total = project.total_investment_wan
    cumulative = fund_sum_wan(active) + amount
    flags: list[str] = []
    if cumulative > total:
        if not over_total_reason:
            raise InvalidInput.field(
                "over_total_reason",
                _(
                    "With this entry the project's funds in place (%(cumulative)s 万元) exceed its total investment "
                    "(%(total)s 万元); give a reason to record it for the city's check."
                )
                % {"cumulative": cumulative, "total": total},
            )
        flags.append(FundFlag.OVER_TOTAL.value)
    month_total = fund_sum_wan(active.filter(month=month)) + amount
    if total > 0 and month_total > total * month_share_flag():
        flags.append(FundFlag.MONTH_SHARE.value)
    return flags


@transaction.atomic
def fund_entry_add(
    *,
    acting_user: User | None,
    project: Project,
    data: FundEntryInput,
    refresh_alerts: bool = True,
) -> FundEntry:
    """Record funds in place for one project, month, source and kind (万元, Decimal).

    A second active entry for the same project/month/source/kind is refused: the existing one
    is to be corrected (``fund_entry_correct``), which keeps the history.
    """
    if acting_user is not None and not can_edit_project(acting_user, project):
        raise PermissionDenied
    when, amount, source_code, kind_code, note_text = data.month, data.amount_wan, data.source, data.kind, data.note
    # Lock the project: two simultaneous first entries for one month are serialised here, and
    # the plausibility sums read a stable set of entries.
    locked = Project.objects.select_for_update().filter(pk=project.pk).first() or project
    flags = fund_plausibility(
        project=locked, month=when, amount=amount, over_total_reason=data.over_total_reason
    )
    duplicate_message = _(
        "There is already an entry for this project, month, source and type; correct that entry instead."
    )
    if FundEntry.objects.filter(
        project=project, month=when, source=source_code, kind=kind_code, superseded_at__isnull=True
    ).exists():
        raise InvalidInput.field("month", duplicate_message)
    try:
        with transaction.atomic():
            entry = FundEntry.objects.create(
                project=project,
                month=when,
                amount_wan=amount,
                source=source_code,
                kind=kind_code,
                note=note_text,
                entered_by=acting_user,
                flags=flags,
                over_total_reason=data.over_total_reason if FundFlag.OVER_TOTAL in flags else "",
                # A month entered again after the city returned it points back to the returned entry.
                replaces=_returned_entry(project, when, source_code, kind_code),
            )
    except IntegrityError:
        raise InvalidInput.field("month", duplicate_message) from None
    if refresh_alerts:  # an import refreshes the lights of all its projects once, at the end
        alerts_refresh(project_ids=[project.pk])
    audit_write(
        action="project.funds.add",
        user=acting_user,
        obj=entry,
        object_repr=f"{project.code} {when:%Y-%m}",
        after=snapshot(entry),
    )
    return entry


@transaction.atomic
def fund_entry_correct(
    *, acting_user: User | None, entry: FundEntry, data: FundCorrectionInput, refresh_alerts: bool = True
) -> FundEntry:
    """Correct an active funds entry: the old one is marked superseded and a new one points
    back to it (``replaces``), so the history of the figure stays. A note is required."""
    project = entry.project
    rule = fund_flow.TABLE.by_action[fund_flow.Action.CORRECT]
    if acting_user is not None and not (can_edit_project(acting_user, project) and rule.may(acting_user.role_codes)):
        raise PermissionDenied
    amount, note_text = data.amount_wan, data.note
    if rule.needs_reason and not note_text:
        raise InvalidInput.field("note", _("Say why the figure is corrected."))
    already = _("This entry has already been corrected; reload the project and correct the current one.")
    if fund_flow.TABLE.transition_for(fund_flow.Action.CORRECT, fund_flow.state_of(entry)) is None:
        raise Conflict(already)
    locked = Project.objects.select_for_update().filter(pk=project.pk).first() or project
    flags = fund_plausibility(
        project=locked, month=entry.month, amount=amount, over_total_reason=data.over_total_reason,
        replacing=entry, new_entry=False,
    )
    now = timezone.now()
    # Compare-and-set on the row's source state (active: not superseded): of two simultaneous
    # corrections of one entry only the first succeeds.
    changed = FundEntry.objects.filter(pk=entry.pk, superseded_at__isnull=True).update(superseded_at=now)
    if changed != 1:
        raise Conflict(already)
    new = FundEntry.objects.create(
        project=project,
        month=entry.month,
        amount_wan=amount,
        source=entry.source,
        kind=entry.kind,
        note=note_text,
        replaces=entry,
        entered_by=acting_user,
        entered_at=now,
        flags=flags,
        over_total_reason=data.over_total_reason if FundFlag.OVER_TOTAL in flags else "",
    )
    entry.superseded_at = now
    if refresh_alerts:
        alerts_refresh(project_ids=[project.pk])
    audit_write(
        action="project.funds.correct",
        user=acting_user,
        obj=new,
        object_repr=f"{project.code} {entry.month:%Y-%m}",
        before={"amount_wan": entry.amount_wan, "entry": entry.pk},
        after={"amount_wan": amount, "entry": new.pk, "note": note_text},
    )
    return new


def _returned_entry(project: Project, month: dt.date, source: str, kind: str) -> FundEntry | None:
    """The newest entry of this key the city returned and nothing replaced yet, or None."""
    return (
        FundEntry.objects.filter(
            project=project, month=month, source=source, kind=kind,
            verification=FundVerification.REJECTED, replaced_by__isnull=True,
        )
        .order_by("-superseded_at", "-id")
        .first()
    )


def _check_rule(acting_user: User | None, entry: FundEntry, action: fund_flow.Action) -> None:
    """403 unless ``acting_user`` holds the row's role and did not enter the entry (four
    eyes: a county never verifies its own figure, nor does anyone else); 409 when the table
    does not allow the action from the entry's state."""
    rule = fund_flow.TABLE.by_action[action]
    if acting_user is not None and (
        fund_flow.entered_by(entry, acting_user.pk) or not rule.may(acting_user.role_codes)
    ):
        from zhaoyin.audit.services import audit_denied

        audit_denied(user=acting_user, action=f"project.funds.{action.value}_denied", target=f"fund entry {entry.pk}")
        raise PermissionDenied
    if fund_flow.TABLE.transition_for(action, fund_flow.state_of(entry)) is None:
        raise Conflict(_("This entry has already been checked or corrected; reload the project."))


def fund_entry_verify(
    *,
    acting_user: User | None,
    entry: FundEntry,
    data: FundVerifyInput,
    files: Sequence[files_core.Upload] | None = None,
) -> FundEntry:
    """核实 a reported funds entry: it counts in targets and rankings from now on.

    At least one 到账凭证 file (bank slip or 验资 report; PDF or image, judged by its bytes) is
    required and stored with the entry. Order of checks: who (403: the verifier role, never
    the person who entered it) → state (409) → files (422 on ``files``). The entry is changed
    compare-and-set on its state, so a double submit verifies once.
    """
    _check_rule(acting_user, entry, fund_flow.Action.VERIFY)
    uploads = files_core.read_uploads(files, max_files=MAX_EVIDENCE_FILES, max_bytes=MAX_EVIDENCE_BYTES)
    checked = uploads.checked()
    if not checked:
        raise InvalidInput.field(
            "files", _("Attach the proof of arrival (a bank slip or a capital verification report).")
        )
    with files_core.stored_uploads(EVIDENCE_AREA) as store, transaction.atomic():
        now = timezone.now()
        changed = FundEntry.objects.filter(
            pk=entry.pk, superseded_at__isnull=True, verification=FundVerification.REPORTED
        ).update(
            verification=FundVerification.VERIFIED, verified_by=acting_user, verified_at=now,
            evidence_kind=data.evidence_kind.value, verification_note=data.note,
        )
        if changed != 1:
            raise Conflict(_("This entry has already been checked or corrected; reload the project."))
        stored = [
            FundEvidenceFile.objects.create(entry=entry, uploaded_by=acting_user, **store.write(item))
            for item in checked
        ]
        entry.refresh_from_db()
        audit_write(
            action="project.funds.verify",
            user=acting_user,
            obj=entry,
            object_repr=f"{entry.project.code} {entry.month:%Y-%m}",
            before={"verification": FundVerification.REPORTED.value},
            after={
                "verification": entry.verification, "evidence_kind": entry.evidence_kind,
                "note": entry.verification_note, "files": [f.original_name for f in stored],
            },
        )
    return entry


def fund_entry_reject(*, acting_user: User | None, entry: FundEntry, data: FundRejectInput) -> FundEntry:
    """退回 a reported funds entry with the reason: it leaves the active set (the county may
    enter the month again, the new entry pointing back to this one) and stays in the history.
    Checks as for ``fund_entry_verify`` (403 → 409), the reason by the input model (422).
    The refusal is checked (and its denial audited) before the write transaction opens."""
    _check_rule(acting_user, entry, fund_flow.Action.REJECT)
    with transaction.atomic():
        now = timezone.now()
        changed = FundEntry.objects.filter(
            pk=entry.pk, superseded_at__isnull=True, verification=FundVerification.REPORTED
        ).update(
            verification=FundVerification.REJECTED, verified_by=acting_user, verified_at=now,
            verification_note=data.reason, superseded_at=now,
        )
        if changed != 1:
            raise Conflict(_("This entry has already been checked or corrected; reload the project."))
        entry.refresh_from_db()
        alerts_refresh(project_ids=[entry.project_id])
        audit_write(
            action="project.funds.reject",
            user=acting_user,
            obj=entry,
            object_repr=f"{entry.project.code} {entry.month:%Y-%m}",
            before={"verification": FundVerification.REPORTED.value},
            after={"verification": entry.verification, "reason": data.reason},
        )
    return entry


@transaction.atomic
def fund_evidence_open(*, acting_user: User, evidence: FundEvidenceFile) -> BinaryIO:
    """Open a 到账凭证 for ``acting_user`` to download, and audit the read (as ``evidence_open``;
    ``evidence`` comes from ``selectors.fund_evidence_get_for_user``, scope checked)."""
    project = evidence.entry.project
    return files_core.open_attachment(
        evidence, area=EVIDENCE_AREA, acting_user=acting_user, action="project.funds.evidence.download",
        owner_repr=project.code,
        owner={"project": project.pk, "project_code": project.code, "entry": evidence.entry_id},
    )
