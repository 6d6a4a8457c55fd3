"""Funds verification in the browser (issue 15 item 1, acceptance): county A's staff enter a
month's funds on a signed project through the project page → the figure is reported, not
counted (the targets page shows county A's verified figure unchanged, the 填报 switch shows it)
→ the city's verifier (city_admin) finds it in 我的待办, opens the queue, verifies the entry with
an uploaded bank slip (a PDF) on the project page → the targets page counts it for county A.
Screenshots land in var/screenshots/."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.conftest import LoggedInPage, pdf_upload, screenshot, sign_in
from tests.world import World
from zhaoyin.core.roles import Role
from zhaoyin.projects.choices import Stage
from zhaoyin.projects.models import FundEntry, Project
from zhaoyin.targets.models import Target

#: A complete past year, whatever today is: its months are not future, and its year end
#: counts every month (docs/targets.md: a month counts once ``as_of`` reaches its last day).
YEAR = timezone.localdate().year - 1
MONTH = f"{YEAR}-06"
PROGRESS = f"/targets/?year={YEAR}&indicator=external_funds&as_of={YEAR}-12-31"


def _project(world: World) -> Project:
    project = Project(code="XM-2026-00150", name="新型储能装备制造项目", investor_name="江苏某储能科技有限公司",
                      source_region="yangtze_delta", industry=world.industry, org_unit=world.units["county_a"],
                      total_investment_wan=Decimal("20000"), stage=Stage.SIGNED, stage_on=dt.date(YEAR, 2, 10),
                      signed_on=dt.date(YEAR, 2, 10), staff=world.user(Role.STAFF))
    project.refresh_search_text()
    project.save()
    return project


def _county_actual(page: Page, basis: str = "") -> str:
    """County A's figure (亿元) on the targets page (its own row, not the scope's total row)."""
    page.goto(PROGRESS + basis)
    name = page.locator("td", has_text=re.compile("^大通区"))
    row = page.locator("#target-progress tbody tr:not(.table-primary)").filter(has=name)
    expect(row).to_have_count(1)
    return row.locator("td").nth(2).inner_text().strip()


def _switch(page: Page, world: World, role: Role) -> None:
    page.context.clear_cookies()
    sign_in(page, world.user(role))


def test_funds_entry_is_counted_once_the_city_verifies_it(logged_in_page: LoggedInPage, world: World) -> None:
    project = _project(world)
    county = world.units["county_a"]
    Target.objects.create(year=YEAR, indicator="external_funds", org_unit=county, value=Decimal(2), unit="亿元")
    page = logged_in_page(Role.STAFF)
    before = Decimal(_county_actual(page))

    # County A's staff enter the month on the project page: reported, not counted.
    page.goto(f"/projects/{project.pk}/")
    form = page.locator("#fund-form")
    form.locator('input[name="month"]').fill(MONTH)
    form.locator('input[name="amount_wan"]').fill("5000")
    form.locator('select[name="source"]').select_option("outside_province")
    form.locator('input[name="note"]').fill("首期注册资本金到位")
    form.locator('button[type="submit"]').click()
    expect(page.locator(".alert-success")).to_be_visible()
    entry = FundEntry.objects.get(project=project)
    state = page.locator(f"#fund-entry-{entry.pk} .fund-verification")
    expect(state).to_have_attribute("data-state", "reported")
    expect(state).to_contain_text("已填报")
    # Not counted: the verified figure stands; the 填报 switch shows it.
    assert Decimal(_county_actual(page)) == before
    assert Decimal(_county_actual(page, "&basis=reported")) == before + Decimal("0.50")
    expect(page.locator("#funds-basis")).to_be_visible()  # the page says which figure it shows

    # The city's verifier: 我的待办 lists it, the item opens the queue at county A's month.
    _switch(page, world, Role.CITY_ADMIN)
    page.goto("/todo/")
    item = page.locator('tr[data-todo="funds_to_verify"]').filter(has_text=project.code)
    expect(item).to_have_count(1)
    expect(item).to_contain_text("待核查到位资金")
    expect(item).to_contain_text(f"{project.name} · {MONTH} · 5,000.00 万元")
    screenshot(page, "funds-01-todo")
    item.locator("a.zy-todo-title").click()
    expect(page).to_have_url(re.compile(rf"/projects/funds/to-verify/\?org_unit={county.code}&month={MONTH}$"))
    row = page.locator("#funds-queue tbody tr").filter(has_text=project.code)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("5,000.00")
    screenshot(page, "funds-02-queue")

    # Verified on the project page with the bank slip.
    row.locator("a").first.click()
    expect(page).to_have_url(re.compile(rf"/projects/{project.pk}/#fund-entry-{entry.pk}$"))
    verify = page.locator("#fund-verify-form")
    verify.locator('select[name="entry"]').select_option(str(entry.pk))
    verify.locator('select[name="evidence_kind"]').select_option("bank_slip")
    verify.locator('input[name="evidence"]').set_input_files(pdf_upload("到账凭证.pdf"))
    verify.locator('input[name="note"]').fill("与银行回单核对一致")
    verify.locator('button[type="submit"]').click()
    expect(page.locator(".alert-success")).to_be_visible()
    state = page.locator(f"#fund-entry-{entry.pk} .fund-verification")
    expect(state).to_have_attribute("data-state", "verified")
    expect(state.locator("a", has_text="到账凭证.pdf")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "funds-03-verified")

    # Counted now, and no longer waiting (the matrix world has entries of its own waiting).
    assert Decimal(_county_actual(page)) == before + Decimal("0.50")
    screenshot(page, "funds-04-targets")
    page.goto("/todo/")
    expect(page.locator('tr[data-todo="funds_to_verify"]').filter(has_text=project.code)).to_have_count(0)
    entry.refresh_from_db()
    assert entry.verification == "verified"
    assert entry.verified_by_id == world.user(Role.CITY_ADMIN).pk
