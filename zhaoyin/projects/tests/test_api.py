"""The /api/v1/projects contract (DESIGN 5.1): shapes, status codes, bad input, scope."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Industry
from zhaoyin.projects.choices import Stage
from zhaoyin.projects.models import FundEntry, Project, StageEvent
from zhaoyin.projects.tests.helpers import MakeProject, api_client, fingerprint

pytestmark = pytest.mark.django_db


def _post(client: Any, url: str, body: Any) -> Any:
    text = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data=text, content_type="application/json")


def _patch(client: Any, url: str, body: Any) -> Any:
    return client.patch(url, data=json.dumps(body), content_type="application/json")


def _industry() -> str:
    first = Industry.objects.order_by("sort_order", "code").first()
    assert first is not None
    return first.code


def test_create_returns_201_with_the_design_fields(make_user: Any) -> None:
    client = api_client(make_user(Role.STAFF, "county_a"))
    body = {
        "name": "新能源电池项目",
        "investor_name": "某某新能源有限公司",
        "org_unit": "340402",
        "industry": _industry(),
        "source_region": "yangtze_delta",
        "total_investment_wan": 120000.55,
        "first_contact_on": "2025-06-02",
        "lead_official": "王副市长",
    }
    response = _post(client, "/api/v1/projects", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["code"].startswith("XM-")
    assert data["total_investment_wan"] == "120000.55"
    assert (data["stage"], data["stage_on"]) == ("lead", "2025-06-02")
    assert data["funds_total_wan"] == "0.00"
    assert [e["to_stage"] for e in data["events"]] == ["lead"]
    assert Project.objects.get(pk=data["id"]).total_investment_wan == Decimal("120000.55")


def test_a_json_number_amount_is_read_exactly(make_user: Any) -> None:
    client = api_client(make_user(Role.CITY_ADMIN, "city"))
    head = json.dumps(
        {"name": "x", "investor_name": "y", "org_unit": "340402", "industry": _industry(), "source_region": "overseas"}
    )
    # Written as text: the number must reach the server with all its digits.
    raw = head[:-1] + ', "total_investment_wan": 9999999999999.99}'
    response = _post(client, "/api/v1/projects", raw)
    assert response.status_code == 201, response.content
    assert response.json()["total_investment_wan"] == "9999999999999.99"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"total_investment_wan": "-1"}, "total_investment_wan"),
        ({"total_investment_wan": "abc"}, "total_investment_wan"),
        ({"total_investment_wan": True}, "total_investment_wan"),
        ({"org_unit": "nowhere"}, "org_unit"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_create_bad_input_is_422_naming_the_field(make_user: Any, body: dict[str, Any], field: str) -> None:
    client = api_client(make_user(Role.STAFF, "county_a"))
    full = {
        "name": "x",
        "investor_name": "y",
        "org_unit": "340402",
        "industry": _industry(),
        "source_region": "overseas",
        "total_investment_wan": "1",
        **body,
    }
    before = fingerprint()
    response = _post(client, "/api/v1/projects", full)
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}
    assert fingerprint() == before


def test_list_filters_and_scope(make_user: Any, make_project: MakeProject) -> None:
    a = make_project(unit="county_a", name="大通新材料项目")
    park = make_project(unit="park_a", name="园区芯片项目", stage=Stage.SIGNED)
    make_project(unit="county_b", name="田家庵项目")
    staff_a = api_client(make_user(Role.STAFF, "county_a"))
    data = staff_a.get("/api/v1/projects").json()
    assert data["count"] == 2
    assert {i["id"] for i in data["items"]} == {a.pk, park.pk}
    assert staff_a.get("/api/v1/projects?stage=signed").json()["count"] == 1
    assert staff_a.get("/api/v1/projects?q=新材料").json()["items"][0]["id"] == a.pk
    assert staff_a.get("/api/v1/projects?org_unit=park-a").json()["count"] == 1
    assert staff_a.get("/api/v1/projects?page=1&page_size=1").json()["count"] == 2
    assert len(staff_a.get("/api/v1/projects?page=2&page_size=1").json()["items"]) == 1
    assert staff_a.get("/api/v1/projects?stage=built").status_code == 422
    leader = api_client(make_user(Role.LEADER, "city"))
    assert leader.get("/api/v1/projects").json()["count"] == 3


def test_detail_has_stage_events_and_funds_total(make_user: Any, make_project: MakeProject) -> None:
    staff = make_user(Role.STAFF, "county_a")
    client = api_client(staff)
    project = make_project(stage=Stage.LEAD)
    moved = _post(client, f"/api/v1/projects/{project.pk}/stages", {"stage": "negotiating", "date": "2026-01-10"})
    assert moved.status_code == 201
    # Funds arrive only on a signed project (docs/targets.md, "Plausibility").
    signed = _post(client, f"/api/v1/projects/{project.pk}/stages", {"stage": "signed", "date": "2026-01-11"})
    assert signed.status_code == 201
    for month, amount in (("2025-11", "0.10"), ("2025-12", 0.2)):
        response = _post(
            client, f"/api/v1/projects/{project.pk}/funds", {"month": month, "amount_wan": amount, "source": "foreign"}
        )
        assert response.status_code == 201, response.content
    data = client.get(f"/api/v1/projects/{project.pk}").json()
    assert (data["stage"], data["stage_on"]) == ("signed", "2026-01-11")
    assert [(e["from_stage"], e["to_stage"], e["kind"]) for e in data["events"]] == [
        ("lead", "negotiating", "advance"), ("negotiating", "signed", "advance")
    ]
    assert data["funds_total_wan"] == "0.30"
    assert [f["amount_wan"] for f in data["funds"]] == ["0.10", "0.20"]
    assert [(f["verification"], f["flags"], f["files"]) for f in data["funds"]] == [("reported", [], [])] * 2


def test_stage_change_contract(make_user: Any, make_project: MakeProject) -> None:
    client = api_client(make_user(Role.STAFF, "county_a"))
    project = make_project(stage=Stage.NEGOTIATING)
    url = f"/api/v1/projects/{project.pk}/stages"
    before = fingerprint()
    unknown = _post(client, url, {"stage": "built", "date": "2026-01-10"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "stage"
    skip = _post(client, url, {"stage": "started", "date": "2026-01-10"})
    assert skip.status_code == 422
    assert skip.json()["errors"][0]["field"] == "reason"
    bad_date = _post(client, url, {"stage": "signed", "date": "10/01/2026"})
    assert bad_date.status_code == 422
    assert bad_date.json()["errors"][0]["field"] == "date"
    assert _post(client, url, {"stage": "signed", "date": "2026-01-10", "extra": 1}).status_code == 422
    assert fingerprint() == before
    ok = _post(client, url, {"stage": "started", "date": "2026-01-10", "reason": "签约注册同日", "note": "n"})
    assert ok.status_code == 201
    assert ok.json()["kind"] == "skip"
    again = _post(client, url, {"stage": "started", "date": "2026-01-10", "reason": "重复提交"})
    assert again.status_code == 409
    assert StageEvent.objects.filter(project=project).count() == 1


def test_terminated_project_refuses_hold_with_409(make_user: Any, make_project: MakeProject) -> None:
    client = api_client(make_user(Role.STAFF, "county_a"))
    project = make_project(stage=Stage.TERMINATED)
    body = {"stage": "on_hold", "date": "2026-01-10", "reason": "x"}
    response = _post(client, f"/api/v1/projects/{project.pk}/stages", body)
    assert response.status_code == 409
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount_wan": "-0.01"}, "amount_wan"),
        ({"amount_wan": "12,3a"}, "amount_wan"),
        ({"amount_wan": [1]}, "amount_wan"),
        ({"month": "2025/09"}, "month"),
        ({"month": "09-2025"}, "month"),
        ({"source": "mars"}, "source"),
    ],
)
def test_funds_bad_input_is_422_and_changes_nothing(
    make_user: Any, make_project: MakeProject, body: dict[str, Any], field: str
) -> None:
    client = api_client(make_user(Role.STAFF, "county_a"))
    project = make_project()
    before = fingerprint()
    response = _post(
        client,
        f"/api/v1/projects/{project.pk}/funds",
        {"month": "2025-09", "amount_wan": "1", "source": "outside_city", **body},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert fingerprint() == before


def test_AC_03_funds_for_another_countys_project_is_404(make_user: Any, make_project: MakeProject) -> None:
    client = api_client(make_user(Role.STAFF, "county_a"))
    project_b = make_project(unit="county_b")
    before = fingerprint()
    response = _post(
        client, f"/api/v1/projects/{project_b.pk}/funds", {"month": "2025-09", "amount_wan": "1", "source": "foreign"}
    )
    assert response.status_code == 404
    assert client.get(f"/api/v1/projects/{project_b.pk}").status_code == 404
    assert _patch(client, f"/api/v1/projects/{project_b.pk}", {"name": "x"}).status_code == 404
    assert FundEntry.objects.count() == 0
    assert fingerprint()[:4] == before[:4]


def test_patch_with_stale_version_is_409(make_user: Any, make_project: MakeProject) -> None:
    client = api_client(make_user(Role.STAFF, "county_a"))
    project = make_project()
    url = f"/api/v1/projects/{project.pk}"
    ok = _patch(client, url, {"lead_official": "张三", "version": 1, "total_investment_wan": "12.30"})
    assert ok.status_code == 200
    assert (ok.json()["version"], ok.json()["total_investment_wan"]) == (2, "12.30")
    assert _patch(client, url, {"lead_official": "李四", "version": 1}).status_code == 409
    assert _patch(client, url, {"stage": "signed"}).status_code == 422  # the stage has its own route
    assert Project.objects.get(pk=project.pk).lead_official == "张三"


def test_read_only_roles_get_403_even_for_malformed_bodies(make_user: Any, make_project: MakeProject) -> None:
    project = make_project()
    leader = api_client(make_user(Role.LEADER, "city"))
    before = fingerprint()
    assert _post(leader, f"/api/v1/projects/{project.pk}/stages", {}).status_code == 403
    assert _post(leader, "/api/v1/projects", {"name": 1}).status_code == 403
    assert leader.get(f"/api/v1/projects/{project.pk}").status_code == 200
    assert fingerprint()[:4] == before[:4]
