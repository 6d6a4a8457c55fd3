"""The milestone columns of a project, replayed from its stage history.

``Project.signed_on`` … ``start_to_production_days`` are what ``zhaoyin.lib.cycle_times``
makes of the project's stage events; the stage services (and ``project_update`` when the
first-contact date changes) store them in the same transaction as the event, so the target
indicators and the cycle-time distributions read columns instead of the history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from zhaoyin.lib.cycle_times import cycle_times

MILESTONE_FIELDS = (
    "signed_on",
    "started_on",
    "producing_on",
    "contact_to_signing_days",
    "signing_to_start_days",
    "start_to_production_days",
)


def milestone_columns(history: Iterable[tuple[str, dt.date]], first_contact_on: dt.date | None) -> dict[str, Any]:
    """The six columns for a history of ``(to_stage, stage_on)`` pairs in recorded order."""
    times = cycle_times(history, first_contact_on)
    return {
        "signed_on": times.signed_on,
        "started_on": times.started_on,
        "producing_on": times.producing_on,
        "contact_to_signing_days": times.contact_to_signing,
        "signing_to_start_days": times.signing_to_start,
        "start_to_production_days": times.start_to_production,
    }


def project_milestones(project_id: int, first_contact_on: dt.date | None) -> dict[str, Any]:
    """The columns for one stored project: one query over its events."""
    from zhaoyin.projects.models import StageEvent

    events = (
        StageEvent.objects.filter(project_id=project_id)
        .order_by("created_at", "id")
        .values_list("to_stage", "stage_on")
    )
    return milestone_columns(events, first_contact_on)
