"""The browser flow of the 亩均 evaluation (issue 14's Acceptance): the 亩均 office imports the
eight bureaus' workbooks through the import pages (dry run, then commit), saves the new-scheme
page as the template pre-fills it (the year set), runs it, and proposes a 调档 that the city
administrator approves; the 公示 opens; the objecting firm's portal account objects with its tax
receipts; the office upholds it with the corrected tax and the run is computed again (revision
1); once the 公示 is over (its dates moved into the past, as the demo does) the office publishes;
a policy "A 类企业" then lists exactly the A firms, and the bulk action makes the D firm's
rectification matter. Eight firms (``acceptance_support``); screenshots in var/screenshots/."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone
from playwright.sync_api import Browser, FilePayload, Page, expect

from conftest import MakeUser
from tests.browser.conftest import pdf_upload, screenshot, sign_in, staff_page
from zhaoyin.accounts.models import OrgUnit
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import EnterpriseGrade, GradeKind
from zhaoyin.mujun.models import MuGradeChange, MuInput, MuObjection, MuRectification, MuResult, MuRun, MuScheme
from zhaoyin.mujun.tests.acceptance_support import (
    FINAL_D,
    LIFTED,
    OBJECTOR,
    TRUE_TAX,
    YEAR,
    make_firms,
    policy_values,
    uploads,
)
from zhaoyin.policies import services as policy_services
from zhaoyin.policies.inputs import PolicyInput

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _import(page: Page, source: str, filename: str, content: bytes, rows: int) -> None:
    """Upload a workbook with the year, read the dry run, commit it."""
    page.goto(f"/mujun/inputs/imports/{source}/")
    page.locator("#import-year").fill(str(YEAR))
    workbook: FilePayload = {"name": filename, "mimeType": XLSX, "buffer": content}
    page.locator("#import-file").set_input_files(files=[workbook])
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    expect(page.locator("#import-rows tbody tr")).to_have_count(rows)
    expect(page.locator("#import-blocked")).to_have_count(0)
    if source == "land":
        screenshot(page, "mujun-import-preview")
    page.locator("#import-commit").click()
    expect(page).to_have_url(re.compile(r"/mujun/inputs/imports/\d+/$"))
    expect(page.locator(".alert-success")).to_be_visible()


def test_the_evaluation_through_the_pages(
    page: Page, browser: Browser, live_server: Any, org_tree: dict[str, OrgUnit], make_user: MakeUser
) -> None:
    firms = make_firms(org_tree)
    office_user = make_user(Role.MU_OFFICE, "city", full_name="亩均办 王敏")
    admin_user = make_user(Role.CITY_ADMIN, "city", full_name="市管理员 李强")
    portal_user = make_user(Role.ENTERPRISE, "county_a", enterprise_id=firms[OBJECTOR].pk, full_name="绿源 联络员")
    # The policy "A 类企业" is in force before the evaluation: publishing the grades re-matches it.
    policy = policy_services.policy_create(acting_user=admin_user,
                                           data=PolicyInput.parse(policy_values(org_tree["city"].code)))
    policy_services.policy_transition(acting_user=admin_user, policy=policy, action="publish")

    # 1. The office imports the bureaus' workbooks.
    sign_in(page, office_user)
    for item in uploads(firms, org_tree):
        _import(page, item.source.value, item.filename, item.content, len(firms))
    assert MuInput.objects.filter(year=YEAR).count() == len(firms) * 10

    # 2. The new-scheme page, pre-filled with the template: the year set, saved as it is.
    page.goto("/mujun/schemes/new/")
    expect(page.locator(".zy-scheme-list")).to_have_count(2)
    page.locator("#f-year").fill(str(YEAR))
    page.locator("#f-name").fill(f"{YEAR}年度工业企业亩均效益综合评价办法")
    screenshot(page, "mujun-scheme-new")
    page.locator("#scheme-save").click()
    expect(page).to_have_url(re.compile(r"/mujun/schemes/\d+/$"))
    scheme = MuScheme.objects.get(year=YEAR)
    assert [lst["code"] for lst in scheme.definition["lists"]] == ["above", "below_3mu"]

    # 3. 初评.
    page.goto("/mujun/runs/new/")
    page.locator("#mu-scheme").select_option(str(scheme.pk))
    page.locator("#mu-run-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/mujun/runs/\d+/$"))
    run = MuRun.objects.get(scheme=scheme)
    expect(page.locator("#mu-result-table tbody tr")).to_have_count(len(firms))
    expect(page.locator("#mu-revision")).to_have_text("0")
    # Indicators and lists by their names, not their codes.
    expect(page.locator("#mu-result-table thead")).to_contain_text("亩均税收")
    expect(page.locator("#mu-result-table thead")).not_to_contain_text("tax_per_mu")
    grades = dict(MuResult.objects.filter(run=run).values_list("enterprise_id", "grade"))
    assert [grades[f.pk] for f in firms] == ["A", "A", "B", "B", "B", "C", "C", "D"]
    screenshot(page, "mujun-run-initial")

    # 4. 调档: the office proposes it on the firm's result, the city administrator approves it.
    lifted = MuResult.objects.get(run=run, enterprise=firms[LIFTED])
    expect(page.locator(f"#mu-result-{lifted.pk}")).to_contain_text("规上工业企业")
    page.locator(f"#mu-result-{lifted.pk} a").click()
    expect(page).to_have_url(re.compile(rf"/mujun/runs/results/{lifted.pk}/$"))
    expect(page.locator("#mu-indicators")).to_contain_text("亩均税收 = 实缴税金 ÷ 用地面积")
    page.locator("#mu-to-grade").select_option("A")
    page.locator("#mu-reason").fill("获评省级绿色工厂，经联席会议研究上调一档")
    page.locator("#mu-propose-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/mujun/runs/{run.pk}/$"))
    change = MuGradeChange.objects.get(run=run)
    expect(page.locator(f"#change-{change.pk}")).to_contain_text(firms[LIFTED].name)
    expect(page.locator(f"#change-{change.pk} form")).to_have_count(0)  # not the proposer's to decide

    admin = staff_page(browser, live_server, admin_user)
    admin.goto(f"/mujun/runs/{run.pk}/")
    admin.locator(f"#change-{change.pk} form[action$='/approve_grade/'] button").click()
    expect(admin.locator(".alert-success")).to_be_visible()
    lifted.refresh_from_db()
    assert (lifted.initial_grade, lifted.grade) == ("B", "A")

    # 5. 公示.
    page.goto(f"/mujun/runs/{run.pk}/")
    page.locator("#action-start_publicity button[type=submit]").click()
    chinese_day = r"\d{4}年\d{1,2}月\d{1,2}日"  # detail dates read in Chinese (issue 16)
    expect(page.locator("#mu-publicity")).to_contain_text(re.compile(rf"{chinese_day} – {chinese_day}"))
    run.refresh_from_db()
    assert run.state == "publicity"

    # 6. 异议: the firm's portal account objects with its tax receipts.
    firm_page = staff_page(browser, live_server, portal_user)
    firm_page.goto("/mujun/runs/mine/")
    own = MuResult.objects.get(run=run, enterprise=firms[OBJECTOR])
    expect(firm_page.locator(f"#mine-{own.pk}")).to_contain_text("D")
    firm_page.locator(f"#mine-{own.pk} a").click()
    firm_page.locator("#mu-object-text").fill("税务部门提供的实缴税金未计入分公司缴纳的税款，请按完税证明重新计算。")
    firm_page.locator("#mu-object-files").set_input_files(files=[pdf_upload("完税证明.pdf")])
    screenshot(firm_page, "mujun-portal-object")
    firm_page.locator("#mu-object-form button[type=submit]").click()
    expect(firm_page.locator(".alert-success")).to_be_visible()
    expect(firm_page.locator("#mu-result-objections")).to_contain_text("完税证明")
    objection = MuObjection.objects.get(run=run)
    assert objection.files.count() == 1
    assert objection.matter_id is not None

    # 7. Upheld with the corrected tax: the run is computed again.
    page.goto(f"/mujun/runs/{run.pk}/")
    expect(page.locator(f"#objection-{objection.pk}")).to_contain_text("完税证明.pdf")
    page.locator(f"#answer-{objection.pk}").fill("经与税务部门核实，分公司税款应计入。")
    page.locator(f"#figure-{objection.pk}").select_option("tax")
    page.locator(f"#value-{objection.pk}").fill(str(TRUE_TAX))
    page.locator(f"#uphold-{objection.pk} button[type=submit]").first.click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#mu-revision")).to_have_text("1")
    expect(page.locator(f"#objection-{objection.pk}")).to_contain_text("答复: 经与税务部门核实")
    expect(page.locator(f"#objection-{objection.pk} [data-figure=tax]")).to_have_text(f"实缴税金 {TRUE_TAX:.4f}")
    objection.refresh_from_db()
    assert (objection.state, objection.grade_before, objection.grade_after) == ("upheld", "D", "C")
    screenshot(page, "mujun-run-upheld")

    # 8. The 公示 is over (the demo's one direct write), and the office publishes.
    today = timezone.localdate()
    MuRun.objects.filter(pk=run.pk).update(publicity_start=today - dt.timedelta(days=10),
                                           publicity_end=today - dt.timedelta(days=1))
    page.goto(f"/mujun/runs/{run.pk}/")
    page.locator("#action-publish button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    run.refresh_from_db()
    assert run.state == "published"
    final = dict(MuResult.objects.filter(run=run).values_list("enterprise_id", "grade"))
    a_firms = {pk for pk, grade in final.items() if grade == "A"}
    d_firms = {pk for pk, grade in final.items() if grade == "D"}
    assert a_firms == {firms[0].pk, firms[1].pk, firms[LIFTED].pk}
    assert d_firms == {firms[FINAL_D].pk}
    assert dict(EnterpriseGrade.objects.filter(kind=GradeKind.MU, year=YEAR).values_list(
        "enterprise_id", "grade")) == final

    # 9. The D firms' rectification matters, in one action on the distribution page.
    page.goto(f"/mujun/distribution/?run={run.pk}")
    expect(page.locator("#mu-groups")).to_contain_text(org_tree["county_a"].name)
    page.locator("#mu-rectify button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert set(MuRectification.objects.values_list("result__enterprise_id", flat=True)) == d_firms
    screenshot(page, "mujun-distribution")

    # 10. The policy "A 类企业" lists exactly the A firms (re-matched when the grades arrived).
    admin.goto(f"/policies/{policy.pk}/eligible/")
    table = admin.locator("#eligible-table tbody tr")
    expect(table).to_have_count(len(a_firms))
    names = {firm.name for firm in firms if firm.pk in a_firms}
    listed = {text.strip() for text in admin.locator("#eligible-table tbody tr td:first-child").all_inner_texts()}
    assert listed == names
    screenshot(admin, "mujun-policy-a-grade-eligible")
