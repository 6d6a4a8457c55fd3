"""The catalog item list's filters, declared once (``core.filtering``) for the page and the
API: ``q`` a substring of the name or the construction content (Chinese needs no case
folding), ``industry`` (code or id), ``park`` (an org unit code)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind
from zhaoyin.accounts.selectors import org_unit_by_code
from zhaoyin.catalog.models import EditionStatus
from zhaoyin.core.filtering import Choice, FilterSet, Integer, Ref, Search
from zhaoyin.enterprises.filters import industry_filter


def _park_options(user: object) -> list[tuple[str, str]]:
    parks = OrgUnit.objects.filter(kind__in=[OrgUnitKind.PARK, OrgUnitKind.COUNTY]).order_by("path")
    return [(u.code, u.name) for u in parks]


class CatalogItemFilter(FilterSet):
    """Catalog items: text, industry, park."""

    q = Search(
        words=False,
        where=lambda text: Q(name__contains=text) | Q(construction_content__contains=text),
        label=_("Search"),
        doc="Substring of the name or the construction content",
    )
    industry = industry_filter()
    park = Ref(
        org_unit_by_code,
        message=_("Unknown org unit code."),
        label=_("Park"),
        blank=_("All parks"),
        options=_park_options,
        doc="Org unit code",
    )
    max_page_size = 500


class CatalogEditionFilter(FilterSet):
    """Catalog editions (issue 16 item 9, the API list): year and status, newest first. A reader
    who does not curate sees published editions only (the selector), whatever the filter."""

    year = Integer(
        message=_("Enter a year from %(low)d to %(high)d."), minimum=2000, maximum=2100,
        label=_("Year"), doc="The edition's year",
    )
    status = Choice(EditionStatus.choices, label=_("Status"), blank=_("All statuses"), doc="Status code")
    order = ("-year", "-pk")
    max_page_size = 500
