"""Pages of the subsidy applications (人才补贴申请, issue 13 item 9).

- the talent's portal (mobile-first, single column): ``/payouts/applications/apply/<policy>/``
  (a statement and documents), ``/payouts/applications/mine/`` (their applications: state,
  dates, the reason of a return or a rejection — never the internal note — with resubmit and
  withdraw), ``/payouts/applications/mine/<id>/<action>/``;
- staff: ``/payouts/applications/`` (a dense, filtered list of the talents in scope),
  ``/payouts/applications/<id>/`` (facts, documents, the buttons of the table) and its actions;
  the apply page also serves staff applying on a talent's behalf (``?talent=<id>``);
- ``/payouts/applications/<id>/files/<file>/`` (a scoped, audited download) and
  ``/payouts/applications/<id>/open/`` (a notice's link: the portal or the staff page).

Thin views: parse, fetch through a selector (404 out of scope), call one service, render.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhaoyin.accounts.models import User
from zhaoyin.accounts.request import request_user
from zhaoyin.core import files as files_core
from zhaoyin.core.authz import allow
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.export_pages import xlsx_export_response
from zhaoyin.core.forms import FilterBarForm, submit_form
from zhaoyin.core.listparams import MAX_PAGE_SIZE
from zhaoyin.core.paging import IdFirstPaginator
from zhaoyin.core.roles import Role
from zhaoyin.payouts import application_exporting, applications
from zhaoyin.payouts import application_selectors as selectors
from zhaoyin.payouts.filters import SubsidyApplicationFilter
from zhaoyin.payouts.inputs import STATEMENT_MAX, SubsidyApplicationActionInput, SubsidyApplyInput
from zhaoyin.payouts.models import OPEN_APPLICATION_STATES, SubsidyApplication, SubsidySchedule
from zhaoyin.policies.models import Policy
from zhaoyin.talents.models import Talent
from zhaoyin.talents.pickers import use_talent_picker
from zhaoyin.talents.selectors import own_talent

PAGE_SIZES = f"20,50,100,{MAX_PAGE_SIZE}"
REVIEWER_ROLES = [Role(r) for r in applications.REVIEWER_ROLES]
APPLICANT_ROLES = [Role(r) for r in applications.APPLICANT_ROLES]


# ---- forms (they only draw the page: the verdicts are the input models' and the services') ----


class _MultipleFileInput(files_core.AttachmentsInput):
    allow_multiple_selected = True


class DocumentsField(forms.FileField):
    """Several documents in one input; the service checks count, size and type (by bytes)."""

    widget = _MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        cleaned = []
        for item in items:  # a loop: zero-argument super() needs the method's own frame
            cleaned.append(super().clean(item, initial))
        return cleaned


class ApplyForm(forms.Form):
    """An application: the talent (staff only), the statement, documents."""

    talent = forms.CharField(label=gettext_lazy("Talent (record number)"), required=False,
                             widget=forms.TextInput(attrs={"maxlength": 12, "inputmode": "numeric"}))
    statement = forms.CharField(label=gettext_lazy("Statement"), required=False,
                                widget=forms.Textarea(attrs={"rows": 4, "maxlength": STATEMENT_MAX}))
    documents = DocumentsField(label=gettext_lazy("Documents"), required=False)

    def __init__(self, *args: Any, user: User, portal: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if portal:
            del self.fields["talent"]
        else:
            # The talent by name (core.pickers, issue 16); a typed record number is taken.
            use_talent_picker(self, "talent", user)


class ActionForm(forms.Form):
    """One action of the table; which fields an action reads is the table's rule."""

    first_period = forms.CharField(label=gettext_lazy("First period"), required=False)
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False)
    note = forms.CharField(label=gettext_lazy("Internal note"), required=False)
    statement = forms.CharField(label=gettext_lazy("Statement"), required=False)
    documents = DocumentsField(label=gettext_lazy("Documents"), required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())


# ---- registrations (PayoutsConfig.ready) ---------------------------------------------------------


def talent_policy_actions(user: User, talent: Talent, policy_ids: Sequence[int]) -> Mapping[int, tuple[str, str]]:
    """The "apply" link per talent policy with a schedule (``policies.extensions``): the talent
    on their own policies page; a reviewer of the talent on theirs (on the talent's behalf). A
    policy with an open application links to it instead."""
    own = user.has_role(Role.TALENT) and talent.account_id == user.pk
    if not policy_ids or not (own or applications.is_reviewer(user, talent)):
        return {}
    ids = applications.applicable_policy_ids(policy_ids)
    if not ids:
        return {}
    open_ones = dict(
        SubsidyApplication.objects.filter(talent=talent, policy_id__in=ids, state__in=OPEN_APPLICATION_STATES)
        .values_list("policy_id", "pk")
    )
    out: dict[int, tuple[str, str]] = {}
    for pk in sorted(ids):
        if pk in open_ones:
            target = (reverse("payouts:application_mine") + f"#application-{open_ones[pk]}" if own
                      else reverse("payouts:application_detail", args=[open_ones[pk]]))
            out[pk] = (target, _("Application under way"))
            continue
        url = reverse("payouts:application_apply", args=[pk])
        out[pk] = (url if own else f"{url}?talent={talent.pk}", _("Apply"))
    return out


