"""Talent-project use cases: the only writers of programmes, rounds, projects and disbursements.

Programmes and rounds are the talent office's (and the city admin's): ``programme_create`` /
``programme_update``, ``round_create`` / ``round_update``, each with its version (409 when
stale). A round is opened or changed only while its programme is active (409 otherwise: the
programme is closed, its rounds stay as they were), and a changed window must still hold the
dates of the applications already made in it (422 naming the date).

Every write is atomic and audited in the same transaction. ``acting_user=None`` is the system
(demo, CLI). A project's state moves only along the rows of ``flow.TABLE``, one service per
row (``project_<action>``): the row is looked up on the locked project (409 when the table
does not allow the move from its state, 403 when the user holds none of the row's actors);
``version`` guards against lost updates (409). Bad input names the field (422) and changes
nothing. Every row (``_save``) and the application (``flow.APPLY``) schedule their hand-off
notices for after the commit (``notifications.handoff``; who is told: ``todo.py``). The talent
withdraws their own application as the acting user (the row's ``talent`` actor, held on their
own only: ``selectors.actors_on``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.audit.services import audit_write, diff, snapshot
from zhaoyin.core.errors import Conflict, Errors, InvalidInput
from zhaoyin.core.roles import Role
from zhaoyin.notifications import handoff
from zhaoyin.talentprojects import flow
from zhaoyin.talentprojects.inputs import (
    ProgrammeInput,
    ProgrammeUpdateInput,
    RoundInput,
    RoundUpdateInput,
    TalentProjectInput,
)
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
    TalentProjectReasonInput as ReasonInput,
)
from zhaoyin.talentprojects.models import Programme, ProgrammeRound, TalentProject, TalentProjectFund
from zhaoyin.talentprojects.selectors import actors_of, actors_on
from zhaoyin.talents.models import Talent
from zhaoyin.talents.selectors import own_talent, talent_list_visible_to


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


def _may_set_up(acting_user: User | None) -> None:
    """Programmes and rounds are set up by the deciders (talent office, city admin): else 403."""
    if acting_user is not None and not actors_of(acting_user) & flow.DECIDERS:
        raise PermissionDenied


def _programme_values(data: ProgrammeInput | ProgrammeUpdateInput, errors: Errors) -> dict[str, Any]:
    values = {name: getattr(data, name) for name in data.given() if name != "version"}
    if "name" in values and not values["name"]:
        errors.add("name", _("This field is required."))
    if "level" in values and values["level"] is None:
        errors.add("level", _("This field is required."))
    if "is_active" in values and values["is_active"] is None:
        errors.add("is_active", _("Choose yes or no."))
    if "sponsor" in values:
        values["sponsor"] = values["sponsor"] or ""
    return values


@transaction.atomic
def programme_create(*, acting_user: User | None, data: ProgrammeInput) -> Programme:
    """A new talent programme. Its code is unique (422 ``code``); the talent office and the city
    admin only (403)."""
    _may_set_up(acting_user)
    errors = Errors()
    values = _programme_values(data, errors) | {"code": data.code, "name": data.name, "level": data.level}
    if Programme.objects.filter(code=data.code).exists():
        errors.add("code", _("Another programme has this code."))
    errors.raise_if_any()
    programme = Programme(**values)
    try:
        with transaction.atomic():
            programme.save()
    except IntegrityError:
        # A concurrent creation of the same code won the race.
        raise InvalidInput.field("code", _("Another programme has this code.")) from None
    audit_write(action="talent_project.programme_create", user=acting_user, obj=programme, after=snapshot(programme))
    return programme


@transaction.atomic
def programme_update(*, acting_user: User | None, programme: Programme, data: ProgrammeUpdateInput) -> Programme:
    """Change a programme (the fields sent; its code stays). A lower cap applies to the 立项
    still to come; deactivating closes its rounds to new applications (the projects already
    made go on through the table). ``data.version`` stale → 409."""
    _may_set_up(acting_user)
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    if data.version is not None and data.version != locked.version:
        raise Conflict(_("This programme was changed by someone else; reload it and try again."))
    errors = Errors()
    values = _programme_values(data, errors)
    errors.raise_if_any()
    before = snapshot(locked)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.save(update_fields=[*values, "version"])
    old, new = diff(before, snapshot(locked))
    audit_write(action="talent_project.programme_update", user=acting_user, obj=locked, before=old, after=new)
    return locked


def _window_errors(rnd: ProgrammeRound | None, opens_on: dt.date, closes_on: dt.date, errors: Errors) -> None:
    """The window's order, and (for a round with applications) that it still holds them."""
    if closes_on < opens_on:
        errors.add("closes_on", _("A round cannot close before it opens."))
    if rnd is None or rnd.pk is None:
        return
    dates = TalentProject.objects.filter(round=rnd).aggregate(first=Min("applied_on"), last=Max("applied_on"))
    if dates["first"] is not None and opens_on > dates["first"]:
        errors.add("opens_on", _("The round has an application of %(date)s: it must open by then.")
                   % {"date": dates["first"].isoformat()})
    if dates["last"] is not None and closes_on < dates["last"]:
        errors.add("closes_on", _("The round has an application of %(date)s: it must close no earlier.")
                   % {"date": dates["last"].isoformat()})


