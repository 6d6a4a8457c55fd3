"""``zhaoyin restore FILE``: replace the database and the upload directories with a backup (BAK-01).

Stop ``zhaoyin serve`` and ``zhaoyin worker`` first. Every member of the archive is checked
against its manifest (name, plain file, size, SHA-256; nothing missing, nothing extra) and the
database snapshot itself is checked before anything is replaced; otherwise exit 2, naming the
member at fault, and nothing changes. A database-only backup of an earlier release restores
the database and leaves the upload directories as they are.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhaoyin.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore the database and the uploaded files from a backup FILE written by 'zhaoyin backup'."
    requires_system_checks: list[str] = []  # the database may be empty or from an older release

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the backup file to restore")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            result = restore(Path(options["file"]))
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if result.legacy:
            what = (f"the {result.database} database only (a database-only backup of an earlier release; "
                    "the upload directories were left as they are)")
        else:
            what = (f"the {result.database} database and {result.files} files "
                    f"(backup of {result.created_at}, release {result.app_version})")
        self.stdout.write(
            f"restored {what} from {options['file']} ({time.monotonic() - started:.1f} s); "
            "run 'zhaoyin migrate' if the backup is from an older release, then 'zhaoyin audit verify'"
        )
