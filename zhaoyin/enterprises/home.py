"""The enterprises' entries on the business home page (registered with ``core.home``):
four KPI cards and the chart of enterprises by industry, counted through the scoped selector
in two queries whatever the data size."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.models import User
from zhaoyin.core.home import HomePart, Kpi, reachable
from zhaoyin.enterprises.selectors import enterprise_list_visible_to

#: How many industries the chart names one by one; the rest are summed as "Other".
CHART_TOP_INDUSTRIES = 12


def home_part(user: User, roles: frozenset[str]) -> HomePart:
    """The cards (enterprises in scope, emerging industries, above designated size, industries)
    and the bar chart by industry, each bar linking to the filtered list."""
    qs = enterprise_list_visible_to(user).order_by()
    list_url = reachable("enterprises:list", roles)
    # One aggregate query for the cards, one grouped query for the chart.
    totals = qs.aggregate(
        total=Count("id"),
        emerging=Count("id", filter=Q(industry__emerging=True)),
        above=Count("id", filter=Q(size_class="above")),
    )
    rows = list(
        qs.values("industry_id", "industry__name")
        .annotate(n=Count("id"))
        .order_by("-n", "industry__name")
    )
    kpis = [
        Kpi(_("Enterprises in scope"), totals["total"] or 0, "buildings", list_url),
        Kpi(_("In emerging industries"), totals["emerging"] or 0, "lightning-charge"),
        Kpi(_("Above designated size"), totals["above"] or 0, "graph-up-arrow"),
        Kpi(_("Industries covered"), len(rows), "diagram-3"),
    ]
    top, rest = rows[:CHART_TOP_INDUSTRIES], rows[CHART_TOP_INDUSTRIES:]
    items = [
        {
            "name": r["industry__name"],
            "value": r["n"],
            "url": f"{list_url}?industry={r['industry_id']}" if list_url else "",
        }
        for r in top
    ]
    if rest:
        items.append({"name": str(_("Other")), "value": sum(r["n"] for r in rest), "url": ""})
    chart = {
        "kind": "bar",
        "title": str(_("Enterprises by industry")),
        "series": str(_("Enterprises")),
        "items": items,
        "empty": str(_("No enterprises in your scope yet.")),
    }
    return HomePart(kpis=kpis, chart=chart)
