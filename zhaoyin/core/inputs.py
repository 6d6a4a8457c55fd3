"""Typed input models: one pydantic model per use case, the same on every channel.

The API takes the model as its body, a page builds it from ``request.POST`` through
``core.forms.bind_input``, an importer from each cleaned row; the service takes the built
model (``data: XInput``) and keeps only the judgements it alone can make (who may act, the
state, the scope, the deadlines). So a value gets one verdict whatever the channel.

The field types here carry our own messages (gettext, msgids English): a refusal inside a
validator is a ``PydanticCustomError`` of type ``zhaoyin`` whose context holds the translated
message, and the few pydantic error types our models can still produce (missing, unknown
field, wrong JSON type …) are mapped to our messages in ``field_errors`` — pydantic's own
English never reaches a page or an API answer.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Self, TypeVar

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo
from pydantic_core import PydanticCustomError

from zhaoyin.core.errors import REFERENCE_RULE, RULE_KEY, WHOLE_INPUT, InvalidInput

#: Our error type inside pydantic; its context carries the translated message.
ERROR_TYPE = "zhaoyin"
#: Parts of an error's location that name the channel, not the field (ninja's wrappers).
CHANNEL_LOCATIONS = frozenset({"body", "query", "path", "payload", "data", "form"})
#: The validation context of a page's posted form (``core.forms.bind_input``): every value is
#: text there, so a field that takes a JSON number strictly may read a form's digits.
FORM_CONTEXT = {"channel": "form"}

E = TypeVar("E", bound=enum.Enum)


def refuse_all(errors: list[dict[str, str]]) -> PydanticCustomError:
    """Several refusals at once, each ``{"field", "message"}`` (a list whose items are judged
    one by one and named by their place, ``demands[1].kind``)."""
    first = errors[0] if errors else {"field": WHOLE_INPUT, "message": str(_("Invalid value."))}
    return PydanticCustomError(ERROR_TYPE, "{message}", {"message": first["message"], "errors": errors})


def from_form(info: ValidationInfo) -> bool:
    """Whether the value comes from a page's posted form (all text) rather than JSON."""
    return isinstance(info.context, Mapping) and info.context.get("channel") == FORM_CONTEXT["channel"]


def refuse(message: Any, field: str | None = None) -> PydanticCustomError:
    """Our refusal inside a validator. ``field`` names the field for a model-level check
    (whose location is otherwise the whole input)."""
    context: dict[str, Any] = {"message": str(message)}
    if field is not None:
        context["field"] = field
    return PydanticCustomError(ERROR_TYPE, "{message}", context)


