"""core.flowchart: any transition table drawn through lib.flowchart, once per version and language."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from zhaoyin.core.flowchart import table_svg
from zhaoyin.core.transitions import SYSTEM, TransitionTable, row
from zhaoyin.lib import flowchart


def _table(name: str, *, extra_row: bool = False) -> TransitionTable[str, str]:
    rows = [row("go", {"a"}, "b", {"someone"}, "Go"), row("stop", {"b"}, "c", {SYSTEM}, "Stop")]
    if extra_row:
        rows.append(row("back", {"b"}, "a", {"someone"}, "Back"))
    return TransitionTable(
        name=name, states=(("a", "A"), ("b", "B"), ("c", "C")), initial="a", terminal=frozenset({"c"}), rows=tuple(rows)
    )


def _counting() -> Any:
    return mock.patch.object(flowchart, "render_svg", wraps=flowchart.render_svg)


def test_the_second_call_does_not_draw_again() -> None:
    table = _table("test-cached")
    with _counting() as drawn:
        first = table_svg(table, title="Chart", id_prefix="t-flow")
        second = table_svg(table, title="Chart", id_prefix="t-flow")
    assert drawn.call_count == 1
    assert first == second
    assert first.startswith("<svg")
    assert ">Go<" in first
    assert ">Stop<" in first


def test_a_changed_table_version_is_drawn_anew() -> None:
    before, after = _table("test-versions"), _table("test-versions", extra_row=True)
    assert before.version != after.version
    with _counting() as drawn:
        table_svg(before, title="Chart", id_prefix="t-flow")
        svg = table_svg(after, title="Chart", id_prefix="t-flow")
        table_svg(after, title="Chart", id_prefix="t-flow")
    assert drawn.call_count == 2
    assert ">Back<" in svg


def test_each_language_is_drawn_once_in_its_own_words() -> None:
    table = TransitionTable(
        name="test-languages",
        states=(("draft", gettext_lazy("Draft")), ("published", gettext_lazy("Published"))),
        initial="draft",
        rows=(row("publish", {"draft"}, "published", {"someone"}, gettext_lazy("Publish")),),
    )
    with _counting() as drawn:
        with translation.override("en"):
            english = table_svg(table, title=gettext_lazy("Service flowchart"), id_prefix="t-flow")
        with translation.override("zh-hans"):
            chinese = table_svg(table, title=gettext_lazy("Service flowchart"), id_prefix="t-flow")
            assert table_svg(table, title=gettext_lazy("Service flowchart"), id_prefix="t-flow") == chinese
    assert drawn.call_count == 2
    assert "Draft" in english
    assert "草稿" not in english
    assert "草稿" in chinese


@pytest.mark.parametrize(
    "module",
    ["zhaoyin.policies.flow", "zhaoyin.catalog.flow", "zhaoyin.projects.fund_flow"],
)
def test_every_table_drawn_from_its_states_and_edges_draws(module: str) -> None:
    import importlib

    table = importlib.import_module(module).TABLE
    with translation.override("zh-hans"):
        svg = table_svg(table, title="流程", id_prefix="t-flow")
    for state, label in table.states:
        assert str(label) in svg, state


def test_the_chinese_chart_shows_no_state_codes() -> None:
    """Issue 15 item 8: in the Chinese UI a chart speaks Chinese only; the English UI keeps the
    codes under the labels. ``data-state`` carries the code in both (for scripts and tests)."""
    table = TransitionTable(
        name="test-codes", states=(("pending_review", "待审核"), ("done_state", "已办结")), initial="pending_review",
        terminal=frozenset({"done_state"}),
        rows=(row("finish", {"pending_review"}, "done_state", {"someone"}, "办结"),),
    )
    with translation.override("zh-hans"):
        chinese = table_svg(table, title="流程", id_prefix="t-zh")
    with translation.override("en"):
        english = table_svg(table, title="Flow", id_prefix="t-en")
    assert ">pending_review<" not in chinese
    assert "(pending_review)" not in chinese
    assert 'data-state="pending_review"' in chinese
    assert ">待审核<" in chinese
    assert ">pending_review<" in english
