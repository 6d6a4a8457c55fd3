"""Validation of catalog items and editions: one place for pages, API and demo."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind
from zhaoyin.catalog.models import CatalogItem, CooperationMode, ItemStatus
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.validation import clean_decimal, clean_int
from zhaoyin.enterprises.models import Industry

TEXT_LIMITS: dict[str, int] = {
    "name": 200,
    "construction_content": 5000,
    "market_analysis": 5000,
    "benefit_analysis": 5000,
    "contact_unit": 100,
    "contact_person": 60,
    "contact_phone": 30,
}
REQUIRED = ("name", "industry", "park", "investment_estimate_wan")
ITEM_FIELDS = (*TEXT_LIMITS, "industry", "park", "land_mu", "investment_estimate_wan", "cooperation_mode", "status")


def _industry(value: Any) -> Industry:
    if isinstance(value, Industry):
        return value
    text = str(value).strip()
    found = Industry.objects.filter(code=text).first() or Industry.objects.filter(name=text).first()
    if found is None and text.isdigit():
        found = Industry.objects.filter(pk=int(text)).first()
    if found is None:
        raise ValueError(_("unknown industry"))
    return found


def _park(value: Any) -> OrgUnit:
    if isinstance(value, OrgUnit):
        unit: OrgUnit | None = value
    else:
        text = str(value).strip()
        unit = OrgUnit.objects.filter(code=text).first()
        if unit is None and text.isdigit():
            unit = OrgUnit.objects.filter(pk=int(text)).first()
    if unit is None:
        raise ValueError(_("unknown org unit"))
    if unit.kind not in (OrgUnitKind.PARK, OrgUnitKind.COUNTY):
        raise ValueError(_("must be a park or a county"))
    return unit


def clean_item(data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Cleaned item fields; every problem named by field, raised together as InvalidInput."""
    errors: list[dict[str, str]] = []
    cleaned: dict[str, Any] = {}

    def fail(field: str, message: str) -> None:
        errors.append({"field": field, "message": message})

    unknown = set(data) - set(ITEM_FIELDS)
    for field in sorted(unknown):
        fail(field, _("unknown field"))
    for field in REQUIRED:
        if (not partial and (field not in data or data[field] in (None, ""))) or (
            partial and field in data and data[field] in (None, "")
        ):
            fail(field, _("This field is required."))
    for field, limit in TEXT_LIMITS.items():
        if field not in data or data[field] is None:
            continue
        if not isinstance(data[field], str):
            fail(field, _("must be text"))
            continue
        text = data[field].strip()
        if len(text) > limit:
            fail(field, _("is too long (at most %(limit)d characters)") % {"limit": limit})
        elif field not in REQUIRED or text:
            cleaned[field] = text
    for field, parse in (("industry", _industry), ("park", _park)):
        if data.get(field) not in (None, ""):
            try:
                cleaned[field] = parse(data[field])
            except ValueError as exc:
                fail(field, str(exc))
    for field in ("land_mu", "investment_estimate_wan"):
        if field in data:
            value = data[field]
            if value in (None, ""):
                if field == "land_mu":
                    cleaned[field] = None
                continue
            try:
                cleaned[field] = clean_decimal(value, places=2)
            except ValueError as exc:
                fail(field, str(exc))
    for field, choices in (("cooperation_mode", CooperationMode.values), ("status", ItemStatus.values)):
        if field in data and data[field] not in (None, ""):
            if data[field] not in choices:
                fail(field, _("must be one of: %(choices)s") % {"choices": ", ".join(choices)})
            else:
                cleaned[field] = data[field]
    if errors:
        raise InvalidInput(errors[0]["message"], errors)
    return cleaned


def clean_year(value: Any) -> int:
    """An edition year between 2000 and 2100."""
    try:
        year = clean_int(value)
    except ValueError as exc:
        raise InvalidInput.field("year", str(exc)) from None
    if not 2000 <= year <= 2100:
        raise InvalidInput.field("year", _("must be between 2000 and 2100"))
    return year


def item_ids(values: Any) -> list[int]:
    """A list of distinct item ids in the given order (the edition's order)."""
    if not isinstance(values, list | tuple):
        raise InvalidInput.field("items", _("must be a list of item ids"))
    ids: list[int] = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().isdigit():
            raise InvalidInput.field("items", _("must be a list of item ids"))
        number = int(str(value).strip())
        if number in ids:
            raise InvalidInput.field("items", _("An item is listed twice."))
        ids.append(number)
    found = set(CatalogItem.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if len(found) != len(ids):
        raise InvalidInput.field("items", _("Unknown catalog item."))
    return ids
