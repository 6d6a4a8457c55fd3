"""亩均 run pages: the runs (list, a new run from a scheme), a run (its results table with
filters and paging, the steps of ``RUN_TABLE`` the user may take, the 公示's dates, the grade
changes and objections panels, the flowchart), a firm's result (every indicator with its value,
benchmark, weight, points and the formula in words), and the portal's pages for an enterprise
(its results in public runs, the objection form during the 公示).

Thin views: parse, fetch through a selector (404 out of scope), call one service, render.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Protocol

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhaoyin.accounts.request import request_user
from zhaoyin.core import files as files_core
from zhaoyin.core.authz import allow
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.flowchart import table_svg
from zhaoyin.core.forms import FilterBarForm
from zhaoyin.core.listparams import MAX_PAGE_SIZE
from zhaoyin.core.paging import IdFirstPaginator
from zhaoyin.lib import mujun
from zhaoyin.mujun import flow, scheme_data, selectors, services
from zhaoyin.mujun.filters_runs import ResultFilter
from zhaoyin.mujun.flow import RUN_TABLE, Action, State
from zhaoyin.mujun.inputs import (
    AnswerInput,
    GradeDecideInput,
    GradeProposeInput,
    ObjectionInput,
    RunCreateInput,
    StepInput,
)
from zhaoyin.mujun.models import GRADE_CHOICES, MuGradeChange, MuObjection, MuObjectionFile, MuResult, MuRun

PAGE_SIZES = f"20,50,100,{MAX_PAGE_SIZE}"
EVALUATORS = selectors.EVALUATOR_ROLES
#: Who reads a firm's result page: the internal readers (scoped) and the firm itself.
RESULT_READERS = selectors.READER_ROLES | selectors.PORTAL_ROLES
FILES_FIELD = "files"
#: The unit of each figure, for the formula in words (万元/亩 …).
FIGURE_UNITS: dict[str, str] = {
    "tax": "万元", "revenue": "万元", "value_added": "万元", "energy": "吨标煤", "emissions": "吨",
    "pollution_rights": "吨", "electricity": "万千瓦时", "rd": "万元", "employees": "人", "tech_investment": "万元",
    "land_mu": "亩",
}


def figure_name(code: str) -> str:
    """A figure's name as the bureaus write it (实缴税金), from ``lib.mujun.FIGURES``."""
    return mujun.FIGURES.get(code, code).split(" (")[0].split(" — ")[0]


def flowchart_svg() -> str:
    """The run flowchart drawn from the table, labels in the active language."""
    return table_svg(RUN_TABLE, title=_("Land-efficiency evaluation run"), id_prefix="mu-run-flow")


def _errors(exc: InvalidInput) -> list[dict[str, str]]:
    return exc.errors or [{"field": "", "message": str(exc.detail)}]


class Redisplay(Protocol):
    """Draws the page again with the refusal of a step."""

    def __call__(self, *, problems: list[dict[str, str]], status: int) -> HttpResponse: ...


def _take(request: HttpRequest, run: Callable[[], None], ok_message: str, back: str,
          redisplay: Redisplay) -> HttpResponse:
    """One service call for a page: back to ``back`` on success, the page again with the
    refusal (400 / 403 / 409) otherwise."""
    try:
        run()
    except InvalidInput as exc:
        return redisplay(problems=_errors(exc), status=400)
    except Conflict as exc:
        return redisplay(problems=[{"field": "", "message": str(exc)}], status=409)
    except PermissionDenied as exc:
        return redisplay(problems=[{"field": "", "message": str(exc) or _("You do not have permission to do this.")}],
                         status=403)
    messages.success(request, ok_message)
    return HttpResponseRedirect(back)


# ---- runs ---------------------------------------------------------------------------------------


@allow(selectors.READER_ROLES)
@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    """Every run, latest first, with its scheme, state, firms and 公示 dates."""
    user = request_user(request)
    rows = list(selectors.run_list_visible_to(user)[:200])
    return render(request, "mujun/runs/list.html", {"rows": rows, "can_run": selectors.is_evaluator(user)})


def _schemes(user: Any) -> list[Any]:
    return list(selectors.scheme_list_visible_to(user))


@allow(EVALUATORS)
@require_http_methods(["GET", "POST"])
def run_create(request: HttpRequest) -> HttpResponse:
    """初评: pick a scheme and run it over its year's inputs (a scheme that does not validate
    stays on the page with each field named, 400)."""
    user = request_user(request)
    context: dict[str, Any] = {"schemes": _schemes(user), "problems": [], "chosen": request.POST.get("scheme", "")}
    if request.method != "POST":
        return render(request, "mujun/runs/new.html", context)
    status = 400
    try:
        data = RunCreateInput.parse({"scheme": request.POST.get("scheme", "")})
        created = services.run_create(acting_user=user, data=data)
    except InvalidInput as exc:
        context["problems"] = _errors(exc)
    except Conflict as exc:
        context["problems"], status = [{"field": "", "message": str(exc)}], 409
    else:
        messages.success(request, _("The evaluation has been run."))
        return HttpResponseRedirect(reverse("mujun:run_detail", args=[created.pk]))
    return render(request, "mujun/runs/new.html", context, status=status)


