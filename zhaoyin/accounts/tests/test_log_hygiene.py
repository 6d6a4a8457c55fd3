"""No password, one-time code, session id or token in any log record (AUTH-06, AUD-06)."""

from __future__ import annotations

import logging

import pytest
from django.conf import settings
from django.test import Client

from conftest import PASSWORD, MakeUser
from zhaoyin.accounts.tests.conftest import LOGIN_URL, TOKEN_URL, otp_for
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.roles import Role

WRONG = "Wrong-Secret-Pass-77"
NEW = "Changed-Secret-Pass-88"


def _record_text(record: logging.LogRecord) -> str:
    parts = [record.getMessage(), repr(record.args), record.exc_text or "", str(getattr(record, "request", ""))]
    return "\n".join(parts)


def test_AUTH_06_sign_in_flow_leaves_no_secret_in_logs(make_user: MakeUser, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("zhaoyin", "django", "django.request", "django.security"):
        caplog.set_level(logging.DEBUG, logger=name)
    admin = make_user(Role.CITY_ADMIN, username="cityboss")
    staff = make_user(Role.STAFF, username="clerk")
    secrets_seen: list[str] = [PASSWORD, WRONG, NEW]

    web = Client(REMOTE_ADDR="10.9.8.7")
    web.post(LOGIN_URL, {"username": "cityboss", "password": WRONG, "otp": "123456"})
    web.post(LOGIN_URL, {"username": "nosuchuser", "password": WRONG, "otp": ""})
    web.post(LOGIN_URL, {"username": "cityboss", "password": PASSWORD, "otp": "654321"})
    code = otp_for(admin)
    secrets_seen.append(code)
    response = web.post(LOGIN_URL, {"username": "cityboss", "password": PASSWORD, "otp": code})
    assert response.status_code == 302
    secrets_seen.append(web.cookies[settings.SESSION_COOKIE_NAME].value)
    web.post(LOGIN_URL, {"username": "cityboss", "password": PASSWORD, "otp": code})  # replay
    web.get("/no/such/page/")
    web.get("/accounts/users/")  # 403, logged by django.request

    other = Client()
    other.post(LOGIN_URL, {"username": "clerk", "password": PASSWORD})
    secrets_seen.append(other.cookies[settings.SESSION_COOKIE_NAME].value)
    other.post("/accounts/password/", {"old_password": WRONG, "new_password": NEW, "new_password2": NEW})
    other.post("/accounts/password/", {"old_password": PASSWORD, "new_password": "short", "new_password2": "short"})
    other.post("/accounts/password/", {"old_password": PASSWORD, "new_password": NEW, "new_password2": NEW})
    other.post("/accounts/logout/")

    api = Client()
    api.post(TOKEN_URL, {"username": "clerk", "password": WRONG}, content_type="application/json")
    token = api.post(TOKEN_URL, {"username": "clerk", "password": NEW}, content_type="application/json").json()["token"]
    secrets_seen.append(token)
    api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    api.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer not-a-token-but-secret-looking")
    secrets_seen.append("not-a-token-but-secret-looking")

    assert caplog.records, "the flow should have produced some log records (4xx warnings)"
    for record in caplog.records:
        text = _record_text(record)
        for secret in secrets_seen:
            assert secret not in text, f"{record.name}: a secret leaked into the log"
        assert "sessionid=" not in text
        assert f"{settings.SESSION_COOKIE_NAME}=" not in text
    # The audit log is a log too: it names outcomes, never the secrets.
    for row in AuditRecord.objects.all():
        blob = " ".join(str(v) for v in (row.object_repr, row.before, row.after, row.detail))
        for secret in secrets_seen:
            assert secret not in blob
    assert staff.pk


def test_AUD_06_newline_in_a_username_stays_inside_one_audit_record(db: None) -> None:
    before = AuditRecord.objects.count()
    Client().post(LOGIN_URL, {"username": "evil\nFAKE audit line", "password": WRONG})
    assert AuditRecord.objects.count() == before + 1
    row = AuditRecord.objects.latest("id")
    assert row.object_repr == "evil\nFAKE audit line"  # data in a field, not a forged record
