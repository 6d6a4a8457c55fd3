"""Matrix rows for the matters API (tests/authz_matrix.py): list, detail, notices, register,
edit a draft, every action, the unknown-action answer and the flowchart.

Who may *try* an operation is the role (the 三员 never; a leader never registers or edits);
what the caller may do to one matter is its relation in the transition table
(zhaoyin.matters.flow): dispatcher (city admin, supervision office), lead unit (county A's
unit personas for county A's matters), requester (the enterprise persona for county A's
matters), leader (list/unlist). A visible matter without the relation → 403 (audited);
a matter out of scope → 404 (county B's matters for every county A persona; any matter the
service member or the talent persona did not raise).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from tests.authz_matrix import MATRIX, Row, api
from tests.world import World, world_builder
from zhaoyin.core.roles import MATTER_ROLES, Role
from zhaoyin.matters import clocks
from zhaoyin.matters.choices import ExtensionState
from zhaoyin.matters.flow import State
from zhaoyin.matters.models import ExtensionRequest, Matter, MatterEvent

DISPATCHERS = frozenset({Role.CITY_ADMIN, Role.SUPERVISOR})
CITY_WIDE = frozenset({Role.CITY_ADMIN, Role.SUPERVISOR, Role.LEADER})
LEAD_UNIT = frozenset({Role.UNIT_ADMIN, Role.STAFF})
CREATORS = frozenset(MATTER_ROLES - {Role.LEADER})
#: County A's matters are invisible to these personas (they did not raise them).
NOT_THEIRS_A = {Role.SERVICE_MEMBER: 404, Role.TALENT: 404, Role.TALENT_OFFICE: 404}
#: County B's matters (no requester) are invisible to every persona outside the city level.
NOT_THEIRS_B = dict.fromkeys(
    (Role.UNIT_ADMIN, Role.STAFF, Role.SERVICE_MEMBER, Role.ENTERPRISE, Role.TALENT, Role.TALENT_OFFICE), 404
)

#: The matters of the world: (key, state, extra fields). County A's are raised by the
#: enterprise persona; county B's by nobody.
_MATTERS: tuple[tuple[str, State, dict[str, Any]], ...] = (
    ("draft", State.DRAFT, {}),
    ("assigned", State.ASSIGNED, {}),
    ("accepted", State.ACCEPTED, {}),
    ("extension", State.ACCEPTED, {}),
    ("listed", State.ACCEPTED, {"listed": True}),
    ("reported", State.REPORTED, {}),
    ("closed", State.CLOSED, {}),
    # Issue 15: a 不满意 rating waiting for the dispatcher's verification.
    ("disputed", State.DISPUTED, {"rating": "dissatisfied"}),
)


@world_builder
def matters_api(w: World) -> None:
    today = clocks.today()
    for region in ("a", "b"):
        for n, (key, state, extra) in enumerate(_MATTERS, start=1):
            clocked = state != State.DRAFT
            matter = Matter.objects.create(
                code=f"JB1999-API{region.upper()}{n:02d}",
                title=f"矩阵接口事项{region}{n}",
                source="enterprise_demand",
                kind="coordination",
                requester=w.user(Role.ENTERPRISE) if region == "a" else None,
                requester_name="矩阵企业",
                dispatcher_unit=w.units["city"],
                lead_unit=w.units[f"county_{region}"],
                state=state.value,
                received_on=today if clocked else None,
                handle_from=today if clocked else None,
                sign_deadline=today + dt.timedelta(days=7) if clocked else None,
                handle_deadline=today + dt.timedelta(days=60) if clocked else None,
                **extra,
            )
            MatterEvent.objects.create(matter=matter, action="create", to_state=State.DRAFT.value)
            if key == "extension":
                assert matter.handle_deadline is not None
                ExtensionRequest.objects.create(
                    matter=matter, current_deadline=matter.handle_deadline,
                    requested_deadline=matter.handle_deadline + dt.timedelta(days=7), reason="矩阵",
                    state=ExtensionState.PENDING,
                )
            w.extra[f"matter_{region}_{key}"] = matter


def _id(region: str, key: str) -> Callable[[World], Mapping[str, Any]]:
    return lambda w: {"id": w.extra[f"matter_{region}_{key}"].pk}


def _body(data: Mapping[str, Any]) -> Callable[[World], Mapping[str, Any]]:
    return lambda w: dict(data)


def _both(
    method: str,
    path: str,
    key: str,
    *,
    allowed_a: frozenset[Role],
    visible_a_denied: frozenset[Role],
    allowed_b: frozenset[Role],
    roles: frozenset[Role],
    ok: int = 200,
    data: Mapping[str, Any] | Callable[[World], Mapping[str, Any]] | None = None,
    leader_action: bool = False,
) -> list[Row]:
    """A county A row and a county B row for one operation on the matter ``key``.

    ``roles`` pass the role check; of them ``allowed_*`` succeed, ``visible_a_denied`` see
    county A's matter but lack the relation (403), and the rest do not see it (404)."""
    rows = []
    for region, allowed, denied_visible, hidden in (
        ("a", allowed_a, visible_a_denied, NOT_THEIRS_A),
        ("b", allowed_b, CITY_WIDE - allowed_b, NOT_THEIRS_B),
    ):
        scope: dict[Role, int] = {}
        for role in roles:
            if role in allowed:
                continue
            scope[role] = 403 if role in denied_visible else hidden.get(role, 403)
        rows.append(
            api(
                method, path, allowed=allowed, ok=ok, scope=scope, kwargs=_id(region, key),
                data=(data if callable(data) else _body(data)) if data is not None else None,
                label=f"county {region.upper()} {key}",
                leader_action=leader_action,
            )
        )
    return rows


