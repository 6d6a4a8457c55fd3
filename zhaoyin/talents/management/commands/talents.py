"""``zhaoyin talents import FILE [--user NAME]``: import a talent workbook (the template of the
talent import page), all or nothing, and print the counts. Without ``--user`` the import runs
as the system (every unit); with it, in that account's scope. Exit 2 with a one-line reason
on stderr for bad input: a missing or refused file, an unknown user, rows with errors (the
first one named; nothing is imported then) — DESIGN 5.2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhaoyin.accounts.models import User
from zhaoyin.core.importing import ImportFileError, import_apply
from zhaoyin.talents.importing import TalentImport


class Command(BaseCommand):
    help = "Talent records. 'import FILE' imports an .xlsx of talents (upsert on the ID number)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", title="subcommands", required=True)
        imp = sub.add_parser("import", help="import an .xlsx of talents, all or nothing")
        imp.add_argument("file", help="the workbook (.xlsx), in the talent import template's columns")
        imp.add_argument("--user", default="", help="import in this account's scope (default: the system)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("subcommand") != "import":
            raise CommandError("unknown subcommand; use: zhaoyin talents import FILE", returncode=2)
        path = Path(str(options["file"]))
        if not path.is_file():
            raise CommandError(f"file: {path} does not exist or is not a file", returncode=2)
        user = None
        if options.get("user"):
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"user: no active account {options['user']!r}", returncode=2)
        data = path.read_bytes()
        try:
            plan = import_apply(
                acting_user=user, spec=TalentImport(user), data=data, action="talent.import_commit",
                object_type="talents.talent",
            )
        except ImportFileError as exc:
            raise CommandError(f"file: {exc.message}", returncode=2) from None
        errors = plan.errors
        if errors:
            first = errors[0]
            raise CommandError(
                f"{len({e.row for e in errors})} row(s) have errors, nothing imported; first: "
                f"row {first.row}, {first.column}: {first.reason}",
                returncode=2,
            )
        counts = plan.counts
        self.stdout.write(
            f"created {counts['created']}, updated {counts['updated']}, unchanged {counts['unchanged']}"
        )
