"""The catalog edition's picker (issue 16 item 5): the curator ticks two items and puts the
second above the first — once with the keyboard's up button, once by dragging — and the
edition keeps them in that order. Screenshot: var/screenshots/45-edition-picker.png."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import LoggedInPage, screenshot
from tests.world import World
from zhaoyin.catalog.inputs import CatalogItemInput
from zhaoyin.catalog.models import CatalogEdition
from zhaoyin.catalog.services import catalog_item_create
from zhaoyin.core.roles import Role


def items(world: World, *names: str) -> list[int]:
    park = next(u for u in world.units.values() if u.kind in {"park", "county"})
    out = []
    for name in names:
        data = {"name": name, "industry": world.industry.code, "park": park.code, "investment_estimate_wan": "35000",
                "cooperation_mode": "joint"}
        out.append(catalog_item_create(acting_user=None, data=CatalogItemInput.parse(data)).pk)
    return out


def stored(edition: CatalogEdition) -> list[int]:
    return list(edition.entries.order_by("sort_order").values_list("item_id", flat=True))


def test_curator_ticks_two_items_and_reorders_them(logged_in_page: LoggedInPage, world: World) -> None:
    first, second, third = items(world, "煤基新材料产业园项目", "智能终端制造项目", "现代物流园项目")
    edition = CatalogEdition.objects.create(title="2027年招商项目册", year=2027)
    page = logged_in_page(Role.CITY_ADMIN)
    page.goto(f"/catalog/editions/{edition.pk}/")
    rows = page.locator("#edition-candidates tr")
    page.locator(f"#item-{first}").check()
    page.locator(f"#item-{second}").check()
    # The keyboard's way: focus the second item's "up" button and press Enter.
    up = page.locator(f'tr[data-item="{second}"] [data-move="up"]')
    expect(up).to_be_visible()
    order = [int(x) for x in rows.evaluate_all("rs => rs.map(r => r.dataset.item)")]
    while order.index(second) > order.index(first):
        up.focus()
        page.keyboard.press("Enter")
        order = [int(x) for x in rows.evaluate_all("rs => rs.map(r => r.dataset.item)")]
    assert order.index(second) < order.index(first)
    screenshot(page, "45-edition-picker")
    page.locator('#edition-items-form button[type="submit"]').click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert stored(edition) == [second, first]

    # By dragging: the third item, ticked, dropped above the first row.
    page.locator(f"#item-{third}").check()
    page.locator(f'tr[data-item="{third}"] .zy-drag-handle').drag_to(rows.first, target_position={"x": 5, "y": 2})
    expect(rows.first).to_have_attribute("data-item", str(third))
    page.locator('#edition-items-form button[type="submit"]').click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert stored(edition) == [third, second, first]
