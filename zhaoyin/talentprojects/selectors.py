"""Scoped reads of talent projects (AC-03). Out-of-scope projects do not exist for the caller.

Who sees which projects (docs/talent.md, "Talent projects"):
- the city-wide roles and the talent office: all;
- unit roles: the projects whose ``org_unit`` (the talent's unit when applying) lies in
  their subtree;
- a talent portal user: their own applications (read only here; ``portal_projects`` for the
  portal's pages and ``/me/talent-projects``);
- everyone else: none.
Programmes and rounds are programme information, not scoped: the staff who read projects
read them all; the talent reads the open rounds in the portal.
Who acts is ``flow.TABLE``'s (role codes) within this scope.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from zhaoyin.accounts.models import User
from zhaoyin.accounts.scope import NOTHING, subtree_ids
from zhaoyin.core.roles import TALENT_CITY_ROLES, UNIT_ROLES, Role
from zhaoyin.talentprojects import flow
from zhaoyin.talentprojects.models import Programme, ProgrammeRound, TalentProject

#: Roles that read talent projects (scope still applies).
READER_ROLES: frozenset[Role] = frozenset(TALENT_CITY_ROLES | UNIT_ROLES | {Role.TALENT})
#: Roles that register applications (and recommend them): ``flow.RECOMMENDERS``.
EDITOR_ROLES: frozenset[Role] = frozenset(Role(code) for code in flow.RECOMMENDERS)
#: Roles that export the list to Excel: the staff readers (a talent follows their own in the portal).
EXPORT_ROLES: frozenset[Role] = READER_ROLES - {Role.TALENT}
#: Roles that take any action of the table.
ACTOR_ROLES: frozenset[Role] = frozenset(Role(code) for code in flow.RECOMMENDERS | flow.DECIDERS)


def project_scope_q(user: User) -> Q:
    """The projects ``user`` may see, as a filter on ``TalentProject``."""
    if not user.is_authenticated or user.admin_role:
        return NOTHING
    if user.has_role(*TALENT_CITY_ROLES):
        return Q()
    q = NOTHING
    if user.has_role(*UNIT_ROLES) and user.org_unit_id is not None:
        q = Q(org_unit_id__in=subtree_ids(user))
    if user.has_role(Role.TALENT):
        q |= Q(talent__account_id=user.pk)
    return q


def project_list_visible_to(user: User) -> QuerySet[TalentProject]:
    """Every project the user may see, with round, programme, talent and unit joined."""
    return TalentProject.objects.filter(project_scope_q(user)).select_related(
        "round__programme", "talent", "org_unit", "employer"
    )


def actors_of(user: User) -> frozenset[str]:
    """The table's actors ``user`` holds (role codes; a talent holds none)."""
    if user.admin_role:
        return frozenset()
    return frozenset(user.role_codes) & (flow.RECOMMENDERS | flow.DECIDERS)


def is_own(user: User, project: TalentProject) -> bool:
    """Whether ``project`` is the portal user's own application (their linked talent record's)."""
    return (
        bool(user.is_authenticated) and not user.admin_role and user.has_role(Role.TALENT)
        and project.talent.account_id is not None and project.talent.account_id == user.pk
    )


def actors_on(user: User, project: TalentProject) -> frozenset[str]:
    """The table's actors ``user`` holds on ``project``: their roles (``actors_of``), and the
    ``talent`` role on their own application (the portal's withdrawal)."""
    return actors_of(user) | ({Role.TALENT.value} if is_own(user, project) else frozenset())


def project_get_for_user(*, user: User, pk: int, action: str = "view") -> TalentProject:
    """The project if the user may see it (else 404); for an action of the table, 403 (audited,
    outside any business transaction) when the user holds none of its row's actors — a leader
    or a talent reads only, a unit role does not approve or fund."""
    project = project_list_visible_to(user).filter(pk=pk).first()
    if project is None:
        raise Http404
    rule = flow.TABLE.get(action) if action != "view" else None
    if action != "view" and (rule is None or not rule.may(actors_of(user))):
        from zhaoyin.audit.services import audit_denied

        audit_denied(user=user, action="talent_project.change_denied", target=f"talent_project {project.pk}")
        raise PermissionDenied
    return project


def allowed_actions(user: User, project: TalentProject) -> list[flow.Action]:
    """The actions ``user`` may take on ``project`` now (the detail page's buttons)."""
    return [r.action for r in flow.TABLE.manual_rows_from(project.state, actors_of(user))]


def round_list() -> QuerySet[ProgrammeRound]:
    """Every round of an active programme, newest first (public programme information: any
    reader sees them; the application form's choices)."""
    return ProgrammeRound.objects.filter(programme__is_active=True).select_related("programme")


# --------------------------------------------------------------------------- programmes, rounds

#: Who reads the programmes' pages: the staff who read projects (the talent reads the open
#: rounds in the portal).
PROGRAMME_READER_ROLES: frozenset[Role] = READER_ROLES - {Role.TALENT}
#: Who creates and changes programmes and rounds: the deciders (talent office, city admin).
PROGRAMME_EDITOR_ROLES: frozenset[Role] = frozenset(Role(code) for code in flow.DECIDERS)


def may_set_up(user: User) -> bool:
    """Whether ``user`` creates and changes programmes and rounds (the pages' buttons)."""
    return bool(actors_of(user) & flow.DECIDERS)


def programme_list() -> QuerySet[Programme]:
    """Every programme, active and not, with its number of rounds (programme information is
    not scoped: whoever reads projects reads it)."""
    return Programme.objects.annotate(round_count=Count("rounds")).order_by("-is_active", "level", "name")


def programme_get(*, pk: int) -> Programme:
    """One programme (404 when unknown)."""
    programme = Programme.objects.filter(pk=pk).first()
    if programme is None:
        raise Http404
    return programme


def programme_rounds(programme: Programme) -> QuerySet[ProgrammeRound]:
    """A programme's rounds, newest first, with their number of applications."""
    return programme.rounds.annotate(project_count=Count("projects")).order_by("-year", "-opens_on", "-pk")


def round_get(*, pk: int) -> ProgrammeRound:
    """One round with its programme (404 when unknown)."""
    rnd = ProgrammeRound.objects.select_related("programme").filter(pk=pk).first()
    if rnd is None:
        raise Http404
    return rnd


# --------------------------------------------------------------------------- the talent's portal


def open_rounds(today: dt.date) -> QuerySet[ProgrammeRound]:
    """The rounds taking applications on ``today`` (of active programmes), closing first."""
    return round_list().filter(opens_on__lte=today, closes_on__gte=today).order_by("closes_on", "programme__name", "pk")


def portal_projects(user: User) -> QuerySet[TalentProject]:
    """The portal user's own applications (their linked talent record's), latest first;
    nothing for anyone else."""
    if not user.is_authenticated or user.admin_role or not user.has_role(Role.TALENT):
        return TalentProject.objects.none()
    return (
        TalentProject.objects.filter(talent__account_id=user.pk)
        .select_related("round__programme")
        .order_by("-applied_on", "-pk")
    )


def portal_project_get(*, user: User, pk: int) -> TalentProject:
    """One of the portal user's own applications; another talent's answers as an unknown one (404)."""
    project = portal_projects(user).filter(pk=pk).first()
    if project is None:
        raise Http404
    return project
