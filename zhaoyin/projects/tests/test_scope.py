"""Scope of projects and evidence (AC-03, FILE-05): across counties, down the tree, by role."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from zhaoyin.accounts.models import User
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.roles import Role
from zhaoyin.projects import selectors, services
from zhaoyin.projects.choices import Stage
from zhaoyin.projects.inputs import StageChangeInput
from zhaoyin.projects.models import EvidenceFile, Project
from zhaoyin.projects.tests.helpers import PDF_BYTES, MakeProject, upload, web_client

pytestmark = pytest.mark.django_db


def test_AC_03_county_staff_see_their_subtree_only(make_user: Any, make_project: MakeProject) -> None:
    a, park, b = make_project(unit="county_a"), make_project(unit="park_a"), make_project(unit="county_b")
    staff_a = make_user(Role.STAFF, "county_a")
    assert set(selectors.project_list_visible_to(staff_a)) == {a, park}
    assert selectors.project_get_for_user(user=staff_a, pk=park.pk) == park
    with pytest.raises(Http404):
        selectors.project_get_for_user(user=staff_a, pk=b.pk)
    park_staff = make_user(Role.STAFF, "park_a")
    assert set(selectors.project_list_visible_to(park_staff)) == {park}
    with pytest.raises(Http404):
        selectors.project_get_for_user(user=park_staff, pk=a.pk)


@pytest.mark.parametrize("role", [Role.CITY_ADMIN, Role.LEADER, Role.SUPERVISOR])
def test_city_wide_roles_see_everything(make_user: Any, make_project: MakeProject, role: Role) -> None:
    projects = {make_project(unit="county_a"), make_project(unit="county_b")}
    assert set(selectors.project_list_visible_to(make_user(role, "city"))) == projects


@pytest.mark.parametrize(
    "role", [Role.SERVICE_MEMBER, Role.TALENT, Role.SYSADMIN, Role.SECURITY_ADMIN, Role.AUDITOR]
)
def test_other_roles_see_no_projects(make_user: Any, make_project: MakeProject, role: Role) -> None:
    make_project(unit="county_a")
    unit = "group_1" if role == Role.SERVICE_MEMBER else "city"
    assert not selectors.project_list_visible_to(make_user(role, unit)).exists()


def test_enterprise_user_does_not_see_the_project_its_enterprise_invests_in(
    make_user: Any, make_project: MakeProject, org_tree: Any
) -> None:
    from zhaoyin.enterprises.models import Enterprise, Industry
    from zhaoyin.enterprises.tests.conftest import uscc_for

    ent = Enterprise.objects.create(
        name="投资企业", uscc=uscc_for(91), org_unit=org_tree["county_a"], industry=Industry.objects.order_by("code")[0]
    )
    make_project(unit="county_a", investor=ent)
    portal = make_user(Role.ENTERPRISE, "county_a")
    portal.enterprise = ent
    portal.save(update_fields=["enterprise"])
    assert not selectors.project_list_visible_to(portal).exists()


def test_change_needs_an_editor(make_user: Any, make_project: MakeProject) -> None:
    project = make_project(unit="county_a")
    leader = make_user(Role.LEADER, "city")
    assert selectors.project_get_for_user(user=leader, pk=project.pk, action="view") == project
    with pytest.raises(PermissionDenied):
        selectors.project_get_for_user(user=leader, pk=project.pk, action="change")
    assert AuditRecord.objects.filter(action="project.change_denied").count() == 1
    for role, unit in ((Role.CITY_ADMIN, "city"), (Role.UNIT_ADMIN, "county_a"), (Role.STAFF, "park_a")):
        user = make_user(role, unit)
        if role == Role.STAFF:
            # Park staff may not edit the county's project (it is not even visible).
            assert not selectors.can_edit_project(user, project)
        else:
            assert selectors.can_edit_project(user, project)


def _signed_with_file(staff: User, project: Project, name: str = "a.pdf") -> EvidenceFile:
    """Sign ``project`` with one evidence file and return its record."""
    event = services.project_advance(acting_user=staff, project=project,
        data=StageChangeInput.of(stage="signed", date="2026-02-01"), files=[upload(name, PDF_BYTES)])
    return event.files.get()


@pytest.fixture
def county_b_file(make_user: Any, make_project: MakeProject, evidence_root: Path) -> tuple[User, User, EvidenceFile]:
    """Staff of county A and of county B, and an evidence file of a county B project."""
    staff_a = make_user(Role.STAFF, "county_a")
    staff_b = make_user(Role.STAFF, "county_b")
    evidence = _signed_with_file(staff_b, make_project(unit="county_b", stage=Stage.NEGOTIATING), "投资协议.pdf")
    return staff_a, staff_b, evidence


def test_FILE_05_evidence_download_is_scoped(make_user: Any, county_b_file: tuple[User, User, EvidenceFile]) -> None:
    staff_a, staff_b, evidence = county_b_file
    project_b = evidence.event.project
    assert selectors.evidence_get_for_user(user=staff_b, pk=evidence.pk) == evidence
    with pytest.raises(Http404):
        selectors.evidence_get_for_user(user=staff_a, pk=evidence.pk)
    url = reverse("projects:evidence", args=[evidence.pk])
    assert web_client(staff_a).get(url).status_code == 404
    response = web_client(staff_b).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    leader = make_user(Role.LEADER, "city")
    assert web_client(leader).get(url).status_code == 200
    assert web_client(make_user(Role.SERVICE_MEMBER, "group_1")).get(url).status_code == 403
    # The stage history lists the file, loaded with the events.
    events = selectors.stage_events(project_b)
    assert [f.original_name for f in events[-1].files.all()] == ["投资协议.pdf"]


def test_evidence_with_a_missing_file_is_404(make_user: Any, make_project: MakeProject, evidence_root: Path) -> None:
    staff = make_user(Role.STAFF, "county_a")
    evidence = _signed_with_file(staff, make_project(stage=Stage.NEGOTIATING))
    (evidence_root / evidence.stored_name).unlink()
    assert web_client(staff).get(reverse("projects:evidence", args=[evidence.pk])).status_code == 404
    # Nothing was read, so no download is recorded.
    assert not AuditRecord.objects.filter(action="project.evidence.download").exists()


def test_AUD_01_evidence_download_is_audited_with_who_and_which_file(
    county_b_file: tuple[User, User, EvidenceFile],
) -> None:
    staff_a, staff_b, evidence = county_b_file
    project_b = evidence.event.project
    url = reverse("projects:evidence", args=[evidence.pk])
    downloads = AuditRecord.objects.filter(action="project.evidence.download")

    # Out of scope: 404, and no read is recorded.
    assert web_client(staff_a).get(url).status_code == 404
    assert not downloads.exists()

    response = web_client(staff_b).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES  # type: ignore[attr-defined]
    record = downloads.get()
    assert (record.actor_id, record.actor, record.outcome) == (staff_b.pk, staff_b.username, "success")
    assert (record.object_type, record.object_id) == ("projects.evidencefile", str(evidence.pk))
    # Which file of which project, by id and digest; not its name (issue 12 D4).
    assert record.object_repr == ""
    assert json.loads(record.detail) == {
        "file": evidence.pk,
        "name": "***",
        "sha256": evidence.sha256,
        "project": project_b.pk,
        "project_code": "***",
    }
    assert record.channel == "web"


def test_AUD_04_evidence_is_not_served_when_the_audit_write_fails(
    make_user: Any, make_project: MakeProject, evidence_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff = make_user(Role.STAFF, "county_a")
    evidence = _signed_with_file(staff, make_project(stage=Stage.NEGOTIATING))

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr("zhaoyin.audit.services.audit_write", broken)  # what files.open_audited calls
    with pytest.raises(RuntimeError):
        services.evidence_open(acting_user=staff, evidence=evidence)
