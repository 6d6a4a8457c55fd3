"""The input of each project use case: create, update, a stage change (with its
evidence files beside it), a month's funds entry, a correction of an entry
(``zhaoyin.core.inputs``).

The API takes these models as its bodies, the detail page builds them from its forms
(``core.forms.bind_input``), the month funds import builds ``FundEntryInput`` /
``FundCorrectionInput`` from each cleaned row. A model decides what a value is (a stage code, a
date not in the future, an amount in 万元 with 2 places, a month, a source and kind by code or
Chinese name); the services decide the rest (who may change the project, what the
transition table allows, whether an entry for the month already exists).

A project's own fields (create, update; the project import builds them from each row) are
judged value by value here; the references are looked up by ``validation.clean_project``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo

from zhaoyin.core.errors import REFERENCE_RULE, RULE_KEY, InvalidInput
from zhaoyin.core.inputs import (
    BLANK,
    ISO_DATE,
    RULE_ATTR,
    SCHEMA_ATTR,
    Input,
    amount_schema,
    choice,
    described,
    document_fields,
    from_cleaner,
    line_schema,
    must,
    refuse,
    scoped_user,
    stripped_schema,
    text,
    whole_number,
)
from zhaoyin.core.validation import MAX_DECIMAL, MAX_LAND_MU, clean_date, clean_decimal
from zhaoyin.projects.choices import AttractionMethod, FundEvidenceKind, FundKind, FundSource, SourceRegion, Stage
from zhaoyin.projects.validation import PROJECT_FIELDS, _choice, _line, _paragraph, clean_project, parse_month

MAX_NOTE = 2000
MAX_FUND_NOTE = 200
#: The Chinese names a sheet may use: the labels (省内市外 / 省外 / 境外, issue 15) and the short
#: 市外 older sheets carry.
SOURCE_ALIASES = {
    "省内市外": FundSource.OUTSIDE_CITY,
    "市外": FundSource.OUTSIDE_CITY,
    "省外": FundSource.OUTSIDE_PROVINCE,
    "境外": FundSource.FOREIGN,
}
KIND_ALIASES = {"固定资产": FundKind.FIXED_ASSET, "固定资产投资": FundKind.FIXED_ASSET, "其他": FundKind.OTHER}


def clean_fund_source(value: object) -> str:
    """A fund source from its code or its Chinese name (省内市外 or 市外 / 省外 / 境外)."""
    code = str(value if value is not None else "").strip()
    if not code:
        # An empty drop-down is a missing answer, not an unknown one.
        raise ValueError(_("This field is required."))
    if code in FundSource.values:
        return code
    if code in SOURCE_ALIASES:
        return SOURCE_ALIASES[code].value
    raise ValueError(_("must be outside_city, outside_province or foreign (省内市外 / 省外 / 境外)"))


def clean_fund_kind(value: object) -> str:
    """A fund kind from its code or its Chinese name (固定资产 / 其他); blank is fixed assets."""
    code = str(value if value is not None else "").strip()
    if not code:
        return FundKind.FIXED_ASSET.value
    if code in FundKind.values:
        return code
    if code in KIND_ALIASES:
        return KIND_ALIASES[code].value
    raise ValueError(_("must be fixed_asset or other (固定资产 / 其他)"))


def _amount(value: object) -> Decimal | None:
    """An amount in 万元: not negative, at most 2 places (floats through their text)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return clean_decimal(value, maximum=MAX_DECIMAL)


def _stage_date(value: object) -> dt.date | None:
    """The date of a stage: a real date from 1990 on, not in the future."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    when = clean_date(value)
    if when > timezone.localdate():
        raise ValueError(_("must not be in the future"))
    if when < dt.date(1990, 1, 1):
        raise ValueError(_("is out of range"))
    return when


def _month(value: object) -> dt.date | None:
    """The first day of a month (``YYYY-MM``), not a future month."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    when = parse_month(value)
    if when > timezone.localdate().replace(day=1):
        raise refuse(_("must not be a future month"))
    return when


def _why(value: object) -> str:
    """The reason for a correction: one is needed."""
    why = text(MAX_FUND_NOTE)(value)
    if not why:
        raise refuse(_("Say why the figure is corrected."))
    return why


