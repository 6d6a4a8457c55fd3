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
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                yield str(path.relative_to(PACKAGE)), node.module
                for alias in node.names:
                    yield str(path.relative_to(PACKAGE)), f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    yield str(path.relative_to(PACKAGE)), alias.name


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
    """The policies app re-matches through enterprises.signals, not by being imported."""
    above = ("policies", "matters", "projects", "visits", "targets", "catalog", "notifications", "cockpit")
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
