"""Helpers of the policy library tests (services, API, pages, import)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.test import Client

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.audit.models import AuditRecord
from zhaoyin.policies.models import Policy, PolicyFile, PolicyStatus

_serial = itertools.count(1)

TREE: dict[str, Any] = {
    "all": [
        {"field": "size_class", "op": "eq", "value": "above"},
        {"figure": "revenue_wan", "year": 2025, "op": "gte", "value": 2000},
        {"any": [{"qualification": "高新技术企业"}, {"ratio": ["rd_wan", "revenue_wan"], "year": 2025, "op": "gte",
                                                    "value": 0.03}]},
    ]
}


def policy_data(**overrides: Any) -> dict[str, Any]:
    """Valid input for ``policy_create`` (the API's and the services' field names)."""
    n = next(_serial)
    data: dict[str, Any] = {
        "title": f"测试政策{n:03d}",
        "issuer": "淮南市人民政府",
        "level": "city",
        "doc_no": f"淮府〔2026〕{n}号",
        "category": "funds",
        "valid_from": "2026-01-01",
        "valid_to": "2030-12-31",
        "benefits": "一次性奖励50万元",
        "eligibility": TREE,
    }
    data.update(overrides)
    return data


def make_policy(unit: OrgUnit, status: str = PolicyStatus.IN_FORCE, **kwargs: Any) -> Policy:
    """Store a policy directly (test data; the services have their own tests)."""
    n = next(_serial)
    policy = Policy(
        title=kwargs.pop("title", f"直存政策{n:03d}"),
        issuer=kwargs.pop("issuer", "淮南市人民政府"),
        level=kwargs.pop("level", "city"),
        doc_no=kwargs.pop("doc_no", f"淮府〔2026〕{100 + n}号"),
        category=kwargs.pop("category", "funds"),
        org_unit=unit,
        valid_from=kwargs.pop("valid_from", dt.date(2026, 1, 1)),
        valid_to=kwargs.pop("valid_to", dt.date(2030, 12, 31)),
        status=status,
        benefits=kwargs.pop("benefits", "奖励"),
        eligibility=kwargs.pop("eligibility", TREE),
        **kwargs,
    )
    policy.refresh_search_text()
    policy.save()
    return policy


def fingerprint() -> tuple[Any, ...]:
    """Everything the policy services write, to assert that bad input changed nothing."""
    return (
        list(
            Policy.objects.order_by("pk").values_list(
                "pk", "title", "status", "version", "valid_from", "valid_to", "eligibility"
            )
        ),
        PolicyFile.objects.count(),
        AuditRecord.objects.exclude(outcome="denied").count(),
    )


def web_client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    return client


def api_client(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})
