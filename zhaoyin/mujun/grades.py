"""What a published run hands on: each firm's final grade for the year, read by the eligibility
engine as ``mu_grade`` (issue 14 item 5). Implemented by the consequences part of the app."""

from __future__ import annotations

from zhaoyin.mujun.models import MuRun


def publish_grades(run: MuRun) -> None:
    """Hand the run's final grades on (called inside the publish transaction)."""
