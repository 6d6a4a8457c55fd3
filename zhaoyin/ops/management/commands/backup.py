"""``zhaoyin backup FILE [--force]``: a consistent snapshot of the whole database (BAK-01).

SQLite: SQLite's online backup API (safe while the server and workers keep writing).
PostgreSQL: ``pg_dump -Fc``. Exit 2 with a one-line reason when it cannot be done.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhaoyin.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write a consistent snapshot of the database to FILE."
    # A backup must work even when the configuration has problems worth fixing later.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the backup file to write")
        parser.add_argument("--force", action="store_true", help="overwrite FILE if it exists")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            target = backup(Path(options["file"]), force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from None
        size = target.stat().st_size
        self.stdout.write(
            f"backup written to {target} ({size} bytes, {time.monotonic() - started:.1f} s)"
        )
