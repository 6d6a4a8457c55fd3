"""The input of each catalog use case: add an item, change an item, start an edition, choose
an edition's items (``zhaoyin.core.inputs``).

The API takes these models as its bodies, the pages build them from the posted form
(``core.forms.bind_input``), the demo loader with ``of``. A model decides what a value is
(text within its length, an amount in 万元 with 2 places, a code of the choices, a year, a
list of distinct ids); the services decide the rest: who curates, whether the industry and the
park exist (``validation.industry_by_ref`` / ``park_by_ref``), whether the items exist, the
edition's state.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext_lazy as _
from pydantic import BeforeValidator, Field, ValidationInfo

from zhaoyin.catalog.models import CooperationMode, ItemStatus
from zhaoyin.catalog.validation import TEXT_LIMITS
from zhaoyin.core.errors import REFERENCE_RULE
from zhaoyin.core.inputs import (
    BLANK,
    Input,
    amount_schema,
    choice,
    described,
    from_cleaner,
    from_form,
    must,
    refuse,
    text,
    whole_number,
)
from zhaoyin.core.validation import MAX_DECIMAL, clean_decimal

#: Longest reference (an industry's code or name, an org unit's code, an id) accepted.
MAX_REF = 100
MAX_EDITION_TITLE = 100
MAX_EDITION_ITEMS = 500
MAX_VERSION = 2**31 - 1


def _amount(value: Any) -> Decimal | None:
    """An amount with at most 2 places, not negative; blank is None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return Decimal(from_cleaner(lambda v: clean_decimal(v, places=2))(value))


def _ref(value: Any) -> str | None:
    """A reference by code, name or id (a form's choice posts the id); blank is None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return text(MAX_REF)(value) or None


def _year(value: Any) -> int:
    """An edition's year, 2000–2100."""
    year = whole_number(value)
    if year is None:
        raise refuse(_("This field is required."))
    if not 2000 <= year <= 2100:
        raise refuse(_("must be between 2000 and 2100"))
    return year


def _version(value: Any, info: ValidationInfo) -> int | None:
    """The version the change was read at: a JSON number (a form's hidden digits on the page)."""
    if value is None or (isinstance(value, str) and not value.strip() and from_form(info)):
        return None
    number = value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(value, str) and from_form(info):
        number = whole_number(value)
    if number is None or not 1 <= number <= MAX_VERSION:
        raise refuse(_("Enter a whole number."))
    return number


def _item_ids(value: Any) -> list[int]:
    """Distinct item ids in the given order (the brochure's order)."""
    if not isinstance(value, list | tuple):
        raise refuse(_("must be a list of item ids"))
    ids: list[int] = []
    for item in value:
        # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
        text = str(item).strip()
        if isinstance(item, bool) or not isinstance(item, int | str) or not (text.isascii() and text.isdigit()):
            raise refuse(_("must be a list of item ids"))
        number = int(text)
        if number in ids:
            raise refuse(_("An item is listed twice."))
        ids.append(number)
    return ids


# The forms each cleaner reads, for the API document (``core.inputs.described``).
described(_amount, {"anyOf": [amount_schema(MAX_DECIMAL), BLANK]}, nullable=True)
described(
    _ref,
    {"anyOf": [{"type": "integer"}, {"type": "string", "maxLength": MAX_REF, "pattern": r"^[^\x00]*$"}]},
    nullable=True,
    rule=REFERENCE_RULE,
)
described(_version, {"type": "integer", "minimum": 1, "maximum": MAX_VERSION}, nullable=True)


def _limit(name: str) -> int:
    return TEXT_LIMITS[name]


Name = Annotated[str, BeforeValidator(text(_limit("name"), required=True)), Field(max_length=_limit("name"))]
ContentText = Annotated[str, BeforeValidator(text(_limit("construction_content"))), Field(max_length=5000)]
MarketText = Annotated[str, BeforeValidator(text(_limit("market_analysis"))), Field(max_length=5000)]
BenefitText = Annotated[str, BeforeValidator(text(_limit("benefit_analysis"))), Field(max_length=5000)]
ContactUnit = Annotated[str, BeforeValidator(text(_limit("contact_unit"))), Field(max_length=100)]
ContactPerson = Annotated[str, BeforeValidator(text(_limit("contact_person"))), Field(max_length=60)]
ContactPhone = Annotated[str, BeforeValidator(text(_limit("contact_phone"))), Field(max_length=30)]
Ref = Annotated[str, BeforeValidator(must(_ref)), Field(max_length=MAX_REF)]
Amount = Annotated[Decimal, BeforeValidator(must(_amount))]
OptionalAmount = Annotated[Decimal | None, BeforeValidator(_amount)]
Mode = Annotated[CooperationMode | None, BeforeValidator(choice(CooperationMode))]
ItemState = Annotated[ItemStatus | None, BeforeValidator(choice(ItemStatus))]


class CatalogItemInput(Input):
    """Add a reserved project to the catalog: name, industry, park and estimate required."""

    name: Name
    industry: Ref = Field(description="Industry code (or name)")
    park: Ref = Field(description="Org unit code of a park or a county")
    investment_estimate_wan: Amount = Field(description="万元, a decimal string or number")
    land_mu: OptionalAmount = Field(None, description="亩, a decimal string or number")
    construction_content: ContentText = ""
    market_analysis: MarketText = ""
    benefit_analysis: BenefitText = ""
    cooperation_mode: Mode = Field(None, description="sole, joint, ppp, fund or open (default: open)")
    contact_unit: ContactUnit = ""
    contact_person: ContactPerson = ""
    contact_phone: ContactPhone = ""
    status: ItemState = Field(None, description="active or archived (default: active)")


class CatalogItemUpdateInput(Input):
    """Change an item: only the fields sent change (``given()``); a required one cannot be
    emptied."""

    name: Annotated[str | None, BeforeValidator(text(TEXT_LIMITS["name"], required=True))] = None
    industry: Annotated[str | None, BeforeValidator(must(_ref))] = Field(None, description="Industry code")
    park: Annotated[str | None, BeforeValidator(must(_ref))] = Field(None, description="Org unit code")
    investment_estimate_wan: Annotated[Decimal | None, BeforeValidator(must(_amount))] = None
    land_mu: OptionalAmount = None
    construction_content: ContentText = ""
    market_analysis: MarketText = ""
    benefit_analysis: BenefitText = ""
    cooperation_mode: Annotated[CooperationMode | None, BeforeValidator(must(choice(CooperationMode)))] = Field(
        None, description="sole, joint, ppp, fund or open"
    )
    contact_unit: ContactUnit = ""
    contact_person: ContactPerson = ""
    contact_phone: ContactPhone = ""
    status: Annotated[ItemStatus | None, BeforeValidator(must(choice(ItemStatus)))] = Field(
        None, description="active or archived"
    )
    version: Annotated[int | None, BeforeValidator(_version)] = Field(
        None, description="The version read; a different current version → 409"
    )


class EditionCreateInput(Input):
    """Start a draft edition (e.g. 2026年招商项目册)."""

    title: Annotated[str, BeforeValidator(text(MAX_EDITION_TITLE, required=True)), Field(max_length=MAX_EDITION_TITLE)]
    year: Annotated[int, BeforeValidator(_year)] = Field(description="2000–2100")


class EditionItemsInput(Input):
    """A draft edition's selection, in the brochure's order."""

    items: Annotated[list[int], BeforeValidator(_item_ids)] = Field(
        description="Catalog item ids, distinct, in order", max_length=MAX_EDITION_ITEMS
    )
