"""The project list's filters, declared once (``core.filtering``) for the list page, the API
list and the Excel export. The search is a plain ``contains`` on the folded ``search_text``
column (the services fill it from code, name and investor), which finds Chinese substrings on
every database; ``alert`` is the stored 红黄绿 light."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.filters import org_unit_filter
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.filtering import Boolean, Choice, DecimalRange, FilterSet, Search, Sort, Text
from zhaoyin.core.search import search_fold
from zhaoyin.core.validation import MAX_DECIMAL, clean_decimal
from zhaoyin.enterprises.filters import industry_filter
from zhaoyin.enterprises.selectors import org_units_for_filter
from zhaoyin.projects.choices import AlertLevel, AttractionMethod, SourceRegion, Stage


class ProjectFilter(FilterSet):
    """Projects: search, unit (with the units below), industry, stage, source region,
    attraction method, light, total investment range (万元, inclusive)."""

    q = Search(fold=search_fold, label=_("Search"), doc="Substrings of code, name or investor; all words must occur")
    org_unit = org_unit_filter(org_units_for_filter)
    industry = industry_filter()
    stage = Choice(Stage.choices, label=_("Stage"), blank=_("All stages"), doc="Stage code")
    source_region = Choice(SourceRegion.choices, label=_("Source region"), blank=_("All regions"))
    attraction_method = Choice(AttractionMethod.choices, label=_("Attraction method"), blank=_("All methods"))
    alert = Choice(
        AlertLevel.choices, column="alert_level", label=_("Alert"), blank=_("All lights"), doc="green, yellow or red"
    )
    investment = DecimalRange(
        "min_investment",
        "max_investment",
        parse=lambda text: clean_decimal(text, maximum=MAX_DECIMAL),
        column="total_investment_wan",
        labels=(_("Min. investment (10k yuan)"), _("Max. investment (10k yuan)")),
        doc="Total investment, 万元",
    )
    order = Sort(
        {name: name for name in ("code", "name", "total_investment_wan", "stage_on", "updated_at")},
        default="-updated_at",
        nullable=frozenset({"stage_on"}),
    )


def _month_text(text: str) -> str:
    """A month as ``YYYY-MM`` (the stored first day is ``YYYY-MM-01``)."""
    from zhaoyin.projects.validation import parse_month

    try:
        return parse_month(text).isoformat()
    except (ValueError, InvalidInput):
        raise ValueError(str(_("Enter a month as YYYY-MM."))) from None


class FundQueueFilter(FilterSet):
    """待核查到位资金: the verifier's queue of reported entries — by the project's unit (with the
    units below it), month, and whether the entry carries a plausibility flag."""

    org_unit = org_unit_filter(org_units_for_filter, column="project__org_unit")
    month = Text(
        max_length=7, clean=_month_text, label=_("Month (YYYY-MM)"), pattern=r"^\s*\d{4}-\d{2}\s*$",
        doc="YYYY-MM",
    )
    flagged = Boolean(
        label=_("Flags"), blank=_("Flagged or not"), yes=_("Flagged only"), no=_("Not flagged"),
        where=lambda value: ~Q(flags=[]) if value else Q(flags=[]),
        doc="true: only entries with a plausibility flag; false: only those without",
    )
    order = ("entered_at", "id")
