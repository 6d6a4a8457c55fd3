"""THE transition table of a policy's status (DESIGN 3.7).

Every status change is one row of ``TRANSITIONS``: the action, the statuses it may be taken
from, the status it leads to, whether a person takes it (a button on the detail page, an API
action) or the daily job does (``expire``), and whether it needs a reason. The services
(``policies.services.policy_transition`` and ``expire_policies``) look every change up here,
and the detail page draws its buttons from ``manual_transitions_from``, so the buttons cannot
offer what the services refuse.

- ``publish``: draft → in force. The service also requires a valid eligibility tree and a
  ``valid_to`` that has not passed.
- ``withdraw`` (废止): draft or in force → withdrawn, with a reason. A draft is never deleted
  (the audit log would point at nothing): it is withdrawn.
- ``expire``: in force → expired, automatic once ``valid_to`` has passed (the worker's daily
  job ``policies-expire``).

No Django here beyond ``gettext_lazy`` for the labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _


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


@dataclass(frozen=True)
class Transition:
    """One row of the table."""

    action: Action
    sources: frozenset[Status]
    target: Status
    #: Taken by a person (button, API); False: only by the daily job.
    manual: bool
    needs_reason: bool
    label: Any
    #: Bootstrap button style on the detail page.
    style: str = "outline-secondary"


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Action.PUBLISH, frozenset({Status.DRAFT}), Status.IN_FORCE, True, False, _("Publish"), "primary"),
    Transition(
        Action.WITHDRAW,
        frozenset({Status.DRAFT, Status.IN_FORCE}),
        Status.WITHDRAWN,
        True,
        True,
        _("Withdraw"),
        "outline-danger",
    ),
    Transition(Action.EXPIRE, frozenset({Status.IN_FORCE}), Status.EXPIRED, False, False, _("Expire")),
)

#: Statuses in which the policy's fields may still be changed; expired and withdrawn
#: policies are history (a new policy is registered instead).
EDITABLE: frozenset[Status] = frozenset({Status.DRAFT, Status.IN_FORCE})

#: Manual actions by their API name.
MANUAL_ACTIONS: tuple[str, ...] = tuple(t.action.value for t in TRANSITIONS if t.manual)


def transition_for(action: str, status: str) -> Transition | None:
    """The row that takes ``action`` from ``status``, or None when the table forbids it."""
    for row in TRANSITIONS:
        if row.action.value == action and status in {s.value for s in row.sources}:
            return row
    return None


def manual_transitions_from(status: str) -> list[Transition]:
    """The actions a person may take from ``status`` (the detail page's buttons)."""
    return [t for t in TRANSITIONS if t.manual and status in {s.value for s in t.sources}]


def is_editable(status: str) -> bool:
    """Whether a policy in ``status`` may still be changed."""
    return status in {s.value for s in EDITABLE}
