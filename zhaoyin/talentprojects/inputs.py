"""The input of each talent-project use case: an application and each action of the table
(``zhaoyin.core.inputs``).

The API takes these models as its bodies, the pages build them from the posted form
(``core.forms.bind_input``), the demo with ``of``. A model decides what a value is (text
within its length, an amount in 万元 with 2 places and above zero, a date, an id); the services
decide the rest: whether the talent is in the caller's scope, the round's window, the
programme's cap, the state and the order of the dates.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext_lazy as _
from pydantic import BeforeValidator, Field, ValidationInfo

from zhaoyin.core.errors import REFERENCE_RULE
from zhaoyin.core.inputs import (
    BLANK,
    Input,
    amount_schema,
    day,
    described,
    from_cleaner,
    from_form,
    judged,
    must,
    refuse,
    text,
    whole_number,
)
from zhaoyin.core.validation import clean_decimal

#: Largest amount (万元) a project carries: the columns have 12 digits, 2 decimals.
MAX_WAN = Decimal("9999999999.99")
MAX_TITLE = 200
MAX_SUMMARY = 4000
MAX_REASON = 1000
MAX_NOTE = 200
MAX_ID = 2**63 - 1
MAX_VERSION = 2**31 - 1


def _amount(value: Any) -> Decimal | None:
    """An amount in 万元, above zero, at most 2 places; blank is None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    amount = Decimal(from_cleaner(lambda v: clean_decimal(v, places=2, maximum=MAX_WAN))(value))
    if amount <= 0:
        raise refuse(_("Enter an amount above zero."))
    return amount


def _ref(message: Any) -> Any:
    """A record by number (a form's box posts digits); anything else is refused with
    ``message``, the words of an unknown record (a malformed value is no oracle)."""

    def clean(value: Any) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
            return value
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) <= 9:
            return int(value.strip())
        raise refuse(message)

    return described(
        clean,
        {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                {"type": "string", "pattern": r"^\s*\d{0,9}\s*$"},
            ]
        },
        nullable=True,
        rule=REFERENCE_RULE,
    )


def _version(value: Any, info: ValidationInfo) -> int | None:
    """The version the change was read at: a JSON number (a form's hidden digits on a page)."""
    if value is None or (isinstance(value, str) and not value.strip() and from_form(info)):
        return None
    number = value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(value, str) and from_form(info):
        number = whole_number(value)
    if number is None or not 1 <= number <= MAX_VERSION:
        raise refuse(_("Enter a whole number."))
    return number


described(_version, {"type": "integer", "minimum": 1, "maximum": MAX_VERSION}, nullable=True)
described(_amount, {"anyOf": [amount_schema(MAX_WAN), BLANK]}, nullable=True)
_round_ref = _ref(_("Unknown round."))
_talent_ref = _ref(_("Unknown talent."))

#: Amounts are judged beyond their schema: above zero, and against the project's figures.
Amount = Annotated[
    Decimal,
    BeforeValidator(must(_amount)),
    judged("above zero; 立项 at most the request and the programme's cap; disbursements at most the approved amount"),
]
#: A decision's date: not in the future, not before the previous step.
Day = Annotated[dt.date | None, BeforeValidator(day), judged("not in the future; not before the previous step")]
AppliedDay = Annotated[
    dt.date | None, BeforeValidator(day), judged("not in the future; within the round's application window")
]
Reason = Annotated[str, BeforeValidator(text(MAX_REASON, required=True)), Field(max_length=MAX_REASON)]
Version = Annotated[int | None, BeforeValidator(_version)]


class TalentProjectInput(Input):
    """申报: a talent's application in a round, with their current employer."""

    round: Annotated[int, BeforeValidator(must(_round_ref))] = Field(description="Id of an open round")
    talent: Annotated[int, BeforeValidator(must(_talent_ref))] = Field(description="Id of a talent in your scope")
    title: Annotated[str, BeforeValidator(text(MAX_TITLE, required=True)), Field(max_length=MAX_TITLE)] = Field(
        description="The project's title"
    )
    summary: Annotated[str, BeforeValidator(text(MAX_SUMMARY)), Field(max_length=MAX_SUMMARY)] = ""
    requested_wan: Amount = Field(description="万元, above zero, at most 2 decimals; a decimal string or number")
    applied_on: AppliedDay = Field(
        None, description="YYYY-MM-DD within the round's window, not in the future (default: today)"
    )


class TalentProjectDecisionInput(Input):
    """推荐: the date of the decision (default today) and the version read."""

    on: Day = Field(None, description="YYYY-MM-DD, not in the future, not before the previous step (default: today)")
    version: Version = Field(None, description="The version read; a different current version → 409")


class TalentProjectReasonInput(TalentProjectDecisionInput):
    """未推荐, 不予立项, 撤回: why."""

    reason: Reason = Field(description="Why")


class TalentProjectApproveInput(TalentProjectDecisionInput):
    """立项: the approved amount (at most the request, and the programme's cap when it has one)."""

    approved_wan: Amount = Field(description="万元, above zero, at most the requested amount and the programme's cap")


class TalentProjectFundInput(Input):
    """资金拨付: one disbursement (the approved amount is never exceeded in total)."""

    amount_wan: Amount = Field(description="万元, above zero; the disbursements never exceed the approved amount")
    paid_on: Day = Field(None, description="YYYY-MM-DD, not in the future, not before 立项 (default: today)")
    note: Annotated[str, BeforeValidator(text(MAX_NOTE)), Field(max_length=MAX_NOTE)] = ""
    version: Version = Field(None, description="The version read; a different current version → 409")
