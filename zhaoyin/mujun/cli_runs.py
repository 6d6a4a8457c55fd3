"""``zhaoyin mu run --scheme ID --user USERNAME``: an evaluation run on the command line (the
runs part of ``zhaoyin mu``; the command module adds the subcommand with ``add_run_parser`` and
calls ``handle_run``).

The run is made as the named account (an evaluator: mu_office or city_admin — a run records
who made it, so there is no anonymous run). Prints the run's id, firms, grade counts and
digest. Exit 2 with the reason on stderr for bad input: no or an unknown account, an account
that may not run, an unknown scheme, a scheme that does not validate (each field named), a
year without inputs.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError

from zhaoyin.accounts.models import User
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.mujun import services
from zhaoyin.mujun.inputs import RunCreateInput
from zhaoyin.mujun.models import MuResult


class Writer(Protocol):
    """Where the summary goes (a command's ``stdout``)."""

    def write(self, msg: str = ..., /) -> Any: ...


def add_run_parser(sub: Any) -> None:
    """The ``run`` subcommand's arguments."""
    run = sub.add_parser("run", help="run the evaluation of a scheme over its year's inputs")
    run.add_argument("--scheme", required=True, help="the scheme's id")
    run.add_argument("--user", default="", help="run as this account (an evaluator: mu_office or city_admin)")


def handle_run(options: dict[str, Any], out: Writer) -> int:
    """Make the run; print what it gave; return its id."""
    username = str(options.get("user") or "").strip()
    if not username:
        raise CommandError("user: give --user USERNAME (an evaluator account): a run records who made it",
                           returncode=2)
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"user: no active account {username!r}", returncode=2)
    try:
        data = RunCreateInput.parse({"scheme": options.get("scheme")})
        run = services.run_create(acting_user=user, data=data)
    except InvalidInput as exc:
        raise CommandError("; ".join(f"{e['field']}: {e['message']}" for e in exc.errors) or str(exc.detail),
                           returncode=2) from None
    except PermissionDenied:
        raise CommandError("user: this account may not run evaluations (mu_office or city_admin)",
                           returncode=2) from None
    except Conflict as exc:
        raise CommandError(str(exc), returncode=2) from None
    grades = Counter(MuResult.objects.filter(run=run).values_list("grade", flat=True))
    counts = " ".join(f"{g}={grades.get(g, 0)}" for g in ("A", "B", "C", "D"))
    out.write(f"run {run.pk}: year {run.year}, {run.firms} firms ({len(run.outside)} outside every list), "
              f"{counts}, not graded={grades.get('', 0)}\n")
    out.write(f"digest {run.digest}\n")
    return run.pk
