"""``zhaoyin audit verify``: check the audit log's hash chain (AUD-03).

Exit 0 printing the number of records when the chain is intact; exit 1 naming the first
broken record otherwise; exit 2 for bad input.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhaoyin.audit.chain import verify_chain


class Command(BaseCommand):
    help = "Audit log tools. 'verify' recomputes the hash chain and names the first broken record."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", title="subcommands", required=True)
        sub.add_parser("verify", help="recompute the hash chain from the first record")

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("subcommand") != "verify":
            raise CommandError("unknown subcommand; use: zhaoyin audit verify", returncode=2)
        report = verify_chain()
        if not report.ok:
            where = f"record {report.broken_id}" if report.broken_id is not None else "the log"
            raise CommandError(
                f"audit chain broken at {where}: {report.reason} ({report.checked} records intact before it)",
                returncode=1,
            )
        self.stdout.write(f"audit chain intact: {report.checked} records")
