"""亩均 runs and their process: the only writers of runs, results, grade changes (调档) and
objections (异议).

Every step goes through ``flow.RUN_TABLE``: the row is looked up for the action and the run's
current state (none → 409), the user must hold one of its actors (403, audited as denied), the
run is compared and set on ``version`` (stale → 409), and the row's ``notify`` actors are told
once the step commits (``notifications.handoff``, resolved by ``mujun.todo``).

Slow work stays outside the write transactions: a run's snapshot is read from the inputs and
evaluated by the pure engine (``lib.mujun``, seconds at 100 000 firms) first; one transaction
then stores the run and its results in bulk. A re-run (``recompute`` over refreshed inputs, an
upheld objection over the corrected snapshot) evaluates first too and, inside the transaction,
checks that the run has not moved meanwhile (its ``version``), then replaces the results.

Decisions (docs/mujun.md, "Runs and the process"):

- A re-run keeps the result rows that grade changes or objections point at (updated in place,
  so their history stays) and replaces the others. An approved 调档 is applied again only when
  the firm's new initial grade is the one the change was made from; otherwise the change stays
  in the history, unapplied, and the audit record of the re-run lists it (``dropped``).
- ``recompute`` is refused (409) while a grade change waits for its decision.
- The 公示 opens on the next working day and lasts the scheme's ``publicity_days`` working
  days (``publicity_end``); a firm may object until the end of its last day (then 409).
- An objection is also a matter with a deadline: it is registered for the firm (its portal
  account the requester) through ``matters.services.matter_raise_for_process`` and handed at
  once to the lead unit (the 经信局, ``ZHAOYIN_MU_LEAD_UNIT``; else the city) with its answer
  due ``OBJECTION_DAYS`` working days after it was made (``due_on``, the matter's handling
  deadline: the matters' clocks, reminders and escalation apply). Answering the objection
  (uphold or dismiss) records the answer on the matter and closes it through
  ``matters.services.matter_close_for_process`` (签收 if needed, 办结反馈 with the answer,
  审核办结) in the same transaction.
- ``publish`` freezes the scheme (the schemes part's ``scheme_freeze`` replaces the direct
  write below once merged) and hands the grades on (``grades.publish_grades``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind, User
from zhaoyin.audit.services import audit_denied, audit_write
from zhaoyin.core import files as files_core
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.lib import mujun
from zhaoyin.lib.workdays import CalendarRangeError
from zhaoyin.mujun import flow, grades, scheme_data, scheme_services, snapshot
from zhaoyin.mujun.flow import (
    AFTER_PUBLICITY,
    DURING_PUBLICITY,
    FOUR_EYES,
    NO_PENDING_CHANGES,
    OBJECTIONS_ANSWERED,
    OPENS_PUBLICITY,
    RUN,
    RUN_TABLE,
    Action,
    State,
)
from zhaoyin.mujun.inputs import (
    AnswerInput,
    GradeDecideInput,
    GradeProposeInput,
    ObjectionInput,
    RunCreateInput,
    StepInput,
)
from zhaoyin.mujun.models import (
    FILE_AREA,
    OBJECTION_DAYS,
    ChangeState,
    MuGradeChange,
    MuObjection,
    MuObjectionFile,
    MuResult,
    MuRun,
    MuScheme,
    ObjectionState,
)
from zhaoyin.mujun.selectors import actors_of, is_evaluator
from zhaoyin.notifications import handoff
from zhaoyin.workcalendar.selectors import current_calendar

#: Rows per INSERT when a run's results are stored (SQLite's variable limit, PostgreSQL's
#: statement size: 2 000 rows of 12 columns stay well inside both).
CHUNK = 2000
#: The org unit code of the lead department (经信局) that answers objections.
DEFAULT_LEAD_UNIT = "dept-jxj"


def today() -> dt.date:
    """The local date the 公示 is judged by (Asia/Shanghai); the tests move it."""
    return timezone.localdate()


def _stale() -> Conflict:
    return Conflict(_("Someone else changed this evaluation run meanwhile; reload it and try again."))


def _refuse(user: User, action: str, target: str, message: str) -> PermissionDenied:
    audit_denied(user=user, action=f"mu_run.{action}_denied", target=target)
    return PermissionDenied(message)


def _require_evaluator(user: User, action: str, target: str) -> None:
    if not is_evaluator(user):
        raise _refuse(user, action, target, _("Only the 亩均 office and city administrators run evaluations."))


def lead_unit() -> OrgUnit | None:
    """The unit that answers objections: ``settings.ZHAOYIN_MU_LEAD_UNIT`` (default the
    经信局, ``dept-jxj``), else the city."""
    code = getattr(settings, "ZHAOYIN_MU_LEAD_UNIT", DEFAULT_LEAD_UNIT) or DEFAULT_LEAD_UNIT
    found = OrgUnit.objects.filter(code=code, is_active=True).first()
    return found or OrgUnit.objects.filter(parent__isnull=True, kind=OrgUnitKind.CITY).order_by("pk").first()


# ---- evaluation (outside any transaction) -------------------------------------------------------


@dataclass(frozen=True)
class Evaluated:
    """A snapshot evaluated under a scheme: what a run stores."""

    snapshot: list[dict[str, Any]]
    run: mujun.Run
    scheme_digest: str

    @property
    def digest(self) -> str:
        return self.run.digest()


def _engine_scheme(scheme: MuScheme) -> mujun.Scheme:
    """The stored scheme read into the engine; its errors named ``definition.<path>``."""
    try:
        return scheme_data.to_engine(scheme.definition, year=scheme.year, number=scheme.number)
    except mujun.SchemeError as exc:
        raise InvalidInput(
            _("The scheme cannot be run: correct it first."),
            [{"field": f"definition.{path}", "message": str(m)} for path, ms in exc.errors.items() for m in ms],
        ) from None


def evaluate(scheme: MuScheme, entries: list[dict[str, Any]]) -> Evaluated:
    """Evaluate ``entries`` (a stored snapshot) under ``scheme`` — the pure engine, no writes."""
    engine_scheme = _engine_scheme(scheme)
    result = mujun.evaluate(engine_scheme, snapshot.firm_inputs(entries))
    return Evaluated(snapshot=entries, run=result, scheme_digest=scheme_data.scheme_digest(scheme.definition))


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _indicator_rows(r: mujun.FirmResult) -> list[list[Any]]:
    return [[i.code, i.formula, _text(i.value), _text(i.benchmark), str(i.weight), str(i.points), i.note]
            for i in r.indicators]


def _result_values(r: mujun.FirmResult) -> dict[str, Any]:
    """A result's columns (the firm and run aside)."""
    return {
        "list_code": r.list_code,
        "score": r.score,
        "rank": r.rank,
        "initial_grade": r.grade or "",
        "grade": r.grade or "",
        "why": r.why,
        "indicators": _indicator_rows(r),
        "adjustments": [[str(a.points), a.reason] for a in r.adjustments],
    }


