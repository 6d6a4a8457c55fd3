"""Scoped reads of investment projects (AC-03). Out-of-scope projects do not exist for the caller.

Who sees projects: city-wide roles (city admin, leaders, supervisors) all of them; unit
admins and staff the projects of their unit and every unit below it. Nobody else: the
三员 read no business data; service members serve enterprises, not the pipeline; and
portal users (enterprise, talent) see no projects — not even one whose investor is their own
enterprise. A project record is the government's working file (negotiation notes, the lead
official, evidence, funds reported by the county, possibly talks with competing counties);
the portal's promise is "own enterprise only", and the enterprise's own profile is that.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from zhaoyin.accounts.models import RoleAssignment, User
from zhaoyin.accounts.scope import NOTHING, unit_scope_q
from zhaoyin.core.money import exact_sum, fen_sum
from zhaoyin.core.pickers import suggestions_from
from zhaoyin.core.roles import CITY_WIDE_ROLES, UNIT_ROLES, Role
from zhaoyin.projects.choices import FundVerification
from zhaoyin.projects.models import EvidenceFile, FundEntry, FundEvidenceFile, Project, StageEvent

#: Roles that read projects (the city-wide roles everything, unit roles their subtree).
READER_ROLES: frozenset[Role] = frozenset(CITY_WIDE_ROLES | UNIT_ROLES)
#: Roles that may create and change projects, stage changes and funds (within their scope).
EDITOR_ROLES = frozenset({Role.CITY_ADMIN.value, Role.UNIT_ADMIN.value, Role.STAFF.value})


def project_scope_q(user: User) -> Q:
    """The projects ``user`` may see, as a filter on ``Project`` (see the module docstring)."""
    if not user.is_authenticated or user.admin_role:
        return NOTHING
    return unit_scope_q(user)


def project_list_visible_to(user: User) -> QuerySet[Project]:
    """Every project the user may see, with unit, industry and investor joined."""
    return Project.objects.filter(project_scope_q(user)).select_related("org_unit", "industry", "investor", "staff")


def can_edit_project(user: User, project: Project) -> bool:
    """Editors (city admin; unit admin and staff within their subtree) may change a project."""
    if not user.is_authenticated or not user.has_role(*EDITOR_ROLES):
        return False
    if user.has_role(Role.CITY_ADMIN):
        return True
    return user.org_unit is not None and project.org_unit.path.startswith(user.org_unit.path)


def can_create_project_in(user: User, unit_path: str) -> bool:
    """Whether ``user`` may register a project (or move one) into the unit at ``unit_path``."""
    if not user.is_authenticated or not user.has_role(*EDITOR_ROLES):
        return False
    if user.has_role(Role.CITY_ADMIN):
        return True
    return user.org_unit is not None and unit_path.startswith(user.org_unit.path)


#: Roles an account needs to be put in charge of a project (经办人).
STAFF_IN_CHARGE_ROLES = frozenset({Role.STAFF.value, Role.UNIT_ADMIN.value})


def staff_in_charge_candidates(editor: User | None) -> QuerySet[User]:
    """The accounts ``editor`` may put in charge of a project: active, not one of the 三员,
    holding the staff or unit admin role, in a unit within the editor's scope — every unit
    for a city admin, the editor's own subtree for a county or park editor. ``None`` is the
    system (demo loader, command line): any unit. A non-editor may choose nobody.

    The same list fills the form's choices and backs the services' check, so a page, the API
    and an import accept exactly the same people.
    """
    qs = User.objects.filter(
        is_active=True,
        admin_role="",
        org_unit__isnull=False,
        pk__in=RoleAssignment.objects.filter(role__in=STAFF_IN_CHARGE_ROLES).values("user_id"),
    )
    if editor is not None:
        if not editor.is_authenticated or not editor.has_role(*EDITOR_ROLES):
            return qs.none()
        if not editor.has_role(Role.CITY_ADMIN):
            if editor.org_unit is None:
                return qs.none()
            qs = qs.filter(org_unit__path__startswith=editor.org_unit.path)
    return qs.select_related("org_unit").order_by("org_unit__path", "username")


def may_put_in_charge(editor: User | None, staff: User) -> bool:
    """Whether ``editor`` may make ``staff`` the staff member in charge of a project."""
    return staff_in_charge_candidates(editor).filter(pk=staff.pk).exists()


def project_get_for_user(*, user: User, pk: int, action: str = "view") -> Project:
    """The project if the user may see it (else 404); for ``change``, 403 if read-only."""
    project = project_list_visible_to(user).filter(pk=pk).first()
    if project is None:
        raise Http404
    if action == "change" and not can_edit_project(user, project):
        from zhaoyin.audit.services import audit_denied

        # A refused write is audited (AUD-01); the record names the project aimed at.
        audit_denied(user=user, action="project.change_denied", target=f"project {project.pk}")
        raise PermissionDenied
    return project


def evidence_get_for_user(*, user: User, pk: int) -> EvidenceFile:
    """An evidence file whose project the user may see (else 404, FILE-05)."""
    found = (
        EvidenceFile.objects.filter(pk=pk, event__project__in=project_list_visible_to(user).values("pk"))
        .select_related("event", "event__project")
        .first()
    )
    if found is None:
        raise Http404
    return found


def stage_events(project: Project) -> list[StageEvent]:
    """The stage history of a project already fetched through a selector, oldest first,
    with recorder and evidence files loaded."""
    return list(
        StageEvent.objects.filter(project=project)
        .select_related("created_by")
        .prefetch_related(Prefetch("files", queryset=EvidenceFile.objects.order_by("id")))
        .order_by("created_at", "id")
    )


def fund_entries(project: Project, *, include_superseded: bool = False) -> list[FundEntry]:
    """Funds-in-place entries of a project, by month, with their 到账凭证; the active ones and
    those the city returned that were not entered again yet (the county reads the reason),
    unless the whole history is asked for."""
    qs = (
        FundEntry.objects.filter(project=project)
        .select_related("entered_by", "verified_by")
        .prefetch_related(Prefetch("files", queryset=FundEvidenceFile.objects.order_by("id")))
    )
    if not include_superseded:
        qs = qs.filter(
            Q(superseded_at__isnull=True)
            | Q(verification=FundVerification.REJECTED, replaced_by__isnull=True)
        )
    return list(qs.order_by("month", "source", "kind", "entered_at", "id"))


def fund_entry_get(project: Project, pk: int) -> FundEntry:
    """Any entry of a project fetched through a selector (else 404: an entry of another project
    answers like an unknown one)."""
    found = FundEntry.objects.filter(project=project, pk=pk).select_related("project", "project__org_unit").first()
    if found is None:
        raise Http404
    return found


def fund_evidence_get_for_user(*, user: User, pk: int) -> FundEvidenceFile:
    """A 到账凭证 whose project the user may see (else 404, FILE-05)."""
    found = (
        FundEvidenceFile.objects.filter(pk=pk, entry__project__in=project_list_visible_to(user).values("pk"))
        .select_related("entry", "entry__project")
        .first()
    )
    if found is None:
        raise Http404
    return found


def funds_to_verify(user: User) -> QuerySet[FundEntry]:
    """The reported (not yet checked) active entries of the projects ``user`` may see, less
    those ``user`` entered (four eyes: ``fund_flow.entered_by``): the verifier's queue
    (待核查到位资金), oldest first — the same entries as its 我的待办."""
    return (
        FundEntry.objects.filter(
            superseded_at__isnull=True,
            verification=FundVerification.REPORTED,
            project__in=project_list_visible_to(user).values("pk"),
        )
        .exclude(entered_by_id=user.pk)
        .select_related("project", "project__org_unit", "entered_by")
        .order_by("entered_at", "id")
    )


def fund_sum_wan(entries: QuerySet[FundEntry]) -> Decimal:
    """The exact sum in 万元 of ``entries`` (filter them first, e.g. to active ones)."""
    return exact_sum(entries, "amount_wan")


def project_fund_total(project: Project) -> Decimal:
    """The funds in place of one project (active entries), exact to the fen."""
    return fund_sum_wan(FundEntry.objects.filter(project=project, superseded_at__isnull=True))


def project_verified_funds(project: Project) -> Decimal:
    """A project's funds in place as targets count them (核实: verified active entries)."""
    return fund_sum_wan(
        FundEntry.objects.filter(project=project, superseded_at__isnull=True, verification=FundVerification.VERIFIED)
    )