def register() -> None:
    """Register the notices, the 我的待办 provider and the policies page's links (called once
    from ``PayoutsConfig.ready``)."""
    from zhaoyin.core import todo
    from zhaoyin.notifications import handoff
    from zhaoyin.payouts.application_todo import SubsidyApplicationResolver, SubsidyApplicationTodo
    from zhaoyin.policies import extensions

    handoff.register(applications.APPLICATION_TABLE, SubsidyApplicationResolver())
    todo.register(SubsidyApplicationTodo())
    extensions.register_talent_policy_actions(talent_policy_actions)


# ---- applying ------------------------------------------------------------------------------------


def _policy(pk: int) -> Policy:
    try:
        return applications.applicable_policy(pk)
    except InvalidInput:
        raise Http404 from None


def _portal_user(user: User) -> bool:
    return user.has_role(Role.TALENT) and not user.has_role(*REVIEWER_ROLES)


#: The services name the uploads ``files``; the forms' field is ``documents``.
_FILES = {"files": "documents"}


@allow(*APPLICANT_ROLES)
@require_http_methods(["GET", "POST"])
def application_apply(request: HttpRequest, policy: int) -> HttpResponse:
    """Apply for a talent policy's subsidy: the talent for themself, staff for a talent of their
    scope (``?talent=`` pre-fills it). A policy that takes no application is 404; a refusal
    stays on the form naming its field (400), an open application or a policy in the ledger 409."""
    user = request_user(request)
    subsidy = _policy(policy)
    portal = _portal_user(user)
    context: dict[str, Any] = {
        "policy": subsidy, "portal": portal, "talent": own_talent(user) if portal else None,
        "schedule": SubsidySchedule.objects.filter(policy=subsidy).first(),
    }
    if request.method != "POST":
        context["form"] = ApplyForm(portal=portal, initial={"talent": request.GET.get("talent", "")}, user=user)
        return render(request, "payouts/application_apply.html", context)
    form = ApplyForm(request.POST, request.FILES, portal=portal, user=user)
    context["form"] = form
    uploads = files_core.read_uploads(request.FILES.getlist("documents"), field="files")
    posted = submit_form(
        form, SubsidyApplyInput, request.POST,
        lambda data: applications.subsidy_apply(acting_user=user, data=data, uploads=uploads),
        extra={"policy": subsidy.pk}, rename=_FILES, denied=True,
    )
    created = posted.result
    if created is None:
        return render(request, "payouts/application_apply.html", context, status=posted.status)
    messages.success(request, _("Your application has been submitted.") if portal
                     else _("The application has been registered."))
    if portal:
        return HttpResponseRedirect(reverse("payouts:application_mine") + f"#application-{created.pk}")
    return HttpResponseRedirect(reverse("payouts:application_detail", args=[created.pk]))


# ---- the talent's own pages ------------------------------------------------------------------------


def _mine(request: HttpRequest, user: User, *, form: ActionForm | None = None, failed: int | None = None,
          status: int = 200) -> HttpResponse:
    items = list(selectors.portal_applications(user))
    return render(request, "payouts/application_mine.html", {
        "talent": own_talent(user),
        "items": [(a, [r.action.value for r in applications.actions_for(user, a)]) for a in items],
        "form": form, "failed": failed,
    }, status=status)


@allow(Role.TALENT)
@require_GET
def application_mine(request: HttpRequest) -> HttpResponse:
    """The talent's own subsidy applications: state, dates, the reason given, documents."""
    return _mine(request, request_user(request))


def _act(
    request: HttpRequest, user: User, application: SubsidyApplication, action: str, allowed: Sequence[str]
) -> tuple[ActionForm, int]:
    """Take ``action`` from a posted form; (the form with its errors, the status: 302 done)."""
    form = ActionForm(request.POST, request.FILES)
    if action not in allowed:
        form.add_error(None, _("Unknown action."))
        return form, 400
    uploads = files_core.read_uploads(request.FILES.getlist("documents"), field="files")
    posted = submit_form(
        form, SubsidyApplicationActionInput, request.POST,
        lambda data: applications.subsidy_application_transition(
            acting_user=user, application=application, action=action, data=data, uploads=uploads
        ),
        rename=_FILES, denied=True,
    )
    if not posted.done:
        return form, posted.status
    messages.success(request, _("Done: %(action)s.") % {"action": applications.label_of(action)})
    return form, 302


