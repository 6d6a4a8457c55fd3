"""Domain exceptions raised by services and translated by the web and API layers.

``InvalidInput`` is the one error type for bad input on every channel: it carries a list of
``{"field", "message"}`` entries (field → messages through ``by_field``), becomes the API's 422
body (``api_body``) and a form's errors (``core.forms.add_service_errors``). ``Errors`` is the
one collector that gathers a request's field errors and raises them together.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError

#: The field name of an error about the input as a whole (the API's convention).
WHOLE_INPUT = "body"

#: The OpenAPI extension on a parameter or a body field (or a whole body) whose value the
#: server judges beyond what its schema can say: a code or id must name a record within the
#: caller's scope, a date must not be past, a reason is needed for this stage change … Its
#: value says what is judged; a value the schema allows can still be answered 422 there, and
#: only there (docs/architecture.md, "The API document"; tests/test_api_fuzz.py holds the
#: API to it).
RULE_KEY = "x-zhaoyin-rule"
#: The rule of a reference: unknown and out of scope are answered alike (AC-03).
REFERENCE_RULE = "names a record within the caller's scope; unknown or out of scope: 422"


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
                name = WHOLE_INPUT if field == NON_FIELD_ERRORS else field
                errors.extend({"field": name, "message": str(m)} for m in errs)
        else:
            errors.extend({"field": WHOLE_INPUT, "message": str(m)} for m in exc.messages)
        return cls(errors[0]["message"] if errors else "invalid", errors)

    def by_field(self) -> dict[str, list[str]]:
        """Field → its messages, in the order they were found (an error without entries is
        about the whole input)."""
        out: dict[str, list[str]] = {}
        for error in self.errors or [{"field": WHOLE_INPUT, "message": str(self.detail)}]:
            out.setdefault(error.get("field") or WHOLE_INPUT, []).append(error["message"])
        return out

    def renamed(self, names: dict[str, str]) -> InvalidInput:
        """The same errors with some fields renamed (a form whose field is called otherwise)."""
        errors = [{**e, "field": names.get(e.get("field", ""), e.get("field", ""))} for e in self.errors]
        return InvalidInput(self.detail, errors)

    def api_body(self) -> dict[str, Any]:
        """The API's 422 body: ``{"detail", "errors": [{"field", "message"}]}`` (DESIGN 5.1)."""
        return {"detail": str(self.detail), "errors": list(self.errors)}


class Errors:
    """The field errors of one input, collected so the caller learns every bad field at once,
    then raised together as one ``InvalidInput`` (``raise_if_any``)."""

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    @property
    def errors(self) -> list[dict[str, str]]:
        return self.items

    def add(self, field: str, message: Any) -> None:
        self.items.append({"field": field, "message": str(message)})

    #: The list parsers' name for ``add``.
    fail = add

    def capture(self, exc: InvalidInput) -> None:
        """Take over the errors of a refusal raised by a shared cleaner."""
        self.items.extend(exc.errors or [{"field": WHOLE_INPUT, "message": str(exc.detail)}])

    def has(self, field: str) -> bool:
        return any(e["field"] == field for e in self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            first = self.items[0]
            raise InvalidInput(first["field"] + ": " + first["message"], list(self.items))


class Conflict(Exception):
    """The request conflicts with the current state (a stale version, a duplicate, a transition
    not allowed from this state). ``field``: the input the conflict is about (a duplicate names
    the reference it repeats), given in the 409 body's ``errors`` as a 422 names its field."""

    def __init__(self, *args: Any, field: str = "") -> None:
        super().__init__(*args)
        self.field = field
        self.errors: list[dict[str, str]] = (
            [{"field": field, "message": str(args[0]) if args else ""}] if field else []
        )