def with_verified_funds(qs: QuerySet[Project]) -> QuerySet[Project]:
    """``qs`` with ``verified_funds_fen``: each project's funds in place counted as targets
    count them (核实: the verified active entries, in fen; None without any), in one correlated
    subquery rather than a query per project (the export's 到位资金 column)."""
    verified = (
        FundEntry.objects.filter(
            project=OuterRef("pk"), superseded_at__isnull=True, verification=FundVerification.VERIFIED
        )
        .order_by()
        .values("project")
        .annotate(fen=fen_sum("amount_wan"))
        .values("fen")
    )
    return qs.annotate(verified_funds_fen=Subquery(verified))


def fund_entry_of(project: Project, pk_text: str) -> FundEntry | None:
    """The project's active funds entry with this id (as submitted by a form), or None."""
    if not (pk_text.isascii() and pk_text.isdigit() and len(pk_text) <= 18):
        return None
    return FundEntry.objects.filter(project=project, pk=int(pk_text), superseded_at__isnull=True).first()


def project_suggestions(user: User, terms: tuple[str, ...], *, limit: int = 10) -> list[Project]:
    """The picker's projects (issue 16): in ``user``'s scope, whose search text (code, name,
    拼音首字母, investor) holds every folded term, or whose record number is the one term."""
    return suggestions_from(project_list_visible_to(user), terms, order="name", limit=limit)


def project_names(user: User, refs: list[str]) -> dict[str, str]:
    """The names of the projects ``refs`` name (ids or codes) within ``user``'s scope, by ref."""
    from zhaoyin.core.listparams import positive_int

    ids = [n for n in (positive_int(r) for r in refs) if n is not None]
    rows = project_list_visible_to(user).filter(Q(pk__in=ids) | Q(code__in=refs)).values_list("pk", "code", "name")
    out: dict[str, str] = {}
    for pk, code, name in rows:
        out[str(pk)] = out[code] = name
    return out
