"""Exports and documents are built outside any transaction and audited in a short one: on
SQLite a transaction holds the one write lock, so a minute-long export inside one would stall
every writer (RES: exports must not hold the write lock while they render)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.roles import Role
from zhaoyin.enterprises import exporting as enterprise_exporting
from zhaoyin.enterprises.tests.conftest import MakeEnterprise
from zhaoyin.lib import xlsx_write
from zhaoyin.matching import exporting as match_export
from zhaoyin.matching import policy_list_docs
from zhaoyin.payouts import services as payouts
from zhaoyin.policies import exporting as policy_exporting
from zhaoyin.policies.models import Delivery, Policy, PolicyCategory, PolicyLevel, PolicyStatus
from zhaoyin.projects import exporting as project_exporting


def _depth_recorder(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    """Wrap ``module.name`` so each call records how many atomic blocks are open."""
    seen: list[int] = []
    original: Callable[..., Any] = getattr(module, name)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        seen.append(len(connection.atomic_blocks))
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapped)
    return seen


def _policy(org_tree: Any) -> Policy:
    policy = Policy(
        title="导出测试政策",
        issuer="淮南市人民政府",
        level=PolicyLevel.CITY,
        doc_no="淮府〔2025〕9号",
        category=PolicyCategory.FUNDS,
        org_unit=org_tree["city"],
        valid_from=dt.date(2025, 1, 1),
        status=PolicyStatus.IN_FORCE,
        delivery=Delivery.APPLICATION,
        benefits="最高奖励50万元",
        eligibility={"all": [{"field": "size_class", "op": "eq", "value": "above"}]},
    )
    policy.refresh_search_text()
    policy.save()
    return policy


@pytest.mark.parametrize("which", ["enterprises", "projects", "policies", "payouts", "eligible", "policy_list"])
def test_the_file_is_built_outside_the_transaction_and_the_export_audited(
    monkeypatch: pytest.MonkeyPatch, make_user: Any, make_enterprise: MakeEnterprise, org_tree: Any, which: str
) -> None:
    admin = make_user(Role.CITY_ADMIN)
    enterprise = make_enterprise()
    out = io.BytesIO()
    calls: dict[str, tuple[Any, str, Callable[[], Any]]] = {
        "enterprises": (enterprise_exporting, "write_xlsx",
                        lambda: enterprise_exporting.enterprise_export(acting_user=admin, params={}, out=out)),
        "projects": (project_exporting, "write_xlsx",
                     lambda: project_exporting.project_export(acting_user=admin, params={}, out=out)),
        "policies": (policy_exporting, "write_xlsx",
                     lambda: policy_exporting.policy_export(acting_user=admin, params={}, out=out)),
        "payouts": (xlsx_write, "write_xlsx", lambda: payouts.payout_export(acting_user=admin, params={}, out=out)),
        "eligible": (match_export, "write_xlsx", lambda: match_export.policy_eligible_export(
            acting_user=admin, policy=_policy(org_tree), params={}, out=out)),
        "policy_list": (policy_list_docs, "policy_list_docx", lambda: policy_list_docs.policy_list_export(
            acting_user=admin, enterprise=enterprise, fmt="docx")),
    }
    module, name, run = calls[which]
    seen = _depth_recorder(monkeypatch, module, name)
    before_depth = len(connection.atomic_blocks)
    before_audit = AuditRecord.objects.count()
    run()
    # Rendered at the caller's depth: no transaction of the export's own was open.
    assert seen == [before_depth]
    assert len(connection.atomic_blocks) == before_depth
    assert AuditRecord.objects.count() == before_audit + 1