@allow(Role.TALENT)
@require_POST
def application_mine_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Resubmit a returned application (with more documents) or withdraw an open one."""
    user = request_user(request)
    application = selectors.portal_application_get(user=user, pk=pk)
    form, status = _act(request, user, application, action, applications.PORTAL_ACTIONS)
    if status == 302:
        return HttpResponseRedirect(reverse("payouts:application_mine") + f"#application-{pk}")
    return _mine(request, user, form=form, failed=pk, status=status)


# ---- staff pages -----------------------------------------------------------------------------------


@allow(selectors.APPLICATION_READERS)
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    """Subsidy applications of the talents in scope: filters state, policy, unit, name."""
    user = request_user(request)
    form = FilterBarForm(request.GET, filters=SubsidyApplicationFilter, user=user)
    context: dict[str, Any] = {"form": form, "page_obj": None, "page_sizes": PAGE_SIZES}
    if not form.is_valid() or form.filter is None:
        return render(request, "payouts/application_list.html", context, status=400)
    flt = form.filter
    qs = flt.apply(selectors.application_list_visible_to(user))
    paginator = IdFirstPaginator(qs, flt.page_size, count=qs.count())
    page = paginator.get_page(flt.page)
    selectors.with_file_counts(list(page.object_list))
    context.update(page_obj=page, filter=flt, export_url=reverse("payouts:application_export"))
    return render(request, "payouts/application_list.html", context)


@allow(selectors.APPLICATION_READERS)
@require_GET
def application_export(request: HttpRequest) -> HttpResponseBase:
    """The subsidy applications list as .xlsx: the page's roles, selector and filters."""
    user = request_user(request)
    return xlsx_export_response(
        request,
        write=lambda out: application_exporting.application_export(acting_user=user, params=request.GET, out=out),
        filename=application_exporting.export_filename(),
        back_url=reverse("payouts:application_list"),
    )


def _detail(request: HttpRequest, application: SubsidyApplication, *, form: ActionForm | None = None,
            status: int = 200) -> HttpResponse:
    user = request_user(request)
    return render(request, "payouts/application_detail.html", {
        "application": application,
        "files": selectors.application_files(application),
        "actions": applications.actions_for(user, application),
        "first_period": applications.default_first_period(application.policy),
        "schedule": SubsidySchedule.objects.filter(policy_id=application.policy_id).first(),
        "form": form,
    }, status=status)


@allow(selectors.APPLICATION_READERS)
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One application with its documents, the internal note and the actions the user may take."""
    return _detail(request, selectors.application_get_for_user(user=request_user(request), pk=pk))


@allow(*REVIEWER_ROLES)
@require_POST
def application_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Take an action of the table (accept starts the schedule)."""
    user = request_user(request)
    application = selectors.application_get_for_user(user=user, pk=pk)
    form, status = _act(request, user, application, action, applications.ACTIONS)
    if status == 302:
        return HttpResponseRedirect(reverse("payouts:application_detail", args=[pk]))
    return _detail(request, selectors.application_get_for_user(user=user, pk=pk), form=form, status=status)


@allow(selectors.FILE_READERS)
@require_GET
def application_file(request: HttpRequest, pk: int, file_pk: int) -> HttpResponseBase:
    """Download a document of an application the user may see (the talent: their own); audited."""
    user = request_user(request)
    stored = selectors.application_file_for_user(user=user, application_pk=pk, file_pk=file_pk)
    try:
        handle = files_core.open_attachment(
            stored, area=applications.FILE_AREA, acting_user=user, action="subsidy_application.file_download",
            owner_repr=f"subsidy application {pk}", owner={"subsidy_application": pk},
        )
    except OSError:
        raise Http404 from None
    return files_core.attachment_response(handle, filename=stored.original_name, content_type=stored.content_type)


@allow(selectors.FILE_READERS)
@require_GET
def application_open(request: HttpRequest, pk: int) -> HttpResponse:
    """A notice's link: the talent's portal page for the talent, the staff page for staff."""
    user = request_user(request)
    if _portal_user(user):
        application = selectors.portal_application_get(user=user, pk=pk)
        return HttpResponseRedirect(reverse("payouts:application_mine") + f"#application-{application.pk}")
    application = selectors.application_get_for_user(user=user, pk=pk)
    return HttpResponseRedirect(reverse("payouts:application_detail", args=[application.pk]))

