"""The input of the policy library's use cases: registering a policy and changing one
(``zhaoyin.core.inputs``).

The API takes these models as its bodies (``PolicyBody`` / ``PolicyPatchBody`` let the
amount come as a JSON number and the patch carry the version), the pages build them from
the posted form (``core.forms.bind_input``), the Excel import builds one per row, the demo
one per policy. A model decides what each value is, with the messages the shared cleaners
of ``policies.validation`` always gave (a line of text within its length, a date in range, a
level / category / delivery by code or label, an amount, the eligibility tree as JSON); the
services decide the rest: the keeping unit (by its code, within the user's units), the tree
against the dictionaries (each bad node named: ``eligibility.all[1].op``), the validity of a
change against the stored dates, the status.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Self

from django.utils.translation import gettext as _
from pydantic import BeforeValidator, Field, StrictInt, model_validator
from pydantic.config import JsonDict

from zhaoyin.core.errors import REFERENCE_RULE
from zhaoyin.core.fields import Amount as WireAmount
from zhaoyin.core.inputs import BLANK, ISO_DATE, Input, amount_schema, described, refuse, stripped_schema
from zhaoyin.policies.models import Beneficiary, BenefitType, Delivery, PolicyCategory, PolicyLevel
from zhaoyin.policies.validation import CLEANERS, MAX_AMOUNT_WAN, MAX_TREE_CHARS

#: Fields whose value is text (a code, a line, free text): anything else is refused.
_TEXT_KINDS = (str,)
#: Fields that may also come as a date (a form's or a cell's) or a number (an amount).
_DATE_KINDS = (str, dt.date)
_AMOUNT_KINDS = (str, int, Decimal)


#: What ``validation.clean_line`` refuses within a line, and ``clean_text`` within free text
#: (which may span lines; its ``\r\n`` becomes one line break).
_LINE_REFUSES = r"\x00-\x1f\x7f"
_TEXT_REFUSES = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"


def _line(limit: int, *, required: bool = False) -> dict[str, object]:
    return stripped_schema(limit, _LINE_REFUSES, required=required)


def _paragraph(limit: int, *, required: bool = False) -> dict[str, object]:
    return stripped_schema(limit, _TEXT_REFUSES, required=required, unit=r"\r\n")


_DATE: dict[str, object] = {"type": "string", "format": "date", "pattern": ISO_DATE}
_VALIDITY = "from 1990 to 2100"
#: What each field's cleaner accepts (the API document's truth, ``core.inputs.described``):
#: (schema when required, schema when optional). Codes only are offered for the choices (the
#: labels are read too, for the forms and the import).
_SCHEMAS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    **{
        name: (_line(limit, required=True), _line(limit))
        for name, limit in (
            ("title", 200),
            ("issuer", 100),
            ("doc_no", 100),
            ("apply_deadline", 100),
            ("contact_office", 100),
            ("contact_phone", 40),
            ("contact_address", 200),
        )
    },
    **{
        name: (_paragraph(limit, required=True), _paragraph(limit))
        for name, limit in (("summary", 2000), ("benefits", 5000), ("application_guide", 10000))
    },
    **{
        name: (schema, {"anyOf": [schema, BLANK]})
        for name, schema in (
            ("level", {"type": "string", "enum": list(PolicyLevel.values)}),
            ("category", {"type": "string", "enum": list(PolicyCategory.values)}),
            ("delivery", {"type": "string", "enum": list(Delivery.values)}),
            ("beneficiary", {"type": "string", "enum": list(Beneficiary.values)}),
            ("benefit_type", {"type": "string", "enum": list(BenefitType.values)}),
            ("valid_from", _DATE),
            ("valid_to", _DATE),
            ("max_amount_wan", amount_schema(MAX_AMOUNT_WAN)),
        )
    },
}
#: What the cleaners judge beyond any schema (``core.errors.RULE_KEY``).
_RULES = {"valid_from": _VALIDITY, "valid_to": f"{_VALIDITY}; not before valid_from (the stored one in a change)"}


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _value(
    name: str, *, kinds: tuple[type, ...] = _TEXT_KINDS, required: bool = False, blank: object = None
) -> Callable[[object], object]:
    """The cleaner of one field: ``policies.validation.CLEANERS[name]`` with its messages, a
    blank required value refused as missing, a blank optional one taking ``blank``."""
    cleaner = CLEANERS[name]

    def clean(value: object) -> object:
        if _blank(value):
            if required:
                raise refuse(_("This field is required."))
            if blank is not None:
                return blank
            return None if name in {"valid_to", "max_amount_wan"} else cleaner("")
        if isinstance(value, bool) or not isinstance(value, kinds):
            raise refuse(_("must be text"))
        try:
            return cleaner(value)
        except ValueError as exc:
            raise refuse(str(exc)) from None

    strict, lenient = _SCHEMAS[name]
    return described(
        clean, strict if required else lenient, nullable=not required, rule=_RULES.get(name, "")
    )


def _org_unit(value: object) -> str | None:
    """The keeping unit's code (the service finds the unit; blank: the default unit)."""
    if _blank(value):
        return None
    if not isinstance(value, str):
        raise refuse(_("must be text"))
    if "\x00" in value:
        raise refuse(_("contains control characters"))
    return value.strip()


