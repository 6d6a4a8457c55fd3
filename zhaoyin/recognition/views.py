"""Recognition pages (人才认定): the tier rule sets (list, detail with "check a talent", new,
edit, activate); the applications (list with filters and state counts, detail with the
flowchart, the steps the user may take, the objections and documents); the publicity list
(公示名单) and its Excel export; and the talent portal's pages (my applications, apply with
documents, one application with its deadlines), which never show the internal fields.

Thin views: parse, fetch through a selector (404 out of scope), call one service, render.
"""

from __future__ import annotations

import json
from collections.abc import Callable
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
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhaoyin.accounts.models import User
from zhaoyin.accounts.request import request_user
from zhaoyin.core import files as files_core
from zhaoyin.core.authz import allow
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.export_pages import timestamped_filename, xlsx_export_response
from zhaoyin.core.flowchart import table_svg
from zhaoyin.core.forms import FilterBarForm
from zhaoyin.core.listparams import MAX_PAGE_SIZE, positive_int
from zhaoyin.core.paging import IdFirstPaginator
from zhaoyin.core.roles import Role
from zhaoyin.lib import eligibility as engine
from zhaoyin.policies.eligibility_text import described
from zhaoyin.recognition import exporting, flow, selectors, services
from zhaoyin.recognition.filters import RecognitionFilter
from zhaoyin.recognition.flow import RECOGNITION_TABLE, State
from zhaoyin.recognition.forms import TalentCheckForm
from zhaoyin.recognition.inputs import (
    AnswerInput,
    ApplyInput,
    ObjectionInput,
    RuleSetActivateInput,
    RuleSetChangeInput,
    RuleSetCreateInput,
    StepInput,
)
from zhaoyin.recognition.models import Recognition, TierRuleSet
from zhaoyin.recognition.rules import suggest
from zhaoyin.talents.facts import talent_vocabulary
from zhaoyin.talents.models import Tier

PAGE_SIZES = f"20,50,100,{MAX_PAGE_SIZE}"
STAFF_ACTORS = tuple(selectors.ACTOR_ROLES - {Role.TALENT})
PORTAL_FILES_FIELD = "files"


def flowchart_svg() -> str:
    """The recognition flowchart drawn from the table, labels in the active language."""
    return table_svg(RECOGNITION_TABLE, title=_("Talent recognition"), id_prefix="recognition-flow")


def _errors(exc: InvalidInput) -> list[dict[str, str]]:
    return exc.errors or [{"field": "", "message": str(exc.detail)}]


# ---- tier rule sets -------------------------------------------------------------------------------


@allow(selectors.RULE_READER_ROLES)
@require_GET
def rule_set_list(request: HttpRequest) -> HttpResponse:
    """Every tier rule set, latest first, with its status."""
    user = request_user(request)
    rows = list(selectors.rule_set_list_visible_to(user))
    return render(request, "recognition/rule_set_list.html", {
        "rows": rows, "can_edit": user.has_role(*selectors.RULE_EDITOR_ROLES),
        "export_url": reverse("recognition:rule_set_export"),
    })


@allow(selectors.RULE_READER_ROLES)
@require_GET
def rule_set_export(request: HttpRequest) -> HttpResponseBase:
    """The tier rule sets as .xlsx (the page's rows, in its order)."""
    from zhaoyin.core.export_pages import write_audited_export
    from zhaoyin.lib.xlsx_write import SheetSpec

    user = request_user(request)

    def write(out: Any) -> int:
        rows = [
            [s.year, f"v{s.number}", s.get_status_display(), " · ".join(r.tier for r in s.rules.all()),
             s.publicity_days, s.valid_years, s.note or None]
            for s in selectors.rule_set_list_visible_to(user)
        ]
        sheet = SheetSpec(
            title=_("Tier rules"),
            headers=[_("Year"), _("Version"), _("Status"), _("Tiers"), _("Publicity (working days)"),
                     _("Valid for (years)"), _("Note")],
            rows=rows, widths=[8, 8, 10, 16, 16, 14, 40],
        )
        return write_audited_export(acting_user=user, out=out, sheets=[sheet], action="tier_rule_set.export",
                                    object_type="recognition.tierruleset", params={})

    return xlsx_export_response(
        request, write=write, filename=timestamped_filename(pgettext("export file", "Tier rules")),
        back_url=reverse("recognition:rule_set_list"),
    )


