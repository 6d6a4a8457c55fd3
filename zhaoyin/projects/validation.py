"""Cleaning project input — one function shared by the pages, the API and Excel import, so
the same value gets the same verdict on every channel (VAL-01)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind, User
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.validation import MAX_DECIMAL, MAX_LAND_MU, clean_date, clean_decimal
from zhaoyin.enterprises.models import Enterprise, Industry
from zhaoyin.enterprises.selectors import enterprise_list_visible_to
from zhaoyin.projects.choices import AttractionMethod, SourceRegion
from zhaoyin.projects.models import Project
from zhaoyin.projects.selectors import can_create_project_in, staff_in_charge_candidates

#: The fields a project accepts from outside (AC-04: an explicit allow-list).
PROJECT_FIELDS = (
    "name",
    "investor",
    "investor_name",
    "source_region",
    "industry",
    "org_unit",
    "total_investment_wan",
    "construction_content",
    "land_mu",
    "attraction_method",
    "lead_official",
    "staff",
    "first_contact_on",
    "planned_sign_on",
    "planned_start_on",
    "planned_production_on",
)
DATE_FIELDS = ("first_contact_on", "planned_sign_on", "planned_start_on", "planned_production_on")
REQUIRED_FIELDS = ("name", "investor_name", "source_region", "industry", "org_unit", "total_investment_wan")
#: Units that host projects (service groups and talent stations do not).
HOST_UNIT_KINDS = (OrgUnitKind.CITY, OrgUnitKind.COUNTY, OrgUnitKind.PARK, OrgUnitKind.DEPARTMENT)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _line(value: Any, max_length: int) -> str:
    """One line of text: no control characters or line breaks (a pasting accident)."""
    text = "" if value is None else str(value).strip()
    if len(text) > max_length:
        raise ValueError(_("is longer than %(n)d characters") % {"n": max_length})
    if _CONTROL_CHARACTERS.search(text) or "\n" in text or "\r" in text or "\t" in text:
        raise ValueError(_("contains control characters or line breaks"))
    return text


def _paragraph(value: Any, max_length: int) -> str:
    """Free text that may span lines; other control characters are refused."""
    text = "" if value is None else str(value).strip()
    if len(text) > max_length:
        raise ValueError(_("is longer than %(n)d characters") % {"n": max_length})
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
        raise ValueError(_("contains control characters"))
    return text


def _choice(value: Any, values: list[str], labels: Mapping[str, str]) -> str:
    """A choice by its code or by its (translated or Chinese) label."""
    text = str(value).strip()
    if text in values:
        return text
    for code, label in labels.items():
        if text == str(label):
            return code
    raise ValueError(_("is not one of the allowed values"))


def _enterprise(value: Any, acting_user: User | None, current: Project | None) -> Enterprise:
    """An enterprise by its id or its credit code (USCC), among those ``acting_user`` sees.

    One outside the caller's scope is answered exactly like an unknown one (AC-03): the
    registry is not an oracle, and a project cannot link to another county's enterprise.
    Keeping the investor already on ``current`` is always allowed.
    """
    text = str(value).strip()
    visible = Enterprise.objects.all() if acting_user is None else enterprise_list_visible_to(acting_user)
    if current is not None and current.investor_id is not None:
        visible = visible | Enterprise.objects.filter(pk=current.investor_id)
    found: Enterprise | None = None
    if text.isascii() and text.isdigit() and len(text) < 18:
        found = visible.filter(pk=int(text)).first()
    else:
        found = visible.filter(uscc=text.upper()).first()
    if found is None:
        raise ValueError(_("unknown enterprise (give its id or credit code)"))
    return found


def _org_unit(value: Any, acting_user: User | None) -> OrgUnit:
    """A host unit by its code, among those ``acting_user`` may put projects in.

    Unknown, inactive and out-of-scope codes get one answer (AC-03).
    """
    unit = OrgUnit.objects.filter(code=str(value).strip(), is_active=True).first()
    if unit is None or (acting_user is not None and not can_create_project_in(acting_user, unit.path)):
        raise ValueError(_("Choose an org unit within your scope."))
    if unit.kind not in HOST_UNIT_KINDS:
        raise ValueError(_("must be the city, a county, a park or a department"))
    return unit


def _staff(value: Any, acting_user: User | None, current: Project | None) -> User:
    """The staff member in charge, by username, among those ``acting_user`` may choose.

    Keeping the one already in charge of ``current`` is always allowed: an editor may change
    other fields of a project whose staff member a city admin chose from another unit. An
    unknown username and one the caller may not choose get one answer (AC-03: no username
    oracle).
    """
    username = str(value).strip()
    if current is not None and current.staff is not None and current.staff.username == username:
        return current.staff
    found = staff_in_charge_candidates(acting_user).filter(username=username).first()
    if found is None:
        raise ValueError(_("Choose an active staff member or unit administrator of a unit within your scope."))
    return found


def clean_project(
    data: Mapping[str, Any],
    *,
    acting_user: User | None,
    partial: bool = False,
    current: Project | None = None,
) -> dict[str, Any]:
    """Validate and resolve project input; raise ``InvalidInput`` listing every bad field.

    Returns model-ready values (OrgUnit, Industry, Enterprise, User instances, Decimal, date).
    With ``partial`` only the given fields are checked (PATCH); required fields may be left
    out but not emptied. Unknown fields are errors. The references (investor, org unit,
    staff) resolve within ``acting_user``'s scope (``None``: the system, city-wide), and an
    out-of-scope value is answered exactly like an unknown one; ``current`` is the project
    being changed.
    """
    errors: list[dict[str, str]] = []
    out: dict[str, Any] = {}

    def fail(name: str, message: str) -> None:
        errors.append({"field": name, "message": message})

    unknown = sorted(str(k) for k in set(data) - set(PROJECT_FIELDS))
    for name in unknown:
        fail(name, _("Unknown field."))
    for name in REQUIRED_FIELDS:
        if (not partial or name in data) and _blank(data.get(name)):
            fail(name, _("This field is required."))

    for name in PROJECT_FIELDS:
        if name not in data:
            continue
        value = data[name]
        empty = _blank(value)
        if empty and name in REQUIRED_FIELDS:
            continue  # already reported
        try:
            if name in ("name", "investor_name"):
                out[name] = _line(value, 200)
            elif name == "investor":
                out[name] = None if empty else _enterprise(value, acting_user, current)
            elif name == "source_region":
                out[name] = _choice(value, list(SourceRegion.values), {str(k): str(v) for k, v in SourceRegion.choices})
            elif name == "attraction_method":
                out[name] = (
                    AttractionMethod.OTHER.value
                    if empty
                    else _choice(
                        value, list(AttractionMethod.values), {str(k): str(v) for k, v in AttractionMethod.choices}
                    )
                )
            elif name == "industry":
                text = str(value).strip()
                industry = Industry.objects.filter(code=text).first() or Industry.objects.filter(name=text).first()
                if industry is None:
                    raise ValueError(_("unknown industry"))
                out[name] = industry
            elif name == "org_unit":
                out[name] = _org_unit(value, acting_user)
            elif name == "total_investment_wan":
                out[name] = clean_decimal(value, maximum=MAX_DECIMAL)
            elif name == "land_mu":
                out[name] = None if empty else clean_decimal(value, maximum=MAX_LAND_MU)
            elif name == "construction_content":
                out[name] = _paragraph(value, 5000)
            elif name == "lead_official":
                out[name] = _line(value, 60)
            elif name == "staff":
                out[name] = None if empty else _staff(value, acting_user, current)
            elif name in DATE_FIELDS:
                out[name] = None if empty else clean_date(value)
                if name == "first_contact_on" and out[name] is not None:
                    if not (dt.date(1990, 1, 1) <= out[name] <= timezone.localdate()):
                        raise ValueError(_("must be a real past date"))
                elif out[name] is not None and not (dt.date(1990, 1, 1) <= out[name] <= dt.date(2100, 12, 31)):
                    raise ValueError(_("is out of range"))
        except ValueError as exc:
            fail(name, str(exc))
    if errors:
        raise InvalidInput(errors[0]["field"] + ": " + errors[0]["message"], errors)
    return out


def parse_month(value: Any, *, field: str = "month") -> dt.date:
    """The first day of the month from ``YYYY-MM`` text (or a date: its month).

    Anything else raises ``InvalidInput`` naming ``field``.
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.replace(day=1)
    match = _MONTH.match(str(value if value is not None else "").strip())
    if match is not None:
        year, month = int(match.group(1)), int(match.group(2))
        if 1990 <= year <= 2100 and 1 <= month <= 12:
            return dt.date(year, month, 1)
    raise InvalidInput.field(field, _("must be a month in the form YYYY-MM"))
