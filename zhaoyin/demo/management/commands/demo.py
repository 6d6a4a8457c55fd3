"""``zhaoyin demo [--year YYYY] [--force]``: load the Huainan demo (DESIGN 9); idempotent.

Refuses to run in production (exit 2) unless ``--force``: the demo accounts share one
published password.

A load prints one progress line per stage on stderr (what it created, the time so far), so the
minute a fresh load takes does not look hung; ``-v 0`` leaves them out. The one-line summary
stays on stdout.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from zhaoyin.core.context import acting
from zhaoyin.core.errors import InvalidInput
from zhaoyin.demo.services import demo_load


class Command(BaseCommand):
    help = "Load the Huainan demo: org tree, 98 enterprises, one account per role (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, default=None,
                            help="the demo year (default: the current year); figures cover the two before it")
        parser.add_argument("--force", action="store_true", help="run even when ZHAOYIN_ENV=production")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION and not options["force"]:
            raise CommandError("refusing to load demo data in production (use --force)", returncode=2)
        year = options["year"] if options["year"] is not None else timezone.localdate().year
        if not 2000 <= year <= 2100:
            raise CommandError("--year must be between 2000 and 2100", returncode=2)
        try:
            with acting(channel="cli"):
                result = demo_load(year=year, progress=self._progress if options["verbosity"] >= 1 else None)
        except InvalidInput as exc:
            raise CommandError(f"demo data refused: {exc}", returncode=2) from None
        if result.total:
            summary = ", ".join(f"{k} {v}" for k, v in sorted(result.created.items()))
            self.stdout.write(f"demo loaded for {year}: created {summary}")
        else:
            self.stdout.write(f"demo for {year} already loaded: nothing to do")

    def _progress(self, stage: str, created: int, elapsed: float) -> None:
        # Plain text on stderr: Django styles stderr as errors, which these lines are not.
        self.stderr.write(f"demo: {stage:<22} {created:>6} created  {elapsed:6.1f} s", style_func=str)
        self.stderr.flush()
