"""What the talent records tell the apps above them, without importing them.

``talents_changed`` is sent by the talents' services inside the writing transaction when
talents were created or changed (a record, an import, a recognition decision, a departure).
Keyword argument ``changes``: ``{talent id: the changed field names, or None for a new
talent}``. The matching app listens and re-matches the talents whose matched fields changed
once the transaction has committed (``matching.talent_verdicts``); the payout ledger stops
the future scheduled entries of a talent who departed. A rolled-back change triggers nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from django.dispatch import Signal

from zhaoyin.talents.models import Talent

#: Keyword argument ``changes``: talent id → changed field names (None: a new talent).
talents_changed = Signal()


def send_talents_changed(changes: Mapping[int, Collection[str] | None]) -> None:
    """Send ``talents_changed`` for these talents (nothing when there are none)."""
    if changes:
        talents_changed.send(sender=Talent, changes=dict(changes))