def _rules_in_words(rule_set: TierRuleSet) -> list[dict[str, Any]]:
    vocab = talent_vocabulary()
    out = []
    for rule in sorted(rule_set.rules.all(), key=lambda r: r.tier):
        try:
            lines = described(engine.describe(engine.parse_tree(rule.tree, vocab, root="tree"), vocab))
        except engine.TreeError:
            lines = [(0, _("This rule names a code that no longer exists."))]
        out.append({"tier": rule.tier, "label": rule.label, "lines": lines, "tree": json.dumps(rule.tree,
                    ensure_ascii=False)})
    return out


@allow(selectors.RULE_READER_ROLES)
@require_GET
def rule_set_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One rule set: each tier's conditions in words, and "check a talent" (``?talent=<id>``):
    the tier the rules give that talent today, with the reasons."""
    user = request_user(request)
    rule_set = selectors.rule_set_get_for_user(user=user, pk=pk)
    check_form = TalentCheckForm(request.GET or None, user=user)
    context: dict[str, Any] = {
        "rule_set": rule_set, "rules": _rules_in_words(rule_set),
        "can_edit": user.has_role(*selectors.RULE_EDITOR_ROLES), "check_form": check_form,
        "talent_ref": check_form.reference(), "suggestion": None, "check_error": "",
    }
    status = 200
    if context["talent_ref"]:
        number = positive_int(context["talent_ref"].strip())
        from zhaoyin.talents.selectors import talent_list_visible_to

        talent = talent_list_visible_to(user).filter(pk=number).first() if number else None
        if talent is None:
            context["check_error"] = _("No such talent in your scope.")
            status = 400
        else:
            context["talent"] = talent
            context["suggestion"] = suggest(talent, list(rule_set.rules.all()), on=timezone.localdate())
    return render(request, "recognition/rule_set_detail.html", context, status=status)


def _rule_form_values(request: HttpRequest) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The posted form as the input model's values; the rules' JSON text parsed (a bad JSON text
    is refused on ``rules``)."""
    values: dict[str, Any] = {k: request.POST.get(k, "") for k in ("year", "note", "publicity_days", "valid_years")}
    problems: list[dict[str, str]] = []
    raw = request.POST.get("rules", "")
    try:
        values["rules"] = json.loads(raw) if raw.strip() else []
    except ValueError:
        problems.append({"field": "rules", "message": _("is not valid JSON")})
    return values, problems


