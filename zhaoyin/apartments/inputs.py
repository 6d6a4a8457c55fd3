"""The input of each apartment use case (``zhaoyin.core.inputs``): a building, a unit, an
application, and the actions of the two tables (review, reject, allocate, release, contract,
withdraw; renew, check out).

The API takes these models as its bodies, the pages build them from the posted form
(``core.forms.bind_input``), the demo and the benchmark in code. A model decides what a value
is (text within its length, a date, an amount of yuan with two places, a layout); the services
decide the rest: who may act, the state, whether a unit, building, org unit or talent is within
the caller's scope, whether a contract ends after it starts, whether a unit is free.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import BeforeValidator, Field

from zhaoyin.apartments.models import EndReason, Layout
from zhaoyin.core.errors import REFERENCE_RULE, RULE_KEY
from zhaoyin.core.inputs import BLANK, Input, choice, day, described, must, refuse, text, whole_number, yes_no

MAX_ID = 2**63 - 1
MAX_NAME = 100
MAX_ADDRESS = 200
MAX_NUMBER = 20
MAX_REASON = 1000
MAX_NOTE = 500
MAX_CODE = 32
#: The largest area (m²) and rent / deposit (yuan) the columns hold.
MAX_AREA = Decimal("99999.99")
MAX_YUAN = Decimal("9999999.99")


def _yuan_schema(maximum: Decimal, *, positive: bool) -> dict[str, Any]:
    digits = len(str(int(maximum)))
    return {
        "anyOf": [
            {"type": "number", "exclusiveMinimum" if positive else "minimum": 0, "maximum": float(maximum)},
            {"type": "string", "pattern": rf"^\s*\d{{1,{digits}}}(?:\.\d{{1,2}})?\s*$"},
        ]
    }


def decimal_of(maximum: Decimal, *, positive: bool) -> Any:
    """A cleaner for a decimal with at most two places, from 0 (or more than 0 when
    ``positive``) to ``maximum``: a JSON number or its digits as text; never a float's noise."""

    def clean(value: Any) -> Decimal | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise refuse(_("Enter a number."))
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            raise refuse(_("Enter a number.")) from None
        if not number.is_finite():
            raise refuse(_("Enter a number."))
        if number < 0 or (positive and number == 0):
            raise refuse(_("Must be greater than zero.") if positive else _("Must not be negative."))
        if number > maximum:
            raise refuse(_("Must be at most %(n)s.") % {"n": maximum})
        if number != number.quantize(Decimal("0.01")):
            raise refuse(_("At most two decimal places."))
        return number.quantize(Decimal("0.01"))

    schema = _yuan_schema(maximum, positive=positive)
    return described(clean, {"anyOf": [*schema["anyOf"], BLANK]}, nullable=True)


def _ref(value: Any) -> int | None:
    """A record by id: a JSON integer or its digits as text (a form's box); blank is None."""
    number = whole_number(value)
    if number is not None and not 1 <= number <= MAX_ID:
        raise refuse(_("Unknown record."))
    return number


described(
    _ref,
    {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 999_999_999}, {"type": "string",
                                                                           "pattern": r"^\s*\d{0,9}\s*$"}]},
    nullable=True,
    rule=REFERENCE_RULE,
)

Name = Annotated[str, BeforeValidator(text(MAX_NAME, required=True))]
Address = Annotated[str, BeforeValidator(text(MAX_ADDRESS, required=True))]
Operator = Annotated[str, BeforeValidator(text(MAX_NAME))]
UnitCode = Annotated[str, BeforeValidator(must(text(MAX_CODE))), Field(json_schema_extra={RULE_KEY: REFERENCE_RULE})]
Number = Annotated[str, BeforeValidator(text(MAX_NUMBER, required=True))]
LayoutChoice = Annotated[Layout, BeforeValidator(must(choice(Layout)))]
OptionalLayout = Annotated[Layout | None, BeforeValidator(choice(Layout))]
Area = Annotated[Decimal, BeforeValidator(must(decimal_of(MAX_AREA, positive=True)))]
Rent = Annotated[Decimal, BeforeValidator(must(decimal_of(MAX_YUAN, positive=False)))]
Deposit = Annotated[Decimal | None, BeforeValidator(decimal_of(MAX_YUAN, positive=False))]
Ref = Annotated[int | None, BeforeValidator(_ref)]
Reason = Annotated[str, BeforeValidator(text(MAX_REASON))]
Note = Annotated[str, BeforeValidator(text(MAX_NOTE))]
Day = Annotated[dt.date | None, BeforeValidator(day)]
Version = Annotated[int | None, BeforeValidator(whole_number)]
EndReasonChoice = Annotated[EndReason | None, BeforeValidator(choice(EndReason))]
YesNo = Annotated[bool | None, BeforeValidator(yes_no)]