_AMOUNT = amount_schema(MAX_DECIMAL)
_DATE = {"type": "string", "format": "date", "pattern": ISO_DATE}
_NOT_FUTURE = "not in the future, not before 1990"
#: A stage's date follows the timeline: the service compares it with the current stage's date.
_STAGE_DATE_RULE = _NOT_FUTURE + "; on or after the date of the project's current stage"
Amount = Annotated[Decimal, BeforeValidator(must(described(from_cleaner(_amount), _AMOUNT)))]
Note = Annotated[str, BeforeValidator(text(MAX_NOTE)), Field(max_length=MAX_NOTE)]
FundNote = Annotated[str, BeforeValidator(text(MAX_FUND_NOTE)), Field(max_length=MAX_FUND_NOTE)]


class StageChangeInput(Input):
    """A stage change: the stage to move to, its date, a note, a reason (the transition
    table says when the reason is required: skip, go back, hold, terminate, reopen)."""

    stage: Annotated[Stage, BeforeValidator(must(choice(Stage, _("Unknown stage."))))] = Field(
        description="The stage to move to", json_schema_extra={RULE_KEY: "a move the transition table allows"}
    )
    date: Annotated[
        dt.date, BeforeValidator(must(described(from_cleaner(_stage_date), _DATE, rule=_STAGE_DATE_RULE)))
    ] = Field(description="The date of the stage, YYYY-MM-DD, not in the future, on or after the current stage's date")
    note: Note = ""
    reason: Note = Field(
        "",
        description="Needed to skip, go back, hold, terminate or reopen",
        json_schema_extra={RULE_KEY: "required by the transition table for this move"},
    )


class FundEntryInput(Input):
    """A month's funds in place for one project, source and kind."""

    month: Annotated[
        dt.date,
        BeforeValidator(
            must(
                described(
                    from_cleaner(_month),
                    {"type": "string", "pattern": r"^\s*(?:199\d|20\d\d|2100)-(?:0[1-9]|1[0-2])\s*$"},
                    rule="not a future month; the project must be signed (funds arrive after an agreement)",
                )
            )
        ),
    ] = Field(description="YYYY-MM, not a future month")
    amount_wan: Amount = Field(description="万元, ≥ 0, at most 2 decimals; a decimal string or number")
    source: Annotated[
        str,
        BeforeValidator(
            described(
                from_cleaner(clean_fund_source), {"type": "string", "enum": [*FundSource.values, *SOURCE_ALIASES]}
            )
        ),
    ] = Field(
        description="outside_city, outside_province or foreign (or 省内市外 / 省外 / 境外)"
    )
    kind: Annotated[
        str,
        BeforeValidator(
            described(
                from_cleaner(clean_fund_kind), {"type": "string", "enum": ["", *FundKind.values, *KIND_ALIASES]},
                nullable=True,
            )
        ),
    ] = Field(
        FundKind.FIXED_ASSET.value, description="fixed_asset (default) or other (or 固定资产 / 其他)"
    )
    note: FundNote = ""
    over_total_reason: FundNote = Field(
        "", description="Why the project's cumulative funds may exceed its total investment; without it such an "
                        "entry is refused (422 on over_total_reason), with it the entry is flagged for the verifier"
    )


class FundCorrectionInput(Input):
    """A correction of an active funds entry: the corrected amount and why."""

    amount_wan: Amount = Field(description="The corrected amount, 万元")
    note: Annotated[str, BeforeValidator(_why), Field(max_length=MAX_FUND_NOTE)] = Field(
        description="Why the figure is corrected"
    )
    over_total_reason: FundNote = Field(
        "", description="As for a new entry: needed when the corrected figure takes the project above its total"
    )


def _reason_required(value: object) -> str:
    why = text(MAX_FUND_NOTE)(value)
    if not why:
        raise refuse(_("Say why the entry is returned."))
    return why


class FundVerifyInput(Input):
    """核实 of a funds entry by the city: the kind of 到账凭证 (the files come with it) and a note."""

    evidence_kind: Annotated[
        FundEvidenceKind, BeforeValidator(must(choice(FundEvidenceKind, _("Unknown kind of proof."))))
    ] = Field(description="bank_slip (银行到账凭证) or capital_verification (验资报告)")
    note: FundNote = ""


class FundRejectInput(Input):
    """退回 of a funds entry by the city, with the reason the county reads."""

    # minLength and a non-blank pattern: the document says blank is refused (the fuzz holds it to that).
    reason: Annotated[
        str, BeforeValidator(_reason_required), Field(min_length=1, max_length=MAX_FUND_NOTE, pattern=r"\S")
    ] = Field(
        description="Why the entry is returned (the county reads it and enters the month again)"
    )


