"""Cleaning talent input: the ID document, phone and e-mail, and the references a talent
names (org unit, station, industry, employer), looked up within the acting user's scope so
that an out-of-scope reference is answered exactly like an unknown one (AC-03).

Shared by the input models (``inputs``), the services (the checks across fields and the
references) and the Excel import, so a value gets one verdict on every channel (VAL-01).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind, User
from zhaoyin.core.errors import Errors
from zhaoyin.core.roles import TALENT_CITY_ROLES, UNIT_ROLES, Role
from zhaoyin.enterprises.models import Enterprise, Industry
from zhaoyin.lib.idcard import IdFacts, IdNumberError, normalise, parse_id

#: The messages of ``lib.idcard``'s codes; each completes "ID number: …".
ID_MESSAGES: dict[str, Any] = {
    "LENGTH": gettext_lazy("has the wrong length for this kind of document"),
    "CHARACTERS": gettext_lazy("contains characters this kind of document cannot have"),
    "AREA": gettext_lazy("does not begin with a valid area code"),
    "BIRTH_DATE": gettext_lazy("does not contain a valid birth date"),
    "CHECK_DIGIT": gettext_lazy("the check character (the last one) does not match: check the number"),
    "PREFIX": gettext_lazy("does not begin as this kind of document does"),
    "TYPE": gettext_lazy("unknown kind of ID document"),
}
#: Units a talent may work in (a station attributes a talent; it is not where one works).
WORK_UNIT_KINDS = (OrgUnitKind.CITY, OrgUnitKind.COUNTY, OrgUnitKind.PARK, OrgUnitKind.DEPARTMENT)
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{4,18}[0-9]$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
MAX_SOCIAL_MONTHS = 600


def id_facts(id_type: str, number: str, *, today: dt.date | None = None) -> tuple[str, IdFacts]:
    """The normalised number and what it says, or ``ValueError`` with the reason in words."""
    try:
        facts = parse_id(id_type, number, today=today or timezone.localdate())
    except IdNumberError as exc:
        raise ValueError(str(ID_MESSAGES.get(exc.code, ID_MESSAGES["CHARACTERS"]))) from None
    return normalise(number), facts


def clean_phone(value: str) -> str:
    """A phone number: digits, with an optional leading + and spaces or dashes inside."""
    if value and not _PHONE.match(value):
        raise ValueError(_("Enter a phone number (digits, optionally + and dashes)."))
    return value


def clean_email(value: str) -> str:
    if value and not _EMAIL.match(value):
        raise ValueError(_("Enter an e-mail address."))
    return value


def not_future(value: dt.date | None) -> dt.date | None:
    if value is not None and value > timezone.localdate():
        raise ValueError(_("must not be in the future"))
    return value


# --------------------------------------------------------------------------- scope of references


def may_place_in(user: User | None, unit: OrgUnit) -> bool:
    """Whether ``user`` may register a talent (or move one) into ``unit``: the talent office
    and the city admin anywhere, unit editors within their subtree; None is the system."""
    if user is None:
        return True
    if user.has_role(Role.CITY_ADMIN, Role.TALENT_OFFICE):
        return True
    if not user.has_role(*UNIT_ROLES) or user.org_unit is None:
        return False
    return unit.path.startswith(user.org_unit.path)


def employers_for(user: User | None) -> Q:
    """The enterprises a user may name as an employer: every one for the talent office and the
    city-wide roles (an employer's name is part of a talent's record, and the talent office
    reads no 招商 records otherwise), the enterprises of their scope for unit roles."""
    if user is None or user.has_role(*TALENT_CITY_ROLES):
        return Q()
    from zhaoyin.enterprises.selectors import enterprise_scope_q

    return enterprise_scope_q(user)


@dataclass
class TalentLookups:
    """The dictionaries a talent's references are resolved in, loaded once per request or import."""

    user: User | None = None
    units: dict[str, OrgUnit] = field(default_factory=dict)
    stations: dict[str, OrgUnit] = field(default_factory=dict)
    industries: dict[str, Industry] = field(default_factory=dict)

    @classmethod
    def load(cls, user: User | None, *, keep: OrgUnit | None = None) -> TalentLookups:
        """Units ``user`` may place talents in (and ``keep``, a changed talent's own unit),
        every active station, every industry (by code and by name)."""
        units: dict[str, OrgUnit] = {}
        stations: dict[str, OrgUnit] = {}
        for unit in OrgUnit.objects.filter(is_active=True):
            if unit.kind == OrgUnitKind.STATION:
                stations[unit.code] = unit
                continue
            kept = keep is not None and unit.pk == keep.pk
            if unit.kind in WORK_UNIT_KINDS and (kept or may_place_in(user, unit)):
                units[unit.code] = unit
        industries: dict[str, Industry] = {}
        for industry in Industry.objects.all():
            industries[industry.code] = industry
            industries[industry.name] = industry
        return cls(user=user, units=units, stations=stations, industries=industries)

    def employer(self, ref: str) -> Enterprise | None:
        """The enterprise named by its id or credit code, if ``user`` may name it."""
        text = ref.strip().upper()
        condition = Q(pk=int(text)) if text.isascii() and text.isdigit() and len(text) < 12 else Q(uscc=text)
        return Enterprise.objects.filter(condition).filter(employers_for(self.user)).first()


def resolve_references(values: Mapping[str, Any], lookups: TalentLookups, errors: Errors) -> dict[str, Any]:
    """The references among ``values`` as model values (``org_unit`` → the unit …); each unknown
    or out-of-scope one named in ``errors`` in the same words."""
    out: dict[str, Any] = {}
    if "org_unit" in values:
        unit = lookups.units.get(values["org_unit"] or "")
        if unit is None:
            errors.add("org_unit", _("Unknown org unit code."))
        out["org_unit"] = unit
    if "station" in values:
        ref = values["station"]
        station = lookups.stations.get(ref) if ref else None
        if ref and station is None:
            errors.add("station", _("Unknown talent station code."))
        out["station"] = station
    if "industry" in values:
        ref = values["industry"]
        industry = lookups.industries.get(ref) if ref else None
        if ref and industry is None:
            errors.add("industry", _("Unknown industry."))
        out["industry"] = industry
    if "employer" in values:
        ref = values["employer"]
        employer = lookups.employer(ref) if ref else None
        if ref and employer is None:
            errors.add("employer", _("Unknown employer (give the enterprise's id or credit code)."))
        out["employer"] = employer
    return out
