"""A policy says whom it serves (受益对象, issue 13 item 3): an enterprise policy's tree is an
enterprise tree, a talent policy's a talent tree (field leaves over a person's facts). An
enterprise-only leaf in a talent policy is refused naming its path, and a change of beneficiary
judges the stored tree again — nothing changed on refusal, on every channel."""

from __future__ import annotations

import json
from typing import Any

import pytest

from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import refused
from zhaoyin.policies import services
from zhaoyin.policies.inputs import PolicyInput, PolicyUpdateInput
from zhaoyin.policies.models import Beneficiary, Policy, PolicyStatus
from zhaoyin.policies.tests.library_helpers import TREE, api_client, fingerprint, make_policy, policy_data

pytestmark = pytest.mark.django_db

#: 博士研究生生活补贴: a doctorate, arrived at most 35, a labour contract in the city.
TALENT_TREE: dict[str, Any] = {
    "all": [
        {"field": "education", "op": "eq", "value": "doctorate"},
        {"field": "age_at_arrival", "op": "lte", "value": 35},
        {"field": "contract_in_city", "op": "eq", "value": True},
    ]
}
#: The same with an enterprise leaf (a qualification of the employer) at all[1].
MIXED_TREE: dict[str, Any] = {
    "all": [
        {"field": "education", "op": "eq", "value": "doctorate"},
        {"qualification": "高新技术企业"},
    ]
}


def test_a_talent_policy_takes_a_talent_tree(make_user: Any) -> None:
    admin = make_user(Role.CITY_ADMIN)
    policy = services.policy_create(
        acting_user=admin, data=PolicyInput.parse(policy_data(beneficiary="talent", eligibility=TALENT_TREE))
    )
    assert policy.beneficiary == Beneficiary.TALENT
    assert policy.eligibility["all"][0] == {"field": "education", "op": "eq", "value": "doctorate"}


def test_the_default_beneficiary_is_enterprise(make_user: Any) -> None:
    policy = services.policy_create(acting_user=make_user(Role.CITY_ADMIN), data=PolicyInput.parse(policy_data()))
    assert policy.beneficiary == Beneficiary.ENTERPRISE


def test_an_enterprise_leaf_in_a_talent_policy_is_refused_naming_its_path(make_user: Any) -> None:
    admin = make_user(Role.CITY_ADMIN)
    with refused(InvalidInput, fields={"eligibility.all[1].qualification"}):
        services.policy_create(
            acting_user=admin, data=PolicyInput.parse(policy_data(beneficiary="talent", eligibility=MIXED_TREE))
        )


def test_a_talent_leaf_in_an_enterprise_policy_is_refused(make_user: Any) -> None:
    admin = make_user(Role.CITY_ADMIN)
    with refused(InvalidInput) as info:
        services.policy_create(acting_user=admin, data=PolicyInput.parse(policy_data(eligibility=TALENT_TREE)))
    assert {e["field"] for e in info.value.errors} >= {"eligibility.all[0].field"}


def test_changing_the_beneficiary_judges_the_stored_tree_again(make_user: Any, org_tree: Any) -> None:
    admin = make_user(Role.CITY_ADMIN)
    policy = make_policy(org_tree["city"], status=PolicyStatus.DRAFT, eligibility=TREE)
    with refused(InvalidInput) as info:
        services.policy_update(
            acting_user=admin, policy=policy, data=PolicyUpdateInput.parse({"beneficiary": "talent"})
        )
    fields = {e["field"] for e in info.value.errors}
    assert "eligibility.all[0].field" in fields  # size_class is no talent field
    assert "eligibility.all[1].figure" in fields
    policy.refresh_from_db()
    assert policy.beneficiary == Beneficiary.ENTERPRISE
    # With a talent tree sent along, the change is taken.
    services.policy_update(
        acting_user=admin,
        policy=policy,
        data=PolicyUpdateInput.parse({"beneficiary": "talent", "eligibility": TALENT_TREE}),
    )
    policy.refresh_from_db()
    assert (policy.beneficiary, policy.eligibility["all"][1]["field"]) == ("talent", "age_at_arrival")


def test_publishing_a_talent_policy_checks_its_tree_with_the_talent_vocabulary(make_user: Any, org_tree: Any) -> None:
    admin = make_user(Role.CITY_ADMIN)
    policy = make_policy(org_tree["city"], status=PolicyStatus.DRAFT, eligibility=TALENT_TREE, beneficiary="talent")
    services.policy_transition(acting_user=admin, policy=policy, action="publish")
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.IN_FORCE


def test_api_422_names_the_enterprise_leaf_and_creates_nothing(make_user: Any) -> None:
    client = api_client(make_user(Role.CITY_ADMIN))
    before = fingerprint()
    response = client.post(
        "/api/v1/policies",
        data=json.dumps(policy_data(beneficiary="talent", eligibility=MIXED_TREE)),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["eligibility.all[1].qualification"]
    assert fingerprint() == before


def test_api_answers_and_filters_by_beneficiary(make_user: Any, org_tree: Any) -> None:
    make_policy(org_tree["city"], title="企业政策")
    make_policy(org_tree["city"], title="人才政策", beneficiary="talent", eligibility=TALENT_TREE)
    client = api_client(make_user(Role.CITY_ADMIN))
    body = client.get("/api/v1/policies?beneficiary=talent").json()
    assert [(p["title"], p["beneficiary"]) for p in body["items"]] == [("人才政策", "talent")]
    bad = client.get("/api/v1/policies?beneficiary=person")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "beneficiary"


def test_a_bad_beneficiary_is_refused_naming_the_field(make_user: Any) -> None:
    with pytest.raises(InvalidInput) as info:
        PolicyInput.parse(policy_data(beneficiary="person"))
    assert [e["field"] for e in info.value.errors] == ["beneficiary"]
