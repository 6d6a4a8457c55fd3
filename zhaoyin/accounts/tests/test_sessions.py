"""Session rules (SESS-01..07): idle and absolute timeouts, fixation, logout, deactivation,
password change, and one session at a time for privileged roles."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client

from conftest import PASSWORD, MakeUser
from zhaoyin.accounts.services import password_change, user_password_reset, user_sessions_end, user_set_active
from zhaoyin.accounts.tests.conftest import WebLogin
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.roles import Role

T0 = dt.datetime(2026, 7, 1, 1, 0, tzinfo=dt.UTC)
COOKIE = settings.SESSION_COOKIE_NAME


def at(minutes: float) -> time_machine.travel:
    return time_machine.travel(T0 + dt.timedelta(minutes=minutes), tick=False)


def signed_out(response: object) -> bool:
    return getattr(response, "status_code", 0) == 302 and "/accounts/login/" in response["Location"]  # type: ignore[index]


@pytest.mark.parametrize(("role", "limit"), [("staff", 30), ("leader", 30), ("city_admin", 15), ("auditor", 15)])
def test_SESS_01_idle_timeout_30_minutes_and_15_for_privileged_roles(
    make_user: MakeUser, web_login: WebLogin, role: str, limit: int,
) -> None:
    with at(0):
        user = make_user(role)
        client, response = web_login(user)
        assert response.status_code == 302
    with at(limit - 1):
        assert client.get("/").status_code == 200  # activity moves the idle clock
    with at(2 * limit - 2):
        assert client.get("/").status_code == 200
    with at(3 * limit):
        response = client.get("/enterprises/?q=x")
        assert signed_out(response)
        assert "next=/enterprises/%3Fq%3Dx" in response["Location"]
    with at(3 * limit + 1):
        assert signed_out(client.get("/"))  # the session is gone, not just refused once
    record = AuditRecord.objects.get(action="auth.session_end")
    assert record.detail == "idle"
    assert record.actor == user.username


def test_SESS_01_expired_session_tells_the_user_why(make_user: MakeUser, web_login: WebLogin) -> None:
    with at(0):
        client, _ = web_login(make_user("staff"))
    with at(31):
        response = client.post("/accounts/password/", {"old_password": "x"}, follow=True)
    assert response.redirect_chain[0][0].startswith("/accounts/login/")
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1


def test_SESS_02_absolute_lifetime_12_hours_despite_activity(make_user: MakeUser, web_login: WebLogin) -> None:
    with at(0):
        client, _ = web_login(make_user("staff"))
    for minute in range(20, 12 * 60, 20):
        with at(minute):
            assert client.get("/").status_code == 200
    with at(12 * 60 + 1):
        assert signed_out(client.get("/"))
    assert AuditRecord.objects.get(action="auth.session_end").detail == "absolute"


def test_SESS_03_new_session_key_at_login_and_the_old_one_is_dead(make_user: MakeUser) -> None:
    user = make_user("staff")
    planted = SessionStore()
    planted["planted"] = True
    planted.create()
    client = Client()
    assert planted.session_key
    client.cookies[COOKIE] = planted.session_key
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    new_key = client.cookies[COOKIE].value
    assert new_key
    assert new_key != planted.session_key
    assert not Session.objects.filter(session_key=planted.session_key).exists()
    assert client.get("/").status_code == 200


def test_SESS_03_logout_is_post_only_and_flushes_the_session(make_user: MakeUser, web_login: WebLogin) -> None:
    client, _ = web_login(make_user("staff"))
    key = client.cookies[COOKIE].value
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/").status_code == 200  # GET did not sign out
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert not Session.objects.filter(session_key=key).exists()
    replay = Client()
    replay.cookies[COOKIE] = key
    assert signed_out(replay.get("/"))
    assert AuditRecord.objects.filter(action="auth.logout").count() == 1


def test_SESS_04_deactivating_an_account_ends_its_session_at_once(make_user: MakeUser, web_login: WebLogin) -> None:
    user = make_user("staff")
    sec = make_user("security_admin")
    client, _ = web_login(user)
    assert client.get("/").status_code == 200
    user_set_active(acting_user=sec, user=user, active=False)
    assert signed_out(client.get("/"))
    _, response = web_login(user)
    assert response.status_code == 200  # cannot sign in again either


def test_SESS_05_password_change_ends_the_other_sessions_only(make_user: MakeUser, web_login: WebLogin) -> None:
    user = make_user("staff")
    a, _ = web_login(user)
    b, _ = web_login(user)
    response = a.post("/accounts/password/", {
        "old_password": PASSWORD, "new_password": "Brand-New-Pass-1", "new_password2": "Brand-New-Pass-1",
    })
    assert response.status_code == 302
    assert a.get("/").status_code == 200
    assert signed_out(b.get("/"))


def test_SESS_05_admin_reset_and_end_sessions_end_every_session(make_user: MakeUser, web_login: WebLogin) -> None:
    user = make_user("staff")
    sec = make_user("security_admin")
    a, _ = web_login(user)
    user_password_reset(acting_user=sec, user=user)
    assert signed_out(a.get("/"))
    other = make_user("staff")
    b, _ = web_login(other)
    c, _ = web_login(other)
    user_sessions_end(acting_user=sec, user=other)
    assert signed_out(b.get("/"))
    assert signed_out(c.get("/"))


def test_SESS_05_password_change_revokes_api_tokens(make_user: MakeUser) -> None:
    user = make_user("staff")
    client = Client()
    token = client.post("/api/v1/auth/token", {"username": user.username, "password": PASSWORD},
                        content_type="application/json").json()["token"]
    bearer = f"Bearer {token}"
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=bearer).status_code == 200
    password_change(acting_user=user, user=user, new_password="Brand-New-Pass-1")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=bearer).status_code == 401


@pytest.mark.parametrize("role", [Role.CITY_ADMIN, Role.SYSADMIN, Role.SECURITY_ADMIN, Role.AUDITOR])
def test_SESS_06_privileged_accounts_hold_one_session_the_newest_wins(
    make_user: MakeUser, web_login: WebLogin, role: Role,
) -> None:
    with at(0):
        user = make_user(role)
        first, _ = web_login(user)
        assert first.get("/").status_code == 200
    with at(1):
        second, _ = web_login(user)
        response = first.get("/", follow=True)
        assert response.redirect_chain[0][0].startswith("/accounts/login/")
        assert any("somewhere else" in str(m) or "其他" in str(m) for m in response.context["messages"])
        assert second.get("/").status_code == 200
    assert AuditRecord.objects.get(action="auth.session_end").detail == "replaced"


def test_SESS_06_business_accounts_may_hold_several_sessions(make_user: MakeUser, web_login: WebLogin) -> None:
    user = make_user("staff")
    first, _ = web_login(user)
    second, _ = web_login(user)
    assert first.get("/").status_code == 200
    assert second.get("/").status_code == 200


def test_SESS_06_a_new_privileged_api_token_revokes_the_previous_one(make_user: MakeUser) -> None:
    from zhaoyin.accounts.services import api_token_issue, api_token_user

    admin = make_user(Role.SYSADMIN)
    old = api_token_issue(user=admin)
    new = api_token_issue(user=admin)
    assert api_token_user(old) is None
    assert api_token_user(new) is not None
    staff = make_user("staff")
    t1, t2 = api_token_issue(user=staff), api_token_issue(user=staff)
    assert api_token_user(t1) is not None
    assert api_token_user(t2) is not None


def test_SESS_07_cookie_flags_and_no_store(make_user: MakeUser, web_login: WebLogin) -> None:
    client, response = web_login(make_user("staff"))
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert Client().get("/accounts/login/").headers["Cache-Control"].startswith(("no-store", "max-age=0"))
