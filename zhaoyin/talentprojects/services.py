"""Talent-project use cases: the only writers of programmes, rounds, projects and disbursements.

Every write is atomic and audited in the same transaction. ``acting_user=None`` is the system
(demo, CLI). A project's state moves only along the rows of ``flow.TABLE``, one service per
row (``project_<action>``): the row is looked up on the locked project (409 when the table
does not allow the move from its state, 403 when the user holds none of the row's actors);
``version`` guards against lost updates (409). Bad input names the field (422) and changes
nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.audit.services import audit_write, snapshot
from zhaoyin.core.errors import Conflict, Errors, InvalidInput
from zhaoyin.talentprojects import flow
from zhaoyin.talentprojects.inputs import (
    TalentProjectApproveInput as ApproveInput,
)
from zhaoyin.talentprojects.inputs import (
    TalentProjectDecisionInput as DecisionInput,
)
from zhaoyin.talentprojects.inputs import (
    TalentProjectFundInput as FundInput,
)
from zhaoyin.talentprojects.inputs import (
    TalentProjectInput,
)
from zhaoyin.talentprojects.inputs import (
    TalentProjectReasonInput as ReasonInput,
)
from zhaoyin.talentprojects.models import Programme, ProgrammeRound, TalentProject, TalentProjectFund
from zhaoyin.talentprojects.selectors import actors_of
from zhaoyin.talents.models import Talent
from zhaoyin.talents.selectors import talent_list_visible_to


def _today() -> dt.date:
    return timezone.localdate()


@transaction.atomic
def programme_ensure(
    *, acting_user: User | None, code: str, name: str, level: str, sponsor: str = "",
    max_funding_wan: Decimal | None = None,
) -> Programme:
    """The programme of ``code``, created (and audited) when missing — the talent office's
    set-up and the demo. An existing programme is left as it is."""
    if acting_user is not None and not actors_of(acting_user) & flow.DECIDERS:
        raise PermissionDenied
    found = Programme.objects.filter(code=code).first()
    if found is not None:
        return found
    programme = Programme.objects.create(
        code=code, name=name, level=level, sponsor=sponsor, max_funding_wan=max_funding_wan
    )
    audit_write(action="talent_project.programme_create", user=acting_user, obj=programme, after=snapshot(programme))
    return programme


@transaction.atomic
def round_ensure(
    *, acting_user: User | None, programme: Programme, year: int, name: str, opens_on: dt.date, closes_on: dt.date
) -> ProgrammeRound:
    """The round ``name`` of ``programme``, created (and audited) when missing."""
    if acting_user is not None and not actors_of(acting_user) & flow.DECIDERS:
        raise PermissionDenied
    if closes_on < opens_on:
        raise InvalidInput.field("closes_on", _("A round cannot close before it opens."))
    found = ProgrammeRound.objects.filter(programme=programme, name=name).first()
    if found is not None:
        return found
    rnd = ProgrammeRound.objects.create(
        programme=programme, year=year, name=name, opens_on=opens_on, closes_on=closes_on
    )
    audit_write(action="talent_project.round_create", user=acting_user, obj=rnd, after=snapshot(rnd))
    return rnd


def _talent(acting_user: User | None, pk: int) -> Talent | None:
    """The talent in the caller's talent scope (None: unknown or out of scope — the same)."""
    qs = Talent.objects.select_related("org_unit", "employer") if acting_user is None else talent_list_visible_to(
        acting_user
    )
    return qs.filter(pk=pk).first()


