"""Every audit action the code writes reads in words on the auditor's pages (issue 16 item 3).

The codes are found in the source: every ``action="…"`` literal (and the literal a helper
passes on as the action), and every ``action=f"…"`` pattern, expanded over the values it can
take (the state machine's actions, the verbs its callers pass, the importers' kinds). A new
pattern fails here until its values are listed in ``DYNAMIC``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import get_resolver
from django.utils import translation

from conftest import MakeUser
from zhaoyin.audit.labels import action_label, actor_label, has_action_label, object_type_label
from zhaoyin.core.importing import ImportSpec
from zhaoyin.core.transitions import TABLES

PACKAGE = Path(__file__).resolve().parent.parent / "zhaoyin"
LITERAL = re.compile(r"""(?:\baction=|_audit_status\(|_require_editor\(\w+, )"([a-z_]+(?:\.[a-z_]+)+)\"""")
PATTERN = re.compile(r"""\baction=f"([^"]+)\"""")


def _sources() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts]


def _table(name: str) -> list[str]:
    assert get_resolver().url_patterns  # every app's views, hence every flow module, imported
    return [str(a) for a in TABLES[name].actions]


def _import_kinds() -> list[str]:
    from zhaoyin.mujun.input_importing import batch_kind
    from zhaoyin.mujun.sources import Source

    # The 亩均 imports' kinds are made per source and year when first used.
    out, todo = [batch_kind(source, 2025) for source in Source], list(ImportSpec.__subclasses__())
    while todo:
        spec = todo.pop()
        todo.extend(spec.__subclasses__())
        # The product's importers only: a test module's own spec (core/tests/test_importing.py's
        # "industry-test") is a subclass too once a full run has imported it.
        if isinstance(getattr(spec, "kind", None), str) and ".tests." not in spec.__module__:
            out.append(spec.kind)
    return out


def _dynamic() -> dict[str, list[str]]:
    """Each ``action=f"…"`` pattern of the source → the codes it writes."""
    mu_run = _table("mujun_run")
    payout = sorted(set(_table("payout")) | set(_table("talent_payout")))
    apartment = _table("apartment_application") + _table("apartment_tenancy")
    return {
        "{action}_denied": [f"{a}_denied" for a in ("mu_adjustment.add", "mu_adjustment.remove", "mu_input.import")],
        "mu_run.{action}_denied": [f"mu_run.{a}_denied" for a in [*mu_run, "run"]],
        "mu_run.{row.action.value}": [f"mu_run.{a}" for a in mu_run],
        "mu_run.{action}": [f"mu_run.{a}" for a in mu_run],
        "mu_scheme.{action}_denied": [f"mu_scheme.{a}_denied" for a in ("change", "copy", "create", "delete")],
        "mu_condition.{action}_denied": [f"mu_condition.{a}_denied" for a in ("create", "delete", "matter")],
        "project.stage.{kind.value}": [f"project.stage.{a}" for a in _table("project_stage")],
        "project.funds.{action.value}_denied": [f"project.funds.{a}_denied" for a in _table("fund_entry")],
        "apartment.{row.action}": [f"apartment.{a}" for a in apartment],
        "matter.{row.action.value}": [f"matter.{a}" for a in _table("matter")],
        "matter.{action.value}_denied": [f"matter.{a}_denied" for a in _table("matter")],
        "policy.{row.action.value}": [f"policy.{a}" for a in _table("policy")],
        "talent_project.{action.value}": [f"talent_project.{a}" for a in _table("talent_project")],
        "tier_rule_set.{action}_denied": [f"tier_rule_set.{a}_denied" for a in ("activate", "change", "create")],
        "recognition.{action}_denied": [f"recognition.{a}_denied" for a in _table("recognition")],
        "recognition.{a.value}": [f"recognition.{a}" for a in _table("recognition")],
        "subsidy_application.{rule.action}": [f"subsidy_application.{a}" for a in _table("subsidy_application")],
        "payout.{action}_denied": [f"payout.{a}_denied" for a in payout],
        "payout.{row.action.value}": [f"payout.{a}" for a in payout],
        "payout.{rule.action.value}": [f"payout.{a}" for a in payout],
        "{spec.kind}.import_preview": [f"{k}.import_preview" for k in _import_kinds()],
        "{spec.kind}.import_commit": [f"{k}.import_commit" for k in _import_kinds()],
    }


def _codes_in_source() -> tuple[set[str], set[str]]:
    literals: set[str] = set()
    patterns: set[str] = set()
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        literals.update(LITERAL.findall(text))
        patterns.update(PATTERN.findall(text))
    return literals, patterns


def test_every_audit_action_in_the_source_has_words() -> None:
    literals, patterns = _codes_in_source()
    assert len(literals) > 100, "the scan found few codes: it is broken"
    dynamic = _dynamic()
    unlisted = sorted(patterns - set(dynamic))
    assert not unlisted, f"action patterns without their values in DYNAMIC: {unlisted}"
    codes = literals | {code for p in patterns for code in dynamic[p]}
    with translation.override("zh-hans"):
        missing = sorted(c for c in codes if not c.startswith("test.") and not has_action_label(c))
        assert not missing, f"audit actions without words (zhaoyin/audit/labels.py): {missing}"
        english = sorted(c for c in codes if not c.startswith("test.") and re.search(r"[a-z]{3}", action_label(c)))
        assert not english, f"audit action words left in English: {[(c, action_label(c)) for c in english]}"


def test_the_issue_examples_read_in_chinese() -> None:
    with translation.override("zh-hans"):
        assert action_label("auth.login") == "登录"
        assert action_label("matter.accept") == "交办事项：签收"
        assert action_label("payout.approve_denied") == "政策兑现：同意（被拒绝）"
        assert action_label("project.stage.advance") == "项目阶段：推进"
        assert object_type_label("accounts.user") == "用户"
        assert object_type_label("matters.matter") == "交办事项"
        assert actor_label("anonymous") == "系统"
        assert actor_label("cli") == "命令行"
        assert actor_label("anonymous", "web") == "未登录访客"
        assert actor_label("demo_staff") == "demo_staff"
        assert action_label("no.such_code") == "no.such_code"


@pytest.mark.django_db
def test_the_audit_log_page_shows_words_not_codes(make_user: MakeUser, client: Client) -> None:
    from zhaoyin.audit.services import audit_write
    from zhaoyin.core.context import acting

    auditor = make_user("auditor")
    staff = make_user("staff", unit="county_a")
    with acting(channel="cli"):
        audit_write(action="matter.accept", obj=staff)
    client.force_login(auditor, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    html = client.get("/audit/?action=matter.accept", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "交办事项：签收" in html
    assert "命令行" in html
    assert "用户" in html
    assert "accounts.user#" not in html
    assert "matter.accept</td>" not in html
