"""The input of each talent use case: register, change (with its version), depart, link the
portal account; a station's lead: add, change, mark arrived (``zhaoyin.core.inputs``).

The API takes these models as its bodies, the pages build them from the posted form
(``core.forms.bind_input``), the Excel import from each row, the demo with ``of``. A model
judges each value on its own: text within its length, a code of the choices, a date (an
arrival not in the future), a phone and an e-mail of the right shape, the ID number's
characters. The services judge the rest with ``validation``: the ID number against its
document type (GB 11643 check character …), the birth date and sex against the ID, a
contract's end against its start, the references within the acting user's scope, a
registered ID number (the blind index).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from django.utils.translation import gettext_lazy as _
from pydantic import BeforeValidator, Field, ValidationInfo

from zhaoyin.core.errors import REFERENCE_RULE
from zhaoyin.core.inputs import (
    BLANK,
    DATE,
    Input,
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
)
from zhaoyin.talents.models import Channel, Education, IdType, LeadStatus, Sex, Title
from zhaoyin.talents.validation import MAX_SOCIAL_MONTHS, clean_email, clean_phone, not_future

MAX_REF = 60
MAX_VERSION = 2**31 - 1
#: What the services judge of an ID number beyond its characters.
ID_RULE = (
    "checked as its id_type says: resident (GB 11643: area code, birth date, check character), "
    "hmt_residence (810000/820000/830000 + GB 11643), foreign_permanent (18 characters starting "
    "with 9 and a GB 11643 check character, or 3 letters + 12 digits), passport (5-17 letters and "
    "digits); not registered for another talent"
)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _ref(value: Any) -> str | None:
    """A reference as text (a code, a name, an id); blank is None. The service looks it up."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return text(MAX_REF)(value) or None


described(
    _ref,
    {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "maxLength": MAX_REF, "pattern": r"^[^\x00]*$"}]},
    nullable=True,
    rule=REFERENCE_RULE,
)


def _id_number(value: Any) -> str | None:
    """An ID document number: letters, digits and spaces (the service checks it by its type)."""
    number = text(40)(value)
    if not number:
        return None
    if not all(c.isalnum() or c.isspace() for c in number):
        raise refuse(_("An ID number has letters and digits only."))
    return number


described(
    _id_number,
    {"type": "string", "maxLength": 40, "pattern": r"^[\s0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]*$"},
    nullable=True,
    rule=ID_RULE,
)


def _checked(limit: int, check: Callable[[str], str], schema: dict[str, Any]) -> Callable[[Any], str]:
    inner = text(limit)
    cleaner = from_cleaner(lambda v: check(inner(v)))
    return described(cleaner, schema, nullable=True)


_PHONE_SCHEMA = {"type": "string", "maxLength": 20, "pattern": r"^\s*(?:\+?[0-9][0-9 \-]{4,18}[0-9])?\s*$"}
_EMAIL_SCHEMA = {"type": "string", "maxLength": 100, "pattern": r"^\s*(?:[^@\s]{1,64}@[^@\s]+\.[^@\s]+)?\s*$"}
_phone = _checked(20, clean_phone, _PHONE_SCHEMA)
_email = _checked(100, clean_email, _EMAIL_SCHEMA)


def _past_day(value: Any) -> dt.date | None:
    """A date not in the future; blank is None."""
    return not_future(day(value))


_past = from_cleaner(_past_day)
described(_past, {"anyOf": [DATE, BLANK]}, nullable=True, rule="not in the future")


def _months(value: Any) -> int | None:
    number = whole_number(value)
    if number is not None and not 0 <= number <= MAX_SOCIAL_MONTHS:
        raise refuse(_("Must be from 0 to %(n)s.") % {"n": MAX_SOCIAL_MONTHS})
    return number


described(_months, {"type": "integer", "minimum": 0, "maximum": MAX_SOCIAL_MONTHS}, nullable=True)


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

Ref = Annotated[str | None, BeforeValidator(_ref)]
Version = Annotated[int | None, BeforeValidator(_version)]
_DATE_DOC = "YYYY-MM-DD"


