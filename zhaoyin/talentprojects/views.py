"""Talent-project pages: the list, an application form, a project's page with the buttons of
the table, and one POST per action; the programmes with their rounds (list, page, create and
edit, for the talent office and the city admin). Thin views: parse, fetch through a selector,
call one service, render. The talent's own pages are in ``portal.py``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhaoyin.accounts.models import User
from zhaoyin.accounts.request import request_user
from zhaoyin.core.authz import allow
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.export_pages import xlsx_export_response
from zhaoyin.core.forms import FilterBarForm, add_service_errors, bind_form, submit_form
from zhaoyin.core.paging import IdFirstPaginator
from zhaoyin.talentprojects import flow, selectors, services
from zhaoyin.talentprojects.exporting import export_filename, talent_project_export
from zhaoyin.talentprojects.filters import TalentProjectFilter
from zhaoyin.talentprojects.forms import ProgrammeForm, RoundForm, TalentProjectForm, action_form
from zhaoyin.talentprojects.inputs import (
    ProgrammeInput,
    ProgrammeUpdateInput,
    RoundInput,
    RoundUpdateInput,
    TalentProjectInput,
)
from zhaoyin.talentprojects.models import TalentProject


@allow(selectors.READER_ROLES)
@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    """The projects in the user's scope, filtered; bad parameters → 400 naming them."""
    user = request_user(request)
    form = FilterBarForm(request.GET, filters=TalentProjectFilter, user=user)
    can_apply = bool(selectors.actors_of(user) & flow.RECOMMENDERS)
    context: dict[str, Any] = {
        "form": form, "page_obj": None, "rows": [], "can_apply": can_apply,
        "can_read_programmes": user.has_role(*selectors.PROGRAMME_READER_ROLES),
        "can_export": user.has_role(*selectors.EXPORT_ROLES),
    }
    if not form.is_valid() or form.filter is None:
        return render(request, "talentprojects/list.html", context, status=400)
    flt = form.filter
    qs = flt.apply(selectors.project_list_visible_to(user)).order_by("-applied_on", "-pk")
    page_obj = IdFirstPaginator(qs, flt.page_size).get_page(flt.page)
    context.update(page_obj=page_obj, rows=list(page_obj.object_list))
    return render(request, "talentprojects/list.html", context)


@allow(selectors.EXPORT_ROLES)
@require_GET
def project_export_view(request: HttpRequest) -> HttpResponseBase:
    """The scoped, filtered list as .xlsx: the list page's selector, filters and order (XLS-03);
    bad parameters go back to the list with the reason, nothing written."""
    user = request_user(request)
    return xlsx_export_response(
        request,
        write=lambda out: talent_project_export(acting_user=user, params=request.GET, out=out),
        filename=export_filename(),
        back_url=reverse("talentprojects:list"),
    )


@allow(selectors.READER_ROLES)
@require_GET
def project_open(request: HttpRequest, pk: int) -> HttpResponse:
    """A notice's link: the talent's own application opens their portal page, anyone else's
    the staff page (an out-of-scope project is 404 either way)."""
    user = request_user(request)
    if selectors.portal_projects(user).filter(pk=pk).exists():
        return HttpResponseRedirect(reverse("talentprojects:mine_detail", args=[pk]))
    project = selectors.project_get_for_user(user=user, pk=pk)
    return HttpResponseRedirect(reverse("talentprojects:detail", args=[project.pk]))


