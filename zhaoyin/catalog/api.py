"""API: /catalog-items (list, detail, create, change) and /catalog-editions (list, detail, and
the brochure and Excel of one).

Items are read by every government role and written by the city admin only. The contact
phone is masked for everyone but the curator. Editions: a draft or withdrawn edition exists
only for the city admin (404 for other readers); a published one for every reader.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Path, Router, Status

from zhaoyin.accounts.models import User
from zhaoyin.accounts.request import request_user
from zhaoyin.catalog import brochure, selectors, services
from zhaoyin.catalog.filters import CatalogEditionFilter, CatalogItemFilter
from zhaoyin.catalog.inputs import CatalogItemInput, CatalogItemUpdateInput
from zhaoyin.catalog.models import CatalogEdition, CatalogItem
from zhaoyin.core.api import ErrorOut, api_allow
from zhaoyin.core.fields import exact_amounts
from zhaoyin.core.inputs import Input
from zhaoyin.core.outputs import DecimalText, IsoDateTime, OutSchema
from zhaoyin.core.roles import Role

items_router = Router(tags=["catalog"])
editions_router = Router(tags=["catalog"])

MAX_ID = 2**63 - 1
ItemId = Annotated[int, Path(ge=1, le=MAX_ID, description="Catalog item id.")]
EditionId = Annotated[int, Path(ge=1, le=MAX_ID, description="Catalog edition id.")]


class ItemOut(OutSchema):
    id: int
    name: str
    industry: str = Field(validation_alias="industry.code", description="Industry code")
    industry_name: str = Field(validation_alias="industry.name")
    park: str = Field(validation_alias="park.code", description="Org unit code of the park or county")
    park_name: str = Field(validation_alias="park.name")
    land_mu: DecimalText | None
    investment_estimate_wan: DecimalText = Field(description="万元, a decimal string")
    construction_content: str
    market_analysis: str
    benefit_analysis: str
    cooperation_mode: str
    contact_unit: str
    contact_person: str
    contact_phone: str = Field(description="Masked unless the caller curates the catalog")
    status: str
    version: int

    @staticmethod
    def resolve_contact_phone(item: CatalogItem, context: dict[str, Any]) -> str:
        if selectors.is_curator(request_user(context["request"])):
            return item.contact_phone
        return selectors.mask_phone(item.contact_phone)


class ItemPageOut(OutSchema):
    count: int
    items: list[ItemOut]


# The bodies are the use cases' input models (zhaoyin.catalog.inputs): the same verdict per
# value as the pages.
AMOUNTS = ["land_mu", "investment_estimate_wan"]


def _exact(request: HttpRequest, payload: Input) -> dict[str, Any]:
    """The fields sent, with amounts that arrived as JSON numbers read again from the body's
    own text (a float once parsed), to be built into the input once more."""
    return exact_amounts(request, payload.model_dump(exclude_unset=True), AMOUNTS)


def _reload(user: User, pk: int) -> CatalogItem:
    return selectors.item_get_for_user(user=user, pk=pk)


@items_router.get("", response=ItemPageOut, openapi_extra=CatalogItemFilter.openapi())
@api_allow(selectors.READER_ROLES)
def catalog_item_list(request: HttpRequest) -> dict[str, Any]:
    """Catalog items, filtered and paged: ``{"count", "items"}``."""
    user = request_user(request)
    flt = CatalogItemFilter.parse(request.GET)
    qs = flt.apply(selectors.item_list_visible_to(user))
    size = flt.page_size
    start = (flt.page - 1) * size
    return {"count": qs.count(), "items": list(qs[start : start + size])}


@items_router.get("/{id}", response=ItemOut)
@api_allow(selectors.READER_ROLES)
def catalog_item_detail(request: HttpRequest, id: ItemId) -> CatalogItem:
    """One catalog item."""
    return selectors.item_get_for_user(user=request_user(request), pk=id)


@items_router.post("", response={201: ItemOut})
@api_allow(Role.CITY_ADMIN)
def catalog_item_create(request: HttpRequest, payload: CatalogItemInput) -> Status[CatalogItem]:
    """Add an item: name, industry (code), park (org unit code) and the estimate are required."""
    user = request_user(request)
    item = services.catalog_item_create(acting_user=user, data=CatalogItemInput.parse(_exact(request, payload)))
    return Status(201, _reload(user, item.pk))


@items_router.patch("/{id}", response={200: ItemOut, 409: ErrorOut})
@api_allow(Role.CITY_ADMIN)
def catalog_item_update(request: HttpRequest, id: ItemId, payload: CatalogItemUpdateInput) -> CatalogItem:
    """Change the fields sent. With ``version``, a change made meanwhile by someone else → 409."""
    user = request_user(request)
    item = selectors.item_get_for_user(user=user, pk=id)
    data = CatalogItemUpdateInput.parse(_exact(request, payload))
    services.catalog_item_update(acting_user=user, item=item, data=data)
    return _reload(user, item.pk)


class EditionOut(OutSchema):
    """A catalog edition (招商项目册) as lists show it: enough to pick one and fetch its files."""

    id: int
    title: str
    year: int
    status: str = Field(description="draft, published or withdrawn")
    item_count: int = Field(description="How many catalog items the edition holds")
    published_at: IsoDateTime | None
    withdrawn_at: IsoDateTime | None
    created_at: IsoDateTime


class EditionDetailOut(EditionOut):
    """One edition with its items' ids in the edition's order."""

    item_ids: list[int] = Field(description="The catalog items' ids in the edition's order")

    @staticmethod
    def resolve_item_ids(edition: CatalogEdition) -> list[int]:
        return [entry.item_id for entry in selectors.edition_entries(edition)]


class EditionPageOut(OutSchema):
    count: int
    items: list[EditionOut]


@editions_router.get("", response=EditionPageOut, openapi_extra=CatalogEditionFilter.openapi())
@api_allow(selectors.READER_ROLES)
def catalog_edition_list(request: HttpRequest) -> dict[str, Any]:
    """Catalog editions the caller may open (every edition for the curator, published ones for
    other readers), newest year first, filtered and paged: ``{"count", "items"}``."""
    user = request_user(request)
    flt = CatalogEditionFilter.parse(request.GET)
    qs = flt.apply(selectors.edition_list_with_counts(user))
    size = flt.page_size
    start = (flt.page - 1) * size
    return {"count": qs.count(), "items": list(qs[start : start + size])}


@editions_router.get("/{id}", response=EditionDetailOut)
@api_allow(selectors.READER_ROLES)
def catalog_edition_detail(request: HttpRequest, id: EditionId) -> CatalogEdition:
    """One edition (a draft or withdrawn one exists for the curator only: 404 for others)."""
    return selectors.edition_get_with_count(user=request_user(request), pk=id)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@editions_router.get("/{id}/pdf", response={200: None})
@api_allow(selectors.READER_ROLES)
def catalog_edition_pdf(request: HttpRequest, id: EditionId) -> HttpResponse:
    """The edition's brochure as PDF (drafts and withdrawn editions: the city admin only)."""
    edition = selectors.edition_get_for_user(user=request_user(request), pk=id)
    return _download(brochure.edition_pdf(edition), "application/pdf", f"catalog-edition-{edition.pk}.pdf")


@editions_router.get("/{id}/xlsx", response={200: None})
@api_allow(selectors.READER_ROLES)
def catalog_edition_xlsx(request: HttpRequest, id: EditionId) -> HttpResponse:
    """The edition as an Excel workbook (same visibility as the PDF)."""
    edition = selectors.edition_get_for_user(user=request_user(request), pk=id)
    return _download(
        brochure.edition_xlsx(edition),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"catalog-edition-{edition.pk}.xlsx",
    )
