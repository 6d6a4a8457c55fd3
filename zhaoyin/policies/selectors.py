"""Scoped reads of policies (AC-03).

Who sees what: published policies (in force, expired, withdrawn) are public to every
government role; a draft is seen only by the units that keep it (the keeping unit's subtree
roles, and the city-wide roles). Enterprise users see policies in force only — through
their own matches and policy list. Talent policies (issue 13) are also seen by the talent
office (人才办: every published one — through the talent matching lists and the ledger, not
the library's pages, which stay the government roles') and by talent portal users (those in
force, through their own matches). An invisible policy is 404 on every channel.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.scope import NOTHING, sees_whole_city, unit_scope_q
from zhaoyin.core.pickers import suggestions_from
from zhaoyin.core.roles import GOVERNMENT_ROLES, Role
from zhaoyin.policies.models import Beneficiary, Policy, PolicyFile, PolicyStatus

#: Roles that read the policy library.
READER_ROLES: frozenset[Role] = frozenset(GOVERNMENT_ROLES)
#: Roles that create and change policies (within the units they keep).
EDITOR_ROLES: frozenset[str] = frozenset({Role.CITY_ADMIN.value, Role.UNIT_ADMIN.value})


def policy_scope_q(user: User) -> Q:
    """Policies ``user`` may see (see the module docstring)."""
    if not user.is_authenticated or user.admin_role:
        return NOTHING
    if sees_whole_city(user):
        return Q()
    q = NOTHING
    if user.has_role(*GOVERNMENT_ROLES):
        q = ~Q(status=PolicyStatus.DRAFT)
        units = unit_scope_q(user)
        if units != NOTHING:
            q |= units
    elif user.has_role(Role.ENTERPRISE) and user.enterprise_id is not None:
        q = Q(status=PolicyStatus.IN_FORCE)
    if user.has_role(Role.TALENT_OFFICE):
        q |= Q(beneficiary=Beneficiary.TALENT) & ~Q(status=PolicyStatus.DRAFT)
    elif user.has_role(Role.TALENT):
        q |= Q(beneficiary=Beneficiary.TALENT, status=PolicyStatus.IN_FORCE)
    return q


def policy_list_visible_to(user: User) -> QuerySet[Policy]:
    """Every policy ``user`` may see, with the keeping unit joined."""
    return Policy.objects.filter(policy_scope_q(user)).select_related("org_unit")


def can_edit_policy(user: User, policy: Policy) -> bool:
    """City admins change every policy; a unit admin those kept by units in their subtree."""
    if user.has_role(Role.CITY_ADMIN):
        return True
    if not user.has_role(Role.UNIT_ADMIN) or user.org_unit is None:
        return False
    return policy.org_unit.path.startswith(user.org_unit.path)


def policy_get_for_user(*, user: User, pk: int, action: str = "view") -> Policy:
    """The policy if ``user`` may see it (else 404); for ``change``, 403 unless an editor."""
    policy = policy_list_visible_to(user).filter(pk=pk).first()
    if policy is None:
        raise Http404
    if action == "change" and not can_edit_policy(user, policy):
        from zhaoyin.audit.services import audit_denied

        audit_denied(user=user, action="policy.change_denied", target=f"policy {policy.pk}")
        raise PermissionDenied
    return policy


# ---- added for the policy library (pages, API, import) -------------------------------------


def can_keep_policy_in(user: User | None, unit: OrgUnit) -> bool:
    """Whether ``user`` may register or move a policy to ``unit`` (None: the system)."""
    if user is None:
        return True
    if user.has_role(Role.CITY_ADMIN):
        return True
    if not user.has_role(Role.UNIT_ADMIN) or user.org_unit is None:
        return False
    return unit.path.startswith(user.org_unit.path)


def may_create_policies(user: User) -> bool:
    """Whether ``user`` holds a role that registers policies."""
    return user.has_role(*EDITOR_ROLES)


def keeper_units_for(user: User) -> list[OrgUnit]:
    """The units ``user`` may keep policies in, tree order (the form's choices)."""
    from zhaoyin.policies.validation import KEEPER_UNIT_KINDS

    qs = OrgUnit.objects.filter(is_active=True, kind__in=KEEPER_UNIT_KINDS).order_by("path")
    return [u for u in qs if can_keep_policy_in(user, u)]


def policy_files(policy: Policy) -> list[PolicyFile]:
    """The attachments of a policy already fetched through a selector."""
    return list(PolicyFile.objects.filter(policy=policy).select_related("uploaded_by").order_by("uploaded_at", "id"))


def policy_file_get_for_user(*, user: User, pk: int) -> PolicyFile:
    """An attachment of a policy ``user`` may see, else 404 (FILE-05)."""
    file = PolicyFile.objects.filter(pk=pk).select_related("policy").first()
    if file is None or not policy_list_visible_to(user).filter(pk=file.policy_id).exists():
        raise Http404
    return file


def policy_status_history(policy: Policy) -> list[dict[str, object]]:
    """The status changes of a policy from the audit log, oldest first: when, who, the new
    status and the reason (a withdrawal's)."""
    from zhaoyin.audit.models import AuditRecord

    records = AuditRecord.objects.filter(
        object_type="policies.policy",
        object_id=str(policy.pk),
        action__in=["policy.create", "policy.publish", "policy.withdraw", "policy.expire"],
    ).order_by("at", "id")
    out: list[dict[str, object]] = []
    for r in records:
        after = r.after if isinstance(r.after, dict) else {}
        out.append(
            {
                "at": r.at,
                "actor": r.actor,
                "action": r.action.removeprefix("policy."),
                "status": after.get("status", ""),
                "reason": after.get("reason", ""),
            }
        )
    return out


def policy_suggestions(user: User, terms: tuple[str, ...], *, limit: int = 10) -> list[Policy]:
    """The picker's policies (issue 16): visible to ``user``, whose search text (title and its
    拼音首字母, issuer, document number, summary) holds every folded term."""
    return suggestions_from(policy_list_visible_to(user), terms, order="title", limit=limit)