@allow(selectors.EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    """申报: register a talent's application."""
    user = request_user(request)
    if request.method != "POST":
        return render(request, "talentprojects/form.html", {"form": TalentProjectForm(user=user)})
    form = TalentProjectForm(request.POST, user=user)
    data = bind_form(TalentProjectInput, request.POST, form, user=user)
    if data is not None:
        try:
            project = services.project_create(acting_user=user, data=data)
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The application has been registered."))
            return HttpResponseRedirect(reverse("talentprojects:detail", args=[project.pk]))
    return render(request, "talentprojects/form.html", {"form": form}, status=400)


def _detail_context(
    user: User, project: TalentProject, failed: tuple[flow.Action, Any] | None = None
) -> dict[str, Any]:
    """The page's context: the project, its disbursements and one form per allowed action
    (the failed one bound to what was posted, with its errors)."""
    forms = []
    for row in flow.TABLE.manual_rows_from(project.state, selectors.actors_of(user)):
        form = failed[1] if failed is not None and failed[0] == row.action else action_form(
            flow.Action(row.action), version=project.version
        )
        forms.append((row, form))
    return {
        "project": project,
        "funds": list(project.funds.order_by("paid_on", "pk")),
        "action_forms": forms,
        "state_label": flow.TABLE.label_of(project.state),
    }


@allow(selectors.READER_ROLES)
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One project, its disbursements and the buttons the user may press."""
    user = request_user(request)
    project = selectors.project_get_for_user(user=user, pk=pk)
    return render(request, "talentprojects/detail.html", _detail_context(user, project))


@allow(selectors.ACTOR_ROLES)
@require_POST
def project_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One action of the table; bad input or a refused move re-shows the page (400) with the
    message on the action's form."""
    try:
        chosen = flow.Action(action)
    except ValueError:
        raise Http404 from None
    user = request_user(request)
    project = selectors.project_get_for_user(user=user, pk=pk, action=chosen.value)
    schema, call = services.ACTION_SERVICES[chosen]
    form = action_form(chosen, request.POST)
    posted = submit_form(form, schema, request.POST, lambda data: call(acting_user=user, project=project, data=data))
    if posted.done:
        messages.success(request, _("Done: %(action)s.") % {"action": flow.TABLE.by_action[chosen].label})
        return HttpResponseRedirect(reverse("talentprojects:detail", args=[pk]))
    project = selectors.project_get_for_user(user=user, pk=pk)
    return render(request, "talentprojects/detail.html", _detail_context(user, project, (chosen, form)), status=400)


# --------------------------------------------------------------------------- programmes, rounds


@allow(selectors.PROGRAMME_READER_ROLES)
@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    """The talent programmes (active first) with their number of rounds."""
    user = request_user(request)
    return render(request, "talentprojects/programme_list.html", {
        "rows": list(selectors.programme_list()), "can_edit": selectors.may_set_up(user),
        "export_url": reverse("talentprojects:programme_export"),
    })


@allow(selectors.PROGRAMME_READER_ROLES)
@require_GET
def programme_export(request: HttpRequest) -> HttpResponseBase:
    """The programme list as .xlsx (the page's rows, in its order)."""
    from zhaoyin.core.export_pages import timestamped_filename, write_audited_export
    from zhaoyin.lib.xlsx_write import SheetSpec

    user = request_user(request)

    def write(out: Any) -> int:
        rows = [
            [p.code, p.name, p.get_level_display(), p.sponsor or None, p.max_funding_wan, p.round_count,  # type: ignore[attr-defined]
             _("Active") if p.is_active else _("Inactive")]
            for p in selectors.programme_list()
        ]
        sheet = SheetSpec(
            title=_("Talent programmes"),
            headers=[_("Code"), _("Name"), _("Level"), _("Sponsoring department"), _("Cap per project (10k yuan)"),
                     _("Rounds"), _("Status")],
            rows=rows, text_columns=frozenset({0}), widths=[14, 36, 10, 24, 16, 8, 8],
        )
        return write_audited_export(acting_user=user, out=out, sheets=[sheet], action="programme.export",
                                    object_type="talentprojects.programme", params={})

    return xlsx_export_response(
        request, write=write, filename=timestamped_filename(pgettext("export file", "Talent programmes")),
        back_url=reverse("talentprojects:programme_list"),
    )


@allow(selectors.PROGRAMME_EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def programme_create(request: HttpRequest) -> HttpResponse:
    """A new programme; bad input → 400 naming the fields, nothing written."""
    user = request_user(request)
    if request.method != "POST":
        return render(request, "talentprojects/programme_form.html", {"form": ProgrammeForm()})
    form = ProgrammeForm(request.POST)
    posted = submit_form(
        form, ProgrammeInput, request.POST, lambda data: services.programme_create(acting_user=user, data=data)
    )
    if posted.result is not None:
        messages.success(request, _("The programme has been created."))
        return HttpResponseRedirect(reverse("talentprojects:programme_detail", args=[posted.result.pk]))
    return render(request, "talentprojects/programme_form.html", {"form": form}, status=400)


@allow(selectors.PROGRAMME_READER_ROLES)
@require_GET
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One programme and its rounds."""
    user = request_user(request)
    programme = selectors.programme_get(pk=pk)
    return render(request, "talentprojects/programme_detail.html", {
        "programme": programme, "rounds": list(selectors.programme_rounds(programme)),
        "can_edit": selectors.may_set_up(user), "today": timezone.localdate(),
    })


@allow(selectors.PROGRAMME_EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a programme (not its code); a stale version re-shows the form with the message."""
    user = request_user(request)
    programme = selectors.programme_get(pk=pk)
    context: dict[str, Any] = {"programme": programme}
    if request.method != "POST":
        return render(request, "talentprojects/programme_form.html", {**context, "form": ProgrammeForm(
            editing=programme)})
    form = ProgrammeForm(request.POST, editing=programme)
    posted = submit_form(
        form, ProgrammeUpdateInput, request.POST,
        lambda data: services.programme_update(acting_user=user, programme=programme, data=data),
    )
    if posted.done:
        messages.success(request, _("The changes have been saved."))
        return HttpResponseRedirect(reverse("talentprojects:programme_detail", args=[programme.pk]))
    return render(request, "talentprojects/programme_form.html", {**context, "form": form}, status=400)


@allow(selectors.PROGRAMME_EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A new round of the programme; an inactive programme re-shows the form with why (400)."""
    user = request_user(request)
    programme = selectors.programme_get(pk=pk)
    context: dict[str, Any] = {"programme": programme}
    if request.method != "POST":
        return render(request, "talentprojects/round_form.html", {**context, "form": RoundForm(
            initial={"year": timezone.localdate().year})})
    form = RoundForm(request.POST)
    posted = submit_form(
        form, RoundInput, request.POST,
        lambda data: services.round_create(acting_user=user, programme=programme, data=data),
    )
    if posted.done:
        messages.success(request, _("The round has been opened."))
        return HttpResponseRedirect(reverse("talentprojects:programme_detail", args=[programme.pk]))
    return render(request, "talentprojects/round_form.html", {**context, "form": form}, status=400)


@allow(selectors.PROGRAMME_EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a round; its window must still hold its applications (400 naming the date)."""
    user = request_user(request)
    rnd = selectors.round_get(pk=pk)
    context: dict[str, Any] = {"programme": rnd.programme, "round": rnd}
    if request.method != "POST":
        return render(request, "talentprojects/round_form.html", {**context, "form": RoundForm(editing=rnd)})
    form = RoundForm(request.POST, editing=rnd)
    posted = submit_form(
        form, RoundUpdateInput, request.POST, lambda data: services.round_update(acting_user=user, round=rnd, data=data)
    )
    if posted.done:
        messages.success(request, _("The changes have been saved."))
        return HttpResponseRedirect(reverse("talentprojects:programme_detail", args=[rnd.programme_id]))
    return render(request, "talentprojects/round_form.html", {**context, "form": form}, status=400)
