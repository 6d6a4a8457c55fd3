"""The city cockpit page (驾驶舱): read-only; every figure links to the records behind it.

Thin view: parse ``year``/``as_of`` (bad → 400 naming the field), read through
``selectors.cockpit_for`` (scoped), shape the chart data for json_script, render.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhaoyin.accounts.request import request_user
from zhaoyin.cockpit import exporting, selectors
from zhaoyin.core.authz import allow
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.export_pages import xlsx_export_response
from zhaoyin.targets.selectors import parse_basis


def _url(name: str, **params: Any) -> str:
    return reverse(name) + "?" + urlencode(params)


def _num(value: Decimal | None, places: str = "0.01") -> float:
    """Chart numbers only (the page's text shows the Decimals); amounts in 亿元 keep the
    pages' 2 decimals (issue 15 item 10), and the charts print them with 2 (``YI_PLACES``)."""
    return float((value or Decimal(0)).quantize(Decimal(places), rounding=ROUND_HALF_UP))


#: Decimals the charts print 亿元 with (cockpit.js ``places``: 1.5 → "1.50").
YI_PLACES = 2
#: Longer official forms the axis labels shorten (the tooltip keeps the full name).
_SHORTER = (("高新技术产业开发区", "高新区"), ("经济技术开发区", "经开区"), ("经济开发区", "经开区"))
#: Characters an axis label keeps before it ends in "…".
LABEL_CHARS = 6
#: The grey of projects on hold or terminated (no light is kept for them).
GREY = "#9ca3af"


def short_label(name: str, limit: int = LABEL_CHARS) -> str:
    """A unit's (or industry's) name short enough for a chart axis: the usual short forms of
    development zones, then at most ``limit`` characters and "…" (淮南高新技术产业开发区 →
    淮南高新区; 寿县新桥国际产业园 → 寿县新桥国际…)."""
    for long, short in _SHORTER:
        name = name.replace(long, short)
    return name if len(name) <= limit + 1 else name[:limit] + "…"


def month_label(month: int) -> str:
    """1 → 1月 (the month axis, in the pages' Chinese form whatever the language)."""
    return f"{month}月"


def _empty(items: list[dict[str, Any]], message: str) -> dict[str, Any]:
    """What an empty chart says instead of drawing blank axes: when it has no item, or only
    zeros (a bar chart of zeros tells nothing)."""
    return {"empty": message} if not any(item["value"] for item in items) else {}


def _chart(kind: str, items: list[dict[str, Any]], empty: str, **spec: Any) -> dict[str, Any]:
    """One chart's spec for cockpit.js; category names get their axis label (``short``)."""
    for item in items:
        item.setdefault("short", short_label(item["name"]))
    return {"kind": kind, **spec, "items": items, **_empty(items, empty)}


def _ranked(row: Any) -> dict[str, int]:
    return {"ranked": 1} if row.excludes else {}


def _charts(c: selectors.Cockpit, year: int, as_of: dt.date) -> dict[str, dict[str, Any]]:
    period = {"year": year, "as_of": as_of.isoformat()}
    units = [r for r in c.progress.items if r.completion is not None]
    funds = _("Funds in place (100M yuan)")
    no_funds = _("No funds in place counted for %(year)s up to this day.") % {"year": year}
    return {
        "units": _chart(
            "bar",
            [
                {
                    "name": r.unit.name,
                    "value": _num((r.completion or Decimal(0)) * 100),
                    # A county ranked without a park of its own lists its own records only.
                    "url": _url("targets:funds", org_unit=r.unit.code, **period, **_ranked(r)),
                }
                for r in units
            ],
            _("No unit in your scope has a funds target for %(year)s.") % {"year": year},
            unit="%",
            series=_("Completion"),
            mark=_num(c.progress.time_progress * 100),
            mark_label=_("Time progress"),
        ),
        "funnel": _chart(
            "hbar",
            [{"name": label, "value": n, "url": _url("projects:list", stage=code)} for code, label, n in c.funnel]
            # On hold and terminated after the main line, grey: they are not going on.
            + [
                {"name": label, "value": n, "url": _url("projects:list", stage=code), "color": GREY}
                for code, label, n in c.stopped
            ],
            _("No projects in your scope yet."),
            series=_("Projects"),
        ),
        "months": _chart(
            "bar",
            [{"name": month_label(m.month), "value": _num(v)} for m, v in c.months],
            no_funds,
            series=funds,
            places=YI_PLACES,
        ),
        "industry": _chart(
            "hbar",
            [
                {"name": name, "value": _num(v), "url": _url("projects:list", industry=code)}
                for code, name, v in c.by_industry
            ],
            no_funds,
            series=funds,
            places=YI_PLACES,
        ),
        "source": _chart(
            "pie",
            [{"name": label, "value": _num(v)} for _code, label, v in c.by_source],
            no_funds,
            series=funds,
            places=YI_PLACES,
        ),
    }


def _talent_charts(t: selectors.TalentPanel) -> dict[str, dict[str, Any]]:
    """The talent panel's charts: every bar opens the list of the records it counts."""
    active = {"status": "active"}
    demands = {"source": "talent_demand", "has_talent": "true"}
    no_talents = _("No active talents in your scope yet.")
    return {
        "talent_tiers": _chart(
            "bar",
            [
                {"name": label, "value": n, "url": _url("talents:list", tier=code, **active)}
                for code, label, n in t.by_tier
            ],
            no_talents,
            series=_("Talents"),
        ),
        "talent_industry": _chart(
            "hbar",
            # Talents without an industry have no list filter: their bar opens nothing.
            [
                {"name": name, "value": n, **({"url": _url("talents:list", industry=code, **active)} if code else {})}
                for code, name, n in t.by_industry
            ],
            no_talents,
            series=_("Talents"),
        ),
        "talent_demands": _chart(
            "hbar",
            [
                {"name": label, "value": n, "url": _url("matters:list", state=code, **demands)}
                for code, label, n in t.demands_by_state
            ],
            _("No talent demands in your scope yet."),
            series=_("Talent demands"),
        ),
    }


def _talent_links(t: selectors.TalentPanel, year: int, as_of: dt.date) -> dict[str, Any]:
    demands = {"source": "talent_demand", "has_talent": "true"}
    return {
        "talents": _url("talents:list", status="active"),
        "new_talents": _url("targets:progress", indicator=selectors.NEW_TALENTS, year=year, as_of=as_of.isoformat()),
        "subsidies": _url("payouts:list", status="paid", year=year),
        "occupancy": reverse("apartments:occupancy"),
        "demands": _url("matters:list", **demands),
        "on_time": _url("matters:list", **demands, closed_on_time="true"),
    }


def _mujun_panel(user: Any) -> tuple[Any, dict[str, Any]]:
    """The 亩均 panel: the latest published run's grade distribution in the user's scope, each
    bar opening that run's results of the grade (None when the user reads no evaluation)."""
    from zhaoyin.mujun import reports
    from zhaoyin.mujun.selectors import READER_ROLES as MU_READERS
    from zhaoyin.mujun.views_reports import grade_chart

    if not user.has_role(*MU_READERS):
        return None, {}
    run = reports.latest_published_run(user)
    if run is None:
        return None, {}
    dist = reports.distribution(user, run, by="county")
    return dist, {"mu_grades": grade_chart(run, dist.total.counts)}


@allow(selectors.READER_ROLES)
@require_GET
def cockpit_page(request: HttpRequest) -> HttpResponse:
    """The cockpit of the user's scope for a year at a day (default: today)."""
    user = request_user(request)
    try:
        year, as_of = selectors.parse_params(
            request.GET.get("year"), request.GET.get("as_of"), today=timezone.localdate()
        )
        basis = parse_basis(request.GET.get("basis"))
    except InvalidInput as exc:
        return render(request, "cockpit/index.html", {"errors": exc.errors}, status=400)
    cockpit = selectors.cockpit_for(user, year=year, as_of=as_of, basis=basis)
    talent = selectors.talent_panel_for(user, year=year, as_of=as_of)
    charts = _charts(cockpit, year, as_of)
    if talent is not None:
        charts |= _talent_charts(talent)
    mujun, mu_charts = _mujun_panel(user)
    charts |= mu_charts
    context = {
        "c": cockpit,
        "city": cockpit.progress.city,
        "year": year,
        "as_of": as_of,
        "charts": charts,
        "talent": talent,
        "mujun": mujun,
        "talent_links": _talent_links(talent, year, as_of) if talent is not None else {},
        "basis": basis,
        "funds_link": _url("targets:progress", indicator=selectors.FUNDS, year=year, as_of=as_of.isoformat(),
                           basis=basis),
        "projects_link": reverse("projects:list"),
        # The list filters by the light stored today: it matches a cockpit of today only.
        "lights_today": as_of == timezone.localdate(),
        "red_link": _url("projects:list", alert="red"),
        "export_link": _url("cockpit:export", year=year, as_of=as_of.isoformat(), basis=basis),
        "yellow_link": _url("projects:list", alert="yellow"),
    }
    return render(request, "cockpit/index.html", context)


@allow(selectors.READER_ROLES)
@require_GET
def cockpit_export(request: HttpRequest) -> HttpResponseBase:
    """The cockpit's figures for the page's year, day and basis as .xlsx (a sheet per panel)."""
    user = request_user(request)
    return xlsx_export_response(
        request,
        write=lambda out: exporting.cockpit_export(acting_user=user, params=request.GET, out=out),
        filename=exporting.export_filename(),
        back_url=reverse("cockpit:index"),
    )
