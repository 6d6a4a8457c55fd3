"""Masking of personal data for display, exports, logs and audit records (PII-02)."""

from __future__ import annotations

from typing import Any

#: Field names whose values are personal data and are masked wherever they are shown.
PERSONAL_FIELDS = frozenset({"phone", "mobile", "id_number", "id_no", "contact_phone", "email"})


def mask_phone(value: str) -> str:
    if len(value) >= 7:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return "*" * len(value)


def mask_id_number(value: str) -> str:
    if len(value) >= 10:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    return "*" * len(value)


def mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return (local[:1] + "***@" + domain) if domain else "***"


def mask_value(field: str, value: Any) -> Any:
    if not isinstance(value, str) or not value or field not in PERSONAL_FIELDS:
        return value
    if field in ("id_number", "id_no"):
        return mask_id_number(value)
    if field == "email":
        return mask_email(value)
    return mask_phone(value)
