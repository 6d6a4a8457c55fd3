"""Excel exports of the talent-apartment lists (issue 16 item 2): units, applications and
tenancies, each exactly its page's rows under the same filter (the page's FilterSet over its
scoped selector, every page), Chinese headers and file names, audited ("apartment_*.export")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from zhaoyin.accounts.models import User
from zhaoyin.apartments import selectors
from zhaoyin.apartments.filters import ApplicationFilter, TenancyFilter, UnitFilter
from zhaoyin.core.export_pages import filtered_list_export, timestamped_filename


def unit_export(*, acting_user: User, params: Mapping[str, Any], out: IO[bytes]) -> int:
    """The units page's rows: building, number, layout, area, rent, state."""
    columns = [
        (_("Building"), lambda u: u.building.name),
        (_("Unit number"), lambda u: u.number),
        (_("Layout"), lambda u: u.get_layout_display()),
        (_("Area (m²)"), lambda u: u.area_m2),
        (_("Monthly rent (yuan)"), lambda u: u.monthly_rent),
        (_("State"), lambda u: u.get_state_display()),
    ]
    return filtered_list_export(
        acting_user=acting_user, params=params, filters=UnitFilter,
        queryset=selectors.unit_list_visible_to(acting_user), columns=columns, title=_("Apartment units"),
        action="apartment_unit.export", text_columns=frozenset({1}), widths=[24, 12, 14, 12, 14, 10], out=out,
    )


def application_export(*, acting_user: User, params: Mapping[str, Any], out: IO[bytes]) -> int:
    """The applications page's rows, with each waiting one's place on the whole waitlist."""
    positions = selectors.waitlist_positions(acting_user)
    columns = [
        (_("Talent"), lambda a: a.talent.name),
        (_("Tier"), lambda a: a.talent.tier or None),
        (_("Preferred layout"), lambda a: a.get_preferred_layout_display() or _("Any layout")),
        (_("State"), lambda a: a.get_state_display()),
        (_("Place on the waitlist"), lambda a: positions.get(a.pk)),
        (_("Unit"), lambda a: f"{a.unit.building.name} {a.unit.number}" if a.unit else None),
        (_("Submitted"), lambda a: a.submitted_at),
    ]
    return filtered_list_export(
        acting_user=acting_user, params=params, filters=ApplicationFilter,
        queryset=selectors.application_list_visible_to(acting_user), columns=columns,
        title=_("Apartment applications"), action="apartment_application.export",
        widths=[14, 8, 14, 10, 10, 24, 18], out=out,
    )


def tenancy_export(*, acting_user: User, params: Mapping[str, Any], out: IO[bytes]) -> int:
    """The tenancies page's rows: talent, unit, term, rent payable, state."""
    columns = [
        (_("Talent"), lambda t: t.talent.name),
        (_("Unit"), lambda t: f"{t.unit.building.name} {t.unit.number}"),
        (_("Start"), lambda t: t.start),
        (_("End"), lambda t: t.end),
        (_("Rent payable (yuan/month)"), lambda t: t.rent_payable),
        (_("State"), lambda t: t.get_state_display()),
    ]
    return filtered_list_export(
        acting_user=acting_user, params=params, filters=TenancyFilter,
        queryset=selectors.tenancy_list_visible_to(acting_user), columns=columns, title=_("Tenancies"),
        action="tenancy.export", widths=[14, 24, 12, 12, 16, 10], out=out,
    )


#: Each list's export: (use case, file name's list name).
EXPORTS = {
    "units": (unit_export, pgettext_lazy("export file", "Apartment units")),
    "applications": (application_export, pgettext_lazy("export file", "Apartment applications")),
    "tenancies": (tenancy_export, pgettext_lazy("export file", "Tenancies")),
}


def export_filename(kind: str) -> str:
    return timestamped_filename(str(EXPORTS[kind][1]))