class TalentFields(Input):
    """A talent's fields as sent, each optional (a change sends some). Never ``tier``
    (recognition decides it), ``status`` (``talent_depart``) or ``account``."""

    name: Annotated[str | None, BeforeValidator(text(50)), judged("a change may not empty it")] = Field(
        None, max_length=50
    )
    id_type: Annotated[IdType | None, BeforeValidator(choice(IdType))] = Field(
        None, description="resident (default), passport, hmt_residence or foreign_permanent"
    )
    id_number: Annotated[str | None, BeforeValidator(_id_number)] = Field(
        None, description="The ID document's number; stored encrypted, answered masked"
    )
    birth_date: Annotated[
        dt.date | None, BeforeValidator(day), judged("agrees with the birth date a resident ID carries")
    ] = Field(None, description="YYYY-MM-DD; taken from a resident ID when left out, must agree with it")
    sex: Annotated[Sex | None, BeforeValidator(choice(Sex)), judged("agrees with the sex a resident ID carries")] = (
        Field(None, description="male or female; taken from the ID when left out, must agree with it")
    )
    education: Annotated[Education | None, BeforeValidator(choice(Education))] = None
    school: Annotated[str | None, BeforeValidator(text(100))] = Field(None, max_length=100)
    major: Annotated[str | None, BeforeValidator(text(100))] = Field(None, max_length=100)
    title: Annotated[Title | None, BeforeValidator(choice(Title))] = None
    employer: Ref = Field(None, description="The employing enterprise's id or credit code (一企一档)")
    employer_name: Annotated[str | None, BeforeValidator(text(200))] = Field(
        None, max_length=200, description="The employer's name when it is an institution"
    )
    org_unit: Ref = Field(None, description="Org unit code where the talent works")
    industry: Ref = Field(None, description="Industry code (or name)")
    arrival_date: Annotated[dt.date | None, BeforeValidator(_past)] = Field(
        None, description="Arrival in the city, YYYY-MM-DD, not in the future"
    )
    channel: Annotated[Channel | None, BeforeValidator(choice(Channel))] = None
    station: Ref = Field(None, description="Org unit code of the talent station the arrival is attributed to")
    phone: Annotated[str | None, BeforeValidator(_phone)] = Field(None, description="Stored encrypted, answered masked")
    email: Annotated[str | None, BeforeValidator(_email)] = None
    contract_start: Annotated[dt.date | None, BeforeValidator(day)] = Field(None, description=_DATE_DOC)
    contract_end: Annotated[dt.date | None, BeforeValidator(day), judged("not before contract_start")] = Field(
        None, description="YYYY-MM-DD, not before contract_start"
    )
    social_insurance_months: Annotated[int | None, BeforeValidator(_months)] = None

    def values(self) -> dict[str, Any]:
        """The fields sent (PATCH semantics), by name."""
        return {name: getattr(self, name) for name in TALENT_FIELDS if name in self.given()}


#: The fields a talent accepts from outside (AC-04: an explicit allow-list).
TALENT_FIELDS = tuple(name for name in TalentFields.model_fields)


class TalentInput(TalentFields):
    """Register a talent: name, ID number and org unit are required."""

    name: Annotated[str, BeforeValidator(text(50, required=True))] = Field(max_length=50)
    id_number: Annotated[str, BeforeValidator(must(_id_number))] = Field(
        description="The ID document's number; stored encrypted, answered masked"
    )
    org_unit: Annotated[str, BeforeValidator(must(_ref))] = Field(description="Org unit code where the talent works")


class TalentUpdateInput(TalentFields):
    """Change a talent: only the fields sent (a required one may not be emptied)."""

    version: Version = Field(None, description="The version read; a different current version → 409")


class DepartInput(Input):
    """A talent left the city (status departed): the day, not in the future."""

    departed_on: Annotated[dt.date, BeforeValidator(must(_past))] = Field(description="YYYY-MM-DD, not in the future")
    version: Version = Field(None, description="The version read; a different current version → 409")


class LinkAccountInput(Input):
    """Link a talent portal account (a user with the talent role) to the record."""

    username: Annotated[
        str,
        BeforeValidator(text(150, required=True)),
        judged("an active account holding the talent role, not linked to another talent"),
    ] = Field(max_length=150, description="The portal account's username")


# --------------------------------------------------------------------------- station leads


class LeadFields(Input):
    """A station's lead as sent (each optional in a change)."""

    name: Annotated[str | None, BeforeValidator(text(50))] = Field(None, max_length=50)
    education: Annotated[Education | None, BeforeValidator(choice(Education))] = None
    field_of_work: Annotated[str | None, BeforeValidator(text(100))] = Field(None, max_length=100)
    current_employer: Annotated[str | None, BeforeValidator(text(200))] = Field(None, max_length=200)
    target_employer: Ref = Field(None, description="The enterprise the talent may join: id or credit code")
    contacted_on: Annotated[dt.date | None, BeforeValidator(_past)] = Field(None, description="YYYY-MM-DD")
    status: Annotated[LeadStatus | None, BeforeValidator(choice(LeadStatus))] = None
    note: Annotated[str | None, BeforeValidator(text(2000))] = Field(None, max_length=2000)

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in LEAD_FIELDS if name in self.given()}


LEAD_FIELDS = tuple(LeadFields.model_fields)


class LeadInput(LeadFields):
    """Add a lead: name and the day of contact are required."""

    name: Annotated[str, BeforeValidator(text(50, required=True))] = Field(max_length=50)
    contacted_on: Annotated[dt.date, BeforeValidator(must(_past))] = Field(description="YYYY-MM-DD, not in the future")


class LeadUpdateInput(LeadFields):
    """Change a lead (not to ``arrived``: that is ``LeadArrivedInput``)."""

    version: Version = Field(None, description="The version read; a different current version → 409")


class LeadArrivedInput(Input):
    """The lead arrived: the talent record it became (an id the caller may see)."""

    talent: Annotated[str, BeforeValidator(must(_ref))] = Field(description="The talent's id")
    version: Version = None