OUTSIDE_VALUES: dict[str, Any] = {
    "list_code": "", "score": None, "rank": None, "initial_grade": "", "grade": "", "why": "outside",
    "indicators": [], "adjustments": [],
}


def _benchmarks(run: mujun.Run) -> dict[str, dict[str, str | None]]:
    return {code: {k: _text(v) for k, v in marks.items()} for code, marks in run.benchmarks.items()}


def _run_fields(done: Evaluated) -> dict[str, Any]:
    return {
        "snapshot": done.snapshot,
        "benchmarks": _benchmarks(done.run),
        "outside": list(done.run.outside),
        "inputs_digest": done.run.inputs_digest,
        "scheme_digest": done.scheme_digest,
        "engine_version": mujun.ENGINE_VERSION,
        "digest": done.digest,
        "firms": len(done.snapshot),
    }


def _per_firm(done: Evaluated) -> Iterable[tuple[dict[str, Any], dict[str, Any]]]:
    """(snapshot entry, result columns) of every firm, in key order: the scored ones and those
    outside every list."""
    by_key = {r.key: r for r in done.run.results}
    for entry in done.snapshot:
        found = by_key.get(entry["key"])
        yield entry, (_result_values(found) if found is not None else OUTSIDE_VALUES)


def _store_results(run: MuRun, done: Evaluated, *, keep: dict[int, MuResult] | None = None) -> None:
    """Write the results of ``done``: the rows in ``keep`` (by enterprise) updated in place, the
    others created in chunks."""
    keep = keep or {}
    batch: list[MuResult] = []
    for entry, values in _per_firm(done):
        values = values | {"figures": entry["figures"]}
        kept = keep.get(entry["enterprise"])
        if kept is not None:
            for name, value in values.items():
                setattr(kept, name, value)
            kept.org_unit_id = entry["org_unit"]
            kept.save()
            continue
        batch.append(MuResult(run=run, enterprise_id=entry["enterprise"], org_unit_id=entry["org_unit"], **values))
        if len(batch) >= CHUNK:
            MuResult.objects.bulk_create(batch)
            batch = []
    if batch:
        MuResult.objects.bulk_create(batch)


