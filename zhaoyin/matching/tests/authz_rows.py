"""Matrix rows for policy matching (tests/authz_matrix.py): an enterprise's policy matches
(page and API) and a policy's 免申即享 list (page, Excel export, API).

An enterprise's matches follow the enterprise's visibility: government readers in scope and
the portal user for its own (county A's enterprise); county B's enterprise is 404 for county
A's unit personas, the service member of group 1 and the portal user. A policy's list is the
government's working list (portal users 403); a county B draft policy does not exist for
county A's unit personas and the service member (404); the list itself is narrowed by the
enterprise scope (tested in test_matching_pages).
"""

from __future__ import annotations

from typing import Any

from tests.authz_matrix import MATRIX, READERS, UNIT_SCOPED, api, web
from tests.world import World, world_builder
from zhaoyin.core.roles import Role
from zhaoyin.matching.tests.support import ABOVE_TREE, make_policy
from zhaoyin.policies.models import PolicyStatus

#: Who may read an enterprise's matches: government readers and the portal user (own only).
ENTERPRISE_READERS = READERS | {Role.ENTERPRISE}
#: Personas that must not learn county B's enterprise exists.
NOT_IN_SCOPE_OF_B = {r: 404 for r in (*UNIT_SCOPED, Role.SERVICE_MEMBER, Role.ENTERPRISE)}
#: Personas that must not learn county B's draft policy exists.
DRAFT_B_HIDDEN = {r: 404 for r in (*UNIT_SCOPED, Role.SERVICE_MEMBER)}


@world_builder
def matching_policies(w: World) -> None:
    w.extra["matching_policy"] = make_policy(w.units["city"], ABOVE_TREE, title="矩阵匹配政策")
    w.extra["matching_draft_b"] = make_policy(
        w.units["county_b"], ABOVE_TREE, title="矩阵乙县草稿政策", status=PolicyStatus.DRAFT
    )


def _ent_a(w: World) -> dict[str, Any]:
    return {"pk": w.enterprise_a.pk}


def _ent_b(w: World) -> dict[str, Any]:
    return {"pk": w.enterprise_b.pk}


def _policy(w: World) -> dict[str, Any]:
    return {"pk": w.extra["matching_policy"].pk}


def _draft_b(w: World) -> dict[str, Any]:
    return {"pk": w.extra["matching_draft_b"].pk}


def _id(builder: Any) -> Any:
    return lambda w: {"id": builder(w)["pk"]}


MATRIX += [
    web("policy_matching:mine", allowed={Role.ENTERPRISE}, ok=302, label="redirect to the own enterprise's page"),
    web("policy_matching:enterprise", allowed=ENTERPRISE_READERS, kwargs=_ent_a, label="county A, portal's own"),
    web("policy_matching:enterprise", allowed=ENTERPRISE_READERS, kwargs=_ent_b, scope=NOT_IN_SCOPE_OF_B,
        label="county B"),
    web("policy_matching:eligible", allowed=READERS, kwargs=_policy, label="in force"),
    web("policy_matching:eligible", allowed=READERS, kwargs=_draft_b, scope=DRAFT_B_HIDDEN, label="county B draft"),
    web("policy_matching:eligible_export", allowed=READERS, kwargs=_policy, label="in force"),
    web("policy_matching:eligible_export", allowed=READERS, kwargs=_draft_b, scope=DRAFT_B_HIDDEN,
        label="county B draft"),
    api("GET", "/api/v1/enterprises/{id}/policy-matches", allowed=ENTERPRISE_READERS, kwargs=_id(_ent_a),
        label="county A, portal's own"),
    api("GET", "/api/v1/enterprises/{id}/policy-matches", allowed=ENTERPRISE_READERS, kwargs=_id(_ent_b),
        scope=NOT_IN_SCOPE_OF_B, label="county B"),
    api("GET", "/api/v1/policies/{id}/eligible-enterprises", allowed=READERS, kwargs=_id(_policy),
        label="in force"),
    api("GET", "/api/v1/policies/{id}/eligible-enterprises", allowed=READERS, kwargs=_id(_draft_b),
        scope=DRAFT_B_HIDDEN, label="county B draft"),
]
