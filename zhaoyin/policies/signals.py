"""What the policy library tells the apps above it, without importing them.

``policy_matching_changed`` is sent by the policy services inside the writing transaction when
a policy's status or eligibility tree changed (or it was created in force). The matching app
listens and recomputes the policy's stored verdicts once the transaction has committed
(``matching.apps``), so a rolled-back change triggers nothing.
"""

from __future__ import annotations

from django.dispatch import Signal

from zhaoyin.policies.models import Policy

#: Keyword argument ``policy``: the saved policy whose matches may have moved.
policy_matching_changed = Signal()


def send_matching_changed(policy: Policy) -> None:
    """Send ``policy_matching_changed`` for this policy."""
    policy_matching_changed.send(sender=Policy, policy=policy)
