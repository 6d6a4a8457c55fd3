"""THE transition table of a policy's status (DESIGN 3.7), one ``core.transitions.TransitionTable``.

Every status change is one row of ``TABLE``: the action, the statuses it may be taken from,
the status it leads to, who may take it (role codes; ``SYSTEM`` for the daily job) and
whether it needs a reason. The services (``policies.services.policy_transition`` and
``expire_policies``) look every change up here with ``TABLE.transition_for``, and the detail
page draws its buttons from ``TABLE.manual_rows_from``, so the buttons cannot offer what the
services refuse.

- ``publish``: draft → in force, by a city or unit administrator. The service also requires a
  valid eligibility tree and a ``valid_to`` that has not passed.
- ``withdraw`` (废止): draft or in force → withdrawn, with a reason, by the same roles. A draft
  is never deleted (the audit log would point at nothing): it is withdrawn.
- ``expire``: in force → expired, automatic once ``valid_to`` has passed (``SYSTEM``: the
  worker's daily job ``policies-expire``).

Which policies a given administrator may act on (a unit administrator: those kept in their
subtree) is the selectors' scope rule (``selectors.can_edit_policy``), not the table's.
Nobody waits on a policy's status, so the table has no ``waits`` and its rows notify nobody.

No Django here beyond ``gettext_lazy`` for the labels.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from zhaoyin.core.roles import Role
from zhaoyin.core.transitions import SYSTEM, TransitionTable, row


class Status(StrEnum):
    """The statuses of a policy (the values of ``models.PolicyStatus``)."""

    DRAFT = "draft"
    IN_FORCE = "in_force"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    """What can happen to a policy's status; the value is the API's action name."""

    PUBLISH = "publish"
    WITHDRAW = "withdraw"
    EXPIRE = "expire"


#: Who publishes and withdraws policies (the same roles as ``selectors.EDITOR_ROLES``).
EDITORS: frozenset[str] = frozenset({Role.CITY_ADMIN.value, Role.UNIT_ADMIN.value})

TABLE: TransitionTable[Status, Action] = TransitionTable(
    name="policy",
    states=(
        (Status.DRAFT, _("Draft")),
        (Status.IN_FORCE, _("In force")),
        (Status.EXPIRED, _("Expired")),
        (Status.WITHDRAWN, _("Withdrawn")),
    ),
    initial=Status.DRAFT,
    terminal=frozenset({Status.EXPIRED, Status.WITHDRAWN}),
    rows=(
        row(Action.PUBLISH, {Status.DRAFT}, Status.IN_FORCE, EDITORS, _("Publish"), style="primary"),
        row(
            Action.WITHDRAW,
            {Status.DRAFT, Status.IN_FORCE},
            Status.WITHDRAWN,
            EDITORS,
            _("Withdraw"),
            needs_reason=True,
            style="outline-danger",
        ),
        row(Action.EXPIRE, {Status.IN_FORCE}, Status.EXPIRED, {SYSTEM}, _("Expire")),
    ),
)

#: Statuses in which the policy's fields may still be changed; expired and withdrawn
#: policies are history (a new policy is registered instead).
EDITABLE: frozenset[Status] = frozenset({Status.DRAFT, Status.IN_FORCE})

#: Manual actions by their API name, in the table's order.
MANUAL_ACTIONS: tuple[str, ...] = tuple(r.action.value for r in TABLE.rows if r.manual)


def is_editable(status: str) -> bool:
    """Whether a policy in ``status`` may still be changed."""
    return status in {s.value for s in EDITABLE}
