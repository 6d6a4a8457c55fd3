"""Every reference field of every write API answers an out-of-scope value exactly like an
unknown one (AC-03, issue 12 D3).

A reference field names another object: an enterprise, a project, a policy, a user, an org
unit. Looked up city-wide, it becomes an oracle (a county's staff learns from a different
answer that an enterprise of another county is registered, or that a username exists) and a
cross-scope link. So each one resolves through the caller's scope, and the answer to a value
outside it — status and body, byte for byte — is the answer to a value nobody has. Neither
changes anything.

The walk is complete by construction: ``test_every_reference_field_is_walked`` reads the
OpenAPI document and fails for any request-body field of a write operation that names
another object and has no case here (or a reason in ``NOT_SCOPED``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests.authz_matrix import discover_rows
from tests.world import World
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import db_fingerprint

discover_rows()  # the features' world builders (projects, matters, policies … per county)

#: Field names that name another object (an id, a code, a username, a credit code).
REFERENCE_NAMES = frozenset({
    "investor", "staff", "org_unit", "service_group", "enterprise", "project", "lead_unit", "co_units",
    "dispatcher_unit", "suggested_unit", "policy", "park", "participants", "industry", "qualifications", "talent",
    "enterprises", "review_unit", "payment_unit",
})
#: Reference fields that name public catalogues, not scoped objects: every signed-in user of
#: the API reads them, so there is nothing to leak.
NOT_SCOPED = {
    "industry": "the industry catalogue (国民经济行业分类) is public",
    "qualifications": "the qualification catalogue is public",
    "service_group": "every account that may write enterprises (city admin, unit admins, staff) may choose any "
                     "active service group (enterprises.selectors.service_groups_for)",
    "suggested_unit": "a unit returning a matter may suggest any unit of the city; the dispatcher decides",
    "park": "only the city admin writes the 招商项目库 (catalog), and every park and county is in its scope",
}

#: One operation's field with nothing outside its writers' scope (the field is scoped elsewhere).
NOT_SCOPED_HERE = {
    ("PUT", "/api/v1/payouts/approvers/{policy_id}", "review_unit"): "only the city administration names a "
    "policy's approvers, and every unit of the city is in its scope",
    ("PUT", "/api/v1/payouts/approvers/{policy_id}", "payment_unit"): "only the city administration names a "
    "policy's approvers, and every unit of the city is in its scope",
    ("POST", "/api/v1/mu-adjustments", "enterprise"): "only the 亩均 office and the city admin write bonuses and "
    "deductions, and the evaluation covers every firm of the city: both read every one",
}


@pytest.fixture
def world(shared_world: World) -> World:
    """One world for the module (tests/conftest.py ``module_world``)."""
    return shared_world


Body = Callable[[World], dict[str, Any]]


@dataclass(frozen=True)
class Case:
    """One reference field of one write operation, as ``persona`` (a county A account)."""

    method: str
    path: str  # the OpenAPI path, e.g. /api/v1/projects/{id}
    field: str
    persona: Role
    body: Body  # a body valid but for the field under test
    outside: Callable[[World], Any]  # a value that exists, outside the persona's scope
    unknown: Any  # a value of the same form that nothing has
    url_args: Callable[[World], dict[str, Any]] = lambda w: {}

    @property
    def id(self) -> str:
        return f"{self.method} {self.path} {self.field}"


def _project_body(w: World) -> dict[str, Any]:
    return {
        "name": "引用测试项目",
        "investor_name": "某投资方",
        "source_region": "in_province",
        "industry": w.industry.code,
        "org_unit": w.units["county_a"].code,
        "total_investment_wan": "1000",
    }


def _staff_of_county_b(w: World) -> str:
    from zhaoyin.accounts.services import user_create

    user, _uri = user_create(
        acting_user=None, username="ref_staff_b", password="Zy!9vQ2#mLp4", roles=[Role.STAFF.value],
        org_unit=w.units["county_b"],
    )
    return user.username


def _project_a(w: World) -> dict[str, Any]:
    return {"id": w.extra["project_a"].pk}


UNKNOWN_USCC = "91340499MA00000000"

CASES: list[Case] = []
for _method, _path, _args in (
    ("POST", "/api/v1/projects", lambda w: {}),
    ("PATCH", "/api/v1/projects/{id}", _project_a),
):
    CASES += [
        Case(_method, _path, "investor", Role.STAFF, _project_body, lambda w: w.enterprise_b.pk, 987654321, _args),
        Case(_method, _path, "investor", Role.STAFF, _project_body, lambda w: w.enterprise_b.uscc, UNKNOWN_USCC,
             _args),
        Case(_method, _path, "staff", Role.STAFF, _project_body, _staff_of_county_b, "no_such_user", _args),
        Case(_method, _path, "org_unit", Role.STAFF, _project_body, lambda w: w.units["county_b"].code, "349999",
             _args),
    ]


def _enterprise_body(w: World) -> dict[str, Any]:
    from zhaoyin.lib.uscc import make_uscc

    return {"name": "引用测试企业", "uscc": make_uscc("340402", "77665544"), "org_unit": "340402",
            "industry": w.industry.code}


def _enterprise_a(w: World) -> dict[str, Any]:
    return {"id": w.enterprise_a.pk}


CASES += [
    Case("POST", "/api/v1/enterprises", "org_unit", Role.STAFF, _enterprise_body, lambda w: "340403", "349999"),
    Case("PATCH", "/api/v1/enterprises/{id}", "org_unit", Role.STAFF, _enterprise_body, lambda w: "340403", "349999",
         _enterprise_a),
]


def _matter_body(w: World) -> dict[str, Any]:
    return {"title": "引用测试事项", "source": "enterprise_demand", "kind": "coordination"}


def _county_matter(state: str) -> Callable[[World], dict[str, Any]]:
    """A matter county A dispatches, in ``state`` (its staff may edit, assign and reassign it)."""

    def make(w: World) -> dict[str, Any]:
        import datetime as dt

        from zhaoyin.matters import clocks
        from zhaoyin.matters.models import Matter

        today = clocks.today()
        clocked = state != "draft"
        matter = Matter.objects.create(
            code=f"JB1999-REF{state[:3].upper()}", title="引用测试事项", source="enterprise_demand",
            kind="coordination",
            requester_name="引用", dispatcher_unit=w.units["county_a"], lead_unit=w.units["park_a"], state=state,
            received_on=today if clocked else None, handle_from=today if clocked else None,
            sign_deadline=today + dt.timedelta(days=7) if clocked else None,
            handle_deadline=today + dt.timedelta(days=60) if clocked else None,
        )
        return {"id": matter.pk}

    return make


def _empty(w: World) -> dict[str, Any]:
    return {}


def _unit_cases(method: str, path: str, body: Body, args: Callable[[World], dict[str, Any]], *names: str) -> list[Case]:
    out = []
    for name in names:
        many = name == "co_units"
        out.append(Case(method, path, name, Role.STAFF, body,
                        (lambda w: ["340403"]) if many else (lambda w: "340403"),
                        ["349999"] if many else "349999", args))
    return out


CASES += [
    *_unit_cases("POST", "/api/v1/matters", _matter_body, lambda w: {}, "lead_unit", "co_units", "dispatcher_unit"),
    *_unit_cases("PATCH", "/api/v1/matters/{id}", _matter_body, _county_matter("draft"), "lead_unit", "co_units"),
    *_unit_cases("POST", "/api/v1/matters/{id}/actions/assign", _empty, _county_matter("draft"), "lead_unit",
                 "co_units"),
    *_unit_cases("POST", "/api/v1/matters/{id}/actions/reassign", lambda w: {"lead_unit": "park-a"},
                 _county_matter("accepted"), "lead_unit", "co_units"),
]
_matter_targets: tuple[tuple[str, str, Callable[[World], dict[str, Any]]], ...] = (
    ("POST", "/api/v1/matters", _empty),
    ("PATCH", "/api/v1/matters/{id}", _county_matter("draft")),
)
for _verb, _route, _where in _matter_targets:
    CASES += [
        Case(_verb, _route, "enterprise", Role.STAFF, _matter_body, lambda w: w.enterprise_b.pk, 987654321, _where),
        Case(_verb, _route, "project", Role.STAFF, _matter_body, lambda w: w.extra["project_b"].pk, 98765432, _where),
        Case(_verb, _route, "project", Role.STAFF, _matter_body, lambda w: w.extra["project_b"].code,
             "XM-1999-99999", _where),
    ]


def _visit_body(w: World) -> dict[str, Any]:
    return {"enterprise": w.enterprise_a.pk, "date": "2026-01-05", "notes": "引用测试走访"}


CASES += [
    Case("POST", "/api/v1/visits", "enterprise", Role.SERVICE_MEMBER, _visit_body, lambda w: w.enterprise_b.pk,
         987654321),
    Case("POST", "/api/v1/visits", "participants", Role.SERVICE_MEMBER, _visit_body,
         lambda w: [w.user(Role.STAFF).username], ["no_such_user"]),
]


def _policy_body(w: World) -> dict[str, Any]:
    return {"title": "引用测试政策", "issuer": "大通区人民政府", "level": "county", "category": "funds",
            "valid_from": "2026-01-01", "benefits": "奖励", "org_unit": "340402"}


def _policy_a(w: World) -> dict[str, Any]:
    return {"id": w.extra["policy_draft_a"].pk}


def _payout_body(w: World) -> dict[str, Any]:
    return {"policy": w.extra["payout_policy"].pk, "enterprise": w.enterprise_a.pk, "period": "2024",
            "amount_wan": "3"}


CASES += [
    Case("POST", "/api/v1/policies", "org_unit", Role.UNIT_ADMIN, _policy_body, lambda w: "340403", "349999"),
    Case("PATCH", "/api/v1/policies/{id}", "org_unit", Role.UNIT_ADMIN, _policy_body, lambda w: "340403", "349999",
         _policy_a),
    Case("POST", "/api/v1/payouts", "enterprise", Role.STAFF, _payout_body, lambda w: w.enterprise_b.pk, 987654321),
    Case("POST", "/api/v1/payouts", "policy", Role.STAFF, _payout_body, lambda w: w.extra["policy_draft_b"].pk,
         987654321),
]


# Issue 15: 数据比对 registers a 免申即享 policy's firms in bulk.
def _match_body(w: World) -> dict[str, Any]:
    return {"policy": w.extra["payout_free_policy"].pk, "enterprises": [w.enterprise_a.pk], "period": "2022",
            "amount_wan": "3", "override_reason": "矩阵：按会议纪要兑现"}


CASES += [
    Case("POST", "/api/v1/payouts/matches/register", "policy", Role.STAFF, _match_body,
         lambda w: w.extra["policy_draft_b"].pk, 987654321),
    Case("POST", "/api/v1/payouts/matches/register", "enterprises", Role.STAFF, _match_body,
         lambda w: [w.enterprise_b.pk], [987654321]),
]


# Issue 13: a talent's subsidy and the start of a talent policy's schedule.
def _talent_payout_body(w: World) -> dict[str, Any]:
    return {"policy": w.extra["tpay_policy"].pk, "talent": w.extra["tpay_talent_a"].pk, "period": "2024",
            "amount_wan": "3"}


def _schedule_body(w: World) -> dict[str, Any]:
    return {"policy": w.extra["tpay_policy"].pk, "talent": w.extra["tpay_talent_a"].pk, "first_period": "2026-01"}


CASES += [
    Case("POST", "/api/v1/payouts", "talent", Role.STAFF, _talent_payout_body,
         lambda w: w.extra["tpay_talent_b"].pk, 987654321),
    Case("POST", "/api/v1/payouts/schedules/start", "policy", Role.STAFF, _schedule_body,
         lambda w: w.extra["policy_draft_b"].pk, 987654321),
    Case("POST", "/api/v1/payouts/schedules/start", "talent", Role.STAFF, _schedule_body,
         lambda w: w.extra["tpay_talent_b"].pk, 987654321),
]


# Issue 13: a talent's record and an apartment building name the unit they belong to.
def _talent_body(w: World) -> dict[str, Any]:
    import datetime as dt

    from zhaoyin.talents.testing import resident_id

    return {"name": "引用测试人才", "id_number": resident_id(dt.date(1990, 1, 2), 777), "org_unit": "340402"}


def _talent_a(w: World) -> dict[str, Any]:
    return {"id": w.extra["talent_a"].pk}


def _building_body(w: World) -> dict[str, Any]:
    return {"name": "引用测试公寓", "address": "淮南市引用路1号", "org_unit": "340402"}


CASES += [
    Case("POST", "/api/v1/talents", "org_unit", Role.STAFF, _talent_body, lambda w: "340403", "349999"),
    Case("PATCH", "/api/v1/talents/{id}", "org_unit", Role.STAFF, _talent_body, lambda w: "340403", "349999",
         _talent_a),
    Case("POST", "/api/v1/apartment-buildings", "org_unit", Role.STAFF, _building_body, lambda w: "340403", "349999"),
]


# Issue 13: a subsidy application names the talent policy (and, by staff, the talent). A draft
# policy is no talent policy in force to the applicant: it answers as an unknown id.
def _subsidy_body(w: World) -> dict[str, Any]:
    return {"policy": w.extra["sub_policy"].pk, "talent": w.extra["sub_free_a"].pk, "statement": "引用测试"}


def _own_subsidy_body(w: World) -> dict[str, Any]:
    return {"policy": w.extra["sub_policy"].pk, "statement": "引用测试"}


CASES += [
    Case("POST", "/api/v1/subsidy-applications", "policy", Role.STAFF, _subsidy_body,
         lambda w: w.extra["policy_draft_b"].pk, 987654321),
    Case("POST", "/api/v1/subsidy-applications", "talent", Role.STAFF, _subsidy_body,
         lambda w: w.extra["tpay_talent_b"].pk, 987654321),
    Case("POST", "/api/v1/me/subsidy-applications", "policy", Role.TALENT, _own_subsidy_body,
         lambda w: w.extra["policy_draft_b"].pk, 987654321),
]


# Issue 13: every write that names a talent (staff applying, registering or raising for one of
# their scope; the portal user names none of their own accord).
def _apartment_application_body(w: World) -> dict[str, Any]:
    return {"talent": w.extra["talent_a"].pk, "reason": "引用测试"}


def _talent_demand_body(w: World) -> dict[str, Any]:
    return {"title": "引用测试人才诉求", "source": "talent_demand", "kind": "talent_demand",
            "talent": w.extra["talent_a"].pk, "demand_category": "housing"}


def _recognition_body(w: World) -> dict[str, Any]:
    return {"talent": w.extra["talent_a"].pk, "claimed_tier": "B", "statement": "引用测试"}


def _talent_project_body(w: World) -> dict[str, Any]:
    return {"round": w.extra["tp_round"].pk, "talent": w.extra["tp_talent_new"].pk, "title": "引用测试申报",
            "requested_wan": "120"}


def _talent_b(w: World) -> int:
    return int(w.extra["talent_b"].pk)


CASES += [
    Case("POST", "/api/v1/apartment-applications", "talent", Role.STAFF, _apartment_application_body, _talent_b,
         987654321),
    Case("POST", "/api/v1/matters", "talent", Role.STAFF, _talent_demand_body, _talent_b, 987654321),
    Case("POST", "/api/v1/recognitions", "talent", Role.STAFF, _recognition_body, _talent_b, 987654321),
    Case("POST", "/api/v1/talent-projects", "talent", Role.STAFF, _talent_project_body, _talent_b, 987654321),
    Case("POST", "/api/v1/me/subsidy-applications", "talent", Role.TALENT, _own_subsidy_body, _talent_b, 987654321),
]


def _call(client: Client, case: Case, world: World, url: str, value: Any) -> tuple[int, bytes]:
    # A PATCH sends the field alone; a POST a body valid but for it.
    body = {case.field: value} if case.method == "PATCH" else {**case.body(world), case.field: value}
    response = client.generic(case.method, url, json.dumps(body), content_type="application/json")
    return response.status_code, response.content


def _echo_masked(answer: tuple[int, bytes], value: Any) -> tuple[int, bytes]:
    status, body = answer
    for item in value if isinstance(value, list) else [value]:
        if not isinstance(item, str):
            continue  # ids are never quoted back
        quoted = json.dumps(str(item))[1:-1].encode()
        body = body.replace(quoted, b"<value>")
    return status, body


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_AC_03_D3_out_of_scope_reference_answers_like_an_unknown_one(world: World, case: Case) -> None:
    outside = case.outside(world)
    url = case.path.format(**case.url_args(world))
    client = world.api_client_for(case.persona.value)
    before = db_fingerprint()
    got_outside = _call(client, case, world, url, outside)
    got_unknown = _call(client, case, world, url, case.unknown)
    assert got_outside[0] in {404, 422}, got_outside
    # A message may quote the caller's own value back (名单: "p_staff 不是该组成员"): that
    # echo is the only difference allowed.
    assert _echo_masked(got_outside, outside) == _echo_masked(got_unknown, case.unknown)
    assert case.field.encode() in got_unknown[1] or got_unknown[0] == 404
    assert db_fingerprint() == before


def test_every_reference_field_is_walked() -> None:
    """Each write operation's body field that names another object has a case (or a reason)."""
    from config.api import api

    document = api.get_openapi_schema()
    schemas = document["components"]["schemas"]
    walked = {(c.method, c.path, c.field) for c in CASES}
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in {"post", "put", "patch"}:
                continue
            for content in operation.get("requestBody", {}).get("content", {}).values():
                schema = content["schema"]
                if "$ref" in schema:
                    schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
                for name in schema.get("properties", {}):
                    scoped = name in REFERENCE_NAMES and name not in NOT_SCOPED
                    here = (method.upper(), path, name)
                    if scoped and here not in walked and here not in NOT_SCOPED_HERE:
                        missing.append(f"{method.upper()} {path} {name}")
    assert not missing, "reference fields with no out-of-scope case: " + ", ".join(sorted(missing))
