"""``zhaoyin mu SUBCOMMAND``: the 亩均 evaluation on the command line (DESIGN 5.2).

- ``zhaoyin mu import SOURCE FILE --year YYYY [--dry-run] [--user USERNAME]`` — a bureau's
  workbook (the contract's columns, docs/mujun.md), all or nothing. Without ``--user`` the
  import runs as the system; with it, as that account (an evaluator: mu_office or city_admin).
  Prints the counts; ``--dry-run`` checks and writes nothing. Exit 2 with the reason on stderr
  for bad input: an unknown source, a bad year, a missing or refused file, an unknown user, and
  rows with errors — every one printed (row, column, reason), nothing imported.
- ``zhaoyin mu run --scheme ID --user USERNAME`` — an evaluation run (``mujun.cli_runs``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhaoyin.accounts.models import User
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.importing import ImportFileError
from zhaoyin.mujun.cli_runs import add_run_parser, handle_run
from zhaoyin.mujun.input_inputs import ImportInput
from zhaoyin.mujun.input_services import mu_import_apply, mu_import_check
from zhaoyin.mujun.sources import Source

#: Row errors printed before "… and N more" (the whole list of a hopeless file helps nobody).
ERRORS_PRINTED = 200


class Command(BaseCommand):
    help = ("亩均 evaluation. 'import SOURCE FILE --year YYYY' imports a bureau's workbook, all or nothing; "
            "'run --scheme ID --user USERNAME' runs a scheme over its year's inputs.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", title="subcommands", required=True)
        imp = sub.add_parser("import", help="import a bureau's .xlsx for a year, all or nothing")
        imp.add_argument("source", help="the bureau: " + ", ".join(s.value for s in Source))
        imp.add_argument("file", help="the workbook (.xlsx) in the source's columns")
        imp.add_argument("--year", required=True, help="the year the figures are for")
        imp.add_argument("--dry-run", action="store_true", help="check the file and write nothing")
        imp.add_argument("--user", default="", help="import as this account (default: the system)")
        add_run_parser(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options.get("subcommand")
        if subcommand == "import":
            self.handle_import(**options)
            return
        if subcommand == "run":
            handle_run(options, self.stdout)
            return
        raise CommandError(
            "unknown subcommand; use: zhaoyin mu import SOURCE FILE --year YYYY | mu run --scheme ID --user USERNAME",
            returncode=2,
        )

    def handle_import(self, **options: Any) -> None:
        try:
            params = ImportInput.parse({"source": options["source"], "year": options["year"]})
        except InvalidInput as exc:
            raise CommandError(
                "; ".join(f"{e['field']}: {e['message']}" for e in exc.errors), returncode=2
            ) from None
        path = Path(str(options["file"]))
        if not path.is_file():
            raise CommandError(f"file: {path} does not exist or is not a file", returncode=2)
        user = None
        if options.get("user"):
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"user: no active account {options['user']!r}", returncode=2)
        content = path.read_bytes()
        try:
            if options.get("dry_run"):
                plan = mu_import_check(acting_user=user, source=params.source, year=params.year, content=content)
            else:
                plan = mu_import_apply(acting_user=user, source=params.source, year=params.year, content=content)
        except ImportFileError as exc:
            raise CommandError(f"file: {exc.message}", returncode=2) from None
        except PermissionDenied:
            raise CommandError("user: this account may not import (mu_office or city_admin)", returncode=2) from None
        errors = plan.errors
        if errors:
            for e in errors[:ERRORS_PRINTED]:
                self.stderr.write(f"row {e.row}, {e.column}: {e.reason}")
            if len(errors) > ERRORS_PRINTED:
                self.stderr.write(f"… and {len(errors) - ERRORS_PRINTED} more")
            raise CommandError(
                f"{len({e.row for e in errors})} row(s) have errors, nothing imported", returncode=2
            )
        counts = plan.counts
        verb = "would create" if options.get("dry_run") else "created"
        self.stdout.write(
            f"{params.source.value} {params.year}: {verb} {counts['created']}, updated {counts['updated']}, "
            f"unchanged {counts['unchanged']} (rows {counts['rows_in']})"
        )
