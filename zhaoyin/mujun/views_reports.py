"""亩均 report pages (issue 14 item 6): the overview at /mujun/ (latest runs, the latest published
run's grade distribution drilling down to its results), the distribution per park and per
county (averages, ranking, 后十名), a run's results of one grade or unit (the drill-down), one
firm over the years (line) with its latest indicators against the benchmarks (radar), the
low-efficiency parcels per park with their Excel export, a run's differentiated lists, and the
bulk action that makes the D-grade firms' rectification matters.

Thin views: parse (a bad parameter → 400 naming it), read through ``reports`` / the scoped
selectors (out of scope → 404), call one service, render.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.accounts.request import request_user
from zhaoyin.core.authz import allow
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.listparams import positive_int
from zhaoyin.core.paging import IdFirstPaginator
from zhaoyin.core.roles import Role
from zhaoyin.lib.mujun import GRADES
from zhaoyin.mujun import consequences, exports, reports, scheme_data
from zhaoyin.mujun.low_efficiency_export import low_efficiency_xlsx
from zhaoyin.mujun.models import MuRun
from zhaoyin.mujun.selectors import (
    EVALUATOR_ROLES,
    READER_ROLES,
    is_evaluator,
    run_get_for_user,
    run_list_visible_to,
)

FIRM_READERS = tuple(READER_ROLES | {Role.ENTERPRISE})
PAGE_SIZE = 50


def _bad(request: HttpRequest, template: str, exc: InvalidInput, context: dict[str, Any] | None = None) -> HttpResponse:
    return render(request, template, {**(context or {}), "errors": exc.errors}, status=400)


def parse_year(raw: str | None, *, required: bool = False) -> int | None:
    """A year 2000–2100 from a query parameter; refusals name ``year``."""
    if raw in (None, ""):
        if required:
            raise InvalidInput.field("year", _("Give the year."))
        return None
    number = positive_int(raw.strip())
    if number is None or not 2000 <= number <= 2100:
        raise InvalidInput.field("year", _("Enter a year between 2000 and 2100."))
    return number


def parse_threshold(raw: str | None) -> Decimal | None:
    """亩均税收 line in 万元/亩 (0 or more); refusals name ``threshold``."""
    if raw in (None, ""):
        return None
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise InvalidInput.field("threshold", _("Enter a number.")) from None
    if not value.is_finite() or value < 0 or value > Decimal("1000000"):
        raise InvalidInput.field("threshold", _("Enter a number from 0 to 1000000."))
    return value


def parse_by(raw: str | None) -> str:
    value = raw or "county"
    if value not in reports.BY_CHOICES:
        raise InvalidInput.field("by", _("Choose park or county."))
    return value


def parse_grade(raw: str | None) -> str | None:
    """A grade A–D, ``none`` for the firms not graded, or nothing; refusals name ``grade``."""
    if raw in (None, ""):
        return None
    if raw == "none":
        return ""
    if raw not in GRADES:
        raise InvalidInput.field("grade", _("Choose a grade A, B, C, D or none."))
    return raw


def _run_param(request: HttpRequest, raw: str | None) -> MuRun | None:
    user = request_user(request)
    if raw in (None, ""):
        return reports.latest_published_run(user)
    number = positive_int(raw.strip())
    if number is None:
        raise InvalidInput.field("run", _("Enter the id of an evaluation run."))
    return run_get_for_user(user=user, pk=number)


def grade_chart(run: MuRun, counts: dict[str, int], **params: Any) -> dict[str, Any]:
    """The grade distribution as a bar chart whose bars open the run's results of that grade."""
    base = reverse("mujun:report_results", kwargs={"pk": run.pk})
    return {
        "kind": "bar", "series": _("Enterprises"),
        "items": [
            {"name": g, "value": counts.get(g, 0), "url": base + "?" + urlencode({"grade": g, **params})}
            for g in GRADES
        ],
    }


@allow(READER_ROLES)
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """/mujun/: the latest runs and the latest published run's grade distribution."""
    user = request_user(request)
    runs = list(run_list_visible_to(user).order_by("-year", "-id")[:10])
    run = reports.latest_published_run(user)
    context: dict[str, Any] = {"runs": runs, "run": run, "charts": {}, "dist": None,
                               "can_rectify": is_evaluator(user)}
    if run is not None:
        dist = reports.distribution(user, run, by="county")
        context["dist"] = dist
        context["charts"] = {"grades": grade_chart(run, dist.total.counts)}
    return render(request, "mujun/reports/overview.html", context)


@allow(READER_ROLES)
@require_GET
def distribution(request: HttpRequest) -> HttpResponse:
    """Per park or county: grades, aggregate 亩均税收 / 亩均营收, ranking, and the 后十名."""
    template = "mujun/reports/distribution.html"
    try:
        by = parse_by(request.GET.get("by"))
        run = _run_param(request, request.GET.get("run"))
    except InvalidInput as exc:
        return _bad(request, template, exc)
    user = request_user(request)
    context: dict[str, Any] = {"by": by, "run": run, "runs": list(reports.public_runs_of(user)[:20]), "dist": None,
                               "charts": {}, "can_rectify": is_evaluator(user)}
    if run is not None:
        dist = reports.distribution(user, run, by=by)
        context["dist"] = dist
        context["charts"] = {"grades": grade_chart(run, dist.total.counts)}
    return render(request, template, context)


