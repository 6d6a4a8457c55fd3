"""Scoped reads of the subsidy applications (人才补贴申请, AC-03). Out of scope does not exist.

- Staff (``APPLICATION_READERS``: the city-wide roles, the talent office, unit admins and staff)
  see the applications of the talents they see (``talents.selectors.talent_scope_q``): a
  county's staff their county's, the talent office and the city-wide roles all.
- The talent portal user reads their own applications only, through the portal's own pages
  and ``/api/v1/me/subsidy-applications`` (the staff routes answer them 403); the internal note
  and who decided are never shown to them.
- Everyone else (service members, enterprise users, the 三员): nothing.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from zhaoyin.accounts.models import User
from zhaoyin.accounts.scope import NOTHING
from zhaoyin.core.roles import TALENT_CITY_ROLES, UNIT_ROLES, Role
from zhaoyin.payouts.models import SubsidyApplication, SubsidyApplicationFile
from zhaoyin.talents.models import Talent
from zhaoyin.talents.selectors import talent_scope_q

#: Who reads the applications on the staff pages and the staff API (scope applies).
APPLICATION_READERS: frozenset[Role] = frozenset(TALENT_CITY_ROLES | UNIT_ROLES)
#: Who downloads an application's documents: the readers and the talent (their own).
FILE_READERS: frozenset[Role] = frozenset(APPLICATION_READERS | {Role.TALENT})


def application_scope_q(user: User) -> Q:
    """The applications ``user`` may see (see the module docstring)."""
    if not user.is_authenticated or user.admin_role:
        return NOTHING
    if user.has_role(*TALENT_CITY_ROLES):
        return Q()
    q = NOTHING
    if user.has_role(*UNIT_ROLES) and user.org_unit_id is not None:
        q = Q(talent_id__in=Talent.objects.filter(talent_scope_q(user)).values("pk"))
    if user.has_role(Role.TALENT):
        q |= Q(talent__account_id=user.pk)
    return q


def application_list_visible_to(user: User) -> QuerySet[SubsidyApplication]:
    """Every application ``user`` may see, with the talent, its unit and the policy joined."""
    return SubsidyApplication.objects.filter(application_scope_q(user)).select_related(
        "talent", "talent__org_unit", "policy"
    )


def application_get_for_user(*, user: User, pk: int) -> SubsidyApplication:
    """One application ``user`` may see, else 404."""
    found = application_list_visible_to(user).select_related("applied_by", "decided_by").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def portal_applications(user: User) -> QuerySet[SubsidyApplication]:
    """The portal user's own applications, latest first (nobody else's, whatever their roles)."""
    if not user.is_authenticated or user.admin_role or not user.has_role(Role.TALENT):
        return SubsidyApplication.objects.none()
    return (
        SubsidyApplication.objects.filter(talent__account_id=user.pk)
        .select_related("talent", "policy").prefetch_related("files").order_by("-applied_at", "-id")
    )


def portal_application_get(*, user: User, pk: int) -> SubsidyApplication:
    """One of the portal user's own applications, else 404."""
    found = portal_applications(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def application_files(application: SubsidyApplication) -> list[SubsidyApplicationFile]:
    """The application's documents, in upload order."""
    return list(application.files.order_by("uploaded_at", "id"))


def application_file_for_user(*, user: User, application_pk: int, file_pk: int) -> SubsidyApplicationFile:
    """A document of an application the user may see, else 404."""
    application = application_get_for_user(user=user, pk=application_pk)
    found = application.files.filter(pk=file_pk).first()
    if found is None:
        raise Http404
    return found


def with_file_counts(items: list[SubsidyApplication]) -> list[SubsidyApplication]:
    """Set ``n_files`` on each application of a page (one grouped query for the page)."""
    counts = dict(
        SubsidyApplicationFile.objects.filter(application_id__in=[a.pk for a in items])
        .values("application_id").annotate(n=Count("pk")).order_by().values_list("application_id", "n")
    )
    for a in items:
        a.n_files = counts.get(a.pk, 0)  # type: ignore[attr-defined]
    return items


def open_applications_by_policy(user: User) -> dict[int, SubsidyApplication]:
    """The portal user's applications per policy, the latest of each (the policies page's buttons)."""
    out: dict[int, SubsidyApplication] = {}
    for application in portal_applications(user):
        out.setdefault(application.policy_id, application)
    return out
