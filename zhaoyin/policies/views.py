"""Policy library pages (惠企政策库): list with filters and Excel export, detail (the
eligibility described in words, attachments, status buttons from the transition table),
register / change with the eligibility editor, status actions, attachments, Excel import.

Thin views: parse the form, fetch through a selector (404 invisible, 403 not an editor of
it), call one service, render. Government staff read; city and unit administrators write.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhaoyin.accounts.models import User
from zhaoyin.accounts.request import request_user
from zhaoyin.core.authz import allow
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.export_pages import xlsx_export_response
from zhaoyin.core.files import attachment_response
from zhaoyin.core.forms import FilterBarForm, bind_form
from zhaoyin.core.import_pages import ImportPages, xlsx_download
from zhaoyin.core.listparams import MAX_PAGE_SIZE, positive_int
from zhaoyin.core.paging import IdFirstPaginator
from zhaoyin.core.roles import GOVERNMENT_ROLES, Role
from zhaoyin.lib import eligibility as engine
from zhaoyin.policies import extensions, flow, selectors, services
from zhaoyin.policies.eligibility_text import described, tree_errors
from zhaoyin.policies.exporting import export_filename, policy_export
from zhaoyin.policies.filters import PolicyFilter
from zhaoyin.policies.forms import PolicyFilesForm, PolicyForm, WithdrawForm, editor_options
from zhaoyin.policies.importing import POLICY_COLUMNS, PolicyImport, policy_import_template
from zhaoyin.policies.inputs import PolicyInput, PolicyUpdateInput
from zhaoyin.policies.models import Beneficiary, Policy
from zhaoyin.policies.validation import vocabulary_for

READERS = tuple(GOVERNMENT_ROLES)
EDITORS = (Role.CITY_ADMIN, Role.UNIT_ADMIN)
PAGE_SIZES = f"20,50,100,{MAX_PAGE_SIZE}"


@allow(*READERS)
@require_GET
def policy_list(request: HttpRequest) -> HttpResponse:
    """The visible, filtered, sorted and paged policy list. Bad parameters → 400 naming them."""
    user = request_user(request)
    form = FilterBarForm(request.GET, filters=PolicyFilter, user=user)
    context: dict[str, Any] = {
        "form": form,
        "page_obj": None,
        "page_sizes": PAGE_SIZES,
        "can_create": selectors.may_create_policies(user),
    }
    if not form.is_valid() or form.filter is None:
        return render(request, "policies/list.html", context, status=400)
    flt = form.filter
    qs = flt.apply(selectors.policy_list_visible_to(user))
    paginator = IdFirstPaginator(qs, flt.page_size, count=qs.order_by().aggregate(n=Count("id"))["n"])
    context["page_obj"] = paginator.get_page(flt.page)
    context["filter"] = flt
    return render(request, "policies/list.html", context)


@allow(*READERS)
@require_GET
def policy_export_view(request: HttpRequest) -> HttpResponseBase:
    """The visible, filtered list as .xlsx (the list page's selector and filters)."""
    user = request_user(request)
    return xlsx_export_response(
        request,
        write=lambda out: policy_export(acting_user=user, params=request.GET, out=out),
        filename=export_filename(),
        back_url=reverse("policies:list"),
    )


def tree_description(policy: Policy) -> tuple[list[tuple[int, str]], list[tuple[str, str]]]:
    """The eligibility tree in words (depth, line) — or, if today's dictionaries no longer
    accept it, the problems (path, message)."""
    if not policy.eligibility:
        return [], []
    vocab = vocabulary_for(policy.beneficiary)
    try:
        node = engine.parse_tree(policy.eligibility, vocab)
    except engine.TreeError as exc:
        return [], tree_errors(exc)
    return described(engine.describe(node, vocab)), []


def _detail_context(request: HttpRequest, policy: Policy, **extra: Any) -> dict[str, Any]:
    user = request_user(request)
    can_edit = selectors.can_edit_policy(user, policy)
    lines, problems = tree_description(policy)
    context: dict[str, Any] = {
        "policy": policy,
        "tree_lines": [{"depth": d, "text": t, "indent": min(d, 6)} for d, t in lines],
        "tree_problems": problems,
        "files": selectors.policy_files(policy),
        "history": selectors.policy_status_history(policy),
        "can_edit": can_edit and flow.is_editable(policy.status),
        "can_act": can_edit,
        "transitions": flow.TABLE.manual_rows_from(policy.status, user.role_codes) if can_edit else [],
        "withdraw_form": WithdrawForm(initial={"version": policy.version}),
        "files_form": PolicyFilesForm(),
        # A talent policy lists talents (免申即享 for persons), an enterprise policy enterprises.
        "eligible_url": reverse(
            "policy_matching:eligible_talents"
            if policy.beneficiary == Beneficiary.TALENT
            else "policy_matching:eligible",
            args=[policy.pk],
        ),
        # Links of the apps above this one (the payout ledger's "register a payout").
        **extensions.page_links(user, policy),
    }
    context.update(extra)
    return context


@allow(*READERS)
@require_GET
def policy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """All fields of a policy, its conditions in words, attachments, status history."""
    policy = selectors.policy_get_for_user(user=request_user(request), pk=pk)
    return render(request, "policies/detail.html", _detail_context(request, policy))


def _form_page(
    request: HttpRequest, form: PolicyForm, policy: Policy | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "policies/form.html",
        {
            "form": form,
            "policy": policy,
            "editor_options": editor_options(),
            "tree_errors": form.tree_errors,
        },
        status=status,
    )


@allow(*EDITORS)
@require_http_methods(["GET", "POST"])
def policy_create(request: HttpRequest) -> HttpResponse:
    """Register a policy (as a draft) in a unit the user keeps policies for."""
    user = request_user(request)
    if request.method != "POST":
        return _form_page(request, PolicyForm(user=user), None)
    form = PolicyForm(request.POST, user=user)
    # Each value is judged by the input model, as in the API and the import.
    data = bind_form(PolicyInput, request.POST, form)
    if data is not None:
        try:
            policy = services.policy_create(acting_user=user, data=data)
        except InvalidInput as exc:
            form.add_service_errors(exc.errors or [{"field": "", "message": str(exc.detail)}])
        else:
            messages.success(request, _("The policy has been registered as a draft."))
            return HttpResponseRedirect(reverse("policies:detail", args=[policy.pk]))
    return _form_page(request, form, None, status=400)


@allow(*EDITORS)
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a policy. The form carries the version it was loaded at; if someone else saved
    meanwhile the input is kept and the user told so (CONC-01)."""
    user = request_user(request)
    policy = selectors.policy_get_for_user(user=user, pk=pk, action="change")
    if not flow.is_editable(policy.status):
        messages.error(request, _("An expired or withdrawn policy can no longer be changed."))
        return HttpResponseRedirect(reverse("policies:detail", args=[policy.pk]))
    if request.method != "POST":
        return _form_page(request, PolicyForm(user=user, policy=policy), policy)
    form = PolicyForm(request.POST, user=user, policy=policy)
    changes = bind_form(PolicyUpdateInput, request.POST, form)
    if changes is not None:
        try:
            services.policy_update(acting_user=user, policy=policy, data=changes, version=form.submitted_version)
        except InvalidInput as exc:
            form.add_service_errors(exc.errors or [{"field": "", "message": str(exc.detail)}])
        except Conflict as exc:
            current = selectors.policy_get_for_user(user=user, pk=pk, action="change")
            data = request.POST.copy()
            data["version"] = str(current.version)
            form = PolicyForm(data, user=user, policy=current)
            form.is_valid()
            form.add_error(None, str(exc))
            form.add_error(None, _("Your input is kept below; save again to apply it over their change."))
            return _form_page(request, form, current, status=409)
        else:
            messages.success(request, _("The changes have been saved."))
            return HttpResponseRedirect(reverse("policies:detail", args=[policy.pk]))
    return _form_page(request, form, policy, status=400)


@allow(*EDITORS)
@require_POST
def policy_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Publish or withdraw (the transition table decides; a stale page → 409 with the reason)."""
    user = request_user(request)
    policy = selectors.policy_get_for_user(user=user, pk=pk, action="change")
    if action not in flow.MANUAL_ACTIONS:
        raise Http404
    form = WithdrawForm(request.POST)
    form.is_valid()
    text = str(form.cleaned_data.get("version") or "")
    version = positive_int(text)
    try:
        services.policy_transition(
            acting_user=user,
            policy=policy,
            action=action,
            reason=str(form.cleaned_data.get("reason") or ""),
            version=version,
        )
    except InvalidInput as exc:
        for err in exc.errors:
            form.add_error("reason" if err.get("field") == "reason" else None, f"{err['message']}")
        if not exc.errors:
            form.add_error(None, str(exc.detail))
        problems = [(e.get("field", ""), e["message"]) for e in exc.errors]
        context = _detail_context(request, policy, withdraw_form=form, action_problems=problems)
        return render(request, "policies/detail.html", context, status=400)
    except Conflict as exc:
        policy = selectors.policy_get_for_user(user=user, pk=pk)
        context = _detail_context(request, policy, action_problems=[("", str(exc))])
        return render(request, "policies/detail.html", context, status=409)
    done = {
        flow.Action.PUBLISH.value: _("The policy is now in force."),
        flow.Action.WITHDRAW.value: _("The policy has been withdrawn."),
    }
    messages.success(request, done[action])
    return HttpResponseRedirect(reverse("policies:detail", args=[policy.pk]))


@allow(*EDITORS)
@require_POST
def policy_files_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach files to a policy."""
    user = request_user(request)
    policy = selectors.policy_get_for_user(user=user, pk=pk, action="change")
    form = PolicyFilesForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.policy_files_add(acting_user=user, policy=policy, files=form.cleaned_data.get("attachments"))
        except InvalidInput as exc:
            for err in exc.errors:
                form.add_error("attachments", err["message"])
        else:
            messages.success(request, _("The files have been attached."))
            return HttpResponseRedirect(reverse("policies:detail", args=[policy.pk]) + "#files")
    return render(request, "policies/detail.html", _detail_context(request, policy, files_form=form), status=400)


@allow(*READERS)
@require_GET
def policy_file_download(request: HttpRequest, pk: int) -> FileResponse:
    """An attachment of a policy the user may see (else 404), as a download; each audited."""
    user = request_user(request)
    file = selectors.policy_file_get_for_user(user=user, pk=pk)
    try:
        handle = services.policy_file_open(acting_user=user, file=file)
    except (OSError, ValueError):
        raise Http404 from None
    return attachment_response(handle, filename=file.original_name, content_type=file.content_type)


# --------------------------------------------------------------------------- import

IMPORT_PAGES = ImportPages(
    spec=PolicyImport,
    kind=PolicyImport.kind,
    columns=POLICY_COLUMNS,
    list_url="policies:list",
    import_url="policies:import",
    commit_url="policies:import_commit",
    result_url="policies:import_result",
    template_url="policies:import_template",
    section_label=gettext_lazy("Policies"),
    heading=gettext_lazy("Import policies from Excel"),
    back_label=gettext_lazy("Back to the policy list"),
    notes=(
        gettext_lazy(
            "Each row registers a draft policy; a row whose title and document number match a draft you may "
            "edit updates that draft instead."
        ),
        gettext_lazy(
            "The eligibility column holds the conditions as JSON (as the editor shows them); leave it blank "
            "to add them later in the editor."
        ),
        gettext_lazy("Unit codes must be text cells, not numbers."),
    ),
)
#: The import's routes (upload, commit, result, error report) with their rule.
IMPORT = IMPORT_PAGES.views(*EDITORS)


def _user(request: HttpRequest) -> User:
    return request_user(request)





@allow(*EDITORS)
@require_GET
def policy_import_template_download(request: HttpRequest) -> HttpResponse:
    """The import template with a sheet of the codes the file may use."""
    return xlsx_download(policy_import_template(_user(request)), "policy-import-template.xlsx")
