"""Matrix rows for the project PAGES (tests/authz_matrix.py); the API and evidence rows are in
authz_rows.py beside this module.

Pages are for government staff (the selector scopes them: county A personas get 404 for
county B's project; the service member is refused: the pipeline is not theirs); writes for the editor roles,
the leader and the supervisor get 403 (the selector's ``action="change"`` or the decorator).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tests.authz_matrix import MATRIX, READERS, UNIT_SCOPED, WRITERS, web
from tests.world import World, world_builder
from zhaoyin.core.roles import Role
from zhaoyin.projects.choices import FundSource, Stage
from zhaoyin.projects.models import FundEntry, Project

#: The pipeline's readers: government staff except the service member (DESIGN §1).
PIPELINE_READERS = READERS - {Role.SERVICE_MEMBER}
NOT_IN_SCOPE_OF_B = {r: 404 for r in UNIT_SCOPED}
NOT_IN_SCOPE_OF_B_WRITE = {r: 404 for r in UNIT_SCOPED}


def _project(w: World, unit: str, n: int) -> Project:
    project = Project(
        code=f"XM-MATRIX-{n:03d}",
        name=f"矩阵测试项目{n}",
        investor_name="矩阵投资方",
        source_region="yangtze_delta",
        industry=w.industry,
        org_unit=w.units[unit],
        total_investment_wan=Decimal("10000.00"),
        stage=Stage.LEAD,
        stage_on=dt.date(2026, 1, 5),
    )
    project.refresh_search_text()
    project.save()
    return project


@world_builder
def project_pages(w: World) -> None:
    w.extra["page_project_a"] = _project(w, "county_a", 1)
    w.extra["page_project_b"] = _project(w, "county_b", 2)
    for key in ("page_project_a", "page_project_b"):
        w.extra[f"{key}_entry"] = FundEntry.objects.create(
            project=w.extra[key], month=dt.date(2026, 2, 1), amount_wan=Decimal("5.00"), source=FundSource.OUTSIDE_CITY
        )


def _a(w: World) -> dict[str, Any]:
    return {"pk": w.extra["page_project_a"].pk}


def _b(w: World) -> dict[str, Any]:
    return {"pk": w.extra["page_project_b"].pk}


def _edit_form(w: World, key: str = "page_project_a") -> dict[str, Any]:
    from zhaoyin.projects.forms import initial_from

    data = initial_from(w.extra[key])
    data["lead_official"] = "矩阵"
    return data


def _new_form(w: World) -> dict[str, Any]:
    return {
        "name": "矩阵新项目", "investor_name": "矩阵投资方", "source_region": "overseas",
        "industry": w.industry.code, "org_unit": w.units["county_a"].code, "total_investment_wan": "100",
    }


def _stage(w: World) -> dict[str, Any]:
    return {"stage": "negotiating", "date": "2026-02-01", "note": "矩阵"}


def _fund(w: World) -> dict[str, Any]:
    return {"month": "2026-03", "amount_wan": "5", "source": "outside_city", "kind": "fixed_asset"}


def _correct(key: str) -> Any:
    def build(w: World) -> dict[str, Any]:
        return {"entry": str(w.extra[f"{key}_entry"].pk), "amount_wan": "6", "note": "矩阵"}

    return build


def _fa(w: World) -> dict[str, Any]:
    return {"pk": w.extra["fund_project_a"].pk}


def _fb(w: World) -> dict[str, Any]:
    return {"pk": w.extra["fund_project_b"].pk}


MATRIX += [
    web("projects:list", allowed=PIPELINE_READERS),
    web("projects:export", allowed=PIPELINE_READERS),
    web("projects:detail", allowed=PIPELINE_READERS, kwargs=_a, label="county A"),
    web("projects:detail", allowed=PIPELINE_READERS, kwargs=_b, scope=NOT_IN_SCOPE_OF_B, label="county B"),
    # Issue 16 item 2: the print view, scoped like the detail page.
    web("projects:print", allowed=PIPELINE_READERS, kwargs=_a, label="county A"),
    web("projects:print", allowed=PIPELINE_READERS, kwargs=_b, scope=NOT_IN_SCOPE_OF_B, label="county B"),
    web("projects:create", allowed=WRITERS),
    web("projects:create", "POST", allowed=WRITERS, ok=302, data=_new_form),
    web("projects:edit", allowed=WRITERS, kwargs=_a, label="county A"),
    web("projects:edit", allowed=WRITERS, kwargs=_b, scope=NOT_IN_SCOPE_OF_B_WRITE, label="county B"),
    web("projects:edit", "POST", allowed=WRITERS, ok=302, kwargs=_a, data=_edit_form, label="county A"),
    web("projects:edit", "POST", allowed=WRITERS, ok=302, kwargs=_b, data=lambda w: _edit_form(w, "page_project_b"),
        scope=NOT_IN_SCOPE_OF_B_WRITE, label="county B"),
    web("projects:stage_change", "POST", allowed=WRITERS, ok=302, kwargs=_a, data=_stage, label="county A"),
    web("projects:stage_change", "POST", allowed=WRITERS, ok=302, kwargs=_b, data=_stage,
        scope=NOT_IN_SCOPE_OF_B_WRITE, label="county B"),
    web("projects:fund_add", "POST", allowed=WRITERS, ok=302, kwargs=_fa, data=_fund, label="county A"),
    web("projects:fund_add", "POST", allowed=WRITERS, ok=302, kwargs=_fb, data=_fund,
        scope=NOT_IN_SCOPE_OF_B_WRITE, label="county B"),
    web("projects:fund_correct", "POST", allowed=WRITERS, ok=302, kwargs=_a, data=_correct("page_project_a"),
        label="county A"),
    web("projects:fund_correct", "POST", allowed=WRITERS, ok=302, kwargs=_b, data=_correct("page_project_b"),
        scope=NOT_IN_SCOPE_OF_B_WRITE, label="county B"),
]


# ---- funds verification (核查, issue 15): signed projects (funds arrive only once signed), each
# with a reported entry nobody in the matrix entered, and a verified one with its 到账凭证.
#: Who 核查s funds entries (``fund_flow.VERIFIERS``): the city's 招商服务中心 (city admin).
VERIFIERS = frozenset({Role.CITY_ADMIN})


@world_builder
def fund_projects(w: World) -> None:
    import hashlib

    from zhaoyin.projects.models import FundEvidenceFile
    from zhaoyin.projects.services import evidence_dir

    pdf = b"%PDF-1.4\n% matrix slip\n%%EOF\n"
    for n, region in ((11, "a"), (12, "b")):
        project = _project(w, f"county_{region}", n)
        Project.objects.filter(pk=project.pk).update(stage=Stage.SIGNED, signed_on=dt.date(2026, 1, 5))
        project.refresh_from_db()
        w.extra[f"fund_project_{region}"] = project
        w.extra[f"fund_entry_{region}"] = FundEntry.objects.create(
            project=project, month=dt.date(2026, 2, 1), amount_wan=Decimal("5.00"), source=FundSource.OUTSIDE_CITY
        )
        verified = FundEntry.objects.create(
            project=project, month=dt.date(2026, 1, 1), amount_wan=Decimal("5.00"), source=FundSource.FOREIGN,
            verification="verified",
        )
        stored_name = f"{0xF0 + n:032x}"
        directory = evidence_dir()
        directory.mkdir(parents=True, exist_ok=True)
        (directory / stored_name).write_bytes(pdf)
        w.extra[f"fund_evidence_{region}"] = FundEvidenceFile.objects.create(
            entry=verified, original_name="到账凭证.pdf", stored_name=stored_name, content_type="application/pdf",
            size=len(pdf), sha256=hashlib.sha256(pdf).hexdigest(),
        )


def _verify_form(region: str) -> Any:
    def build(w: World) -> dict[str, Any]:
        from django.core.files.uploadedfile import SimpleUploadedFile

        slip = SimpleUploadedFile("slip.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
        return {"entry": str(w.extra[f"fund_entry_{region}"].pk), "evidence_kind": "bank_slip", "evidence": slip}

    return build


def _reject_form(region: str) -> Any:
    return lambda w: {"entry": str(w.extra[f"fund_entry_{region}"].pk), "reason": "矩阵"}


MATRIX += [
    web("projects:fund_verify", "POST", allowed=VERIFIERS, ok=302, kwargs=_fa, data=_verify_form("a"),
        label="county A"),
    web("projects:fund_verify", "POST", allowed=VERIFIERS, ok=302, kwargs=_fb, data=_verify_form("b"),
        label="county B"),
    web("projects:fund_reject", "POST", allowed=VERIFIERS, ok=302, kwargs=_fa, data=_reject_form("a"),
        label="county A"),
    web("projects:fund_reject", "POST", allowed=VERIFIERS, ok=302, kwargs=_fb, data=_reject_form("b"),
        label="county B"),
    web("projects:funds_queue", allowed=VERIFIERS),
    # Issue 16 item 2: the queue's export, the page's roles.
    web("projects:funds_queue_export", allowed=VERIFIERS),
    web("projects:fund_evidence", allowed=PIPELINE_READERS, kwargs=lambda w: {"pk": w.extra["fund_evidence_a"].pk},
        label="county A"),
    web("projects:fund_evidence", allowed=PIPELINE_READERS, kwargs=lambda w: {"pk": w.extra["fund_evidence_b"].pk},
        scope=NOT_IN_SCOPE_OF_B, label="county B"),
]
