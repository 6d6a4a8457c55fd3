"""Issue 12 D1: password hashing runs outside write transactions (AUTH-04, CONC-04).

PBKDF2 takes about half a second by design, and the history rule hashes a new password once
per kept password; on SQLite a transaction holds the one write lock, so a sign-in or a
password change whose hashing ran inside one stalled every writer for that long. The
sign-in's lockout counting and the password's storage stay in short transactions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password

from conftest import PASSWORD, MakeUser
from zhaoyin.accounts import passwords
from zhaoyin.accounts.models import PasswordHistory, User
from zhaoyin.accounts.services import SignInRefused, password_change, sign_in, user_create
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import atomic_depths

WRONG = "Wrong-Pass-123"
NEW = "Kt7mvq2xpz-Neu"


@pytest.mark.parametrize(
    ("username", "password", "reason"),
    [("lee", PASSWORD, None), ("lee", WRONG, "bad_password"), ("nobody", WRONG, "unknown_user")],
)
def test_AUTH_04_d1_sign_in_hashes_outside_its_transaction(
    make_user: MakeUser, monkeypatch: pytest.MonkeyPatch, username: str, password: str, reason: str | None
) -> None:
    make_user(Role.STAFF, username="lee")
    depths = atomic_depths(monkeypatch, (User, "check_password"), (User, "set_password"))
    if reason is None:
        assert sign_in(username=username, password=password, otp=None, ip="10.0.0.1").username == "lee"
    else:
        with pytest.raises(SignInRefused) as exc:
            sign_in(username=username, password=password, otp=None, ip="10.0.0.1")
        assert exc.value.reason == reason
    # One hash on every path (the timing does not tell them apart), none inside a transaction.
    assert [*depths["check_password"], *depths["set_password"]] == [0]


def test_AUTH_04_d1_a_locked_account_is_still_hashed_once_outside_the_transaction(
    make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_user(Role.STAFF, username="lee")
    User.objects.filter(pk=user.pk).update(locked_until=dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=5))
    depths = atomic_depths(monkeypatch, (User, "check_password"), (User, "set_password"))
    with pytest.raises(SignInRefused) as exc:
        sign_in(username="lee", password=PASSWORD, otp=None, ip=None)
    assert exc.value.reason == "locked"
    assert depths["check_password"] == [0]


def test_AUTH_04_d1_a_password_changed_between_the_check_and_the_lock_is_checked_again(
    make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check ran on the hash read before the transaction; if another request changed the
    password meanwhile, the old password must not get in."""
    user = make_user(Role.STAFF, username="lee")
    original = User.check_password
    calls: list[int] = []

    def racing(self: User, raw_password: str) -> bool:
        result = original(self, raw_password)
        if not calls:  # the first check: someone resets the password right after it
            User.objects.filter(pk=user.pk).update(password=make_password(NEW))
        calls.append(1)
        return result

    monkeypatch.setattr(User, "check_password", racing)
    with pytest.raises(SignInRefused) as exc:
        sign_in(username="lee", password=PASSWORD, otp=None, ip=None)
    assert exc.value.reason == "bad_password"
    assert len(calls) == 2
    user.refresh_from_db()
    assert user.failed_logins == 1
    assert AuditRecord.objects.filter(action="auth.login", detail="bad_password").count() == 1


def test_AUTH_02_d1_a_password_change_hashes_and_checks_the_history_outside_its_transaction(
    make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_user(Role.STAFF, username="lee")
    old_hash = user.password
    depths = atomic_depths(monkeypatch, (passwords, "check_password"), (User, "set_password"))
    password_change(acting_user=user, user=user, new_password=NEW)
    assert depths["check_password"]  # the history rule did run
    assert set(depths["check_password"]) == {0}
    assert depths["set_password"] == [0]
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert PasswordHistory.objects.filter(user=user, password=old_hash).exists()
    assert AuditRecord.objects.filter(action="user.password_change", object_id=str(user.pk)).count() == 1


def test_AUTH_02_d1_a_new_account_is_hashed_outside_its_transaction(
    make_user: MakeUser, org_tree: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    depths = atomic_depths(monkeypatch, (User, "set_password"))
    user, _uri = user_create(
        acting_user=None, username="newbie", password=PASSWORD, roles=[Role.STAFF.value], org_unit=org_tree["city"]
    )
    assert depths["set_password"] == [0]
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)
