"""A task the worker test enqueues (tasks must live at an importable module path)."""

from __future__ import annotations

from django_tasks import task

from zhaoyin.audit.services import audit_write


@task()
def record_marker(label: str) -> str:
    """Leave a trace the test can find, through the normal audited write path."""
    audit_write(action="test.task_ran", detail=label)
    return label
