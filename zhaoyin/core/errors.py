"""Domain exceptions raised by services and translated by the web and API layers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError


class InvalidInput(Exception):
    """Bad input, naming each field at fault. Raised before anything is written."""

    def __init__(self, detail: Any, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(str(detail))
        self.detail = detail
        self.errors = errors or []

    @classmethod
    def field(cls, field: str, message: Any) -> InvalidInput:
        return cls(message, [{"field": field, "message": str(message)}])

    @classmethod
    def from_django(cls, exc: DjangoValidationError) -> InvalidInput:
        errors: list[dict[str, str]] = []
        if hasattr(exc, "error_dict"):
            for field, errs in exc.message_dict.items():
                name = "body" if field == NON_FIELD_ERRORS else field
                errors.extend({"field": name, "message": str(m)} for m in errs)
        else:
            errors.extend({"field": "body", "message": str(m)} for m in exc.messages)
        return cls(errors[0]["message"] if errors else "invalid", errors)


class Conflict(Exception):
    """The request conflicts with the current state (a stale version, a duplicate, a transition
    not allowed from this state)."""
