"""API contract of /api/v1/policies (DESIGN 5.1): list, detail, create, PATCH with version,
publish / withdraw actions; 422 naming the field or the tree node, 409 for a transition the
table forbids or a stale version, 404 out of sight, nothing changed on refusal."""

from __future__ import annotations

import json
from typing import Any

import pytest

from zhaoyin.core.roles import Role
from zhaoyin.policies.models import Policy, PolicyStatus
from zhaoyin.policies.tests.library_helpers import TREE, api_client, fingerprint, make_policy, policy_data

pytestmark = pytest.mark.django_db

ITEM_KEYS = {
    "id", "title", "issuer", "level", "doc_no", "category", "org_unit", "valid_from", "valid_to", "status",
    "delivery", "beneficiary", "summary", "benefits", "max_amount_wan", "benefit_type", "application_guide",
    "apply_deadline",
    "contact_office", "contact_phone", "contact_address", "eligibility", "version", "updated_at",
}


def _post(client: Any, path: str, body: Any) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


def _patch(client: Any, path: str, body: Any) -> Any:
    return client.patch(path, data=json.dumps(body), content_type="application/json")


def _fields(response: Any) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


def test_create_returns_201_with_the_contract(make_user: Any) -> None:
    client = api_client(make_user(Role.CITY_ADMIN))
    data = policy_data(max_amount_wan="99999999999.99", delivery="no_application")
    response = _post(client, "/api/v1/policies", data)
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= ITEM_KEYS
    assert body["files"] == []
    assert body["status"] == "draft"
    assert body["org_unit"] == "340400"
    assert body["max_amount_wan"] == "99999999999.99"
    assert body["eligibility"] == TREE
    assert body["delivery"] == "no_application"


def test_create_unknown_field_is_422_and_changes_nothing(make_user: Any) -> None:
    client = api_client(make_user(Role.CITY_ADMIN))
    before = fingerprint()
    response = _post(client, "/api/v1/policies", policy_data(secret="x"))
    assert response.status_code == 422
    assert _fields(response) == {"secret"}
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("tree", "field"),
    [
        ({"all": [{"field": "size_class", "op": "eq", "value": "above"}, {"field": "shoe", "op": "eq", "value": 1}]},
         "eligibility.all[1].field"),
        ({"all": [{"any": [{"figure": "revenue_wan", "year": 2025, "op": "about", "value": 1}]}]},
         "eligibility.all[0].any[0].op"),
        ({"none": []}, "eligibility"),
    ],
)
def test_create_malformed_tree_is_422_naming_the_node(make_user: Any, tree: Any, field: str) -> None:
    client = api_client(make_user(Role.CITY_ADMIN))
    before = fingerprint()
    response = _post(client, "/api/v1/policies", policy_data(eligibility=tree))
    assert response.status_code == 422
    assert any(f == field or f.startswith(field + ".") for f in _fields(response)), response.json()
    assert fingerprint() == before


def test_valid_to_before_valid_from_is_422_on_valid_to(make_user: Any) -> None:
    client = api_client(make_user(Role.CITY_ADMIN))
    before = fingerprint()
    response = _post(client, "/api/v1/policies", policy_data(valid_from="2026-05-01", valid_to="2026-04-30"))
    assert response.status_code == 422
    assert _fields(response) == {"valid_to"}
    assert fingerprint() == before


def test_list_filters_and_pages(make_user: Any, org_tree: Any) -> None:
    client = api_client(make_user(Role.STAFF, "county_a"))
    make_policy(org_tree["city"], title="高新技术企业认定奖励", category="funds")
    make_policy(org_tree["city"], title="研发费用加计扣除", category="tax", level="national")
    make_policy(org_tree["county_b"], title="乙县草案", status=PolicyStatus.DRAFT)  # a draft of another county
    response = client.get("/api/v1/policies")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert set(body["items"][0]) == ITEM_KEYS
    assert client.get("/api/v1/policies?category=tax").json()["count"] == 1
    assert client.get("/api/v1/policies?q=高新").json()["items"][0]["title"] == "高新技术企业认定奖励"
    assert client.get("/api/v1/policies?status=draft").json()["count"] == 0
    page = client.get("/api/v1/policies?page=2&page_size=1").json()
    assert page["count"] == 2
    assert len(page["items"]) == 1
    bad = client.get("/api/v1/policies?level=galactic")
    assert bad.status_code == 422
    assert _fields(bad) == {"level"}


