"""The ``zhaoyin`` console command (DESIGN 5.2): a wrapper around manage.py.

Every manage.py command works; the project's own commands (serve, demo, users, workdays,
worker, backup, restore, audit, generate) are management commands of its apps. Bad input
exits 2 with a one-line reason on stderr (``zhaoyin.core.commands.ZhaoyinCommand``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path


def ensure_data_dir(environ: Mapping[str, str] = os.environ) -> str | None:
    """Create ``ZHAOYIN_DATA_DIR`` (mode 0700, parents too) when it is missing.

    Every command opens the data directory (the SQLite file, uploads, generated documents), so
    a missing one is made here rather than failing later with SQLite's "unable to open database
    file". Returns an error line naming the variable and the path when it cannot be made.
    """
    # Unset: the settings' development default, var/ beside the package.
    value = environ.get("ZHAOYIN_DATA_DIR") or str(Path(__file__).resolve().parent.parent / "var")
    path = Path(value).expanduser()
    if path.is_dir():
        return None
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        return f"zhaoyin: ZHAOYIN_DATA_DIR={path}: cannot create the data directory ({exc.strerror or exc})"
    return None


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    problem = ensure_data_dir()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if args:
        args[0] = "zhaoyin"
    execute_from_command_line(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
