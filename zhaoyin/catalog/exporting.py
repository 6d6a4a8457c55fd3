"""Excel export of the project catalog list (招商项目册, issue 16 item 2): the page's rows under
the same filter (CatalogItemFilter over the scoped selector, every page), the contact phone
masked as the page masks it; Chinese headers and file name, audited ("catalog_item.export")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhaoyin.accounts.models import User
from zhaoyin.catalog import selectors
from zhaoyin.catalog.filters import CatalogItemFilter
from zhaoyin.core.export_pages import filtered_list_export, timestamped_filename


def item_export(*, acting_user: User, params: Mapping[str, Any], out: IO[bytes]) -> int:
    """The catalog page's rows: name, industry, park, estimate, land, mode, contact, status."""
    columns = [
        (_("Project name"), lambda i: i.name),
        (_("Industry"), lambda i: i.industry.name if i.industry_id else None),
        (_("Park"), lambda i: i.park.name if i.park_id else None),
        (_("Estimated investment (10k yuan)"), lambda i: i.investment_estimate_wan),
        (_("Land (mu)"), lambda i: i.land_mu),
        (_("Cooperation mode"), lambda i: i.get_cooperation_mode_display()),
        (_("Contact"), lambda i: " ".join(p for p in (i.contact_person, selectors.mask_phone(i.contact_phone)) if p)
         or None),
        (_("Status"), lambda i: i.get_status_display()),
    ]
    return filtered_list_export(
        acting_user=acting_user, params=params, filters=CatalogItemFilter,
        queryset=selectors.item_list_visible_to(acting_user), columns=columns, title=_("Project catalog"),
        action="catalog_item.export", widths=[36, 16, 20, 16, 10, 14, 24, 10], out=out,
    )


def export_filename() -> str:
    return timestamped_filename(pgettext("export file", "Project catalog"))
