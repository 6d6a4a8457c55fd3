"""Lockout, per-IP throttling and the generic refusal (AUTH-04)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.test import Client, override_settings

from conftest import PASSWORD, MakeUser
from zhaoyin.accounts.models import LoginFailure, ThrottledSignIns, User
from zhaoyin.accounts.services import SignInRefused, sign_in, user_unlock
from zhaoyin.accounts.tests.conftest import LOGIN_URL, WebLogin, api_token_post
from zhaoyin.audit.models import AuditRecord, Outcome

WRONG = "Wrong-Pass-123"
T0 = dt.datetime(2026, 5, 6, 2, 0, tzinfo=dt.UTC)


def test_AUTH_04_five_failures_lock_for_30_minutes_even_for_the_correct_password(make_user: MakeUser) -> None:
    with time_machine.travel(T0, tick=False):
        user = make_user("staff", username="lee")
        for _ in range(4):
            with pytest.raises(SignInRefused):
                sign_in(username="lee", password=WRONG, otp=None, ip="10.0.0.1")
        user.refresh_from_db()
        assert user.failed_logins == 4
        assert not user.is_locked()
        with pytest.raises(SignInRefused):
            sign_in(username="lee", password=WRONG, otp=None, ip="10.0.0.1")
        user.refresh_from_db()
        assert user.locked_until == T0 + dt.timedelta(minutes=30)
        with pytest.raises(SignInRefused) as exc:
            sign_in(username="lee", password=PASSWORD, otp=None, ip="10.0.0.2")
        assert exc.value.reason == "locked"
    with time_machine.travel(T0 + dt.timedelta(minutes=29, seconds=59), tick=False), pytest.raises(SignInRefused):
        sign_in(username="lee", password=PASSWORD, otp=None, ip="10.0.0.2")
    with time_machine.travel(T0 + dt.timedelta(minutes=30, seconds=1), tick=False):
        assert sign_in(username="lee", password=PASSWORD, otp=None, ip="10.0.0.2").pk == user.pk
    user.refresh_from_db()
    assert user.failed_logins == 0
    assert user.locked_until is None


def test_AUTH_04_success_resets_the_failure_counter(make_user: MakeUser) -> None:
    make_user("staff", username="lee")
    for _ in range(3):
        with pytest.raises(SignInRefused):
            sign_in(username="lee", password=WRONG, otp=None, ip=None)
    sign_in(username="lee", password=PASSWORD, otp=None, ip=None)
    for _ in range(4):
        with pytest.raises(SignInRefused):
            sign_in(username="lee", password=WRONG, otp=None, ip=None)
    assert not User.objects.get(username="lee").is_locked()


def test_AUTH_04_every_failure_lock_and_unlock_is_audited(make_user: MakeUser) -> None:
    user = make_user("staff", username="lee")
    sec = make_user("security_admin")
    for _ in range(5):
        with pytest.raises(SignInRefused):
            sign_in(username="lee", password=WRONG, otp=None, ip="10.0.0.1")
    with pytest.raises(SignInRefused):
        sign_in(username="lee", password=PASSWORD, otp=None, ip="10.0.0.1")
    with pytest.raises(SignInRefused):
        sign_in(username="ghost", password=WRONG, otp=None, ip="10.0.0.1")
    logins = AuditRecord.objects.filter(action="auth.login").order_by("id")
    assert [(r.outcome, r.detail) for r in logins] == [
        (Outcome.FAILURE, "bad_password")] * 5 + [(Outcome.DENIED, "locked"), (Outcome.FAILURE, "unknown_or_inactive")]
    assert all(r.client_ip is None or r.client_ip == "10.0.0.1" for r in logins)
    assert AuditRecord.objects.filter(action="auth.lockout", object_id=str(user.pk)).count() == 1
    user_unlock(acting_user=sec, user=user)
    unlock = AuditRecord.objects.get(action="user.unlock")
    assert unlock.actor == sec.username
    assert unlock.object_id == str(user.pk)
    assert sign_in(username="lee", password=PASSWORD, otp=None, ip="10.0.0.9").pk == user.pk


@override_settings(ZHAOYIN_SECURITY={
    **settings.ZHAOYIN_SECURITY, "IP_THROTTLE_FAILURES": 6, "IP_THROTTLE_WINDOW_MINUTES": 15,
})
def test_AUTH_04_per_ip_throttling_refuses_even_valid_credentials_from_that_address(make_user: MakeUser) -> None:
    make_user("staff", username="victim")
    with time_machine.travel(T0, tick=False):
        # Spraying many account names from one address: no single account reaches 5.
        for i in range(6):
            with pytest.raises(SignInRefused):
                sign_in(username=f"guess{i}", password=WRONG, otp=None, ip="203.0.113.7")
        with pytest.raises(SignInRefused) as exc:
            sign_in(username="victim", password=PASSWORD, otp=None, ip="203.0.113.7")
        assert exc.value.reason == "ip_throttled"
        # Another address is unaffected, and the account itself is not locked.
        assert sign_in(username="victim", password=PASSWORD, otp=None, ip="198.51.100.1")
    assert AuditRecord.objects.filter(action="auth.login", detail="ip_throttled", outcome=Outcome.DENIED).exists()
    with time_machine.travel(T0 + dt.timedelta(minutes=16), tick=False):
        assert sign_in(username="victim", password=PASSWORD, otp=None, ip="203.0.113.7")


@override_settings(ZHAOYIN_SECURITY={
    **settings.ZHAOYIN_SECURITY, "IP_THROTTLE_FAILURES": 3, "IP_THROTTLE_WINDOW_MINUTES": 15,
})
def test_AUTH_04_a_flood_of_throttled_attempts_writes_one_audit_row_per_window_and_counts_the_rest(
    make_user: MakeUser,
) -> None:
    """Issue 12 (observation): refusals of the throttle are counted, not audited one by one."""
    make_user("staff", username="victim")
    ip = "203.0.113.8"
    for moment in (T0, T0 + dt.timedelta(minutes=16)):
        with time_machine.travel(moment, tick=False):
            for i in range(3):
                with pytest.raises(SignInRefused):
                    sign_in(username=f"guess{i}", password=WRONG, otp=None, ip=ip)
            for _ in range(40):
                with pytest.raises(SignInRefused) as exc:
                    sign_in(username="victim", password=PASSWORD, otp=None, ip=ip)
                assert exc.value.reason == "ip_throttled"
    throttled = AuditRecord.objects.filter(action="auth.login", detail="ip_throttled", outcome=Outcome.DENIED)
    assert throttled.count() == 2
    assert {r.client_ip for r in throttled} <= {None, ip}
    windows = ThrottledSignIns.objects.filter(ip=ip).order_by("window_start")
    assert [w.refused for w in windows] == [40, 40]
    assert windows[1].window_start - windows[0].window_start >= dt.timedelta(minutes=15)
    assert AuditRecord.objects.filter(action="auth.login", detail="unknown_or_inactive").count() == 6


def test_AUTH_04_d6_a_success_gives_the_address_its_attempt_back(make_user: MakeUser) -> None:
    make_user("staff", username="lee")
    sign_in(username="lee", password=PASSWORD, otp=None, ip="198.51.100.4")
    with pytest.raises(SignInRefused):
        sign_in(username="lee", password=WRONG, otp=None, ip="198.51.100.4")
    assert LoginFailure.objects.filter(ip="198.51.100.4").count() == 1


def _normalised(body: bytes, *names: str) -> str:
    text = body.decode()
    for name in names:
        text = text.replace(name, "USERNAME")
    return re.sub(r"[A-Za-z0-9]{64}", "CSRF", text)  # the per-response masked CSRF token


def test_AUTH_04_unknown_user_and_wrong_password_look_identical_on_the_web(
    make_user: MakeUser, web_login: WebLogin,
) -> None:
    make_user("staff", username="realname")
    _, wrong = web_login("realname", password=WRONG)
    _, unknown = web_login("nosuchone", password=WRONG)
    make_user("city_admin", username="bigboss")
    _, no_otp = web_login("bigboss", password=PASSWORD, otp="000000")
    assert wrong.status_code == unknown.status_code == no_otp.status_code == 200
    a = _normalised(wrong.content, "realname")
    assert a == _normalised(unknown.content, "nosuchone")
    assert a == _normalised(no_otp.content, "bigboss")
    assert "temporarily locked" in a or "暂时锁定" in a or "锁定" in a
    assert WRONG not in wrong.content.decode()


def test_AUTH_04_locked_account_gets_the_same_page_as_a_wrong_password(
    make_user: MakeUser, web_login: WebLogin,
) -> None:
    make_user("staff", username="realname")
    _, first = web_login("realname", password=WRONG)
    for _ in range(4):
        web_login("realname", password=WRONG)
    _, locked = web_login("realname", password=PASSWORD)
    assert locked.status_code == first.status_code
    assert _normalised(locked.content, "realname") == _normalised(first.content, "realname")
    # No session for the locked account.
    client = Client()
    client.post(LOGIN_URL, {"username": "realname", "password": PASSWORD})
    assert client.get("/").status_code == 302


def test_AUTH_04_unknown_user_and_wrong_password_look_identical_on_the_api(make_user: MakeUser) -> None:
    make_user("staff", username="realname")
    client = Client()
    wrong = api_token_post(client, username="realname", password=WRONG)
    unknown = api_token_post(client, username="nosuchone", password=WRONG)
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.content == unknown.content
    body = wrong.json()
    assert set(body) == {"detail", "errors"}
    assert body["errors"] == []
    for _ in range(4):
        api_token_post(client, username="realname", password=WRONG)
    locked = api_token_post(client, username="realname", password=PASSWORD)
    assert locked.status_code == 401
    assert locked.content == wrong.content
    assert AuditRecord.objects.filter(action="auth.login", channel="api").count() == 7
