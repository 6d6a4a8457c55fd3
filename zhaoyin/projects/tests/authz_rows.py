"""Matrix rows for the projects (tests/authz_matrix.py): the API, the evidence download, and
(added by the pages) the project pages.

Projects are read by the city-wide roles (everything) and by unit admins and staff (their
subtree); service members, portal users and the 三员 get 403. County A's unit personas get
404 for county B's project, its evidence and any write aimed at it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from tests.authz_matrix import MATRIX, UNIT_SCOPED, WRITERS, api, web
from tests.world import World, world_builder
from zhaoyin.core.roles import Role
from zhaoyin.projects.choices import Stage, StageChangeKind
from zhaoyin.projects.models import EvidenceFile, Project, StageEvent
from zhaoyin.projects.services import evidence_dir

#: Who reads projects (DESIGN §1: the pipeline is the government's working file).
PROJECT_READERS = frozenset({Role.CITY_ADMIN, Role.LEADER, Role.SUPERVISOR, Role.UNIT_ADMIN, Role.STAFF})
#: County A's unit personas must not learn that county B's project exists.
NOT_IN_SCOPE_OF_B = dict.fromkeys(UNIT_SCOPED, 404)
_PDF = b"%PDF-1.4\n% matrix evidence\n%%EOF\n"


def _project(w: World, region: str, n: int) -> Project:
    project = Project(
        code=f"XM-2000-9{n:04d}",
        name=f"矩阵项目{region}",
        investor_name="矩阵投资方",
        source_region="yangtze_delta",
        industry=w.industry,
        org_unit=w.units[f"county_{region}"],
        total_investment_wan=Decimal("50000.00"),
        stage=Stage.NEGOTIATING,
        stage_on=dt.date(2026, 1, 5),
    )
    project.refresh_search_text()
    project.save()
    event = StageEvent.objects.create(
        project=project,
        from_stage=Stage.LEAD,
        to_stage=Stage.NEGOTIATING,
        kind=StageChangeKind.ADVANCE,
        stage_on=dt.date(2026, 1, 5),
    )
    # A fixed stored name: the file is rewritten identically on each run, never accumulates.
    stored_name = f"{n:032x}"
    directory = evidence_dir()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / stored_name).write_bytes(_PDF)
    w.extra[f"evidence_{region}"] = EvidenceFile.objects.create(
        event=event,
        original_name="协议.pdf",
        stored_name=stored_name,
        content_type="application/pdf",
        size=len(_PDF),
        sha256=hashlib.sha256(_PDF).hexdigest(),
    )
    return project


@world_builder
def projects(w: World) -> None:
    w.extra["project_a"] = _project(w, "a", 0xA1)
    w.extra["project_b"] = _project(w, "b", 0xB1)


def _id_a(w: World) -> dict[str, Any]:
    return {"id": w.extra["project_a"].pk}


def _id_b(w: World) -> dict[str, Any]:
    return {"id": w.extra["project_b"].pk}


def _evidence_a(w: World) -> dict[str, Any]:
    return {"pk": w.extra["evidence_a"].pk}


def _evidence_b(w: World) -> dict[str, Any]:
    return {"pk": w.extra["evidence_b"].pk}


def _new_project(w: World) -> dict[str, Any]:
    return {
        "name": "矩阵接口项目",
        "investor_name": "某投资方",
        "org_unit": "340402",
        "industry": w.industry.code,
        "source_region": "in_province",
        "total_investment_wan": "100000.00",
    }


def _stage(w: World) -> dict[str, Any]:
    return {"stage": "signed", "date": "2026-02-01", "note": "矩阵"}


def _funds(w: World) -> dict[str, Any]:
    return {"month": "2026-01", "amount_wan": "12.34", "source": "outside_city", "kind": "fixed_asset"}


def _fund_a(w: World) -> dict[str, Any]:
    return {"id": w.extra["fund_project_a"].pk}


def _fund_b(w: World) -> dict[str, Any]:
    return {"id": w.extra["fund_project_b"].pk}


MATRIX += [
    api("GET", "/api/v1/projects", allowed=PROJECT_READERS),
    api("GET", "/api/v1/projects/{id}", allowed=PROJECT_READERS, kwargs=_id_a, label="county A"),
    api("GET", "/api/v1/projects/{id}", allowed=PROJECT_READERS, kwargs=_id_b, scope=NOT_IN_SCOPE_OF_B,
        label="county B"),
    api("POST", "/api/v1/projects", allowed=WRITERS, ok=201, data=_new_project),
    api("PATCH", "/api/v1/projects/{id}", allowed=WRITERS, kwargs=_id_a, data=lambda w: {"lead_official": "张三"},
        label="county A"),
    api("PATCH", "/api/v1/projects/{id}", allowed=WRITERS, kwargs=_id_b, data=lambda w: {"lead_official": "张三"},
        scope=NOT_IN_SCOPE_OF_B, label="county B"),
    api("POST", "/api/v1/projects/{id}/stages", allowed=WRITERS, ok=201, kwargs=_id_a, data=_stage,
        label="county A"),
    api("POST", "/api/v1/projects/{id}/stages", allowed=WRITERS, ok=201, kwargs=_id_b, data=_stage,
        scope=NOT_IN_SCOPE_OF_B, label="county B"),
    api("POST", "/api/v1/projects/{id}/funds", allowed=WRITERS, ok=201, kwargs=_fund_a, data=_funds,
        label="county A"),
    api("POST", "/api/v1/projects/{id}/funds", allowed=WRITERS, ok=201, kwargs=_fund_b, data=_funds,
        scope=NOT_IN_SCOPE_OF_B, label="county B"),
    web("projects:evidence", allowed=PROJECT_READERS, kwargs=_evidence_a, label="county A"),
    web("projects:evidence", allowed=PROJECT_READERS, kwargs=_evidence_b, scope=NOT_IN_SCOPE_OF_B,
        label="county B"),
]


# ---- funds verification (核查, issue 15): the signed projects and entries of authz_rows_pages.py.
# The matrix sends JSON: the verifier reaches the verify operation and is told the multipart
# fields are missing (422); the multipart success is tested in test_funds_verification.py.


def _entry(region: str) -> Any:
    return lambda w: {"id": w.extra[f"fund_project_{region}"].pk, "entry_id": w.extra[f"fund_entry_{region}"].pk}


FUND_VERIFIERS = frozenset({Role.CITY_ADMIN})

MATRIX += [
    api("POST", "/api/v1/projects/{id}/funds/{entry_id}/verify", allowed=FUND_VERIFIERS, ok=422, kwargs=_entry("a"),
        data=lambda w: {"evidence_kind": "bank_slip"}, label="county A (JSON: files missing)"),
    api("POST", "/api/v1/projects/{id}/funds/{entry_id}/reject", allowed=FUND_VERIFIERS, ok=200, kwargs=_entry("a"),
        data=lambda w: {"reason": "矩阵"}, label="county A"),
    api("POST", "/api/v1/projects/{id}/funds/{entry_id}/reject", allowed=FUND_VERIFIERS, ok=200, kwargs=_entry("b"),
        data=lambda w: {"reason": "矩阵"}, label="county B"),
]