# ---- making a run -------------------------------------------------------------------------------


def run_create(*, acting_user: User, data: RunCreateInput) -> MuRun:
    """初评: evaluate the scheme's year under the scheme and store the run with every firm's
    result (those outside every list too: ``why = "outside"``).

    An unknown scheme → 422 naming ``scheme``; a scheme that does not validate → 422 naming
    each field (``definition.lists[0].indicators[2].benchmark``); a year without inputs → 422
    naming ``scheme``. The snapshot is read and evaluated before the one write transaction.
    Audited as "mu_run.run"."""
    _require_evaluator(acting_user, "run", f"scheme {data.scheme}")
    scheme = MuScheme.objects.filter(pk=data.scheme).first()
    if scheme is None:
        raise InvalidInput.field("scheme", _("No such scheme."))
    engine_scheme = _engine_scheme(scheme)
    entries = snapshot.build(scheme.year, exempt_industries=scheme_data.exempt_industries(scheme.definition))
    if not entries:
        raise InvalidInput.field(
            "scheme", _("There are no inputs for %(year)d: import the bureaus' figures first.") % {"year": scheme.year})
    result = mujun.evaluate(engine_scheme, snapshot.firm_inputs(entries))
    done = Evaluated(snapshot=entries, run=result, scheme_digest=scheme_data.scheme_digest(scheme.definition))
    return _run_store(acting_user=acting_user, scheme=scheme, done=done)


@transaction.atomic
def _run_store(*, acting_user: User, scheme: MuScheme, done: Evaluated) -> MuRun:
    now = timezone.now()
    run = MuRun.objects.create(scheme=scheme, year=scheme.year, created_by=acting_user, created_at=now,
                               updated_at=now, **_run_fields(done))
    _store_results(run, done)
    audit_write(action="mu_run.run", user=acting_user, obj=run, after=_digests(run) | {
        "scheme": scheme.pk, "firms": run.firms, "outside": len(run.outside)})
    handoff.hand_off(table=RUN_TABLE, row=RUN, pk=run.pk, source="", acting_user=acting_user)
    return run


def _digests(run: MuRun) -> dict[str, Any]:
    return {"inputs_digest": run.inputs_digest, "scheme_digest": run.scheme_digest,
            "engine_version": run.engine_version, "digest": run.digest, "revision": run.revision}


# ---- the steps of the table ---------------------------------------------------------------------


def _check_actor(user: User, run: MuRun, action: str, *, enterprise_id: int | None = None) -> flow.RunTransition:
    rule = RUN_TABLE.get(action)
    if rule is None:
        raise InvalidInput.field("action", _("Choose one of: %(values)s.") % {"values": ", ".join(flow.STEP_ACTIONS)})
    if not rule.may(actors_of(user, run, enterprise_id=enterprise_id)):
        raise _refuse(user, action, f"mu_run {run.pk}", _("You may not take this step on this evaluation run."))
    return rule


def _locked(run: MuRun, version: int | None, action: str) -> tuple[MuRun, flow.RunTransition]:
    """The run locked for the step, its version checked, and the row the table gives (409)."""
    current = MuRun.objects.select_for_update().select_related("scheme").get(pk=run.pk)
    if current.version != (run.version if version is None else version):
        raise _stale()
    row = flow.transition_for(action, current.state)
    if row is None:
        raise Conflict(
            _("“%(action)s” is not allowed on an evaluation run that is “%(state)s”.")
            % {"action": flow.ACTION_LABELS[Action(action)], "state": current.get_state_display()}
        )
    return current, row


