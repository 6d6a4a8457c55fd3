"""Catalog use cases: the only writers of catalog items and editions.

Every write is atomic and audited in the same transaction. Only the city admin curates;
``acting_user=None`` is the system (demo, CLI). Edition states move only along
the rows of ``catalog.flow.TABLE``, one service per row (``edition_<action>``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.audit.services import audit_write, diff, snapshot
from zhaoyin.catalog import flow
from zhaoyin.catalog.inputs import CatalogItemInput, CatalogItemUpdateInput, EditionCreateInput, EditionItemsInput
from zhaoyin.catalog.models import CatalogEdition, CatalogEditionItem, CatalogItem, EditionStatus
from zhaoyin.catalog.selectors import is_curator
from zhaoyin.catalog.validation import industry_by_ref, park_by_ref
from zhaoyin.core.errors import Conflict, Errors, InvalidInput


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


def _item_values(data: CatalogItemInput | CatalogItemUpdateInput, fields: Iterable[str]) -> dict[str, object]:
    """The model values of ``fields``: the industry and the park looked up (each unknown one
    named), a choice as its code. A choice left out of a new item keeps the model's default."""
    errors = Errors()
    values: dict[str, object] = {}
    for name in fields:
        value = getattr(data, name)
        try:
            if name == "industry":
                value = industry_by_ref(value)
            elif name == "park":
                value = park_by_ref(value)
        except ValueError as exc:
            errors.add(name, str(exc))
            continue
        if name in ("cooperation_mode", "status"):
            if value is None:
                continue
            value = value.value
        values[name] = value
    errors.raise_if_any()
    return values


@transaction.atomic
def catalog_item_create(*, acting_user: User | None, data: CatalogItemInput) -> CatalogItem:
    """Add a reserved project to the catalog."""
    _require_curator(acting_user)
    item = CatalogItem(**_item_values(data, CatalogItemInput.model_fields))
    item.save()
    audit_write(action="catalog.item_create", user=acting_user, obj=item, after=snapshot(item))
    return item


@transaction.atomic
def catalog_item_update(*, acting_user: User | None, item: CatalogItem, data: CatalogItemUpdateInput) -> CatalogItem:
    """Change the fields sent (``data.given()``); ``data.version`` guards against lost updates.

    Published editions keep showing the item as it is now: the brochure of a published
    edition is generated once and cached, so what was printed stays as printed.
    """
    _require_curator(acting_user)
    cleaned = _item_values(data, sorted(data.given() - {"version"}))
    before = snapshot(item)
    if all(getattr(item, k) == v for k, v in cleaned.items()):
        return item
    current = item.version if data.version is None else data.version
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
def edition_create(*, acting_user: User | None, data: EditionCreateInput) -> CatalogEdition:
    """Start a draft edition (e.g. 2026年招商项目册)."""
    _require_curator(acting_user)
    edition = CatalogEdition.objects.create(title=data.title, year=data.year)
    audit_write(action="catalog.edition_create", user=acting_user, obj=edition, after=snapshot(edition))
    return edition


@transaction.atomic
def edition_set_items(
    *, acting_user: User | None, edition: CatalogEdition, data: EditionItemsInput
) -> CatalogEdition:
    """Replace a draft edition's selection; the list's order is the brochure's order."""
    _require_curator(acting_user)
    edition = CatalogEdition.objects.select_for_update().get(pk=edition.pk)
    if edition.status != EditionStatus.DRAFT:
        raise Conflict(_("A published or withdrawn edition is frozen; make a new edition instead."))
    ids = data.items
    if CatalogItem.objects.filter(pk__in=ids).count() != len(ids):
        raise InvalidInput.field("items", _("Unknown catalog item."))
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


def _audit_status(action: str, acting_user: User | None, edition: CatalogEdition, before: EditionStatus) -> None:
    """The audit record of an edition's move along the table: its status before and after."""
    audit_write(
        action=action,
        user=acting_user,
        obj=edition,
        before={"status": before.value},
        after={"status": edition.status},
    )


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
    _audit_status("catalog.edition_publish", acting_user, edition, EditionStatus.DRAFT)
    return edition


@transaction.atomic
def edition_withdraw(*, acting_user: User | None, edition: CatalogEdition) -> CatalogEdition:
    """published → withdrawn: readers no longer see it; the curator still can."""
    _require_curator(acting_user)
    edition = CatalogEdition.objects.select_for_update().get(pk=edition.pk)
    edition.status = _transition_for(edition, flow.Action.WITHDRAW, acting_user)
    edition.withdrawn_at = timezone.now()
    edition.save(update_fields=["status", "withdrawn_at"])
    _audit_status("catalog.edition_withdraw", acting_user, edition, EditionStatus.PUBLISHED)
    return edition


#: The service of each row of ``catalog.flow.TABLE``.
EDITION_SERVICES: dict[flow.Action, Callable[..., CatalogEdition]] = {
    flow.Action.PUBLISH: edition_publish,
    flow.Action.WITHDRAW: edition_withdraw,
}
