"""The input of each payout use case: registering an entry and each action of ``PAYOUT_TABLE``
(``zhaoyin.core.inputs``).

The API takes these models as its bodies (``PayoutRegisterBody`` adds the ids of the policy
and the enterprise, which the API resolves through the scoped selectors), the pages build them
from the posted form (``core.forms.bind_input``), the demo builds them in code. A model decides
what a value is (a period, an amount with two places, a note within its length); the services
decide the rest: who may register or decide, the policy's status, the four-eyes rule, the
state, whether a reason or a new amount is needed, "never paid twice".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated

from django.utils.translation import gettext as _
from pydantic import BeforeValidator, Field, StrictInt
from pydantic.config import JsonDict

from zhaoyin.core.errors import REFERENCE_RULE, RULE_KEY
from zhaoyin.core.fields import Amount as WireAmount
from zhaoyin.core.inputs import (
    BLANK,
    Input,
    day,
    described,
    from_cleaner,
    must,
    refuse,
    stripped_schema,
    text,
    whole_number,
)
from zhaoyin.payouts.periods import PERIOD_PATTERN, clean_period

#: The largest amount the column holds (14 digits, 2 decimals), in 万元.
MAX_AMOUNT = Decimal("999999999999.99")
NOTE_MAX = 500


def clean_amount(value: object) -> Decimal:
    """A positive amount in 万元 with at most two decimals, from text or a Decimal (never a
    float: binary floating point cannot hold 0.1 exactly)."""
    if isinstance(value, bool | float) or value is None:
        raise ValueError(_("must be an amount written as a decimal number, e.g. 12.50"))
    try:
        number = Decimal(str(value).strip().replace(",", "")) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise ValueError(_("must be an amount written as a decimal number, e.g. 12.50")) from None
    if not number.is_finite():
        raise ValueError(_("must be an amount written as a decimal number, e.g. 12.50"))
    if number <= 0:
        raise ValueError(_("must be greater than zero"))
    if number > MAX_AMOUNT:
        raise ValueError(_("is too large"))
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(_("has too many decimal places (at most 2)"))
    return number.quantize(Decimal("0.01"))


#: What ``clean_amount`` accepts, for the API document: more than zero, at most
#: ``MAX_AMOUNT``, two decimals; a JSON number or its digits as text.
AMOUNT_SCHEMA: JsonDict = {
    "anyOf": [
        {"type": "integer", "minimum": 1, "maximum": int(MAX_AMOUNT)},
        {"type": "string", "pattern": r"^(?:[1-9]\d{0,11}(?:\.\d{1,2})?|0\.(?:[1-9]\d?|0[1-9]))$"},
    ]
}
described(clean_amount, AMOUNT_SCHEMA)


def _optional_amount(value: object) -> Decimal | None:
    """An amount, or None when left blank (an action that needs none)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return clean_amount(value)


described(_optional_amount, {"anyOf": [AMOUNT_SCHEMA, BLANK]}, nullable=True)