def _action(
    name: str,
    key: str,
    *,
    a: frozenset[Role],
    b: frozenset[Role] | None = None,
    data: Mapping[str, Any] | Callable[[World], Mapping[str, Any]] | None = None,
    leader_action: bool = False,
) -> list[Row]:
    """Rows for ``POST /matters/{id}/actions/<name>``: ``a`` succeed on county A's matter,
    ``b`` (default: those of ``a`` who see the whole city) on county B's."""
    visible_a = CITY_WIDE | LEAD_UNIT | {Role.ENTERPRISE}
    return _both(
        "POST", f"/api/v1/matters/{{id}}/actions/{name}", key,
        allowed_a=a, visible_a_denied=frozenset(visible_a - a),
        allowed_b=b if b is not None else frozenset(a & CITY_WIDE),
        roles=frozenset(MATTER_ROLES), data=data if data is not None else {}, leader_action=leader_action,
    )


MATRIX += [
    api("GET", "/api/v1/matters", allowed=MATTER_ROLES),
    api("GET", "/api/v1/matters", allowed=MATTER_ROLES, query="?alert=overdue&state=accepted&q=%E7%9F%A9%E9%98%B5",
        label="filtered"),
    api("GET", "/api/v1/matters/flowchart.svg", allowed=MATTER_ROLES),
    *_both(
        "GET", "/api/v1/matters/{id}", "accepted",
        allowed_a=frozenset(CITY_WIDE | LEAD_UNIT | {Role.ENTERPRISE}), visible_a_denied=frozenset(),
        allowed_b=CITY_WIDE, roles=frozenset(MATTER_ROLES),
    ),
    *_both(
        "GET", "/api/v1/matters/{id}/notices", "accepted",
        allowed_a=frozenset(CITY_WIDE | LEAD_UNIT | {Role.ENTERPRISE}), visible_a_denied=frozenset(),
        allowed_b=CITY_WIDE, roles=frozenset(MATTER_ROLES),
    ),
    # Portal users raise only their own kind of demand (issue 15): a visit source is 422 for them.
    api("POST", "/api/v1/matters", allowed=CREATORS, ok=201,
        data=_body({"title": "矩阵新事项", "kind": "consultation", "source": "visit"}),
        scope={Role.ENTERPRISE: 422, Role.TALENT: 422}),
    *_both(
        "PATCH", "/api/v1/matters/{id}", "draft",
        allowed_a=frozenset(DISPATCHERS | {Role.ENTERPRISE}), visible_a_denied=LEAD_UNIT,
        allowed_b=DISPATCHERS, roles=CREATORS, data={"title": "矩阵改题"},
    ),
    *_action("assign", "draft", a=DISPATCHERS, data={"handle_days": 5}),
    *_action("reassign", "accepted", a=DISPATCHERS, data={"lead_unit": "dept-fgw"}),
    *_action("accept", "assigned", a=LEAD_UNIT, b=frozenset()),
    *_action("return", "assigned", a=LEAD_UNIT, b=frozenset(), data={"reason": "矩阵", "suggested_unit": "dept-fgw"}),
    *_action("progress", "accepted", a=LEAD_UNIT, b=frozenset(), data={"note": "矩阵进展"}),
    *_action("extend", "accepted", a=LEAD_UNIT, b=frozenset(), data={"days": 2, "reason": "矩阵"}),
    *_action("extend_approve", "extension", a=DISPATCHERS),
    *_action("extend_refuse", "extension", a=DISPATCHERS, data={"note": "矩阵"}),
    *_action("report", "accepted", a=LEAD_UNIT, b=frozenset(), data={"summary": "矩阵办结"}),
    *_action("approve", "reported", a=DISPATCHERS),
    *_action("reject", "reported", a=DISPATCHERS, data={"reason": "矩阵", "handle_days": 3}),
    *_action("rate", "closed", a=frozenset(DISPATCHERS | {Role.ENTERPRISE}), b=DISPATCHERS,
             data={"rating": "satisfied"}),
    *_action("reopen", "closed", a=DISPATCHERS, data={"reason": "矩阵"}),
    *_action("cancel", "draft", a=frozenset(DISPATCHERS | {Role.ENTERPRISE}), b=DISPATCHERS,
             data={"reason": "矩阵"}),
    # 挂牌督办 / 摘牌: a leader, or the supervision office naming the leader (issue 15).
    *_action("list", "accepted", a=frozenset({Role.LEADER, Role.SUPERVISOR}), leader_action=True, data=lambda w: {
        "leader": w.user(Role.LEADER).username, "deadline": (clocks.today() + dt.timedelta(days=30)).isoformat()}),
    *_action("unlist", "listed", a=frozenset({Role.LEADER, Role.SUPERVISOR}), leader_action=True),
    # ---- issue 15: sources by role, the leader's 批示, the verification of a 不满意 ----
    api("POST", "/api/v1/matters", allowed=CREATORS - {Role.TALENT}, ok=201, label="enterprise demand",
        data=_body({"title": "矩阵企业诉求", "kind": "coordination", "source": "enterprise_demand"}),
        scope={Role.TALENT: 422}),
    api("POST", "/api/v1/matters", allowed=frozenset({Role.SUPERVISOR}), ok=201, label="leader instruction",
        data=lambda w: {"title": "矩阵批示件", "kind": "instruction", "source": "leader_instruction",
                        "instructing_leader": w.user(Role.LEADER).username},
        scope=dict.fromkeys(CREATORS - {Role.SUPERVISOR}, 422)),
    *_action("instruct", "accepted", a=frozenset({Role.LEADER, Role.SUPERVISOR}), leader_action=True,
             data=lambda w: {"text": "矩阵批示", "leader": w.user(Role.LEADER).username}),
    *_action("confirm_dispute", "disputed", a=DISPATCHERS, data={"reason": "矩阵"}),
    *_action("dismiss_dispute", "disputed", a=DISPATCHERS, data={"reason": "矩阵"}),
    # Any other action: 404 naming ``action`` for everyone who may try actions at all.
    api("POST", "/api/v1/matters/{id}/actions/{action}", allowed=(), ok=404,
        scope=dict.fromkeys(MATTER_ROLES, 404),
        kwargs=lambda w: {"id": w.extra["matter_a_accepted"].pk, "action": "teleport"}, data=_body({})),
]


