"""Issue 12: ``X-Forwarded-Proto`` (``SECURE_PROXY_SSL_HEADER``) and ``X-Forwarded-For`` are
believed only from ``ZHAOYIN_TRUSTED_PROXIES``."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from zhaoyin.audit.models import AuditRecord

PROXY = "10.0.0.5"
BEHIND_PROXY = override_settings(
    TRUSTED_PROXIES=[PROXY],
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    SECURE_SSL_REDIRECT=True,
)


@BEHIND_PROXY
@pytest.mark.parametrize("peer", ["203.0.113.1", "127.0.0.1"])
def test_CFG_01_a_forwarded_https_claim_from_another_peer_is_ignored(db: Any, peer: str) -> None:
    response = Client().get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR=peer)
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@BEHIND_PROXY
def test_CFG_01_the_trusted_proxy_s_https_claim_is_believed(db: Any) -> None:
    response = Client().get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR=PROXY)
    assert response.status_code == 200
    plain = Client().get("/accounts/login/", REMOTE_ADDR=PROXY)
    assert plain.status_code == 301


@BEHIND_PROXY
def test_AUD_02_forwarded_for_from_another_peer_does_not_name_the_client(db: Any) -> None:
    for peer, forwarded, expected in [
        ("203.0.113.1", "198.51.100.7", "203.0.113.1"),
        (PROXY, "198.51.100.7", "198.51.100.7"),
    ]:
        Client().post(
            "/accounts/login/", {"username": "nobody", "password": "Wrong-Pass-2026"},
            HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=peer, secure=True,
        )
        record = AuditRecord.objects.filter(action="auth.login").order_by("-id").first()
        assert record is not None
        assert record.client_ip == expected