def _bump(run: MuRun, **changes: Any) -> None:
    """Compare-and-set the run on (version, state): the row is locked, and this states the
    rule should the lock ever be missing (SQLite has no row locks)."""
    now = timezone.now()
    updated = MuRun.objects.filter(pk=run.pk, version=run.version, state=run.state).update(
        version=run.version + 1, updated_at=now, **changes)
    if updated != 1:
        raise _stale()
    for name, value in changes.items():
        setattr(run, name, value)
    run.version, run.updated_at = run.version + 1, now


def publicity_dates(on: dt.date, days: int) -> tuple[dt.date, dt.date]:
    """The 公示 opened on ``on``: its first day (the next working day) and its last (``days``
    working days counted from the next day, as every clock of the platform)."""
    cal = current_calendar()
    try:
        start, _p = cal.add_workdays(on, 1)
        end, _p = cal.add_workdays(on, days)
    except CalendarRangeError:
        raise Conflict(_("The publicity would end outside the working-day calendar.")) from None
    return start, end


def _pending_changes(run: MuRun) -> int:
    return MuGradeChange.objects.filter(run=run, state=ChangeState.PROPOSED).count()


def _open_objections(run: MuRun) -> int:
    return MuObjection.objects.filter(run=run, state=ObjectionState.OPEN).count()


def run_step(*, acting_user: User, run: MuRun, action: str, data: StepInput) -> MuRun:
    """Take ``action`` (``recompute``, ``start_publicity``, ``publish``, ``discard``) and return
    the changed run.

    403 when the user is not an evaluator (audited); 409 when the table does not allow it from
    the current state, the version is stale, a grade change waits (recompute, start_publicity),
    the 公示 has not ended or an objection is open (publish), or another run of the year is
    published; 422 for a missing reason (discard). Audited as "mu_run.<action>"."""
    if action not in flow.STEP_ACTIONS:
        raise InvalidInput.field("action", _("Choose one of: %(values)s.") % {"values": ", ".join(flow.STEP_ACTIONS)})
    _check_actor(acting_user, run, action)
    row = RUN_TABLE.get(action)
    assert row is not None
    if row.needs_reason and not data.note:
        raise InvalidInput.field("note", _("A reason is required."))
    if action == Action.RECOMPUTE:
        # The slow part first: the year's inputs read again and evaluated, outside the lock.
        scheme = MuScheme.objects.get(pk=run.scheme_id)
        entries = snapshot.build(run.year, exempt_industries=scheme_data.exempt_industries(scheme.definition))
        if not entries:
            # The request is well formed; the year's data are gone: a conflict, not bad input.
            raise Conflict(_("There are no inputs for %(year)d.") % {"year": run.year})
        done = evaluate(scheme, entries)
        return _rerun(acting_user=acting_user, run=run, version=data.version, action=action, done=done,
                      note=data.note)
    on = today()
    dates = publicity_dates(on, run.scheme.publicity_days) if row.has(OPENS_PUBLICITY) else None
    return _step(acting_user=acting_user, run=run, action=action, data=data, on=on, dates=dates)


@transaction.atomic
def _step(*, acting_user: User, run: MuRun, action: str, data: StepInput, on: dt.date,
          dates: tuple[dt.date, dt.date] | None) -> MuRun:
    current, row = _locked(run, data.version, action)
    if row.has(NO_PENDING_CHANGES) and _pending_changes(current):
        raise Conflict(_("Decide every proposed grade change first."))
    if row.has(OBJECTIONS_ANSWERED) and _open_objections(current):
        raise Conflict(_("Every objection must be answered before the evaluation is published."))
    if row.has(AFTER_PUBLICITY) and current.publicity_end is not None and on <= current.publicity_end:
        raise Conflict(
            _("The publicity runs until %(end)s; the evaluation can be published from %(next)s.")
            % {"end": current.publicity_end.isoformat(),
               "next": (current.publicity_end + dt.timedelta(days=1)).isoformat()}
        )
    source = current.state
    changes: dict[str, Any] = {"state": row.leads_to(State(current.state)).value}
    if dates is not None:
        changes.update(publicity_start=dates[0], publicity_end=dates[1])
    if row.action == Action.PUBLISH:
        changes["published_at"] = timezone.now()
    try:
        with transaction.atomic():
            _bump(current, **changes)
    except IntegrityError:
        raise Conflict(_("Another evaluation of %(year)d is published already.") % {"year": current.year}) from None
    if row.action == Action.PUBLISH:
        _freeze_scheme(acting_user, current.scheme)
        grades.publish_grades(current, acting_user=acting_user)
    audit_write(action=f"mu_run.{row.action.value}", user=acting_user, obj=current,
                after={"state": current.state, "version": current.version, "note": data.note,
                       "publicity_start": current.publicity_start, "publicity_end": current.publicity_end})
    handoff.hand_off(table=RUN_TABLE, row=row, pk=current.pk, source=source, acting_user=acting_user)
    return current


