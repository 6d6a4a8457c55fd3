"""``zhaoyin restore FILE``: replace the database's content with a backup (BAK-01).

Stop ``zhaoyin serve`` and ``zhaoyin worker`` first. The file is checked before anything is
touched (an SQLite database holding Zhaoyin's tables that passes the integrity check, or a
pg_dump custom-format archive of one); otherwise exit 2 and nothing changes.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhaoyin.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore the database from a backup FILE written by 'zhaoyin backup'."
    requires_system_checks: list[str] = []  # the database may be empty or from an older release

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the backup file to restore")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            restore(Path(options["file"]))
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from None
        self.stdout.write(
            f"restored {options['file']} ({time.monotonic() - started:.1f} s); "
            "run 'zhaoyin migrate' if the backup is from an older release, then 'zhaoyin audit verify'"
        )
