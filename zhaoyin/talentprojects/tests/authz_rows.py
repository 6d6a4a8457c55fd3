"""Matrix rows for talent projects (人才项目申报, issue 13 item 6): every page and API operation.

Readers: the city-wide roles, the talent office, unit roles (their subtree: county B's project
is 404 for county A's staff) and the talent (their own only: these projects are not theirs,
404). Registering and recommending: unit roles, the talent office, the city admin; approving,
rejecting and funding: the talent office and the city admin (unit roles 403 by the table).
Programmes and rounds: read by the staff readers, created and changed by the talent office and
the city admin. The talent's portal (pages ``mine*``, ``/me/talent-projects``): the talent
persona only, their own applications (another's is 404), which they may withdraw. The export:
the staff readers (their scope). A notice's link (``open``): every reader, within their scope.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tests.authz_matrix import MATRIX, api, web
from tests.world import World, world_builder
from zhaoyin.core.roles import Role
from zhaoyin.talentprojects.models import Programme, ProgrammeRound, TalentProject
from zhaoyin.talentprojects.selectors import (
    ACTOR_ROLES,
    EDITOR_ROLES,
    EXPORT_ROLES,
    PROGRAMME_EDITOR_ROLES,
    PROGRAMME_READER_ROLES,
    READER_ROLES,
)
from zhaoyin.talents.models import Talent
from zhaoyin.talents.testing import make_talent

DECIDE = frozenset({Role.CITY_ADMIN, Role.TALENT_OFFICE})
UNIT = (Role.UNIT_ADMIN, Role.STAFF)
#: Another county's project: 404 for the unit roles; never the talent persona's own.
OTHER_COUNTY: dict[Role, Any] = {**dict.fromkeys(UNIT, 404), Role.TALENT: 404}
NOT_OWN: dict[Role, Any] = {Role.TALENT: 404}


@world_builder
def talent_projects(w: World) -> None:
    today = timezone.localdate()
    programme = Programme.objects.create(code="mx-ptyc", name="矩阵平台引才奖补", level="city")
    rnd = ProgrammeRound.objects.create(
        programme=programme, year=today.year, name="矩阵批次", opens_on=today - dt.timedelta(days=30),
        closes_on=today + dt.timedelta(days=30),
    )
    w.extra["tp_round"] = rnd
    talent_a = make_talent(org_unit=w.units["county_a"], name="矩阵项目人才甲")
    talent_b = make_talent(org_unit=w.units["county_b"], name="矩阵项目人才乙")
    w.extra["tp_talent_new"] = make_talent(org_unit=w.units["county_a"], name="矩阵项目人才丙")

    def project(talent: Any, state: str, n: int, **fields: Any) -> TalentProject:
        return TalentProject.objects.create(
            round=rnd if n == 1 else ProgrammeRound.objects.create(
                programme=programme, year=today.year, name=f"矩阵批次{n}", opens_on=rnd.opens_on,
                closes_on=rnd.closes_on,
            ),
            talent=talent, employer_name="矩阵研究院", org_unit=talent.org_unit, title=f"矩阵人才项目{n}",
            requested_wan=Decimal(300), applied_on=today, state=state, **fields,
        )

    w.extra["tp_a"] = project(talent_a, "applied", 1)
    w.extra["tp_a_rec"] = project(talent_a, "recommended", 2, recommended_on=today)
    w.extra["tp_a_app"] = project(talent_a, "approved", 3, recommended_on=today, approved_on=today,
                                  approved_wan=Decimal(200))
    w.extra["tp_programme"] = programme
    # The talent persona's own record (another app's builder may have linked it first) and
    # their application in another round; the open round stays free for their new application.
    portal = w.user(Role.TALENT)
    own = Talent.objects.filter(account=portal).first() or make_talent(
        org_unit=w.units["county_a"], name="矩阵本人", account=portal)
    w.extra["tp_own"] = project(own, "applied", 4)
    w.extra["tp_b"] = TalentProject.objects.create(
        round=rnd, talent=talent_b, org_unit=talent_b.org_unit, title="矩阵人才项目乙", requested_wan=Decimal(50),
        applied_on=today,
    )


def _pk(key: str) -> Any:
    return lambda w: {"pk": w.extra[key].pk}


def _id(key: str) -> Any:
    return lambda w: {"id": w.extra[key].pk}


def _action(key: str, action: str) -> Any:
    return lambda w: {"pk": w.extra[key].pk, "action": action}


def _apply(w: World) -> dict[str, Any]:
    return {"round": w.extra["tp_round"].pk, "talent": w.extra["tp_talent_new"].pk, "title": "矩阵申报",
            "requested_wan": "120"}


def _programme(w: World) -> dict[str, Any]:
    return {"code": "mx-new", "name": "矩阵新项目", "level": "province", "max_funding_wan": "100", "is_active": "yes"}


def _round_form(w: World) -> dict[str, Any]:
    today = timezone.localdate()
    return {"year": str(today.year), "name": "矩阵新批次", "opens_on": today.isoformat(),
            "closes_on": today.isoformat()}


def _portal_apply(w: World) -> dict[str, Any]:
    return {"round": w.extra["tp_round"].pk, "title": "矩阵本人申报", "requested_wan": "50"}


_REASON = {"reason": "矩阵：材料不全。"}
_FUND = {"amount_wan": "50"}

MATRIX += [
    web("talentprojects:list", allowed=READER_ROLES),
    web("talentprojects:create", allowed=EDITOR_ROLES),
    web("talentprojects:create", "POST", allowed=EDITOR_ROLES, ok=302, data=_apply, label="talent of county A"),
    web("talentprojects:detail", allowed=READER_ROLES, kwargs=_pk("tp_a"), scope=NOT_OWN, label="county A"),
    web("talentprojects:detail", allowed=READER_ROLES, kwargs=_pk("tp_b"), scope=OTHER_COUNTY, label="county B"),
    web("talentprojects:action", "POST", allowed=ACTOR_ROLES, ok=302, kwargs=_action("tp_a", "recommend"),
        label="recommend, county A"),
    web("talentprojects:action", "POST", allowed=ACTOR_ROLES, ok=302, kwargs=_action("tp_b", "recommend"),
        scope=dict.fromkeys(UNIT, 404), label="recommend, county B"),
    web("talentprojects:action", "POST", allowed=DECIDE, ok=302, kwargs=_action("tp_a_rec", "approve"),
        data=lambda w: {"approved_wan": "250"}, scope=dict.fromkeys(UNIT, 403), label="approve"),
    web("talentprojects:export", allowed=EXPORT_ROLES),
    web("talentprojects:open", allowed=READER_ROLES, ok=302, kwargs=_pk("tp_a"), scope=NOT_OWN, label="county A"),
    web("talentprojects:open", allowed=READER_ROLES, ok=302, kwargs=_pk("tp_b"), scope=OTHER_COUNTY,
        label="county B"),
    web("talentprojects:open", allowed=READER_ROLES, ok=302, kwargs=_pk("tp_own"), label="the talent's own"),
    api("GET", "/api/v1/talent-projects", allowed=READER_ROLES),
    api("GET", "/api/v1/talent-projects/rounds", allowed=READER_ROLES),
    api("GET", "/api/v1/talent-projects/{id}", allowed=READER_ROLES, kwargs=_id("tp_a"), scope=NOT_OWN,
        label="county A"),
    api("GET", "/api/v1/talent-projects/{id}", allowed=READER_ROLES, kwargs=_id("tp_b"), scope=OTHER_COUNTY,
        label="county B"),
    api("POST", "/api/v1/talent-projects", allowed=EDITOR_ROLES, ok=201, data=_apply, label="talent of county A"),
    api("POST", "/api/v1/talent-projects/{id}/actions/recommend", allowed=ACTOR_ROLES, kwargs=_id("tp_a"),
        data=lambda w: {}, label="county A"),
    api("POST", "/api/v1/talent-projects/{id}/actions/recommend", allowed=ACTOR_ROLES, kwargs=_id("tp_b"),
        data=lambda w: {}, scope=dict.fromkeys(UNIT, 404), label="county B"),
    api("POST", "/api/v1/talent-projects/{id}/actions/not_recommend", allowed=ACTOR_ROLES, kwargs=_id("tp_a"),
        data=lambda w: dict(_REASON)),
    api("POST", "/api/v1/talent-projects/{id}/actions/withdraw", allowed=ACTOR_ROLES, kwargs=_id("tp_a"),
        data=lambda w: dict(_REASON)),
    api("POST", "/api/v1/talent-projects/{id}/actions/approve", allowed=DECIDE, kwargs=_id("tp_a_rec"),
        data=lambda w: {"approved_wan": "250"}, scope=dict.fromkeys(UNIT, 403)),
    api("POST", "/api/v1/talent-projects/{id}/actions/reject", allowed=DECIDE, kwargs=_id("tp_a_rec"),
        data=lambda w: dict(_REASON), scope=dict.fromkeys(UNIT, 403)),
    api("POST", "/api/v1/talent-projects/{id}/actions/fund", allowed=DECIDE, kwargs=_id("tp_a_app"),
        data=lambda w: dict(_FUND), scope=dict.fromkeys(UNIT, 403)),
    api("POST", "/api/v1/talent-projects/{id}/actions/{action}", allowed=ACTOR_ROLES, ok=404,
        kwargs=lambda w: {"id": w.extra["tp_a"].pk, "action": "promote"}, data=lambda w: {}),
    # --- programmes and rounds -------------------------------------------------------------
    web("talentprojects:programme_list", allowed=PROGRAMME_READER_ROLES),
    # Issue 16 item 2: the programme list's export, the page's roles.
    web("talentprojects:programme_export", allowed=PROGRAMME_READER_ROLES),
    web("talentprojects:programme_detail", allowed=PROGRAMME_READER_ROLES, kwargs=_pk("tp_programme")),
    web("talentprojects:programme_create", allowed=PROGRAMME_EDITOR_ROLES),
    web("talentprojects:programme_create", "POST", allowed=PROGRAMME_EDITOR_ROLES, ok=302, data=_programme),
    web("talentprojects:programme_edit", allowed=PROGRAMME_EDITOR_ROLES, kwargs=_pk("tp_programme")),
    web("talentprojects:programme_edit", "POST", allowed=PROGRAMME_EDITOR_ROLES, ok=302,
        kwargs=_pk("tp_programme"), data=lambda w: {"name": "矩阵平台引才奖补", "level": "city", "is_active": "yes"}),
    web("talentprojects:round_create", allowed=PROGRAMME_EDITOR_ROLES, kwargs=_pk("tp_programme")),
    web("talentprojects:round_create", "POST", allowed=PROGRAMME_EDITOR_ROLES, ok=302, kwargs=_pk("tp_programme"),
        data=_round_form),
    web("talentprojects:round_edit", allowed=PROGRAMME_EDITOR_ROLES, kwargs=_pk("tp_round")),
    web("talentprojects:round_edit", "POST", allowed=PROGRAMME_EDITOR_ROLES, ok=302, kwargs=_pk("tp_round"),
        data=lambda w: {"year": str(w.extra["tp_round"].year), "name": "矩阵批次",
                        "opens_on": w.extra["tp_round"].opens_on.isoformat(),
                        "closes_on": w.extra["tp_round"].closes_on.isoformat()}),
    api("GET", "/api/v1/talent-projects/programmes", allowed=PROGRAMME_READER_ROLES),
    api("GET", "/api/v1/talent-projects/programmes/{id}", allowed=PROGRAMME_READER_ROLES, kwargs=_id("tp_programme")),
    api("POST", "/api/v1/talent-projects/programmes", allowed=PROGRAMME_EDITOR_ROLES, ok=201,
        data=lambda w: {"code": "mx-api", "name": "矩阵接口项目", "level": "city"}),
    api("PATCH", "/api/v1/talent-projects/programmes/{id}", allowed=PROGRAMME_EDITOR_ROLES,
        kwargs=_id("tp_programme"), data=lambda w: {"sponsor": "矩阵人才科"}),
    api("POST", "/api/v1/talent-projects/programmes/{id}/rounds", allowed=PROGRAMME_EDITOR_ROLES, ok=201,
        kwargs=_id("tp_programme"), data=_round_form),
    api("PATCH", "/api/v1/talent-projects/rounds/{id}", allowed=PROGRAMME_EDITOR_ROLES, kwargs=_id("tp_round"),
        data=lambda w: {"name": "矩阵批次（改）"}),
    # --- the talent's portal ---------------------------------------------------------------
    web("talentprojects:mine", allowed={Role.TALENT}),
    web("talentprojects:mine_apply", allowed={Role.TALENT}),
    web("talentprojects:mine_apply", "POST", allowed={Role.TALENT}, ok=302, data=_portal_apply),
    web("talentprojects:mine_detail", allowed={Role.TALENT}, kwargs=_pk("tp_own"), label="own"),
    web("talentprojects:mine_detail", allowed={Role.TALENT}, kwargs=_pk("tp_a"), scope=NOT_OWN, label="another's"),
    web("talentprojects:mine_withdraw", "POST", allowed={Role.TALENT}, ok=302, kwargs=_pk("tp_own"),
        data=lambda w: dict(_REASON), label="own"),
    web("talentprojects:mine_withdraw", "POST", allowed={Role.TALENT}, kwargs=_pk("tp_a"),
        data=lambda w: dict(_REASON), scope=NOT_OWN, label="another's"),
    api("POST", "/api/v1/me/talent-projects/{id}/actions/withdraw", allowed={Role.TALENT}, kwargs=_id("tp_own"),
        data=lambda w: dict(_REASON), label="own"),
    api("POST", "/api/v1/me/talent-projects/{id}/actions/withdraw", allowed={Role.TALENT}, kwargs=_id("tp_a"),
        data=lambda w: dict(_REASON), scope=NOT_OWN, label="another's"),
    api("GET", "/api/v1/me/talent-projects", allowed={Role.TALENT}),
    api("GET", "/api/v1/me/talent-projects/rounds", allowed={Role.TALENT}),
    api("POST", "/api/v1/me/talent-projects", allowed={Role.TALENT}, ok=201, data=_portal_apply),
    api("GET", "/api/v1/me/talent-projects/{id}", allowed={Role.TALENT}, kwargs=_id("tp_own"), label="own"),
    api("GET", "/api/v1/me/talent-projects/{id}", allowed={Role.TALENT}, kwargs=_id("tp_a"), scope=NOT_OWN,
        label="another's"),
]
