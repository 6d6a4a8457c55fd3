"""The input of each talent-project use case: an application (by staff or by the talent in the
portal), each action of the table, a programme and a round (``zhaoyin.core.inputs``).

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
    choice,
    day,
    described,
    from_cleaner,
    from_form,
    judged,
    must,
    refuse,
    text,
    whole_number,
    yes_no,
)
from zhaoyin.core.validation import clean_decimal
from zhaoyin.talentprojects.models import ProgrammeLevel

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
    judged(
        "above zero; an application and 立项 at most the programme's cap, 立项 at most the request; "
        "disbursements at most the approved amount"
    ),
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


# --------------------------------------------------------------------------- programmes, rounds

MAX_CODE = 40
MAX_NAME = 100
MAX_SPONSOR = 100
#: What the services judge of a programme's code beyond its form.
CODE_RULE = "not the code of another programme"
#: What the services judge of a round's window beyond each date.
WINDOW_RULE = "closes_on not before opens_on; a changed window still holds the round's applications"


def _code(value: Any) -> str | None:
    """A programme's code: letters, digits, '-' and '_' (it names the programme in the API)."""
    code = text(MAX_CODE)(value)
    if not code:
        return None
    if not (code.isascii() and all(c.isalnum() or c in "-_" for c in code)):
        raise refuse(_("A code has letters, digits, '-' and '_' only."))
    return code


described(
    _code, {"type": "string", "minLength": 1, "pattern": r"^\s*[A-Za-z0-9_-]{1,40}\s*$"}, nullable=True,
    rule=CODE_RULE,
)


def _cap(value: Any) -> Decimal | None:
    """A programme's cap per project in 万元, above zero; blank or null: no cap."""
    return _amount(value)


described(_cap, {"anyOf": [amount_schema(MAX_WAN), BLANK]}, nullable=True, rule="above zero")


def _year(value: Any) -> int | None:
    # JSON Schema's integer includes 2027.0: a whole float is the whole number it says.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    number = whole_number(value)
    if number is not None and not 2000 <= number <= 2100:
        raise refuse(_("Must be a year from %(low)d to %(high)d.") % {"low": 2000, "high": 2100})
    return number


described(_year, {"type": "integer", "minimum": 2000, "maximum": 2100}, nullable=True)

Code = Annotated[str, BeforeValidator(must(_code))]
Name = Annotated[str, BeforeValidator(text(MAX_NAME, required=True)), Field(max_length=MAX_NAME)]
Sponsor = Annotated[str, BeforeValidator(text(MAX_SPONSOR)), Field(max_length=MAX_SPONSOR)]
Level = Annotated[ProgrammeLevel, BeforeValidator(must(choice(ProgrammeLevel)))]
Cap = Annotated[Decimal | None, BeforeValidator(_cap)]
Active = Annotated[bool, BeforeValidator(must(yes_no))]
Year = Annotated[int, BeforeValidator(must(_year))]
OpensOn = Annotated[dt.date, BeforeValidator(must(day)), judged(WINDOW_RULE)]
ClosesOn = Annotated[dt.date, BeforeValidator(must(day)), judged(WINDOW_RULE)]
_CAP_DOC = "万元 per project, above zero, at most 2 decimals; null or blank: no cap"


class ProgrammeInput(Input):
    """A new talent programme (人才项目): code, name, level, sponsor, cap, active."""

    code: Code = Field(description="letters, digits, '-' and '_'; unique; names the programme in the API")
    name: Name = Field(description="The programme's name")
    level: Level = Field(description="national, province or city")
    sponsor: Sponsor = Field("", description="The sponsoring department")
    max_funding_wan: Cap = Field(None, description=_CAP_DOC)
    is_active: Active = Field(True, description="Whether its rounds take applications (default true)")


class ProgrammeUpdateInput(Input):
    """A change of a programme: the fields sent (its code stays: it names the programme)."""

    name: Annotated[str | None, BeforeValidator(text(MAX_NAME)), judged("a change may not empty it")] = Field(
        None, max_length=MAX_NAME
    )
    level: Annotated[ProgrammeLevel | None, BeforeValidator(choice(ProgrammeLevel)),
                     judged("a change may not empty it")] = Field(None, description="national, province or city")
    sponsor: Annotated[str | None, BeforeValidator(text(MAX_SPONSOR))] = Field(None, max_length=MAX_SPONSOR)
    max_funding_wan: Cap = Field(None, description=_CAP_DOC)
    is_active: Annotated[bool | None, BeforeValidator(yes_no), judged("a change may not empty it")] = Field(
        None, description="Whether its rounds take applications"
    )
    version: Version = Field(None, description="The version read; a different current version → 409")


class RoundInput(Input):
    """A new application round (申报批次) of a programme: year, name, window."""

    year: Year = Field(description="The round's year, 2000 to 2100")
    name: Annotated[str, BeforeValidator(text(MAX_NAME, required=True)), Field(max_length=MAX_NAME),
                    judged("unique within the programme")] = Field(description="Unique within the programme")
    opens_on: OpensOn = Field(description="YYYY-MM-DD, the first day of applications")
    closes_on: ClosesOn = Field(description="YYYY-MM-DD, the last day of applications, not before opens_on")


class RoundUpdateInput(Input):
    """A change of a round: the fields sent."""

    year: Annotated[int | None, BeforeValidator(_year), judged("a change may not empty it")] = Field(
        None, description="2000 to 2100"
    )
    name: Annotated[str | None, BeforeValidator(text(MAX_NAME)),
                    judged("a change may not empty it; unique within the programme")] = Field(
        None, max_length=MAX_NAME
    )
    opens_on: Annotated[dt.date | None, BeforeValidator(day), judged(WINDOW_RULE)] = Field(
        None, description="YYYY-MM-DD"
    )
    closes_on: Annotated[dt.date | None, BeforeValidator(day), judged(WINDOW_RULE)] = Field(
        None, description="YYYY-MM-DD, not before opens_on"
    )
    version: Version = Field(None, description="The version read; a different current version → 409")


# --------------------------------------------------------------------------- the talent's portal


class PortalApplicationInput(Input):
    """申报 in the portal: the talent applies for themself in an open round. The talent and the
    employer come from their own record, never from the body; the date is today."""

    round: Annotated[int, BeforeValidator(must(_round_ref)), judged("a round open today (opens_on ≤ today ≤ "
                                                                    "closes_on) you have not applied in")] = Field(
        description="Id of an open round"
    )
    title: Annotated[str, BeforeValidator(text(MAX_TITLE, required=True)), Field(max_length=MAX_TITLE)] = Field(
        description="The project's title"
    )
    summary: Annotated[str, BeforeValidator(text(MAX_SUMMARY)), Field(max_length=MAX_SUMMARY)] = ""
    requested_wan: Amount = Field(
        description="万元, above zero, at most 2 decimals, at most the programme's cap; a decimal string or number"
    )


class PortalWithdrawInput(Input):
    """撤回 in the portal: the talent withdraws their own application, with a reason; dated today."""

    reason: Reason = Field(description="Why the application is withdrawn")
    version: Version = Field(None, description="The version read; a different current version → 409")

    def as_reason(self) -> TalentProjectReasonInput:
        """``project_withdraw``'s input: the same reason and version, dated today."""
        return TalentProjectReasonInput.of(reason=self.reason, version=self.version)
