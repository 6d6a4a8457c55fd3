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
from typing import Any

from django.conf import settings
from django.utils import translation

from zhaoyin.core.transitions import TransitionTable
from zhaoyin.lib import flowchart

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
        )
        with _lock:  # two first requests may both draw; one result is kept
            svg = _drawn.setdefault(key, svg)
    return svg
