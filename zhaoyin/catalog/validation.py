"""The references of a catalog item (its industry, its park), looked up by the services; the
values themselves are judged by the input models (``catalog.inputs``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind
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


def industry_by_ref(value: str) -> Industry:
    """An industry by its code, its name or its id; ``ValueError`` when there is none."""
    text = value.strip()
    found = Industry.objects.filter(code=text).first() or Industry.objects.filter(name=text).first()
    if found is None and text.isascii() and text.isdigit():
        found = Industry.objects.filter(pk=int(text)).first()
    if found is None:
        raise ValueError(_("unknown industry"))
    return found


def park_by_ref(value: str) -> OrgUnit:
    """A park or a county by its code or its id; ``ValueError`` when there is none."""
    text = value.strip()
    unit = OrgUnit.objects.filter(code=text).first()
    if unit is None and text.isascii() and text.isdigit():
        unit = OrgUnit.objects.filter(pk=int(text)).first()
    if unit is None:
        raise ValueError(_("unknown org unit"))
    if unit.kind not in (OrgUnitKind.PARK, OrgUnitKind.COUNTY):
        raise ValueError(_("must be a park or a county"))
    return unit
