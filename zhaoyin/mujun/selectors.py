"""Scoped reads of the 亩均 evaluation (AC-03), and who holds which actor of ``flow``.

Who reads what (issue 14 item 8):

- the evaluators — the 经信局's 亩均 office (``mu_office``) and the city administrator — and
  the other city-wide roles (leader, supervisor: read only) see every scheme, run, result and
  input;
- unit roles (county, park, department) see the schemes and runs, and the results and inputs
  of the firms in their subtree (by the firm's org unit);
- an enterprise portal user sees the runs in 公示 or published that hold their firm, their
  own result and their own inputs — and nothing of another firm (404);
- nobody else (service members, talents, the 三员).

Actors: ``evaluator`` — ``mu_office`` or ``city_admin``; ``firm`` — the portal account of an
enterprise in the run.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from zhaoyin.accounts.models import User
from zhaoyin.accounts.scope import NOTHING, subtree_ids
from zhaoyin.core.roles import CITY_WIDE_ROLES, UNIT_ROLES, Role
from zhaoyin.mujun.flow import PUBLIC_STATES, Actor
from zhaoyin.mujun.models import MuGradeChange, MuInput, MuObjection, MuResult, MuRun, MuScheme, ParcelHolding

#: Who runs evaluations, edits schemes and imports the bureaus' figures.
EVALUATOR_ROLES: frozenset[Role] = frozenset({Role.CITY_ADMIN, Role.MU_OFFICE})
#: Who reads everything of the evaluation.
CITY_READER_ROLES: frozenset[Role] = frozenset(CITY_WIDE_ROLES | {Role.MU_OFFICE})
#: Who reads the internal pages and API (scope still applies to results and inputs).
READER_ROLES: frozenset[Role] = frozenset(CITY_READER_ROLES | UNIT_ROLES)
#: Who reads their own results through the portal.
PORTAL_ROLES: frozenset[Role] = frozenset({Role.ENTERPRISE})


def is_evaluator(user: User) -> bool:
    return user.is_authenticated and not user.admin_role and user.has_role(*EVALUATOR_ROLES)


def _enterprise_q(user: User, field: str) -> Q:
    """The firms ``user`` may see, as a filter on ``field`` (an enterprise FK path)."""
    if not user.is_authenticated or user.admin_role:
        return NOTHING
    if user.has_role(*CITY_READER_ROLES):
        return Q()
    if user.has_role(*UNIT_ROLES) and user.org_unit_id is not None:
        return Q(**{f"{field}__org_unit_id__in": subtree_ids(user)})
    if user.has_role(Role.ENTERPRISE) and user.enterprise_id is not None:
        return Q(**{f"{field}_id": user.enterprise_id})
    return NOTHING


def enterprise_in_scope(user: User, pk: int) -> bool:
    """Whether the firm ``pk`` exists within the user's evaluation scope (a firm's results
    page and API: out of scope answers like unknown, 404)."""
    from zhaoyin.enterprises.models import Enterprise

    if not user.is_authenticated or user.admin_role:
        return False
    if user.has_role(*CITY_READER_ROLES):
        return Enterprise.objects.filter(pk=pk).exists()
    if user.has_role(*UNIT_ROLES) and user.org_unit_id is not None:
        return Enterprise.objects.filter(pk=pk, org_unit_id__in=subtree_ids(user)).exists()
    return user.has_role(Role.ENTERPRISE) and user.enterprise_id == pk


def scheme_list_visible_to(user: User) -> QuerySet[MuScheme]:
    """Schemes: every internal reader (a scheme is the city's published rule)."""
    if not user.is_authenticated or user.admin_role or not user.has_role(*READER_ROLES):
        return MuScheme.objects.none()
    return MuScheme.objects.all()


def scheme_get_for_user(*, user: User, pk: int) -> MuScheme:
    found = scheme_list_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def run_list_visible_to(user: User) -> QuerySet[MuRun]:
    """Runs: every internal reader; a portal enterprise only the public runs holding its firm."""
    qs = MuRun.objects.select_related("scheme").defer("snapshot")
    if not user.is_authenticated or user.admin_role:
        return qs.none()
    if user.has_role(*READER_ROLES):
        return qs
    if user.has_role(*PORTAL_ROLES) and user.enterprise_id is not None:
        return qs.filter(state__in=PUBLIC_STATES, results__enterprise_id=user.enterprise_id)
    return qs.none()


def run_get_for_user(*, user: User, pk: int) -> MuRun:
    found = run_list_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def result_list_visible_to(user: User, run: MuRun | None = None) -> QuerySet[MuResult]:
    """Results the user may see (of one run, when given): a portal firm only its own, and only
    once the run is public."""
    # The run comes along without its snapshot and outside list (megabytes at province scale).
    qs = MuResult.objects.select_related("enterprise", "org_unit", "run").defer(
        "run__snapshot", "run__outside").filter(_enterprise_q(user, "enterprise"))
    if not user.has_role(*READER_ROLES):
        qs = qs.filter(run__state__in=PUBLIC_STATES)
    return qs.filter(run=run) if run is not None else qs


def result_count(user: User, run: MuRun, qs: QuerySet[MuResult], *, filtered: bool) -> int:
    """How many results ``qs`` (``run``'s, in the user's scope, filtered) holds: the run's
    stored ``firms`` (one result per firm of its snapshot, kept so by every write) when
    nothing narrows them — a city-wide reader, no filter — so a page of a 100 000-firm run
    does not count the run on every request; else counted."""
    if not filtered and is_city_reader(user):
        return run.firms
    return qs.count()


def is_city_reader(user: User) -> bool:
    """Whether ``user`` reads every firm of the evaluation (no subtree, no own firm only)."""
    return user.is_authenticated and not user.admin_role and user.has_role(*CITY_READER_ROLES)


def result_get_for_user(*, user: User, pk: int) -> MuResult:
    found = result_list_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def inputs_visible_to(user: User) -> QuerySet[MuInput]:
    """The bureaus' figures the user may see (a firm its own only)."""
    return MuInput.objects.filter(_enterprise_q(user, "enterprise"))


def holdings_visible_to(user: User) -> QuerySet[ParcelHolding]:
    return ParcelHolding.objects.select_related("parcel").filter(_enterprise_q(user, "enterprise"))


def grade_change_list_visible_to(user: User) -> QuerySet[MuGradeChange]:
    """调档 requests of the runs the user sees (the decision route and the API list)."""
    return MuGradeChange.objects.filter(run__in=run_list_visible_to(user)).select_related(
        "run", "proposed_by", "decided_by"
    )


def objection_list_visible_to(user: User) -> QuerySet[MuObjection]:
    """Objections: whoever sees the result (a firm its own)."""
    return MuObjection.objects.select_related("result__enterprise", "run").filter(
        _enterprise_q(user, "result__enterprise")
    )


def actors_of(user: User, run: MuRun, *, enterprise_id: int | None = None) -> frozenset[str]:
    """The actors of ``flow`` the user holds on ``run`` (for ``enterprise_id``'s result, when
    the step concerns one firm)."""
    held: set[str] = set()
    if is_evaluator(user):
        held.add(Actor.EVALUATOR)
    if (
        user.is_authenticated and user.has_role(Role.ENTERPRISE) and user.enterprise_id is not None
        and (enterprise_id is None or enterprise_id == user.enterprise_id)
        and run.results.filter(enterprise_id=user.enterprise_id).exists()
    ):
        held.add(Actor.FIRM)
    return frozenset(held)