def document_fields(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """The model's JSON schema as the cleaners read values (the API document's truth).

    pydantic describes a field by its annotation, which a ``BeforeValidator`` never reaches:
    a field cleaned by ``text`` would read as any string. Each cleaner here carries the schema
    of what it accepts (``described``); a field whose cleaner has one is documented by it
    (title, description, default and ``x-`` keys kept), null allowed where the cleaner reads
    it as "not given" and the model allows it."""
    properties = schema.get("properties", {})
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key not in properties:
            continue
        cleaners = [getattr(m, "func", None) for m in info.metadata]
        documented = [c for c in cleaners if getattr(c, SCHEMA_ATTR, None) is not None]
        rule = next((getattr(c, RULE_ATTR) for c in cleaners if getattr(c, RULE_ATTR, None)), None)
        prop = properties[key]
        if documented:
            cleaner = documented[-1]
            shape = dict(getattr(cleaner, SCHEMA_ATTR))
            kept = {k: v for k, v in prop.items() if k in _KEPT or k.startswith("x-")}
            nullable = getattr(cleaner, NULLABLE_ATTR, False) and not info.is_required()
            prop = {"anyOf": [shape, {"type": "null"}]} if nullable else shape
            prop.update(kept)
        if rule:
            prop[RULE_KEY] = rule
        properties[key] = prop


#: What ``document_fields`` keeps of pydantic's description of a field.
_KEPT = frozenset({"title", "description", "default", "examples"})


class Input(BaseModel):
    """The base of every input model: unknown fields refused, values immutable once built."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, regex_engine="python-re", json_schema_extra=document_fields
    )

    @classmethod
    def parse(cls, data: Mapping[str, Any], *, context: Mapping[str, Any] | None = None, user: Any = None) -> Self:
        """Build the model, or raise ``InvalidInput`` naming each bad value (one verdict each).

        ``context``: the channel's (``FORM_CONTEXT`` for a page's posted form). ``user`` is
        whom the input is parsed for: references within a scope (``scoped_user``) are looked
        up among what that user may use. The API passes its request instead."""
        full = dict(context or {})
        if user is not None:
            full["user"] = user
        try:
            return cls.model_validate(dict(data), context=full or None)
        except ValidationError as exc:
            raise invalid_input(exc) from None

    @classmethod
    def of(cls, **values: Any) -> Self:
        """``parse`` with keyword arguments (services' callers in code and tests)."""
        return cls.parse(values)

    def given(self) -> set[str]:
        """The fields the caller sent (PATCH semantics: the others stay as they are)."""
        return set(self.model_fields_set)


def scoped_user(info: ValidationInfo) -> Any:
    """The user an input is being parsed for: ``Input.parse(..., user=)`` on a page or in an
    importer, the authenticated caller in the API (ninja validates a body with the request
    in its context, after the authentication); None when parsed for nobody (code, tests),
    where a scoped reference is left to the service's own look-up."""
    context = info.context or {}
    if context.get("user") is not None:
        return context["user"]
    request = context.get("request")
    user = getattr(request, "auth", None) if request is not None else None
    return user if getattr(user, "is_authenticated", False) else None


# --------------------------------------------------------------------------- errors


def _message(error: Mapping[str, Any]) -> str:
    """Our message for one pydantic error (never pydantic's own English)."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == ERROR_TYPE:
        return str(ctx.get("message", ""))
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind == "string_type":
        return _("Enter text.")
    if kind in {"int_type", "int_parsing", "int_from_float", "int_parsing_size"}:
        return _("Enter a whole number.")
    if kind in {"bool_type", "bool_parsing"}:
        return _("Choose yes or no.")
    if kind in {"list_type", "tuple_type", "set_type"}:
        return _("Give a list.")
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("Enter a date as YYYY-MM-DD.")
    if kind.startswith("decimal") or kind in {"float_type", "float_parsing"}:
        return _("Enter a number.")
    if kind == "string_too_long":
        return _("At most %(max)s characters.") % {"max": ctx.get("max_length", "")}
    if kind == "too_long":
        return _("At most %(max)s items.") % {"max": ctx.get("max_length", "")}
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Must be at least %(n)s.") % {"n": ctx.get("ge", ctx.get("gt", ""))}
    if kind in {"less_than_equal", "less_than"}:
        return _("Must be at most %(n)s.") % {"n": ctx.get("le", ctx.get("lt", ""))}
    if kind in {"enum", "literal_error"}:
        return _("Choose one of the allowed values.")
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return _("Give an object with named fields.")
    if kind == "json_invalid":
        return _("The body is not valid JSON.")
    return _("Invalid value.")


def _field(error: Mapping[str, Any]) -> str:
    ctx = error.get("ctx") or {}
    if error.get("type") == ERROR_TYPE and ctx.get("field"):
        return str(ctx["field"])
    parts = [str(p) for p in error.get("loc", ()) if p not in CHANNEL_LOCATIONS]
    return ".".join(parts) or WHOLE_INPUT


def field_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """pydantic's error list as our ``{"field", "message"}`` entries: the field as a dotted
    path (``co_units.1``), one verdict per value (a union's second opinion is dropped)."""
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for error in errors:
        ctx = error.get("ctx") or {}
        if error.get("type") == ERROR_TYPE and ctx.get("errors"):
            for entry in ctx["errors"]:
                if entry["field"] not in seen:
                    seen.add(entry["field"])
                    out.append({"field": str(entry["field"]), "message": str(entry["message"])})
            continue
        field = _field(error)
        if field in seen:
            continue
        seen.add(field)
        out.append({"field": field, "message": _message(error)})
    return out


def invalid_input(exc: ValidationError) -> InvalidInput:
    """A pydantic ``ValidationError`` as our ``InvalidInput``."""
    errors = field_errors(exc.errors(include_url=False))
    first = errors[0] if errors else {"field": WHOLE_INPUT, "message": _("Invalid input.")}
    return InvalidInput(first["field"] + ": " + first["message"], errors)


# --------------------------------------------------------------------------- field cleaners
# Each returns a function for ``pydantic.BeforeValidator``: it sees the raw value (JSON, a
# form's text, an import cell) and returns the clean one or raises ``refuse``. Each carries
# the JSON schema of the values it accepts (``described``): the API document shows that.

#: Where a cleaner keeps the schema of what it accepts, whether it reads null as "not given",
#: and what it judges beyond any schema (``RULE_KEY``).
SCHEMA_ATTR = "zhaoyin_schema"
NULLABLE_ATTR = "zhaoyin_nullable"
RULE_ATTR = "zhaoyin_rule"
#: Text with no NUL, and text with something besides whitespace and NUL (required text).
NO_NUL = r"^[^\x00]*$"
NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"

C = TypeVar("C", bound=Callable[..., Any])


def line_schema(limit: int, *, required: bool = False) -> dict[str, Any]:
    """One line of text as the cleaners take it: stripped, at most ``limit`` characters, no
    control character inside; ``required``: not blank."""
    inner = r"[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*" if required else r"[^\x00-\x1f\x7f]*"
    return {"type": "string", "maxLength": limit, "pattern": rf"^\s*{inner}\s*$"} | (
        {"minLength": 1} if required else {}
    )


def stripped_schema(limit: int, refused: str, *, required: bool = False, unit: str = "") -> dict[str, Any]:
    """Text as a cleaner that strips it first takes it: at most ``limit`` characters once
    stripped (the whitespace around may be any long, so no ``maxLength``), none of the
    character class ``refused`` (its inside, e.g. ``\\x00-\\x1f``) within; ``required``: not
    blank. ``unit``: a sequence counted as one character (``\\r\\n``, which the cleaner
    folds into one line break). ``limit`` is at least 2."""
    one = rf"(?:{unit}|[^{refused}])" if unit else rf"[^{refused}]"
    edge = rf"[^\s{refused}]"
    body = rf"{edge}(?:{one}{{0,{limit - 2}}}{edge})?"
    return {"type": "string", "pattern": rf"^\s*{body}\s*$" if required else rf"^\s*(?:{body})?\s*$"}


def amount_schema(maximum: Any, places: int = 2) -> dict[str, Any]:
    """A non-negative amount with at most ``places`` decimals: a JSON number, or its digits as
    text (what ``core.validation.clean_decimal`` reads)."""
    digits = len(str(int(maximum)))
    return {
        "anyOf": [
            {"type": "integer", "minimum": 0, "maximum": int(maximum)},
            {"type": "string", "pattern": rf"^\d{{1,{digits - 1}}}(?:\.\d{{1,{places}}})?$"},
        ]
    }


def described(cleaner: C, schema: Mapping[str, Any] | None = None, *, nullable: bool = False, rule: str = "") -> C:
    """``cleaner`` with the schema of the values it accepts (the non-null ones; ``nullable``:
    it also reads null, as "not given") and what it judges beyond (``rule``): ``Input``'s JSON
    schema, hence the API document, describes the field by these."""
    if schema is not None:
        setattr(cleaner, SCHEMA_ATTR, dict(schema))
        setattr(cleaner, NULLABLE_ATTR, nullable)
    if rule:
        setattr(cleaner, RULE_ATTR, rule)
    return cleaner


def judged(rule: str = REFERENCE_RULE) -> Any:
    """Field metadata (``Annotated[..., judged("…")]``): the server judges the value beyond
    its schema, e.g. a code must name a record within the caller's scope (the default)."""
    return Field(json_schema_extra={RULE_KEY: rule})


def _inherit(cleaner: C, inner: Callable[..., Any], **changes: Any) -> C:
    """``cleaner`` documented as ``inner`` is (a wrapper), with ``changes``."""
    schema = getattr(inner, SCHEMA_ATTR, None)
    if schema is not None:
        setattr(cleaner, SCHEMA_ATTR, schema)
        setattr(cleaner, NULLABLE_ATTR, changes.get("nullable", getattr(inner, NULLABLE_ATTR, False)))
    if getattr(inner, RULE_ATTR, None):
        setattr(cleaner, RULE_ATTR, getattr(inner, RULE_ATTR))
    return cleaner


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(limit: int, *, required: bool = False) -> Callable[[Any], str]:
    """Text, stripped, at most ``limit`` characters, no NUL; blank refused when ``required``
    (an optional text left out is '')."""

    def clean(value: Any) -> str:
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise refuse(_("Enter text."))
        stripped = value.strip()
        if required and not stripped:
            raise refuse(_("This field is required."))
        if len(stripped) > limit:
            raise refuse(_("At most %(max)s characters.") % {"max": limit})
        if "\x00" in stripped:
            raise refuse(_("contains control characters"))
        return stripped

    schema = {"type": "string", "maxLength": limit, "pattern": NOT_BLANK if required else NO_NUL}
    if required:
        schema["minLength"] = 1
    return described(clean, schema, nullable=not required)


def optional_text(limit: int) -> Callable[[Any], str | None]:
    """Text as ``text`` does, but blank is None (an optional reference such as a unit code)."""
    inner = text(limit)

    def clean(value: Any) -> str | None:
        return inner(value) or None

    return _inherit(clean, inner)


def day(value: Any) -> dt.date | None:
    """A date as ``YYYY-MM-DD`` (or a date); blank is None."""
    if _blank(value):
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise refuse(_("Enter a date as YYYY-MM-DD."))


#: Blank text: "not given" for the cleaners that read it so.
BLANK = {"type": "string", "pattern": r"^\s*$"}
DATE = {"type": "string", "format": "date", "pattern": ISO_DATE}

described(day, {"anyOf": [DATE, BLANK]}, nullable=True)


def whole_number(value: Any) -> int | None:
    """A whole number given as a number or as ASCII digits (a form's text); blank is None.
    A boolean or a fraction is refused (JSON ``true`` is not 1); a JSON number written with a
    zero fraction (``2.0``) is the integer JSON Schema's ``integer`` (the API document's type)
    includes."""
    if _blank(value):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e9:
        return int(value)
    if isinstance(value, str):
        stripped = value.strip()
        sign = stripped[:1] == "-"
        digits = stripped[1:] if sign else stripped
        if digits.isascii() and digits.isdigit() and len(digits) <= 9:
            return -int(digits) if sign else int(digits)
    raise refuse(_("Enter a whole number."))


described(whole_number, {"type": "integer", "minimum": -999_999_999, "maximum": 999_999_999}, nullable=True)


def choice(enum_type: type[E], message: Any = None) -> Callable[[Any], E | None]:
    """One of ``enum_type``'s values (its code); blank is None, so a required choice left
    blank reads "This field is required." through the model's own check."""

    def clean(value: Any) -> E | None:
        if _blank(value):
            return None
        if isinstance(value, enum_type):
            return value
        codes = [str(m.value) for m in enum_type]
        text_value = str(value).strip() if isinstance(value, str) else None
        if text_value in codes:
            return enum_type(text_value)
        raise refuse(message or _("Choose one of: %(choices)s.") % {"choices": ", ".join(codes)})

    return described(clean, {"type": "string", "enum": [str(m.value) for m in enum_type]}, nullable=True)


def must(cleaner: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``cleaner`` for a required field: what it reads as blank (None) is refused as missing."""

    def clean(value: Any) -> Any:
        cleaned = cleaner(value)
        if cleaned is None:
            raise refuse(_("This field is required."))
        return cleaned

    _inherit(clean, cleaner, nullable=False)
    schema = getattr(clean, SCHEMA_ATTR, None)
    if schema is not None:
        setattr(clean, SCHEMA_ATTR, _not_blank(schema))
    return clean


def _not_blank(schema: Mapping[str, Any]) -> dict[str, Any]:
    """``schema`` without its blank values (a required field reads blank as missing)."""
    if "anyOf" in schema:
        branches = [_not_blank(b) for b in schema["anyOf"] if b != BLANK]
        return branches[0] if len(branches) == 1 else {"anyOf": branches}
    if schema.get("type") != "string" or "enum" in schema or "format" in schema:
        return dict(schema)
    pattern = schema.get("pattern", NO_NUL)
    if pattern == NO_NUL:
        pattern = NOT_BLANK
    elif pattern == line_schema(1)["pattern"]:
        pattern = line_schema(1, required=True)["pattern"]
    return {**schema, "minLength": 1, "pattern": pattern}


def yes_no(value: Any) -> bool | None:
    """A yes/no answer: a JSON boolean, or a form's ``yes`` / ``no`` (``true`` / ``false``)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"yes", "true", "1"}:
        return True
    if isinstance(value, str) and value.strip().lower() in {"no", "false", "0"}:
        return False
    if _blank(value):
        return None
    raise refuse(_("Choose yes or no."))


described(yes_no, {"type": "boolean"}, nullable=True)


def from_cleaner(cleaner: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A shared cleaner (one that raises ``InvalidInput`` or ``ValueError`` with our message) as
    a field cleaner, so the model gives the verdict the forms and importers always gave."""

    def clean(value: Any) -> Any:
        try:
            return cleaner(value)
        except PydanticCustomError:
            raise
        except InvalidInput as exc:
            raise refuse(exc.errors[0]["message"] if exc.errors else exc.detail) from None
        except ValueError as exc:
            raise refuse(str(exc)) from None

    return _inherit(clean, cleaner)
