"""Scoped reads of talent projects (AC-03). Out-of-scope projects do not exist for the caller.

Who sees which projects (docs/talent.md, "Talent projects"):
- the city-wide roles and the talent office: all;
- unit roles: the projects whose ``org_unit`` (the talent's unit when applying) lies in
  their subtree;
- a talent portal user: their own applications (read only);
- everyone else: none.
Who acts is ``flow.TABLE``'s (role codes) within this scope.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from zhaoyin.accounts.models import User
from zhaoyin.accounts.scope import NOTHING, subtree_ids
from zhaoyin.core.roles import TALENT_CITY_ROLES, UNIT_ROLES, Role
from zhaoyin.talentprojects import flow
from zhaoyin.talentprojects.models import ProgrammeRound, TalentProject

#: Roles that read talent projects (scope still applies).
READER_ROLES: frozenset[Role] = frozenset(TALENT_CITY_ROLES | UNIT_ROLES | {Role.TALENT})
#: Roles that register applications (and recommend them): ``flow.RECOMMENDERS``.
EDITOR_ROLES: frozenset[Role] = frozenset(Role(code) for code in flow.RECOMMENDERS)
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