_VERSION = "The version read; a different current version → 409"


class ApartmentBuildingInput(Input):
    """A new building, or a building's new values (``version`` then)."""

    name: Name
    address: Address
    org_unit: UnitCode = Field(description="Org unit code of the unit managing it (e.g. dept-zjj)")
    operator: Operator = ""
    version: Version = Field(None, description=_VERSION)


class UnitInput(Input):
    """A new unit of a building (the building is passed to the service), or a unit's new
    values (``version`` then; the number stays)."""

    number: Number
    layout: LayoutChoice = Field(description="one_bed, two_bed or three_bed")
    area_m2: Area = Field(description="m², > 0, at most 2 decimals")
    monthly_rent: Rent = Field(description="yuan a month, at most 2 decimals")
    version: Version = Field(None, description=_VERSION)


class UnitCreateBody(UnitInput):
    """The API's body of a new unit: the unit and its building's id."""

    building: Ref = Field(None, description="Building id")


class MaintenanceInput(Input):
    """A unit into maintenance (``on``) or back into use."""

    on: Annotated[bool, BeforeValidator(must(yes_no))] = Field(description="true: under maintenance")
    version: Version = Field(None, description=_VERSION)


class ApartmentApplicationInput(Input):
    """An application: for whom (a talent id; the portal user applies for themself and sends
    none), the layout wanted (blank: any) and the reason."""

    talent: Ref = Field(None, description="Talent id (staff applying for a talent of their scope)")
    preferred_layout: OptionalLayout = Field(None, description="one_bed, two_bed or three_bed; blank: any")
    reason: Reason = ""


class ApartmentActionInput(Input):
    """An action of either table. What each needs is the table's rule (the service's
    judgement): a reason to reject or release; a unit to allocate (or ``next``: the first
    free unit fitting the application); start, end and deposit to contract; the new end to
    renew; the end reason, the day and the inspection note to check out."""

    reason: Reason = Field("", json_schema_extra={RULE_KEY: "required by the transition table to reject or release"})
    note: Note = Field("", description="An internal note (review)")
    unit: Ref = Field(None, description="Unit id (allocate)")
    start: Day = Field(None, description="Contract start, YYYY-MM-DD (contract)",
                       json_schema_extra={RULE_KEY: "required to contract"})
    end: Day = Field(None, description="Contract end, after the start (contract); the new end (renew)",
                     json_schema_extra={RULE_KEY: "required to contract or renew; after the start / current end"})
    deposit: Deposit = Field(None, description="Deposit in yuan (contract)")
    end_reason: EndReasonChoice = Field(
        None, description="departure, home_purchase, contract_end or other (checkout)",
        json_schema_extra={RULE_KEY: "required to check out"},
    )
    ended_on: Day = Field(None, description="Check-out day (default today), not in the future",
                          json_schema_extra={RULE_KEY: "not before the start, not in the future"})
    inspection_note: Note = Field("", description="Inspection at check-out (验房)")
    version: Version = Field(None, description=_VERSION)


class AllocateWaitlistInput(Input):
    """Allocate the waitlist to free units (all buildings in scope, or one)."""

    building: Ref = Field(None, description="Building id (default: every building in scope)")
    limit: Annotated[int | None, BeforeValidator(whole_number)] = Field(None, description="At most this many")
