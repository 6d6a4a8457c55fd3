"""Cleaning enterprise input — one function shared by the forms, the API and Excel import,
so the same value gets the same verdict on every channel (VAL-01)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypedDict, cast

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind, User
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.validation import MAX_LAND_MU, clean_date, clean_decimal, clean_int
from zhaoyin.enterprises.models import Industry, Qualification, SizeClass
from zhaoyin.lib.uscc import UsccError, validate_uscc

#: The fields an enterprise accepts from outside (AC-04: an explicit allow-list).
ENTERPRISE_FIELDS = (
    "name",
    "uscc",
    "org_unit",
    "industry",
    "legal_representative",
    "address",
    "size_class",
    "founded_on",
    "employees",
    "land_mu",
    "qualifications",
    "service_group",
)
FIGURE_DECIMAL_FIELDS = (
    "revenue_wan",
    "tax_wan",
    "output_wan",
    "value_added_wan",
    "energy_tce",
    "emissions_t",
    "rd_wan",
    "electricity_kwh",
)
#: The size class codes (规上 / 规下), as a set for membership tests.
SIZE_CLASS_VALUES: frozenset[str] = frozenset(str(v) for v in SizeClass.values)
USCC_MESSAGES = {
    "USCC_LENGTH": gettext_lazy("a credit code has 18 characters"),
    "USCC_CHARACTERS": gettext_lazy("contains characters a credit code cannot have (I, O, S, V, Z or symbols)"),
    "USCC_CHECKSUM": gettext_lazy("the check character (18th) does not match"),
    "USCC_ORG_CODE": gettext_lazy("the embedded organisation code (characters 9-17) fails its check"),
}


@dataclass
class Lookups:
    """Dictionaries resolved once per request or import, not once per row."""

    units: dict[str, OrgUnit] = field(default_factory=dict)
    industries: dict[str, Industry] = field(default_factory=dict)
    qualifications: dict[str, Qualification] = field(default_factory=dict)

    @classmethod
    def load(cls, user: User | None = None, *, keep: OrgUnit | None = None) -> Lookups:
        """The lookups for ``user``: the host units it may register enterprises in (and
        ``keep``, the unit an enterprise being changed is in already), so a unit outside its
        scope is answered exactly like an unknown code (AC-03); ``None`` is the system.
        Service groups are not scoped: every account that may write enterprises (city
        admin, unit admins, staff) may choose any of them (``selectors.service_groups_for``)."""
        from zhaoyin.enterprises.selectors import can_create_in_unit

        units = {
            u.code: u
            for u in OrgUnit.objects.filter(is_active=True)
            if user is None
            or u.kind == OrgUnitKind.SERVICE_GROUP
            or (keep is not None and u.pk == keep.pk)
            or can_create_in_unit(user, u.path)
        }
        industries: dict[str, Industry] = {}
        for ind in Industry.objects.all():
            industries[ind.code] = ind
            industries[ind.name] = ind
        quals = {q.name: q for q in Qualification.objects.all()}
        return cls(units=units, industries=industries, qualifications=quals)


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _text(value: Any, max_length: int) -> str:
    """One line of text. Control characters are refused: PostgreSQL cannot store NUL, and
    a tab or line break inside a name is a pasting accident, not data."""
    text = "" if value is None else str(value).strip()
    if len(text) > max_length:
        raise ValueError(_("is longer than %(n)d characters") % {"n": max_length})
    if _CONTROL_CHARACTERS.search(text) or "\n" in text or "\r" in text or "\t" in text:
        raise ValueError(_("contains control characters or line breaks"))
    return text


class CleanEnterprise(TypedDict, total=False):
    """An enterprise's cleaned input, model-ready (``clean_enterprise``); a change holds only the
    fields given."""

    name: str
    uscc: str
    org_unit: OrgUnit
    service_group: OrgUnit | None
    industry: Industry
    legal_representative: str
    address: str
    size_class: str
    founded_on: dt.date | None
    employees: int | None
    land_mu: Decimal | None
    qualifications: list[Qualification]


def clean_enterprise(
    data: Mapping[str, Any], *, lookups: Lookups | None = None, partial: bool = False
) -> CleanEnterprise:
    """Validate and resolve enterprise input; raise ``InvalidInput`` listing every bad field.

    Returns model-ready values (OrgUnit/Industry instances, a list of Qualification, Decimal).
    With ``partial`` only the given fields are checked (PATCH).
    """
    lookups = lookups or Lookups.load()
    errors: list[dict[str, str]] = []
    out: dict[str, Any] = {}

    unknown = sorted(set(data) - set(ENTERPRISE_FIELDS))
    for name in unknown:
        errors.append({"field": name, "message": _("Unknown field.")})

    def fail(name: str, message: str) -> None:
        errors.append({"field": name, "message": message})

    required = ("name", "uscc", "org_unit", "industry")
    for name in required:
        # A partial change may leave a required field out, but may not empty it.
        if (not partial or name in data) and (data.get(name) is None or str(data.get(name)).strip() == ""):
            fail(name, _("This field is required."))

    for name in ENTERPRISE_FIELDS:
        if name not in data or name in unknown:
            continue
        value = data[name]
        empty = value is None or (isinstance(value, str) and value.strip() == "")
        try:
            if name == "name":
                if empty:
                    continue
                out[name] = _text(value, 200)
            elif name == "uscc":
                if empty:
                    continue
                if not isinstance(value, str):
                    raise ValueError(_("must be text, not a number (a credit code loses digits as a number)"))
                out[name] = validate_uscc(value)
            elif name == "org_unit":
                if empty:
                    continue
                unit = lookups.units.get(str(value).strip())
                if unit is None:
                    raise ValueError(_("unknown org unit code"))
                if unit.kind in (OrgUnitKind.SERVICE_GROUP, OrgUnitKind.STATION):
                    # Service groups serve enterprises (service_group), they do not host them.
                    raise ValueError(_("must be the city, a county, a park or a department"))
                out[name] = unit
            elif name == "service_group":
                if empty:
                    out[name] = None
                    continue
                group = lookups.units.get(str(value).strip())
                if group is None or group.kind != OrgUnitKind.SERVICE_GROUP:
                    raise ValueError(_("unknown service group code"))
                out[name] = group
            elif name == "industry":
                if empty:
                    continue
                industry = lookups.industries.get(str(value).strip())
                if industry is None:
                    raise ValueError(_("unknown industry"))
                out[name] = industry
            elif name in ("legal_representative",):
                out[name] = _text(value, 60)
            elif name == "address":
                out[name] = _text(value, 200)
            elif name == "size_class":
                text = _text(value, 10) or SizeClass.BELOW.value
                aliases = {"规上": "above", "规下": "below"}
                text = aliases.get(text, text)
                if text not in SIZE_CLASS_VALUES:
                    raise ValueError(_("must be above or below"))
                out[name] = text
            elif name == "founded_on":
                out[name] = None if empty else clean_date(value)
                if out[name] is not None and not (dt.date(1900, 1, 1) <= out[name] <= timezone.localdate()):
                    raise ValueError(_("must be a real past date"))
            elif name == "employees":
                out[name] = None if empty else clean_int(value)
            elif name == "land_mu":
                out[name] = None if empty else clean_decimal(value, maximum=MAX_LAND_MU)
            elif name == "qualifications":
                names = (
                    value
                    if isinstance(value, list | tuple)
                    else [p for p in str(value or "").replace("，", ",").replace("、", ",").split(",")]
                )
                quals = []
                for q in names:
                    q = str(q).strip()
                    if not q:
                        continue
                    if q not in lookups.qualifications:
                        raise ValueError(_("unknown qualification: %(q)s") % {"q": q})
                    quals.append(lookups.qualifications[q])
                out[name] = quals
        except UsccError as exc:
            fail(name, _("Invalid credit code: %(reason)s") % {"reason": USCC_MESSAGES.get(exc.code, str(exc))})
        except ValueError as exc:
            fail(name, str(exc))
    if errors:
        raise InvalidInput(errors[0]["field"] + ": " + errors[0]["message"], errors)
    return cast(CleanEnterprise, out)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def clean_figures(data: Mapping[str, Any], *, clear_empty: bool = False) -> dict[str, Any]:
    """Validate one year of figures (any subset of the figure fields plus ``year``).

    A field left out is not returned (it stays as stored). A field given empty or ``None`` is
    left out too, unless ``clear_empty``: then it is returned as ``None`` so the stored value
    is cleared (the web form, where an emptied box means "no value", and API nulls).
    """
    allowed = {"year", "employees", "source", *FIGURE_DECIMAL_FIELDS}
    errors = [{"field": k, "message": _("Unknown field.")} for k in sorted(set(data) - allowed)]
    out: dict[str, Any] = {}
    if _blank(data.get("year")):
        errors.append({"field": "year", "message": _("This field is required.")})
    else:
        try:
            out["year"] = clean_int(data.get("year"), minimum=1949, maximum=2100)
        except ValueError as exc:
            errors.append({"field": "year", "message": str(exc)})
    for name in (*FIGURE_DECIMAL_FIELDS, "employees"):
        if name not in data:
            continue
        if _blank(data[name]):
            if clear_empty:
                out[name] = None
            continue
        try:
            out[name] = clean_int(data[name]) if name == "employees" else clean_decimal(data[name])
        except ValueError as exc:
            errors.append({"field": name, "message": str(exc)})
    if data.get("source"):
        from zhaoyin.enterprises.models import FigureSource

        if data["source"] not in FigureSource.values:
            errors.append({"field": "source", "message": _("unknown data source")})
        else:
            out["source"] = data["source"]
    if errors:
        raise InvalidInput(errors[0]["field"] + ": " + errors[0]["message"], errors)
    return out
