"""``zhaoyin backup FILE [--force]``: one archive of the database and every upload (BAK-01).

The archive (tar; gzip-compressed when FILE ends in ``.gz`` or ``.tgz``) holds a manifest,
the database snapshot (SQLite's online backup API, or ``pg_dump --format=custom``) and exactly
the uploaded files that snapshot references; see ``zhaoyin.ops.backup``. Safe while the
server and workers keep writing. Exit 2 with a one-line reason when it cannot be done.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhaoyin.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write one archive of the database and every uploaded file to FILE (.tar, or .tar.gz to compress)."
    # A backup must work even when the configuration has problems worth fixing later.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the backup archive to write")
        parser.add_argument("--force", action="store_true", help="overwrite FILE if it exists")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            result = backup(Path(options["file"]), force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from None
        size = result.path.stat().st_size
        skipped = (
            f"; {len(result.skipped)} import upload(s) already removed by their commit left out"
            if result.skipped else ""
        )
        self.stdout.write(
            f"backup written to {result.path} ({result.database} database and {result.files} files, "
            f"{size} bytes, {time.monotonic() - started:.1f} s){skipped}"
        )
