"""The enterprise list's filters, declared once (``core.filtering``) for the list page, the API
list and the Excel export — and for a policy's enterprises (``matching.selectors``).

The search uses ``contains`` on the folded ``search_text`` column: a plain LIKE that finds
Chinese substrings of any length (2-character terms included) on SQLite and PostgreSQL alike;
``icontains`` would wrap the column in UPPER() and defeat its index. Each filter resolves its
dictionary entry with one query, so the cost of parsing is constant.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.filters import org_unit_filter, service_group_by_code
from zhaoyin.core.filtering import Choice, FilterSet, Ref, Search, Sort
from zhaoyin.core.listparams import positive_int
from zhaoyin.core.search import search_fold
from zhaoyin.enterprises import selectors
from zhaoyin.enterprises.models import Enterprise, Industry, Qualification, SizeClass


def industry_filter() -> Ref[Industry]:
    """An industry by its code or id (the lists of enterprises, projects, payouts, catalog)."""
    return Ref(
        selectors.industry_by_code_or_id,
        message=_("Unknown industry."),
        label=_("Industry"),
        blank=_("All industries"),
        options=lambda user: [(i.code, i.name) for i in selectors.industry_list()],
        doc="Industry code or id",
    )


def _qualification(text: str) -> Qualification | None:
    number = positive_int(text)
    return Qualification.objects.filter(pk=number).first() if number is not None else None


def _with_qualification(qualification: Qualification | None) -> Q:
    assert qualification is not None  # a filter narrows only when given
    # A subquery rather than a join, so an enterprise is never listed twice.
    through = Enterprise.qualifications.through.objects.filter(qualification_id=qualification.pk)
    return Q(pk__in=through.values("enterprise_id"))


class EnterpriseFilter(FilterSet):
    """Enterprises: search, unit (with the units below), industry, size, qualification,
    service group; sorted by name, founding date, employees, land area or last change."""

    q = Search(
        fold=search_fold, label=_("Search"), doc="Substring of name, credit code, legal representative or address"
    )
    org_unit = org_unit_filter(selectors.org_units_for_filter, min_options=1)
    industry = industry_filter()
    size_class = Choice(SizeClass.choices, label=_("Size class"), blank=_("All sizes"), doc="above or below")
    qualification = Ref(
        _qualification,
        message=_("Unknown qualification."),
        where=_with_qualification,
        label=_("Qualification"),
        blank=_("Any qualification"),
        options=lambda user: [(str(q.pk), q.name) for q in selectors.qualification_list()],
        doc="Qualification id",
    )
    service_group = Ref(
        service_group_by_code,
        message=_("Unknown service group code."),
        label=_("Service group"),
        blank=_("All service groups"),
        options=lambda user: [(g.code, g.name) for g in selectors.service_groups_for(user)],
        min_options=2,
        doc="Service group code",
    )
    order = Sort(
        {name: name for name in ("name", "founded_on", "employees", "land_mu", "updated_at")},
        default="name",
        nullable=frozenset({"founded_on", "employees", "land_mu"}),
    )


def enterprise_page(qs: QuerySet[Enterprise], flt: EnterpriseFilter) -> tuple[int, list[Enterprise]]:
    """The total and the requested page of an already filtered queryset (three queries plus the
    qualifications prefetch). A page past the end is empty, not an error (the API's rule).

    The page's ids are read first — an index-only walk of the sort index — and only those rows
    are then loaded with their joins; a plain OFFSET would join every skipped row, which costs
    hundreds of milliseconds on deep pages at province scale.
    """
    total = qs.count()
    start = (flt.page - 1) * flt.page_size
    if start >= total:
        return total, []
    ids = list(qs.values_list("pk", flat=True)[start : start + flt.page_size])
    rows = {e.pk: e for e in qs.filter(pk__in=ids).prefetch_related("qualifications")}
    return total, [rows[pk] for pk in ids if pk in rows]