def indicator_columns(run: MuRun) -> list[str]:
    """The indicator codes of the run's lists, in the scheme's order, each once."""
    seen: list[str] = []
    for marks in (run.benchmarks or {}).values():
        for code in marks:
            if code not in seen:
                seen.append(code)
    return seen


def _cells(result: MuResult, columns: list[str]) -> list[tuple[str | None, str | None]]:
    by_code = {row[0]: (row[2], row[5]) for row in result.indicators}
    return [by_code.get(code, (None, None)) for code in columns]


def _detail(request: HttpRequest, run: MuRun, *, problems: list[dict[str, str]] | None = None,
            status: int = 200) -> HttpResponse:
    user = request_user(request)
    held = selectors.actors_of(user, run)
    rows_from = RUN_TABLE.manual_rows_from(run.state, held)
    actions = [r for r in rows_from if not (r.has(flow.OBJECTION_ROUTE) or r.has(flow.GRADE_ROUTE))]
    form = FilterBarForm(request.GET, filters=ResultFilter, user=user)
    list_names = scheme_data.list_names(run.scheme.definition)
    form.offer("list", list_names.items())
    columns = indicator_columns(run)
    names = _indicator_names(run)
    context: dict[str, Any] = {
        "run": run, "actions": actions, "form": form, "page_obj": None, "page_sizes": PAGE_SIZES,
        "columns": columns, "column_names": [(code, names.get(code, code)) for code in columns],
        "list_labels": list(list_names.items()),
        "problems": problems or [], "grades": GRADE_CHOICES,
        "may_propose": any(r.action == Action.PROPOSE_GRADE for r in rows_from),
        "may_decide": any(r.action == Action.APPROVE_GRADE for r in rows_from),
        "may_answer": any(r.action == Action.UPHOLD for r in rows_from),
        "changes": list(MuGradeChange.objects.filter(run=run).select_related(
            "result__enterprise", "proposed_by", "decided_by").order_by("-proposed_at", "-pk")[:100]),
        "objections": list(selectors.objection_list_visible_to(user).filter(run=run).select_related(
            "answered_by").prefetch_related("files").order_by("-submitted_at", "-pk")[:100]),
        "figures": [(code, figure_name(code)) for code in mujun.FIGURES],
        # The SVG is generated from the code's own table (core.flowchart escapes every label).
        "svg": mark_safe(flowchart_svg()),  # noqa: S308
    }
    if not form.is_valid() or form.filter is None:
        return render(request, "mujun/runs/detail.html", context, status=400)
    flt = form.filter
    qs = flt.apply(selectors.result_list_visible_to(user, run).defer("figures", "adjustments"))
    count = selectors.result_count(user, run, qs, filtered=flt.is_filtered)
    page = IdFirstPaginator(qs, flt.page_size, count=count).get_page(flt.page)
    context.update(page_obj=page, filter=flt, rows=[(r, _cells(r, columns)) for r in page.object_list])
    return render(request, "mujun/runs/detail.html", context, status=status)


@allow(selectors.READER_ROLES)
@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One run: the results (filters, paging), the steps, 调档 and 异议, the flowchart."""
    return _detail(request, selectors.run_get_for_user(user=request_user(request), pk=pk))


@allow(RESULT_READERS)
@require_GET
def run_open(request: HttpRequest, pk: int) -> HttpResponse:
    """The notices' link: the run's page for staff, the firm's own results for a portal account."""
    user = request_user(request)
    selectors.run_get_for_user(user=user, pk=pk)
    if user.has_role(*selectors.READER_ROLES):
        return HttpResponseRedirect(reverse("mujun:run_detail", args=[pk]))
    return HttpResponseRedirect(reverse("mujun:mine"))


def _redisplay_run(request: HttpRequest, pk: int) -> Redisplay:
    user = request_user(request)

    def redisplay(*, problems: list[dict[str, str]], status: int) -> HttpResponse:
        return _detail(request, selectors.run_get_for_user(user=user, pk=pk), problems=problems, status=status)

    return redisplay


