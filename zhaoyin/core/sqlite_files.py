"""The embedded SQLite database's files are the service account's alone (issue 12 D9).

SQLite creates the database file with the process's umask (0644 under the usual 022), while
uploads are written 0600: the database holds the same personal data and more. On every new
connection the database file and its WAL and shared-memory files are narrowed to 0600; SQLite
creates later WAL files with the database file's mode. The data directory is made 0700 by
``zhaoyin`` itself (``zhaoyin.cli.ensure_data_dir``).
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path
from typing import Any

PRIVATE = 0o600


def make_private(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: chmod 0600 the file database and its -wal/-shm files."""
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if not name:
        return
    for suffix in ("", "-wal", "-shm"):
        path = Path(name + suffix)
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            # A file another account owns cannot be changed; the connection still works.
            with contextlib.suppress(PermissionError):
                os.chmod(path, PRIVATE)