def test_detail_of_an_invisible_draft_is_404(make_user: Any, org_tree: Any) -> None:
    draft = make_policy(org_tree["county_b"], status=PolicyStatus.DRAFT)
    assert api_client(make_user(Role.STAFF, "county_a")).get(f"/api/v1/policies/{draft.pk}").status_code == 404
    assert api_client(make_user(Role.STAFF, "county_b")).get(f"/api/v1/policies/{draft.pk}").status_code == 200


def test_patch_with_version_and_conflict(make_user: Any, org_tree: Any) -> None:
    client = api_client(make_user(Role.CITY_ADMIN))
    policy = make_policy(org_tree["city"], status=PolicyStatus.DRAFT)
    response = _patch(client, f"/api/v1/policies/{policy.pk}", {"benefits": "改", "version": 1})
    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert response.json()["benefits"] == "改"
    before = fingerprint()
    stale = _patch(client, f"/api/v1/policies/{policy.pk}", {"benefits": "再改", "version": 1})
    assert stale.status_code == 409
    assert fingerprint() == before
    bad = _patch(client, f"/api/v1/policies/{policy.pk}", {"status": "in_force"})
    assert bad.status_code == 422
    assert _fields(bad) == {"status"}
    assert fingerprint() == before


def test_actions_publish_withdraw_and_409(make_user: Any, org_tree: Any) -> None:
    client = api_client(make_user(Role.CITY_ADMIN))
    policy = make_policy(org_tree["city"], status=PolicyStatus.DRAFT)
    response = client.post(f"/api/v1/policies/{policy.pk}/actions/publish", content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_force"
    before = fingerprint()
    again = client.post(f"/api/v1/policies/{policy.pk}/actions/publish", content_type="application/json")
    assert again.status_code == 409
    no_reason = _post(client, f"/api/v1/policies/{policy.pk}/actions/withdraw", {})
    assert no_reason.status_code == 422
    assert _fields(no_reason) == {"reason"}
    unknown = _post(client, f"/api/v1/policies/{policy.pk}/actions/withdraw", {"reason": "x", "why": "y"})
    assert unknown.status_code == 422
    assert _fields(unknown) == {"why"}
    for bad in ("[1, 2]", "{not json"):
        odd = client.post(f"/api/v1/policies/{policy.pk}/actions/withdraw", bad, content_type="application/json")
        assert odd.status_code == 422
        assert odd.json()["errors"]
    assert fingerprint() == before
    done = _post(client, f"/api/v1/policies/{policy.pk}/actions/withdraw", {"reason": "政策到期前废止"})
    assert done.status_code == 200
    assert done.json()["status"] == "withdrawn"
    assert Policy.objects.get(pk=policy.pk).status == "withdrawn"


def test_readers_may_not_write(make_user: Any, org_tree: Any) -> None:
    policy = make_policy(org_tree["city"], status=PolicyStatus.DRAFT)
    before = fingerprint()
    for role in (Role.STAFF, Role.LEADER, Role.SERVICE_MEMBER):
        client = api_client(make_user(role, "county_a" if role == Role.STAFF else "city"))
        assert _post(client, "/api/v1/policies", policy_data()).status_code == 403
        publish = client.post(f"/api/v1/policies/{policy.pk}/actions/publish", content_type="application/json")
        assert publish.status_code in (403, 404)
    assert Policy.objects.get(pk=policy.pk).status == "draft"
    assert fingerprint()[0] == before[0]


@pytest.mark.parametrize("amount", [9999999999998, "1000000000000.00"])
def test_VAL_01_a_maximum_amount_beyond_the_column_is_refused_not_a_server_error(make_user: Any, amount: Any) -> None:
    # The column holds 12 integer digits; a larger amount once reached the database (500).
    client = api_client(make_user(Role.CITY_ADMIN))
    before = fingerprint()
    response = _post(client, "/api/v1/policies", policy_data(max_amount_wan=amount))
    assert response.status_code == 422, response.content
    assert _fields(response) == {"max_amount_wan"}
    assert fingerprint() == before
