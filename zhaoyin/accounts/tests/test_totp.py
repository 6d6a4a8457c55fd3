"""Second factor for sysadmin / security_admin / auditor / city_admin (AUTH-05)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from conftest import PASSWORD, MakeUser
from zhaoyin.accounts.models import User
from zhaoyin.accounts.services import SignInRefused, sign_in
from zhaoyin.accounts.tests.conftest import WebLogin, api_token_post, otp_for
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.roles import SECOND_FACTOR_ROLES, Role

T0 = dt.datetime(2026, 6, 1, 1, 0, 5, tzinfo=dt.UTC)
TOTP_ROLES = sorted(r.value for r in SECOND_FACTOR_ROLES)


def test_AUTH_05_the_four_roles_need_a_second_factor() -> None:
    assert set(TOTP_ROLES) == {"sysadmin", "security_admin", "auditor", "city_admin"}


@pytest.mark.parametrize("role", TOTP_ROLES)
def test_AUTH_05_web_login_without_or_with_a_wrong_code_gives_no_session(
    make_user: MakeUser, web_login: WebLogin, role: str,
) -> None:
    user = make_user(role)
    for otp in ("", "123456", "abcdef"):
        client, response = web_login(user, otp=otp)
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
        assert client.get("/").status_code == 302
    client, response = web_login(user, otp=otp_for(user))
    assert response.status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("role", TOTP_ROLES)
def test_AUTH_05_api_token_needs_the_otp_field(make_user: MakeUser, role: str) -> None:
    user = make_user(role)
    client = Client()
    assert api_token_post(client, username=user.username, password=PASSWORD).status_code == 401
    assert api_token_post(client, username=user.username, password=PASSWORD, otp="000000").status_code == 401
    response = api_token_post(client, username=user.username, password=PASSWORD, otp=otp_for(user))
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200
    assert me.json()["roles"] == [role]


def test_AUTH_05_a_code_is_single_use_replay_refused(make_user: MakeUser) -> None:
    with time_machine.travel(T0, tick=False):
        admin = make_user(Role.CITY_ADMIN)
        code = otp_for(admin)
        assert sign_in(username=admin.username, password=PASSWORD, otp=code, ip=None).pk == admin.pk
        with pytest.raises(SignInRefused) as exc:
            sign_in(username=admin.username, password=PASSWORD, otp=code, ip=None)
        assert exc.value.reason == "otp"
    # Still inside the ±1 step window 20 s later: the same code stays refused.
    with time_machine.travel(T0 + dt.timedelta(seconds=20), tick=False), pytest.raises(SignInRefused):
        sign_in(username=admin.username, password=PASSWORD, otp=code, ip=None)
    # The next step's code works.
    with time_machine.travel(T0 + dt.timedelta(seconds=30), tick=False):
        assert sign_in(username=admin.username, password=PASSWORD, otp=otp_for(admin), ip=None)


def test_AUTH_05_a_reused_code_with_the_right_password_does_not_count_towards_the_lockout(
    make_user: MakeUser,
) -> None:
    """Issue 16 item 8: signing in again within one TOTP window is refused (the code is spent)
    but burns no attempt; a wrong code with the right password still counts."""
    with time_machine.travel(T0, tick=False):
        admin = make_user(Role.CITY_ADMIN)
        code = otp_for(admin)
        sign_in(username=admin.username, password=PASSWORD, otp=code, ip=None)
        for _ in range(8):  # more than the lockout threshold
            with pytest.raises(SignInRefused):
                sign_in(username=admin.username, password=PASSWORD, otp=code, ip=None)
        stored = User.objects.get(pk=admin.pk)
        assert stored.failed_logins == 0
        assert not stored.is_locked()
        assert AuditRecord.objects.filter(action="auth.login", detail="otp_reused").count() == 8
        # A reused code with a wrong password is a wrong password: counted.
        with pytest.raises(SignInRefused):
            sign_in(username=admin.username, password="Wrong#Pass2026x", otp=code, ip=None)
        assert User.objects.get(pk=admin.pk).failed_logins == 1
        wrong = "000000" if code != "000000" else "111111"
        with pytest.raises(SignInRefused):
            sign_in(username=admin.username, password=PASSWORD, otp=wrong, ip=None)
        assert User.objects.get(pk=admin.pk).failed_logins == 2
    with time_machine.travel(T0 + dt.timedelta(seconds=30), tick=False):
        assert sign_in(username=admin.username, password=PASSWORD, otp=otp_for(admin), ip=None).pk == admin.pk


def test_AUTH_04_every_refusal_tells_to_wait_for_the_next_code_the_same_way(
    make_user: MakeUser, web_login: WebLogin,
) -> None:
    """The hint to wait for the next code is on every refused sign-in, so it reveals nothing
    about which factor failed (AUTH-04)."""
    with time_machine.travel(T0, tick=False):
        admin = make_user(Role.CITY_ADMIN, username="bigboss")
        code = otp_for(admin)
        _, first = web_login(admin, otp=code)
        assert first.status_code == 302
        _, reused = web_login(admin, otp=code)
        _, wrong_password = web_login(admin, password="Wrong#Pass2026x", otp=code)
        _, unknown = web_login("nosuchone", password="Wrong#Pass2026x", otp=code)
    for response in (reused, wrong_password, unknown):
        text = response.content.decode()
        assert "请等待下一个动态口令" in text
        assert response.status_code == 200


def test_AUTH_05_replay_refused_on_the_api_too(make_user: MakeUser) -> None:
    with time_machine.travel(T0, tick=False):
        admin = make_user(Role.AUDITOR)
        code = otp_for(admin)
        client = Client()
        assert api_token_post(client, username=admin.username, password=PASSWORD, otp=code).status_code == 200
        assert api_token_post(client, username=admin.username, password=PASSWORD, otp=code).status_code == 401


def test_AUTH_05_codes_from_far_outside_the_window_are_refused(make_user: MakeUser) -> None:
    with time_machine.travel(T0, tick=False):
        admin = make_user(Role.SYSADMIN)
        old = otp_for(admin, at=T0.timestamp() - 120)
        with pytest.raises(SignInRefused):
            sign_in(username=admin.username, password=PASSWORD, otp=old, ip=None)


def test_AUTH_05_wrong_codes_count_towards_the_lockout(make_user: MakeUser) -> None:
    admin = make_user(Role.SECURITY_ADMIN)
    for _ in range(5):
        with pytest.raises(SignInRefused):
            sign_in(username=admin.username, password=PASSWORD, otp="000000", ip=None)
    assert User.objects.get(pk=admin.pk).is_locked()
    with pytest.raises(SignInRefused):
        sign_in(username=admin.username, password=PASSWORD, otp=otp_for(admin), ip=None)


@pytest.mark.parametrize("role", ["staff", "leader", "unit_admin", "supervisor"])
def test_AUTH_05_other_roles_ignore_the_otp_field(make_user: MakeUser, web_login: WebLogin, role: str) -> None:
    user = make_user(role)
    client = Client()
    response = api_token_post(client, username=user.username, password=PASSWORD, otp="999999")
    assert response.status_code == 200
    assert api_token_post(client, username=user.username, password=PASSWORD).status_code == 200
    _, response = web_login(user, otp="123456")
    assert response.status_code == 302


def test_AUTH_05_the_secret_is_stored_encrypted(make_user: MakeUser) -> None:
    from zhaoyin.accounts import totp

    admin = User.objects.get(pk=make_user(Role.AUDITOR).pk)
    secret = totp.secret_of(admin)
    assert secret
    assert admin.totp_secret_enc
    assert secret.encode() not in bytes(admin.totp_secret_enc)
