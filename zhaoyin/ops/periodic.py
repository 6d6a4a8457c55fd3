"""Running the periodic jobs in ``zhaoyin worker`` (DESIGN 6, CONC-05).

Apps register their jobs in ``zhaoyin.core.periodic`` from their ``AppConfig.ready``; this
module runs whatever is registered there and imports no app.

Several workers may run at once. Each pass, a worker tries to claim every due job with a
conditional UPDATE of its ``PeriodicJobState`` row; only the worker whose UPDATE changed
the row runs the job, so a job runs at most once per period across all workers. Jobs must
still be idempotent: a worker that dies mid-run has consumed the period, and the next
period runs the job again.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from zhaoyin.core import context
from zhaoyin.core.periodic import PeriodicJob, registered
from zhaoyin.ops.models import PeriodicJobState

logger = logging.getLogger("zhaoyin.ops.periodic")

#: After a failure, a job is retried after this many seconds (or its period, if shorter).
RETRY_SECONDS = 60


def claim(job: PeriodicJob, *, now: dt.datetime, worker_id: str) -> bool:
    """Try to take this period's run of ``job``; True for exactly one caller per period."""
    PeriodicJobState.objects.bulk_create([PeriodicJobState(name=job.name)], ignore_conflicts=True)
    due = Q(last_run_at__isnull=True) | Q(last_run_at__lte=now - dt.timedelta(seconds=job.every_seconds))
    with transaction.atomic():
        changed = PeriodicJobState.objects.filter(due, name=job.name).update(
            last_run_at=now, last_worker=worker_id[:64], last_status="running",
            run_count=F("run_count") + 1,
        )
    return changed == 1


def _finish(job: PeriodicJob, *, now: dt.datetime, worker_id: str, error: str) -> None:
    values: dict[str, object] = {
        "last_finished_at": timezone.now(),
        "last_status": "failed" if error else "ok",
        "last_error": error[-4000:],
    }
    if error:
        # Come back sooner than a whole period: a daily scan that failed at 01:00 should not
        # wait until tomorrow. The claim stays exclusive because it is still a conditional UPDATE.
        retry = min(RETRY_SECONDS, job.every_seconds)
        values["last_run_at"] = now - dt.timedelta(seconds=job.every_seconds - retry)
    PeriodicJobState.objects.filter(name=job.name, last_run_at=now, last_worker=worker_id[:64]).update(
        **values
    )


def run_due(*, now: dt.datetime | None = None, worker_id: str = "") -> list[str]:
    """Run every registered job whose period has passed and that this worker claims.

    Returns the names of the jobs run. A failing job is logged and recorded on its row;
    it does not stop the others.
    """
    now = now or timezone.now()
    ran: list[str] = []
    for job in registered():
        if not claim(job, now=now, worker_id=worker_id):
            continue
        error = ""
        try:
            with context.acting(channel="worker"):
                job.fn()
        except Exception:
            error = traceback.format_exc()
            logger.exception("periodic job %s failed", job.name)
        _finish(job, now=now, worker_id=worker_id, error=error)
        ran.append(job.name)
    return ran
