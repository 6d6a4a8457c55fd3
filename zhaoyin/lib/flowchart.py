"""Draw a state machine as a standalone SVG (服务流程图), from any transition table.

Input is generic: states ``(code, label)``, edges ``(from, to, label)``, an optional initial
state and terminal states. The picture is generated, so it cannot drift from the table it
is drawn from.

Layout (a small Sugiyama-style layered drawing, top to bottom):

1. a depth-first search from the initial state (then from states without incoming edges,
   then the rest, in input order) finds the *back edges* — those closing a cycle;
2. every state's row is its longest path from a root over the other edges, so a back edge
   always points to an earlier row;
3. an edge spanning several rows gets a waypoint in each row it passes, so it runs in the
   gaps between boxes and never through one;
4. rows are ordered by barycentre sweeps (fewest crossings kept), then x positions are the
   least-squares fit to the neighbours' positions under the minimum spacing (isotonic
   regression), so edges run as straight as the spacing allows;
5. edges are vertical S-curves between rows; back edges are drawn dashed in another colour
   (leaving the top of the later state, entering the bottom of the earlier one), self-loops
   are small arcs on the right side of their box with their label beside them;
6. edge labels sit on their curve at the first candidate spot that overlaps no box and no
   other label (and crosses the fewest other edges); when none is free the gaps between
   rows grow and placement is tried again.

Output is deterministic (same input, byte-identical SVG), every text is XML-escaped, each
state and edge has a ``<title>``, and only presentation attributes are used (no ``style``,
no ``<style>``, no script: it is served under a strict CSP). Box widths count a CJK
character as 1 em and others as 0.62 em.

Pure: no Django.
"""

from __future__ import annotations

import heapq
import itertools
import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Final

FONT_FAMILY: Final = (
    "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'PingFang SC', "
    "'Microsoft YaHei', 'WenQuanYi Micro Hei', sans-serif"
)
LABEL_SIZE: Final = 14.0  # state label font size (px)
CODE_SIZE: Final = 11.0  # state code font size
EDGE_SIZE: Final = 12.0  # edge label font size
BOX_PAD_X: Final = 14.0
BOX_MIN_W: Final = 92.0
BOX_H: Final = 50.0
LOOP_BAND: Final = 22.0  # vertical room per self-loop
LOOP_REACH: Final = 32.0  # how far a self-loop bulges right of its box
INITIAL_REACH: Final = 38.0  # room left of the initial state for its start dot
MARGIN: Final = 24.0
GAP_REAL: Final = 48.0  # horizontal gap between two boxes
GAP_MIXED: Final = 30.0  # between a box and a passing edge
GAP_DUMMY: Final = 22.0  # between two passing edges
ROW_GAP: Final = 66.0  # initial vertical gap between rows
ROW_GAP_STEP: Final = 26.0  # growth per placement retry
RETRIES: Final = 8
STRICT_RETRIES: Final = 3
LABEL_PAD_X: Final = 5.0
LABEL_H: Final = EDGE_SIZE + 7.0

COLOUR_BOX_FILL: Final = "#eef4ff"
COLOUR_BOX_STROKE: Final = "#1e3a8a"
COLOUR_TERMINAL_FILL: Final = "#f1f5f9"
COLOUR_TERMINAL_STROKE: Final = "#334155"
COLOUR_TEXT: Final = "#0f172a"
COLOUR_CODE: Final = "#64748b"
COLOUR_EDGE: Final = "#475569"
COLOUR_BACK: Final = "#b45309"

_INVALID_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")

Point = tuple[float, float]
Rect = tuple[float, float, float, float]  # x0, y0, x1, y1


# --- text --------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Text with the characters XML 1.0 cannot carry replaced by U+FFFD."""
    return _INVALID_XML.sub("\ufffd", text)


def escape_text(text: str) -> str:
    """``text`` escaped for element content."""
    return _clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attr(text: str) -> str:
    """``text`` escaped for a double-quoted attribute value."""
    return escape_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def text_width(text: str, size: float) -> float:
    """Estimated rendered width: wide (CJK) characters 1 em, others 0.62 em."""
    return sum(size if unicodedata.east_asian_width(ch) in ("W", "F") else size * 0.62 for ch in text)