@allow(selectors.RULE_EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def rule_set_create(request: HttpRequest) -> HttpResponse:
    """A new draft rule set: year, publicity days, years valid, note and the rules as JSON (a
    list of {tier, label, tree}). A bad tree stays on the form naming its place (400)."""
    user = request_user(request)
    if request.method != "POST":
        year = timezone.localdate().year
        latest = selectors.rule_set_list_visible_to(user).filter(year=year).first()
        rules = json.dumps([{"tier": r.tier, "label": r.label, "tree": r.tree} for r in latest.rules.all()]
                           if latest else [], ensure_ascii=False, indent=1)
        return render(request, "recognition/rule_set_form.html", {
            "values": {"year": year, "publicity_days": 5, "valid_years": 3, "note": "", "rules": rules},
        })
    values, problems = _rule_form_values(request)
    if not problems:
        try:
            data = RuleSetCreateInput.parse(values)
            created = services.rule_set_create(acting_user=user, data=data)
        except InvalidInput as exc:
            problems = _errors(exc)
        except Conflict as exc:
            problems = [{"field": "", "message": str(exc)}]
        else:
            messages.success(request, _("The draft rule set has been saved."))
            return HttpResponseRedirect(reverse("recognition:rule_set_detail", args=[created.pk]))
    shown = dict(values, rules=request.POST.get("rules", ""))
    return render(request, "recognition/rule_set_form.html", {"values": shown, "problems": problems}, status=400)


@allow(selectors.RULE_EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def rule_set_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft (a set already in use is kept as it was: 409)."""
    user = request_user(request)
    rule_set = selectors.rule_set_get_for_user(user=user, pk=pk)
    if request.method != "POST":
        rules = json.dumps([{"tier": r.tier, "label": r.label, "tree": r.tree} for r in rule_set.rules.all()],
                           ensure_ascii=False, indent=1)
        values = {"year": rule_set.year, "publicity_days": rule_set.publicity_days,
                  "valid_years": rule_set.valid_years, "note": rule_set.note, "rules": rules}
        return render(request, "recognition/rule_set_form.html", {"values": values, "rule_set": rule_set,
                                                                  "version": rule_set.version})
    values, problems = _rule_form_values(request)
    values.pop("year")
    values["version"] = request.POST.get("version", "")
    status = 400
    if not problems:
        try:
            data = RuleSetChangeInput.parse(values)
            services.rule_set_change(acting_user=user, rule_set=rule_set, data=data)
        except InvalidInput as exc:
            problems = _errors(exc)
        except Conflict as exc:
            problems, status = [{"field": "", "message": str(exc)}], 409
        else:
            messages.success(request, _("The draft rule set has been saved."))
            return HttpResponseRedirect(reverse("recognition:rule_set_detail", args=[pk]))
    shown = dict(values, year=rule_set.year, rules=request.POST.get("rules", ""))
    return render(request, "recognition/rule_set_form.html",
                  {"values": shown, "problems": problems, "rule_set": rule_set, "version": values["version"]},
                  status=status)


@allow(selectors.RULE_EDITOR_ROLES)
@require_POST
def rule_set_activate(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a draft the year's standard (the year's active one is retired)."""
    user = request_user(request)
    rule_set = selectors.rule_set_get_for_user(user=user, pk=pk)
    try:
        services.rule_set_activate(acting_user=user, rule_set=rule_set,
                                   data=RuleSetActivateInput.parse({"version": request.POST.get("version", "")}))
    except InvalidInput as exc:
        messages.error(request, str(exc.detail))
    except Conflict as exc:
        messages.error(request, str(exc))
        context = {"rule_set": rule_set, "rules": _rules_in_words(rule_set), "can_edit": True, "talent_ref": "",
                   "suggestion": None, "check_error": "", "check_form": TalentCheckForm(user=user)}
        return render(request, "recognition/rule_set_detail.html", context, status=409)
    else:
        messages.success(request, _("The rule set is now the year's standard."))
    return HttpResponseRedirect(reverse("recognition:rule_set_detail", args=[pk]))


# ---- applications (internal) ----------------------------------------------------------------------


@allow(selectors.READER_ROLES)
@require_GET
def recognition_list(request: HttpRequest) -> HttpResponse:
    """The scoped, filtered, paged applications with the count per state."""
    user = request_user(request)
    form = FilterBarForm(request.GET, filters=RecognitionFilter, user=user)
    visible = selectors.recognition_list_visible_to(user)
    counts = selectors.state_counts(visible)
    context: dict[str, Any] = {
        "form": form, "page_obj": None, "page_sizes": PAGE_SIZES,
        "counts": [(code, label, counts.get(code, 0)) for code, label in flow.STATES],
    }
    if not form.is_valid() or form.filter is None:
        return render(request, "recognition/list.html", context, status=400)
    flt = form.filter
    qs = flt.apply(visible)
    paginator = IdFirstPaginator(qs, flt.page_size)
    context.update(page_obj=paginator.get_page(flt.page), filter=flt, export_url=reverse("recognition:export"))
    return render(request, "recognition/list.html", context)


@allow(selectors.READER_ROLES)
@require_GET
def recognition_export_view(request: HttpRequest) -> HttpResponseBase:
    """The recognition list as .xlsx: the page's roles, selector and filters, every page."""
    user = request_user(request)
    return xlsx_export_response(
        request,
        write=lambda out: exporting.recognition_export(acting_user=user, params=request.GET, out=out),
        filename=exporting.export_filename(),
        back_url=reverse("recognition:list"),
    )


def _detail(request: HttpRequest, recognition: Recognition, *, problems: list[dict[str, str]] | None = None,
            status: int = 200) -> HttpResponse:
    user = request_user(request)
    held = selectors.actors_of(user, recognition)
    actions = [r for r in RECOGNITION_TABLE.manual_rows_from(recognition.state, held)
               if not r.has(flow.OBJECTION_ROUTE)]
    may_object = bool(RECOGNITION_TABLE.manual_rows_from(recognition.state, held)) and any(
        r.has(flow.OBJECTION_ROUTE) for r in RECOGNITION_TABLE.manual_rows_from(recognition.state, held)
    )
    context = {
        "r": recognition,
        "actions": actions,
        "may_object": may_object,
        "objections": list(recognition.objections.select_related("recorded_by", "answered_by")),
        "files": list(recognition.files.all()),
        "suggestion": recognition.suggestion or {},
        "problems": problems or [],
        "today": timezone.localdate(),
        # The SVG is generated from the code's own table (core.flowchart escapes every label).
        "svg": mark_safe(flowchart_svg()),  # noqa: S308
        "tiers": Tier.choices,
    }
    return render(request, "recognition/detail.html", context, status=status)


@allow(selectors.READER_ROLES)
@require_GET
def recognition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One application: facts, the rules' verdicts, the flowchart, the steps, objections, files."""
    return _detail(request, selectors.recognition_get_for_user(user=request_user(request), pk=pk))


class Redisplay(Protocol):
    """Draws the page again with the refusal of a step."""

    def __call__(self, *, problems: list[dict[str, str]], status: int) -> HttpResponse: ...


def _take(request: HttpRequest, recognition: Recognition, run: Callable[[], None], ok_message: str, back: str,
          redisplay: Redisplay) -> HttpResponse:
    """Run one service call for a page and answer: back to ``back`` on success, the page again
    with the refusal (400 / 403 / 409) otherwise."""
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


@allow(*STAFF_ACTORS)
@require_POST
def recognition_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Take a step (the service applies the table, the actors, the version and the publicity)."""
    user = request_user(request)
    recognition = selectors.recognition_get_for_user(user=user, pk=pk)

    def redisplay(*, problems: list[dict[str, str]], status: int) -> HttpResponse:
        return _detail(request, selectors.recognition_get_for_user(user=user, pk=pk), problems=problems,
                       status=status)

    if action not in flow.STEP_ACTIONS:
        return redisplay(problems=[{"field": "action", "message": _("Unknown action.")}], status=400)

    def run() -> None:
        data = StepInput.parse({k: request.POST.get(k, "") for k in ("note", "tier", "version")})
        services.recognition_step(acting_user=user, recognition=recognition, action=action, data=data)

    return _take(request, recognition, run, _("Done: %(action)s.") % {"action": flow.row_label(action)},
                 reverse("recognition:detail", args=[pk]), redisplay)


@allow(selectors.OFFICE_ROLES)
@require_POST
def objection_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an objection during the publicity."""
    user = request_user(request)
    recognition = selectors.recognition_get_for_user(user=user, pk=pk)

    def redisplay(*, problems: list[dict[str, str]], status: int) -> HttpResponse:
        return _detail(request, selectors.recognition_get_for_user(user=user, pk=pk), problems=problems,
                       status=status)

    def run() -> None:
        data = ObjectionInput.parse({k: request.POST.get(k, "") for k in ("text", "received_on", "version")})
        services.objection_record(acting_user=user, recognition=recognition, data=data)

    return _take(request, recognition, run, _("The objection has been recorded."),
                 reverse("recognition:detail", args=[pk]), redisplay)


@allow(selectors.OFFICE_ROLES)
@require_POST
def objection_answer(request: HttpRequest, pk: int, objection_id: int) -> HttpResponse:
    """Answer an objection."""
    user = request_user(request)
    recognition = selectors.recognition_get_for_user(user=user, pk=pk)
    objection = selectors.objection_get(recognition=recognition, pk=objection_id)

    def redisplay(*, problems: list[dict[str, str]], status: int) -> HttpResponse:
        return _detail(request, selectors.recognition_get_for_user(user=user, pk=pk), problems=problems,
                       status=status)

    def run() -> None:
        data = AnswerInput.parse({k: request.POST.get(k, "") for k in ("answer", "version")})
        services.objection_answer(acting_user=user, recognition=recognition, objection=objection, data=data)

    return _take(request, recognition, run, _("The objection has been answered."),
                 reverse("recognition:detail", args=[pk]), redisplay)


def _publicity_rows(user: User) -> list[Recognition]:
    return list(selectors.recognition_list_visible_to(user).filter(state=State.PUBLICITY.value)
                .order_by("publicity_end", "talent__name", "pk"))


@allow(selectors.READER_ROLES)
@require_GET
def publicity_list(request: HttpRequest) -> HttpResponse:
    """公示名单: the applications in publicity, with their dates (no ID numbers, no notes)."""
    return render(request, "recognition/publicity.html", {"rows": _publicity_rows(request_user(request))})


@allow(selectors.READER_ROLES)
@require_GET
def publicity_export(request: HttpRequest) -> HttpResponseBase:
    """The publicity list as .xlsx."""
    user = request_user(request)
    rows = _publicity_rows(user)
    return xlsx_export_response(
        request, write=lambda out: services.publicity_export(acting_user=user, rows=rows, out=out),
        filename=timestamped_filename(pgettext("export file", "Recognition publicity")),
        back_url=reverse("recognition:publicity"),
    )


def _download(request: HttpRequest, pk: int, *, portal: bool) -> HttpResponseBase:
    user = request_user(request)
    file = selectors.file_get_for_user(user=user, pk=pk, portal=portal)
    try:
        handle = services.recognition_file_open(acting_user=user, file=file)
    except OSError:
        raise Http404 from None
    return files_core.attachment_response(handle, filename=file.original_name, content_type=file.content_type)


@allow(selectors.READER_ROLES)
@require_GET
def file_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An applicant's document (scoped, audited)."""
    return _download(request, pk, portal=False)


@allow(selectors.READER_ROLES | {Role.TALENT})
@require_GET
def recognition_open(request: HttpRequest, pk: int) -> HttpResponse:
    """The notices' link: the portal's page for the talent, the internal one for staff."""
    user = request_user(request)
    if user.has_role(*selectors.READER_ROLES):
        selectors.recognition_get_for_user(user=user, pk=pk)
        return HttpResponseRedirect(reverse("recognition:detail", args=[pk]))
    selectors.portal_recognition_get(user=user, pk=pk)
    return HttpResponseRedirect(reverse("recognition:mine_detail", args=[pk]))


# ---- the talent portal ----------------------------------------------------------------------------


def _deadline(r: Recognition) -> dict[str, Any]:
    """What the talent waits for next and until when (the portal's status line)."""
    if r.state == State.PUBLICITY.value and r.publicity_end:
        return {"label": _("Publicity ends"), "date": r.publicity_end}
    if r.state == State.RECOGNIZED.value and r.valid_until:
        return {"label": _("Valid until"), "date": r.valid_until}
    return {}


@allow(Role.TALENT)
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The talent's own applications with their state and deadline."""
    from zhaoyin.talents.selectors import own_talent

    user = request_user(request)
    rows = [(r, _deadline(r)) for r in selectors.portal_recognitions(user)]
    talent = own_talent(user)
    return render(request, "recognition/portal_list.html", {
        "rows": rows, "talent": talent,
        "can_apply": talent is not None and not any(r.state in flow.OPEN_STATES for r, _d in rows),
    })


@allow(Role.TALENT)
@require_http_methods(["GET", "POST"])
def mine_apply(request: HttpRequest) -> HttpResponse:
    """Apply for oneself: the tier claimed, a statement, documents (PDF, JPEG, PNG, Word, Excel)."""
    from zhaoyin.talents.selectors import own_talent

    user = request_user(request)
    talent = own_talent(user)
    context: dict[str, Any] = {"talent": talent, "tiers": Tier.choices, "values": {}, "problems": []}
    if talent is None:
        context["problems"] = [{"field": "", "message": _("Your account is not linked to a talent record yet; "
                                                          "ask the talent office.")}]
        return render(request, "recognition/portal_apply.html", context, status=409 if request.method == "POST"
                      else 200)
    if request.method != "POST":
        return render(request, "recognition/portal_apply.html", context)
    values = {k: request.POST.get(k, "") for k in ("claimed_tier", "statement")}
    context["values"] = values
    status = 400
    try:
        data = ApplyInput.parse(values)
        created = services.recognition_apply(acting_user=user, talent=talent, data=data,
                                             files=request.FILES.getlist(PORTAL_FILES_FIELD))
    except InvalidInput as exc:
        context["problems"] = _errors(exc)
    except Conflict as exc:
        context["problems"], status = [{"field": "", "message": str(exc)}], 409
    else:
        messages.success(request, _("Your application has been submitted for its first review."))
        return HttpResponseRedirect(reverse("recognition:mine_detail", args=[created.pk]))
    return render(request, "recognition/portal_apply.html", context, status=status)


def _portal_detail(request: HttpRequest, r: Recognition, *, problems: list[dict[str, str]] | None = None,
                   status: int = 200) -> HttpResponse:
    user = request_user(request)
    held = selectors.actors_of(user, r)
    actions = [x for x in RECOGNITION_TABLE.manual_rows_from(r.state, held) if x.action.value in
               flow.APPLICANT_ACTIONS]
    steps = [(code, label) for code, label in flow.STATES if code in
             (State.FIRST_REVIEW, State.SECOND_REVIEW, State.PUBLICITY, State.RECOGNIZED)]
    return render(request, "recognition/portal_detail.html", {
        "r": r, "deadline": _deadline(r), "actions": actions, "files": list(r.files.all()),
        "problems": problems or [], "steps": steps,
    }, status=status)


@allow(Role.TALENT)
@require_GET
def mine_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the talent's applications: where it stands, the publicity's end, the decision."""
    return _portal_detail(request, selectors.portal_recognition_get(user=request_user(request), pk=pk))


@allow(Role.TALENT)
@require_POST
def mine_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Withdraw or resubmit one's own application."""
    user = request_user(request)
    r = selectors.portal_recognition_get(user=user, pk=pk)

    def redisplay(*, problems: list[dict[str, str]], status: int) -> HttpResponse:
        return _portal_detail(request, selectors.portal_recognition_get(user=user, pk=pk), problems=problems,
                              status=status)

    if action not in flow.APPLICANT_ACTIONS:
        return redisplay(problems=[{"field": "action", "message": _("Unknown action.")}], status=400)

    def run() -> None:
        data = StepInput.parse({k: request.POST.get(k, "") for k in ("note", "version")})
        services.recognition_step(acting_user=user, recognition=r, action=action, data=data)

    return _take(request, r, run, _("Done: %(action)s.") % {"action": flow.row_label(action)},
                 reverse("recognition:mine_detail", args=[pk]), redisplay)


@allow(Role.TALENT)
@require_GET
def mine_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One of the talent's own documents."""
    return _download(request, pk, portal=True)