def _active_programme(programme: Programme) -> Programme:
    """The programme locked; a closed (inactive) programme's rounds stay as they are (409)."""
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    if not locked.is_active:
        raise Conflict(_("This programme is not active: activate it before opening or changing its rounds."))
    return locked


@transaction.atomic
def round_create(*, acting_user: User | None, programme: Programme, data: RoundInput) -> ProgrammeRound:
    """A new round of an active programme (409 when inactive): its name unique within the
    programme (422 ``name``), closing not before opening (422 ``closes_on``)."""
    _may_set_up(acting_user)
    locked = _active_programme(programme)
    errors = Errors()
    _window_errors(None, data.opens_on, data.closes_on, errors)
    if ProgrammeRound.objects.filter(programme=locked, name=data.name).exists():
        errors.add("name", _("The programme already has a round of this name."))
    errors.raise_if_any()
    rnd = ProgrammeRound(programme=locked, year=data.year, name=data.name, opens_on=data.opens_on,
                         closes_on=data.closes_on)
    rnd.save()
    audit_write(action="talent_project.round_create", user=acting_user, obj=rnd, after=snapshot(rnd))
    return rnd


@transaction.atomic
def round_update(*, acting_user: User | None, round: ProgrammeRound, data: RoundUpdateInput) -> ProgrammeRound:
    """Change a round of an active programme (the fields sent; 409 when the programme is
    inactive or ``data.version`` is stale). The window keeps its order and still holds the
    applications made in it (422 naming the date)."""
    _may_set_up(acting_user)
    _active_programme(round.programme)
    locked = ProgrammeRound.objects.select_for_update().select_related("programme").get(pk=round.pk)
    if data.version is not None and data.version != locked.version:
        raise Conflict(_("This round was changed by someone else; reload it and try again."))
    values = {name: getattr(data, name) for name in data.given() if name != "version"}
    errors = Errors()
    for name in ("year", "name", "opens_on", "closes_on"):
        if name in values and not values[name]:
            errors.add(name, _("This field is required."))
    errors.raise_if_any()
    opens_on, closes_on = values.get("opens_on", locked.opens_on), values.get("closes_on", locked.closes_on)
    _window_errors(locked, opens_on, closes_on, errors)
    if "name" in values and ProgrammeRound.objects.filter(
        programme_id=locked.programme_id, name=values["name"]
    ).exclude(pk=locked.pk).exists():
        errors.add("name", _("The programme already has a round of this name."))
    errors.raise_if_any()
    before = snapshot(locked)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.save(update_fields=[*values, "version"])
    old, new = diff(before, snapshot(locked))
    audit_write(action="talent_project.round_update", user=acting_user, obj=locked, before=old, after=new)
    return locked


def _talent(acting_user: User | None, pk: int) -> Talent | None:
    """The talent in the caller's talent scope (None: unknown or out of scope — the same)."""
    qs = Talent.objects.select_related("org_unit", "employer") if acting_user is None else talent_list_visible_to(
        acting_user
    )
    return qs.filter(pk=pk).first()