def _n(value: float) -> str:
    """A coordinate with one decimal (fixed formatting keeps the output deterministic)."""
    out = f"{value:.1f}"
    return "0.0" if out == "-0.0" else out


# --- geometry ------------------------------------------------------------------------------


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _inflate(r: Rect, d: float) -> Rect:
    return (r[0] - d, r[1] - d, r[2] + d, r[3] + d)


def _segment_hits_rect(p: Point, q: Point, r: Rect) -> bool:
    """Whether the segment pq meets the rectangle (Liang–Barsky clipping)."""
    t0, t1 = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for edge_p, edge_q in ((-dx, p[0] - r[0]), (dx, r[2] - p[0]), (-dy, p[1] - r[1]), (dy, r[3] - p[1])):
        if edge_p == 0:
            if edge_q < 0:
                return False
            continue
        t = edge_q / edge_p
        if edge_p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


@dataclass(frozen=True)
class _Curve:
    """A vertical S-curve between two rows (or a straight run through a row)."""

    p: Point
    q: Point
    straight: bool

    def controls(self) -> tuple[Point, Point]:
        mid = (self.p[1] + self.q[1]) / 2
        return (self.p[0], mid), (self.q[0], mid)

    def at(self, t: float) -> Point:
        if self.straight:
            return (self.p[0] + (self.q[0] - self.p[0]) * t, self.p[1] + (self.q[1] - self.p[1]) * t)
        c1, c2 = self.controls()
        u = 1 - t
        a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
        return (
            a * self.p[0] + b * c1[0] + c * c2[0] + d * self.q[0],
            a * self.p[1] + b * c1[1] + c * c2[1] + d * self.q[1],
        )

    def samples(self, n: int = 16) -> list[Point]:
        if self.straight:
            return [self.p, self.q]
        return [self.at(i / n) for i in range(n + 1)]


def _polyline_hits(points: Sequence[Point], r: Rect) -> bool:
    return any(_segment_hits_rect(points[i], points[i + 1], r) for i in range(len(points) - 1))


# --- layout --------------------------------------------------------------------------------


@dataclass
class _Node:
    index: int
    code: str | None  # None: a waypoint of an edge passing through a row
    label: str
    rank: int
    w: float = 0.0
    h: float = 0.0
    left_extra: float = 0.0
    right_extra: float = 0.0
    x: float = 0.0  # centre
    y: float = 0.0  # centre


@dataclass
class _Chain:
    """One drawn edge between rows: node indices from the upper row to the lower row."""

    edge: int
    nodes: list[int]
    back: bool  # drawn upwards (a back edge)


@dataclass
class _Loop:
    edge: int
    node: int
    slot: int


@dataclass
class _Placed:
    curves: dict[int, list[_Curve]] = field(default_factory=dict)  # edge → curves in drawing order
    labels: dict[int, Rect] = field(default_factory=dict)  # edge → label rectangle
    loop_paths: dict[int, tuple[Point, Point, Point, Point]] = field(default_factory=dict)
    failures: set[int] = field(default_factory=set)  # gaps that could not fit a label


def _validate(
    states: Sequence[tuple[str, str]],
    edges: Sequence[tuple[str, str, str]],
    initial: str | None,
    terminal: Collection[str],
    id_prefix: str,
) -> dict[str, int]:
    if not _ID.match(id_prefix):
        raise ValueError(f"id_prefix {id_prefix!r} is not a valid XML id")
    index: dict[str, int] = {}
    for i, (code, _label) in enumerate(states):
        if code in index:
            raise ValueError(f"duplicate state {code!r}")
        index[code] = i
    for source, target, label in edges:
        for code in (source, target):
            if code not in index:
                raise ValueError(f"edge {label!r} ({source!r} → {target!r}) refers to unknown state {code!r}")
    if initial is not None and initial not in index:
        raise ValueError(f"unknown initial state {initial!r}")
    for code in sorted(terminal):
        if code not in index:
            raise ValueError(f"unknown terminal state {code!r}")
    return index


