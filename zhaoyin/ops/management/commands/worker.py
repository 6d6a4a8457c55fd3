"""``zhaoyin worker [--once] [--interval SECONDS]``: the long-running background process.

Runs the registered periodic jobs (at most once per period across all workers) and the
queued django-tasks jobs. SIGTERM or Ctrl-C stops it after the current step.
"""

from __future__ import annotations

import math
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhaoyin.ops.readiness import ensure_database_ready
from zhaoyin.ops.worker import Worker


class Command(BaseCommand):
    help = "Run the background worker: periodic jobs and queued tasks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run one pass and exit")
        parser.add_argument(
            "--interval", default="5", help="seconds to sleep between passes (default 5)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            interval = float(options["interval"])
        except ValueError:
            interval = math.nan
        if not math.isfinite(interval) or interval < 0.1 or interval > 3600:
            raise CommandError("--interval must be a number of seconds from 0.1 to 3600", returncode=2)
        ensure_database_ready()
        worker = Worker(interval=interval)
        if options["once"]:
            jobs, tasks = worker.run_pass()
            self.stdout.write(f"periodic jobs run: {','.join(jobs) or '-'}; tasks run: {tasks}")
            return
        worker.install_signal_handlers()
        self.stdout.write(f"worker {worker.worker_id} running; Ctrl-C or SIGTERM stops it")
        self.stdout.flush()
        worker.run_forever()
