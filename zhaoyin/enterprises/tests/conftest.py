"""Fixtures of the enterprise tests: dictionaries, enterprises in the two-county tree, clients."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.enterprises.models import Enterprise, Industry, Qualification
from zhaoyin.lib.uscc import make_uscc

MakeEnterprise = Callable[..., Enterprise]
_serial = itertools.count(1)


def uscc_for(n: int, region: str = "340400") -> str:
    """A valid credit code (test data); ``n`` makes it unique."""
    return make_uscc(region, f"{n:08d}")


@pytest.fixture
def industries(db: Any) -> dict[str, Industry]:
    """The seeded industry dictionary by code (the data migration put it there)."""
    return {i.code: i for i in Industry.objects.all()}


@pytest.fixture
def qualifications(db: Any) -> dict[str, Qualification]:
    return {q.name: q for q in Qualification.objects.all()}


@pytest.fixture
def make_enterprise(org_tree: dict[str, OrgUnit], industries: dict[str, Industry]) -> MakeEnterprise:
    """Store an enterprise directly (test data, not a business write; services have their own
    tests). ``unit`` and ``group`` are keys of ``org_tree``; ``quals`` are qualification names."""

    def make(
        name: str | None = None,
        unit: str = "county_a",
        group: str | None = None,
        industry: str = "it",
        quals: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> Enterprise:
        n = next(_serial)
        enterprise = Enterprise(
            name=name or f"测试企业{n:04d}有限公司",
            uscc=kwargs.pop("uscc", None) or uscc_for(n + 5000),
            org_unit=org_tree[unit],
            service_group=org_tree[group] if group else None,
            industry=industries[industry],
            **kwargs,
        )
        enterprise.refresh_search_text()
        enterprise.save()
        if quals:
            enterprise.qualifications.set(Qualification.objects.filter(name__in=quals))
        return enterprise

    return make


def web_client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    return client


def api_client(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})
