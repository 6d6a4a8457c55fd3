"""The browser flow of the stage timeline (issue 3 item 10): a staff member opens a project
of their county, advances its stage with a date and a note, and sees the new entry on top of
the timeline. Screenshots of the list and the detail land in var/screenshots/."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

from playwright.sync_api import expect

from tests.browser.conftest import LoggedInPage, screenshot
from tests.world import World
from zhaoyin.core.roles import Role
from zhaoyin.projects.choices import FundSource, Stage
from zhaoyin.projects.models import FundEntry, Project, StageEvent


def _pipeline(world: World) -> Project:
    """A few projects around the one the test works on, so the pages read naturally."""
    staff = world.user(Role.STAFF)
    names = [
        ("XM-2026-00101", "年产10GWh储能电池项目", "江苏某新能源科技有限公司", "yangtze_delta", "350000", Stage.SIGNED),
        ("XM-2026-00102", "高端装备制造基地项目", "深圳某智能装备有限公司", "pearl_delta", "86000.5", Stage.STARTED),
        ("XM-2026-00103", "煤基新材料精深加工项目", "北京某材料集团", "jingjinji", "120000", Stage.NEGOTIATING),
    ]
    for code, name, investor, region, amount, stage in names:
        p = Project(code=code, name=name, investor_name=investor, source_region=region, industry=world.industry,
                    org_unit=world.units["county_a"], total_investment_wan=Decimal(amount), stage=stage,
                    stage_on=dt.date(2026, 6, 1), staff=staff)
        p.refresh_search_text()
        p.save()
    project = Project(code="XM-2026-00100", name="绿色算力中心项目", investor_name="上海某数据科技有限公司",
                      source_region="yangtze_delta", industry=world.industry, org_unit=world.units["county_a"],
                      total_investment_wan=Decimal("200000"), stage=Stage.LEAD, stage_on=dt.date(2026, 1, 8),
                      first_contact_on=dt.date(2026, 1, 8), staff=staff, lead_official="张副区长",
                      construction_content="建设5000个标准机架及配套设施。")
    project.refresh_search_text()
    project.save()
    StageEvent.objects.create(project=project, to_stage="lead", kind="advance", stage_on=dt.date(2026, 1, 8),
                              note="在上海推介会上首次接洽", created_by=staff)
    FundEntry.objects.create(project=project, month=dt.date(2026, 3, 1), amount_wan=Decimal("1500.00"),
                             source=FundSource.OUTSIDE_PROVINCE, entered_by=staff)
    return project


def test_stage_timeline_advance_in_the_browser(logged_in_page: LoggedInPage, world: World) -> None:
    project = _pipeline(world)
    page = logged_in_page(Role.STAFF)

    page.goto("/projects/")
    link = page.locator(f'#project-table a[href$="/projects/{project.pk}/"]')
    expect(link).to_be_visible()
    # The totals are those of everything the staff member sees (other rows come from the world).
    seen = Project.objects.filter(world.units["county_a"].descendants_q("org_unit"))
    total = sum((p.total_investment_wan for p in seen), Decimal("0"))
    # Shown in 亿元 with 2 decimals (issue 15 item 10), the 万元 figure beside it.
    yi = (total / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    expect(page.locator("#project-total-investment")).to_have_text(f"{yi:,.2f}")
    screenshot(page, "10-project-list")

    link.click()
    expect(page).to_have_url(re.compile(rf"/projects/{project.pk}/$"))
    expect(page.locator("#stage-timeline li")).to_have_count(1)

    form = page.locator("#stage-form")
    form.locator('select[name="stage"]').select_option("negotiating")
    form.locator('input[name="date"]').fill("2026-02-10")
    form.locator('textarea[name="note"]').fill("赴上海总部第二轮洽谈，确定选址意向")
    form.locator('button[type="submit"]').click()

    expect(page).to_have_url(re.compile(rf"/projects/{project.pk}/#timeline$"))
    items = page.locator("#stage-timeline li")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("2026年2月10日")
    expect(items.first).to_contain_text("赴上海总部第二轮洽谈")
    project.refresh_from_db()
    assert project.stage == Stage.NEGOTIATING
    page.evaluate("window.scrollTo(0, 0)")  # the anchor scrolled; a full-page shot starts at the top
    screenshot(page, "11-project-detail-timeline")
