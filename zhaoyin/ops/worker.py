"""The background worker's loop (DESIGN 6): periodic jobs plus the django-tasks queue.

Queued tasks are claimed and run with django_tasks_db's own machinery (the row is locked
with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, an EXCLUSIVE transaction on SQLite,
and marked RUNNING before the task starts), so several workers can share one queue.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from django.db import close_old_connections
from django.db.utils import OperationalError
from django.utils.crypto import get_random_string

from zhaoyin.core import context
from zhaoyin.ops import periodic

logger = logging.getLogger("zhaoyin.ops.worker")


def database_queue_backend() -> str | None:
    """The alias of the default task backend when it is a database queue, else None
    (the test settings run tasks immediately, so there is nothing to poll)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, task_backends

    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    return DEFAULT_TASK_BACKEND_ALIAS if isinstance(backend, DatabaseBackend) else None


class Worker:
    """Runs passes until stopped. One pass = due periodic jobs, then the ready tasks."""

    def __init__(self, *, interval: float, worker_id: str | None = None, max_tasks_per_pass: int = 100) -> None:
        self.interval = interval
        self.worker_id = worker_id or "zy-" + get_random_string(20)
        self.max_tasks_per_pass = max_tasks_per_pass
        self.stop = threading.Event()

    # -- signals -------------------------------------------------------------------------
    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.stop.is_set():
            # A second Ctrl-C while a task runs: give up on it.
            raise KeyboardInterrupt
        logger.info("received %s, stopping after the current step", signal.Signals(signum).name)
        self.stop.set()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)

    # -- work ------------------------------------------------------------------------------
    def run_tasks(self) -> int:
        """Run ready queued tasks until none is left, the pass limit is hit, or stop is asked."""
        alias = database_queue_backend()
        if alias is None:
            return 0
        from django_tasks_db.management.commands.db_worker import Worker as DbWorker
        from django_tasks_db.models import DBTaskResult
        from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

        runner = DbWorker(
            queue_names=["*"], interval=0, batch=True, backend_name=alias, startup_delay=False,
            max_tasks=None, worker_id=self.worker_id, excluded_queue_names=[],
        )
        done = 0
        while done < self.max_tasks_per_pass and not self.stop.is_set():
            tasks = DBTaskResult.objects.ready().filter(backend_name=alias)
            try:
                with exclusive_transaction(tasks.db):
                    task_result = tasks.get_locked()
                    if task_result is not None:
                        task_result.claim(self.worker_id)
            except OperationalError as exc:
                if is_locked_database_exception(exc):
                    break  # another worker holds the queue; try again next pass
                raise
            if task_result is None:
                break
            with context.acting(channel="worker"):
                runner.run_task(task_result)
            done += 1
        return done

    def run_pass(self) -> tuple[list[str], int]:
        """One pass: the due periodic jobs, then queued tasks."""
        return periodic.run_due(worker_id=self.worker_id), self.run_tasks()

    def run_forever(self) -> None:
        logger.info("worker %s started (interval %ss)", self.worker_id, self.interval)
        while not self.stop.is_set():
            # A long-running process must drop connections the server closed or that
            # outlived CONN_MAX_AGE, as Django does around each request.
            close_old_connections()
            jobs, tasks = self.run_pass()
            close_old_connections()
            if jobs or tasks:
                logger.info("pass: periodic jobs %s, tasks %d", ",".join(jobs) or "-", tasks)
            if tasks >= self.max_tasks_per_pass:
                continue  # more work is waiting; don't sleep
            self.stop.wait(self.interval)
        logger.info("worker %s stopped", self.worker_id)
