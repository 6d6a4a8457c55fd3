"""Reads of the catalog. Items are city-wide promotion material: every government role reads
them; editions in draft or withdrawn are the curator's (city admin) only."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from zhaoyin.accounts.models import User
from zhaoyin.catalog.models import CatalogEdition, CatalogEditionItem, CatalogItem, EditionStatus
from zhaoyin.core.roles import GOVERNMENT_ROLES, Role

#: Who reads catalog items and published editions.
READER_ROLES: frozenset[Role] = GOVERNMENT_ROLES
#: Who curates the catalog (create, edit, publish, withdraw).
CURATOR_ROLES: frozenset[Role] = frozenset({Role.CITY_ADMIN})


def is_curator(user: User) -> bool:
    return user.has_role(Role.CITY_ADMIN) and not user.admin_role


def _is_reader(user: User) -> bool:
    return user.has_role(*READER_ROLES) and not user.admin_role


def item_list_visible_to(user: User) -> QuerySet[CatalogItem]:
    """Every catalog item (none for a non-reader), with industry and park joined."""
    qs = CatalogItem.objects.select_related("industry", "park")
    return qs if _is_reader(user) else qs.none()


def item_get_for_user(*, user: User, pk: int) -> CatalogItem:
    item = item_list_visible_to(user).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def edition_list_visible_to(user: User) -> QuerySet[CatalogEdition]:
    """Editions the user may open: all for the curator, published ones for other readers."""
    if not _is_reader(user):
        return CatalogEdition.objects.none()
    if is_curator(user):
        return CatalogEdition.objects.all()
    return CatalogEdition.objects.filter(Q(status=EditionStatus.PUBLISHED))


def edition_list_with_counts(user: User) -> QuerySet[CatalogEdition]:
    """``edition_list_visible_to`` with ``item_count`` (the API list and detail)."""
    return edition_list_visible_to(user).annotate(item_count=Count("entries"))


def edition_get_with_count(*, user: User, pk: int) -> CatalogEdition:
    """``edition_get_for_user`` with ``item_count``: 404 alike for unknown and hidden editions."""
    edition = edition_list_with_counts(user).filter(pk=pk).first()
    if edition is None:
        raise Http404
    return edition


def edition_get_for_user(*, user: User, pk: int) -> CatalogEdition:
    """The edition if the user may open it, else 404 (a draft does not exist for a reader)."""
    edition = edition_list_visible_to(user).filter(pk=pk).first()
    if edition is None:
        raise Http404
    return edition


def edition_entries(edition: CatalogEdition) -> list[CatalogEditionItem]:
    """The edition's items in their order, with industry and park joined."""
    return list(
        CatalogEditionItem.objects.filter(edition=edition)
        .select_related("item__industry", "item__park")
        .order_by("sort_order", "pk")
    )


def mask_phone(phone: str) -> str:
    """A phone number with its middle hidden (138****5678): lists show whom to call, not the number."""
    digits = phone.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    keep_head = 3 if len(digits) >= 8 else 1
    return digits[:keep_head] + "*" * (len(digits) - keep_head - 4) + digits[-4:]
