"""System checks of the audit configuration (AUD-05)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

#: 网络安全法 Art. 21(3): network logs are kept at least six months.
MIN_RETENTION_DAYS = 180


@register(Tags.security, deploy=False)
def check_audit_retention(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Error when the configured audit retention is missing or shorter than 180 days."""
    value = getattr(settings, "ZHAOYIN_SECURITY", {}).get("AUDIT_RETENTION_DAYS")
    if isinstance(value, bool) or not isinstance(value, int) or value < MIN_RETENTION_DAYS:
        return [
            Error(
                f"ZHAOYIN_SECURITY['AUDIT_RETENTION_DAYS'] is {value!r}; audit records must be kept "
                f"at least {MIN_RETENTION_DAYS} days (AUD-05).",
                hint="Set it to 180 or more.",
                id="audit.E001",
            )
        ]
    return []