@transaction.atomic
def project_create(*, acting_user: User | None, data: TalentProjectInput) -> TalentProject:
    """申报: register a talent's application in a round, in ``applied``. The talent must be in
    the caller's talent scope (else 422 ``talent``, as an unknown one), the application date
    within the round's window and not in the future (``applied_on``); one application per
    talent and round (422 ``talent``). The employer and unit are the talent's at this moment."""
    if acting_user is not None and (acting_user.admin_role or not actors_of(acting_user) & flow.RECOMMENDERS):
        raise PermissionDenied
    errors = Errors()
    rnd = ProgrammeRound.objects.select_related("programme").filter(pk=data.round).first()
    if rnd is None or not rnd.programme.is_active:
        errors.add("round", _("Unknown round."))
    talent = _talent(acting_user, data.talent)
    if talent is None:
        errors.add("talent", _("Unknown talent."))
    applied_on = data.applied_on or _today()
    if applied_on > _today():
        errors.add("applied_on", _("The date must not be in the future."))
    elif rnd is not None and not rnd.opens_on <= applied_on <= rnd.closes_on:
        errors.add(
            "applied_on",
            _("The round takes applications from %(start)s to %(end)s.")
            % {"start": rnd.opens_on.isoformat(), "end": rnd.closes_on.isoformat()},
        )
    if rnd is not None and talent is not None and TalentProject.objects.filter(round=rnd, talent=talent).exists():
        errors.add("talent", _("This talent has already applied in this round."))
    errors.raise_if_any()
    assert rnd is not None
    assert talent is not None
    project = TalentProject(
        round=rnd,
        talent=talent,
        employer=talent.employer,
        employer_name=talent.employer_display,
        org_unit=talent.org_unit,
        title=data.title,
        summary=data.summary,
        requested_wan=data.requested_wan,
        applied_on=applied_on,
        created_by=acting_user,
    )
    try:
        with transaction.atomic():
            project.save()
    except IntegrityError:
        # A concurrent application of the same talent in the same round won the race.
        raise InvalidInput.field("talent", _("This talent has already applied in this round.")) from None
    audit_write(action="talent_project.create", user=acting_user, obj=project, after=snapshot(project))
    return project


def _locked(project: TalentProject, action: flow.Action, acting_user: User | None, version: int | None) -> tuple[
    TalentProject, flow.State
]:
    """The project locked for the change, and the state ``action`` leads it to: 403 when the
    user holds none of the row's actors, 409 when its state does not allow it or its version
    is not the one read."""
    rule = flow.TABLE.by_action[action]
    if acting_user is not None and not rule.may(actors_of(acting_user)):
        raise PermissionDenied
    locked = TalentProject.objects.select_for_update().select_related("round__programme").get(pk=project.pk)
    row = flow.TABLE.transition_for(action, locked.state)
    if row is None:
        raise Conflict(
            _("A project in state %(state)s cannot be %(action)s.")
            % {"state": flow.TABLE.label_of(locked.state), "action": str(rule.label).lower()}
        )
    if version is not None and version != locked.version:
        raise Conflict(_("This project was changed by someone else; reload it and try again."))
    return locked, row.leads_to(flow.State(locked.state))


def _decision_day(given: dt.date | None, after: dt.date | None, field: str = "on") -> dt.date:
    """The date of a step: given or today; not in the future, not before the previous step."""
    day = given or _today()
    if day > _today():
        raise InvalidInput.field(field, _("The date must not be in the future."))
    if after is not None and day < after:
        raise InvalidInput.field(
            field, _("The date must not be before %(date)s (the previous step).") % {"date": after.isoformat()}
        )
    return day


def _save(acting_user: User | None, project: TalentProject, action: flow.Action, before: dict[str, Any],
          fields: list[str]) -> TalentProject:
    # The row is locked (``_locked``) and its version checked there: a plain increment is safe.
    project.updated_at = timezone.now()
    project.version += 1
    project.save(update_fields=[*fields, "state", "updated_at", "version"])
    after = {k: v for k, v in snapshot(project).items() if k in (*fields, "state")}
    audit_write(action=f"talent_project.{action.value}", user=acting_user, obj=project,
                before={k: before.get(k) for k in after}, after=after)
    return project


@transaction.atomic
def project_recommend(*, acting_user: User | None, project: TalentProject, data: DecisionInput) -> TalentProject:
    """推荐: applied → recommended, on ``data.on`` (not before the application)."""
    locked, target = _locked(project, flow.Action.RECOMMEND, acting_user, data.version)
    before = snapshot(locked)
    locked.recommended_on = _decision_day(data.on, locked.applied_on)
    locked.state = target.value
    return _save(acting_user, locked, flow.Action.RECOMMEND, before, ["recommended_on"])


def _decline(action: flow.Action, acting_user: User | None, project: TalentProject, data: ReasonInput) -> TalentProject:
    locked, target = _locked(project, action, acting_user, data.version)
    before = snapshot(locked)
    locked.decided_on = _decision_day(data.on, locked.recommended_on or locked.applied_on)
    locked.reason = data.reason
    locked.state = target.value
    return _save(acting_user, locked, action, before, ["decided_on", "reason"])


