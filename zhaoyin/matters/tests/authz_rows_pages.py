"""Matrix rows for the matter PAGES (tests/authz_matrix.py); the API's rows are beside this module.

Every business role opens the pages; the selector decides which matters each sees: the
city-wide roles all, county A's staff those of county A (404 for county B's), a portal user
or a service member only the matters they raised. What a user may DO is the transition
table's relation: a visible matter without the relation is 403 (audited), e.g. the
dispatcher signing for the lead unit; 挂牌督办 is the leader's (a leader action of DESIGN §1).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from tests.authz_matrix import MATRIX, web
from tests.world import World, world_builder
from zhaoyin.core.roles import MATTER_ROLES, Role
from zhaoyin.matters import clocks
from zhaoyin.matters.flow import State
from zhaoyin.matters.models import Matter, MatterFile
from zhaoyin.matters.services import CREATOR_ROLES, matter_file_path

_PDF = b"%PDF-1.4\n% matrix attachment\n%%EOF\n"

CITY_WIDE = (Role.CITY_ADMIN, Role.LEADER, Role.SUPERVISOR)
UNIT = (Role.UNIT_ADMIN, Role.STAFF)
#: Personas that cannot see a matter they neither raised nor hold (404, never 403).
STRANGERS = (Role.SERVICE_MEMBER, Role.TALENT, Role.TALENT_OFFICE)


def _matter(w: World, n: int, lead: str, requester: Role | None) -> Matter:
    return Matter.objects.create(
        code=f"JB2026-9{n:05d}",
        title=f"矩阵测试事项{n}",
        source="enterprise_demand",
        kind="coordination",
        requester=w.user(requester) if requester is not None else None,
        requester_name="矩阵测试企业",
        dispatcher_unit=w.units["city"],
        lead_unit=w.units[lead],
        state=State.ASSIGNED.value,
        received_on=dt.date(2026, 11, 2),
        handle_from=dt.date(2026, 11, 2),
        sign_deadline=dt.date(2026, 11, 3),
        handle_deadline=dt.date(2026, 12, 31),
    )


@world_builder
def matter_pages(w: World) -> None:
    # County A's matter, raised by the enterprise persona; county B's, raised by nobody here.
    w.extra["page_matter_a"] = _matter(w, 1, "county_a", Role.ENTERPRISE)
    w.extra["page_matter_b"] = _matter(w, 2, "county_b", None)
    # Issue 15: a 不满意 rating of county A's matter waiting for the dispatcher's verification.
    disputed = _matter(w, 3, "county_a", Role.ENTERPRISE)
    Matter.objects.filter(pk=disputed.pk).update(state=State.DISPUTED.value, rating="dissatisfied")
    disputed.refresh_from_db()
    w.extra["page_matter_disputed"] = disputed
    for n, key in ((1, "a"), (2, "b")):
        # A fixed stored name: the file is rewritten identically on each run, never accumulates.
        stored_name = f"{n:032x}"
        path = matter_file_path(stored_name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_PDF)
        w.extra[f"page_file_{key}"] = MatterFile.objects.create(
            matter=w.extra[f"page_matter_{key}"],
            original_name="督查通知单.pdf",
            stored_name=stored_name,
            content_type="application/pdf",
            size=len(_PDF),
            sha256=hashlib.sha256(_PDF).hexdigest(),
        )


def _pk(key: str) -> Any:
    return lambda w: {"pk": w.extra[key].pk}


def _action(key: str, action: str) -> Any:
    return lambda w: {"pk": w.extra[key].pk, "action": action}


def _form(key: str, **fields: str) -> Any:
    return lambda w: {"version": str(w.extra[key].version), **fields}


def _new(w: World) -> dict[str, Any]:
    return {"title": "矩阵新事项", "source": "enterprise_demand", "kind": "consultation"}


#: County A's matter: the city-wide roles, county A's staff and its requester see it.
SEES_A = {**dict.fromkeys(STRANGERS, 404)}
#: County B's matter: only the city-wide roles see it.
SEES_B = {**dict.fromkeys((*UNIT, *STRANGERS, Role.ENTERPRISE), 404)}

MATRIX += [
    web("matters:list", allowed=MATTER_ROLES),
    # Issue 16 item 2: the list's export, its roles (the selector scopes the rows).
    web("matters:export", allowed=MATTER_ROLES),
    web("matters:flowchart", allowed=MATTER_ROLES),
    web("matters:create", allowed=CREATOR_ROLES),
    # A talent raises only a talent demand (issue 15): the enterprise demand is refused (400).
    web("matters:create", "POST", allowed=CREATOR_ROLES, ok=302, data=_new, scope={Role.TALENT: 400}),
    web("matters:detail", allowed=MATTER_ROLES, kwargs=_pk("page_matter_a"), scope=SEES_A, label="county A"),
    web("matters:detail", allowed=MATTER_ROLES, kwargs=_pk("page_matter_b"), scope=SEES_B, label="county B"),
    # Issue 16 item 2: the print view, scoped like the detail page.
    web("matters:print", allowed=MATTER_ROLES, kwargs=_pk("page_matter_a"), scope=SEES_A, label="county A"),
    web("matters:print", allowed=MATTER_ROLES, kwargs=_pk("page_matter_b"), scope=SEES_B, label="county B"),
    web("matters:file", allowed=MATTER_ROLES, kwargs=_pk("page_file_a"), scope=SEES_A, label="county A"),
    web("matters:file", allowed=MATTER_ROLES, kwargs=_pk("page_file_b"), scope=SEES_B, label="county B"),
    # 签收 is the lead unit's: county A's staff; the dispatcher, the leader and the requester see but may not.
    web(
        "matters:action",
        "POST",
        allowed=UNIT,
        ok=302,
        kwargs=_action("page_matter_a", "accept"),
        data=_form("page_matter_a", note="矩阵"),
        scope=SEES_A,
        label="accept, county A",
    ),
    web(
        "matters:action",
        "POST",
        allowed=(),
        ok=302,
        kwargs=_action("page_matter_b", "accept"),
        data=_form("page_matter_b", note="矩阵"),
        scope=SEES_B,
        label="accept, county B",
    ),
    # 撤销: the dispatcher (city admin, supervision office) or the requester.
    web(
        "matters:action",
        "POST",
        allowed=(Role.CITY_ADMIN, Role.SUPERVISOR, Role.ENTERPRISE),
        ok=302,
        kwargs=_action("page_matter_a", "cancel"),
        data=_form("page_matter_a", reason="矩阵"),
        scope=SEES_A,
        label="cancel, county A",
    ),
    # 挂牌督办: a leader, or the supervision office naming the leader (issue 15).
    web(
        "matters:action",
        "POST",
        allowed=(Role.LEADER, Role.SUPERVISOR),
        ok=302,
        kwargs=_action("page_matter_a", "list"),
        data=lambda w: {"version": str(w.extra["page_matter_a"].version), "note": "矩阵",
                        "leader": w.user(Role.LEADER).username,
                        "deadline": (clocks.today() + dt.timedelta(days=30)).isoformat()},
        scope=SEES_A,
        label="list, county A",
        leader_action=True,
    ),
    # ---- issue 15: the leader's 批示 (the leader, or the supervision office naming the leader) ----
    web(
        "matters:action",
        "POST",
        allowed=(Role.LEADER, Role.SUPERVISOR),
        ok=302,
        kwargs=_action("page_matter_a", "instruct"),
        data=lambda w: {"version": str(w.extra["page_matter_a"].version), "text": "矩阵批示",
                        "leader": w.user(Role.LEADER).username},
        scope=SEES_A,
        label="instruct, county A",
        leader_action=True,
    ),
    # 核实 of a 不满意 rating: the dispatcher (city admin, supervision office).
    web(
        "matters:action",
        "POST",
        allowed=(Role.CITY_ADMIN, Role.SUPERVISOR),
        ok=302,
        kwargs=_action("page_matter_disputed", "confirm_dispute"),
        data=_form("page_matter_disputed", reason="矩阵"),
        scope=SEES_A,
        label="confirm_dispute, county A",
    ),
    web(
        "matters:action",
        "POST",
        allowed=(Role.CITY_ADMIN, Role.SUPERVISOR),
        ok=302,
        kwargs=_action("page_matter_disputed", "dismiss_dispute"),
        data=_form("page_matter_disputed", reason="矩阵"),
        scope=SEES_A,
        label="dismiss_dispute, county A",
    ),
]


# ---- 督查室 powers (issue 15 item 4): 督办 on the page, the 督办单 download ------------------


@world_builder
def matter_page_orders(w: World) -> None:
    from zhaoyin.matters.models import SupervisionOrder

    for n, key in ((3, "a"), (4, "b")):
        matter = w.extra[f"page_matter_{key}"]
        w.extra[f"page_order_{key}"] = SupervisionOrder.objects.create(
            matter=matter, kind="supervise", year=1999, number=n, lead_unit=matter.lead_unit, requirement="矩阵"
        )


def _order(key: str) -> Any:
    return lambda w: {"pk": w.extra[f"page_matter_{key}"].pk, "order": w.extra[f"page_order_{key}"].pk}


MATRIX += [
    web("matters:supervision_order", allowed=MATTER_ROLES, kwargs=_order("a"), scope=SEES_A, label="county A"),
    web("matters:supervision_order", allowed=MATTER_ROLES, kwargs=_order("b"), scope=SEES_B, label="county B"),
    # 督办: the supervision office only (the city admin dispatches but does not supervise).
    web(
        "matters:action",
        "POST",
        allowed=(Role.SUPERVISOR,),
        ok=302,
        kwargs=_action("page_matter_a", "supervise"),
        data=_form("page_matter_a", note="矩阵督办"),
        scope=SEES_A,
        label="supervise, county A",
    ),
]
