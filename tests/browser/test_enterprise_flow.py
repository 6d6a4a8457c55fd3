"""The browser flow of issue 2: sign in → home → enterprise list → filter → detail → sign out.

Driven in headless Chromium against the live server, as a city administrator (so the
second factor is typed into the sign-in form too). Screenshots land in var/screenshots/.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import LoggedInPage, screenshot
from tests.world import World, make_enterprise
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Industry


def _row_link(enterprise_id: int) -> str:
    return f'a[href$="/enterprises/{enterprise_id}/"]'


def test_AC_01_enterprise_flow_in_the_browser(logged_in_page: LoggedInPage, world: World) -> None:
    materials = Industry.objects.get(code="new_materials")
    enterprise_c = make_enterprise(world.units["county_a"], world.units["group_1"], materials, 3,
                                   name="大通新材料股份有限公司")

    # Sign in (password + TOTP) and land on the home page.
    page = logged_in_page(Role.CITY_ADMIN)
    expect(page).to_have_url(re.compile(r"/$"))
    screenshot(page, "01-home")

    # Home → enterprise list through the navigation (no typed URL: the link must exist).
    page.locator('a[href="/enterprises/"]').first.click()
    expect(page).to_have_url(re.compile(r"/enterprises/$"))
    for enterprise in (world.enterprise_a, world.enterprise_b, enterprise_c):
        expect(page.locator(_row_link(enterprise.pk)).first).to_be_visible()
    screenshot(page, "02-enterprise-list")

    # Chinese substring search, in the filter form (the one with the industry select).
    search = page.locator('form:has(select[name="industry"]) input[name="q"]:not([type="hidden"])')
    search.fill("星辰")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q="))
    expect(page.locator(_row_link(world.enterprise_a.pk)).first).to_be_visible()
    expect(page.locator(_row_link(enterprise_c.pk))).to_have_count(0)

    # Industry filter (search cleared).
    search.fill("")
    page.locator('select[name="industry"]').select_option(label=materials.name)
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]industry="))
    expect(page.locator(_row_link(enterprise_c.pk)).first).to_be_visible()
    expect(page.locator(_row_link(world.enterprise_a.pk))).to_have_count(0)
    screenshot(page, "03-enterprise-list-filtered")

    # Detail.
    page.locator(_row_link(enterprise_c.pk)).first.click()
    expect(page).to_have_url(re.compile(rf"/enterprises/{enterprise_c.pk}/$"))
    expect(page.locator("body")).to_contain_text(enterprise_c.name)
    expect(page.locator("body")).to_contain_text(enterprise_c.uscc)
    screenshot(page, "04-enterprise-detail")

    # Sign out from the header; the list is then out of reach.
    page.locator('form[action$="/accounts/logout/"] button').click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.goto("/enterprises/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