def _note(value: object) -> str:
    """A note or reason: text, stripped, at most ``NOTE_MAX`` characters ('' when left out)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise refuse(_("Enter text."))
    stripped = value.strip()
    if len(stripped) > NOTE_MAX:
        raise ValueError(_("must be at most %(n)d characters") % {"n": NOTE_MAX})
    if "\x00" in stripped:
        raise refuse(_("contains control characters"))
    return stripped


described(clean_period, {"type": "string", "pattern": PERIOD_PATTERN})
described(_note, stripped_schema(NOTE_MAX, r"\x00"), nullable=True)
#: The amount as the API reads it (``WireAmount`` takes it, the input model judges it).
_BLANK: JsonDict = dict(BLANK)
_WIRE_OPTIONAL: JsonDict = {"anyOf": [AMOUNT_SCHEMA, _BLANK, {"type": "null"}]}


Period = Annotated[str, BeforeValidator(from_cleaner(clean_period))]
Amount = Annotated[Decimal, BeforeValidator(from_cleaner(clean_amount))]
OptionalAmount = Annotated[Decimal | None, BeforeValidator(from_cleaner(_optional_amount))]
Note = Annotated[str, BeforeValidator(from_cleaner(_note))]
Version = Annotated[int | None, BeforeValidator(whole_number)]
Day = Annotated[dt.date | None, BeforeValidator(day)]
#: A payment voucher's number (拨付凭证号), as the treasury writes it.
VOUCHER_MAX = 40
Voucher = Annotated[str, BeforeValidator(text(VOUCHER_MAX))]


class PayoutRegisterInput(Input):
    """登记兑现: the values of a new ledger entry (the policy and the enterprise are passed to
    the service as the objects the caller fetched through their scoped selectors)."""

    period: Period = Field(description="YYYY, YYYY-Q1 … YYYY-Q4 or YYYY-01 … YYYY-12")
    amount_wan: Amount = Field(description="万元, > 0, at most 2 decimals; a decimal string")
    note: Note = ""
    override_reason: Note = Field(
        "",
        description="Why to pay although the matcher judges the enterprise ineligible or the policy is not in "
        "force in the period (the entry is then flagged and needs two approvers)",
        json_schema_extra={RULE_KEY: "required when the enterprise is ineligible or the policy not in force then"},
    )


class PayoutRegisterBody(PayoutRegisterInput):
    """The API's body of a registration: the entry's values and the ids of the policy and the
    enterprise or the talent. The amount may come as a JSON number; the API takes it from the body's own
    text (``core.fields.exact_amounts``) and builds ``PayoutRegisterInput`` from that."""

    policy: StrictInt = Field(
        description="Policy id", json_schema_extra={RULE_KEY: f"{REFERENCE_RULE}; a policy published (not a draft)"}
    )
    enterprise: StrictInt | None = Field(
        None, description="Enterprise id (an enterprise's payout)",
        json_schema_extra={RULE_KEY: f"{REFERENCE_RULE}; exactly one of enterprise and talent"},
    )
    talent: StrictInt | None = Field(
        None, description="Talent id (a person's subsidy under a talent policy, issue 13)",
        json_schema_extra={RULE_KEY: f"{REFERENCE_RULE}; exactly one of enterprise and talent"},
    )
    amount_wan: WireAmount = Field(
        description="万元, > 0, at most 2 decimals; a decimal string or number", json_schema_extra=AMOUNT_SCHEMA
    )


class ScheduleStartInput(Input):
    """发放计划: the first period of a talent policy's schedule for one talent (a month for a
    monthly schedule, a year for a yearly one; the service judges which)."""

    first_period: Period = Field(description="YYYY-MM for a monthly schedule, YYYY for a yearly one")


class ScheduleStartBody(ScheduleStartInput):
    """The API's body of a schedule start: the first period and the ids of the policy and the
    talent (resolved through the scoped selectors)."""

    policy: StrictInt = Field(
        description="Talent policy id",
        json_schema_extra={RULE_KEY: f"{REFERENCE_RULE}; a talent policy with a schedule"},
    )
    talent: StrictInt = Field(description="Talent id", json_schema_extra={RULE_KEY: REFERENCE_RULE})


class PayoutActionInput(Input):
    """An action of ``PAYOUT_TABLE`` (approve, reject, resubmit): the reason or note, the new
    amount (resubmit), the version read. Which of them an action needs is the table's rule
    (the service's judgement)."""

    reason: Note = Field(
        "",
        description="Required to reject; a note otherwise",
        json_schema_extra={RULE_KEY: "required by the transition table to reject"},
    )
    amount_wan: OptionalAmount = Field(
        None,
        description="The new amount (resubmit only)",
        json_schema_extra={RULE_KEY: "required by the transition table to resubmit"},
    )
    version: Version = Field(None, description="The version read; a different current version → 409")
    paid_on: Day = Field(
        None, description="The payment date, YYYY-MM-DD (pay only)",
        json_schema_extra={RULE_KEY: "required by the transition table to pay; not in the future"},
    )
    voucher_no: Voucher = Field(
        "", description="The payment voucher number (pay only)",
        json_schema_extra={RULE_KEY: "required by the transition table to pay"},
    )


class PayoutActionBody(PayoutActionInput):
    """The API's body of an action; the amount may come as a JSON number (see above)."""

    amount_wan: WireAmount = Field(
        None,
        description="The new amount (resubmit only), 万元",
        json_schema_extra={**_WIRE_OPTIONAL, RULE_KEY: "required by the transition table to resubmit"},
    )


# ---- 人才补贴申请 (payouts.applications) ------------------------------------------------------------

STATEMENT_MAX = 2000


def _optional_period(value: object) -> str | None:
    """A period, or None when left blank (the service then takes the current month or year)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return clean_period(value)


described(_optional_period, {"anyOf": [{"type": "string", "pattern": PERIOD_PATTERN}, BLANK]}, nullable=True)


def _record_id(value: object) -> int | None:
    """A record by id: a JSON integer or a form's digits; blank is None."""
    number = whole_number(value)
    if number is not None and number < 1:
        raise refuse(_("Unknown record."))
    return number


described(
    _record_id,
    {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 999_999_999},
               {"type": "string", "pattern": r"^\s*\d{0,9}\s*$"}]},
    nullable=True,
    rule=REFERENCE_RULE,
)