def _back_edges_and_order(
    n: int, edges: Sequence[tuple[int, int]], initial: int | None
) -> tuple[set[int], list[int]]:
    """Back edges of a depth-first search and the discovery order of the states."""
    out: list[list[int]] = [[] for _ in range(n)]
    has_in = [False] * n
    for e, (u, v) in enumerate(edges):
        if u != v:
            out[u].append(e)
            has_in[v] = True
    roots = ([initial] if initial is not None else []) + [v for v in range(n) if not has_in[v]] + list(range(n))
    colour = [0] * n  # 0 unseen, 1 on the stack, 2 done
    back: set[int] = set()
    order: list[int] = []
    for root in roots:
        if colour[root]:
            continue
        colour[root] = 1
        order.append(root)
        stack = [(root, 0)]
        while stack:
            u, i = stack[-1]
            if i < len(out[u]):
                stack[-1] = (u, i + 1)
                e = out[u][i]
                v = edges[e][1]
                if colour[v] == 1:
                    back.add(e)
                elif colour[v] == 0:
                    colour[v] = 1
                    order.append(v)
                    stack.append((v, 0))
            else:
                colour[u] = 2
                stack.pop()
    return back, order


def _ranks(n: int, edges: Sequence[tuple[int, int]], back: set[int], discovery: list[int]) -> list[int]:
    """Longest path from the roots over the forward edges (a DAG once back edges are set aside)."""
    position = {v: i for i, v in enumerate(discovery)}
    succ: list[list[int]] = [[] for _ in range(n)]
    indegree = [0] * n
    for e, (u, v) in enumerate(edges):
        if u != v and e not in back:
            succ[u].append(v)
            indegree[v] += 1
    rank = [0] * n
    heap = [(position[v], v) for v in range(n) if indegree[v] == 0]
    heapq.heapify(heap)
    while heap:
        _, u = heapq.heappop(heap)
        for v in succ[u]:
            rank[v] = max(rank[v], rank[u] + 1)
            indegree[v] -= 1
            if indegree[v] == 0:
                heapq.heappush(heap, (position[v], v))
    return rank


def _crossings(rows: list[list[int]], lower: list[list[int]]) -> int:
    total = 0
    for r in range(len(rows) - 1):
        pos = {v: i for i, v in enumerate(rows[r + 1])}
        segs = [(i, pos[b]) for i, a in enumerate(rows[r]) for b in lower[a]]
        for k, (a1, b1) in enumerate(segs):
            for a2, b2 in segs[k + 1 :]:
                if (a1 - a2) * (b1 - b2) < 0:
                    total += 1
    return total


def _order_rows(rows: list[list[int]], upper: list[list[int]], lower: list[list[int]]) -> list[list[int]]:
    """Barycentre sweeps; the ordering with the fewest crossings wins (the first on ties)."""
    best = [list(r) for r in rows]
    best_count = _crossings(best, lower)
    current = [list(r) for r in rows]
    for sweep in range(8):
        down = sweep % 2 == 0
        sequence = range(1, len(current)) if down else range(len(current) - 2, -1, -1)
        for r in sequence:
            ref = current[r - 1] if down else current[r + 1]
            pos = {v: i for i, v in enumerate(ref)}
            here = {v: i for i, v in enumerate(current[r])}

            def key(
                v: int, pos: dict[int, int] = pos, here: dict[int, int] = here, down: bool = down
            ) -> tuple[float, int]:
                neighbours = upper[v] if down else lower[v]
                if not neighbours:
                    return (float(here[v]), here[v])
                return (sum(pos[u] for u in neighbours) / len(neighbours), here[v])

            current[r] = sorted(current[r], key=key)
        count = _crossings(current, lower)
        if count < best_count:
            best, best_count = [list(r) for r in current], count
    return best


