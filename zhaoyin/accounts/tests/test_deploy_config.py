"""Deployment configuration (CFG-01, CFG-02): the deploy check, error pages, TRACE."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

from conftest import MakeUser
from zhaoyin.accounts.tests.boom_urls import MARKER

BASE_DIR = Path(settings.BASE_DIR)
HOST = "zhaoyin.example.gov.cn"


def production_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZHAOYIN_", "DJANGO_"))}
    env.update({
        "ZHAOYIN_ENV": "production",
        "ZHAOYIN_SECRET_KEY": secrets.token_urlsafe(60)[:60],
        "ZHAOYIN_FIELD_KEY": secrets.token_hex(16),
        "ZHAOYIN_ALLOWED_HOSTS": HOST,
        "ZHAOYIN_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    })
    return env


def test_CFG_01_check_deploy_passes_with_production_settings(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=production_env(tmp_path), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_CFG_01_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = production_env(tmp_path)
    del env["ZHAOYIN_SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "ZHAOYIN_SECRET_KEY" in result.stderr


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("ZHAOYIN_SECRET_KEY", settings.DEVELOPMENT_SECRET_KEY, "published development key"),
        ("ZHAOYIN_FIELD_KEY", settings.DEVELOPMENT_FIELD_KEY, "published development key"),
        ("ZHAOYIN_FIELD_KEY", settings.DEVELOPMENT_FIELD_KEY.upper(), "published development key"),
        ("ZHAOYIN_FIELD_KEY", "g" * 32, "32 hex digits"),
        ("ZHAOYIN_FIELD_KEY", "0123456789abcdef" * 3, "32 hex digits"),
    ],
)
def test_d8_CFG_01_production_refuses_to_start_with_a_published_or_malformed_key(
    tmp_path: Path, variable: str, value: str, says: str,
) -> None:
    """Issue 12 D8: the development keys of config/settings.py and a non-hex field key."""
    env = production_env(tmp_path)
    env[variable] = value
    result = _manage(env, "check", "--deploy")
    assert result.returncode != 0
    assert variable in result.stderr
    assert says in result.stderr


def test_d8_CFG_01_check_deploy_fails_on_the_published_keys_in_any_environment(tmp_path: Path) -> None:
    env = production_env(tmp_path)
    env["ZHAOYIN_ENV"] = "development"
    del env["ZHAOYIN_SECRET_KEY"], env["ZHAOYIN_FIELD_KEY"]
    result = _manage(env, "check", "--deploy")
    assert result.returncode != 0
    assert "zhaoyin.E001" in result.stderr
    assert "zhaoyin.E002" in result.stderr
    # Without --deploy the development keys are what `make run` is meant to use.
    plain = _manage(env, "check")
    assert plain.returncode == 0, plain.stderr
    assert "zhaoyin.E00" not in plain.stdout + plain.stderr


def test_d8_check_fails_on_a_malformed_field_key(tmp_path: Path) -> None:
    env = production_env(tmp_path)
    env.update(ZHAOYIN_ENV="development", ZHAOYIN_FIELD_KEY="not-hex-" * 4)
    result = _manage(env, "check")
    assert result.returncode != 0
    assert "zhaoyin.E003" in result.stderr
    assert "zhaoyin.E001" not in result.stderr


PROBE = """
import json, django
from django.test.utils import override_settings
django.setup()
from django.conf import settings
from django.test import Client
assert settings.PRODUCTION and not settings.DEBUG
with override_settings(ROOT_URLCONF="zhaoyin.accounts.tests.boom_urls"):
    client = Client(raise_request_exception=False)
    r = client.get("/boom/", secure=True, HTTP_HOST=%(host)r)
    t = client.generic("TRACE", "/", secure=True, HTTP_HOST=%(host)r)
print(json.dumps({"status": r.status_code, "body": r.content.decode(), "rid": r.headers.get("X-Request-ID"),
                  "trace": t.status_code}))
"""


def test_CFG_02_forced_500_under_production_settings_shows_no_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE % {"host": HOST}],
        cwd=BASE_DIR, env=production_env(tmp_path), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["status"] == 500
    body = out["body"]
    for leak in (MARKER, "Traceback", "RuntimeError", "boom_urls", 'File "', "settings.py"):
        assert leak not in body
    assert out["rid"]
    assert out["rid"] in body
    assert out["trace"] == 405


@override_settings(ROOT_URLCONF="zhaoyin.accounts.tests.boom_urls")
def test_CFG_02_forced_500_page_names_the_request_id(db: None) -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/boom/", HTTP_X_REQUEST_ID="abc123def456")
    assert response.status_code == 500
    body = response.content.decode()
    assert "abc123def456" in body
    assert MARKER not in body
    assert "Traceback" not in body
    assert response.headers["X-Request-ID"] == "abc123def456"


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/api/v1/me", "/api/v1/auth/token", "/nowhere/"])
@pytest.mark.parametrize("method", ["TRACE", "TRACK"])
def test_CFG_02_trace_is_refused_with_405(db: None, path: str, method: str) -> None:
    assert Client().generic(method, path).status_code == 405


def test_CFG_02_404_and_403_pages_are_generic(make_user: MakeUser) -> None:
    client = Client()
    client.force_login(make_user("staff"))
    missing = client.get("/no/such/page/")
    assert missing.status_code == 404
    assert missing.headers["X-Request-ID"] in missing.content.decode()
    forbidden = client.get("/accounts/users/")
    assert forbidden.status_code == 403
    assert forbidden.headers["X-Request-ID"] in forbidden.content.decode()
    assert "Traceback" not in forbidden.content.decode()
