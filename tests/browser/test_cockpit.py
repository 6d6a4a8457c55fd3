"""The city cockpit in the browser (issue 3 item 8): a city admin opens the cockpit, sees the
external-funds KPI and every chart drawn, and clicks the funnel's first bar to land on the
filtered project list. A screenshot lands in var/screenshots/."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from playwright.sync_api import expect

from tests.browser.conftest import LoggedInPage, screenshot
from tests.world import World
from zhaoyin.core.roles import Role
from zhaoyin.projects.alerts import alerts_refresh
from zhaoyin.projects.choices import FundSource, FundVerification, Stage
from zhaoyin.projects.models import FundEntry, Project
from zhaoyin.targets.models import Target

CHARTS = ("units", "funnel", "months", "industry", "source")


def _pipeline(world: World) -> None:
    rows = [
        ("XM-2026-00201", "年产10GWh储能电池项目", "county_a", "350000", Stage.LEAD, "1200.00"),
        ("XM-2026-00202", "高端装备制造基地项目", "county_a", "86000.5", Stage.STARTED, "8000.50"),
        ("XM-2026-00203", "煤基新材料精深加工项目", "county_b", "120000", Stage.SIGNED, "15000.00"),
    ]
    for code, name, unit, amount, stage, funds in rows:
        p = Project(
            code=code,
            name=name,
            investor_name="投资方",
            source_region="yangtze_delta",
            industry=world.industry,
            org_unit=world.units[unit],
            total_investment_wan=Decimal(amount),
            stage=stage,
            stage_on=dt.date(2026, 3, 1),
            planned_start_on=dt.date(2026, 4, 1),
        )
        p.refresh_search_text()
        p.save()
        FundEntry.objects.create(
            project=p, month=dt.date(2026, 5, 1), amount_wan=Decimal(funds), source=FundSource.OUTSIDE_PROVINCE,
            verification=FundVerification.VERIFIED,  # only verified funds count (issue 15)
        )
    Target.objects.create(year=2026, indicator="external_funds", org_unit=world.units["city"], value=Decimal(5))
    Target.objects.create(year=2026, indicator="external_funds", org_unit=world.units["county_a"], value=Decimal(2))


def test_cockpit_in_the_browser(logged_in_page: LoggedInPage, world: World) -> None:
    _pipeline(world)
    page = logged_in_page(Role.CITY_ADMIN)
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.goto("/cockpit/?year=2026&as_of=2026-09-30")
    expect(page.locator("#kpi-funds-actual")).to_have_text("2.42")
    expect(page.locator("#kpi-funds-completion")).to_have_text(re.compile(r"^48\.\d\d%$"))  # + the world's funds
    for key in CHARTS:
        expect(page.locator(f"#chart-{key} canvas").first).to_be_attached()
    screenshot(page, "08-cockpit")

    box = page.locator("#chart-funnel").bounding_box()
    assert box is not None
    # The funnel's first bar (lead): the category axis runs top-down; click inside its band.
    page.locator("#chart-funnel canvas").first.click(
        position={"x": box["width"] * 0.3, "y": 8 + (box["height"] - 16) / 14}
    )
    expect(page).to_have_url(re.compile(r"/projects/\?stage=lead$"))
    expect(page.locator("#project-table")).to_contain_text("年产10GWh储能电池项目")


def test_red_projects_drill_down_to_the_list_by_light(logged_in_page: LoggedInPage, world: World) -> None:
    """Today's cockpit counts the stored lights; the red KPI opens the list filtered by light."""
    _pipeline(world)  # the signed project's planned start (April) has passed: red
    alerts_refresh()
    page = logged_in_page(Role.CITY_ADMIN)
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.goto("/cockpit/")
    expect(page.locator("#kpi-red .zy-kpi-value")).to_have_text("1")
    expect(page.locator("#cockpit-alert-table")).to_contain_text("煤基新材料精深加工项目")
    page.locator("#kpi-red").click()
    expect(page).to_have_url(re.compile(r"/projects/\?alert=red$"))
    table = page.locator("#project-table")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("煤基新材料精深加工项目")
    expect(table.locator('[data-alert="red"]')).to_have_count(1)
    screenshot(page, "09-projects-red")


def test_cockpit_talent_panel_in_the_browser(logged_in_page: LoggedInPage, world: World) -> None:
    """The talent panel (issue 13 item 8): its figures, its three charts drawn, the apartments
    table, and the "closed in time" figure opening the matter list filtered to those demands."""
    from zhaoyin.cockpit.tests.test_cockpit_talents import talent_world

    talents = talent_world(world.units, 30)
    on_time = sum(1 for m in talents.matters if m.talent_id is not None and m.closed_on_time)
    page = logged_in_page(Role.CITY_ADMIN)
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.goto("/cockpit/?year=2026&as_of=2026-09-30")
    expect(page.locator("#kpi-demands-on-time-value")).to_have_text(str(on_time))
    for key in ("talent_tiers", "talent_industry", "talent_demands"):
        expect(page.locator(f"#chart-{key} canvas").first).to_be_attached()
    expect(page.locator("#cockpit-apartments")).to_contain_text("大通区人才公寓")
    page.locator("#cockpit-talent").scroll_into_view_if_needed()
    screenshot(page, "08b-cockpit-talents")

    page.locator("#kpi-demands-on-time").click()
    expect(page).to_have_url(re.compile(r"/matters/\?source=talent_demand&has_talent=true&closed_on_time=true$"))
    expect(page.locator("tbody tr")).to_have_count(on_time)


