"""The import rules of docs/architecture.md's layer section that a move could silently undo.

Read from the source (every ``import`` statement, also those inside functions), so a lazy
import inside a function counts as much as one at the top of a module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "zhaoyin"


def _imports(app: str) -> Iterator[tuple[str, str]]:
    """(module file, imported module) for every import in ``zhaoyin/<app>`` outside its tests."""
    for path in sorted((PACKAGE / app).rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for module in _imports_of(path):
            yield str(path.relative_to(PACKAGE)), module


def _imports_of(path: Path) -> Iterator[str]:
    """Every module (and ``module.name``) one file imports, also inside functions."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            for alias in node.names:
                yield f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name


def _apps() -> list[str]:
    return sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


@pytest.mark.parametrize("app", [a for a in _apps() if a not in ("ops", "demo")])
def test_no_app_imports_ops(app: str) -> None:
    """Periodic jobs are registered in core.periodic; ops runs them and sits above every app."""
    wrong = [(f, m) for f, m in _imports(app) if _under(m, "zhaoyin.ops")]
    assert wrong == []


def test_enterprises_imports_no_app_above_it() -> None:
    """The matching app re-matches through enterprises.signals, not by being imported."""
    above = (
        "policies", "matching", "payouts", "matters", "projects", "visits", "targets", "catalog", "notifications",
        "cockpit",
    )
    wrong = [(f, m) for f, m in _imports("enterprises") if any(_under(m, f"zhaoyin.{a}") for a in above)]
    assert wrong == []


@pytest.mark.parametrize("app", [a for a in _apps() if a not in ("enterprises", "demo")])
def test_shared_field_types_and_cleaning_come_from_core(app: str) -> None:
    """MAX_ID, Amount, clean_decimal … live in core.fields / core.validation: no app reaches
    into the enterprises app's API or validation module for them."""
    wrong = [
        (f, m)
        for f, m in _imports(app)
        if _under(m, "zhaoyin.enterprises.api") or _under(m, "zhaoyin.enterprises.validation")
    ]
    assert wrong == []


#: The apps each of the three policy apps may import (docs/architecture.md, the layer map).
#: The policy library sits below the verdicts (matching) and the payout ledger (payouts); those
#: two sit side by side and import neither each other nor anything above them. ``projects`` is
#: the policy form's multiple-file field (``projects.forms.MultipleFileField``), ``catalog``
#: the shared WeasyPrint set-up of the 政策服务清单, ``notifications`` the ledger's hand-off
#: notices. ``talents`` (issue 13): a talent policy's tree is parsed with the talent vocabulary,
#: talents are matched (``talents.facts``) and paid (person-level payouts); ``workcalendar`` the
#: working days of a person payout's 公示.
ALLOWED_APPS: dict[str, frozenset[str]] = {
    "policies": frozenset({"lib", "core", "audit", "accounts", "enterprises", "projects", "talents"}),
    "matching": frozenset({"lib", "core", "audit", "accounts", "enterprises", "catalog", "policies", "talents"}),
    "payouts": frozenset(
        {"lib", "core", "audit", "accounts", "enterprises", "notifications", "policies", "talents", "workcalendar"}
    ),
}


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "zhaoyin" else None


@pytest.mark.parametrize("app", sorted(ALLOWED_APPS))
def test_policy_apps_import_only_the_apps_below_them(app: str) -> None:
    """Each of policies / matching / payouts imports only the apps its row of the map names."""
    apps = set(_apps())
    wrong = [
        (f, m)
        for f, m in _imports(app)
        if (other := _app_of(m)) in apps and other != app and other not in ALLOWED_APPS[app]
    ]
    assert wrong == []


def test_policies_imports_neither_matching_nor_payouts() -> None:
    """The library tells the apps above it through policies.signals and policies.extensions."""
    wrong = [
        (f, m) for f, m in _imports("policies") if _under(m, "zhaoyin.matching") or _under(m, "zhaoyin.payouts")
    ]
    assert wrong == []


def test_matching_and_payouts_do_not_import_each_other() -> None:
    wrong = [(f, m) for f, m in _imports("matching") if _under(m, "zhaoyin.payouts")]
    wrong += [(f, m) for f, m in _imports("payouts") if _under(m, "zhaoyin.matching")]
    assert wrong == []


def _module_graph(apps: list[str]) -> dict[str, set[str]]:
    """Module → the project modules it imports (lazy imports included), for ``apps``' modules."""
    def name(path: Path) -> str:
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    known = {name(p) for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for app in apps:
        for path in sorted((PACKAGE / app).rglob("*.py")):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            me = name(path)
            graph[me] = {m for m in _imports_of(path) if m in known and m != me}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component: list[str] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_in_the_policy_apps() -> None:
    """No module of policies / matching / payouts is on an import cycle, lazy imports included
    (the ledger's services ↔ filters cycle stays broken by payouts.periods)."""
    graph = _module_graph(["policies", "matching", "payouts"])
    assert _cycles(graph) == []


#: The talent half (issue 13): the record app and the apps above it.
TALENT_ALLOWED: dict[str, frozenset[str]] = {
    "talents": frozenset({"lib", "core", "audit", "accounts", "workcalendar", "enterprises", "notifications"}),
}
#: Process apps of the talent half: only the top of the stack may import them.
TALENT_PROCESS_APPS = ("recognition", "apartments", "talentprojects")
TOP_APPS = frozenset({"cockpit", "targets", "demo", "ops"})


@pytest.mark.parametrize("app", sorted(TALENT_ALLOWED))
def test_talents_imports_only_the_apps_below_it(app: str) -> None:
    """talents is a record app like enterprises: the apps above it are told through signals."""
    apps = set(_apps())
    wrong = [
        (f, m)
        for f, m in _imports(app)
        if (other := _app_of(m)) in apps and other != app and other not in TALENT_ALLOWED[app]
    ]
    assert wrong == []


@pytest.mark.parametrize("app", sorted(set(_apps()) - TOP_APPS))
def test_talent_process_apps_are_imported_only_from_the_top(app: str) -> None:
    """recognition, apartments and talentprojects sit side by side above talents; only the
    cockpit, targets, demo and ops read them (each other neither)."""
    wrong = [
        (f, m) for f, m in _imports(app)
        if (other := _app_of(m)) in TALENT_PROCESS_APPS and other != app
    ]
    assert wrong == []


#: 亩均论英雄 (issue 14): the evaluation sits above the records and the processes it feeds
#: (matters: objections and rectifications become matters; projects: 履约 conditions; catalog:
#: the shared WeasyPrint set-up of the printed 公示 list, as for the policies' 政策服务清单).
MUJUN_ALLOWED = frozenset({
    "lib", "core", "audit", "accounts", "workcalendar", "enterprises", "notifications", "matters", "projects",
    "catalog",
})


def test_mujun_imports_only_the_apps_below_it() -> None:
    apps = set(_apps())
    wrong = [
        (f, m) for f, m in _imports("mujun")
        if (other := _app_of(m)) in apps and other not in MUJUN_ALLOWED | {"mujun"}
    ]
    assert wrong == []


@pytest.mark.parametrize("app", sorted(set(_apps()) - TOP_APPS - {"mujun"}))
def test_mujun_is_imported_only_from_the_top(app: str) -> None:
    """The grade reaches the eligibility engine through the enterprises app (the grades the
    evaluation publishes there), never by importing the evaluation."""
    wrong = [(f, m) for f, m in _imports(app) if _app_of(m) == "mujun"]
    assert wrong == []