def _freeze_scheme(acting_user: User, scheme: MuScheme) -> None:
    """A published run's scheme is frozen (editing it → 409): the schemes part's service."""
    scheme_services.scheme_freeze(scheme, acting_user=acting_user)


# ---- re-runs ------------------------------------------------------------------------------------


def _referenced(run: MuRun) -> dict[int, MuResult]:
    """The run's results that grade changes or objections point at, by enterprise (kept)."""
    ids = set(MuGradeChange.objects.filter(run=run).values_list("result_id", flat=True))
    ids |= set(MuObjection.objects.filter(run=run).values_list("result_id", flat=True))
    return {r.enterprise_id: r for r in MuResult.objects.filter(pk__in=ids)}


def _replace_results(run: MuRun, done: Evaluated) -> list[int]:
    """Replace the run's results by ``done``'s; approved grade changes applied again where the
    firm's initial grade is still the one they were made from. The ids of the approved changes
    not applied again."""
    keep = _referenced(run)
    run.results.exclude(pk__in=[r.pk for r in keep.values()]).delete()
    fresh = {e["enterprise"] for e in done.snapshot}
    gone = [r.pk for eid, r in keep.items() if eid not in fresh]
    if gone:
        # A firm that left the snapshot takes its history with it (recompute only: an upheld
        # objection keeps every firm).
        MuResult.objects.filter(pk__in=gone).delete()
    _store_results(run, done, keep={eid: r for eid, r in keep.items() if eid in fresh})
    dropped: list[int] = []
    for change in MuGradeChange.objects.filter(run=run, state=ChangeState.APPROVED).select_related("result").order_by(
        "decided_at", "pk"
    ):
        if change.result.initial_grade == change.from_grade:
            MuResult.objects.filter(pk=change.result_id).update(grade=change.to_grade)
        else:
            dropped.append(change.pk)
    return dropped


@transaction.atomic
def _rerun(*, acting_user: User, run: MuRun, version: int | None, action: str, done: Evaluated,
           note: str) -> MuRun:
    current, row = _locked(run, version, action)
    if _pending_changes(current):
        raise Conflict(_("Decide every proposed grade change before the run is computed again."))
    before = _digests(current)
    dropped = _replace_results(current, done)
    _bump(current, revision=current.revision + 1, **_run_fields(done))
    audit_write(action=f"mu_run.{row.action.value}", user=acting_user, obj=current, before=before,
                after=_digests(current) | {"dropped_grade_changes": dropped, "note": note})
    handoff.hand_off(table=RUN_TABLE, row=row, pk=current.pk, source=current.state, acting_user=acting_user)
    return current


def run_verify(run: MuRun) -> dict[str, Any]:
    """Evaluate the stored snapshot again under the stored scheme and compare the results'
    digest with the stored one (byte-identical: ``identical``). ``scheme_unchanged``: the
    scheme's definition is still the one the run was made with."""
    stored = MuRun.objects.select_related("scheme").get(pk=run.pk)
    done = evaluate(stored.scheme, list(stored.snapshot))
    return {
        "digest": stored.digest,
        "recomputed": done.digest,
        "identical": done.digest == stored.digest,
        "scheme_unchanged": done.scheme_digest == stored.scheme_digest,
    }


# ---- 调档 (four-eyes) ----------------------------------------------------------------------------


