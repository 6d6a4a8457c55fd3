"""The matching pages and API: an enterprise's policies, a policy's 免申即享 list; contract,
scope (AC-03), bad parameters, constant query counts, the Excel export."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from zhaoyin.accounts.models import OrgUnit, ServiceGroupMembership
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.roles import Role
from zhaoyin.matching import verdicts
from zhaoyin.matching.tests.support import (
    ABOVE_TREE,
    HIGH_TECH_TREE,
    api_client,
    make_enterprise,
    make_policy,
    set_figures,
    web_client,
)
from zhaoyin.policies.models import Delivery, PolicyStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org_tree: dict[str, OrgUnit]) -> dict[str, Any]:
    """A high-tech policy and an above-size policy; enterprises in both counties."""
    high_tech = make_policy(org_tree["city"], HIGH_TECH_TREE, title="高新技术企业研发奖励")
    above = make_policy(org_tree["city"], ABOVE_TREE, title="规上企业稳增长奖励", delivery=Delivery.APPLICATION)
    a_met = make_enterprise(org_tree["county_a"], name="甲县达标企业有限公司", quals=("高新技术企业",),
                            size_class="above", group=org_tree["group_1"])
    set_figures(a_met, revenue_wan=3000, rd_wan=120)
    a_possible = make_enterprise(org_tree["county_a"], name="甲县待补数据企业有限公司", quals=("高新技术企业",))
    set_figures(a_possible, revenue_wan=2500)  # no R&D figure: the ratio is unknown
    b_met = make_enterprise(org_tree["county_b"], name="乙县达标企业有限公司", quals=("高新技术企业",),
                            group=org_tree["group_2"])
    set_figures(b_met, revenue_wan=5000, rd_wan=400)
    verdicts.refresh_all()
    return {"high_tech": high_tech, "above": above, "a_met": a_met, "a_possible": a_possible, "b_met": b_met}


# ---- the enterprise's page and API ---------------------------------------------------------


def test_enterprise_page_groups_policies_with_reasons(world: dict[str, Any], make_user: Any) -> None:
    client = web_client(make_user(Role.STAFF, "county_a"))
    response = client.get(f"/enterprises/{world['a_met'].pk}/policies/")
    assert response.status_code == 200
    body = response.content.decode()
    eligible = body[body.index('id="eligible"'):body.index('id="possible"')]
    assert "高新技术企业研发奖励" in eligible
    assert "规上企业稳增长奖励" in eligible
    assert "已获 高新技术企业 认定" in eligible
    assert "2025年营业收入 3,000 万元 ≥ 2,000 万元" in eligible or "2025年营业收入 3000 万元 ≥ 2000 万元" in eligible
    assert "免申即享" in eligible or "No application needed" in eligible
    assert "按研发投入的10%给予奖励" in eligible
    assert 'data-result="met"' in eligible


def test_enterprise_page_possible_names_missing_data(world: dict[str, Any], make_user: Any) -> None:
    client = web_client(make_user(Role.STAFF, "county_a"))
    body = client.get(f"/enterprises/{world['a_possible'].pk}/policies/").content.decode()
    possible = body[body.index('id="possible"'):body.index('id="ineligible"')]
    assert "高新技术企业研发奖励" in possible
    assert "缺少2025年研发费用数据" in possible
    ineligible = body[body.index('id="ineligible"'):]
    assert "<details" in ineligible
    assert "规上企业稳增长奖励" in ineligible  # below designated size: not eligible, collapsed


def test_api_policy_matches_contract(world: dict[str, Any], make_user: Any) -> None:
    client = api_client(make_user(Role.STAFF, "county_a"))
    response = client.get(f"/api/v1/enterprises/{world['a_possible'].pk}/policy-matches")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(i["policy"]["title"], i["verdict"]) for i in items] == [
        ("高新技术企业研发奖励", "possible"),
        ("规上企业稳增长奖励", "ineligible"),
    ]
    first = items[0]
    assert {"id", "title", "issuer", "level", "category", "delivery", "benefits"} <= set(first["policy"])
    assert first["policy"]["id"] == world["high_tech"].pk
    assert first["policy"]["delivery"] == "no_application"
    assert [c["result"] for c in first["conditions"]] == ["met", "unknown", "met"]
    assert first["conditions"][0] == {
        "condition": {"qualification": "高新技术企业"},
        "result": "met",
        "reason": "已获 高新技术企业 认定",
        "label": first["conditions"][0]["label"],
        "path": first["conditions"][0]["path"],
    }
    assert first["missing"] == ["缺少2025年研发费用数据"]
    for condition in first["conditions"]:
        assert set(condition) == {"condition", "result", "reason", "label", "path"}


def test_AC_03_enterprise_matches_out_of_scope_404(world: dict[str, Any], make_user: Any) -> None:
    staff_a = make_user(Role.STAFF, "county_a")
    assert web_client(staff_a).get(f"/enterprises/{world['b_met'].pk}/policies/").status_code == 404
    assert api_client(staff_a).get(f"/api/v1/enterprises/{world['b_met'].pk}/policy-matches").status_code == 404
    assert api_client(staff_a).get("/api/v1/enterprises/99999999/policy-matches").status_code == 404


def test_AC_03_portal_user_sees_own_matches_only(world: dict[str, Any], make_user: Any) -> None:
    portal = make_user(Role.ENTERPRISE, "county_a", enterprise_id=world["a_met"].pk)
    assert web_client(portal).get(f"/enterprises/{world['a_met'].pk}/policies/").status_code == 200
    assert web_client(portal).get(f"/enterprises/{world['a_possible'].pk}/policies/").status_code == 404
    assert api_client(portal).get(f"/api/v1/enterprises/{world['a_met'].pk}/policy-matches").status_code == 200
    # The 免申即享 list of a policy is the government's working list, not the portal's.
    assert web_client(portal).get(f"/policies/{world['high_tech'].pk}/eligible/").status_code == 403


def test_enterprise_detail_links_and_lists_top_eligible(world: dict[str, Any], make_user: Any) -> None:
    body = web_client(make_user(Role.STAFF, "county_a")).get(f"/enterprises/{world['a_met'].pk}/").content.decode()
    assert f"/enterprises/{world['a_met'].pk}/policies/" in body
    panel = body[body.index('id="policy-matches"'):]
    assert "高新技术企业研发奖励" in panel
    assert "规上企业稳增长奖励" in panel


# ---- the policy's 免申即享 list ----------------------------------------------------------------


def test_eligible_page_lists_eligible_in_scope(world: dict[str, Any], make_user: Any) -> None:
    client = web_client(make_user(Role.SUPERVISOR, "city"))
    body = client.get(f"/policies/{world['high_tech'].pk}/eligible/").content.decode()
    assert "甲县达标企业有限公司" in body
    assert "乙县达标企业有限公司" in body
    assert "甲县待补数据企业有限公司" not in body


def test_eligible_page_possible_tab_shows_missing(world: dict[str, Any], make_user: Any) -> None:
    client = web_client(make_user(Role.STAFF, "county_a"))
    response = client.get(f"/policies/{world['high_tech'].pk}/eligible/?verdict=possible")
    assert response.status_code == 200
    body = response.content.decode()
    assert "甲县待补数据企业有限公司" in body
    assert "缺少2025年研发费用数据" in body
    assert "甲县达标企业有限公司" not in body


def test_AC_03_county_sees_only_its_enterprises_and_counts(world: dict[str, Any], make_user: Any) -> None:
    staff_a = make_user(Role.STAFF, "county_a")
    page = web_client(staff_a).get(f"/policies/{world['high_tech'].pk}/eligible/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "甲县达标企业有限公司" in body
    assert "乙县达标企业有限公司" not in body
    assert page.context["counts"] == {"eligible": 1, "possible": 1}
    api = api_client(staff_a).get(f"/api/v1/policies/{world['high_tech'].pk}/eligible-enterprises")
    assert api.json()["count"] == 1
    assert [i["name"] for i in api.json()["items"]] == ["甲县达标企业有限公司"]
    city = api_client(make_user(Role.SUPERVISOR, "city")).get(
        f"/api/v1/policies/{world['high_tech'].pk}/eligible-enterprises"
    )
    assert city.json()["count"] == 2


def test_AC_03_service_member_sees_own_groups_enterprises(
    world: dict[str, Any], make_user: Any, org_tree: dict[str, OrgUnit]
) -> None:
    member = make_user(Role.SERVICE_MEMBER, "group_2")
    ServiceGroupMembership.objects.get_or_create(group=org_tree["group_2"], user=member)
    response = api_client(member).get(f"/api/v1/policies/{world['high_tech'].pk}/eligible-enterprises")
    assert response.status_code == 200
    assert [i["name"] for i in response.json()["items"]] == ["乙县达标企业有限公司"]


def test_api_eligible_enterprises_contract(world: dict[str, Any], make_user: Any) -> None:
    client = api_client(make_user(Role.STAFF, "county_a"))
    url = f"/api/v1/policies/{world['high_tech'].pk}/eligible-enterprises"
    eligible = client.get(url).json()
    assert eligible == {
        "count": 1,
        "items": [{
            "id": world["a_met"].pk,
            "name": "甲县达标企业有限公司",
            "uscc": world["a_met"].uscc,
            "org_unit": {"id": world["a_met"].org_unit_id, "code": "340402", "name": "大通区"},
            "industry": {"code": "it", "name": world["a_met"].industry.name},
            "verdict": "eligible",
            "missing": [],
        }],
    }
    possible = client.get(url + "?verdict=possible&page=1&page_size=10").json()
    assert possible["count"] == 1
    assert possible["items"][0]["verdict"] == "possible"
    assert possible["items"][0]["missing"] == ["缺少2025年研发费用数据"]
    assert client.get(url + "?page=5").json() == {"count": 1, "items": []}


@pytest.mark.parametrize(
    ("query", "field"),
    [("verdict=ineligible", "verdict"), ("org_unit=nope", "org_unit"), ("industry=nope", "industry"),
     ("page=0", "page"), ("page_size=1000", "page_size")],
)
def test_api_eligible_enterprises_bad_input_422(world: dict[str, Any], make_user: Any, query: str, field: str) -> None:
    client = api_client(make_user(Role.STAFF, "county_a"))
    response = client.get(f"/api/v1/policies/{world['high_tech'].pk}/eligible-enterprises?{query}")
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}


@pytest.mark.parametrize(("query", "message"), [("verdict=all", "Verdict"), ("industry=nope", "industry")])
def test_eligible_page_bad_parameters_400(world: dict[str, Any], make_user: Any, query: str, message: str) -> None:
    response = web_client(make_user(Role.STAFF, "county_a")).get(f"/policies/{world['high_tech'].pk}/eligible/?{query}")
    assert response.status_code == 400
    assert response.context["page_obj"] is None
    assert response.context["form"].problems


def test_eligible_page_filters_by_unit_and_industry(world: dict[str, Any], make_user: Any) -> None:
    client = web_client(make_user(Role.SUPERVISOR, "city"))
    url = f"/policies/{world['high_tech'].pk}/eligible/"
    body = client.get(url + "?org_unit=340403").content.decode()
    assert "乙县达标企业有限公司" in body
    assert "甲县达标企业有限公司" not in body
    empty = client.get(url + "?industry=coal")
    assert empty.status_code == 200
    assert empty.context["page_obj"].paginator.count == 0


def test_invisible_policy_is_404(world: dict[str, Any], make_user: Any, org_tree: dict[str, OrgUnit]) -> None:
    draft_b = make_policy(org_tree["county_b"], ABOVE_TREE, status=PolicyStatus.DRAFT, title="乙县草稿")
    staff_a = make_user(Role.STAFF, "county_a")
    assert web_client(staff_a).get(f"/policies/{draft_b.pk}/eligible/").status_code == 404
    assert api_client(staff_a).get(f"/api/v1/policies/{draft_b.pk}/eligible-enterprises").status_code == 404
    assert api_client(staff_a).get("/api/v1/policies/99999999/eligible-enterprises").status_code == 404


def test_draft_policy_page_says_it_matches_nobody(
    world: dict[str, Any], make_user: Any, org_tree: dict[str, OrgUnit]
) -> None:
    draft = make_policy(org_tree["county_a"], ABOVE_TREE, status=PolicyStatus.DRAFT, title="甲县草稿")
    body = web_client(make_user(Role.STAFF, "county_a")).get(f"/policies/{draft.pk}/eligible/").content.decode()
    assert 'id="match-state"' in body


def test_eligible_export_is_scoped_filtered_and_audited(world: dict[str, Any], make_user: Any) -> None:
    staff_a = make_user(Role.STAFF, "county_a")
    response = web_client(staff_a).get(f"/policies/{world['high_tech'].pk}/eligible/export/?verdict=possible")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][0] == "甲县待补数据企业有限公司"
    assert rows[1][1] == world["a_possible"].uscc
    assert rows[1][5] == "缺少2025年研发费用数据"
    record = AuditRecord.objects.filter(action="policy.eligible_export").get()
    assert '"rows": 1' in record.detail
    refused = web_client(staff_a).get(f"/policies/{world['high_tech'].pk}/eligible/export/?verdict=bad")
    assert refused.status_code == 302
    assert AuditRecord.objects.filter(action="policy.eligible_export").count() == 1


# ---- query counts: constant in the number of rows -------------------------------------------


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_enterprise_page_query_count_is_constant(
    world: dict[str, Any], make_user: Any, org_tree: dict[str, OrgUnit]
) -> None:
    client = web_client(make_user(Role.STAFF, "county_a"))
    url = f"/enterprises/{world['a_met'].pk}/policies/"
    client.get(url)
    before = _queries(client, url)
    for n in range(6):
        make_policy(org_tree["city"], HIGH_TECH_TREE if n % 2 else ABOVE_TREE, title=f"追加政策{n}")
    set_figures(world["a_met"], year=2024, revenue_wan=100)
    assert _queries(client, url) == before
    api = api_client(make_user(Role.STAFF, "county_a"))
    api_url = f"/api/v1/enterprises/{world['a_met'].pk}/policy-matches"
    api.get(api_url)
    first = _queries(api, api_url)
    make_policy(org_tree["city"], ABOVE_TREE, title="再追加政策")
    assert _queries(api, api_url) == first


@pytest.mark.parametrize("verdict", ["eligible", "possible"])
def test_eligible_page_query_count_is_constant(
    world: dict[str, Any], make_user: Any, org_tree: dict[str, OrgUnit], verdict: str
) -> None:
    client = web_client(make_user(Role.STAFF, "county_a"))
    url = f"/policies/{world['high_tech'].pk}/eligible/?verdict={verdict}"
    client.get(url)
    before = _queries(client, url)
    for _n in range(8):
        e = make_enterprise(org_tree["county_a"], quals=("高新技术企业",), group=org_tree["group_1"])
        set_figures(e, revenue_wan=3000, **({"rd_wan": 200} if verdict == "eligible" else {}))
    verdicts.refresh_all()
    assert client.get(url).context["page_obj"].paginator.count == 9
    assert _queries(client, url) == before
    api = api_client(make_user(Role.STAFF, "county_a"))
    api_url = f"/api/v1/policies/{world['high_tech'].pk}/eligible-enterprises?verdict={verdict}"
    api.get(api_url)
    first = _queries(api, api_url)
    extra = make_enterprise(org_tree["county_a"], quals=("高新技术企业",))
    set_figures(extra, revenue_wan=3000, **({"rd_wan": 200} if verdict == "eligible" else {}))
    verdicts.refresh_all()
    assert _queries(api, api_url) == first


def test_openapi_document_builds_with_the_matching_paths(make_user: Any) -> None:
    response = api_client(make_user(Role.STAFF, "county_a")).get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/enterprises/{id}/policy-matches" in paths
    assert "/api/v1/policies/{id}/eligible-enterprises" in paths
    assert "/api/v1/enterprises/{id}" in paths
    assert "/api/v1/policies/{id}" in paths


def test_enterprise_page_escapes_policy_text(
    world: dict[str, Any], make_user: Any, org_tree: dict[str, OrgUnit]
) -> None:
    """The cards are built in Python: every value is escaped like a template would."""
    make_policy(org_tree["city"], ABOVE_TREE, title='<script>alert("x")</script>政策')
    body = web_client(make_user(Role.STAFF, "county_a")).get(f"/enterprises/{world['a_met'].pk}/policies/").content
    assert b'<script>alert("x")</script>' not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;政策".encode() in body


def test_portal_user_menu_leads_to_own_policy_page(make_user: Any, org_tree: Any) -> None:
    """The enterprise user's "my policies" entry opens their own enterprise's policy page;
    a portal account without an enterprise gets 404, not someone else's page."""
    firm = make_enterprise(org_tree["county_a"])
    portal = make_user("enterprise", "county_a", enterprise_id=firm.pk)
    client = Client()
    client.force_login(portal)
    home = client.get("/")
    assert reverse("policy_matching:mine") in home.content.decode()
    response = client.get(reverse("policy_matching:mine"))
    assert response.status_code == 302
    assert response["Location"] == reverse("policy_matching:enterprise", args=[firm.pk])
    lonely = make_user("enterprise", "county_a")
    client.force_login(lonely)
    assert client.get(reverse("policy_matching:mine")).status_code == 404