described(_org_unit, {"type": "string", "pattern": r"^[^\x00]*$"}, nullable=True, rule=REFERENCE_RULE)


def _tree(value: object) -> dict[str, object]:
    """The eligibility tree as JSON: a mapping (API) or JSON text (the form's textarea, an
    Excel cell); blank is none (``{}``). Its nodes are checked by the service."""
    if value is None or value == {} or (isinstance(value, str) and value.strip() in ("", "{}")):
        return {}
    if isinstance(value, str):
        if len(value) > MAX_TREE_CHARS:
            raise refuse(_("is longer than %(n)d characters") % {"n": MAX_TREE_CHARS})
        try:
            value = json.loads(value)
        except ValueError:
            raise refuse(_("is not valid JSON")) from None
    if not isinstance(value, dict):
        raise refuse(_("is not a valid eligibility tree"))
    return {str(key): item for key, item in value.items()}


described(
    _tree,
    {"anyOf": [{"type": "object"}, {"type": "string", "maxLength": MAX_TREE_CHARS}]},
    nullable=True,
    rule="an eligibility tree (an object, or its JSON text) whose nodes the server judges against the "
    "dictionaries (industries, units, qualifications) and the beneficiary's fields (an enterprise tree, or a "
    "talent tree of field leaves for a talent policy); each bad node is named (eligibility.all[1].op)",
)


def _field(
    name: str, *, kinds: tuple[type, ...] = _TEXT_KINDS, required: bool = False, blank: object = None
) -> BeforeValidator:
    return BeforeValidator(_value(name, kinds=kinds, required=required, blank=blank))


Title = Annotated[str, _field("title", required=True)]
Issuer = Annotated[str, _field("issuer", required=True)]
Level = Annotated[str, _field("level", required=True)]
Category = Annotated[str, _field("category", required=True)]
DeliveryCode = Annotated[str, _field("delivery", blank=Delivery.APPLICATION.value)]
BeneficiaryCode = Annotated[str, _field("beneficiary", blank=Beneficiary.ENTERPRISE.value)]
BenefitTypeCode = Annotated[str, _field("benefit_type", blank=BenefitType.CASH.value)]
ValidFrom = Annotated[dt.date, _field("valid_from", kinds=_DATE_KINDS, required=True)]
ValidTo = Annotated[dt.date | None, _field("valid_to", kinds=_DATE_KINDS)]
Benefits = Annotated[str, _field("benefits", required=True)]
MaxAmount = Annotated[Decimal | None, _field("max_amount_wan", kinds=_AMOUNT_KINDS)]
UnitCode = Annotated[str | None, BeforeValidator(_org_unit)]
Tree = Annotated[dict[str, object], BeforeValidator(_tree)]
DocNo = Annotated[str, _field("doc_no")]
Summary = Annotated[str, _field("summary")]
Guide = Annotated[str, _field("application_guide")]
Deadline = Annotated[str, _field("apply_deadline")]
Office = Annotated[str, _field("contact_office")]
Phone = Annotated[str, _field("contact_phone")]
Address = Annotated[str, _field("contact_address")]


def _patch(name: str, kinds: tuple[type, ...] = _TEXT_KINDS, *, required: bool = False) -> BeforeValidator:
    """A change's field: not sent is None (unchanged, see ``given()``); sent, it is judged as
    on registration (a required one may not be emptied)."""
    return _field(name, kinds=kinds, required=required)


def _after_start(valid_from: dt.date | None, valid_to: dt.date | None) -> None:
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise refuse(
            _("must not be before the start of validity (%(day)s)") % {"day": valid_from.isoformat()}, "valid_to"
        )


