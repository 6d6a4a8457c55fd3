"""Catalog use cases: the only writers of catalog items and editions.

Every write is atomic and audited in the same transaction. Only the city admin curates;
``acting_user=None`` is the system (demo, CLI). Edition states move only along
the rows of ``catalog.flow.TABLE``, one service per row (``edition_<action>``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.audit.services import audit_write, diff, snapshot
from zhaoyin.catalog import flow
from zhaoyin.catalog.models import CatalogEdition, CatalogEditionItem, CatalogItem, EditionStatus
from zhaoyin.catalog.selectors import is_curator
from zhaoyin.catalog.validation import clean_item, clean_year, item_ids
from zhaoyin.core.errors import Conflict, InvalidInput


def _require_curator(acting_user: User | None) -> None:
    if acting_user is not None and not is_curator(acting_user):
        raise PermissionDenied


def _transition_for(edition: CatalogEdition, action: flow.Action, acting_user: User | None) -> EditionStatus:
    """The status ``action`` leads the (locked) edition to; a move the table does not list is
    refused (409), an actor it does not name gets 403."""
    rule = flow.TABLE.by_action[action]
    if acting_user is not None and not rule.may(acting_user.role_codes):
        raise PermissionDenied
    row = flow.TABLE.transition_for(action, edition.status)
    if row is None:
        raise Conflict(
            _("A %(source)s edition cannot become %(target)s.")
            % {"source": edition.get_status_display(), "target": flow.TABLE.label_of(str(rule.target))}
        )
    return EditionStatus(row.leads_to(flow.Status(edition.status)))


@transaction.atomic
def catalog_item_create(*, acting_user: User | None, data: Mapping[str, Any]) -> CatalogItem:
    """Add a reserved project to the catalog."""
    _require_curator(acting_user)
    cleaned = clean_item(data)
    item = CatalogItem(**cleaned)
    item.save()
    audit_write(action="catalog.item_create", user=acting_user, obj=item, after=snapshot(item))
    return item


@transaction.atomic
def catalog_item_update(
    *, acting_user: User | None, item: CatalogItem, data: Mapping[str, Any], version: int | None = None
) -> CatalogItem:
    """Change an item (PATCH semantics); ``version`` guards against lost updates.

    Published editions keep showing the item as it is now: the brochure of a published
    edition is generated once and cached, so what was printed stays as printed.
    """
    _require_curator(acting_user)
    cleaned = clean_item(data, partial=True)
    before = snapshot(item)
    if all(getattr(item, k) == v for k, v in cleaned.items()):
        return item
    current = item.version if version is None else version
    for key, value in cleaned.items():
        setattr(item, key, value)
    item.updated_at = timezone.now()
    values = {k: getattr(item, k) for k in (*cleaned, "updated_at")}
    if CatalogItem.objects.filter(pk=item.pk, version=current).update(version=current + 1, **values) != 1:
        raise Conflict(_("This item was changed by someone else; reload it and apply your change again."))
    item.version = current + 1
    old, new = diff(before, snapshot(item))
    audit_write(action="catalog.item_update", user=acting_user, obj=item, before=old, after=new)
    return item


@transaction.atomic
def edition_create(*, acting_user: User | None, title: str, year: Any) -> CatalogEdition:
    """Start a draft edition (e.g. 2026年招商项目册)."""
    _require_curator(acting_user)
    text = title.strip() if isinstance(title, str) else ""
    if not text:
        raise InvalidInput.field("title", _("This field is required."))
    if len(text) > 100:
        raise InvalidInput.field("title", _("is too long (at most %(limit)d characters)") % {"limit": 100})
    edition = CatalogEdition.objects.create(title=text, year=clean_year(year))
    audit_write(action="catalog.edition_create", user=acting_user, obj=edition, after=snapshot(edition))
    return edition


@transaction.atomic
def edition_set_items(*, acting_user: User | None, edition: CatalogEdition, items: list[Any]) -> CatalogEdition:
    """Replace a draft edition's selection; the list's order is the brochure's order."""
    _require_curator(acting_user)
    edition = CatalogEdition.objects.select_for_update().get(pk=edition.pk)
    if edition.status != EditionStatus.DRAFT:
        raise Conflict(_("A published or withdrawn edition is frozen; make a new edition instead."))
    ids = item_ids(items)
    before = list(edition.entries.order_by("sort_order").values_list("item_id", flat=True))
    if before == ids:
        return edition
    edition.entries.all().delete()
    CatalogEditionItem.objects.bulk_create(
        CatalogEditionItem(edition=edition, item_id=pk, sort_order=n) for n, pk in enumerate(ids, start=1)
    )
    audit_write(
        action="catalog.edition_items", user=acting_user, obj=edition, before={"items": before}, after={"items": ids}
    )
    return edition


@transaction.atomic
def edition_publish(*, acting_user: User | None, edition: CatalogEdition) -> CatalogEdition:
    """draft → published. An edition without items cannot be published."""
    _require_curator(acting_user)
    edition = CatalogEdition.objects.select_for_update().get(pk=edition.pk)
    target = _transition_for(edition, flow.Action.PUBLISH, acting_user)
    if not edition.entries.exists():
        raise InvalidInput.field("items", _("An edition without items cannot be published; select items first."))
    edition.status = target
    edition.published_at = timezone.now()
    edition.published_by = acting_user
    edition.save(update_fields=["status", "published_at", "published_by"])
    audit_write(
        action="catalog.edition_publish",
        user=acting_user,
        obj=edition,
        before={"status": EditionStatus.DRAFT.value},
        after={"status": edition.status},
    )
    return edition


@transaction.atomic
def edition_withdraw(*, acting_user: User | None, edition: CatalogEdition) -> CatalogEdition:
    """published → withdrawn: readers no longer see it; the curator still can."""
    _require_curator(acting_user)
    edition = CatalogEdition.objects.select_for_update().get(pk=edition.pk)
    edition.status = _transition_for(edition, flow.Action.WITHDRAW, acting_user)
    edition.withdrawn_at = timezone.now()
    edition.save(update_fields=["status", "withdrawn_at"])
    audit_write(
        action="catalog.edition_withdraw",
        user=acting_user,
        obj=edition,
        before={"status": EditionStatus.PUBLISHED.value},
        after={"status": edition.status},
    )
    return edition


#: The service of each row of ``catalog.flow.TABLE``.
EDITION_SERVICES: dict[flow.Action, Callable[..., CatalogEdition]] = {
    flow.Action.PUBLISH: edition_publish,
    flow.Action.WITHDRAW: edition_withdraw,
}
