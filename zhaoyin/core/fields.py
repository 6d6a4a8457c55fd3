"""API field types shared by every app's schemas (django-ninja / pydantic).

Amounts are Decimal, never float. ``Amount`` accepts a JSON string or number (booleans and
other JSON types are refused with one message naming the field) and hands the value on to the
shared cleaning functions (``core.validation``); a JSON number with a fraction is then taken
from the request body's own text by ``exact_amounts`` (re-read with ``parse_float=Decimal``),
not from the float pydantic made of it, so ``99999999999999.99`` arrives as exactly that and
not as ``99999999999999.98``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Schema
from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

#: The largest id or page number accepted (a signed 64-bit column holds more; nobody needs it).
MAX_ID = 2**63 - 1


def json_kinds(*kinds: type, message: str) -> Callable[[Any], Any]:
    """A before-validator taking JSON values of ``kinds`` only (never ``true``/``false``), with
    one error naming the field instead of one per union member. The value is passed on
    unchanged to the shared validators, which convert it."""

    def check(value: Any) -> Any:
        if value is None or (isinstance(value, kinds) and not isinstance(value, bool)):
            return value
        raise PydanticCustomError("value_type", gettext(message))

    return check


_NULL = {"type": "null"}
#: An amount (万元 or another decimal quantity): a JSON string or number, or null.
Amount = Annotated[
    Any,
    BeforeValidator(json_kinds(str, int, float, message="must be a number")),
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "number"}, _NULL]}),
]
#: A count (employees, …): a JSON integer or digits as a string, or null.
Count = Annotated[
    Any,
    BeforeValidator(json_kinds(str, int, message="must be a whole number")),
    WithJsonSchema({"anyOf": [{"type": "integer"}, {"type": "string"}, _NULL]}),
]
#: A year: a JSON integer or digits as a string.
Year = Annotated[
    Any,
    BeforeValidator(json_kinds(str, int, message="must be a whole number")),
    WithJsonSchema({"anyOf": [{"type": "integer"}, {"type": "string"}]}),
]


class OrgUnitRef(Schema):
    """An organisation unit as outputs name it."""

    id: int
    code: str
    name: str


class IndustryRef(Schema):
    """An industry of the dictionary as outputs name it."""

    code: str
    name: str


def exact_amounts(request: HttpRequest, data: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """Replace amounts that arrived as JSON numbers by the exact Decimal of their text."""
    try:
        raw = json.loads(request.body, parse_float=Decimal)
    except ValueError:
        return data
    if isinstance(raw, dict):
        for name in names:
            if name in data and isinstance(raw.get(name), Decimal):
                data[name] = raw[name]
    return data
