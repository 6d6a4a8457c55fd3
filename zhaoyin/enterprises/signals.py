"""What the enterprises app tells the apps above it, without importing them.

``enterprises_changed`` is sent by the enterprise services and the Excel import inside the
writing transaction, once per write, after the rows are saved. The matching app listens to
keep its stored verdicts current (``matching.apps``); a receiver that must wait for the commit
registers its own ``transaction.on_commit``, so a rolled-back write triggers nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from django.dispatch import Signal

from zhaoyin.enterprises.models import Enterprise

#: Keyword argument ``changes``: ``{enterprise id: the names of the profile fields that changed,
#: or None}``. None means "anything may have moved": the enterprise is new, or its yearly
#: figures changed. An update that changed nothing sends nothing.
enterprises_changed = Signal()

#: The type of ``changes``.
Changes = Mapping[int, Collection[str] | None]


def send_changed(changes: Changes) -> None:
    """Send ``enterprises_changed`` for these enterprises (nothing when ``changes`` is empty)."""
    if changes:
        enterprises_changed.send(sender=Enterprise, changes=changes)
