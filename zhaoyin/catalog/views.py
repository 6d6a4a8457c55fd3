"""Catalog pages: items (list, detail, create, edit) and editions (list, detail, selection,
publish, withdraw, PDF and Excel downloads).

Every government role reads; the city admin curates. Thin views: parse, fetch through a
selector, call one service, render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhaoyin.accounts.request import request_user
from zhaoyin.catalog import brochure, exporting, flow, selectors, services
from zhaoyin.catalog.filters import CatalogItemFilter
from zhaoyin.catalog.forms import EditionForm, ItemForm
from zhaoyin.catalog.inputs import CatalogItemInput, CatalogItemUpdateInput, EditionCreateInput, EditionItemsInput
from zhaoyin.catalog.models import CatalogEdition, CatalogItem, EditionStatus, ItemStatus
from zhaoyin.core.authz import allow
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.export_pages import xlsx_export_response
from zhaoyin.core.forms import FilterBarForm, add_service_errors, bind_form
from zhaoyin.core.inputs import FORM_CONTEXT
from zhaoyin.core.listparams import positive_int
from zhaoyin.core.paging import IdFirstPaginator
from zhaoyin.core.roles import Role

CURATOR = Role.CITY_ADMIN


@allow(selectors.READER_ROLES)
@require_GET
def item_list(request: HttpRequest) -> HttpResponse:
    """All catalog items, filtered by industry, park and text; phones masked. Bad parameters →
    400 naming them, nothing listed."""
    user = request_user(request)
    form = FilterBarForm(request.GET, filters=CatalogItemFilter, user=user)
    context: dict[str, Any] = {"form": form, "page_obj": None, "rows": [], "can_curate": selectors.is_curator(user)}
    if not form.is_valid() or form.filter is None:
        return render(request, "catalog/item_list.html", context, status=400)
    flt = form.filter
    page_obj = IdFirstPaginator(flt.apply(selectors.item_list_visible_to(user)), flt.page_size).get_page(flt.page)
    context["page_obj"] = page_obj
    context["rows"] = [(item, selectors.mask_phone(item.contact_phone)) for item in page_obj.object_list]
    context["export_url"] = reverse("catalog:item_export")
    return render(request, "catalog/item_list.html", context)


@allow(selectors.READER_ROLES)
@require_GET
def item_export(request: HttpRequest) -> HttpResponseBase:
    """The catalog list as .xlsx: the page's roles, selector and filters, phones masked."""
    user = request_user(request)
    return xlsx_export_response(
        request,
        write=lambda out: exporting.item_export(acting_user=user, params=request.GET, out=out),
        filename=exporting.export_filename(),
        back_url=reverse("catalog:item_list"),
    )


@allow(selectors.READER_ROLES)
@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One item; the phone in full for the curator only."""
    user = request_user(request)
    item = selectors.item_get_for_user(user=user, pk=pk)
    curator = selectors.is_curator(user)
    phone = item.contact_phone if curator else selectors.mask_phone(item.contact_phone)
    return render(request, "catalog/item_detail.html", {"item": item, "phone": phone, "can_curate": curator})


@allow(CURATOR)
@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest) -> HttpResponse:
    """Add a reserved project to the catalog."""
    user = request_user(request)
    if request.method != "POST":
        form = ItemForm(initial={"cooperation_mode": "open", "status": ItemStatus.ACTIVE})
        return render(request, "catalog/item_form.html", {"form": form})
    form = ItemForm(request.POST)
    data = bind_form(CatalogItemInput, request.POST, form)
    if data is not None:
        try:
            item = services.catalog_item_create(acting_user=user, data=data)
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The catalog item has been added."))
            return HttpResponseRedirect(reverse("catalog:item_detail", args=[item.pk]))
    return render(request, "catalog/item_form.html", {"form": form}, status=400)


@allow(CURATOR)
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an item; the form carries the version it was loaded at (a lost update → 409 message)."""
    user = request_user(request)
    item = selectors.item_get_for_user(user=user, pk=pk)
    if request.method != "POST":
        return render(request, "catalog/item_form.html", {"form": ItemForm(item=item), "item": item})
    form = ItemForm(request.POST, item=item)
    data = bind_form(CatalogItemUpdateInput, request.POST, form)
    if data is not None:
        try:
            services.catalog_item_update(acting_user=user, item=item, data=data)
        except InvalidInput as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The changes have been saved."))
            return HttpResponseRedirect(reverse("catalog:item_detail", args=[item.pk]))
    return render(request, "catalog/item_form.html", {"form": form, "item": item}, status=400)


@allow(selectors.READER_ROLES)
@require_GET
def edition_list(request: HttpRequest) -> HttpResponse:
    """Editions the user may open (drafts and withdrawn ones: the curator only)."""
    user = request_user(request)
    editions = selectors.edition_list_visible_to(user)
    curator = selectors.is_curator(user)
    return render(
        request,
        "catalog/edition_list.html",
        {"editions": editions, "can_curate": curator, "form": EditionForm() if curator else None},
    )


