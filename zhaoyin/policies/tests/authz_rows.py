"""Matrix rows (tests/authz_matrix.py) for the policy library: pages, attachments, import, API.

Published policies are read by every government role; a draft only by the units that keep it
(county A's unit roles see county A's draft, not county B's: 404) and by the city-wide
roles; the service member sees published policies only. City and unit administrators write,
a unit administrator only the policies kept in their subtree (the city's policy: 403).
Portal users and the 三员 get 403 everywhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from tests.authz_matrix import MATRIX, READERS, UNIT_SCOPED, api, web
from tests.world import World, world_builder
from zhaoyin.core import files as files_core
from zhaoyin.core.roles import Role
from zhaoyin.policies import flow
from zhaoyin.policies.models import Policy, PolicyFile, PolicyStatus
from zhaoyin.policies.services import FILE_AREA

EDITORS = frozenset({Role.CITY_ADMIN, Role.UNIT_ADMIN})
#: County B's draft does not exist for county A's unit personas and the service member.
NOT_IN_SCOPE_OF_B = {**dict.fromkeys(UNIT_SCOPED, 404), Role.SERVICE_MEMBER: 404}
#: A draft is seen by the city-wide roles and the keeping unit's roles only.
DRAFT_A_SCOPE = {Role.SERVICE_MEMBER: 404}
TREE = {"all": [{"field": "size_class", "op": "eq", "value": "above"}, {"qualification": "高新技术企业"}]}
_PDF = b"%PDF-1.4\n% matrix policy file\n%%EOF\n"


def _policy(w: World, unit: str, status: str, n: int) -> Policy:
    policy = Policy(
        title=f"矩阵政策{n}",
        issuer="淮南市人民政府",
        level="city",
        doc_no=f"淮府〔2026〕9{n:02d}号",
        category="funds",
        org_unit=w.units[unit],
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2099, 12, 31),
        status=status,
        benefits="矩阵奖励",
        eligibility=TREE,
    )
    policy.refresh_search_text()
    policy.save()
    stored_name = f"{0xF00 + n:032x}"
    directory = files_core.file_dir(FILE_AREA)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / stored_name).write_bytes(_PDF)
    w.extra[f"policy_file_{n}"] = PolicyFile.objects.create(
        policy=policy,
        original_name="原文.pdf",
        stored_name=stored_name,
        content_type="application/pdf",
        size=len(_PDF),
        sha256=hashlib.sha256(_PDF).hexdigest(),
    )
    return policy


@world_builder
def policy_library(w: World) -> None:
    w.extra["policy_city"] = _policy(w, "city", PolicyStatus.IN_FORCE, 1)
    w.extra["policy_draft_a"] = _policy(w, "county_a", PolicyStatus.DRAFT, 2)
    w.extra["policy_draft_b"] = _policy(w, "county_b", PolicyStatus.DRAFT, 3)


def _pk(key: str) -> Any:
    return lambda w: {"pk": w.extra[key].pk}


def _id(key: str) -> Any:
    return lambda w: {"id": w.extra[key].pk}


def _file(n: int) -> Any:
    return lambda w: {"pk": w.extra[f"policy_file_{n}"].pk}


def _action(key: str, action: str) -> Any:
    return lambda w: {"pk": w.extra[key].pk, "action": action}


def _new(w: World) -> dict[str, Any]:
    return {
        "title": "矩阵新政策", "issuer": "淮南市人民政府", "level": "city", "category": "funds",
        "valid_from": "2026-01-01", "benefits": "奖励", "eligibility": TREE,
    }


def _form(key: str) -> Any:
    def build(w: World) -> dict[str, Any]:
        from zhaoyin.policies.forms import initial_from

        data = initial_from(w.extra[key])
        data["benefits"] = "矩阵修改"
        return data

    return build


def _new_form(w: World) -> dict[str, Any]:
    return {
        "title": "矩阵表单政策", "issuer": "淮南市人民政府", "level": "city", "category": "funds",
        "delivery": "application", "org_unit": w.units["county_a"].code, "valid_from": "2026-01-01",
        "benefits": "奖励",
    }


MATRIX += [
    # pages
    web("policies:list", allowed=READERS),
    web("policies:export", allowed=READERS),
    web("policies:detail", allowed=READERS, kwargs=_pk("policy_city"), label="city, in force"),
    web("policies:detail", allowed=READERS, kwargs=_pk("policy_draft_a"), scope=DRAFT_A_SCOPE,
        label="county A draft"),
    web("policies:detail", allowed=READERS, kwargs=_pk("policy_draft_b"), scope=NOT_IN_SCOPE_OF_B,
        label="county B draft"),
    web("policies:create", allowed=EDITORS),
    web("policies:create", "POST", allowed=EDITORS, ok=302, data=_new_form),
    web("policies:edit", allowed=EDITORS, kwargs=_pk("policy_draft_a"), label="county A draft"),
    web("policies:edit", allowed=EDITORS, kwargs=_pk("policy_draft_b"), scope={Role.UNIT_ADMIN: 404},
        label="county B draft"),
    web("policies:edit", allowed={Role.CITY_ADMIN}, kwargs=_pk("policy_city"), label="the city's policy"),
    web("policies:edit", "POST", allowed=EDITORS, ok=302, kwargs=_pk("policy_draft_a"),
        data=_form("policy_draft_a"), label="county A draft"),
    web("policies:edit", "POST", allowed=EDITORS, ok=302, kwargs=_pk("policy_draft_b"),
        data=_form("policy_draft_b"), scope={Role.UNIT_ADMIN: 404}, label="county B draft"),
    # Each manual action of the table on county A's draft: see ACTION_ROWS below.
    web("policies:action", "POST", allowed=EDITORS, ok=302, kwargs=_action("policy_draft_b", "publish"),
        scope={Role.UNIT_ADMIN: 404}, label="publish county B draft"),
    web("policies:action", "POST", allowed={Role.CITY_ADMIN}, ok=302, kwargs=_action("policy_city", "withdraw"),
        data=lambda w: {"reason": "矩阵"}, label="withdraw the city's policy"),
    web("policies:files_add", "POST", allowed=EDITORS, ok=400, kwargs=_pk("policy_draft_a"),
        label="county A draft (no file chosen: 400)"),
    web("policies:file", allowed=READERS, kwargs=_file(1), label="city, in force"),
    web("policies:file", allowed=READERS, kwargs=_file(3), scope=NOT_IN_SCOPE_OF_B, label="county B draft"),
    web("policies:import", allowed=EDITORS),
    web("policies:import", "POST", allowed=EDITORS, ok=400, label="no file: 400"),
    web("policies:import_commit", "POST", allowed=EDITORS, ok=400, label="no batch: 400"),
    web("policies:import_template", allowed=EDITORS),
    web("policies:import_result", allowed=EDITORS, ok=404, kwargs=lambda w: {"pk": 999999},
        label="no such batch"),
    # API
    api("GET", "/api/v1/policies", allowed=READERS),
    api("GET", "/api/v1/policies/{id}", allowed=READERS, kwargs=_id("policy_city"), label="city, in force"),
    api("GET", "/api/v1/policies/{id}", allowed=READERS, kwargs=_id("policy_draft_b"), scope=NOT_IN_SCOPE_OF_B,
        label="county B draft"),
    api("POST", "/api/v1/policies", allowed=EDITORS, ok=201, data=_new),
    api("PATCH", "/api/v1/policies/{id}", allowed=EDITORS, kwargs=_id("policy_draft_a"),
        data=lambda w: {"benefits": "矩阵"}, label="county A draft"),
    api("PATCH", "/api/v1/policies/{id}", allowed=EDITORS, kwargs=_id("policy_draft_b"),
        data=lambda w: {"benefits": "矩阵"}, scope={Role.UNIT_ADMIN: 404}, label="county B draft"),
    api("PATCH", "/api/v1/policies/{id}", allowed={Role.CITY_ADMIN}, kwargs=_id("policy_city"),
        data=lambda w: {"benefits": "矩阵"}, label="the city's policy"),
    api("POST", "/api/v1/policies/{id}/actions/{action}", allowed=EDITORS,
        kwargs=lambda w: {"id": w.extra["policy_draft_b"].pk, "action": "publish"}, data=lambda w: {},
        scope={Role.UNIT_ADMIN: 404}, label="publish county B draft"),
]


def _reason(needs_reason: bool) -> Any:
    return lambda w: {"reason": "矩阵"} if needs_reason else {}


#: The status actions, one web and one API row per manual row of ``policies.flow.TABLE`` (a new
#: action gets its rows without being written here), each tried on the world's policy in the
#: row's first source status: county A's draft (both editor roles, DESIGN: the keeping unit's
#: administrator and the city admin) or the city's policy in force (the city admin alone).
ON_STATUS: dict[str, tuple[str, frozenset[Role], str]] = {
    "draft": ("policy_draft_a", EDITORS, "county A draft"),
    "in_force": ("policy_city", frozenset({Role.CITY_ADMIN}), "the city's policy"),
}
ACTION_ROWS = []
for _row in flow.TABLE.rows:
    if not _row.manual:
        continue
    _source = next(s for s, _label in flow.TABLE.states if s in _row.sources)
    _key, _allowed, _where = ON_STATUS[_source]  # KeyError: give the world a policy in that status
    ACTION_ROWS += [
        web("policies:action", "POST", allowed=_allowed, ok=302, kwargs=_action(_key, _row.action.value),
            data=_reason(_row.needs_reason), label=f"{_row.action.value} {_where}"),
        api("POST", "/api/v1/policies/{id}/actions/{action}", allowed=_allowed,
            kwargs=lambda w, key=_key, action=_row.action.value: {"id": w.extra[key].pk, "action": action},
            data=_reason(_row.needs_reason), label=f"{_row.action.value} {_where}"),
    ]
MATRIX += ACTION_ROWS
