"""The eligibility editor in the browser (issue 5 items 2–3): a unit administrator registers a
policy and builds its conditions with select boxes — no JSON typed — then sees the server's
verdict on a bad node beside that node, corrects it and saves. Screenshots in var/screenshots/."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import LoggedInPage, screenshot
from tests.world import World
from zhaoyin.core.roles import Role
from zhaoyin.policies.models import Policy


def test_build_a_tree_with_the_editor_and_save_it(logged_in_page: LoggedInPage, world: World) -> None:
    page = logged_in_page(Role.UNIT_ADMIN)
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.goto("/policies/new/")
    page.locator("#id_title").fill("浏览器测试政策")
    page.locator("#id_issuer").fill("大通区人民政府")
    page.locator("#id_level").select_option("county")
    page.locator("#id_category").select_option("funds")
    page.locator("#id_valid_from").fill("2026-01-01")
    page.locator("#id_valid_to").fill("2028-12-31")
    page.locator("#id_benefits").fill("一次性奖励20万元")
    # Without JavaScript the textarea is the editor; with it, the textarea is hidden.
    expect(page.locator("#id_eligibility")).to_be_hidden()

    editor = page.locator("#eligibility-editor")
    editor.locator("[data-start=all]").click()
    first = editor.locator(".zy-elig-leaf").nth(0)
    first.locator(".zy-elig-field").select_option("size_class")
    first.locator(".zy-elig-op").select_option("eq")
    first.locator(".zy-elig-value").select_option("above")

    editor.locator(".zy-elig-add-condition").first.click()
    second = editor.locator(".zy-elig-leaf").nth(1)
    second.locator(".zy-elig-kind").select_option("figure")
    second.locator(".zy-elig-figure").select_option("revenue_wan")
    second.locator(".zy-elig-year").fill("2025")
    # The value is left empty on purpose: the server names this node.

    editor.locator(".zy-elig-add-group").first.click()
    group = editor.locator(".zy-elig-group .zy-elig-group").first
    inner = group.locator(".zy-elig-leaf").first
    inner.locator(".zy-elig-kind").select_option("qualification")
    inner.locator(".zy-elig-qualification").select_option("高新技术企业")
    group.locator(".zy-elig-add-condition").click()
    ratio = group.locator(".zy-elig-leaf").nth(1)
    ratio.locator(".zy-elig-kind").select_option("ratio")
    ratio.locator(".zy-elig-value").fill("0.03")
    ratio.locator(".zy-elig-year").fill("2025")
    screenshot(page, "issue5-policy-editor")

    page.locator("#policy-save").click()
    # 400: the figure's value is missing; the message sits beside that node.
    bad = editor.locator('.zy-elig-leaf[data-path="eligibility.all[1]"]')
    expect(bad).to_have_class("zy-elig-leaf zy-elig-invalid")
    expect(bad.locator(".zy-elig-errors")).to_be_visible()
    expect(page.locator("#form-errors")).to_contain_text("eligibility.all[1].value")
    screenshot(page, "issue5-policy-editor-error")
    assert not Policy.objects.filter(title="浏览器测试政策").exists()

    bad.locator(".zy-elig-value").fill("2000")
    page.locator("#policy-save").click()
    expect(page.locator("#eligibility-lines")).to_contain_text("营业收入")
    policy = Policy.objects.get(title="浏览器测试政策")
    assert policy.org_unit == world.units["county_a"]
    assert policy.eligibility == {
        "all": [
            {"field": "size_class", "op": "eq", "value": "above"},
            {"figure": "revenue_wan", "year": 2025, "op": "gte", "value": 2000},
            {
                "any": [
                    {"qualification": "高新技术企业"},
                    {"ratio": ["rd_wan", "revenue_wan"], "year": 2025, "op": "gte", "value": 0.03},
                ]
            },
        ]
    }
    screenshot(page, "issue5-policy-detail")

    # Publishing from the page takes the table's transition; the button is gone afterwards.
    page.locator("#action-publish button").click()
    expect(page.locator(".zy-page-title .zy-policy-status")).to_have_attribute("data-status", "in_force")
    expect(page.locator("#action-publish")).to_have_count(0)
    page.goto("/policies/?sort=title")
    expect(page.locator("#policy-table")).to_contain_text("浏览器测试政策")
    screenshot(page, "issue5-policy-list")