class PolicyInput(Input):
    """登记政策: register a policy (a draft). ``org_unit`` defaults to the user's unit, or the
    city; the tree may be left out (``{}``) while drafting."""

    title: Title
    issuer: Issuer
    level: Level = Field(description="national, provincial, city or county")
    doc_no: DocNo = ""
    category: Category = Field(description="funds, tax, talent, land, finance or other")
    org_unit: UnitCode = Field(None, description="Keeping unit's code (default: yours, or the city)")
    valid_from: ValidFrom = Field(description="YYYY-MM-DD")
    valid_to: ValidTo = Field(None, description="YYYY-MM-DD, not before valid_from")
    delivery: DeliveryCode = Field(
        Delivery.APPLICATION.value, description="no_application, quick_application or application"
    )
    beneficiary: BeneficiaryCode = Field(
        Beneficiary.ENTERPRISE.value,
        description="enterprise or talent: whom the policy serves (a talent policy's tree is a talent tree)",
    )
    benefit_type: BenefitTypeCode = Field(
        BenefitType.CASH.value,
        description="cash, tax_reduction (减免) or super_deduction (加计扣除): a tax incentive is recorded in the "
        "ledger as enjoyed (享受), never as cash",
    )
    summary: Summary = ""
    benefits: Benefits
    max_amount_wan: MaxAmount = Field(None, description="万元, a decimal string")
    application_guide: Guide = ""
    apply_deadline: Deadline = ""
    contact_office: Office = ""
    contact_phone: Phone = ""
    contact_address: Address = ""
    eligibility: Tree = Field(default_factory=dict, description="The eligibility tree (DESIGN 5.1)")

    @model_validator(mode="after")
    def _validity(self) -> Self:
        _after_start(self.valid_from, self.valid_to)
        return self


class PolicyUpdateInput(Input):
    """Change a policy: only the fields sent change (``given()``); a required one may be left
    out but not emptied. The validity is checked against the stored dates by the service."""

    title: Annotated[str | None, _patch("title", required=True)] = None
    issuer: Annotated[str | None, _patch("issuer", required=True)] = None
    level: Annotated[str | None, _patch("level", required=True)] = None
    doc_no: Annotated[str | None, _patch("doc_no")] = None
    category: Annotated[str | None, _patch("category", required=True)] = None
    org_unit: UnitCode = Field(None, description="Keeping unit's code")
    valid_from: Annotated[dt.date | None, _patch("valid_from", _DATE_KINDS, required=True)] = None
    valid_to: ValidTo = None
    delivery: Annotated[str | None, _field("delivery", blank=Delivery.APPLICATION.value)] = None
    beneficiary: Annotated[str | None, _field("beneficiary", blank=Beneficiary.ENTERPRISE.value)] = Field(
        None, description="enterprise or talent; a change re-checks the tree against the new subject"
    )
    benefit_type: Annotated[str | None, _field("benefit_type", blank=BenefitType.CASH.value)] = Field(
        None, description="cash, tax_reduction or super_deduction"
    )
    summary: Annotated[str | None, _patch("summary")] = None
    benefits: Annotated[str | None, _patch("benefits", required=True)] = None
    max_amount_wan: MaxAmount = None
    application_guide: Annotated[str | None, _patch("application_guide")] = None
    apply_deadline: Annotated[str | None, _patch("apply_deadline")] = None
    contact_office: Annotated[str | None, _patch("contact_office")] = None
    contact_phone: Annotated[str | None, _patch("contact_phone")] = None
    contact_address: Annotated[str | None, _patch("contact_address")] = None
    eligibility: Annotated[dict[str, object] | None, BeforeValidator(_tree)] = None

    @model_validator(mode="after")
    def _validity(self) -> Self:
        _after_start(self.valid_from, self.valid_to)
        return self


#: The amount as the API reads it (``WireAmount`` takes the value, ``PolicyInput`` judges it).
_BLANK: JsonDict = dict(BLANK)
_WIRE_AMOUNT: JsonDict = {"anyOf": [amount_schema(MAX_AMOUNT_WAN), _BLANK, {"type": "null"}]}


class PolicyBody(PolicyInput):
    """The API's body of a registration; the amount may come as a JSON number, taken from the
    body's own text (``core.fields.exact_amounts``) before ``PolicyInput`` is built."""

    max_amount_wan: WireAmount = Field(
        None, description="万元, a decimal string or number", json_schema_extra=_WIRE_AMOUNT
    )


class PolicyPatchBody(PolicyUpdateInput):
    """The API's body of a change: the fields to change and the version read."""

    max_amount_wan: WireAmount = Field(
        None, description="万元, a decimal string or number", json_schema_extra=_WIRE_AMOUNT
    )
    version: StrictInt | None = Field(None, description="The version read; a different current version → 409")
