"""The input of each 百家企业行 use case: recording a visit with its demands, a change of a
service group's members, an enterprise assigned to a group (``zhaoyin.core.inputs``).

The API takes ``VisitCreateInput`` as its body, the visit page builds it from the posted form
and its demand rows (``core.forms.bind_input``), the group pages and the member import build
the membership inputs from the posted box or each cleaned row. A model decides what a value
is (text within its length, a date of visit, a kind of matter, a list of usernames); the
services decide the rest: who may act, whether the enterprise is one the member's groups
serve, whether the participants are members of its group, whether an account is a member
(an enterprise or group outside the caller's reach is refused like an unknown one).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.utils.translation import gettext_lazy as _
from pydantic import BeforeValidator, Field, ValidationError, ValidationInfo

from zhaoyin.core.inputs import (
    Input,
    choice,
    field_errors,
    from_form,
    must,
    optional_text,
    refuse,
    refuse_all,
    text,
    yes_no,
)
from zhaoyin.matters import clocks
from zhaoyin.matters.choices import MatterKind
from zhaoyin.matters.inputs import MAX_ID, MAX_TEXT, MAX_TITLE

MAX_NOTES = 5000
MAX_NAMES = 200
MAX_CONTACT = 100
#: Longest username (``User.username``) and service group code accepted.
MAX_USERNAME = 150
MAX_GROUP_CODE = 32
#: A USCC has 18 characters; an enterprise id fewer.
MAX_ENTERPRISE_REF = 40
#: Most demands one visit may raise.
MAX_DEMANDS = 20
#: Most participants named on one visit.
MAX_PARTICIPANTS = 20
#: The fields of one demand.
DEMAND_FIELDS = ("title", "kind", "description")
#: Visits older than this are typing mistakes, not records.
EARLIEST = dt.date(2000, 1, 1)

#: The one answer for an enterprise the member may not visit, whatever the reason (unknown,
#: another group's, out of scope, not a number): it reveals nothing.
NOT_YOURS = _("Choose an enterprise served by your service group.")


def _visit_enterprise(value: Any, info: ValidationInfo) -> int:
    """An enterprise by record number: a JSON number (a form's digits on the page)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
        return value
    if isinstance(value, str) and from_form(info):
        digits = value.strip()
        if digits.isascii() and digits.isdigit() and len(digits) <= 18 and 0 < int(digits) <= MAX_ID:
            return int(digits)
    raise refuse(NOT_YOURS)


def _visit_date(value: Any) -> dt.date:
    """A date of visit: YYYY-MM-DD, not in the future (Asia/Shanghai), not before 2000."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    elif isinstance(value, str) and value.strip():
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise refuse(_("Enter a date as YYYY-MM-DD.")) from None
    else:
        raise refuse(_("Enter the date of the visit."))
    if day > clocks.today():
        raise refuse(_("The date of the visit must not be in the future."))
    if day < EARLIEST:
        raise refuse(_("Enter a date from 2000 on."))
    return day


def _usernames(value: Any) -> list[str]:
    """Usernames as a list (a form's boxes, JSON's list, or one text separated by commas)."""
    if value is None or value == "":
        names: list[str] = []
    elif isinstance(value, str):
        names = [n for n in value.replace(",", " ").replace("，", " ").split() if n]
    elif isinstance(value, list | tuple) and all(isinstance(n, str) for n in value):
        names = [n.strip() for n in value if n.strip()]
    else:
        raise refuse(_("Give the participants as a list of usernames."))
    if len(names) > MAX_PARTICIPANTS:
        raise refuse(_("At most %(n)d participants.") % {"n": MAX_PARTICIPANTS})
    if any(len(n) > MAX_USERNAME or "\x00" in n for n in names):
        raise refuse(_("Give the participants as a list of usernames."))
    return names


class DemandInput(Input):
    """One demand a visit raised: it becomes a draft matter with source ``visit``."""

    title: Annotated[str, BeforeValidator(text(MAX_TITLE, required=True)), Field(max_length=MAX_TITLE)]
    kind: Annotated[MatterKind, BeforeValidator(must(choice(MatterKind, _("Unknown kind of matter."))))] = Field(
        description="consultation, coordination, talent_demand, instruction or reform (never urgent_instruction: "
                    "refused by the matters' rules)"
    )
    description: Annotated[str, BeforeValidator(text(MAX_TEXT)), Field(max_length=MAX_TEXT)] = ""


def _demands(value: Any) -> list[DemandInput]:
    """The demands, each judged on its own and named by its place (``demands[1].kind``), every
    bad one reported at once."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise refuse(_("Give the demands as a list."))
    if len(value) > MAX_DEMANDS:
        raise refuse(_("At most %(n)d demands per visit.") % {"n": MAX_DEMANDS})
    out: list[DemandInput] = []
    errors: list[dict[str, str]] = []
    for index, item in enumerate(value):
        prefix = f"demands[{index}]"
        if isinstance(item, DemandInput):
            out.append(item)
            continue
        if not isinstance(item, dict):
            errors.append({"field": prefix, "message": str(_("Each demand needs a title, a kind and a description."))})
            continue
        try:
            out.append(DemandInput.model_validate(item))
        except ValidationError as exc:
            errors.extend({**e, "field": f"{prefix}.{e['field']}"} for e in field_errors(exc.errors()))
    if errors:
        raise refuse_all(errors)
    return out


def _username(value: Any) -> str:
    """A username (the account is looked up by the service)."""
    name = text(MAX_USERNAME)(value)
    if not name:
        raise refuse(_("Enter a username."))
    return name


def _flag(value: Any) -> bool:
    """Yes or no; a page's ticked box posts ``on`` (an unticked one posts nothing: no)."""
    if isinstance(value, str) and value.strip().lower() == "on":
        return True
    return bool(yes_no(value))


def _enterprise_ref(value: Any) -> str:
    """An enterprise by its USCC or its record number (looked up by the service)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return text(MAX_ENTERPRISE_REF)(value).upper()


class VisitCreateInput(Input):
    """走访登记: a visit of the recording member's group to an enterprise, with its demands."""

    enterprise: Annotated[int, BeforeValidator(_visit_enterprise)] = Field(
        description="Id of an enterprise assigned to one of the caller's service groups"
    )
    date: Annotated[dt.date, BeforeValidator(_visit_date)] = Field(
        description="Date of the visit, YYYY-MM-DD, not in the future"
    )
    notes: Annotated[str, BeforeValidator(text(MAX_NOTES, required=True)), Field(max_length=MAX_NOTES)] = Field(
        description="What was found"
    )
    participants: Annotated[list[str], BeforeValidator(_usernames)] = Field(
        default_factory=list, description="Usernames of other members of the enterprise's group who took part"
    )
    other_participants: Annotated[str, BeforeValidator(text(MAX_NAMES)), Field(max_length=MAX_NAMES)] = Field(
        "", description="Others who took part (free text)"
    )
    enterprise_contact: Annotated[str, BeforeValidator(text(MAX_CONTACT)), Field(max_length=MAX_CONTACT)] = Field(
        "", description="Who received the group at the enterprise"
    )
    demands: Annotated[list[DemandInput], BeforeValidator(_demands)] = Field(
        default_factory=list,
        description="Demands raised; each becomes a draft matter with source visit",
        max_length=MAX_DEMANDS,
    )


class MemberAddInput(Input):
    """Add an account holding the service_member role to a group (optionally as its 组长)."""

    user: Annotated[str, BeforeValidator(_username), Field(max_length=MAX_USERNAME)]
    is_leader: Annotated[bool, BeforeValidator(_flag)] = False


#: The most accounts or firms one submit of a group's page adds (the chips of one picker).
MAX_BATCH = 50


def _entries(kind: str) -> Any:
    """Several entries of one picker (chips) as a list of distinct texts, in the order given;
    each one is then judged as the single-entry input judges it (the service)."""

    def parse(value: Any) -> list[str]:
        if value is None or value == "":
            items: list[str] = []
        elif isinstance(value, str):
            items = [value]
        elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            items = list(value)
        else:
            raise refuse(_("Give a list."))
        out: list[str] = []
        for item in (v.strip() for v in items):
            if item and item.casefold() not in {o.casefold() for o in out}:
                out.append(item)
        if not out:
            raise refuse(_("Enter a username.") if kind == "user" else _("Choose an enterprise."))
        if len(out) > MAX_BATCH:
            raise refuse(_("At most %(n)d at once.") % {"n": MAX_BATCH})
        return out

    return parse


class MembersAddInput(Input):
    """Add several accounts holding the service_member role to a group at once (the page's
    chips): all or none. ``is_leader`` makes the account added the 组长, with one account only."""

    user: Annotated[list[str], BeforeValidator(_entries("user"))]
    is_leader: Annotated[bool, BeforeValidator(_flag)] = False


class GroupAssignManyInput(Input):
    """Assign several enterprises (credit codes or ids: the page's chips) to one group: all or none."""

    enterprise: Annotated[list[str], BeforeValidator(_entries("enterprise"))]
    group: Annotated[str, BeforeValidator(optional_text(MAX_GROUP_CODE))]


class MemberInput(Input):
    """A member of a group by username: make or unmake its leader, remove it."""

    user: Annotated[str, BeforeValidator(_username), Field(max_length=MAX_USERNAME)]


class GroupAssignInput(Input):
    """Which service group serves an enterprise (``group`` blank: none)."""

    enterprise: Annotated[str, BeforeValidator(_enterprise_ref), Field(max_length=MAX_ENTERPRISE_REF)] = Field(
        description="The enterprise's unified social credit code or id"
    )
    group: Annotated[str | None, BeforeValidator(optional_text(MAX_GROUP_CODE))] = Field(
        None, description="Service group code (sg-01 …); blank: served by none"
    )
