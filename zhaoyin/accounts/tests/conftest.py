"""Helpers for the accounts tests: signing in through the real login page and the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.test.client import Client as ClientType

from conftest import PASSWORD
from zhaoyin.accounts import totp
from zhaoyin.accounts.models import User

LOGIN_URL = "/accounts/login/"
TOKEN_URL = "/api/v1/auth/token"

WebLogin = Callable[..., Any]


def otp_for(user: User, at: float | None = None) -> str:
    """The account's TOTP code now (or at ``at``), read from its stored secret."""
    secret = totp.secret_of(User.objects.get(pk=user.pk))
    assert secret is not None
    return totp.current_code(secret, at)


@pytest.fixture
def web_login() -> WebLogin:
    """Sign in through the login page with a fresh client; returns (client, response)."""

    def login(user: User | str, password: str = PASSWORD, otp: str | None = None,
              client: ClientType | None = None, ip: str = "10.1.1.1") -> tuple[ClientType, Any]:
        c = client or Client(REMOTE_ADDR=ip)
        name = user if isinstance(user, str) else user.username
        if otp is None and isinstance(user, User) and user.needs_second_factor and password == PASSWORD:
            otp = otp_for(user)
        data = {"username": name, "password": password, "otp": otp or ""}
        return c, c.post(LOGIN_URL, data)

    return login


def api_token_post(client: ClientType, **payload: Any) -> Any:
    return client.post(TOKEN_URL, payload, content_type="application/json")
