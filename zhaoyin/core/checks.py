"""System checks of the deployment's keys (issue 12 D8).

``config/settings.py`` publishes the development keys so that ``make run`` needs nothing;
a deployment that kept them would sign sessions and key the audit chain and the TOTP secrets
with values anyone can read. ``check --deploy`` refuses them in every environment, and a field
key that is not 32 hex digits is refused by every check run (it cannot derive the SM4 keys).
Production start-up refuses the same values before any check runs (the settings).
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core import checks

FIELD_KEY_RE = re.compile(r"[0-9a-fA-F]{32}")


def published_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """zhaoyin.E001 / E002: the development secret key or field key in a deployment."""
    errors: list[checks.CheckMessage] = []
    if settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        errors.append(checks.Error(
            "ZHAOYIN_SECRET_KEY is the published development key.",
            hint="Set ZHAOYIN_SECRET_KEY to at least 50 random characters of your own.",
            id="zhaoyin.E001",
        ))
    if str(settings.FIELD_KEY).lower() == settings.DEVELOPMENT_FIELD_KEY:
        errors.append(checks.Error(
            "ZHAOYIN_FIELD_KEY is the published development key.",
            hint="Set ZHAOYIN_FIELD_KEY to 32 random hex digits of your own (python3 -c "
            "'import secrets; print(secrets.token_hex(16))') and escrow it apart from the backups.",
            id="zhaoyin.E002",
        ))
    return errors


def field_key_format(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """zhaoyin.E003: a field key that is not 32 hex digits (an SM4 key of 128 bits)."""
    if FIELD_KEY_RE.fullmatch(str(settings.FIELD_KEY)):
        return []
    return [checks.Error(
        "ZHAOYIN_FIELD_KEY is not 32 hex digits.",
        hint="The field key is an SM4 key of 128 bits written as 32 hex digits (0-9, a-f).",
        id="zhaoyin.E003",
    )]


def register() -> None:
    """Register the checks (``CoreConfig.ready``)."""
    checks.register(published_keys, checks.Tags.security, deploy=True)
    checks.register(field_key_format, checks.Tags.security)
