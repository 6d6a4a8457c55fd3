"""亩均 scheme pages (评价办法): the list, a scheme in words, the editor (new — pre-filled with the
Anhui-style template — and edit), copy and delete; and a project's 亩均 conditions (履约): the
section on the project's page (``projects.extensions``), add, remove, raise a matter.

Thin views: parse, fetch through a selector (404 out of scope), call one service, render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhaoyin.accounts.models import User
from zhaoyin.accounts.request import request_user
from zhaoyin.core.authz import allow
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.inputs import FORM_CONTEXT
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Industry
from zhaoyin.lib import mujun
from zhaoyin.mujun import scheme_editor, scheme_services, selectors
from zhaoyin.mujun.models import MuScheme
from zhaoyin.mujun.scheme_conditions import condition_get_for_user, condition_statuses, conditions_of
from zhaoyin.mujun.scheme_data import STANDARD_INDICATORS
from zhaoyin.mujun.scheme_data_templates import anhui_template
from zhaoyin.mujun.scheme_inputs import (
    PREFIX,
    ConditionInput,
    SchemeChangeInput,
    SchemeCopyInput,
    SchemeCreateInput,
)
from zhaoyin.projects.models import Project
from zhaoyin.projects.selectors import can_edit_project, project_get_for_user

EVALUATORS = tuple(selectors.EVALUATOR_ROLES)
READERS = tuple(selectors.READER_ROLES)
#: Who may add conditions to a project and raise their matters (the projects' editors; the
#: service checks the project's unit).
PROJECT_EDITORS = (Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.STAFF)
PLAIN_FIELDS = ("year", "name", "publicity_days", "note")


def _missing_label(code: str) -> str:
    return str({"average": _("the list's mean points"), "zero": _("zero points"),
                "ungraded": _("scored, not graded")}.get(code, code))


def _consequence_label(code: str) -> str:
    return str({"surcharge_per_kwh": _("Differentiated power price surcharge (yuan/kWh)"),
                "land_tax_relief": _("Urban land use tax relief (%)")}.get(code, code))


# ---- list and detail ----------------------------------------------------------------------------------


@allow(*READERS)
@require_GET
def scheme_list(request: HttpRequest) -> HttpResponse:
    """Every scheme, latest year and version first, with its status and how many runs use it."""
    from django.db.models import Count

    user = request_user(request)
    rows = list(selectors.scheme_list_visible_to(user).annotate(run_count=Count("runs")))
    return render(request, "mujun/schemes/list.html", {"rows": rows, "can_edit": selectors.is_evaluator(user)})


def _in_words(definition: dict[str, Any]) -> dict[str, Any]:
    """The definition as the detail page shows it: scope, formulas and bands in words."""
    industries = dict(Industry.objects.values_list("code", "name"))
    lists = []
    for lst in definition.get("lists") or []:
        scope = lst.get("scope") or {}
        sizes = [str(_("above designated size") if s == "above" else _("below designated size"))
                 for s in scope.get("size_classes") or []]
        grading = lst.get("grading") or {}
        lists.append({
            "code": lst.get("code"), "name": lst.get("name"),
            "sizes": sizes, "land_min_mu": scope.get("land_min_mu"), "land_max_mu": scope.get("land_max_mu"),
            "min_years": scope.get("min_years"),
            "missing": _missing_label(lst.get("missing", "average")),
            "weight_total": lst.get("weight_total"),
            "method": grading.get("method"), "bands": grading.get("bands") or [],
            "indicators": [
                dict(ind, words=scheme_editor.formula_in_words(ind.get("formula", "")))
                for ind in lst.get("indicators") or []
            ],
        })
    consequences = definition.get("consequences") or {}
    return {
        "lists": lists,
        "exempt": [(c, industries.get(c, c)) for c in definition.get("exempt_industries") or []],
        "consequences": [
            (_consequence_label(name), [(g, per_grade.get(g)) for g in mujun.GRADES])
            for name, per_grade in consequences.items()
        ],
    }


@allow(*READERS)
@require_GET
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One scheme in words: each list's scope, indicators (formula in words, weight,
    benchmark, cap), grading, missing-data rule; exemptions; consequences per grade; its runs."""
    user = request_user(request)
    scheme = selectors.scheme_get_for_user(user=user, pk=pk)
    runs = list(scheme.runs.defer("snapshot").order_by("-id"))
    return render(request, "mujun/schemes/detail.html", {
        "scheme": scheme, "words": _in_words(scheme.definition), "runs": runs,
        "can_edit": selectors.is_evaluator(user),
    })


# ---- the editor --------------------------------------------------------------------------------------