def grade_change_propose(*, acting_user: User, run: MuRun, data: GradeProposeInput) -> MuGradeChange:
    """提出调档: propose ``data.to_grade`` for a firm's result with a reason; another evaluator
    decides. A result not of this run → 422 naming ``result`` (alike for unknown); a result not
    graded (exempt, incomplete, outside) or the grade it has already → 422; a change already
    waiting for the result, the run past 初评, or a stale version → 409. Audited as
    "mu_run.propose_grade"."""
    _check_actor(acting_user, run, Action.PROPOSE_GRADE)
    return _propose(acting_user=acting_user, run=run, data=data)


@transaction.atomic
def _propose(*, acting_user: User, run: MuRun, data: GradeProposeInput) -> MuGradeChange:
    current, row = _locked(run, data.version, Action.PROPOSE_GRADE)
    result = MuResult.objects.select_for_update().filter(run=current, pk=data.result).first()
    if result is None:
        raise InvalidInput.field("result", _("No such result in this run."))
    if not result.initial_grade:
        raise InvalidInput.field("result", _("This firm is not graded (%(why)s): its grade cannot be changed.")
                                 % {"why": result.why or "-"})
    if result.grade == data.to_grade.value:
        raise InvalidInput.field("to_grade", _("The firm has this grade already."))
    try:
        with transaction.atomic():
            change = MuGradeChange.objects.create(
                run=current, result=result, from_grade=result.grade, to_grade=data.to_grade.value,
                reason=data.reason, proposed_by=acting_user)
    except IntegrityError:
        raise Conflict(_("A grade change of this firm is already waiting for its decision.")) from None
    _bump(current)
    audit_write(action="mu_run.propose_grade", user=acting_user, obj=change,
                after={"run": current.pk, "result": result.pk, "from": change.from_grade, "to": change.to_grade,
                       "reason": change.reason})
    handoff.hand_off(table=RUN_TABLE, row=row, pk=current.pk, source=current.state, acting_user=acting_user)
    return change


def grade_change_decide(*, acting_user: User, change: MuGradeChange, action: str,
                        data: GradeDecideInput) -> MuGradeChange:
    """同意 / 不同意调档 (``approve_grade`` / ``reject_grade``) by an evaluator other than the
    proposer (four-eyes: the proposer → 403, audited). Approving sets the result's grade (its
    initial grade stays). Decided already, the result's grade changed meanwhile, or the run
    past 初评 → 409; rejecting without a reason → 422. Audited as "mu_run.<action>"."""
    if action not in (Action.APPROVE_GRADE, Action.REJECT_GRADE):
        raise InvalidInput.field("action", _("Choose one of: %(values)s.")
                                 % {"values": f"{Action.APPROVE_GRADE.value}, {Action.REJECT_GRADE.value}"})
    run = change.run
    row = _check_actor(acting_user, run, action)
    if row.has(FOUR_EYES) and change.proposed_by_id == acting_user.pk:
        raise _refuse(acting_user, action, f"mu_grade_change {change.pk}",
                      _("Another evaluator than the one who proposed it must decide this grade change."))
    if row.needs_reason and not data.note:
        raise InvalidInput.field("note", _("A reason is required."))
    return _decide(acting_user=acting_user, change=change, action=action, data=data)


@transaction.atomic
def _decide(*, acting_user: User, change: MuGradeChange, action: str, data: GradeDecideInput) -> MuGradeChange:
    current, row = _locked(change.run, None, action)
    found = MuGradeChange.objects.select_for_update().select_related("result").get(pk=change.pk)
    if found.state != ChangeState.PROPOSED:
        raise Conflict(_("This grade change has been decided already."))
    if found.result.grade != found.from_grade:
        raise Conflict(_("The firm's grade changed since the proposal; propose again."))
    approve = action == Action.APPROVE_GRADE
    found.state = ChangeState.APPROVED if approve else ChangeState.REJECTED
    found.decided_by, found.decided_at, found.decision_note = acting_user, timezone.now(), data.note
    found.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    if approve:
        MuResult.objects.filter(pk=found.result_id).update(grade=found.to_grade)
    _bump(current)
    audit_write(action=f"mu_run.{action}", user=acting_user, obj=found,
                after={"run": current.pk, "result": found.result_id, "state": found.state, "note": data.note})
    handoff.hand_off(table=RUN_TABLE, row=row, pk=current.pk, source=current.state, acting_user=acting_user)
    return found