@transaction.atomic
def project_not_recommend(*, acting_user: User | None, project: TalentProject, data: ReasonInput) -> TalentProject:
    """未推荐: applied → declined, with the reason."""
    return _decline(flow.Action.NOT_RECOMMEND, acting_user, project, data)


@transaction.atomic
def project_reject(*, acting_user: User | None, project: TalentProject, data: ReasonInput) -> TalentProject:
    """不予立项: recommended → declined, with the reason."""
    return _decline(flow.Action.REJECT, acting_user, project, data)


@transaction.atomic
def project_withdraw(*, acting_user: User | None, project: TalentProject, data: ReasonInput) -> TalentProject:
    """撤回: applied or recommended → withdrawn, with the reason."""
    return _decline(flow.Action.WITHDRAW, acting_user, project, data)


@transaction.atomic
def project_approve(*, acting_user: User | None, project: TalentProject, data: ApproveInput) -> TalentProject:
    """立项: recommended → approved with the approved amount — at most the requested amount
    and the programme's cap per project (422 ``approved_wan``)."""
    locked, target = _locked(project, flow.Action.APPROVE, acting_user, data.version)
    errors = Errors()
    if data.approved_wan > locked.requested_wan:
        errors.add("approved_wan", _("The approved amount must not exceed the requested %(wan)s 万元.")
                   % {"wan": locked.requested_wan})
    cap = locked.round.programme.max_funding_wan
    if cap is not None and data.approved_wan > cap:
        errors.add("approved_wan", _("The programme funds at most %(wan)s 万元 per project.") % {"wan": cap})
    try:
        day = _decision_day(data.on, locked.recommended_on)
    except InvalidInput as exc:
        errors.capture(exc)
    errors.raise_if_any()
    before = snapshot(locked)
    locked.approved_wan = data.approved_wan
    locked.approved_on = day
    locked.state = target.value
    return _save(acting_user, locked, flow.Action.APPROVE, before, ["approved_wan", "approved_on"])


@transaction.atomic
def project_fund(*, acting_user: User | None, project: TalentProject, data: FundInput) -> TalentProject:
    """资金拨付: record one disbursement (approved or funded → funded). The disbursements never
    exceed the approved amount in total (422 ``amount_wan``); the payment date is not in the
    future nor before 立项 (422 ``paid_on``)."""
    locked, target = _locked(project, flow.Action.FUND, acting_user, data.version)
    errors = Errors()
    assert locked.approved_wan is not None
    left = locked.approved_wan - locked.funded_wan
    if data.amount_wan > left:
        errors.add("amount_wan", _("Only %(left)s 万元 of the approved %(wan)s 万元 remain to be paid.")
                   % {"left": left, "wan": locked.approved_wan})
    try:
        paid_on = _decision_day(data.paid_on, locked.approved_on, "paid_on")
    except InvalidInput as exc:
        errors.capture(exc)
    errors.raise_if_any()
    before = snapshot(locked)
    fund = TalentProjectFund.objects.create(
        project=locked, paid_on=paid_on, amount_wan=data.amount_wan, note=data.note, created_by=acting_user
    )
    locked.funded_wan = locked.funded_wan + data.amount_wan
    locked.state = target.value
    audit_write(action="talent_project.fund_entry", user=acting_user, obj=fund, after=snapshot(fund))
    return _save(acting_user, locked, flow.Action.FUND, before, ["funded_wan"])


#: The service of each row of ``flow.TABLE`` and the input it takes.
ACTION_SERVICES: dict[flow.Action, tuple[type[Any], Callable[..., TalentProject]]] = {
    flow.Action.RECOMMEND: (DecisionInput, project_recommend),
    flow.Action.NOT_RECOMMEND: (ReasonInput, project_not_recommend),
    flow.Action.APPROVE: (ApproveInput, project_approve),
    flow.Action.REJECT: (ReasonInput, project_reject),
    flow.Action.FUND: (FundInput, project_fund),
    flow.Action.WITHDRAW: (ReasonInput, project_withdraw),
}
assert set(ACTION_SERVICES) == set(flow.Action), "every row of the table needs its service"
