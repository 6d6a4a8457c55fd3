"""The search pickers in the browser (issue 16): a matter's enterprise found by part of its
Chinese name and by its 拼音首字母, chosen with the keyboard, linked on the matter's page;
two 协办单位 added as chips and one removed again. A screenshot of the open picker lands in
var/screenshots/."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import LoggedInPage, screenshot
from tests.world import World
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Enterprise, Industry
from zhaoyin.lib.uscc import make_uscc
from zhaoyin.matters.models import Matter


def _firm(world: World, unit: str, name: str, n: int) -> Enterprise:
    industry = Industry.objects.order_by("sort_order", "code").first()
    assert industry is not None
    firm = Enterprise(name=name, uscc=make_uscc("340400", f"{n:08d}"), org_unit=world.units[unit], industry=industry)
    firm.refresh_search_text()
    firm.save()
    return firm


def _suggested(page: Page, listbox_id: str, text: str) -> None:
    """Wait until the open list offers exactly one option, holding ``text``."""
    listbox = page.locator(f"#{listbox_id}")
    expect(listbox).to_be_visible()
    expect(listbox.locator('[role="option"]')).to_have_count(1)
    expect(listbox.locator('[role="option"]').first).to_contain_text(text)


def _start_form(page: Page, title: str) -> None:
    page.goto("/matters/new/")
    form = page.locator("#matter-form")
    form.locator('input[name="title"]').fill(title)
    form.locator('select[name="source"]').select_option("enterprise_demand")
    form.locator('select[name="kind"]').select_option("coordination")


def test_enterprise_picked_by_name_and_initials_with_the_keyboard(
    logged_in_page: LoggedInPage, world: World
) -> None:
    ours = _firm(world, "county_a", "淮南新能源科技有限公司", 7001)
    _firm(world, "county_a", "淮南新材料有限公司", 7002)
    theirs = _firm(world, "county_b", "淮南新能源装备有限公司", 7003)
    page = logged_in_page(Role.STAFF)
    _start_form(page, "新能源企业用地协调")
    page.locator('select[name="lead_unit"]').select_option(world.units["county_a"].code)
    box = page.locator('input[name="enterprise__text"]')
    listbox = page.locator("#id_enterprise_listbox")

    # Part of the Chinese name: county A's firm only (county B's is out of scope).
    box.click()
    box.press_sequentially("新能源", delay=30)
    _suggested(page, "id_enterprise_listbox", ours.name)
    expect(listbox).not_to_contain_text(theirs.name)
    screenshot(page, "60-picker-open")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", re.compile(r"id_enterprise_listbox_0"))
    box.press("Enter")
    expect(listbox).to_be_hidden()
    expect(box).to_have_value(ours.name)
    expect(page.locator('input[name="enterprise"]')).to_have_value(str(ours.pk))

    # 拼音首字母: typing again clears the choice until one is made.
    box.fill("")
    expect(listbox).to_be_hidden()
    box.press_sequentially("hnxny", delay=30)
    expect(page.locator('input[name="enterprise"]')).to_have_value("")
    _suggested(page, "id_enterprise_listbox", ours.name)
    box.press("ArrowDown")
    box.press("Enter")
    expect(page.locator('input[name="enterprise"]')).to_have_value(str(ours.pk))

    page.locator('#matter-form button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/matters/\d+/$"))
    expect(page.locator("#matter-enterprise")).to_have_text(ours.name)
    expect(page.locator("#matter-enterprise")).to_have_attribute("href", f"/enterprises/{ours.pk}/")
    assert Matter.objects.get(title="新能源企业用地协调").enterprise_id == ours.pk


def test_co_units_as_chips(logged_in_page: LoggedInPage, world: World) -> None:
    page = logged_in_page(Role.SUPERVISOR)
    _start_form(page, "跨部门协调事项")
    page.locator('select[name="lead_unit"]').select_option(world.units["county_a"].code)
    # The lead unit drop-down is grouped by kind in the official order.
    groups = page.locator('select[name="lead_unit"] optgroup').evaluate_all("gs => gs.map(g => g.label)")
    assert groups == ["市", "县区", "园区（开发区）", "市直部门", "服务组", "人才工作站"]
    box = page.locator('input[name="co_units__text"]')
    listbox = page.locator("#id_co_units_listbox")
    chips = page.locator("#matter-form [data-zy-chip]")

    box.click()
    expect(listbox.locator(".zy-picker-group").first).to_be_visible()
    box.press_sequentially("发展", delay=30)
    _suggested(page, "id_co_units_listbox", world.units["dept"].name)
    box.press("ArrowDown")
    box.press("Enter")
    expect(listbox).to_be_hidden()
    box.press_sequentially("田家", delay=30)
    _suggested(page, "id_co_units_listbox", world.units["county_b"].name)
    box.press("ArrowDown")
    box.press("Enter")
    expect(chips).to_have_count(2)
    screenshot(page, "61-picker-chips")
    chips.filter(has_text=world.units["dept"].name).locator("[data-zy-chip-remove]").click()
    expect(chips).to_have_count(1)

    page.locator('#matter-form button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/matters/\d+/$"))
    matter = Matter.objects.get(title="跨部门协调事项")
    assert [u.code for u in matter.co_units.all()] == [world.units["county_b"].code]


def test_talent_picked_by_part_of_the_chinese_name_on_the_apartment_application(
    logged_in_page: LoggedInPage, world: World
) -> None:
    """Issue 16: the talent forms pick the talent (apartments, subsidies, talent projects)."""
    from zhaoyin.apartments.models import Application
    from zhaoyin.talents.testing import make_talent

    ours = make_talent(org_unit=world.units["county_a"], name="欧阳明远")
    make_talent(org_unit=world.units["county_b"], name="司马明远")  # county B: out of the staff's scope
    page = logged_in_page(Role.STAFF)
    page.goto("/apartments/applications/new/")
    box = page.locator('input[name="talent__text"]')
    box.click()
    box.press_sequentially("明远", delay=30)
    _suggested(page, "id_talent_listbox", ours.name)
    box.press("ArrowDown")
    box.press("Enter")
    expect(box).to_have_value(ours.name)
    expect(page.locator('input[name="talent"]')).to_have_value(str(ours.pk))
    page.locator('textarea[name="reason"]').fill("新引进博士")
    page.locator('#apartment-application-form button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/apartments/applications/\d+/$"))
    assert Application.objects.get(reason="新引进博士").talent_id == ours.pk
