"""The flowchart (服务流程图) of any transition table, drawn once per table version and language.

``lib.flowchart.render_svg`` lays a machine out in about a second, and a table does not change
while the process runs, so each picture is drawn once and kept in this process:
``table_svg(table, title=..., id_prefix=...)`` draws ``table.states`` and
``table.edges(with_loops=True)`` with the labels in the active language and caches the SVG under
(table name, ``table.version``, language, title, id prefix). A changed table has another
``version`` and is drawn anew; the cache holds one entry per table × language × page, so it stays
small without eviction.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.utils import translation

from zhaoyin.core.transitions import TransitionTable
from zhaoyin.lib import flowchart, swimlanes

_drawn: dict[tuple[str, str, str, str, str], str] = {}
_lock = threading.Lock()


def table_svg(table: TransitionTable[Any, Any], *, title: Any, id_prefix: str) -> str:
    """The SVG of ``table`` in the active language (``title`` may be a lazy translation).

    Deterministic output (``render_svg`` is), every text escaped by the generator: trusted
    server output a page may include as it is.
    """
    language = translation.get_language() or settings.LANGUAGE_CODE
    heading = str(title)
    key = (table.name, table.version, language, heading, id_prefix)
    svg = _drawn.get(key)
    if svg is None:
        svg = flowchart.render_svg(
            [(str(state), str(label)) for state, label in table.states],
            [(str(a), str(b), str(label)) for a, b, label in table.edges(with_loops=True)],
            initial=str(table.initial),
            terminal=sorted(str(s) for s in table.terminal),
            title=heading,
            id_prefix=id_prefix,
            # The Chinese chart speaks Chinese only (issue 15 item 8): the states' codes are
            # English words, shown to the English UI alone.
            show_codes=not language.lower().startswith("zh"),
        )
        with _lock:  # two first requests may both draw; one result is kept
            svg = _drawn.setdefault(key, svg)
    return svg


# ---- swimlanes (issue 15 item 8) ---------------------------------------------------------------

_lanes_drawn: dict[tuple[str, ...], str] = {}


def table_swimlane_svg(
    table: TransitionTable[Any, Any],
    *,
    lanes: Sequence[tuple[str, Any]],
    lane_of_actor: Mapping[str, str],
    title: Any,
    id_prefix: str,
    state_lanes: Mapping[str, str] | None = None,
    state_columns: Mapping[str, int] | None = None,
    state_notes: Mapping[str, Sequence[Any]] | None = None,
    action_notes: Mapping[str, Sequence[Any]] | None = None,
    action_lanes: Mapping[str, str] | None = None,
) -> str:
    """The swimlane chart (泳道图) of any ``table`` in the active language (``lib.swimlanes``).

    ``lanes``: (code, label) top to bottom; ``lane_of_actor``: the lane of each actor of the
    table's rows and waits. A state sits in the lane of whoever waits in it (its first
    unconditional wait), unless ``state_lanes`` says otherwise; in its lifecycle column unless
    ``state_columns`` does. An action that keeps the state is a pill in the lane of its first
    actor (in ``lanes`` order) unless ``action_lanes`` says otherwise. ``state_notes`` /
    ``action_notes``: lines under a box (a working-day limit). Cached per table version,
    language and everything drawn."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    lane_order = [code for code, _label in lanes]

    def lane_for_actors(actors: Iterable[str]) -> str:
        found = sorted({lane_of_actor[a] for a in actors if a in lane_of_actor}, key=lane_order.index)
        return found[0] if found else lane_order[0]

    steps: list[swimlanes.Step] = []
    for n, (state, label) in enumerate(table.states):
        code = str(state)
        waits = [w.actor for w in table.waits.get(state, ()) if not w.when]
        lane = (state_lanes or {}).get(code) or lane_for_actors(waits)
        steps.append(
            swimlanes.Step(
                code=code, label=str(label), lane=lane, column=(state_columns or {}).get(code, n),
                notes=tuple(str(t) for t in (state_notes or {}).get(code, ())),
                terminal=state in table.terminal, initial=state == table.initial,
            )
        )
    moves: list[swimlanes.Move] = []
    sides: list[swimlanes.Side] = []
    for r in table.rows:
        loops = tuple(str(s) for s, _l in table.states if s in r.sources and r.leads_to(s) == s)
        moves += [
            swimlanes.Move(str(s), str(r.leads_to(s)), str(r.label))
            for s, _l in table.states
            if s in r.sources and r.leads_to(s) != s
        ]
        if loops:
            sides.append(
                swimlanes.Side(
                    label=str(r.label), lane=(action_lanes or {}).get(str(r.action)) or lane_for_actors(r.actors),
                    sources=loops,
                    notes=tuple(str(t) for t in (action_notes or {}).get(str(r.action), ())),
                )
            )
    lane_objs = [swimlanes.Lane(str(code), str(label)) for code, label in lanes]
    key = (table.name, table.version, language, str(title), id_prefix, repr((lane_objs, steps, sides)))
    svg = _lanes_drawn.get(key)
    if svg is None:
        svg = swimlanes.render_swimlanes(lane_objs, steps, moves, sides, title=str(title), id_prefix=id_prefix)
        with _lock:
            svg = _lanes_drawn.setdefault(key, svg)
    return svg