def _statement(value: object) -> str:
    """The talent's statement: text, stripped, at most ``STATEMENT_MAX`` characters."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise refuse(_("Enter text."))
    stripped = value.strip()
    if len(stripped) > STATEMENT_MAX:
        raise ValueError(_("must be at most %(n)d characters") % {"n": STATEMENT_MAX})
    if "\x00" in stripped:
        raise refuse(_("contains control characters"))
    return stripped


described(_statement, stripped_schema(STATEMENT_MAX, r"\x00"), nullable=True)

OptionalPeriod = Annotated[str | None, BeforeValidator(from_cleaner(_optional_period))]
RecordRef = Annotated[int | None, BeforeValidator(_record_id)]
Statement = Annotated[str, BeforeValidator(from_cleaner(_statement))]
_POLICY_RULE = f"{REFERENCE_RULE}; a talent policy in force with a payment schedule, the talent not ineligible"


class SubsidyApplyInput(Input):
    """补贴申请: the talent policy applied for, the talent (staff applying on a talent's behalf;
    the portal user applies for themself and names none) and the talent's statement. Documents
    come as uploads beside it (the pages), checked by ``core.files``."""

    policy: RecordRef = Field(None, description="Talent policy id", json_schema_extra={RULE_KEY: _POLICY_RULE})
    talent: RecordRef = Field(None, description="Talent id (staff applying for a talent of their scope)")
    statement: Statement = Field("", description="The talent's statement (at most 2000 characters)")


class SubsidyApplicationActionInput(Input):
    """An action of the subsidy application table: the first period of the schedule (accept;
    default the current month, or year for a yearly schedule), the reason the talent is told
    (return, reject: required), an internal note (never shown to the talent), a new statement
    (resubmit), the version read."""

    first_period: OptionalPeriod = Field(
        None, description="YYYY-MM (monthly schedule) or YYYY (yearly); blank: the current one (accept)",
        json_schema_extra={RULE_KEY: "must be a month for a monthly schedule and a year for a yearly one"},
    )
    reason: Note = Field(
        "", description="What the talent is told (return, reject)",
        json_schema_extra={RULE_KEY: "required by the transition table to return or reject"},
    )
    note: Note = Field("", description="An internal note, never shown to the talent")
    statement: Statement = Field("", description="A new statement (resubmit); blank keeps the old one")
    version: Version = Field(None, description="The version read; a different current version → 409")


# ---- who approves a policy's payouts (issue 15 item 6, roles as data) ----------------------------

MAX_UNIT_CODE = 32
ApproverUnit = Annotated[
    str, BeforeValidator(must(text(MAX_UNIT_CODE))), Field(json_schema_extra={RULE_KEY: REFERENCE_RULE})
]


class PolicyApproversInput(Input):
    """A policy's approvers: the unit that reviews (审核, 公示) and the unit that pays (拨付), by
    org unit code; the service looks each up (an unknown or inactive unit → 422 naming it)."""

    review_unit: ApproverUnit = Field(description="Org unit code of the reviewing unit (the issuing department)")
    payment_unit: ApproverUnit = Field(description="Org unit code of the paying unit (the finance bureau)")
