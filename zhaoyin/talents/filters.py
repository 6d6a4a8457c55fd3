"""The talent list's filters, declared once (``core.filtering``) for the list page, the API
list and the Excel export.

The exact-ID lookup (``id_number``) never compares a number: it computes the keyed blind
index of the number under each document type and matches ``id_index`` (unique, indexed), so
the plain number is neither stored nor searched. The free-text search covers name, employer,
school and major (``Talent.search_text``), never the ID or the phone.
"""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoyin.accounts.filters import org_unit_filter
from zhaoyin.accounts.models import OrgUnit, OrgUnitKind, User
from zhaoyin.accounts.scope import subtree_ids
from zhaoyin.core.filtering import Choice, FilterSet, Ref, Search, Sort, Text
from zhaoyin.core.roles import TALENT_CITY_ROLES, UNIT_ROLES
from zhaoyin.core.search import search_fold
from zhaoyin.enterprises.filters import industry_filter
from zhaoyin.lib.idcard import ID_TYPES, normalise
from zhaoyin.talents.crypto import id_blind_index
from zhaoyin.talents.models import Channel, Education, Talent, TalentStatus, Tier
from zhaoyin.talents.validation import WORK_UNIT_KINDS

_ID_TEXT = re.compile(r"^[0-9A-Z]{5,20}$")


def units_for_filter(user: User) -> list[OrgUnit]:
    """The units offered by the list's unit box: the city's for the city-wide roles and the
    talent office, the user's subtree for unit roles."""
    qs = OrgUnit.objects.filter(is_active=True, kind__in=WORK_UNIT_KINDS).order_by("path")
    if user.has_role(*TALENT_CITY_ROLES):
        return list(qs)
    if user.has_role(*UNIT_ROLES) and user.org_unit is not None:
        return list(qs.filter(pk__in=subtree_ids(user)))
    return []


def station_by_code(code: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(code=code, kind=OrgUnitKind.STATION, is_active=True).first()


def _id_number(text: str) -> str:
    number = normalise(text)
    if not _ID_TEXT.match(number):
        raise ValueError(_("Enter a whole ID number (letters and digits)."))
    return number


def id_lookup_q(number: str) -> Q:
    """The talents whose ID is ``number`` under any document type: one indexed IN on the index."""
    return Q(id_index__in=[id_blind_index(t, number) for t in ID_TYPES])


class TalentFilter(FilterSet):
    """Talents: search, the exact ID number, tier, education, unit (with the units below),
    station, industry, channel, status; sorted by name, arrival or last change."""

    q = Search(fold=search_fold, label=gettext_lazy("Search"), doc="Substring of name, employer, school or major")
    id_number = Text(
        max_length=40,
        clean=_id_number,
        where=id_lookup_q,
        label=gettext_lazy("ID number (exact)"),
        pattern=r"^\s*[0-9A-Za-z]{5,20}\s*$",
        doc="The whole ID number; matched exactly through the blind index",
        attrs={"autocomplete": "off"},
    )
    # ``none``: the talents no recognition has given a tier (the cockpit's "untiered" bar).
    tier = Choice(
        [*Tier.choices, ("none", gettext_lazy("No tier"))],
        where=lambda v: Q(tier="" if v == "none" else v),
        label=gettext_lazy("Tier"),
        blank=gettext_lazy("All tiers"),
        doc="A to E, or none (no recognized tier)",
    )
    education = Choice(Education.choices, label=gettext_lazy("Education"), blank=gettext_lazy("Any education"))
    org_unit = org_unit_filter(units_for_filter, min_options=1)
    station = Ref(
        station_by_code,
        message=gettext_lazy("Unknown talent station code."),
        label=gettext_lazy("Talent station"),
        blank=gettext_lazy("Any station"),
        options=lambda user: [
            (s.code, s.name) for s in OrgUnit.objects.filter(kind=OrgUnitKind.STATION, is_active=True).order_by("name")
        ],
        doc="Org unit code of a talent station",
    )
    industry = industry_filter()
    channel = Choice(Channel.choices, label=gettext_lazy("Source channel"), blank=gettext_lazy("Any channel"))
    status = Choice(TalentStatus.choices, label=gettext_lazy("Status"), blank=gettext_lazy("Any status"))
    order = Sort(
        {"name": "name", "arrival_date": "arrival_date", "updated_at": "updated_at"},
        default="name",
        nullable=frozenset({"arrival_date"}),
    )


def talent_page(qs: QuerySet[Talent], flt: TalentFilter) -> tuple[int, list[Talent]]:
    """The total and the requested page (ids first through the sort index, then the rows with
    their joins: three queries whatever the page). A page past the end is empty."""
    total = qs.count()
    start = (flt.page - 1) * flt.page_size
    if start >= total:
        return total, []
    ids = list(qs.values_list("pk", flat=True)[start : start + flt.page_size])
    rows = {t.pk: t for t in qs.filter(pk__in=ids)}
    return total, [rows[pk] for pk in ids if pk in rows]
