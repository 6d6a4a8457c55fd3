"""Who approves an enterprise's payouts (issue 15 item 6, roles as data).

Two units act on an entry besides its registrar, each through its unit administrators:

- the **reviewing unit** (审核): the policy's issuing department — the policy's keeping unit
  (``Policy.org_unit``) unless a ``PolicyApprovers`` row names another; it approves or rejects,
  starts the 公示 and may revoke (撤销);
- the **paying unit** (拨付): the finance bureau (财政局) — the unit whose code is
  ``settings.ZHAOYIN_PAYOUTS["FINANCE_UNIT"]`` unless the row names another; its administrators
  and staff record the payment (date and voucher number).

Both are resolved when the entry is registered and stored on it (``Payout.review_unit`` /
``payment_unit``), like its beneficiary's unit, so a later change of the rule does not move
entries already in flight; a paying unit missing then (no finance unit configured) is resolved
again when the payment is recorded. The city administrators of the 招商服务中心 no longer approve
by their role: they register, read the whole ledger and see the totals, and they approve only
where they are also an administrator of the reviewing unit.
"""

from __future__ import annotations

from django.conf import settings

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.core.roles import Role
from zhaoyin.payouts.models import Payout, PolicyApprovers
from zhaoyin.policies.models import Policy

#: Roles that act for the reviewing unit (审核, 公示, 撤销).
REVIEWER_ROLES: frozenset[str] = frozenset({Role.UNIT_ADMIN.value})
#: Roles that act for the paying unit (拨付).
PAYER_ROLES: frozenset[str] = frozenset({Role.UNIT_ADMIN.value, Role.STAFF.value})


def finance_code() -> str:
    """The configured code of the finance bureau (财政局); '' when none is configured."""
    return str(getattr(settings, "ZHAOYIN_PAYOUTS", {}).get("FINANCE_UNIT", "") or "")


def finance_unit() -> OrgUnit | None:
    """The finance bureau (财政局) by its configured code, or None when the tree has none."""
    code = finance_code()
    return OrgUnit.objects.filter(code=code).first() if code else None


def is_finance(unit: OrgUnit | None) -> bool:
    """Whether ``unit`` is the finance bureau — by its code, without a query (a user's unit is
    loaded with the user), so the to-do badge and the ledger's scope stay one query each."""
    code = finance_code()
    return bool(code) and unit is not None and unit.code == code


def approvers_of(policy: Policy) -> tuple[OrgUnit, OrgUnit | None, bool]:
    """The reviewing and the paying unit of ``policy``'s payouts, and whether a rule names them
    (False: the defaults — the keeping unit reviews, the finance bureau pays)."""
    rule = PolicyApprovers.objects.filter(policy_id=policy.pk).select_related("review_unit", "payment_unit").first()
    if rule is not None:
        return rule.review_unit, rule.payment_unit, True
    return policy.org_unit, finance_unit(), False


def units_for(policy: Policy) -> tuple[OrgUnit, OrgUnit | None]:
    """The reviewing and the paying unit of ``policy``'s payouts (its rule, else the defaults)."""
    review, payment, _configured = approvers_of(policy)
    return review, payment


def _acts_for(user: User, unit_id: int | None, roles: frozenset[str]) -> bool:
    if unit_id is None or not user.is_authenticated or user.admin_role:
        return False
    return user.org_unit_id == unit_id and user.has_role(*roles)


def is_reviewer(user: User, payout: Payout) -> bool:
    """Whether ``user`` is an administrator of the entry's reviewing unit."""
    return _acts_for(user, payout.review_unit_id, REVIEWER_ROLES)


def is_payer(user: User, payout: Payout) -> bool:
    """Whether ``user`` acts for the entry's paying unit (resolved now when none was stored)."""
    unit_id = payout.payment_unit_id
    if unit_id is None:
        found = finance_unit()
        unit_id = found.pk if found is not None else None
    return _acts_for(user, unit_id, PAYER_ROLES)
