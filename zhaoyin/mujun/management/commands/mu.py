"""``zhaoyin mu SUBCOMMAND``: the 亩均 evaluation on the command line (DESIGN 5.2).

- ``zhaoyin mu import SOURCE FILE --year YYYY`` — a bureau's workbook (the inputs part).
- ``zhaoyin mu run --scheme ID --user USERNAME`` — an evaluation run (``mujun.cli_runs``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhaoyin.mujun.cli_runs import add_run_parser, handle_run


class Command(BaseCommand):
    help = "亩均 evaluation. 'run --scheme ID --user USERNAME' runs a scheme over its year's inputs."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", title="subcommands", required=True)
        # The inputs part's ``import`` subcommand is merged in here.
        add_run_parser(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options.get("subcommand")
        if subcommand == "run":
            handle_run(options, self.stdout)
            return
        raise CommandError("unknown subcommand; use: zhaoyin mu run --scheme ID --user USERNAME", returncode=2)