def _editor_context(values: dict[str, Any], definition: dict[str, Any], *, scheme: MuScheme | None = None,
                    errors: dict[str, list[str]] | None = None, plain: dict[str, list[str]] | None = None,
                    notice: str = "") -> dict[str, Any]:
    rows = scheme_editor.rows_of(definition)
    summary = scheme_editor.place_errors(rows, errors or {})
    for field, messages_ in (plain or {}).items():
        summary.extend((field, m) for m in messages_)
    return {
        "values": values, "rows": rows, "scheme": scheme, "summary": summary, "plain": plain or {},
        "notice": notice,
        "standard": [(code, name, formula) for code, (name, formula) in STANDARD_INDICATORS.items()],
        "figures": [(code, scheme_editor.figure_label(code)) for code in mujun.FIGURES],
        "industries": list(Industry.objects.values_list("code", "name")),
        "grades": mujun.GRADES,
        "missing_rules": [(code, _missing_label(code)) for code in mujun.MISSING_RULES],
    }


def _split(exc: InvalidInput) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The refusals of the definition (by their path inside it) and of the plain fields."""
    inside: dict[str, list[str]] = {}
    plain: dict[str, list[str]] = {}
    for field, messages_ in exc.by_field().items():
        if field == PREFIX or field.startswith(PREFIX + "."):
            inside.setdefault(field.removeprefix(PREFIX).removeprefix(".") or "definition", []).extend(messages_)
        else:
            plain.setdefault(field, []).extend(messages_)
    return inside, plain


def _posted(request: HttpRequest) -> tuple[dict[str, Any], dict[str, Any]]:
    values = {k: request.POST.get(k, "") for k in PLAIN_FIELDS}
    return values, scheme_editor.definition_from_post(request.POST)


@allow(*EVALUATORS)
@require_http_methods(["GET", "POST"])
def scheme_create(request: HttpRequest) -> HttpResponse:
    """A new draft scheme, pre-filled with the Anhui-style template (or ``?from=<id>``: a copy
    of that scheme's definition). A refusal stays on the input that is wrong (400)."""
    user = request_user(request)
    if request.method != "POST":
        year = timezone.localdate().year
        values = {"year": year, "name": _("%(year)s land-efficiency evaluation scheme") % {"year": year},
                  "publicity_days": 5, "note": ""}
        return render(request, "mujun/schemes/form.html", _editor_context(values, anhui_template(year)))
    values, definition = _posted(request)
    edit = request.POST.get("edit", "")
    if edit:
        scheme_editor.apply_edit(definition, edit)
        return render(request, "mujun/schemes/form.html", _editor_context(values, definition))
    try:
        data = SchemeCreateInput.parse(dict(values, definition=definition), context=FORM_CONTEXT)
        created = scheme_services.scheme_create(acting_user=user, data=data)
    except InvalidInput as exc:
        inside, plain = _split(exc)
        return render(request, "mujun/schemes/form.html",
                      _editor_context(values, definition, errors=inside, plain=plain), status=400)
    except Conflict as exc:
        return render(request, "mujun/schemes/form.html",
                      _editor_context(values, definition, notice=str(exc)), status=409)
    messages.success(request, _("The draft scheme has been saved."))
    return HttpResponseRedirect(reverse("mujun:scheme_detail", args=[created.pk]))


@allow(*EVALUATORS)
@require_http_methods(["GET", "POST"])
def scheme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft (a frozen scheme: 409 — copy it instead)."""
    user = request_user(request)
    scheme = selectors.scheme_get_for_user(user=user, pk=pk)
    if request.method != "POST":
        values = {"year": scheme.year, "name": scheme.name, "publicity_days": scheme.publicity_days,
                  "note": scheme.note, "version": scheme.version}
        notice = _("This scheme is frozen: a published run uses it. Copy it as a new version to change it.") \
            if scheme.is_frozen else ""
        return render(request, "mujun/schemes/form.html",
                      _editor_context(values, scheme.definition, scheme=scheme, notice=notice))
    values, definition = _posted(request)
    values["year"] = scheme.year
    values["version"] = request.POST.get("version", "")
    edit = request.POST.get("edit", "")
    if edit:
        scheme_editor.apply_edit(definition, edit)
        return render(request, "mujun/schemes/form.html", _editor_context(values, definition, scheme=scheme))
    try:
        data = SchemeChangeInput.parse({k: values[k] for k in ("name", "publicity_days", "note", "version")}
                                       | {"definition": definition}, context=FORM_CONTEXT)
        scheme_services.scheme_change(acting_user=user, scheme=scheme, data=data)
    except InvalidInput as exc:
        inside, plain = _split(exc)
        return render(request, "mujun/schemes/form.html",
                      _editor_context(values, definition, scheme=scheme, errors=inside, plain=plain), status=400)
    except Conflict as exc:
        return render(request, "mujun/schemes/form.html",
                      _editor_context(values, definition, scheme=scheme, notice=str(exc)), status=409)
    messages.success(request, _("The draft scheme has been saved."))
    return HttpResponseRedirect(reverse("mujun:scheme_detail", args=[pk]))


@allow(*EVALUATORS)
@require_POST
def scheme_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """Copy a scheme as its year's next version (a draft) and open the copy."""
    user = request_user(request)
    scheme = selectors.scheme_get_for_user(user=user, pk=pk)
    try:
        copy = scheme_services.scheme_copy(acting_user=user, scheme=scheme, data=SchemeCopyInput.parse(
            {"name": request.POST.get("name") or None}, context=FORM_CONTEXT))
    except (InvalidInput, Conflict) as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("mujun:scheme_detail", args=[pk]))
    messages.success(request, _("The scheme has been copied as version %(n)s.") % {"n": copy.number})
    return HttpResponseRedirect(reverse("mujun:scheme_detail", args=[copy.pk]))


