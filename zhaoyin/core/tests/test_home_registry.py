"""The home page asks the apps for their entries through a registry (the kernel imports no
app) and leads with the to-do list."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from zhaoyin.core import home
from zhaoyin.core.roles import Role

pytestmark = pytest.mark.django_db


def test_the_kernel_home_module_imports_no_app() -> None:
    tree = ast.parse(Path(home.__file__).read_text(encoding="utf-8"))
    runtime = [n for n in tree.body if isinstance(n, ast.ImportFrom)]
    modules = {n.module or "" for n in runtime}
    assert {m for m in modules if m.startswith("zhaoyin.")} <= {
        "zhaoyin.core.authz", "zhaoyin.core.roles", "zhaoyin.core.todo",
    }


def test_registered_entries_appear_in_order(
    client: Client, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = dict(home._CONTRIBUTIONS)
    monkeypatch.setattr(home, "_CONTRIBUTIONS", entries)
    home.register("zz_last", lambda user, roles: home.HomePart(kpis=[home.Kpi("最后", 2, "x")]), order=999)
    home.register("aa_first", lambda user, roles: home.HomePart(kpis=[home.Kpi("最先", 1, "y")]), order=1)
    home.register("none", lambda user, roles: None, order=50)
    client.force_login(make_user(Role.STAFF, "county_a"))
    data = client.get("/").context["home"]
    labels = [k.label for k in data.kpis]
    assert labels[0] == "最先"
    assert labels[-1] == "最后"
    assert "范围内企业" in [str(label) for label in labels]  # the enterprises app's own card
    assert data.chart_panel["title"] == "企业行业分布"
    assert data.todo is not None