# ---- Cockpit polish (issue 16 item 7) -------------------------------------------------------------

#: Units with long official names, so the progress chart's axis is crowded at 1366 px.
LONG_UNITS = [
    ("park-gxq", "淮南高新技术产业开发区"),
    ("park-jkq", "淮南经济技术开发区"),
    ("park-mhg", "现代煤化工产业园区"),
    ("park-xq", "寿县新桥国际产业园"),
    ("park-mj", "毛集社会发展综合实验区"),
    ("340404", "谢家集区"),
    ("340405", "八公山区"),
    ("340406", "潘集区"),
    ("340421", "凤台县"),
    ("340422", "寿县"),
]

#: The category labels ECharts drew for one chart, as oriented rectangles (the four corners of
#: each label after its rotation), and whether any two of them overlap (separating-axis test).
_LABEL_OVERLAPS = """(key) => {
  const el = document.getElementById('chart-' + key);
  const chart = echarts.getInstanceByDom(el);
  const spec = JSON.parse(document.getElementById('cockpit-data').textContent)[key];
  const wanted = new Set(spec.items.map(i => i.short || i.name));
  const boxes = [];
  chart.getZr().storage.getDisplayList(true).forEach(d => {
    if (d.type !== 'tspan' || d.ignore || d.invisible || !wanted.has(d.style.text)) return;
    const r = d.getBoundingRect();
    const m = d.getComputedTransform() || [1, 0, 0, 1, 0, 0];
    boxes.push([[r.x, r.y], [r.x + r.width, r.y], [r.x + r.width, r.y + r.height], [r.x, r.y + r.height]]
      .map(([x, y]) => [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]]));
  });
  const separated = (p, q) => [p, q].some(poly => poly.some((a, i) => {
    const b = poly[(i + 1) % 4];
    const nx = b[1] - a[1], ny = a[0] - b[0];
    const pa = p.map(([x, y]) => x * nx + y * ny), pb = q.map(([x, y]) => x * nx + y * ny);
    return Math.max(...pa) <= Math.min(...pb) + 0.01 || Math.max(...pb) <= Math.min(...pa) + 0.01;
  }));
  let overlaps = 0;
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    if (!separated(boxes[i], boxes[j])) overlaps++;
  }
  const label = chart.getOption().xAxis[0].axisLabel;
  return {drawn: boxes.length, items: spec.items.length, overlaps: overlaps, rotate: label.rotate,
          interval: label.interval};
}"""


def test_cockpit_axis_labels_never_overlap_at_1366_px(logged_in_page: LoggedInPage, world: World) -> None:
    """At 1366 px the 12 units of the progress chart are turned (and shortened), each drawn,
    none touching another; 亿元 values print with 2 decimals and months as 1月…; the paused
    project's bar in the funnel is grey."""
    from zhaoyin.accounts.models import OrgUnit, OrgUnitKind

    _pipeline(world)
    city = world.units["city"]
    for code, name in LONG_UNITS:
        unit = OrgUnit.objects.create(code=code, name=name, kind=OrgUnitKind.PARK, parent=city)
        Target.objects.create(year=2026, indicator="external_funds", org_unit=unit, value=Decimal(3))
    Project.objects.filter(code="XM-2026-00201").update(stage=Stage.ON_HOLD)
    page = logged_in_page(Role.CITY_ADMIN)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/cockpit/?year=2026&as_of=2026-09-30")
    expect(page.locator("#chart-units canvas").first).to_be_attached()
    units = page.evaluate(_LABEL_OVERLAPS, "units")
    # Every unit with a target is labelled: county A and the ten above.
    assert units["drawn"] == units["items"] == len(LONG_UNITS) + 1
    assert units["overlaps"] == 0, units
    assert units["rotate"] in (45, 90), units  # 12 names in half of 1366 px do not fit level
    months = page.evaluate(_LABEL_OVERLAPS, "months")
    assert months == {"drawn": 9, "items": 9, "overlaps": 0, "rotate": 0, "interval": 0}
    for key in ("funnel", "industry"):
        assert page.evaluate(_LABEL_OVERLAPS, key)["overlaps"] == 0, key
    shown = page.evaluate(
        """() => {
          const c = echarts.getInstanceByDom(document.getElementById('chart-months'));
          const s = c.getOption().series[0];
          return {label: s.label.formatter({value: 1.5}), names: c.getOption().xAxis[0].data};
        }"""
    )
    assert shown["label"] == "1.50"
    assert shown["names"] == [f"{m}月" for m in range(1, 10)]
    funnel = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('chart-funnel')).getOption().series[0].data"
    )
    assert funnel[-2] == {"value": 1, "itemStyle": {"color": "#9ca3af"}}  # 暂缓 grey
    screenshot(page, "08c-cockpit-1366")


def test_an_empty_cockpit_says_why_in_each_panel(logged_in_page: LoggedInPage, world: World) -> None:
    """A year without targets or funds: each panel says what it lacks instead of blank axes."""
    page = logged_in_page(Role.CITY_ADMIN)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/cockpit/?year=2031&as_of=2031-03-31")
    for key in ("units", "months", "industry", "source"):
        panel = page.locator(f'[data-cockpit-empty="{key}"]')
        expect(panel).to_be_visible()
        expect(panel).to_contain_text("2031")
        expect(page.locator(f"#chart-{key} canvas")).to_have_count(0)
    screenshot(page, "08d-cockpit-empty")