def _self_applying(acting_user: User | None) -> bool:
    """Whether ``acting_user`` applies for themself in the portal (a talent portal user, who
    holds none of the table's roles)."""
    return acting_user is not None and not acting_user.admin_role and acting_user.has_role(Role.TALENT) and not (
        actors_of(acting_user) & flow.RECOMMENDERS
    )


@transaction.atomic
def project_create(*, acting_user: User | None, data: TalentProjectInput) -> TalentProject:
    """申报: register a talent's application in a round, in ``applied``. The talent must be in
    the caller's talent scope (else 422 ``talent``, as an unknown one), the application date
    within the round's window and not in the future (``applied_on``); one application per
    talent and round (422 ``talent``); the request at most the programme's cap per project
    (422 ``requested_wan``). The employer and unit are the talent's at this moment.

    A talent portal user applies for themself: ``talent`` must be their own record (the portal
    passes it; another is unknown), the round open today and the date today; the refusals a
    talent can act on name ``round`` (not open, already applied in it)."""
    self_applying = _self_applying(acting_user)
    if acting_user is not None and not self_applying and (
        acting_user.admin_role or not actors_of(acting_user) & flow.RECOMMENDERS
    ):
        raise PermissionDenied
    errors = Errors()
    today = _today()
    rnd = ProgrammeRound.objects.select_related("programme").filter(pk=data.round).first()
    if rnd is None or not rnd.programme.is_active:
        errors.add("round", _("Unknown round."))
        rnd = None
    elif self_applying and not rnd.opens_on <= today <= rnd.closes_on:
        errors.add("round", _("This round is not open for applications."))
    if self_applying:
        own = own_talent(acting_user) if acting_user is not None else None
        talent = own if own is not None and own.pk == data.talent else None
    else:
        talent = _talent(acting_user, data.talent)
    if talent is None:
        errors.add("talent", _("Unknown talent."))
    applied_on = data.applied_on or today
    if self_applying and applied_on != today:
        errors.add("applied_on", _("An application in the portal is dated today."))
    elif applied_on > today:
        errors.add("applied_on", _("The date must not be in the future."))
    elif rnd is not None and not self_applying and not rnd.opens_on <= applied_on <= rnd.closes_on:
        errors.add(
            "applied_on",
            _("The round takes applications from %(start)s to %(end)s.")
            % {"start": rnd.opens_on.isoformat(), "end": rnd.closes_on.isoformat()},
        )
    cap = rnd.programme.max_funding_wan if rnd is not None else None
    if cap is not None and data.requested_wan > cap:
        errors.add("requested_wan", _("The programme funds at most %(wan)s 万元 per project.") % {"wan": cap})
    duplicate = "round" if self_applying else "talent"
    if rnd is not None and talent is not None and TalentProject.objects.filter(round=rnd, talent=talent).exists():
        errors.add(duplicate, _("You have already applied in this round.") if self_applying
                   else _("This talent has already applied in this round."))
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
        raise InvalidInput.field(
            duplicate, _("You have already applied in this round.") if self_applying
            else _("This talent has already applied in this round.")
        ) from None
    audit_write(action="talent_project.create", user=acting_user, obj=project, after=snapshot(project))
    handoff.hand_off(table=flow.TABLE, row=flow.APPLY, pk=project.pk, source="", acting_user=acting_user)
    return project


def _locked(project: TalentProject, action: flow.Action, acting_user: User | None, version: int | None) -> tuple[
    TalentProject, flow.State
]:
    """The project locked for the change, and the state ``action`` leads it to: 403 when the
    user holds none of the row's actors, 409 when its state does not allow it or its version
    is not the one read."""
    rule = flow.TABLE.by_action[action]
    # The talent's own application gives them the ``talent`` actor (withdrawing in the portal).
    if acting_user is not None and not rule.may(actors_on(acting_user, project)):
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
    # Every row goes through here: its notices (the next actor, the applicant) after commit.
    handoff.hand_off(table=flow.TABLE, row=flow.TABLE.by_action[action], pk=project.pk,
                     source=str(before.get("state", "")), acting_user=acting_user)
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
    """撤回: applied or recommended → withdrawn, with the reason — by a recommender, or by the
    talent for their own application (the portal; 403 for anyone else's)."""
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