# ---- 异议 ----------------------------------------------------------------------------------------


def objection_submit(
    *, acting_user: User, result: MuResult, data: ObjectionInput, files: Sequence[files_core.Upload] | None = None,
) -> MuObjection:
    """提出异议: the firm's portal account objects to its own result (``result`` from the scoped
    selector: another firm's → 404) during the 公示, with evidence (PDF, images, Office files;
    checked by their bytes before the transaction: a bad one → 422 naming ``files``). After the
    公示's last day → 409 "the publicity is over"; the run not in 公示 → 409. The objection is
    registered as the firm's matter and handed to the lead unit with its answer due
    ``OBJECTION_DAYS`` working days later (``due_on``). Audited as "mu_run.object"."""
    uploads = files_core.read_uploads(files)
    run = result.run
    _check_actor(acting_user, run, Action.OBJECT, enterprise_id=result.enterprise_id)
    on = today()
    if run.state == State.PUBLICITY and run.publicity_end is not None and on > run.publicity_end:
        raise Conflict(_("The publicity is over (it ended on %(end)s): objections are no longer received.")
                       % {"end": run.publicity_end.isoformat()})
    try:
        due, _p = current_calendar().add_workdays(on, OBJECTION_DAYS)
    except CalendarRangeError:
        raise Conflict(_("The answer's deadline would fall outside the working-day calendar.")) from None
    return _object(acting_user=acting_user, result=result, data=data, uploads=uploads, on=on, due=due)


@transaction.atomic
def _object(*, acting_user: User, result: MuResult, data: ObjectionInput, uploads: files_core.ReadUploads,
            on: dt.date, due: dt.date) -> MuObjection:
    checked = uploads.checked()
    current, row = _locked(result.run, None, Action.OBJECT)
    if row.has(DURING_PUBLICITY) and current.publicity_end is not None and on > current.publicity_end:
        raise Conflict(_("The publicity is over (it ended on %(end)s): objections are no longer received.")
                       % {"end": current.publicity_end.isoformat()})
    matter = _objection_matter(acting_user, current, result, data.text, on, due)
    objection = MuObjection.objects.create(run=current, result=result, text=data.text, matter=matter,
                                           submitted_by=acting_user, due_on=due)
    with files_core.stored_uploads(FILE_AREA) as store:
        names = [MuObjectionFile.objects.create(objection=objection, uploaded_by=acting_user,
                                                **store.write(item)).original_name for item in checked]
        _bump(current)
        audit_write(action="mu_run.object", user=acting_user, obj=objection,
                    after={"run": current.pk, "result": result.pk, "matter": matter.pk if matter else None,
                           "files": names, "due_on": due})
    handoff.hand_off(table=RUN_TABLE, row=row, pk=current.pk, source=current.state, acting_user=acting_user)
    return objection


def _objection_matter(user: User, run: MuRun, result: MuResult, text: str, on: dt.date, due: dt.date) -> Any:
    """The objection as the firm's matter, handed to the lead unit with the answer's deadline
    (``due``): the objection rule has fixed who answers by when, so nobody dispatches it."""
    from zhaoyin.matters.choices import MatterKind, MatterSource
    from zhaoyin.matters.services import matter_raise_for_process

    unit = lead_unit()
    title = _("Land-efficiency evaluation objection: %(firm)s (%(year)d)") % {
        "firm": result.enterprise.name, "year": run.year}
    description = _("Objection to the %(year)d land-efficiency evaluation (run %(run)d, grade %(grade)s); "
                    "to be answered by %(unit)s.\n\n%(text)s") % {
        "year": run.year, "run": run.pk, "grade": result.grade or "-", "unit": unit.name if unit else "-",
        "text": text}
    return matter_raise_for_process(
        acting_user=user, title=str(title)[:200], description=str(description),
        source=MatterSource.ENTERPRISE_DEMAND, kind=MatterKind.COORDINATION, enterprise=result.enterprise,
        dispatcher_unit=None, lead_unit=unit, requester=user, received_on=on, handle_deadline=due,
    )


