"""Masking of personal data for display, exports, logs and audit records (PII-02)."""

from __future__ import annotations

from typing import Any

#: Field names whose values are personal data and are masked wherever they are shown.
PERSONAL_FIELDS = frozenset({"phone", "mobile", "id_number", "id_no", "contact_phone", "email"})

#: Field names whose values are a person's name (masked with ``mask_name``). Names of
#: enterprises, projects or org units are not personal and are not listed here.
NAME_FIELDS = frozenset({
    "full_name", "first_name", "last_name", "legal_representative", "contact_person",
    "enterprise_contact", "requester_name", "lead_official", "decided_by_name", "applicant_name",
})


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


def mask_name(value: str) -> str:
    """A person's name with only its first character and (for three or more) its last one
    shown: 张三 → 张*, 张晓明 → 张*明, 欧阳明远 → 欧**远. Masking a masked name changes nothing."""
    text = value.strip()
    if len(text) <= 1:
        return "*" * len(text)
    if len(text) == 2:
        return text[0] + "*"
    return text[0] + "*" * (len(text) - 2) + text[-1]


def mask_value(field: str, value: Any) -> Any:
    """``value`` masked for display when ``field`` holds personal data, else unchanged."""
    if not isinstance(value, str) or not value:
        return value
    if field in NAME_FIELDS:
        return mask_name(value)
    if field not in PERSONAL_FIELDS:
        return value
    if field in ("id_number", "id_no"):
        return mask_id_number(value)
    if field == "email":
        return mask_email(value)
    return mask_phone(value)