@allow(EVALUATORS)
@require_POST
def run_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """A step of the table (recompute, start_publicity, publish, discard)."""
    user = request_user(request)
    run = selectors.run_get_for_user(user=user, pk=pk)
    redisplay = _redisplay_run(request, pk)
    if action not in flow.STEP_ACTIONS:
        return redisplay(problems=[{"field": "action", "message": _("Unknown action.")}], status=400)

    def call() -> None:
        data = StepInput.parse({k: request.POST.get(k, "") for k in ("note", "version")})
        services.run_step(acting_user=user, run=run, action=action, data=data)

    return _take(request, call, _("Done: %(action)s.") % {"action": flow.ACTION_LABELS[Action(action)]},
                 reverse("mujun:run_detail", args=[pk]), redisplay)


@allow(EVALUATORS)
@require_POST
def grade_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """提出调档 for one firm's result of the run."""
    user = request_user(request)
    run = selectors.run_get_for_user(user=user, pk=pk)

    def call() -> None:
        fields = ("result", "to_grade", "reason", "version")
        data = GradeProposeInput.parse({k: request.POST.get(k, "") for k in fields})
        services.grade_change_propose(acting_user=user, run=run, data=data)

    return _take(request, call, _("The grade change has been proposed; another evaluator decides it."),
                 reverse("mujun:run_detail", args=[pk]), _redisplay_run(request, pk))


@allow(EVALUATORS)
@require_POST
def grade_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """同意 / 不同意调档 (four-eyes: not by the proposer)."""
    user = request_user(request)
    change = MuGradeChange.objects.filter(
        pk=pk, run__in=selectors.run_list_visible_to(user)).select_related("run").first()
    if change is None:
        raise Http404
    redisplay = _redisplay_run(request, change.run_id)
    if action not in (Action.APPROVE_GRADE, Action.REJECT_GRADE):
        return redisplay(problems=[{"field": "action", "message": _("Unknown action.")}], status=400)

    def call() -> None:
        data = GradeDecideInput.parse({"note": request.POST.get("note", "")})
        services.grade_change_decide(acting_user=user, change=change, action=action, data=data)

    return _take(request, call, _("Done: %(action)s.") % {"action": flow.ACTION_LABELS[Action(action)]},
                 reverse("mujun:run_detail", args=[change.run_id]), redisplay)


def posted_corrections(request: HttpRequest) -> dict[str, str]:
    """The corrections of the answer form: pairs of ``figure`` and ``value`` (blank pairs
    skipped); the input model judges them."""
    out: dict[str, str] = {}
    for figure, value in zip(request.POST.getlist("figure"), request.POST.getlist("value"), strict=False):
        if figure.strip() or value.strip():
            out[figure.strip()] = value.strip()
    return out