def _close_matter(user: User, objection: MuObjection) -> None:
    """The answer recorded on the objection's matter (the report's note), which closes it."""
    from zhaoyin.matters.services import matter_close_for_process

    matter = objection.matter
    if matter is None:
        return
    if objection.state == ObjectionState.UPHELD:
        summary = _("Objection upheld (grade %(before)s → %(after)s): %(answer)s") % {
            "before": objection.grade_before or "-", "after": objection.grade_after or "-",
            "answer": objection.answer}
    else:
        summary = _("Objection dismissed: %(what)s") % {"what": objection.answer}
    matter_close_for_process(acting_user=user, matter=matter, summary=str(summary))


def objection_answer(*, acting_user: User, objection: MuObjection, action: str, data: AnswerInput) -> MuObjection:
    """异议成立 / 不成立 (``uphold`` / ``dismiss``) with the answer given to the firm.

    Upholding needs the corrected figures (``corrections``, 422 without): the whole run is
    computed again over the snapshot with the firm's figures corrected (the lists' average
    benchmarks may move, and with them other firms' points), recorded on the objection (the
    grade before and after) and in the audit record (the old and new digests); the run's
    revision and digests change. Answered already, the run past 公示 or a stale version → 409.
    Audited as "mu_run.<action>"."""
    if action not in (Action.UPHOLD, Action.DISMISS):
        raise InvalidInput.field("action", _("Choose one of: %(values)s.")
                                 % {"values": f"{Action.UPHOLD.value}, {Action.DISMISS.value}"})
    run = objection.run
    _check_actor(acting_user, run, action)
    if action == Action.UPHOLD and not data.corrections:
        raise InvalidInput.field("corrections", _("Give the corrected figures the firm is evaluated with."))
    done: Evaluated | None = None
    if action == Action.UPHOLD:
        stored = MuRun.objects.select_related("scheme").get(pk=run.pk)
        if data.version is None:
            # The snapshot read now is the one the re-run replaces: the lock checks it is current.
            data = AnswerInput.of(reason=data.reason, corrections=data.corrections, version=stored.version)
        key = objection.result.enterprise.uscc
        done = evaluate(stored.scheme, snapshot.corrected(list(stored.snapshot), key, data.corrections))
    return _answer(acting_user=acting_user, objection=objection, action=action, data=data, done=done)


@transaction.atomic
def _answer(*, acting_user: User, objection: MuObjection, action: str, data: AnswerInput,
            done: Evaluated | None) -> MuObjection:
    current, row = _locked(objection.run, data.version, action)
    found = MuObjection.objects.select_for_update().select_related("result").get(pk=objection.pk)
    if found.state != ObjectionState.OPEN:
        raise Conflict(_("This objection has been answered already."))
    before = _digests(current)
    found.answer, found.answered_by, found.answered_at = data.reason, acting_user, timezone.now()
    dropped: list[int] = []
    if done is not None:
        found.grade_before = found.result.grade
        dropped = _replace_results(current, done)
        found.result.refresh_from_db()
        found.grade_after = found.result.grade
        found.corrections = data.corrections
        found.state = ObjectionState.UPHELD
        _bump(current, revision=current.revision + 1, **_run_fields(done))
    else:
        found.state = ObjectionState.DISMISSED
        _bump(current)
    found.save()
    _close_matter(acting_user, found)
    audit_write(action=f"mu_run.{action}", user=acting_user, obj=found, before=before if done else None,
                after={"run": current.pk, "state": found.state, "answer": found.answer,
                       "corrections": found.corrections, "grade_before": found.grade_before,
                       "grade_after": found.grade_after, "dropped_grade_changes": dropped} | (
                           _digests(current) if done else {}))
    # The firm is told: the objection's own notice (its pk negated, see mujun.todo).
    handoff.hand_off(table=RUN_TABLE, row=row, pk=-found.pk, source=current.state, acting_user=acting_user)
    return found


def objection_file_open(*, acting_user: User, file: MuObjectionFile) -> Any:
    """Open an objection's evidence for download (``file`` from the scoped selector); audited."""
    return files_core.open_attachment(
        file, area=FILE_AREA, acting_user=acting_user, action="mu_run.objection_file_download",
        owner_repr=str(file.objection_id), owner={"objection": file.objection_id},
    )

