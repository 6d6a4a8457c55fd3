"""Issue 14's acceptance through /api/v1 only: the 亩均 office imports the bureaus' workbooks (dry
run, then commit), creates the year's scheme and runs it; a 调档 is proposed and approved by
another evaluator; the 公示 opens; the firm objects from the portal, the objection is upheld
with the corrected tax and the run is computed again; once the 公示 is over the evaluation is
published — a policy "A 类企业" then matches exactly the A firms — the D firm becomes a
rectification matter, the differentiated-price list adds up, and the run reproduces: its
snapshot evaluated again is byte-identical, and a second run over the unchanged inputs gives
the first run's digest. The firms and workbooks: ``acceptance_support``."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Enterprise, EnterpriseGrade, GradeKind
from zhaoyin.matters.models import Matter
from zhaoyin.mujun.models import MuInput, MuRectification, MuRun, ParcelHolding
from zhaoyin.mujun.scheme_data import STANDARD_INDICATORS
from zhaoyin.mujun.scheme_data_templates import anhui_template
from zhaoyin.mujun.tests.acceptance_support import (
    FINAL_D,
    LAND_MU,
    LIFTED,
    OBJECTOR,
    REPORTED_TAX,
    TRUE_TAX,
    YEAR,
    figures,
    make_firms,
    policy_values,
    uploads,
)

API = "/api/v1"


class Api:
    """One user's bearer-token client on /api/v1."""

    def __init__(self, user: User) -> None:
        self.client = Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})

    def get(self, path: str) -> Any:
        return self.client.get(API + path)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(API + path, body or {}, content_type="application/json")

    def upload(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(API + path, data)  # multipart


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json()


def _results(api: Api, run: int) -> dict[int, dict[str, Any]]:
    """The run's results by enterprise id."""
    page = _ok(api.get(f"/mu-runs/{run}/results?page_size=100"))
    assert page["count"] == len(page["items"])
    return {r["enterprise"]["id"]: r for r in page["items"]}


def _grades(results: dict[int, dict[str, Any]], firms: list[Enterprise]) -> list[str]:
    return [results[f.pk]["grade"] for f in firms]


@pytest.fixture
def people(make_user: MakeUser) -> Callable[[Enterprise], dict[str, User]]:
    def make(objector: Enterprise) -> dict[str, User]:
        return {
            "office": make_user(Role.MU_OFFICE, "city"),
            "admin": make_user(Role.CITY_ADMIN, "city"),
            "portal": make_user(Role.ENTERPRISE, "county_a", enterprise_id=objector.pk),
        }

    return make


def test_the_evaluation_through_the_api_from_the_workbooks_to_the_consequences(
    org_tree: dict[str, OrgUnit], people: Callable[[Enterprise], dict[str, User]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    firms = make_firms(org_tree)
    users = people(firms[OBJECTOR])
    office, admin, portal = Api(users["office"]), Api(users["admin"]), Api(users["portal"])

    # 1. The bureaus' workbooks: each checked (dry run, nothing written), then committed.
    for item in uploads(firms, org_tree):
        form = {"source": item.source.value, "year": str(YEAR)}
        checked = _ok(office.upload("/mu-inputs/imports", form | {
            "file": _named(item), "dry_run": "true"}))
        assert (checked["dry_run"], checked["rows_in"], checked["created"], checked["rejected"]) == (
            True, len(firms), len(firms), 0), item.source
        done = _ok(office.upload("/mu-inputs/imports", form | {"file": _named(item), "dry_run": "false"}))
        assert (done["dry_run"], done["status"], done["created"], done["error_count"]) == (
            False, "committed", len(firms), 0), item.source
    assert MuInput.objects.filter(year=YEAR).count() == len(firms) * 10
    assert MuInput.objects.get(enterprise=firms[OBJECTOR], year=YEAR, figure="tax").value == REPORTED_TAX
    assert {h.area_mu for h in ParcelHolding.objects.filter(year=YEAR)} == {LAND_MU}

    # 2. The scheme (the Anhui-style template) and the 初评.
    scheme = _ok(office.post("/mu-schemes", {"year": YEAR, "name": f"{YEAR}年度工业企业亩均效益综合评价办法",
                                             "publicity_days": 5, "definition": anhui_template(YEAR)}), 201)
    made = _ok(office.post("/mu-runs", {"scheme": scheme["id"]}), 201)
    run_id, first_digest, first_inputs = made["id"], made["digest"], made["inputs_digest"]
    assert (made["status"], made["firms"], made["revision"], made["outside"]) == ("initial", 8, 0, [])
    initial = _results(office, run_id)
    # Firm k is better than firm k + 1 on every indicator; the under-reported tax makes the
    # objecting firm the weakest: percentile bands over 8 firms give A A B B B C C D.
    assert _grades(initial, firms) == ["A", "A", "B", "B", "B", "C", "C", "D"]
    assert [initial[f.pk]["rank"] for f in firms] == list(range(1, 9))
    tax_row = initial[firms[0].pk]["indicators"][0]
    assert (tax_row["code"], tax_row["formula"], tax_row["value"]) == ("tax_per_mu", "tax / land_mu", "20.0000")

    # 3. 调档: proposed by the office, approved by the city administrator (four-eyes).
    lifted = initial[firms[LIFTED].pk]
    version = _ok(office.get(f"/mu-runs/{run_id}"))["version"]
    change = _ok(office.post(f"/mu-runs/{run_id}/grade-changes", {
        "result": lifted["id"], "to_grade": "A", "reason": "获评省级绿色工厂，经联席会议研究上调一档",
        "version": version}), 201)
    assert office.post(f"/mu-grade-changes/{change['id']}/actions/approve_grade").status_code == 403
    approved = _ok(admin.post(f"/mu-grade-changes/{change['id']}/actions/approve_grade", {"note": "同意"}))
    assert (approved["status"], approved["from_grade"], approved["to_grade"]) == ("approved", "B", "A")

    # 4. 公示.
    version = _ok(office.get(f"/mu-runs/{run_id}"))["version"]
    public = _ok(office.post(f"/mu-runs/{run_id}/actions/start_publicity", {"version": version}))
    assert public["status"] == "publicity"
    assert public["publicity_end"] > timezone.localdate().isoformat()

    # 5. 异议 from the portal: the firm sees its own result only, and objects to it.
    mine = _ok(portal.get("/me/mu-results"))
    assert [(r["enterprise"]["id"], r["grade"]) for r in mine] == [(firms[OBJECTOR].pk, "D")]
    objection = _ok(portal.post(f"/me/mu-results/{mine[0]['id']}/objections", {
        "text": "税务部门提供的实缴税金未计入分公司缴纳的税款，请按完税证明重新计算。"}), 201)
    assert objection["status"] == "open"
    assert objection["matter"] is not None

    # 6. Upheld with the corrected tax: the run is computed again (revision 1, a new digest).
    version = _ok(office.get(f"/mu-runs/{run_id}"))["version"]
    upheld = _ok(office.post(f"/mu-objections/{objection['id']}/actions/uphold", {
        "reason": "经与税务部门核实，分公司税款应计入。", "corrections": {"tax": str(TRUE_TAX)}, "version": version}))
    assert (upheld["status"], upheld["grade_before"]) == ("upheld", "D")
    assert upheld["grade_after"] == "C"
    rerun = _ok(office.get(f"/mu-runs/{run_id}"))
    assert rerun["revision"] == 1
    assert rerun["digest"] != first_digest
    after = _results(office, run_id)
    assert after[firms[OBJECTOR].pk]["figures"]["tax"] == f"{TRUE_TAX:.4f}"
    assert after[firms[OBJECTOR].pk]["grade"] == upheld["grade_after"]
    # The 调档 holds (the firm's initial grade is still B), and the 7th firm is now the D one.
    assert (after[firms[LIFTED].pk]["initial_grade"], after[firms[LIFTED].pk]["grade"]) == ("B", "A")
    assert [f.pk for f in firms if after[f.pk]["grade"] == "D"] == [firms[FINAL_D].pk]
    # The stored inputs are the bureaus' still: the correction lives in the run's snapshot.
    assert MuInput.objects.get(enterprise=firms[OBJECTOR], year=YEAR, figure="tax").value == REPORTED_TAX

    # 7. A policy "A 类企业", in force before the evaluation is published.
    policy = _ok(admin.post("/policies", policy_values(org_tree["city"].code)), 201)
    _ok(admin.post(f"/policies/{policy['id']}/actions/publish"))

    # 8. The 公示 is over (its dates moved into the past, as the demo does), then 发布: the
    #    grades reach the eligibility engine, and the policy's matches are refreshed on commit.
    today = timezone.localdate()
    MuRun.objects.filter(pk=run_id).update(publicity_start=today - dt.timedelta(days=10),
                                           publicity_end=today - dt.timedelta(days=1))
    version = _ok(office.get(f"/mu-runs/{run_id}"))["version"]
    with django_capture_on_commit_callbacks(execute=True):
        published = _ok(office.post(f"/mu-runs/{run_id}/actions/publish", {"version": version}))
    assert published["status"] == "published"
    final = _results(office, run_id)
    a_firms = {f.pk for f in firms if final[f.pk]["grade"] == "A"}
    assert a_firms == {firms[0].pk, firms[1].pk, firms[LIFTED].pk}
    assert dict(EnterpriseGrade.objects.filter(kind=GradeKind.MU, year=YEAR).values_list(
        "enterprise_id", "grade")) == {f.pk: final[f.pk]["grade"] for f in firms}
    eligible = _ok(admin.get(f"/policies/{policy['id']}/eligible-enterprises?page_size=100"))
    assert {e["id"] for e in eligible["items"]} == a_firms

    # 9. 整改: one matter per D firm, naming its weakest indicators; none more on a second call.
    rectified = _ok(office.post(f"/mu-runs/{run_id}/rectifications"), 201)
    d_firms = [f.pk for f in firms if final[f.pk]["grade"] == "D"]
    assert [r["enterprise"] for r in rectified["items"]] == d_firms
    matter = Matter.objects.get(pk=rectified["items"][0]["matter"])
    assert firms[FINAL_D].name in matter.title
    weak = final[firms[FINAL_D].pk]["indicators"]
    weakest = sorted(weak, key=lambda i: Decimal(i["points"]) / Decimal(i["weight"]))[:3]  # ties: scheme order
    for row in weakest:
        assert f"{STANDARD_INDICATORS[row['code']][0]}：" in matter.description
    assert _ok(office.post(f"/mu-runs/{run_id}/rectifications"), 201)["created"] == 0
    assert MuRectification.objects.count() == len(d_firms)

    # 10. The firm reads its results over the years; another firm's are not found.
    own = _ok(portal.get(f"/enterprises/{firms[OBJECTOR].pk}/mu-results"))
    assert [(r["run"], r["grade"], r["figures"]["tax"]) for r in own] == [
        (run_id, upheld["grade_after"], f"{TRUE_TAX:.4f}")]
    assert portal.get(f"/enterprises/{firms[0].pk}/mu-results").status_code == 404

    # 11. 差别化电价: the C and D firms with use × surcharge, and a totals row that adds up.
    export = office.get(f"/mu-runs/{run_id}/exports/surcharge")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[1] == ["序号", "企业名称", "统一社会信用代码", "评价等级", "用电量（万千瓦时）",
                       "加价标准（元/千瓦时）", "加价金额（万元）"]
    body, totals = rows[2:-1], rows[-1]
    charged = {f.pk: final[f.pk]["grade"] for f in firms if final[f.pk]["grade"] in ("C", "D")}
    assert sorted(str(r[2]) for r in body) == sorted(f.uscc for f in firms if f.pk in charged)
    rate = {"C": Decimal("0.05"), "D": Decimal("0.10")}
    by_uscc = {f.uscc: i for i, f in enumerate(firms)}
    for row in body:
        use, grade = figures(by_uscc[str(row[2])])["electricity"], str(row[3])
        assert (Decimal(str(row[4])), Decimal(str(row[5]))) == (use, rate[grade])
        assert Decimal(str(row[6])) == (use * rate[grade]).quantize(Decimal("0.01"))
    assert totals[0] == "合计"
    assert Decimal(str(totals[4])) == sum(Decimal(str(r[4])) for r in body)
    assert Decimal(str(totals[6])) == sum(Decimal(str(r[6])) for r in body)

    # 12. Reproducible: the stored snapshot evaluated again gives the same bytes, and a second
    #     run of the scheme over the unchanged inputs gives the first run's digest.
    verify = _ok(office.get(f"/mu-runs/{run_id}/verify"))
    assert (verify["identical"], verify["scheme_unchanged"], verify["recomputed"]) == (
        True, True, published["digest"])
    again = _ok(office.post("/mu-runs", {"scheme": scheme["id"]}), 201)
    assert again["id"] != run_id
    assert (again["digest"], again["inputs_digest"]) == (first_digest, first_inputs)


def _named(item: Any) -> io.BytesIO:
    """The workbook as an uploaded file with its name (the batch records it)."""
    handle = io.BytesIO(item.content)
    handle.name = item.filename
    return handle
