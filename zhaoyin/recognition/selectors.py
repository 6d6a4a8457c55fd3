"""Scoped reads of recognitions and tier rule sets (AC-03), and who holds which actor.

A recognition is seen by whoever sees its talent (``talents.selectors.talent_scope_q``): the
city-wide roles and the talent office every one, unit roles those of their subtree's talents,
the talent portal user their own (through the portal's pages and routes only). An application
outside the caller's scope does not exist for them (404).

Actors of ``recognition.flow`` (the services and the pages ask here):

- ``unit_reviewer``: a city administrator; a unit administrator or staff member whose unit's
  subtree holds the talent's org unit;
- ``office``: the talent office or a city administrator;
- ``applicant``: the talent's portal account, or the account that made the application.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from zhaoyin.accounts.models import User
from zhaoyin.accounts.scope import NOTHING, subtree_ids
from zhaoyin.core.roles import TALENT_CITY_ROLES, UNIT_ROLES, Role
from zhaoyin.recognition.flow import Actor
from zhaoyin.recognition.models import Recognition, RecognitionFile, RecognitionObjection, TierRuleSet
from zhaoyin.talents.models import Talent
from zhaoyin.talents.selectors import talent_list_visible_to

#: Who reads recognitions in the internal pages and API (scope still applies).
READER_ROLES: frozenset[Role] = frozenset(TALENT_CITY_ROLES | UNIT_ROLES)
#: Who may hold an actor of the machine (the route rule of the actions).
ACTOR_ROLES: frozenset[Role] = frozenset(
    {Role.CITY_ADMIN, Role.TALENT_OFFICE, Role.UNIT_ADMIN, Role.STAFF, Role.TALENT}
)
#: Who makes applications: the talent for themself, editors of talent records on a talent's behalf.
APPLICANT_ROLES: frozenset[Role] = frozenset(
    {Role.CITY_ADMIN, Role.TALENT_OFFICE, Role.UNIT_ADMIN, Role.STAFF, Role.TALENT}
)
#: Who reads the tier rule sets, and who writes them.
RULE_READER_ROLES: frozenset[Role] = READER_ROLES
RULE_EDITOR_ROLES: frozenset[Role] = frozenset({Role.CITY_ADMIN, Role.TALENT_OFFICE})
#: The office's roles (复审, 公示, 认定).
OFFICE_ROLES: frozenset[Role] = frozenset({Role.CITY_ADMIN, Role.TALENT_OFFICE})


def recognition_scope_q(user: User, *, portal: bool = False) -> Q:
    """The recognitions ``user`` may see, as a filter on ``Recognition``. The internal routes
    leave the talent's own out (``portal=False``): a portal user reads through the portal."""
    if not user.is_authenticated or user.admin_role:
        return NOTHING
    if portal:
        return Q(talent__account_id=user.pk) if user.has_role(Role.TALENT) else NOTHING
    if user.has_role(*TALENT_CITY_ROLES):
        return Q()
    if user.has_role(*UNIT_ROLES) and user.org_unit_id is not None:
        units = subtree_ids(user)
        return Q(talent__org_unit_id__in=units) | Q(talent__station_id__in=units)
    return NOTHING


def _joined(qs: QuerySet[Recognition]) -> QuerySet[Recognition]:
    return qs.select_related(
        "talent__org_unit", "talent__employer", "rule_set", "first_reviewer", "first_unit", "second_reviewer",
        "decided_by", "applied_by",
    )


def recognition_list_visible_to(user: User) -> QuerySet[Recognition]:
    """Every recognition the user may see in the internal pages and API."""
    return _joined(Recognition.objects.filter(recognition_scope_q(user)))


def recognition_get_for_user(*, user: User, pk: int) -> Recognition:
    """One recognition if the user may see it, else 404."""
    found = recognition_list_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def portal_recognitions(user: User) -> QuerySet[Recognition]:
    """The portal user's own applications, latest first."""
    return _joined(Recognition.objects.filter(recognition_scope_q(user, portal=True)))


def portal_recognition_get(*, user: User, pk: int) -> Recognition:
    """One of the portal user's own applications, else 404."""
    found = portal_recognitions(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def talent_for_application(*, user: User, pk: int) -> Talent | None:
    """The talent ``user`` may apply for (None: unknown or out of scope — answered alike).

    A portal user applies for themself only; the other applicant roles for the talents of
    their scope."""
    if not user.has_role(*APPLICANT_ROLES):
        return None
    if user.has_role(Role.TALENT) and not user.has_role(*(APPLICANT_ROLES - {Role.TALENT})):
        return Talent.objects.filter(pk=pk, account_id=user.pk).select_related("org_unit").first()
    return talent_list_visible_to(user).filter(pk=pk).first()


def objection_get(*, recognition: Recognition, pk: int) -> RecognitionObjection:
    """An objection of a recognition the caller already fetched through its scope, else 404."""
    found = RecognitionObjection.objects.filter(recognition=recognition, pk=pk).first()
    if found is None:
        raise Http404
    return found


def file_get_for_user(*, user: User, pk: int, portal: bool = False) -> RecognitionFile:
    """A document of a recognition the user may see (portal: their own), else 404."""
    scope = recognition_scope_q(user, portal=portal)
    found = (
        RecognitionFile.objects.filter(pk=pk, recognition__in=Recognition.objects.filter(scope))
        .select_related("recognition__talent")
        .first()
    )
    if found is None:
        raise Http404
    return found


# ---- actors -------------------------------------------------------------------------------------


def _in_subtree(user: User, talent: Talent) -> bool:
    return user.org_unit is not None and talent.org_unit.path.startswith(user.org_unit.path)


def actors_of(user: User, recognition: Recognition) -> frozenset[str]:
    """The actors ``user`` holds for ``recognition`` (no scope check beyond these rules)."""
    if not user.is_authenticated or user.admin_role:
        return frozenset()
    held: set[str] = set()
    talent = recognition.talent
    if user.has_role(Role.CITY_ADMIN) or (user.has_role(*UNIT_ROLES) and _in_subtree(user, talent)):
        held.add(Actor.UNIT_REVIEWER)
    if user.has_role(*OFFICE_ROLES):
        held.add(Actor.OFFICE)
    if (talent.account_id is not None and talent.account_id == user.pk) or recognition.applied_by_id == user.pk:
        held.add(Actor.APPLICANT)
    return frozenset(held)


# ---- tier rule sets ---------------------------------------------------------------------------


def rule_set_list_visible_to(user: User) -> QuerySet[TierRuleSet]:
    """Every rule set for the readers of the rules (the standards are not scoped); none else."""
    if not user.is_authenticated or user.admin_role or not user.has_role(*RULE_READER_ROLES):
        return TierRuleSet.objects.none()
    return TierRuleSet.objects.prefetch_related("rules").select_related("created_by")


def rule_set_get_for_user(*, user: User, pk: int) -> TierRuleSet:
    found = rule_set_list_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def active_rule_set(year: int) -> TierRuleSet | None:
    """The year's active rule set, if any."""
    return TierRuleSet.objects.filter(year=year, status="active").prefetch_related("rules").first()


def state_counts(qs: QuerySet[Recognition]) -> dict[str, int]:
    """How many of ``qs`` are in each state (the list page's counts)."""
    from django.db.models import Count

    return {row["state"]: row["n"] for row in qs.order_by().values("state").annotate(n=Count("pk"))}