# --------------------------------------------------------------------------- a project's own fields
# The value of each field is judged here with the cleaners ``validation.clean_project`` uses;
# the industry (a public catalogue) is looked up here; the scoped references (registered
# investor, org unit, staff in charge) only by the services through ``clean_project`` with the
# acting user, so an out-of-scope value is answered exactly like an unknown one (AC-03).


def _optional(clean: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Blank is None; anything else through ``clean`` (its ``ValueError`` is our refusal)."""
    inner = from_cleaner(clean)

    def run(value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return inner(value)

    return _document(run, clean)


def _document(cleaner: Callable[[Any], Any], clean: Any) -> Callable[[Any], Any]:
    """``cleaner`` (blank: None) documented by ``clean``'s schema, blank text beside it."""
    schema = getattr(clean, SCHEMA_ATTR, None)
    rule = getattr(clean, RULE_ATTR, "")
    if schema is None:
        return described(cleaner, rule=rule) if rule else cleaner
    if schema.get("type") == "string" and "enum" not in schema and "format" not in schema:
        return described(cleaner, schema, nullable=True, rule=rule)
    return described(cleaner, {"anyOf": [schema, BLANK]}, nullable=True, rule=rule)


def _required(clean: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return must(_optional(clean))


def _line_of(limit: int) -> Callable[[Any], str]:
    return described(lambda v: _line(v, limit), line_schema(limit))


def _reference(value: Any) -> str:
    """A reference given as text (a code, a name, a username)."""
    if not isinstance(value, str):
        raise ValueError(_("Enter text."))
    return _line(value, 200)


described(_reference, line_schema(200))


def _investor(value: Any) -> str:
    """A registered investor: its enterprise id (a number) or its credit code."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ValueError(_("unknown enterprise (give its id or credit code)"))
    return _line(value, 30)


described(_investor, {"anyOf": [{"type": "integer"}, line_schema(30)]})


def _known(name: str, read: Callable[[Any], str]) -> Callable[[Any], str]:
    """A public reference that must exist (an industry): looked up as ``clean_project`` does,
    so a form learns every bad field at once."""

    def clean(value: Any) -> str:
        ref = read(value)
        clean_project({name: ref}, acting_user=None, partial=True)
        return ref

    return described(clean, getattr(read, SCHEMA_ATTR, None), rule=REFERENCE_RULE)


def _scoped(name: str, read: Callable[[Any], str], *, required: bool = False) -> Callable[[Any, ValidationInfo], Any]:
    """A reference within the acting user's scope (registered investor, org unit, staff in
    charge): looked up as ``clean_project`` looks it up for the user the input is parsed for,
    so a form and the API learn every bad field at once and an out-of-scope value is refused
    in exactly the words of an unknown one, alone or beside other errors (AC-03). Parsed for
    nobody, only its form is judged here; the service looks it up in any case."""
    shape = _required(read) if required else _optional(read)

    def clean(value: Any, info: ValidationInfo) -> Any:
        ref = shape(value)
        user = scoped_user(info)
        if ref is not None and user is not None:
            try:
                clean_project({name: ref}, acting_user=user, partial=True)
            except InvalidInput as exc:
                raise refuse(exc.errors[0]["message"]) from None
        return ref

    return described(clean, getattr(shape, SCHEMA_ATTR, None), nullable=not required, rule=REFERENCE_RULE)


def _first_contact(value: Any) -> dt.date:
    when = clean_date(value)
    if not dt.date(1990, 1, 1) <= when <= timezone.localdate():
        raise ValueError(_("must be a real past date"))
    return when


def _planned(value: Any) -> dt.date:
    when = clean_date(value)
    if not dt.date(1990, 1, 1) <= when <= dt.date(2100, 12, 31):
        raise ValueError(_("is out of range"))
    return when


def _region(value: Any) -> str:
    return _choice(value, list(SourceRegion.values), {str(k): str(v) for k, v in SourceRegion.choices})


def _method(value: Any) -> str:
    return _choice(value, list(AttractionMethod.values), {str(k): str(v) for k, v in AttractionMethod.choices})


# The document offers the codes (the labels are read too, for forms and imports).
described(_region, {"type": "string", "enum": list(SourceRegion.values)})
described(_method, {"type": "string", "enum": list(AttractionMethod.values)})
described(_first_contact, _DATE, rule="a real past date, not before 1990")
described(_planned, _DATE, rule="from 1990 to 2100")


def _decimal(maximum: Decimal) -> Callable[[Any], Decimal]:
    return described(lambda v: clean_decimal(v, maximum=maximum), amount_schema(maximum))


Line200 = Annotated[str | None, BeforeValidator(_optional(_line_of(200)))]
#: Free text as ``validation._paragraph`` takes it: stripped, at most 5 000 characters, line
#: breaks and tabs allowed, no other control character.
PARAGRAPH_5000 = stripped_schema(5000, r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f")
PlannedDay = Annotated[dt.date | None, BeforeValidator(_optional(_planned))]


class ProjectFields(Input):
    """A project's fields as sent: each optional here (a PATCH sends some); ``values`` are the
    ones sent, as ``clean_project`` takes them.

    A change judges only the form of the scoped references here: keeping the investor or the
    staff member already on the project is allowed even when a city admin chose one outside
    the editor's scope, which only the service (knowing the project) can tell."""

    name: Line200 = None
    investor: Annotated[str | None, BeforeValidator(described(_optional(_investor), rule=REFERENCE_RULE))] = Field(
        None, description="Registered investor: enterprise id or credit code"
    )
    investor_name: Line200 = None
    source_region: Annotated[str | None, BeforeValidator(_optional(_region))] = Field(
        None, description="in_province, out_of_province or overseas (or the label)"
    )
    industry: Annotated[str | None, BeforeValidator(_optional(_known("industry", _reference)))] = Field(
        None, description="Industry code (or name)"
    )
    org_unit: Annotated[str | None, BeforeValidator(described(_optional(_reference), rule=REFERENCE_RULE))] = Field(
        None, description="Org unit code"
    )
    total_investment_wan: Annotated[
        Decimal | None, BeforeValidator(_optional(_decimal(MAX_DECIMAL)))
    ] = Field(None, description="万元, a decimal string or number")
    construction_content: Annotated[str | None, BeforeValidator(
            _optional(described(lambda v: _paragraph(v, 5000), PARAGRAPH_5000))
        )] = None
    land_mu: Annotated[
        Decimal | None, BeforeValidator(_optional(_decimal(MAX_LAND_MU)))
    ] = Field(None, description="亩")
    attraction_method: Annotated[str | None, BeforeValidator(_optional(_method))] = None
    lead_official: Annotated[str | None, BeforeValidator(_optional(_line_of(60)))] = None
    staff: Annotated[str | None, BeforeValidator(described(_optional(_reference), rule=REFERENCE_RULE))] = Field(
        None, description="Username of the staff member in charge"
    )
    first_contact_on: Annotated[dt.date | None, BeforeValidator(_optional(_first_contact))] = Field(
        None, description="YYYY-MM-DD, not in the future"
    )
    planned_sign_on: PlannedDay = None
    planned_start_on: PlannedDay = None
    planned_production_on: PlannedDay = None

    def values(self) -> dict[str, Any]:
        """The project fields sent (None for one sent blank)."""
        return {name: getattr(self, name) for name in PROJECT_FIELDS if name in self.given()}


class ProjectInput(ProjectFields):
    """Register a project: the required fields are required."""

    name: Annotated[str, BeforeValidator(_required(_line_of(200)))]
    investor_name: Annotated[str, BeforeValidator(_required(_line_of(200)))]
    source_region: Annotated[str, BeforeValidator(_required(_region))] = Field(
        description="in_province, out_of_province or overseas (or the label)"
    )
    industry: Annotated[str, BeforeValidator(_required(_known("industry", _reference)))] = Field(
        description="Industry code (or name)"
    )
    org_unit: Annotated[str, BeforeValidator(_scoped("org_unit", _reference, required=True))] = Field(
        description="Org unit code"
    )
    investor: Annotated[str | None, BeforeValidator(_scoped("investor", _investor))] = Field(
        None, description="Registered investor: enterprise id or credit code"
    )
    staff: Annotated[str | None, BeforeValidator(_scoped("staff", _reference))] = Field(
        None, description="Username of the staff member in charge"
    )
    total_investment_wan: Annotated[
        Decimal, BeforeValidator(_required(_decimal(MAX_DECIMAL)))
    ] = Field(description="万元, a decimal string or number")


def _not_emptied(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """The document of a change: the fields a project requires may be left out, not emptied."""
    document_fields(schema, model)
    for name in ("name", "investor_name", "source_region", "industry", "org_unit", "total_investment_wan"):
        schema["properties"][name].setdefault(RULE_KEY, "required by a project: may be left out, not emptied")


class ProjectUpdateInput(ProjectFields):
    """Change a project: only the fields sent (a required one may not be emptied)."""

    model_config = ConfigDict(json_schema_extra=_not_emptied)

    version: Annotated[int | None, BeforeValidator(whole_number)] = Field(
        None, description="The version read; a different current version → 409"
    )