@allow(CURATOR)
@require_POST
def edition_create(request: HttpRequest) -> HttpResponse:
    """Start a draft edition; bad input re-shows the list with the errors."""
    user = request_user(request)
    form = EditionForm(request.POST)
    data = bind_form(EditionCreateInput, request.POST, form)
    if data is not None:
        try:
            edition = services.edition_create(acting_user=user, data=data)
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            return HttpResponseRedirect(reverse("catalog:edition_detail", args=[edition.pk]))
    editions = selectors.edition_list_visible_to(user)
    return render(
        request, "catalog/edition_list.html", {"editions": editions, "can_curate": True, "form": form}, status=400
    )


def _edition_context(
    request: HttpRequest, edition: CatalogEdition, error: str = "", posted: list[str] | None = None
) -> dict[str, Any]:
    """The edition's page. ``posted``: the item ids a refused selection sent, in its order —
    the page shows them chosen again in that order, so one bad entry loses nothing."""
    user = request_user(request)
    curator = selectors.is_curator(user)
    entries = selectors.edition_entries(edition)
    editable = curator and edition.status == EditionStatus.DRAFT
    candidates: list[tuple[CatalogItem, bool]] = []
    if editable:
        if posted is None:
            chosen = [e.item_id for e in entries]
        else:  # a tampered value ("x", "²") is dropped here; the refusal already names it
            chosen = [n for v in posted if (n := positive_int(v)) is not None]
        active = {item.pk: item for item in selectors.item_list_visible_to(user).filter(status=ItemStatus.ACTIVE)}
        # The chosen items first, in the brochure's order, then the others as listed.
        first = [active[pk] for pk in dict.fromkeys(chosen) if pk in active]
        candidates = [(item, True) for item in first]
        candidates += [(item, False) for pk, item in active.items() if pk not in set(chosen)]
    return {
        "edition": edition,
        "entries": [(e, selectors.mask_phone(e.item.contact_phone)) for e in entries],
        "can_curate": curator,
        "editable": editable,
        "candidates": candidates,
        # The buttons are the table's rows the curator may take from the edition's status.
        "transitions": [
            {
                "url": reverse(f"catalog:edition_{r.action}", args=[edition.pk]),
                "label": r.label,
                "style": r.style,
                "icon": flow.ICONS[r.action],
            }
            for r in flow.TABLE.manual_rows_from(edition.status, user.role_codes)
        ]
        if curator
        else [],
        "error": error,
    }


@allow(selectors.READER_ROLES)
@require_GET
def edition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An edition's items in order, with the curator's selection and transition buttons."""
    edition = selectors.edition_get_for_user(user=request_user(request), pk=pk)
    return render(request, "catalog/edition_detail.html", _edition_context(request, edition))


@allow(CURATOR)
@require_POST
def edition_set_items(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the selection: the checked ``items`` in the order posted (the page's order, which
    the curator sets by dragging a row or with its up and down buttons). A refusal shows the
    page again with the posted choices kept, the message naming what is wrong."""
    user = request_user(request)
    edition = selectors.edition_get_for_user(user=user, pk=pk)
    posted = [str(v).strip() for v in request.POST.getlist("items")]
    try:
        data = EditionItemsInput.parse({"items": posted}, context=FORM_CONTEXT)
        services.edition_set_items(acting_user=user, edition=edition, data=data)
    except (InvalidInput, Conflict) as exc:
        message = " ".join(m for ms in exc.by_field().values() for m in ms) if isinstance(exc, InvalidInput) else exc
        context = _edition_context(request, edition, str(message), posted=posted)
        return render(request, "catalog/edition_detail.html", context, status=400)
    messages.success(request, _("The selection has been saved."))
    return HttpResponseRedirect(reverse("catalog:edition_detail", args=[edition.pk]))


#: What each button of the table says once its move is done.
DONE: dict[flow.Action, Any] = {
    flow.Action.PUBLISH: gettext_lazy("The edition has been published."),
    flow.Action.WITHDRAW: gettext_lazy("The edition has been withdrawn."),
}


def _transition(request: HttpRequest, pk: int, action: flow.Action) -> HttpResponse:
    user = request_user(request)
    edition = selectors.edition_get_for_user(user=user, pk=pk)
    service = services.EDITION_SERVICES[action]
    try:
        service(acting_user=user, edition=edition)
    except (InvalidInput, Conflict) as exc:
        message = exc.detail if isinstance(exc, InvalidInput) else exc
        return render(
            request, "catalog/edition_detail.html", _edition_context(request, edition, str(message)), status=400
        )
    messages.success(request, DONE[action])
    return HttpResponseRedirect(reverse("catalog:edition_detail", args=[edition.pk]))


@allow(CURATOR)
@require_POST
def edition_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """draft → published."""
    return _transition(request, pk, flow.Action.PUBLISH)


@allow(CURATOR)
@require_POST
def edition_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """published → withdrawn."""
    return _transition(request, pk, flow.Action.WITHDRAW)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@allow(selectors.READER_ROLES)
@require_GET
def edition_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The brochure (PDF)."""
    edition = selectors.edition_get_for_user(user=request_user(request), pk=pk)
    return _download(brochure.edition_pdf(edition), "application/pdf", f"catalog-edition-{edition.pk}.pdf")


@allow(selectors.READER_ROLES)
@require_GET
def edition_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The edition as Excel."""
    edition = selectors.edition_get_for_user(user=request_user(request), pk=pk)
    return _download(
        brochure.edition_xlsx(edition),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"catalog-edition-{edition.pk}.xlsx",
    )
