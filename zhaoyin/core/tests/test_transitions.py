"""The transition-table type on its own (pure: no database)."""

from __future__ import annotations

import pytest

from zhaoyin.core.transitions import SYSTEM, TransitionTable, Wait, row

STATES = (("new", "New"), ("open", "Open"), ("done", "Done"), ("gone", "Gone"))


def table() -> TransitionTable[str, str]:
    return TransitionTable(
        name="demo",
        states=STATES,
        initial="new",
        terminal=frozenset({"gone"}),
        waits={
            "open": (Wait("worker", "to_work", "To work"), Wait("boss", "to_answer", "To answer", when="asked")),
            "done": (Wait("boss", "to_check", "To check"),),
        },
        rows=(
            row("start", {"new"}, "open", {"boss"}, "Start"),
            row("ask", {"open"}, None, {"worker"}, "Ask", notify={"boss"}, needs_reason=True),
            row("finish", {"open"}, "done", {"worker"}, "Finish", flags={"needs_file"}),
            row("close", {"done"}, "gone", {"boss"}, "Close", notify=()),
            row("expire", {"new", "open"}, "gone", {SYSTEM}, "Expire"),
        ),
    )


def test_notify_defaults_to_the_unconditional_waits_of_the_target() -> None:
    t = table()
    assert t.by_action["start"].notify == frozenset({"worker"})  # not the boss: that wait has a condition
    assert t.by_action["finish"].notify == frozenset({"boss"})
    assert t.by_action["ask"].notify == frozenset({"boss"})  # stated on the row
    assert t.by_action["close"].notify == frozenset()  # stated empty: nobody
    assert t.by_action["expire"].notify == frozenset()  # no one waits in "gone"


def test_lookups_follow_the_rows() -> None:
    t = table()
    assert t.transition_for("start", "new") is not None
    assert t.transition_for("start", "open") is None
    assert t.transition_for("nope", "new") is None
    assert t.actions_from("open") == ["ask", "finish", "expire"]
    assert [r.action for r in t.manual_rows_from("open")] == ["ask", "finish"]
    assert [r.action for r in t.manual_rows_from("open", {"worker"})] == ["ask", "finish"]
    assert t.manual_rows_from("open", {"boss"}) == []
    assert t.reason_required == {"ask"}
    assert t.by_action["ask"].leads_to("open") == "open"
    assert t.by_action["finish"].has("needs_file")
    assert not t.by_action["start"].has("needs_file")
    assert not t.by_action["expire"].manual
    assert t.by_action["start"].may({"boss", "x"})
    assert not t.by_action["start"].may({"worker"})


def test_waits_and_to_do_headings() -> None:
    t = table()
    assert [w.todo for w in t.waits_in("open")] == ["to_work", "to_answer"]
    assert t.waits_in("gone") == ()
    assert t.waiting_states("boss") == {"to_answer": ["open"], "to_check": ["done"]}
    assert t.todo_labels == {"to_work": "To work", "to_answer": "To answer", "to_check": "To check"}


def test_edges_and_version() -> None:
    t = table()
    assert ("open", "open", "Ask") in t.edges()
    assert ("open", "open", "Ask") not in t.edges(with_loops=False)
    assert ("new", "gone", "Expire") in t.edges()
    assert t.version == table().version
    other = TransitionTable(name="demo", states=STATES, initial="new", rows=t.rows[:-1])
    assert other.version != t.version


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ((row("a", {"new"}, "open", {"x"}, "A"), row("a", {"open"}, "done", {"x"}, "A")), "two rows"),
        ((row("a", {"nowhere"}, "open", {"x"}, "A"),), "unknown states"),
        ((row("a", {"new"}, "nowhere", {"x"}, "A"),), "unknown states"),
    ],
)
def test_a_malformed_table_is_refused(rows: tuple[object, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TransitionTable(name="bad", states=STATES, initial="new", rows=rows)  # type: ignore[arg-type]


def test_waits_on_an_unknown_state_are_refused() -> None:
    with pytest.raises(ValueError, match="waits on unknown states"):
        TransitionTable(name="bad", states=STATES, initial="new", rows=(), waits={"limbo": (Wait("x", "t", "T"),)})
