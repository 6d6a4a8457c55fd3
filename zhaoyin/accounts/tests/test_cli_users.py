"""``zhaoyin users add | unlock | otp-code`` (DESIGN 5.2; AUTH-01/02/04/05; AC-05)."""

from __future__ import annotations

import hashlib
import io
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from conftest import PASSWORD, MakeUser
from zhaoyin.accounts.management.commands.users import Command
from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.services import SignInRefused, sign_in
from zhaoyin.audit.models import AuditRecord


def run(*args: str, stdin: str | None = None) -> str:
    out = io.StringIO()
    kwargs: dict[str, object] = {"stdout": out, "stderr": io.StringIO()}
    if stdin is not None:
        kwargs["stdin"] = io.StringIO(stdin)
    call_command("users", *args, **kwargs)
    return out.getvalue()


def refused(*args: str, stdin: str | None = None) -> CommandError:
    with pytest.raises(CommandError) as exc:
        run(*args, stdin=stdin)
    assert exc.value.returncode == 2
    assert "\n" not in str(exc.value)
    return exc.value


def test_AUTH_05_users_add_prints_rfc6238_otpauth_uri_for_second_factor_roles(org_tree: dict[str, OrgUnit]) -> None:
    out = run("add", "sec1", "--role", "security_admin", "--unit", "340400", "--password-stdin",
              "--full-name", "张安全", stdin=PASSWORD + "\n")
    uris = [line for line in out.splitlines() if line.startswith("otpauth://")]
    assert len(uris) == 1
    parts = urlsplit(uris[0])
    assert parts.netloc == "totp"
    query = parse_qs(parts.query)
    assert query.get("algorithm", ["SHA1"]) == ["SHA1"]
    assert query.get("digits", ["6"]) == ["6"]
    assert query.get("period", ["30"]) == ["30"]
    parsed = pyotp.parse_uri(uris[0])
    assert isinstance(parsed, pyotp.TOTP)
    assert parsed.digest is hashlib.sha1
    assert parsed.digits == 6
    assert parsed.interval == 30
    user = User.objects.get(username="sec1")
    assert user.admin_role == "security_admin"
    assert user.full_name == "张安全"
    assert "password" not in out  # given on stdin: not echoed
    # The URI's secret is the one the account signs in with.
    assert sign_in(username="sec1", password=PASSWORD, otp=parsed.now(), ip=None).pk == user.pk


def test_DESIGN_5_2_users_add_without_second_factor_prints_no_uri(org_tree: dict[str, OrgUnit]) -> None:
    out = run("add", "staff1", "--role", "staff", "--unit", "340402", "--password-stdin", stdin=PASSWORD)
    assert "otpauth://" not in out
    user = User.objects.get(username="staff1")
    assert user.role_codes == {"staff"}
    assert user.org_unit == org_tree["county_a"]
    assert not user.must_change_password


def test_AUTH_01_users_add_generates_a_strong_password_shown_once_and_forces_change(
    org_tree: dict[str, OrgUnit],
) -> None:
    out = run("add", "staff2", "--role", "staff,service_member", "--unit", "340402")
    lines = [line for line in out.splitlines() if line.startswith("password: ")]
    assert len(lines) == 1
    password = lines[0].removeprefix("password: ")
    assert len(password) >= 20
    user = User.objects.get(username="staff2")
    assert user.check_password(password)
    assert user.must_change_password
    assert user.role_codes == {"staff", "service_member"}


def test_AUD_01_users_add_is_audited_on_the_cli_channel(org_tree: dict[str, OrgUnit]) -> None:
    run("add", "staff3", "--role", "staff", "--unit", "340402", "--password-stdin", stdin=PASSWORD)
    record = AuditRecord.objects.get(action="user.create")
    assert record.channel == "cli"
    assert record.object_repr == "staff3"
    assert PASSWORD not in str(record.after)


@pytest.mark.parametrize(
    ("args", "stdin", "needle"),
    [
        (["--role", "wizard", "--unit", "340400", "--password-stdin"], PASSWORD, "wizard"),
        (["--role", "staff", "--unit", "nowhere", "--password-stdin"], PASSWORD, "nowhere"),
        (["--role", "staff", "--unit", "340400", "--password-stdin"], "short1A", "password"),
        (["--role", "sysadmin", "--role", "auditor", "--unit", "340400", "--password-stdin"], PASSWORD, "roles"),
        (["--role", "sysadmin,staff", "--unit", "340400", "--password-stdin"], PASSWORD, "roles"),
        (["--role", "staff", "--unit", "340400", "--password-stdin"], "", "password"),
    ],
    ids=["unknown-role", "unknown-unit", "weak-password", "two-admin-roles", "admin-plus-business", "no-password"],
)
def test_AC_05_users_add_bad_input_exits_2_and_creates_nothing(
    org_tree: dict[str, OrgUnit], args: list[str], stdin: str, needle: str,
) -> None:
    users, audits = User.objects.count(), AuditRecord.objects.count()
    exc = refused("add", "newbie", *args, stdin=stdin)
    assert needle in str(exc)
    assert User.objects.count() == users
    assert AuditRecord.objects.filter(action="user.create").count() == 0
    assert AuditRecord.objects.count() == audits


def test_DESIGN_5_2_users_add_duplicate_name_exits_2(make_user: MakeUser) -> None:
    make_user("staff", username="dup")
    refused("add", "DUP", "--role", "staff", "--unit", "340400", "--password-stdin", stdin=PASSWORD)


def test_DESIGN_5_2_command_line_exit_code_2_and_one_line_reason_on_stderr(
    org_tree: dict[str, OrgUnit], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    # run_from_argv closes every connection when it ends; inside the test's transaction that
    # would drop the PostgreSQL connection the assertions below still need.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    with pytest.raises(SystemExit) as exc:
        Command().run_from_argv(["zhaoyin", "users", "add", "x1", "--role", "wizard", "--unit", "340400"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "wizard" in err
    assert not User.objects.filter(username="x1").exists()


def test_AUTH_05_otp_code_prints_the_current_code(make_user: MakeUser) -> None:
    admin = make_user("city_admin", username="boss")
    code = run("otp-code", "boss").strip()
    assert code.isdigit()
    assert len(code) == 6
    assert sign_in(username="boss", password=PASSWORD, otp=code, ip=None).pk == admin.pk


def test_AUTH_05_otp_code_refused_in_production(make_user: MakeUser) -> None:
    make_user("city_admin", username="boss")
    with override_settings(PRODUCTION=True):
        exc = refused("otp-code", "boss")
    assert "production" in str(exc)


def test_AUTH_05_otp_code_refused_for_account_without_second_factor(make_user: MakeUser) -> None:
    make_user("staff", username="plain")
    refused("otp-code", "plain")
    refused("otp-code", "nobody")


def test_AUTH_04_users_unlock_lifts_the_lock_and_is_audited(make_user: MakeUser) -> None:
    user = make_user("staff", username="locked1")
    for _ in range(5):
        with pytest.raises(SignInRefused):
            sign_in(username="locked1", password="Wrong-pass-123", otp=None, ip=None)
    user.refresh_from_db()
    assert user.is_locked()
    run("unlock", "locked1")
    user.refresh_from_db()
    assert not user.is_locked()
    record = AuditRecord.objects.filter(action="user.unlock").get()
    assert record.channel == "cli"
    assert sign_in(username="locked1", password=PASSWORD, otp=None, ip=None).pk == user.pk
