"""The ``zhaoyin`` console command (DESIGN 5.2): a wrapper around manage.py.

Every manage.py command works; the project's own commands (serve, demo, users, workdays,
worker, backup, restore, audit, generate) are management commands of its apps. Bad input
exits 2 with a one-line reason on stderr (``zhaoyin.core.commands.ZhaoyinCommand``).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if args:
        args[0] = "zhaoyin"
    execute_from_command_line(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
