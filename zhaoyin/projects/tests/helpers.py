"""Fixtures and helpers of the stage-machine, funds, scope and API tests.

Imported by the test modules that use them (not a conftest, so the pages' tests may keep
their own conftest without a clash).
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import zipfile
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.audit.models import AuditRecord
from zhaoyin.enterprises.models import Industry
from zhaoyin.projects.choices import Stage
from zhaoyin.projects.models import EvidenceFile, FundEntry, Project, StageEvent

MakeProject = Callable[..., Project]
#: A total investment no test's funds reach (万元): the funds tests are not about the
#: plausibility rules, which have their own tests (test_funds_verification.py).
SIGNED_TOTAL = Decimal("100000000000.00")
_serial = itertools.count(1)

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def office_bytes(main_part: str) -> bytes:
    """A minimal ZIP package with ``main_part`` (``word/document.xml`` or ``xl/workbook.xml``)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<x/>")
    return buf.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def evidence_root(tmp_path: Any, settings: Any) -> Any:
    """Evidence files of a test go to a temporary data directory."""
    settings.DATA_DIR = tmp_path
    return tmp_path / "evidence"


@pytest.fixture
def make_project(org_tree: dict[str, OrgUnit], db: Any) -> MakeProject:
    """Store a project directly (test data; the services have their own tests)."""

    def make(unit: str = "county_a", stage: Stage = Stage.LEAD, **kwargs: Any) -> Project:
        n = next(_serial)
        industry = Industry.objects.order_by("sort_order", "code").first()
        assert industry is not None
        project = Project(
            code=kwargs.pop("code", f"XM-2000-{n:05d}"),
            name=kwargs.pop("name", f"测试项目{n:04d}"),
            investor_name=kwargs.pop("investor_name", f"投资方{n:04d}"),
            source_region=kwargs.pop("source_region", "yangtze_delta"),
            industry=industry,
            org_unit=org_tree[unit],
            total_investment_wan=kwargs.pop("total_investment_wan", Decimal("10000.00")),
            stage=stage,
            stage_on=kwargs.pop("stage_on", dt.date(2026, 1, 5)),
            **kwargs,
        )
        project.refresh_search_text()
        project.save()
        return project

    return make


def fingerprint() -> tuple[Any, ...]:
    """Everything the project services write, to assert that bad input changed nothing."""
    return (
        list(Project.objects.order_by("pk").values_list("pk", "stage", "stage_on", "version", "resume_stage", "name")),
        StageEvent.objects.count(),
        EvidenceFile.objects.count(),
        list(FundEntry.objects.order_by("pk").values_list("pk", "amount_wan", "superseded_at")),
        AuditRecord.objects.count(),
    )


def web_client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    return client


def api_client(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})
