"""``zhaoyin users``: account administration from the command line (DESIGN 5.2).

    zhaoyin users add NAME --role ROLE --unit CODE [--password-stdin] [--full-name X]
    zhaoyin users unlock NAME
    zhaoyin users otp-code NAME        (development and demo only)

``add`` prints the account's otpauth:// URI on stdout when its role needs a second factor
(RFC 6238: SHA-1, 30 s, 6 digits), and a generated password when none is given on stdin;
both are shown this once. Bad input exits 2 with a one-line reason on stderr and creates
nothing. Every change is audited with the channel ``cli``.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhaoyin.accounts import selectors, totp
from zhaoyin.accounts.models import User
from zhaoyin.accounts.services import generate_password, user_create, user_unlock
from zhaoyin.core import context
from zhaoyin.core.errors import InvalidInput


def _bad(message: str) -> CommandError:
    return CommandError(" ".join(message.split()), returncode=2)


def _roles(values: list[str]) -> list[str]:
    """``--role a --role b`` and ``--role a,b`` both give two roles."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


class Command(BaseCommand):
    help = "Manage accounts: add, unlock, otp-code (the current TOTP code; not in production)."
    # Tests hand in the password through call_command(stdin=StringIO(...)).
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", title="subcommands", required=True)
        add = sub.add_parser("add", help="create an account")
        add.add_argument("name", help="the login name")
        add.add_argument("--role", action="append", required=True,
                         help="a role code (repeat, or separate with commas, for several)")
        add.add_argument("--unit", required=True, help="the code of the account's org unit")
        add.add_argument("--password-stdin", action="store_true",
                         help="read the password from the first line of standard input")
        add.add_argument("--full-name", default="", help="the person's name")
        add.add_argument("--phone", default="", help="mobile phone number")
        add.add_argument("--must-change-password", action="store_true",
                         help="force a password change at the first sign-in (always so for a generated password)")
        unlock = sub.add_parser("unlock", help="lift a lockout before its 30 minutes are over")
        unlock.add_argument("name")
        otp = sub.add_parser("otp-code", help="print the current one-time code of an account (not in production)")
        otp.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        with context.acting(channel="cli"):
            if subcommand == "add":
                self._add(options)
            elif subcommand == "unlock":
                self._unlock(options["name"])
            elif subcommand == "otp-code":
                self._otp_code(options["name"])
            else:  # argparse already refuses others; kept for call_command misuse
                raise _bad(f"unknown subcommand {subcommand!r}; use add, unlock or otp-code")

    def _add(self, options: dict[str, Any]) -> None:
        unit = selectors.org_unit_by_code(options["unit"])
        if unit is None:
            raise _bad(f"unknown org unit code: {options['unit']}")
        generated = not options["password_stdin"]
        if generated:
            password = generate_password()
        else:
            stream: TextIO = options.get("stdin") or sys.stdin
            password = stream.readline().rstrip("\r\n")
            if not password:
                raise _bad("no password on standard input")
        try:
            user, uri = user_create(
                acting_user=None, username=options["name"], password=password,
                roles=_roles(options["role"]), org_unit=unit, full_name=options["full_name"],
                phone=options["phone"], must_change_password=generated or options["must_change_password"],
            )
        except InvalidInput as exc:
            reasons = [f"{e['field']}: {e['message']}" for e in exc.errors] or [str(exc.detail)]
            raise _bad("; ".join(reasons)) from None
        roles = ",".join(sorted(user.role_codes))
        self.stdout.write(f"created user {user.username} ({roles}) in {unit.code} {unit.name}")
        if generated:
            self.stdout.write(f"password: {password}")
            self.stdout.write("(shown once; the owner must change it at the first sign-in)")
        if uri:
            self.stdout.write(uri)

    def _account(self, name: str) -> User:
        user = selectors.user_by_username(name)
        if user is None:
            raise _bad(f"no account named {name}")
        return user

    def _unlock(self, name: str) -> None:
        user = user_unlock(acting_user=None, user=self._account(name))
        self.stdout.write(f"unlocked {user.username}")

    def _otp_code(self, name: str) -> None:
        if settings.PRODUCTION:
            raise _bad("otp-code is refused in production: use the account's authenticator app")
        user = self._account(name)
        secret = totp.secret_of(user)
        if secret is None:
            raise _bad(f"{user.username} has no second factor")
        self.stdout.write(totp.current_code(secret))
