"""The browser flow of a visit (issue 5 items 1 and 8): a service member records a visit on a
phone-sized screen (390×844), raises two demands with the repeatable demand block (one added
and one removed again by static/js/visits.js), and the visit's page shows each demand's
matter in draft; the matters exist with source visit. Screenshots of the form and the visit
land in var/screenshots/."""

from __future__ import annotations

import re

from playwright.sync_api import ViewportSize, expect

from tests.browser.conftest import LoggedInPage, screenshot
from tests.world import World, make_enterprise
from zhaoyin.core.roles import Role
from zhaoyin.visits.models import Visit

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1366, "height": 900}


def test_service_member_records_a_visit_with_demands_on_a_phone(logged_in_page: LoggedInPage, world: World) -> None:
    for n, name in ((11, "淮南汉邦日化有限公司"), (12, "安徽赛维新材料股份有限公司")):
        make_enterprise(world.units["county_a"], world.units["group_1"], world.industry, n, name=name)
    page = logged_in_page(Role.SERVICE_MEMBER)
    page.set_viewport_size(PHONE)
    page.goto(f"/service/visits/new/?enterprise={world.enterprise_a.pk}")
    form = page.locator("#visit-form")
    expect(form.locator('select[name="enterprise"]')).to_have_value(str(world.enterprise_a.pk))
    form.locator('input[name="enterprise_contact"]').fill("王经理")
    form.locator('textarea[name="notes"]').fill("座谈了解企业生产经营情况，订单饱满，用工偏紧。")
    rows = page.locator("[data-demand-row]")
    expect(rows).to_have_count(1)
    rows.nth(0).locator('input[type="text"]').fill("扩产用电增容协调")
    rows.nth(0).locator("select").select_option("coordination")
    rows.nth(0).locator("textarea").fill("新上生产线需增容4000千伏安。")
    # Add two more rows, fill the second, remove the third again.
    page.locator("#demand-add").click()
    page.locator("#demand-add").click()
    expect(rows).to_have_count(3)
    rows.nth(1).locator('input[type="text"]').fill("研发人才子女入学")
    rows.nth(1).locator("select").select_option("talent_demand")
    rows.nth(2).locator("[data-demand-remove]").click()
    expect(rows).to_have_count(2)
    screenshot(page, "40-visit-form-phone")
    form.locator('button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/service/visits/\d+/$"))
    expect(page.locator(".alert-success")).to_be_visible()

    match = re.search(r"/service/visits/(\d+)/$", page.url)
    assert match is not None
    visit = Visit.objects.get(pk=int(match.group(1)))
    matters = [d.matter for d in visit.demands.order_by("pk")]
    assert [(m.title, m.state, m.source, m.enterprise_id) for m in matters] == [
        ("扩产用电增容协调", "draft", "visit", world.enterprise_a.pk),
        ("研发人才子女入学", "draft", "visit", world.enterprise_a.pk),
    ]
    table = page.locator("#visit-demands")
    for m in matters:
        row = table.locator(f'[data-matter="{m.pk}"]')
        expect(row).to_contain_text(m.code)
        expect(row.locator('[data-state="draft"]')).to_be_visible()
    screenshot(page, "41-visit-detail-phone")

    # The enterprise's page follows the demands up.
    page.set_viewport_size(DESKTOP)
    page.goto(f"/enterprises/{world.enterprise_a.pk}/")
    expect(page.locator("#enterprise-visits")).to_contain_text(matters[0].code)
    page.locator("#visits").scroll_into_view_if_needed()
    screenshot(page, "42-enterprise-visits")