def _isotonic(values: list[float]) -> list[float]:
    """The non-decreasing sequence nearest to ``values`` in least squares (pool adjacent violators)."""
    blocks: list[list[float]] = []  # [sum, count]
    for v in values:
        blocks.append([v, 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, c = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += c
    out: list[float] = []
    for s, c in blocks:
        out.extend([s / c] * int(c))
    return out


def _assign_x(nodes: list[_Node], rows: list[list[int]], upper: list[list[int]], lower: list[list[int]]) -> None:
    offsets: list[list[float]] = []
    for row in rows:
        cum = [0.0]
        for a, b in itertools.pairwise(row):
            na, nb = nodes[a], nodes[b]
            both = (na.code is None) + (nb.code is None)
            gap = GAP_REAL if both == 0 else GAP_MIXED if both == 1 else GAP_DUMMY
            cum.append(cum[-1] + na.w / 2 + na.right_extra + gap + nb.left_extra + nb.w / 2)
        offsets.append(cum)
        for v, c in zip(row, cum, strict=True):
            nodes[v].x = c - cum[-1] / 2

    def place(r: int, desired: list[float]) -> None:
        cum = offsets[r]
        fitted = _isotonic([d - c for d, c in zip(desired, cum, strict=True)])
        for v, y, c in zip(rows[r], fitted, cum, strict=True):
            nodes[v].x = y + c

    for sweep in range(12):
        if sweep == 11:
            order, which = list(range(len(rows))), 2
        elif sweep % 2 == 0:
            order, which = list(range(1, len(rows))), 0
        else:
            order, which = list(range(len(rows) - 2, -1, -1)), 1
        for r in order:
            desired = []
            for v in rows[r]:
                neighbours = upper[v] if which == 0 else lower[v] if which == 1 else upper[v] + lower[v]
                if neighbours:
                    desired.append(sum(nodes[u].x for u in neighbours) / len(neighbours))
                else:
                    desired.append(nodes[v].x)
            place(r, desired)
    left = min((node.x - node.w / 2 - node.left_extra for node in nodes), default=MARGIN)
    for node in nodes:
        node.x += MARGIN - left


def _box(node: _Node) -> Rect:
    return (node.x - node.w / 2, node.y - node.h / 2, node.x + node.w / 2, node.y + node.h / 2)


def _loop_geometry(node: _Node, slot: int) -> tuple[Point, Point, Point, Point]:
    right = node.x + node.w / 2
    top = node.y - node.h / 2 + 6 + slot * LOOP_BAND
    a = (right, top + 2)
    b = (right, top + LOOP_BAND - 4)
    return a, (right + LOOP_REACH, a[1] - 6), (right + LOOP_REACH, b[1] + 6), b


class _Layout:
    """Positions of everything; :meth:`place` fixes y and the edges for given row gaps."""

    def __init__(
        self,
        states: Sequence[tuple[str, str]],
        edges: Sequence[tuple[str, str, str]],
        index: dict[str, int],
        initial: str | None,
    ) -> None:
        self.edges = edges
        n = len(states)
        pairs = [(index[s], index[t]) for s, t, _label in edges]
        self.pairs = pairs
        start = index[initial] if initial is not None else None
        self.initial = start
        back, discovery = _back_edges_and_order(n, pairs, start)
        self.back = back
        rank = _ranks(n, pairs, back, discovery)
        self.nodes = [_Node(i, code, label, rank[i]) for i, (code, label) in enumerate(states)]
        self.loops: list[_Loop] = []
        loop_count = [0] * n
        for e, (u, v) in enumerate(pairs):
            if u == v:
                self.loops.append(_Loop(e, u, loop_count[u]))
                loop_count[u] += 1
        loop_label_w = [0.0] * n
        for loop in self.loops:
            width = text_width(edges[loop.edge][2], EDGE_SIZE) + 2 * LABEL_PAD_X
            loop_label_w[loop.node] = max(loop_label_w[loop.node], width)
        for node in self.nodes:
            assert node.code is not None
            text_w = max(text_width(node.label, LABEL_SIZE), text_width(node.code, CODE_SIZE))
            node.w = max(BOX_MIN_W, text_w) + 2 * BOX_PAD_X
            node.h = max(BOX_H, loop_count[node.index] * LOOP_BAND + 12)
            if loop_count[node.index]:
                node.right_extra = LOOP_REACH + 6 + loop_label_w[node.index]
            if node.index == start:
                node.left_extra = INITIAL_REACH
        self.chains: list[_Chain] = []
        for e, (u, v) in enumerate(pairs):
            if u == v:
                continue
            is_back = e in back
            top, bottom = (v, u) if is_back else (u, v)
            path = [top]
            for r in range(rank[top] + 1, rank[bottom]):
                dummy = _Node(len(self.nodes), None, "", r)
                self.nodes.append(dummy)
                path.append(dummy.index)
            path.append(bottom)
            self.chains.append(_Chain(e, path, is_back))
        total = len(self.nodes)
        self.upper: list[list[int]] = [[] for _ in range(total)]
        self.lower: list[list[int]] = [[] for _ in range(total)]
        for chain in self.chains:
            for a, b in itertools.pairwise(chain.nodes):
                self.lower[a].append(b)
                self.upper[b].append(a)
        self.nrows = max((node.rank for node in self.nodes), default=-1) + 1
        disc = {v: i for i, v in enumerate(discovery)}
        keyed: list[tuple[int, tuple[int, int, int], int]] = []
        for node in self.nodes[:n]:
            keyed.append((node.rank, (disc[node.index], 0, 0), node.index))
        for chain in self.chains:
            for d in chain.nodes[1:-1]:
                keyed.append((self.nodes[d].rank, (disc[chain.nodes[0]], 1, chain.edge), d))
        keyed.sort()
        rows: list[list[int]] = [[] for _ in range(self.nrows)]
        for r, _key, v in keyed:
            rows[r].append(v)
        self.rows = _order_rows(rows, self.upper, self.lower)
        _assign_x(self.nodes, self.rows, self.upper, self.lower)
        self.row_h = [
            max((self.nodes[v].h for v in row if self.nodes[v].code is not None), default=16.0) for row in self.rows
        ]
        for row, height in zip(self.rows, self.row_h, strict=True):
            for v in row:
                if self.nodes[v].code is not None:
                    self.nodes[v].h = height

    def place(self, gaps: list[float], *, strict: bool) -> _Placed:
        """Fix the rows' y, draw the edges and place the labels for these row gaps.

        ``strict``: a label that can only sit across another edge also counts as a failure
        (so the gaps grow), not only one that has no free spot at all.
        """
        tops: list[float] = []
        y = MARGIN
        for r, height in enumerate(self.row_h):
            tops.append(y)
            y += height + (gaps[r] if r < len(gaps) else 0)
        for node in self.nodes:
            node.y = tops[node.rank] + self.row_h[node.rank] / 2
        placed = _Placed()
        # Ports: spread the edges leaving a box's bottom and entering its top, ordered by the
        # x of their other end so parallel and opposite edges never share a point.
        bottom_ports: dict[int, list[tuple[float, int, int]]] = {}
        top_ports: dict[int, list[tuple[float, int, int]]] = {}
        for chain in self.chains:
            a, b = chain.nodes[0], chain.nodes[1]
            y_ = chain.nodes[-2]
            z = chain.nodes[-1]
            bottom_ports.setdefault(a, []).append((self.nodes[b].x, chain.back, chain.edge))
            top_ports.setdefault(z, []).append((self.nodes[y_].x, chain.back, chain.edge))
        port_x: dict[tuple[int, int, str], float] = {}
        for side, table in (("bottom", bottom_ports), ("top", top_ports)):
            for v, entries in table.items():
                node = self.nodes[v]
                entries.sort()
                for i, (_x, _back, e) in enumerate(entries):
                    port_x[(v, e, side)] = node.x - node.w / 2 + node.w * (i + 1) / (len(entries) + 1)
        for chain in self.chains:
            first, last = self.nodes[chain.nodes[0]], self.nodes[chain.nodes[-1]]
            pts: list[Point] = [(port_x[(first.index, chain.edge, "bottom")], first.y + first.h / 2)]
            for d in chain.nodes[1:-1]:
                node = self.nodes[d]
                top = tops[node.rank]
                pts.append((node.x, top))
                pts.append((node.x, top + self.row_h[node.rank]))
            pts.append((port_x[(last.index, chain.edge, "top")], last.y - last.h / 2))
            if chain.back:
                pts.reverse()
            curves = [_Curve(pts[i], pts[i + 1], straight=i % 2 == 1) for i in range(len(pts) - 1)]
            placed.curves[chain.edge] = curves
        for loop in self.loops:
            placed.loop_paths[loop.edge] = _loop_geometry(self.nodes[loop.node], loop.slot)
        self._place_labels(placed, strict=strict)
        return placed

    def obstacles(self) -> list[Rect]:
        """Boxes with their reserved margins (start dot on the left, loops on the right)."""
        out: list[Rect] = []
        for node in self.nodes:
            if node.code is None:
                continue
            x0, y0, x1, y1 = _box(node)
            out.append((x0 - node.left_extra, y0, x1 + node.right_extra, y1))
        return out

    def _place_labels(self, placed: _Placed, *, strict: bool) -> None:
        hard = [_inflate(r, 4) for r in self.obstacles()]
        taken: list[Rect] = []
        lines = {e: [p for c in curves for p in c.samples()] for e, curves in placed.curves.items()}
        for chain in sorted(self.chains, key=lambda c: c.edge):
            label = self.edges[chain.edge][2]
            if not label:
                continue
            w = text_width(label, EDGE_SIZE) + 2 * LABEL_PAD_X
            h = LABEL_H
            curves = placed.curves[chain.edge]
            gap_curves = [c for c in curves if not c.straight]  # in drawing order: near the source first
            best: tuple[int, int, Rect] | None = None
            order = 0
            for curve in gap_curves:
                for t in (0.5, 0.36, 0.64, 0.22, 0.78):
                    cx, cy = curve.at(t)
                    for dx in (0.0, w / 2 + 3, -(w / 2 + 3)):
                        rect = (cx + dx - w / 2, cy - h / 2, cx + dx + w / 2, cy + h / 2)
                        order += 1
                        if rect[0] < 4 or any(_overlaps(rect, o) for o in hard):
                            continue
                        if any(_overlaps(_inflate(rect, 2), o) for o in taken):
                            continue
                        score = sum(1 for e, pts in lines.items() if e != chain.edge and _polyline_hits(pts, rect))
                        if best is None or (score, order) < (best[0], best[1]):
                            best = (score, order, rect)
            if best is None or (strict and best[0] > 0):
                # Nowhere free (or only across other edges): the gaps it runs through grow.
                for curve in gap_curves:
                    placed.failures.add(self._gap_of(curve))
            if best is None:
                cx, cy = gap_curves[0].at(0.5)
                rect = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            else:
                rect = best[2]
            placed.labels[chain.edge] = rect
            taken.append(rect)

    def _gap_of(self, curve: _Curve) -> int:
        y = (curve.p[1] + curve.q[1]) / 2
        for r in range(self.nrows - 1):
            bottom = self.nodes[self.rows[r][0]].y + self.row_h[r] / 2
            top_next = self.nodes[self.rows[r + 1][0]].y - self.row_h[r + 1] / 2
            if bottom <= y <= top_next:
                return r
        return 0


# --- output --------------------------------------------------------------------------------


def _curve_path(curves: Sequence[_Curve]) -> str:
    parts = [f"M{_n(curves[0].p[0])},{_n(curves[0].p[1])}"]
    for c in curves:
        if c.straight:
            parts.append(f"L{_n(c.q[0])},{_n(c.q[1])}")
        else:
            c1, c2 = c.controls()
            parts.append(f"C{_n(c1[0])},{_n(c1[1])} {_n(c2[0])},{_n(c2[1])} {_n(c.q[0])},{_n(c.q[1])}")
    return " ".join(parts)


def _marker(mid: str, colour: str) -> str:
    return (
        f'<marker id="{mid}" viewBox="0 0 10 10" refX="9.5" refY="5" markerWidth="6" markerHeight="6" '
        f'markerUnits="strokeWidth" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
    )


def _label(rect: Rect, text: str, anchor_left: bool = False) -> str:
    x0, y0, x1, y1 = rect
    tx = x0 + LABEL_PAD_X if anchor_left else (x0 + x1) / 2
    anchor = "start" if anchor_left else "middle"
    return (
        f'<rect x="{_n(x0)}" y="{_n(y0)}" width="{_n(x1 - x0)}" height="{_n(y1 - y0)}" rx="3" '
        f'fill="#ffffff" fill-opacity="0.92"/>'
        f'<text x="{_n(tx)}" y="{_n((y0 + y1) / 2 + EDGE_SIZE * 0.36)}" text-anchor="{anchor}" '
        f'font-size="{_n(EDGE_SIZE)}" fill="{COLOUR_TEXT}">{escape_text(text)}</text>'
    )


def render_svg(
    states: Sequence[tuple[str, str]],
    edges: Sequence[tuple[str, str, str]],
    *,
    initial: str | None = None,
    terminal: Collection[str] = (),
    title: str = "",
    id_prefix: str = "flow",
    show_codes: bool = True,
) -> str:
    """The state machine as a standalone SVG document (a string).

    ``show_codes=False`` leaves the states' codes out of the drawing (a chart for people who
    read only its language: the labels alone, the codes stay in ``data-state``).

    ``states`` are ``(code, label)`` in a preferred order (it breaks ties in the layout);
    ``edges`` are ``(from_code, to_code, label)``; several edges may join the same states
    and an edge may loop on one state. ``initial`` gets a start dot, ``terminal`` states a
    double border. ``id_prefix`` keeps ids unique when several charts share a page.
    A duplicate state, an unknown state in an edge, ``initial`` or ``terminal``, or an
    invalid ``id_prefix`` raises ``ValueError`` naming it.
    """
    index = _validate(states, edges, initial, terminal, id_prefix)
    layout = _Layout(states, edges, index, initial)
    gaps = [ROW_GAP] * max(layout.nrows - 1, 0)
    placed = layout.place(gaps, strict=True)
    for attempt in range(RETRIES):
        if not placed.failures:
            break
        for g in sorted(placed.failures):
            gaps[g] += ROW_GAP_STEP
        # The first retries also try to keep labels off other edges; the later ones only
        # insist on free spots.
        placed = layout.place(gaps, strict=attempt < STRICT_RETRIES)

    nodes = [node for node in layout.nodes if node.code is not None]
    loop_label_rects: dict[int, Rect] = {}
    for loop in layout.loops:
        a, _c1, _c2, b = placed.loop_paths[loop.edge]
        text = edges[loop.edge][2]
        w = text_width(text, EDGE_SIZE) + 2 * LABEL_PAD_X
        x0 = a[0] + LOOP_REACH + 4
        cy = (a[1] + b[1]) / 2
        loop_label_rects[loop.edge] = (x0, cy - LABEL_H / 2, x0 + w, cy + LABEL_H / 2)
    right = max([n.x + n.w / 2 + n.right_extra for n in nodes] + [r[2] for r in placed.labels.values()], default=0.0)
    bottom = max([n.y + n.h / 2 for n in nodes] + [r[3] for r in placed.labels.values()], default=0.0)
    width, height = right + MARGIN, bottom + MARGIN
    p = id_prefix
    arrow, arrow_back = f"{p}-arrow", f"{p}-arrow-back"
    terminal_set = frozenset(terminal)
    chart_title = title or "State machine"

    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}" height="{_n(height)}" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" role="img" aria-labelledby="{p}-title">',
        f'<title id="{p}-title">{escape_text(chart_title)}</title>',
        "<defs>" + _marker(arrow, COLOUR_EDGE) + _marker(arrow_back, COLOUR_BACK) + "</defs>",
        f'<rect x="0" y="0" width="{_n(width)}" height="{_n(height)}" fill="#ffffff"/>',
        f'<g font-family="{escape_attr(FONT_FAMILY)}" font-size="{_n(LABEL_SIZE)}">',
    ]
    labels = {code: label for code, label in states}
    for e, (source, target, label) in enumerate(edges):
        back = e in layout.back
        tip = f"{labels[source]} → {labels[target]}" + (f": {label}" if label else "")
        colour = COLOUR_BACK if back else COLOUR_EDGE
        dash = ' stroke-dasharray="6 4"' if back else ""
        out.append(
            f'<g class="edge{" back" if back else ""}" data-from="{escape_attr(source)}" '
            f'data-to="{escape_attr(target)}"><title>{escape_text(tip)}</title>'
        )
        if e in placed.curves:
            d = _curve_path(placed.curves[e])
        else:
            a, c1, c2, b = placed.loop_paths[e]
            d = f"M{_n(a[0])},{_n(a[1])} C{_n(c1[0])},{_n(c1[1])} {_n(c2[0])},{_n(c2[1])} {_n(b[0])},{_n(b[1])}"
        out.append(
            f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="1.5"{dash} '
            f'marker-end="url(#{arrow_back if back else arrow})"/></g>'
        )
    for node in sorted(nodes, key=lambda n: n.index):
        assert node.code is not None
        x0, y0, _x1, _y1 = _box(node)
        is_terminal = node.code in terminal_set
        fill = COLOUR_TERMINAL_FILL if is_terminal else COLOUR_BOX_FILL
        stroke = COLOUR_TERMINAL_STROKE if is_terminal else COLOUR_BOX_STROKE
        kind = " terminal" if is_terminal else ""
        kind += " initial" if node.index == layout.initial else ""
        out.append(
            f'<g class="state{kind}" data-state="{escape_attr(node.code)}">'
            f"<title>{escape_text(node.label)}{f' ({escape_text(node.code)})' if show_codes else ''}</title>"
            f'<rect x="{_n(x0)}" y="{_n(y0)}" width="{_n(node.w)}" height="{_n(node.h)}" rx="8" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
        )
        if is_terminal:
            out.append(
                f'<rect x="{_n(x0 + 3.5)}" y="{_n(y0 + 3.5)}" width="{_n(node.w - 7)}" height="{_n(node.h - 7)}" '
                f'rx="5" fill="none" stroke="{stroke}" stroke-width="1"/>'
            )
        out.append(
            f'<text x="{_n(node.x)}" y="{_n(node.y - 3)}" text-anchor="middle" font-weight="600" '
            f'fill="{COLOUR_TEXT}">{escape_text(node.label)}</text>'
            + (f'<text x="{_n(node.x)}" y="{_n(node.y + 14)}" text-anchor="middle" font-size="{_n(CODE_SIZE)}" '
               f'fill="{COLOUR_CODE}">{escape_text(node.code)}</text>' if show_codes else "")
            + "</g>"
        )
        if node.index == layout.initial:
            dot = node.x - node.w / 2 - INITIAL_REACH + 8
            out.append(
                f'<g class="start"><title>{escape_text(node.label)}</title>'
                f'<circle cx="{_n(dot)}" cy="{_n(node.y)}" r="6" fill="{COLOUR_BOX_STROKE}"/>'
                f'<path d="M{_n(dot + 6)},{_n(node.y)} L{_n(x0)},{_n(node.y)}" stroke="{COLOUR_BOX_STROKE}" '
                f'stroke-width="1.5" fill="none" marker-end="url(#{arrow})"/></g>'
            )
    for e, (source, target, label) in enumerate(edges):
        if not label:
            continue
        rect = placed.labels.get(e)
        anchor_left = rect is None
        if rect is None:
            rect = loop_label_rects[e]
        out.append(
            f'<g class="edge-label" data-from="{escape_attr(source)}" data-to="{escape_attr(target)}">'
            + _label(rect, label, anchor_left=anchor_left)
            + "</g>"
        )
    out.append("</g></svg>")
    return "\n".join(out) + "\n"
