"""Test data of the matching tests: policies with trees, enterprises with figures, clients."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.test import Client

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.enterprises.models import Enterprise, EnterpriseFigure, Industry, Qualification
from zhaoyin.lib.uscc import make_uscc
from zhaoyin.policies.models import Delivery, Policy, PolicyCategory, PolicyLevel, PolicyStatus

_serial = itertools.count(1)

#: 高新技术企业 with R&D ≥ 3 % of revenue and revenue ≥ 2000 万元 in 2025.
HIGH_TECH_TREE: dict[str, Any] = {
    "all": [
        {"qualification": "高新技术企业"},
        {"ratio": ["rd_wan", "revenue_wan"], "year": 2025, "op": "gte", "value": 0.03},
        {"figure": "revenue_wan", "year": 2025, "op": "gte", "value": 2000},
    ]
}
#: Any enterprise above designated size.
ABOVE_TREE: dict[str, Any] = {"all": [{"field": "size_class", "op": "eq", "value": "above"}]}


def make_policy(
    unit: OrgUnit, tree: dict[str, Any], *, title: str = "研发投入奖励", status: str = PolicyStatus.IN_FORCE,
    delivery: str = Delivery.NO_APPLICATION,
) -> Policy:
    """A policy stored directly (test data; the policy services have their own tests)."""
    policy = Policy(
        title=title,
        issuer="淮南市人民政府",
        level=PolicyLevel.CITY,
        category=PolicyCategory.FUNDS,
        org_unit=unit,
        valid_from=dt.date(2025, 1, 1),
        status=status,
        delivery=delivery,
        benefits="按研发投入的10%给予奖励，最高100万元",
        eligibility=tree,
    )
    policy.refresh_search_text()
    policy.save()
    return policy


def make_enterprise(
    unit: OrgUnit, *, name: str | None = None, quals: tuple[str, ...] = (), size_class: str = "below",
    industry: str = "it", group: OrgUnit | None = None,
) -> Enterprise:
    """An enterprise stored directly (test data)."""
    n = next(_serial)
    enterprise = Enterprise(
        name=name or f"匹配测试企业{n:04d}有限公司",
        uscc=make_uscc("340400", f"{n + 7000:08d}"),
        org_unit=unit,
        service_group=group,
        industry=Industry.objects.get(code=industry),
        size_class=size_class,
    )
    enterprise.refresh_search_text()
    enterprise.save()
    if quals:
        enterprise.qualifications.set(Qualification.objects.filter(name__in=quals))
    return enterprise


def set_figures(enterprise: Enterprise, year: int = 2025, **values: Any) -> EnterpriseFigure:
    """Store one year of figures directly (test data)."""
    figure, _created = EnterpriseFigure.objects.update_or_create(
        enterprise=enterprise, year=year,
        defaults={k: (Decimal(str(v)) if isinstance(v, int | float | str) and k != "employees" else v)
                  for k, v in values.items()},
    )
    return figure


def web_client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    return client


def api_client(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})