@allow(*EVALUATORS)
@require_POST
def scheme_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a draft no run uses (409 else, with the reason on the scheme's page)."""
    user = request_user(request)
    scheme = selectors.scheme_get_for_user(user=user, pk=pk)
    version = request.POST.get("version", "")
    try:
        scheme_services.scheme_delete(acting_user=user, scheme=scheme,
                                      version=int(version) if version.isdigit() else None)
    except Conflict as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("mujun:scheme_detail", args=[pk]))
    messages.success(request, _("The draft scheme has been deleted."))
    return HttpResponseRedirect(reverse("mujun:scheme_list"))


# ---- 履约 conditions on the project's page -----------------------------------------------------------


def project_conditions_section(request: HttpRequest, user: User, project: Project) -> SafeString:
    """The project page's 亩均 conditions section (registered in ``projects.extensions``)."""
    conditions = conditions_of(project)
    standing = condition_statuses(conditions)
    can_edit = not user.admin_role and can_edit_project(user, project)
    return SafeString(render_to_string("mujun/schemes/_conditions.html", {
        "project": project,
        "rows": [(c, standing[c.pk]) for c in conditions],
        "can_edit": can_edit,
        "standard": [(code, name) for code, (name, _f) in STANDARD_INDICATORS.items()],
        "year": timezone.localdate().year,
    }, request=request))


def _back(project: Project) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("projects:detail", args=[project.pk]) + "#mu-conditions")


@allow(*PROJECT_EDITORS)
@require_POST
def condition_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a condition to a project (a refusal: the message names the field, 400)."""
    user = request_user(request)
    project = project_get_for_user(user=user, pk=pk)
    values = {k: request.POST.get(k, "") for k in ("indicator", "name", "formula", "threshold", "from_year", "note")}
    try:
        data = ConditionInput.parse(values, context=FORM_CONTEXT)
        scheme_services.condition_create(acting_user=user, project=project, data=data)
    except InvalidInput as exc:
        return render(request, "mujun/schemes/condition_refused.html", {
            "project": project, "errors": exc.errors, "values": values}, status=400)
    messages.success(request, _("The condition has been added."))
    return _back(project)


@allow(*PROJECT_EDITORS)
@require_POST
def condition_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a condition entered by mistake (one that became a matter stays: 409)."""
    user = request_user(request)
    condition = condition_get_for_user(user=user, pk=pk)
    try:
        scheme_services.condition_delete(acting_user=user, condition=condition)
    except Conflict as exc:
        messages.error(request, str(exc))
        return _back(condition.project)
    messages.success(request, _("The condition has been removed."))
    return _back(condition.project)


@allow(*PROJECT_EDITORS)
@require_POST
def condition_matter(request: HttpRequest, pk: int) -> HttpResponse:
    """Raise a matter for a breached condition, once; open the matter."""
    user = request_user(request)
    condition = condition_get_for_user(user=user, pk=pk)
    try:
        matter = scheme_services.condition_raise_matter(acting_user=user, condition=condition)
    except Conflict as exc:
        messages.error(request, str(exc))
        return _back(condition.project)
    except InvalidInput as exc:
        messages.error(request, "; ".join(f"{e['field']}: {e['message']}" for e in exc.errors) or str(exc))
        return _back(condition.project)
    messages.success(request, _("The breach has been registered as matter %(code)s.") % {"code": matter.code})
    return HttpResponseRedirect(reverse("matters:detail", args=[matter.pk]))

