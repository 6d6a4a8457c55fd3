"""catalog.flow.TABLE: every row as written, every row through its service and its button, every
move the table does not list refused with the services' message."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import translation

from conftest import MakeUser
from zhaoyin.catalog import flow, services
from zhaoyin.catalog.models import CatalogEdition, EditionStatus
from zhaoyin.core.errors import Conflict
from zhaoyin.core.roles import Role

#: action: (sources, target, actors, needs a reason), written out by hand.
EXPECTED = {
    "publish": ({"draft"}, "published", {"city_admin"}, False),
    "withdraw": ({"published"}, "withdrawn", {"city_admin"}, False),
}


def test_every_row_as_written() -> None:
    got = {r.action.value: (set(r.sources), r.target, set(r.actors), r.needs_reason) for r in flow.TABLE.rows}
    assert got == EXPECTED
    assert [s for s, _label in flow.TABLE.states] == list(EditionStatus.values)
    assert all(r.manual for r in flow.TABLE.rows)


def test_every_row_has_its_service_url_and_icon() -> None:
    for r in flow.TABLE.rows:
        assert services.EDITION_SERVICES[r.action] is getattr(services, f"edition_{r.action}")
        assert reverse(f"catalog:edition_{r.action}", args=[1])
        assert flow.ICONS[r.action]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "status"), [(a, s) for a in EXPECTED for s in EditionStatus.values])
def test_each_action_from_each_status(
    make_user: MakeUser, edition_with_items: CatalogEdition, action: str, status: str
) -> None:
    curator = make_user(Role.CITY_ADMIN)
    CatalogEdition.objects.filter(pk=edition_with_items.pk).update(status=status)
    edition_with_items.refresh_from_db()
    service = services.EDITION_SERVICES[flow.Action(action)]
    sources, target, _actors, _reason = EXPECTED[action]
    if status in sources:
        assert service(acting_user=curator, edition=edition_with_items).status == target
        return
    with translation.override("en"), pytest.raises(Conflict) as exc:
        service(acting_user=curator, edition=edition_with_items)
    with translation.override("en"):
        assert str(exc.value) == (
            f"A {EditionStatus(status).label} edition cannot become {EditionStatus(target).label}."
        )
    edition_with_items.refresh_from_db()
    assert edition_with_items.status == status


@pytest.mark.django_db
def test_a_role_the_table_does_not_name_is_refused(make_user: MakeUser, edition_with_items: CatalogEdition) -> None:
    with pytest.raises(PermissionDenied):
        services.edition_publish(acting_user=make_user(Role.UNIT_ADMIN), edition=edition_with_items)
    edition_with_items.refresh_from_db()
    assert edition_with_items.status == EditionStatus.DRAFT


@pytest.mark.django_db
@pytest.mark.parametrize("status", EditionStatus.values)
def test_the_page_offers_exactly_the_tables_buttons(
    make_user: MakeUser, edition_with_items: CatalogEdition, status: str
) -> None:
    CatalogEdition.objects.filter(pk=edition_with_items.pk).update(status=status)
    client = Client()
    client.force_login(make_user(Role.CITY_ADMIN))
    page = client.get(reverse("catalog:edition_detail", args=[edition_with_items.pk])).content.decode()
    for action, (sources, _target, _actors, _reason) in EXPECTED.items():
        url = reverse(f"catalog:edition_{action}", args=[edition_with_items.pk])
        assert (f'action="{url}"' in page) == (status in sources), action
