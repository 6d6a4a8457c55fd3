"""Lists on a phone (issue 16 item 4): at 390 px the visits, matters and to-do lists become
cards that keep their key columns — a visit's date, 企业, 服务组 and 诉求; a matter's 标题,
状态, 主办单位 and 期限; a to-do's subject, its holder and deadline — each cell visible inside
the screen's width with its column's name beside it. The service member's home leads to
记录走访. Screenshots land in var/screenshots/ (41-… to 44-…)."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import PHONE, LoggedInPage, fits_the_phone, screenshot
from tests.world import World, make_enterprise
from zhaoyin.core.roles import Role
from zhaoyin.matters import clocks
from zhaoyin.visits import services
from zhaoyin.visits.inputs import VisitCreateInput
from zhaoyin.visits.models import Visit


def shown(cell: Locator, label: str) -> None:
    """The cell is visible, inside the phone's width, and led by its column's name."""
    expect(cell).to_be_visible()
    box = cell.bounding_box()
    assert box is not None
    assert box["width"] > 0
    assert box["height"] > 0
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"], f"{label}: {box}"
    before = cell.evaluate("c => getComputedStyle(c, '::before').content")
    assert before == f'"{label}"', (label, before)


def hidden(cell: Locator) -> None:
    expect(cell).to_be_hidden()


DEMAND = "扩产用电增容协调解决变压器容量不足问题"


def a_visit_with_a_demand(world: World) -> Visit:
    member = world.user(Role.SERVICE_MEMBER)
    return services.visit_create(
        acting_user=member,
        data=VisitCreateInput.of(
            enterprise=world.enterprise_a.pk, date=clocks.today().isoformat(), notes="座谈了解企业生产经营情况",
            demands=[{"title": DEMAND, "kind": "coordination", "description": "需增容"}],
        ),
    )


def on_phone(page: Page, path: str) -> None:
    page.set_viewport_size(PHONE)
    page.goto(path)
    fits_the_phone(page)


def test_lists_become_cards_with_their_key_columns_on_a_phone(logged_in_page: LoggedInPage, world: World) -> None:
    visit = a_visit_with_a_demand(world)
    matter = visit.demands.get().matter
    page = logged_in_page(Role.SUPERVISOR)  # city-wide, and the dispatcher of a visit's draft matter

    on_phone(page, "/service/visits/")
    row = page.locator(f'#visit-table tr[data-visit="{visit.pk}"]')
    expect(page.locator("#visit-table thead")).to_be_hidden()
    cells = row.locator("td")
    for n, label in enumerate(["走访日期", "企业", "服务组", "参加人员", "诉求"]):
        shown(cells.nth(n), label)
    expect(cells.nth(1)).to_contain_text(world.enterprise_a.name)
    expect(cells.nth(2)).to_contain_text(visit.group.name)
    expect(cells.nth(4)).to_contain_text(matter.code)
    screenshot(page, "41-visit-list-phone")

    on_phone(page, "/matters/")
    row = page.locator(f'#matter-table tr[data-matter="{matter.pk}"]')
    shown(row.locator("td.zy-title"), "标题")
    shown(row.locator("td.zy-state"), "状态")
    shown(row.locator("td.zy-unit"), "主办单位")
    shown(row.locator("td.zy-deadline"), "办理期限")
    expect(row.locator("td.zy-title")).to_contain_text(matter.title)
    hidden(row.locator("td.zy-source"))  # a minor column left out of the card
    screenshot(page, "42-matter-list-phone")

    on_phone(page, "/todo/")
    rows = page.locator(".zy-todo tbody tr")
    expect(rows.first).to_be_visible()
    row = rows.first
    cells = row.locator("td")
    for n, label in ((1, "待办"), (3, "事项"), (4, "承办单位"), (5, "时限")):
        shown(cells.nth(n), label)
    assert cells.nth(3).inner_text().removeprefix("事项").strip()
    screenshot(page, "43-todo-list-phone")


def test_service_member_home_on_a_phone_leads_to_record_a_visit(logged_in_page: LoggedInPage, world: World) -> None:
    units = world.units
    firm = make_enterprise(units["county_a"], units["group_1"], world.industry, 31, name="淮南汉邦日化有限公司")
    page = logged_in_page(Role.SERVICE_MEMBER)
    on_phone(page, "/")
    button = page.locator("#home-visit-new")
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= PHONE["width"]
    expect(page.locator("#home-not-visited")).to_contain_text(firm.name)
    screenshot(page, "44-member-home-phone")
    page.locator(f'#home-not-visited [data-enterprise="{firm.pk}"] a').click()
    expect(page.locator('#visit-form select[name="enterprise"]')).to_have_value(str(firm.pk))
