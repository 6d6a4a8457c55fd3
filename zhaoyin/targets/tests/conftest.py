"""Fixtures of the target tests: projects, stage histories and fund entries stored directly
(test data; the project services have their own tests)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.enterprises.models import Industry
from zhaoyin.projects.milestones import MILESTONE_FIELDS, project_milestones
from zhaoyin.projects.models import FundEntry, Project, StageEvent

_serial = itertools.count(1)


@pytest.fixture
def industry(db: Any) -> Industry:
    found = Industry.objects.order_by("pk").first()
    return found or Industry.objects.create(code="t-ind", name="测试产业")


@pytest.fixture
def project(org_tree: dict[str, OrgUnit], industry: Industry) -> Callable[..., Project]:
    def make(unit: str = "county_a", *, wan: str = "10000", stage: str = "lead", **kwargs: Any) -> Project:
        n = next(_serial)
        return Project.objects.create(
            code=f"T-{n:06d}",
            name=f"目标测试项目{n}",
            investor_name="投资方",
            source_region="yangtze_delta",
            industry=industry,
            org_unit=org_tree[unit],
            total_investment_wan=Decimal(wan),
            stage=stage,
            **kwargs,
        )

    return make


def events(p: Project, *steps: tuple[str, dt.date]) -> None:
    """Record ``steps`` in order and leave the project at the last one."""
    previous = ""
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for i, (stage, on) in enumerate(steps):
        StageEvent.objects.create(
            project=p,
            from_stage=previous,
            to_stage=stage,
            kind="advance",
            stage_on=on,
            created_at=base + dt.timedelta(minutes=i),
        )
        previous = stage
    p.stage = previous
    # As the stage services do: the milestone columns follow the history.
    for key, value in project_milestones(p.pk, p.first_contact_on).items():
        setattr(p, key, value)
    p.save(update_fields=["stage", *MILESTONE_FIELDS])


def fund(
    p: Project, month: dt.date, amount: str, source: str = "outside_city", kind: str = "fixed_asset", **kwargs: Any
) -> FundEntry:
    # Verified unless said otherwise: only verified entries count (docs/targets.md).
    kwargs.setdefault("verification", "verified")
    return FundEntry.objects.create(
        project=p, month=month, amount_wan=Decimal(amount), source=source, kind=kind, **kwargs
    )


def web_client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    return client


def api_client(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})
