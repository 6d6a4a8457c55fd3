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


# ---- talent policies (issue 13) -------------------------------------------------------------
# A talent's policy matches follow the talent's visibility (talents.selectors): the city-wide
# roles and the talent office all, county A's unit personas county A's talents, the portal
# talent only their own record (any other → 404, as unknown). A talent policy's list of talents
# is a government working list (the talent office included; portal users 403).

#: Who may read a talent's policy matches.
TALENT_MATCH_READERS = frozenset(
    {Role.CITY_ADMIN, Role.LEADER, Role.SUPERVISOR, Role.TALENT_OFFICE, Role.UNIT_ADMIN, Role.STAFF, Role.TALENT}
)
#: Who may read a talent policy's list of talents.
TALENT_LIST_READERS = TALENT_MATCH_READERS - {Role.TALENT}
#: County B's talent: hidden from county A's unit personas and from the portal talent.
TALENT_B_HIDDEN = {r: 404 for r in (*UNIT_SCOPED, Role.TALENT)}


@world_builder
def matching_talents(w: World) -> None:
    from zhaoyin.matching.tests.talent_support import DOCTOR_TREE, make_talent_policy
    from zhaoyin.talents.models import Education, Talent
    from zhaoyin.talents.testing import make_talent

    w.extra["tp_policy"] = make_talent_policy(w.units["city"], DOCTOR_TREE, title="矩阵博士生活补贴")
    doctor = Education.DOCTORATE
    w.extra["tp_talent_a"] = make_talent(org_unit=w.units["county_a"], name="矩阵甲县人才", education=doctor)
    w.extra["tp_talent_b"] = make_talent(org_unit=w.units["county_b"], name="矩阵乙县人才", education=doctor)
    # The portal talent's own record: the talents helper's world builder may have made it.
    persona = w.user(Role.TALENT)
    own = Talent.objects.filter(account=persona).first()
    w.extra["tp_talent_own"] = own or make_talent(org_unit=w.units["county_a"], name="矩阵本人", account=persona)


def _talent(key: str) -> Any:
    return lambda w: {"pk": w.extra[key].pk}


def _tp_policy(w: World) -> dict[str, Any]:
    return {"pk": w.extra["tp_policy"].pk}


MATRIX += [
    web("policy_matching:talent_mine", allowed={Role.TALENT}, ok=302, label="redirect to the own record's page"),
    web("policy_matching:talent", allowed=TALENT_MATCH_READERS, kwargs=_talent("tp_talent_own"),
        label="the portal talent's own"),
    web("policy_matching:talent", allowed=TALENT_MATCH_READERS, kwargs=_talent("tp_talent_a"),
        scope={Role.TALENT: 404}, label="county A"),
    web("policy_matching:talent", allowed=TALENT_MATCH_READERS, kwargs=_talent("tp_talent_b"),
        scope=TALENT_B_HIDDEN, label="county B"),
    web("policy_matching:eligible_talents", allowed=TALENT_LIST_READERS, kwargs=_tp_policy, label="in force"),
    api("GET", "/api/v1/talents/{id}/policy-matches", allowed=TALENT_MATCH_READERS,
        kwargs=_id(_talent("tp_talent_own")), label="the portal talent's own"),
    api("GET", "/api/v1/talents/{id}/policy-matches", allowed=TALENT_MATCH_READERS,
        kwargs=_id(_talent("tp_talent_a")), scope={Role.TALENT: 404}, label="county A"),
    api("GET", "/api/v1/talents/{id}/policy-matches", allowed=TALENT_MATCH_READERS,
        kwargs=_id(_talent("tp_talent_b")), scope=TALENT_B_HIDDEN, label="county B"),
    api("GET", "/api/v1/policies/{id}/eligible-talents", allowed=TALENT_LIST_READERS, kwargs=_id(_tp_policy),
        label="in force"),
]
