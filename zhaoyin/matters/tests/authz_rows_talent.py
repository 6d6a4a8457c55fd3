"""Matrix rows for talent demands (人才诉求, issue 13): the talent portal's pages and the
``talent`` link of ``POST /api/v1/matters``.

The portal pages are the talent's alone (everyone else 403; staff use the matters' pages);
a talent opens and rates only the demands they raised or that were raised for their record
(another's → 404). Linking a talent the caller's talent scope does not hold answers 422
naming ``talent``, exactly as an unknown id (AC-03): county A's staff, the service member,
the enterprise and the talent persona cannot link county B's talent; the city-wide
dispatchers and the talent office can.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.authz_matrix import MATRIX, api, web
from tests.world import World, world_builder
from zhaoyin.core.roles import MATTER_ROLES, Role
from zhaoyin.matters.flow import State
from zhaoyin.matters.models import Matter
from zhaoyin.talents.testing import make_talent

PORTAL = frozenset({Role.TALENT})


def _demand(w: World, n: int, state: State, requester: Role | None, **fields: Any) -> Matter:
    return Matter.objects.create(
        code=f"JB2026-8{n:05d}",
        title=f"矩阵人才诉求{n}",
        source="talent_demand",
        kind="talent_demand",
        demand_category="housing",
        requester=w.user(requester) if requester is not None else None,
        requester_name="矩阵人才",
        dispatcher_unit=w.units["city"],
        lead_unit=w.units["dept"],
        state=state.value,
        received_on=dt.date(2026, 11, 2),
        handle_from=dt.date(2026, 11, 2),
        sign_deadline=dt.date(2026, 11, 3),
        handle_deadline=dt.date(2026, 12, 31),
        **fields,
    )


@world_builder
def talent_demands(w: World) -> None:
    # A talent of county B without a portal account (nobody's own record), and three demands:
    # the talent persona's own (open and closed) and one raised for county B's talent.
    w.extra["demand_talent_b"] = talent_b = make_talent(org_unit=w.units["county_b"], name="矩阵人才乙")
    w.extra["demand_own"] = _demand(w, 1, State.ACCEPTED, Role.TALENT)
    w.extra["demand_own_closed"] = _demand(w, 2, State.CLOSED, Role.TALENT)
    w.extra["demand_other"] = _demand(w, 3, State.CLOSED, None, talent=talent_b)


def _pk(key: str) -> Any:
    return lambda w: {"pk": w.extra[key].pk}


_RAISE = {"demand_category": "schooling", "description": "矩阵：孩子入学需要协调。"}
#: Who may register a matter, and which of them reach county B's talent (the talent scope).
_CREATORS = frozenset(MATTER_ROLES - {Role.LEADER})
_OUT_OF_TALENT_SCOPE = dict.fromkeys(
    (Role.UNIT_ADMIN, Role.STAFF, Role.SERVICE_MEMBER, Role.ENTERPRISE, Role.TALENT), 422
)

MATRIX += [
    web("matters:talent_demands", allowed=PORTAL),
    web("matters:talent_demand_create", allowed=PORTAL),
    web("matters:talent_demand_create", "POST", allowed=PORTAL, ok=302, data=lambda w: dict(_RAISE)),
    web("matters:talent_demand", allowed=PORTAL, kwargs=_pk("demand_own"), label="own demand"),
    web("matters:talent_demand", allowed=PORTAL, kwargs=_pk("demand_other"), scope={Role.TALENT: 404},
        label="another talent's demand"),
    web("matters:talent_demand_rate", "POST", allowed=PORTAL, ok=302, kwargs=_pk("demand_own_closed"),
        data=lambda w: {"rating": "satisfied", "version": str(w.extra["demand_own_closed"].version)},
        label="own closed demand"),
    web("matters:talent_demand_rate", "POST", allowed=PORTAL, kwargs=_pk("demand_other"),
        data=lambda w: {"rating": "satisfied", "version": "1"}, scope={Role.TALENT: 404},
        label="another talent's demand"),
    api("POST", "/api/v1/matters", allowed=_CREATORS, ok=201, scope=_OUT_OF_TALENT_SCOPE,
        data=lambda w: {"title": "矩阵人才诉求", "source": "talent_demand", "kind": "talent_demand",
                        "talent": w.extra["demand_talent_b"].pk, "demand_category": "housing"},
        label="talent of county B"),
]
