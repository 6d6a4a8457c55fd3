"""Project services: create, update, every stage service, evidence files, audit, bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import refused
from zhaoyin.projects import services
from zhaoyin.projects.choices import Stage, StageChangeKind
from zhaoyin.projects.inputs import ProjectInput, ProjectUpdateInput, StageChangeInput
from zhaoyin.projects.models import EvidenceFile, Project, StageEvent
from zhaoyin.projects.tests.helpers import PDF_BYTES, PNG_BYTES, MakeProject, fingerprint, office_bytes, upload
from zhaoyin.projects.validation import clean_project, parse_month


def _data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "年产10万吨新材料项目",
        "investor_name": "上海某新材料有限公司",
        "source_region": "yangtze_delta",
        "industry": "new_materials",
        "org_unit": "340402",
        "total_investment_wan": "120000.50",
        "first_contact_on": "2025-06-02",
    }
    data.update(overrides)
    return data


@pytest.fixture
def industry_code(db: Any) -> str:
    from zhaoyin.enterprises.models import Industry

    first = Industry.objects.order_by("sort_order").first()
    assert first is not None
    return first.code


def test_create_generates_code_lead_stage_first_event_and_audit(make_user: Any, industry_code: str) -> None:
    staff = make_user(Role.STAFF, "county_a")
    project = services.project_create(acting_user=staff, data=ProjectInput.parse(_data(industry=industry_code)))
    year = timezone.localdate().year
    assert project.code == f"XM-{year}-00001"
    assert project.stage == Stage.LEAD
    assert project.stage_on == dt.date(2025, 6, 2)
    assert project.total_investment_wan == Decimal("120000.50")
    events = list(StageEvent.objects.filter(project=project))
    assert [(e.from_stage, e.to_stage, e.stage_on) for e in events] == [("", "lead", dt.date(2025, 6, 2))]
    assert AuditRecord.objects.filter(action="project.create", object_id=str(project.pk)).count() == 1
    second = services.project_create(acting_user=staff,
        data=ProjectInput.parse(_data(industry=industry_code, first_contact_on="")))
    assert second.code == f"XM-{year}-00002"
    assert second.stage_on == timezone.localdate()


def test_VAL_01_create_names_every_bad_field_and_changes_nothing(make_user: Any, industry_code: str) -> None:
    staff = make_user(Role.STAFF, "county_a")
    before = fingerprint()
    with pytest.raises(InvalidInput) as exc:
        services.project_create(
            acting_user=staff,
            data=ProjectInput.parse(_data(
                industry="no-such",
                total_investment_wan="-5",
                source_region="mars",
                org_unit="nowhere",
                staff="ghost",
                planned_sign_on="2025/01/01",
                colour="red",
                name="",
            ), user=staff),
        )
    fields = {e["field"] for e in exc.value.errors}
    assert fields == {
        "industry",
        "total_investment_wan",
        "source_region",
        "org_unit",
        "staff",
        "planned_sign_on",
        "colour",
        "name",
    }
    assert fingerprint() == before


def test_create_in_another_county_is_refused(make_user: Any, industry_code: str) -> None:
    staff = make_user(Role.STAFF, "county_a")
    before = fingerprint()
    with pytest.raises(InvalidInput) as exc:
        services.project_create(acting_user=staff,
            data=ProjectInput.parse(_data(industry=industry_code, org_unit="340403")))
    assert exc.value.errors[0]["field"] == "org_unit"
    assert fingerprint() == before


def test_clean_project_accepts_investor_by_credit_code_and_chinese_labels(
    make_user: Any, industry_code: str, org_tree: dict[str, OrgUnit]
) -> None:
    from zhaoyin.enterprises.models import Enterprise, Industry
    from zhaoyin.enterprises.tests.conftest import uscc_for

    ent = Enterprise.objects.create(
        name="某公司", uscc=uscc_for(77), org_unit=org_tree["county_a"], industry=Industry.objects.order_by("code")[0]
    )
    cleaned = clean_project({"investor": ent.uscc, "attraction_method": "other"}, acting_user=None, partial=True)
    assert cleaned["investor"] == ent
    assert clean_project({"investor": str(ent.pk)}, acting_user=None, partial=True)["investor"] == ent
    with pytest.raises(InvalidInput):
        clean_project({"name": ""}, acting_user=None, partial=True)


@pytest.mark.parametrize("text", ["2026-13", "2026-1", "202601", "2026-01-01", "", "abc", None])
def test_parse_month_refuses_other_forms(text: Any) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_month(text)
    assert exc.value.errors[0]["field"] == "month"


def test_parse_month_gives_the_first_day() -> None:
    assert parse_month("2026-09") == dt.date(2026, 9, 1)
    assert parse_month(dt.date(2026, 9, 17)) == dt.date(2026, 9, 1)


def test_update_with_version_and_stale_version_conflict(make_user: Any, make_project: MakeProject) -> None:
    staff = make_user(Role.STAFF, "county_a")
    project = make_project()
    services.project_update(acting_user=staff, project=project,
        data=ProjectUpdateInput.parse({"name": "新名称", "version": 1}))
    assert Project.objects.get(pk=project.pk).version == 2
    assert AuditRecord.objects.filter(action="project.update").count() == 1
    before = fingerprint()
    with pytest.raises(Conflict):
        services.project_update(acting_user=staff, project=project,
            data=ProjectUpdateInput.parse({"name": "又一个", "version": 1}))
    assert fingerprint() == before
    # Saving what is stored writes nothing.
    services.project_update(acting_user=staff, project=project, data=ProjectUpdateInput.parse({"name": "新名称"}))
    assert fingerprint() == before


def test_update_refused_for_read_only_roles(make_user: Any, make_project: MakeProject) -> None:
    leader = make_user(Role.LEADER, "city")
    with pytest.raises(PermissionDenied):
        services.project_update(acting_user=leader, project=make_project(),
            data=ProjectUpdateInput.parse({"name": "x"}))


# ----------------------------------------------------------------------------- stage services

CASES = [
    # (service, from, to, reason, kind)
    (services.project_advance, Stage.LEAD, Stage.NEGOTIATING, "", StageChangeKind.ADVANCE),
    (services.project_skip, Stage.NEGOTIATING, Stage.STARTED, "签约注册同日完成", StageChangeKind.SKIP),
    (services.project_correct, Stage.STARTED, Stage.SIGNED, "误报开工", StageChangeKind.CORRECTION),
    (services.project_hold, Stage.SIGNED, Stage.ON_HOLD, "投资方资金链紧张", StageChangeKind.HOLD),
    (services.project_terminate, Stage.NEGOTIATING, Stage.TERMINATED, "投资方放弃", StageChangeKind.TERMINATE),
    (services.project_reopen, Stage.TERMINATED, Stage.NEGOTIATING, "重启谈判", StageChangeKind.REOPEN),
]


@pytest.mark.parametrize(("service", "current", "target", "reason", "kind"), CASES)
def test_each_stage_service_records_event_and_audit(
    make_user: Any, make_project: MakeProject, service: Any, current: Stage, target: Stage, reason: str, kind: Any
) -> None:
    staff = make_user(Role.STAFF, "county_a")
    project = make_project(stage=current)
    event = service(
        acting_user=staff, project=project,
        data=StageChangeInput.of(stage=target, date="2026-02-01", note="备注", reason=reason),
    )
    stored = Project.objects.get(pk=project.pk)
    assert (stored.stage, stored.stage_on, stored.version) == (target, dt.date(2026, 2, 1), 2)
    assert (project.stage, project.version) == (target, 2)
    assert (event.from_stage, event.to_stage, event.kind, event.reason, event.created_by) == (
        current,
        target,
        kind,
        reason,
        staff,
    )
    record = AuditRecord.objects.get(action=f"project.stage.{kind.value}")
    assert record.object_id == str(project.pk)
    assert record.after is not None
    assert record.after["stage"] == target.value


def test_hold_then_resume_returns_to_the_stage_left(make_user: Any, make_project: MakeProject) -> None:
    staff = make_user(Role.STAFF, "county_a")
    project = make_project(stage=Stage.SIGNED)
    services.project_hold(acting_user=staff, project=project,
        data=StageChangeInput.of(stage="on_hold", date="2026-02-01", reason="暂缓"))
    assert Project.objects.get(pk=project.pk).resume_stage == "signed"
    before = fingerprint()
    with pytest.raises(Conflict):
        services.project_resume(acting_user=staff, project=project,
            data=StageChangeInput.of(stage="started", date="2026-02-02"))
    assert fingerprint() == before
    services.project_resume(acting_user=staff, project=project,
        data=StageChangeInput.of(stage="signed", date="2026-02-03"))
    stored = Project.objects.get(pk=project.pk)
    assert (stored.stage, stored.resume_stage) == ("signed", "")


@pytest.mark.parametrize(
    ("start", "service", "stage", "reason"),
    [
        (Stage.LEAD, "project_advance", "started", "x"),  # a service refuses a change of another kind
        (Stage.TERMINATED, "project_change_stage", "on_hold", "x"),  # forbidden by the table
        (Stage.TERMINATED, "project_change_stage", "terminated", ""),
    ],
)
def test_a_refused_stage_change_is_a_conflict_and_changes_nothing(
    make_user: MakeUser, make_project: MakeProject, start: Stage, service: str, stage: str, reason: str
) -> None:
    staff = make_user(Role.STAFF, "county_a")
    project = make_project(stage=start)
    with refused(Conflict, exclude=()):
        getattr(services, service)(acting_user=staff, project=project,
            data=StageChangeInput.of(stage=stage, date="2026-02-01", reason=reason))


@pytest.mark.parametrize(
    ("stage", "stage_on", "reason", "field"),
    [
        ("built", "2026-02-01", "", "stage"),
        ("", "2026-02-01", "", "stage"),
        ("negotiating", "2026/02/01", "", "date"),
        ("negotiating", "", "", "date"),
        # A week ahead: still in the future if the suite passes midnight before this test runs.
        ("negotiating", (timezone.localdate() + dt.timedelta(days=7)).isoformat(), "", "date"),
        ("signed", "2026-02-01", "", "reason"),
        ("signed", "2026-02-01", "   ", "reason"),
    ],
)
def test_bad_stage_input_names_the_field_and_changes_nothing(
    make_user: Any, make_project: MakeProject, stage: str, stage_on: str, reason: str, field: str
) -> None:
    staff = make_user(Role.STAFF, "county_a")
    project = make_project(stage=Stage.LEAD)
    with refused(InvalidInput, exclude=(), fields={field}):
        services.project_change_stage(acting_user=staff, project=project,
            data=StageChangeInput.of(stage=stage, date=stage_on, reason=reason))


def test_CONC_double_submit_changes_the_stage_once(make_user: Any, make_project: MakeProject) -> None:
    staff = make_user(Role.STAFF, "county_a")
    project = make_project(stage=Stage.LEAD)
    # Two requests loaded the same project before either submitted.
    first, second = Project.objects.get(pk=project.pk), Project.objects.get(pk=project.pk)
    services.project_change_stage(acting_user=staff, project=first,
        data=StageChangeInput.of(stage="negotiating", date="2026-02-01"))
    with pytest.raises(Conflict):
        services.project_change_stage(acting_user=staff, project=second,
            data=StageChangeInput.of(stage="negotiating", date="2026-02-01"))
    assert StageEvent.objects.filter(project=project).count() == 1
    assert Project.objects.get(pk=project.pk).version == 2


def test_dispatcher_calls_the_service_of_the_kind(make_user: Any, make_project: MakeProject) -> None:
    staff = make_user(Role.STAFF, "county_a")
    project = make_project(stage=Stage.LEAD)
    event = services.project_change_stage(acting_user=staff, project=project,
        data=StageChangeInput.of(stage="producing", date="2026-02-01", reason="一步到位"))
    assert event.kind == StageChangeKind.SKIP
    event = services.project_change_stage(acting_user=staff, project=project,
        data=StageChangeInput.of(stage="full_capacity", date="2026-02-02"))
    assert event.kind == StageChangeKind.ADVANCE


def test_stage_change_refused_to_read_only_and_other_county(make_user: Any, make_project: MakeProject) -> None:
    project = make_project(stage=Stage.LEAD)
    for user in (make_user(Role.LEADER, "city"), make_user(Role.STAFF, "county_b")):
        with pytest.raises(PermissionDenied):
            services.project_change_stage(acting_user=user, project=project,
                data=StageChangeInput.of(stage="negotiating", date="2026-02-01"))
    assert Project.objects.get(pk=project.pk).stage == "lead"


# ----------------------------------------------------------------------------- evidence files


def test_FILE_evidence_stored_under_random_names(
    make_user: Any, make_project: MakeProject, evidence_root: Path
) -> None:
    staff = make_user(Role.STAFF, "county_a")
    project = make_project(stage=Stage.NEGOTIATING)
    files = [
        upload("../../合同.pdf", PDF_BYTES),
        upload("现场.png", PNG_BYTES),
        upload("协议.docx", office_bytes("word/document.xml")),
        upload("台账.xlsx", office_bytes("xl/workbook.xml")),
    ]
    event = services.project_advance(acting_user=staff, project=project,
        data=StageChangeInput.of(stage="signed", date="2026-02-01"), files=files)
    stored = list(EvidenceFile.objects.filter(event=event).order_by("id"))
    assert [f.original_name for f in stored] == ["合同.pdf", "现场.png", "协议.docx", "台账.xlsx"]
    assert [f.content_type.split("/")[-1][:8] for f in stored] == ["pdf", "png", "vnd.open", "vnd.open"]
    for f in stored:
        path = evidence_root / f.stored_name
        assert path.is_file()
        assert len(f.stored_name) == 32
        assert "合同" not in f.stored_name
    assert (evidence_root / stored[0].stored_name).read_bytes() == PDF_BYTES


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("evil.pdf", b"MZ\x90\x00 not a pdf"),
        ("page.png", b"<html><script>alert(1)</script>"),
        ("archive.docx", office_bytes("content.xml")),
        ("empty.pdf", b""),
    ],
)
def test_FILE_bad_evidence_refused_and_nothing_written(
    make_user: Any, make_project: MakeProject, evidence_root: Path, name: str, content: bytes
) -> None:
    staff = make_user(Role.STAFF, "county_a")
    project = make_project(stage=Stage.NEGOTIATING)
    with refused(InvalidInput, exclude=(), fields={"files"}):
        services.project_advance(acting_user=staff, project=project,
            data=StageChangeInput.of(stage="signed", date="2026-02-01"), files=[upload(name, content)])
    assert not evidence_root.exists() or not any(evidence_root.iterdir())


def test_FILE_oversized_evidence_refused(
    make_user: Any, make_project: MakeProject, evidence_root: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr(services, "MAX_EVIDENCE_BYTES", 100)
    staff = make_user(Role.STAFF, "county_a")
    project = make_project(stage=Stage.NEGOTIATING)
    with pytest.raises(InvalidInput):
        services.project_advance(acting_user=staff, project=project,
            data=StageChangeInput.of(
                stage="signed",
                date="2026-02-01",
            ), files=[upload("big.pdf", PDF_BYTES + b"0" * 200)])
    assert Project.objects.get(pk=project.pk).stage == "negotiating"


def test_RES_02_files_removed_when_the_transaction_rolls_back(
    make_user: Any, make_project: MakeProject, evidence_root: Path, monkeypatch: Any
) -> None:
    staff = make_user(Role.STAFF, "county_a")
    project = make_project(stage=Stage.NEGOTIATING)

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("audit down")

    monkeypatch.setattr(services, "audit_write", broken)
    before = fingerprint()
    with pytest.raises(RuntimeError):
        services.project_advance(acting_user=staff, project=project,
            data=StageChangeInput.of(stage="signed", date="2026-02-01"), files=[upload("a.pdf", PDF_BYTES)])
    assert fingerprint() == before
    assert evidence_root.is_dir()
    assert not any(evidence_root.iterdir())