@allow(READER_ROLES)
@require_GET
def report_results(request: HttpRequest, pk: int) -> HttpResponse:
    """A run's results of one grade and unit (the drill-down of the charts), paged."""
    user = request_user(request)
    run = run_get_for_user(user=user, pk=pk)
    template = "mujun/reports/results.html"
    try:
        grade = parse_grade(request.GET.get("grade"))
        unit = None
        if request.GET.get("unit"):
            unit = OrgUnit.objects.filter(code=request.GET["unit"]).first()
            if unit is None:
                raise InvalidInput.field("unit", _("unknown org unit code"))
    except InvalidInput as exc:
        return _bad(request, template, exc, {"run": run})
    qs = reports.results_of_run(user, run, grade=grade, unit=unit)
    page = IdFirstPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    names = scheme_data.list_names(run.scheme.definition)
    rows = [(r, names.get(r.list_code, r.list_code)) for r in page.object_list]
    return render(request, template, {"run": run, "page": page, "rows": rows, "grade": grade, "unit": unit})


@allow(FIRM_READERS)
@require_GET
def firm(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """One firm's scores over the years and its latest indicators against the benchmarks; a
    firm the user may not read (another enterprise's, another county's) is 404."""
    user = request_user(request)
    results = reports.firm_results(user, enterprise_id)
    if not results:
        raise Http404
    latest = results[-1]
    names = consequences.indicator_names(latest.run)
    axes = reports.radar(latest, names)
    charts = {
        "scores": {"kind": "line", "series": _("Score"),
                   "items": [{"name": str(r.run.year), "value": float(r.score or 0)} for r in results]},
        "radar": {"kind": "radar", "series": str(latest.run.year), "benchmark": _("Benchmark"),
                  "items": [{"name": a.name, "value": float(a.ratio or 0)} for a in axes]},
    }
    return render(request, "mujun/reports/firm.html", {
        "enterprise": latest.enterprise, "results": results, "latest": latest, "axes": axes, "charts": charts,
    })


@allow(READER_ROLES)
@require_GET
def low_efficiency(request: HttpRequest) -> HttpResponse:
    """低效用地 per park for a year: idle parcels, parcels held only by D-grade firms, and — with a
    threshold — parcels whose 亩均税收 is below it."""
    template = "mujun/reports/low_efficiency.html"
    try:
        year = parse_year(request.GET.get("year"))
        threshold = parse_threshold(request.GET.get("threshold"))
    except InvalidInput as exc:
        return _bad(request, template, exc)
    user = request_user(request)
    if year is None:
        latest = reports.latest_published_run(user)
        year = latest.year if latest is not None else None
    parks = reports.low_efficiency(user, year, threshold=threshold) if year is not None else []
    return render(request, template, {
        "year": year, "threshold": threshold, "parks": parks,
        "total_area": sum((p.area for p in parks), Decimal(0)),
        "export_query": urlencode({k: str(v) for k, v in (("year", year), ("threshold", threshold)) if v is not None}),
    })


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@allow(READER_ROLES)
@require_GET
def low_efficiency_export(request: HttpRequest) -> HttpResponse:
    """The low-efficiency parcels as Excel (the page's filter); a bad filter → 400."""
    try:
        year = parse_year(request.GET.get("year"), required=True)
        threshold = parse_threshold(request.GET.get("threshold"))
    except InvalidInput as exc:
        return _bad(request, "mujun/reports/low_efficiency.html", exc)
    assert year is not None
    built = low_efficiency_xlsx(acting_user=request_user(request), year=year, threshold=threshold)
    return _download(built.content, built.content_type, built.filename)


@allow(READER_ROLES)
@require_GET
def run_export(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """One of a run's lists (差别化电价, 土地使用税, priority, 公示 Excel / PDF) of the user's scope."""
    if kind not in exports.KINDS:
        raise Http404
    user = request_user(request)
    run = run_get_for_user(user=user, pk=pk)
    try:
        built = exports.run_export(acting_user=user, run=run, kind=kind)
    except Conflict as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("mujun:distribution") + "?" + urlencode({"run": run.pk}))
    return _download(built.content, built.content_type, built.filename)


@allow(EVALUATOR_ROLES)
@require_POST
def rectify(request: HttpRequest, pk: int) -> HttpResponse:
    """整改: one matter per D-grade firm of the published run still without one."""
    user = request_user(request)
    run = run_get_for_user(user=user, pk=pk)
    back = reverse("mujun:distribution") + "?" + urlencode({"run": run.pk})
    try:
        created = consequences.rectification_create_bulk(acting_user=user, run=run)
    except Conflict as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(back)
    messages.success(request, _("%(n)d rectification matters registered.") % {"n": len(created)})
    return HttpResponseRedirect(back)
