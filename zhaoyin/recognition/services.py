"""人才认定: the only writers of tier rule sets, applications, steps and objections.

Every step goes through ``recognition.flow.RECOGNITION_TABLE``: the row is looked up for the
action and the current state (none → 409), the user must hold one of its actors (403, audited
as denied), the row is compared and set on ``version`` (a stale version → 409), and the row's
``notify`` actors are told once the step commits (``notifications.handoff``). The publicity's
dates are counted on the working-day calendar (``workcalendar.selectors.current_calendar``),
and a recognition sets the talent's tier through ``talents.services.talent_set_tier``.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import json
from collections.abc import Sequence
from typing import IO, Any, BinaryIO

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.audit.services import audit_denied, audit_write, diff, snapshot
from zhaoyin.core import files as files_core
from zhaoyin.core.errors import Conflict, Errors, InvalidInput
from zhaoyin.lib.workdays import CalendarRangeError
from zhaoyin.notifications import handoff
from zhaoyin.recognition import flow
from zhaoyin.recognition.flow import (
    AFTER_PUBLICITY,
    APPLY,
    OBJECTIONS_ANSWERED,
    OPEN_STATES,
    OPENS_PUBLICITY,
    RECOGNITION_TABLE,
    Action,
    State,
)
from zhaoyin.recognition.inputs import (
    AnswerInput,
    ApplyInput,
    ObjectionInput,
    RuleSetActivateInput,
    RuleSetChangeInput,
    RuleSetCreateInput,
    StepInput,
)
from zhaoyin.recognition.models import (
    FILE_AREA,
    Recognition,
    RecognitionFile,
    RecognitionObjection,
    RuleSetStatus,
    TierRule,
    TierRuleSet,
)
from zhaoyin.recognition.rules import rule_rows, suggest
from zhaoyin.recognition.selectors import RULE_EDITOR_ROLES, active_rule_set, actors_of
from zhaoyin.talents.models import Talent
from zhaoyin.talents.services import talent_set_tier
from zhaoyin.workcalendar.selectors import current_calendar

#: The certificate number: ``HNRC<year>-<five-digit sequence of the year>`` (淮南人才认定).
CERTIFICATE_PREFIX = "HNRC"



def _stale() -> Conflict:
    return Conflict(_("Someone else changed this application meanwhile; reload it and try again."))


def today() -> dt.date:
    """The local date decisions and the publicity are judged by (Asia/Shanghai)."""
    return timezone.localdate()


# ---- tier rule sets -------------------------------------------------------------------------------


def _may_edit_rules(user: User) -> bool:
    return bool(user.is_authenticated and not user.admin_role and user.has_role(*RULE_EDITOR_ROLES))


def _refuse_rules(user: User, action: str, target: str) -> None:
    if not _may_edit_rules(user):
        audit_denied(user=user, action=f"tier_rule_set.{action}_denied", target=target)
        raise PermissionDenied(_("Only the talent office and city administrators change the tier rules."))


def _write_rules(rule_set: TierRuleSet, rules: list[dict[str, Any]]) -> None:
    TierRule.objects.filter(rule_set=rule_set).delete()
    TierRule.objects.bulk_create(
        [TierRule(rule_set=rule_set, tier=r["tier"], label=r["label"], tree=r["tree"]) for r in rules]
    )


def _rules_json(rule_set: TierRuleSet) -> list[dict[str, Any]]:
    return [{"tier": r.tier, "label": r.label, "tree": r.tree} for r in rule_set.rules.order_by("tier")]


def rule_set_create(*, acting_user: User, data: RuleSetCreateInput) -> TierRuleSet:
    """A new draft rule set for ``data.year`` (its version the year's next number). The trees
    were parsed by the input model (a bad one named ``rules[i].tree…``, nothing saved).
    Audited as "tier_rule_set.create"."""
    _refuse_rules(acting_user, "create", f"tier rule set {data.year}")
    return _rule_set_create(acting_user=acting_user, data=data)


@transaction.atomic
def _rule_set_create(*, acting_user: User, data: RuleSetCreateInput) -> TierRuleSet:
    number = (TierRuleSet.objects.filter(year=data.year).aggregate(n=Max("number"))["n"] or 0) + 1
    values: dict[str, Any] = {"year": data.year, "number": number, "note": data.note, "created_by": acting_user}
    if data.publicity_days is not None:
        values["publicity_days"] = data.publicity_days
    if data.valid_years is not None:
        values["valid_years"] = data.valid_years
    try:
        with transaction.atomic():
            rule_set = TierRuleSet.objects.create(**values)
    except IntegrityError:
        raise Conflict(_("Another version of this year's rules was created meanwhile; try again.")) from None
    _write_rules(rule_set, data.rules)
    audit_write(
        action="tier_rule_set.create", user=acting_user, obj=rule_set,
        after=snapshot(rule_set) | {"rules": [r["tier"] for r in data.rules]},
    )
    return rule_set


def rule_set_change(*, acting_user: User, rule_set: TierRuleSet, data: RuleSetChangeInput) -> TierRuleSet:
    """Change a draft rule set (only the fields given). An active or retired set is kept as it
    was judged by (409); a stale version → 409. Audited as "tier_rule_set.change"."""
    _refuse_rules(acting_user, "change", f"tier rule set {rule_set.pk}")
    return _rule_set_change(acting_user=acting_user, rule_set=rule_set, data=data)


def _locked_set(rule_set: TierRuleSet, version: int | None) -> TierRuleSet:
    current = TierRuleSet.objects.select_for_update().get(pk=rule_set.pk)
    if current.version != (rule_set.version if version is None else version):
        raise Conflict(_("Someone else changed these rules meanwhile; reload them and try again."))
    return current


@transaction.atomic
def _rule_set_change(*, acting_user: User, rule_set: TierRuleSet, data: RuleSetChangeInput) -> TierRuleSet:
    current = _locked_set(rule_set, data.version)
    if current.status != RuleSetStatus.DRAFT:
        raise Conflict(
            _("Only a draft can be changed: this rule set is %(status)s. Create a new version instead.")
            % {"status": current.get_status_display()}
        )
    given = data.given()
    before = snapshot(current) | {"rules": _rules_json(current)}
    if "note" in given and data.note is not None:
        current.note = data.note
    if "publicity_days" in given and data.publicity_days is not None:
        current.publicity_days = data.publicity_days
    if "valid_years" in given and data.valid_years is not None:
        current.valid_years = data.valid_years
    if "rules" in given and data.rules is not None:
        _write_rules(current, data.rules)
    current.version += 1
    current.save()
    old, new = diff(before, snapshot(current) | {"rules": _rules_json(current)})
    audit_write(action="tier_rule_set.change", user=acting_user, obj=current, before=old, after=new)
    return current


def rule_set_activate(*, acting_user: User, rule_set: TierRuleSet, data: RuleSetActivateInput) -> TierRuleSet:
    """Make a draft the year's active standard; the year's active one is retired in the same
    transaction (one active per year: a database constraint). Applications made before keep the
    set they were judged by. Not a draft → 409. Audited as "tier_rule_set.activate"."""
    _refuse_rules(acting_user, "activate", f"tier rule set {rule_set.pk}")
    return _rule_set_activate(acting_user=acting_user, rule_set=rule_set, data=data)


@transaction.atomic
def _rule_set_activate(*, acting_user: User, rule_set: TierRuleSet, data: RuleSetActivateInput) -> TierRuleSet:
    current = _locked_set(rule_set, data.version)
    if current.status != RuleSetStatus.DRAFT:
        raise Conflict(_("Only a draft can be activated: this rule set is %(status)s.")
                       % {"status": current.get_status_display()})
    if not current.rules.exists():
        raise Conflict(_("A rule set without rules cannot be activated."))
    now = timezone.now()
    for old in TierRuleSet.objects.select_for_update().filter(year=current.year, status=RuleSetStatus.ACTIVE):
        old.status, old.retired_at, old.version = RuleSetStatus.RETIRED, now, old.version + 1
        old.save(update_fields=["status", "retired_at", "version"])
        audit_write(action="tier_rule_set.retire", user=acting_user, obj=old,
                    after={"status": old.status, "replaced_by": current.pk})
    current.status, current.activated_at, current.version = RuleSetStatus.ACTIVE, now, current.version + 1
    current.save(update_fields=["status", "activated_at", "version"])
    audit_write(action="tier_rule_set.activate", user=acting_user, obj=current,
                after={"status": current.status, "version": current.version})
    return current


# ---- applications ---------------------------------------------------------------------------------


def recognition_apply(
    *, acting_user: User, talent: Talent, data: ApplyInput, files: Sequence[files_core.Upload] | None = None,
) -> Recognition:
    """申请: an application for ``talent`` (fetched by the caller through
    ``selectors.talent_for_application``: unknown and out of scope answered alike), judged by
    the year's active rule set; the suggested tier and its reasons are stored. The documents are
    read and checked before the transaction (a bad file → 422 naming ``files``). No active rule
    set for the year, or an application already under way → 409. The first reviewers are told.
    Audited as "recognition.apply"."""
    uploads = files_core.read_uploads(files)
    on = today()
    rule_set = active_rule_set(on.year)
    if rule_set is None:
        raise Conflict(_("There is no active tier rule set for %(year)d: recognition is not open.") % {"year": on.year})
    suggestion = suggest(talent, list(rule_set.rules.all()), on=on)
    return _apply(acting_user=acting_user, talent=talent, data=data, uploads=uploads, rule_set=rule_set,
                  suggestion=suggestion.as_json(), suggested=suggestion.tier or "")


def _open_conflict() -> Conflict:
    return Conflict(_("This talent already has a recognition application under way."))


@transaction.atomic
def _apply(
    *, acting_user: User, talent: Talent, data: ApplyInput, uploads: files_core.ReadUploads, rule_set: TierRuleSet,
    suggestion: dict[str, Any], suggested: str,
) -> Recognition:
    checked = uploads.checked()
    if Recognition.objects.filter(talent=talent, state__in=[s.value for s in OPEN_STATES]).exists():
        raise _open_conflict()
    recognition = Recognition(
        talent=talent, rule_set=rule_set, claimed_tier=data.claimed_tier.value, statement=data.statement,
        suggested_tier=suggested, suggestion=suggestion, applied_by=acting_user, applied_at=timezone.now(),
    )
    with files_core.stored_uploads(FILE_AREA) as store:
        try:
            with transaction.atomic():
                recognition.save(force_insert=True)
        except IntegrityError:
            raise _open_conflict() from None
        names = []
        for item in checked:
            stored = RecognitionFile.objects.create(recognition=recognition, uploaded_by=acting_user,
                                                    **store.write(item))
            names.append(stored.original_name)
        audit_write(
            action="recognition.apply", user=acting_user, obj=recognition,
            after=snapshot(recognition) | {"file": len(names)},
        )
    handoff.hand_off(table=RECOGNITION_TABLE, row=APPLY, pk=recognition.pk, source="", acting_user=acting_user)
    return recognition


def _refuse(user: User, action: str, recognition: Recognition, message: str) -> PermissionDenied:
    audit_denied(user=user, action=f"recognition.{action}_denied", target=f"recognition {recognition.pk}")
    return PermissionDenied(message)


def _check_actor(user: User, recognition: Recognition, action: str) -> None:
    rule = RECOGNITION_TABLE.get(action)
    if rule is None:
        raise InvalidInput.field("action", _("Choose one of: %(values)s.") % {"values": ", ".join(flow.STEP_ACTIONS)})
    if not rule.may(actors_of(user, recognition)):
        raise _refuse(user, action, recognition, _("You may not take this step on this application."))


def _locked(recognition: Recognition, version: int | None, action: str) -> tuple[Recognition, Any]:
    current = Recognition.objects.select_for_update().select_related("talent__org_unit", "rule_set").get(
        pk=recognition.pk
    )
    if current.version != (recognition.version if version is None else version):
        raise _stale()
    row = flow.transition_for(action, current.state)
    if row is None:
        raise Conflict(
            _("“%(action)s” is not allowed on an application that is “%(state)s”.")
            % {"action": flow.row_label(action), "state": current.get_state_display()}
        )
    return current, row


def publicity_end(start: dt.date, days: int) -> dt.date:
    """The last day of a publicity of ``days`` working days opened on ``start`` (counted from the
    next day, as every clock of the platform: 次日起算)."""
    try:
        end, _provisional = current_calendar().add_workdays(start, days)
    except CalendarRangeError:
        raise Conflict(_("The publicity would end outside the working-day calendar.")) from None
    return end


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` plus whole years (29 February becomes 28 February in a common year)."""
    year = day.year + years
    return day.replace(year=year, day=min(day.day, pycalendar.monthrange(year, day.month)[1]))


def _next_certificate(year: int) -> str:
    prefix = f"{CERTIFICATE_PREFIX}{year}-"
    last = (
        Recognition.objects.filter(certificate_no__startswith=prefix)
        .order_by("-certificate_no").values_list("certificate_no", flat=True).first()
    )
    seq = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{seq:05d}"


def _open_objections(recognition: Recognition) -> int:
    return RecognitionObjection.objects.filter(recognition=recognition, answered_at__isnull=True).count()


def recognition_step(*, acting_user: User, recognition: Recognition, action: str, data: StepInput) -> Recognition:
    """Take ``action`` (a row of ``RECOGNITION_TABLE`` other than the objections') and return the
    changed application.

    403 when the user holds none of the row's actors (audited); 409 when the table does not
    allow it from the current state, the version is stale, an objection is unanswered, or the
    publicity has not ended (认定); 422 for a missing reason (return, refuse) or a tier the
    second review must name. Audited as "recognition.<action>"."""
    if action not in flow.STEP_ACTIONS:
        raise InvalidInput.field("action", _("Choose one of: %(values)s.") % {"values": ", ".join(flow.STEP_ACTIONS)})
    _check_actor(acting_user, recognition, action)
    # The rule set's data and the calendar are read before the lock (no slow work inside).
    return _step(acting_user=acting_user, recognition=recognition, action=action, data=data, on=today())


@transaction.atomic
def _step(*, acting_user: User, recognition: Recognition, action: str, data: StepInput, on: dt.date) -> Recognition:
    current, row = _locked(recognition, data.version, action)
    errors = Errors()
    note = data.note
    if row.needs_reason and not note:
        errors.add("note", _("A reason is required."))
    tier = ""
    if row.has(OPENS_PUBLICITY):
        tier = (data.tier.value if data.tier is not None else "") or current.suggested_tier
        if not tier:
            errors.add("tier", _("The rules suggest no tier for this talent: name the tier to publish."))
    errors.raise_if_any()
    if row.has(OBJECTIONS_ANSWERED) and _open_objections(current):
        raise Conflict(_("Every objection must be answered before the next step."))
    if row.has(AFTER_PUBLICITY) and current.publicity_end is not None and on <= current.publicity_end:
        raise Conflict(
            _("The publicity runs until %(end)s (working days on the calendar); it can be closed from %(next)s.")
            % {"end": current.publicity_end.isoformat(),
               "next": (current.publicity_end + dt.timedelta(days=1)).isoformat()}
        )

    before = snapshot(current)
    source = current.state
    now = timezone.now()
    changes: dict[str, Any] = {"state": row.leads_to(State(current.state)).value, "version": current.version + 1,
                               "updated_at": now}
    a = Action(row.action)
    if a in (Action.FIRST_PASS, Action.FIRST_RETURN, Action.FIRST_REFUSE):
        changes.update(first_note=note, first_reviewer=acting_user, first_at=now,
                       first_unit=acting_user.org_unit if acting_user.org_unit_id else None)
    if a in (Action.SECOND_PASS, Action.SECOND_RETURN, Action.SECOND_REFUSE):
        changes.update(second_note=note, second_reviewer=acting_user, second_at=now)
    if a in (Action.FIRST_RETURN, Action.SECOND_RETURN):
        changes["return_reason"] = note
    if a == Action.RESUBMIT:
        # The application is judged again on the completed record.
        suggestion = suggest(current.talent, list(current.rule_set.rules.all()), on=on)
        changes.update(suggestion=suggestion.as_json(), suggested_tier=suggestion.tier or "", return_reason="")
        if note:
            changes["statement"] = note
    if row.has(OPENS_PUBLICITY):
        changes.update(tier=tier, publicity_start=on, publicity_end=publicity_end(on, current.rule_set.publicity_days))
    if a in (Action.FIRST_REFUSE, Action.SECOND_REFUSE, Action.REFUSE):
        changes.update(refusal_reason=note, decided_by=acting_user, decided_on=on)
    if a == Action.WITHDRAW:
        changes.update(decided_on=on)
    if a == Action.RECOGNIZE:
        valid_until = add_years(on, current.rule_set.valid_years)
        changes.update(decided_by=acting_user, decided_on=on, valid_until=valid_until,
                       certificate_no=_next_certificate(on.year))
        if note:
            changes["second_note"] = note
    # Compare-and-set on (version, state): the row is locked, and this states the rule should
    # the lock ever be missing (SQLite has no row locks).
    try:
        with transaction.atomic():
            updated = Recognition.objects.filter(
                pk=current.pk, version=current.version, state=current.state
            ).update(**changes)
    except IntegrityError:
        raise Conflict(_("Another recognition took this certificate number meanwhile; try again.")) from None
    if updated != 1:
        raise _stale()
    current.refresh_from_db()
    if a == Action.RECOGNIZE:
        assert current.valid_until is not None
        assert current.certificate_no
        talent_set_tier(acting_user=acting_user, talent=current.talent, tier=current.tier,
                        valid_until=current.valid_until, reason=current.certificate_no)
    old, new = diff(before, snapshot(current))
    audit_write(action=f"recognition.{a.value}", user=acting_user, obj=current, before=old, after=new)
    handoff.hand_off(table=RECOGNITION_TABLE, row=row, pk=current.pk, source=source, acting_user=acting_user)
    return current


# ---- objections ---------------------------------------------------------------------------------


def objection_record(*, acting_user: User, recognition: Recognition, data: ObjectionInput) -> RecognitionObjection:
    """登记异议 during the publicity (the office). Received before the publicity started or in
    the future → 422 naming ``received_on``; not in publicity or a stale version → 409.
    Audited as "recognition.object"."""
    _check_actor(acting_user, recognition, Action.OBJECT.value)
    return _objection_record(acting_user=acting_user, recognition=recognition, data=data, on=today())


@transaction.atomic
def _objection_record(
    *, acting_user: User, recognition: Recognition, data: ObjectionInput, on: dt.date
) -> RecognitionObjection:
    current, row = _locked(recognition, data.version, Action.OBJECT.value)
    if data.received_on > on:
        raise InvalidInput.field("received_on", _("cannot be in the future"))
    if current.publicity_start is not None and data.received_on < current.publicity_start:
        raise InvalidInput.field(
            "received_on", _("cannot be before the publicity started (%(day)s)") % {"day": current.publicity_start}
        )
    objection = RecognitionObjection.objects.create(
        recognition=current, text=data.text, received_on=data.received_on, recorded_by=acting_user,
    )
    Recognition.objects.filter(pk=current.pk).update(version=current.version + 1, updated_at=timezone.now())
    audit_write(action="recognition.object", user=acting_user, obj=current,
                after={"objection": objection.pk, "version": current.version + 1})
    handoff.hand_off(table=RECOGNITION_TABLE, row=row, pk=current.pk, source=current.state, acting_user=acting_user)
    return objection


def objection_answer(
    *, acting_user: User, recognition: Recognition, objection: RecognitionObjection, data: AnswerInput
) -> RecognitionObjection:
    """答复异议 (the office); an objection is answered once (again → 409). Audited as
    "recognition.answer"."""
    _check_actor(acting_user, recognition, Action.ANSWER.value)
    return _objection_answer(acting_user=acting_user, recognition=recognition, objection=objection, data=data)


@transaction.atomic
def _objection_answer(
    *, acting_user: User, recognition: Recognition, objection: RecognitionObjection, data: AnswerInput
) -> RecognitionObjection:
    current, row = _locked(recognition, data.version, Action.ANSWER.value)
    found = RecognitionObjection.objects.select_for_update().get(pk=objection.pk, recognition=current)
    if found.answered_at is not None:
        raise Conflict(_("This objection has been answered already."))
    found.answer, found.answered_by, found.answered_at = data.answer, acting_user, timezone.now()
    found.save(update_fields=["answer", "answered_by", "answered_at"])
    Recognition.objects.filter(pk=current.pk).update(version=current.version + 1, updated_at=timezone.now())
    audit_write(action="recognition.answer", user=acting_user, obj=current,
                after={"objection": found.pk, "version": current.version + 1})
    handoff.hand_off(table=RECOGNITION_TABLE, row=row, pk=current.pk, source=current.state, acting_user=acting_user)
    return found


# ---- documents and the publicity list -------------------------------------------------------------


def recognition_file_open(*, acting_user: User, file: RecognitionFile) -> BinaryIO:
    """Open an applicant's document for download (``file`` from the scoped selector); audited."""
    recognition = file.recognition
    return files_core.open_attachment(
        file, area=FILE_AREA, acting_user=acting_user, action="recognition.file_download",
        owner_repr=str(recognition.pk), owner={"recognition": recognition.pk},
    )


def publicity_headers() -> list[str]:
    return [_("Name"), _("Employer"), _("Org unit"), _("Tier"), _("Publicity start"), _("Publicity end"),
            _("State")]


def publicity_export(*, acting_user: User, rows: Sequence[Recognition], out: IO[bytes]) -> int:
    """Write the publicity list (公示名单: name, employer, unit, tier, dates — no ID number, no
    review notes) to ``out`` as .xlsx, outside any transaction; audited as
    "recognition.publicity_export"."""
    from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx

    count = write_xlsx(
        out,
        [
            SheetSpec(
                title=_("Publicity list"),
                headers=publicity_headers(),
                rows=(
                    [r.talent.name, r.talent.employer_display, r.talent.org_unit.name, r.tier,
                     r.publicity_start.isoformat() if r.publicity_start else "",
                     r.publicity_end.isoformat() if r.publicity_end else "", str(r.get_state_display())]
                    for r in rows
                ),
                text_columns=frozenset(range(7)),
                widths=[14, 30, 16, 6, 12, 12, 12],
            )
        ],
    )
    audit_write(action="recognition.publicity_export", user=acting_user, object_type="recognition.recognition",
                detail=json.dumps({"rows": count}, sort_keys=True))
    return count


def rule_rows_of(rule_set: TierRuleSet) -> list[tuple[str, str, Any]]:
    """(tier, label, tree) of a rule set's rules (the preview page's input to ``rules.judge``)."""
    return rule_rows(list(rule_set.rules.all()))