@allow(EVALUATORS)
@require_POST
def objection_answer(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """异议成立 (with the corrected figures: the run is computed again) or 不成立."""
    user = request_user(request)
    objection = selectors.objection_list_visible_to(user).filter(pk=pk).first()
    if objection is None:
        raise Http404
    redisplay = _redisplay_run(request, objection.run_id)
    if action not in (Action.UPHOLD, Action.DISMISS):
        return redisplay(problems=[{"field": "action", "message": _("Unknown action.")}], status=400)

    def call() -> None:
        data = AnswerInput.parse({"reason": request.POST.get("reason", ""), "version": request.POST.get("version", ""),
                                  "corrections": posted_corrections(request)})
        services.objection_answer(acting_user=user, objection=objection, action=action, data=data)

    return _take(request, call, _("Done: %(action)s.") % {"action": flow.ACTION_LABELS[Action(action)]},
                 reverse("mujun:run_detail", args=[objection.run_id]), redisplay)


@allow(selectors.READER_ROLES)
@require_GET
def objection_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An objection's evidence (scoped like the objection, audited)."""
    user = request_user(request)
    file = MuObjectionFile.objects.filter(
        pk=pk, objection__in=selectors.objection_list_visible_to(user)).first()
    if file is None:
        raise Http404
    try:
        handle = services.objection_file_open(acting_user=user, file=file)
    except OSError:
        raise Http404 from None
    return files_core.attachment_response(handle, filename=file.original_name, content_type=file.content_type)


# ---- a firm's result ----------------------------------------------------------------------------


def _number(text: str | None) -> str:
    """A stored decimal as written for people (trailing zeros dropped: 120.5, 35)."""
    if text is None:
        return "—"
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    return f"{value.normalize():f}"


def capped(value: Any, benchmark: Any, weight: Any, points: Any) -> bool:
    """Whether the scheme's cap (封顶) cut the points: value ÷ benchmark × weight, at the
    engine's places, is above the points the firm got."""
    if value is None or points is None or not benchmark or Decimal(str(benchmark)) <= 0:
        return False
    # The engine's own arithmetic (value × (weight ÷ benchmark)), so no rounding differs.
    uncapped = Decimal(str(value)) * (Decimal(str(weight)) / Decimal(str(benchmark)))
    return uncapped.quantize(mujun.POINT_PLACES, rounding=ROUND_HALF_UP) > Decimal(str(points))


def explain(result: MuResult, names: dict[str, str]) -> list[dict[str, Any]]:
    """Each indicator of ``result`` as a firm checks it: its name, the formula in words with the
    firm's numbers (亩均税收 = 实缴税金 ÷ 用地面积 = 120.5 ÷ 35 = 3.4429 万元/亩), the benchmark,
    weight and points."""
    out = []
    for code, formula, value, benchmark, weight, points, note in result.indicators:
        terms = [t.strip() for t in formula.split("/")]
        num, den = ([*terms, "", ""])[:2]
        unit = f"{FIGURE_UNITS.get(num, '')}/{FIGURE_UNITS.get(den, '')}"
        figures = result.figures or {}
        name = names.get(code, code)
        words = f"{name} = {figure_name(num)} ÷ {figure_name(den)}"
        if num in figures and den in figures:
            words += f" = {_number(figures[num])} ÷ {_number(figures[den])}"
        words += f" = {_number(value)} {unit}" if value is not None else " = —"
        out.append({"code": code, "name": name, "words": words, "value": value, "benchmark": benchmark,
                    "weight": weight, "points": points, "note": note,
                    "capped": capped(value, benchmark, weight, points)})
    return out


def _indicator_names(run: MuRun) -> dict[str, str]:
    names: dict[str, str] = {}
    for lst in (run.scheme.definition or {}).get("lists", []):
        for ind in lst.get("indicators", []) if isinstance(lst, dict) else []:
            if isinstance(ind, dict) and isinstance(ind.get("code"), str):
                names.setdefault(ind["code"], str(ind.get("name") or ind["code"]))
    return names


def _result_page(request: HttpRequest, result: MuResult, *, problems: list[dict[str, str]] | None = None,
                 status: int = 200) -> HttpResponse:
    user = request_user(request)
    run = result.run
    portal = not user.has_role(*selectors.READER_ROLES)
    may_object = portal and run.state == State.PUBLICITY and Action.OBJECT in {
        r.action for r in RUN_TABLE.manual_rows_from(run.state, selectors.actors_of(
            user, run, enterprise_id=result.enterprise_id))}
    held = selectors.actors_of(user, run) if not portal else frozenset()
    may_propose = bool(result.initial_grade) and Action.PROPOSE_GRADE in {
        r.action for r in RUN_TABLE.manual_rows_from(run.state, held)}
    return render(request, "mujun/runs/result.html", {
        "result": result, "run": run, "portal": portal, "rows": explain(result, _indicator_names(run)),
        "list_name": scheme_data.list_names(run.scheme.definition).get(result.list_code, result.list_code),
        "may_propose": may_propose, "grades": GRADE_CHOICES,
        "may_object": may_object and (run.publicity_end is None or services.today() <= run.publicity_end),
        "objections": list(MuObjection.objects.filter(result=result).order_by("-submitted_at", "-pk"))
        if not portal or result.enterprise_id == user.enterprise_id else [],
        "problems": problems or [],
    }, status=status)


def _result_for(request: HttpRequest, pk: int) -> MuResult:
    user = request_user(request)
    found = selectors.result_list_visible_to(user).select_related("run__scheme").defer(
        "run__benchmarks").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@allow(RESULT_READERS)
@require_GET
def result_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A firm's result: every indicator with its formula in words, so the firm can check it."""
    return _result_page(request, _result_for(request, pk))


# ---- the enterprise portal ----------------------------------------------------------------------


@allow(selectors.PORTAL_ROLES)
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The firm's own results in runs in 公示 or published, latest first."""
    user = request_user(request)
    rows = list(selectors.result_list_visible_to(user).select_related("run").order_by("-run__year", "-run_id"))
    return render(request, "mujun/runs/mine.html", {"rows": rows, "today": timezone.localdate()})


@allow(selectors.PORTAL_ROLES)
@require_http_methods(["GET", "POST"])
def mine_object(request: HttpRequest, pk: int) -> HttpResponse:
    """提出异议 on one's own result during the 公示: the text and evidence files (PDF, JPEG,
    PNG, Word, Excel). After the 公示 → 409 with the reason on the page."""
    user = request_user(request)
    result = _result_for(request, pk)
    if request.method != "POST":
        return _result_page(request, result)

    def redisplay(*, problems: list[dict[str, str]], status: int) -> HttpResponse:
        return _result_page(request, result, problems=problems, status=status)

    def call() -> None:
        data = ObjectionInput.parse({"text": request.POST.get("text", "")})
        services.objection_submit(acting_user=user, result=result, data=data,
                                  files=request.FILES.getlist(FILES_FIELD))

    return _take(request, call, _("Your objection has been received; you will be told the answer."),
                 reverse("mujun:result", args=[pk]), redisplay)
