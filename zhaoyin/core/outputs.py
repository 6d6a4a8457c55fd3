"""Response schemas that read the model: the public value formats, declared once.

Each resource has one output schema (``OutSchema``) whose fields read the model instance (or a
selector's row) directly: a field of the same name, a ``validation_alias`` for a differently
named or dotted attribute (``validation_alias="org_unit.code"``), or a ``resolve_<field>``
static method when the value is computed. The types below turn the model's Python value into
the format DESIGN 5.1 promises and state it in the OpenAPI document:

- ``DecimalText``: a ``Decimal`` as its exact decimal string (``"1250.00"``), never a float;
- ``IsoDate`` / ``IsoDateTime``: ``date.isoformat()`` / ``datetime.isoformat()`` (with offset);
- ``MonthText``: the first day of a month as ``YYYY-MM``;
- ``Username``: a user (or nobody) as the username (or ``null``).

Every field of an output schema is listed as required in the document: the API always sends
it, ``null`` where the type allows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, WithJsonSchema


class OutSchema(Schema):
    """A response schema: reads attributes, and every field is always present in the answer."""

    model_config = ConfigDict(from_attributes=True, json_schema_serialization_defaults_required=True)


def _decimal_text(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal | int) and not isinstance(value, bool) else value


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _month(value: Any) -> Any:
    return f"{value:%Y-%m}" if isinstance(value, dt.date) else value


def _username(value: Any) -> Any:
    return getattr(value, "username", value) if value is not None else None


DecimalText = Annotated[
    str,
    BeforeValidator(_decimal_text),
    WithJsonSchema({"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$", "examples": ["1250.00"]}),
]
IsoDate = Annotated[
    str,
    BeforeValidator(_iso),
    WithJsonSchema({"type": "string", "format": "date", "examples": ["2026-03-01"]}),
]
IsoDateTime = Annotated[
    str,
    BeforeValidator(_iso),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2026-03-01T08:30:00.123456+00:00"]}),
]
MonthText = Annotated[
    str,
    BeforeValidator(_month),
    WithJsonSchema({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "examples": ["2026-03"]}),
]
Username = Annotated[str | None, BeforeValidator(_username)]