# ---- 督查室 powers (issue 15 item 4): manual 催办 / 督办, the 督办单 ----------------------------


@world_builder
def matters_api_orders(w: World) -> None:
    from zhaoyin.matters.models import SupervisionOrder

    for n, region in enumerate(("a", "b"), start=1):
        matter = w.extra[f"matter_{region}_accepted"]
        w.extra[f"order_{region}"] = SupervisionOrder.objects.create(
            matter=matter, kind="supervise", year=1999, number=n, lead_unit=matter.lead_unit,
            requirement="矩阵督办", deadline=matter.handle_deadline,
        )


def _order(region: str) -> Callable[[World], Mapping[str, Any]]:
    return lambda w: {"id": w.extra[f"matter_{region}_accepted"].pk, "order": w.extra[f"order_{region}"].pk}


SUPERVISION_OFFICE = frozenset({Role.SUPERVISOR})
READERS_A = frozenset(CITY_WIDE | LEAD_UNIT | {Role.ENTERPRISE})

MATRIX += [
    *_action("urge", "accepted", a=SUPERVISION_OFFICE, data={"note": "矩阵催办"}),
    *_action("supervise", "accepted", a=SUPERVISION_OFFICE, data={"note": "矩阵督办"}),
    *_both(
        "GET", "/api/v1/matters/{id}/supervision-orders", "accepted",
        allowed_a=READERS_A, visible_a_denied=frozenset(), allowed_b=CITY_WIDE, roles=frozenset(MATTER_ROLES),
    ),
    api("GET", "/api/v1/matters/{id}/supervision-orders/{order}.docx", allowed=READERS_A, kwargs=_order("a"),
        scope=dict(NOT_THEIRS_A), label="county A"),
    api("GET", "/api/v1/matters/{id}/supervision-orders/{order}.docx", allowed=CITY_WIDE, kwargs=_order("b"),
        scope=dict(NOT_THEIRS_B), label="county B"),
]
