"""A swimlane flowchart (泳道图) of a state machine, as SVG: pure layout, no Django.

The people-facing picture of a process: one horizontal lane per actor (诉求人, 平台/督查室,
承办单位, 领导 …), the states as boxes in the lane of whoever owes the next step, in columns
that follow the lifecycle; an arrow per state change labelled with its action; the actions that
keep the state (a progress note, 催办, 挂牌 …) as small pills in the lane of who takes them,
joined by a dashed line to the states they are taken from. Every box may carry a note (a
working-day limit). Many-to-one changes into a terminal state (撤销 from every open state)
are written once under the target instead of drawn as a fan of arrows.

An arrow is a straight line unless that line would cross another box; it then runs along the
gutters between the columns (out of the side of its source, along the gutter next to its
target, into the target's side). Notes wider than a column are wrapped to it, and each arrow's
label is put at the first place along its longest segment that covers no box, note, pill or
other label (the least covered one when there is none), so no word sits on another.

The caller decides everything table-specific (lanes, which state sits where, the notes); this
module only draws. Every text is escaped; the output is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

LABEL_W = 96
COL_W = 176
NODE_W, NODE_H = 136, 40
PILL_W, PILL_H = 136, 24
TOP = 48
PAD = 14
LANE_FILLS = ("#f4f8fc", "#fbfaf4", "#f5fbf6", "#fbf5f7", "#f6f5fb")


@dataclass(frozen=True)
class Lane:
    """A lane: its code and the heading drawn at its left."""

    code: str
    label: str


@dataclass(frozen=True)
class Step:
    """A state box: its lane, column, label and note lines."""

    code: str
    label: str
    lane: str
    column: int
    notes: tuple[str, ...] = ()
    terminal: bool = False
    initial: bool = False


@dataclass(frozen=True)
class Move:
    """A state change: from, to, the action's label."""

    source: str
    target: str
    label: str


@dataclass(frozen=True)
class Side:
    """An action that keeps the state: its label, lane, the states it is taken from, notes."""

    label: str
    lane: str
    sources: tuple[str, ...]
    notes: tuple[str, ...] = ()


@dataclass
class _Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def border_towards(self, tx: float, ty: float) -> tuple[float, float]:
        """Where the line from the centre towards (tx, ty) leaves the box."""
        dx, dy = tx - self.cx, ty - self.cy
        if dx == 0 and dy == 0:
            return self.cx, self.cy
        sx = (self.w / 2) / abs(dx) if dx else math.inf
        sy = (self.h / 2) / abs(dy) if dy else math.inf
        s = min(sx, sy)
        return self.cx + dx * s, self.cy + dy * s


@dataclass
class _Layout:
    lane_y: dict[str, tuple[float, float]] = field(default_factory=dict)
    boxes: dict[str, _Box] = field(default_factory=dict)


Rect = tuple[float, float, float, float]  # x0, y0, x1, y1
Point = tuple[float, float]
#: How far a note may reach past its column's width (into the gutters' outer halves).
NOTE_MARGIN = 8


def _width(text: str, size: int) -> float:
    """About how wide ``text`` is at ``size`` px: a CJK character as wide as the font is high,
    a Latin letter or digit a little over half of it."""
    return sum(size * (0.6 if ord(c) < 0x2E80 else 1.0) for c in text)


def _wrap(text: str, size: int, width: float = COL_W + NOTE_MARGIN) -> list[str]:
    """``text`` cut into lines no wider than ``width`` at ``size`` px."""
    lines, line = [], ""
    for c in text:
        if line and _width(line + c, size) > width:
            # Break after the last 、，： when that keeps the line at least half full.
            cut = max(line.rfind(p) for p in "、，：")
            if cut + 1 >= len(line) / 2:
                lines.append(line[: cut + 1])
                line = line[cut + 1 :]
            else:
                lines.append(line)
                line = ""
        line += c
    return [*lines, line]


def _text_rect(cx: float, baseline: float, text: str, size: int) -> Rect:
    """The box a centred text covers (a little air around it)."""
    w = _width(text, size)
    return (cx - w / 2 - 1, baseline - size - 1, cx + w / 2 + 1, baseline + 3)


def _overlap(a: Rect, b: Rect) -> float:
    """The area two rectangles share."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _crosses(p: Point, q: Point, rect: Rect, margin: float = 3.0) -> bool:
    """Whether the segment p–q runs through ``rect`` (grown by ``margin``), by sampling."""
    x0, y0, x1, y1 = rect[0] - margin, rect[1] - margin, rect[2] + margin, rect[3] + margin
    steps = max(1, int(math.hypot(q[0] - p[0], q[1] - p[1]) // 3))
    for i in range(steps + 1):
        t = i / steps
        x, y = p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t
        if x0 < x < x1 and y0 < y < y1:
            return True
    return False


def _path_crosses(points: Sequence[Point], rects: Sequence[Rect]) -> bool:
    return any(_crosses(points[i], points[i + 1], r) for i in range(len(points) - 1) for r in rects)


def _rect_of(box: _Box) -> Rect:
    return (box.x, box.y, box.x + box.w, box.y + box.h)


def _straight(ba: _Box, bb: _Box, off: float) -> list[Point]:
    """A straight arrow between two boxes' borders, moved ``off`` px sideways (a pair drawn
    both ways is kept apart; a small move clears a corner in the way). The ends are where the
    moved line leaves ``ba`` and enters ``bb``."""
    dx, dy = bb.cx - ba.cx, bb.cy - ba.cy
    length = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / length * off, dx / length * off
    p, q = (ba.cx + nx, ba.cy + ny), (bb.cx + nx, bb.cy + ny)

    def at(t: float) -> Point:
        return p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t

    def inside(box: _Box, pt: Point) -> bool:
        return box.x <= pt[0] <= box.x + box.w and box.y <= pt[1] <= box.y + box.h

    def edge(box: _Box, lo: float, hi: float) -> float:
        # Bisection between a t inside ``box`` (lo) and one outside (hi).
        for _ in range(30):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if inside(box, at(mid)) else (lo, mid)
        return (lo + hi) / 2

    if not (inside(ba, p) and inside(bb, q)):
        return [ba.border_towards(bb.cx, bb.cy), bb.border_towards(ba.cx, ba.cy)]
    return [at(edge(ba, 0.0, 1.0)), at(edge(bb, 1.0, 0.0))]


def _through_gutter(ba: _Box, bb: _Box, gx: float, lift: float, *, right: bool) -> list[Point]:
    """An arrow out of the side of ``ba``, along the gutter at ``gx``, into the side of ``bb``
    (``right``: the target is in a later column); ``lift`` keeps a pair drawn both ways apart."""
    out_x = ba.x + ba.w if gx > ba.cx else ba.x
    in_x = bb.x if right else bb.x + bb.w
    y1, y2 = ba.cy + lift, bb.cy + lift
    return [(out_x, y1), (gx, y1), (gx, y2), (in_x, y2)]


def _label_place(
    points: Sequence[Point], width: float, taken: Sequence[Rect], lines: Sequence[Sequence[Point]] = ()
) -> Point:
    """Where an arrow's label (``width`` wide, 16 high) goes: along its segments, longest
    first, the first spot covering nothing in ``taken`` and no other arrow of ``lines``; else
    the least covered spot (an arrow crossed counts as much as a small overlap)."""
    segments = sorted(
        range(len(points) - 1),
        key=lambda i: -math.hypot(points[i + 1][0] - points[i][0], points[i + 1][1] - points[i][1]),
    )
    best: tuple[float, Point] | None = None
    spots: list[Point] = []
    for i in segments:
        (x1, y1), (x2, y2) = points[i], points[i + 1]
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        nx, ny = -(y2 - y1) / length, (x2 - x1) / length
        # On the line first; then beside it (a short arrow between two close boxes, a pair).
        for side in (0.0, 8.0, -8.0):
            spots += [
                (x1 + (x2 - x1) * t + nx * side, y1 + (y2 - y1) * t + ny * side + 4)
                for t in (0.5, 0.35, 0.65, 0.2, 0.8)
            ]
    for x, y in spots:
        rect = (x - width / 2, y - 10, x + width / 2, y + 6)
        cover = sum(_overlap(rect, r) for r in taken)
        cover += 40.0 * sum(_path_crosses(line, [rect]) for line in lines)
        if cover == 0:
            return x, y
        if best is None or cover < best[0]:
            best = (cover, (x, y))
    assert best is not None
    return best[1]


def _text(x: float, y: float, text: str, *, size: int = 12, anchor: str = "middle", cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{klass}>{escape(text)}</text>'
    )


def render_swimlanes(
    lanes: Sequence[Lane],
    steps: Sequence[Step],
    moves: Sequence[Move],
    sides: Sequence[Side],
    *,
    title: str,
    id_prefix: str,
    fan_in: int = 3,
) -> str:
    """The SVG of the chart (see the module docstring). ``fan_in``: a terminal state reached
    by one action from this many states or more gets a note instead of arrows."""
    lane_codes = [lane.code for lane in lanes]
    columns = max([s.column for s in steps] + [0]) + 1
    # Stack the side pills per (lane, column) under the states of that cell.
    step_of = {s.code: s for s in steps}
    side_cells: dict[tuple[str, int], list[Side]] = {}
    for side in sides:
        cols = [step_of[c].column for c in side.sources if c in step_of]
        col = max(cols) if cols else 0
        side_cells.setdefault((side.lane, col), []).append(side)
    # The notes of fanned-in moves, written under their target.
    fan: dict[tuple[str, str], list[str]] = {}
    for m in moves:
        fan.setdefault((m.target, m.label), []).append(m.source)
    fanned = {
        key for key, sources in fan.items() if key[0] in step_of and step_of[key[0]].terminal and len(sources) >= fan_in
    }
    drawn = [m for m in moves if (m.target, m.label) not in fanned]
    extra_notes: dict[str, list[str]] = {}
    for target, label in sorted(fanned):
        names = "、".join(step_of[s].label for s in fan[(target, label)] if s in step_of)
        extra_notes.setdefault(target, []).append(f"← {label}：{names}")

    # Every note wrapped to the column once, so heights and drawing agree.
    step_lines = {
        s.code: [ln for note in (*s.notes, *extra_notes.get(s.code, [])) for ln in _wrap(note, 11)] for s in steps
    }
    for in_cell in side_cells.values():
        for n, side in enumerate(in_cell):
            if len(side.sources) >= fan_in:
                # Taken from many states: named under the pill instead of a fan of dashed lines.
                labels = [step_of[c].label for c in side.sources if c in step_of]
                names = "、".join(labels[:3]) + ("…" if len(labels) > 3 else "")
                side = Side(side.label, side.lane, side.sources, (*side.notes, names))
            # A pill's notes keep to the pill's width: arrows pass beside the pills.
            wrapped = tuple(ln for note in side.notes for ln in _wrap(note, 10, PILL_W + NOTE_MARGIN))
            in_cell[n] = Side(side.label, side.lane, side.sources, wrapped)

    def cell_height(lane: str, col: int) -> float:
        in_cell = [s for s in steps if s.lane == lane and s.column == col]
        h = 0.0
        for s in in_cell:
            h += NODE_H + 16 * len(step_lines[s.code]) + 10
        for side in side_cells.get((lane, col), []):
            h += PILL_H + 14 * len(side.notes) + 10
        return h

    layout = _Layout()
    y = float(TOP)
    for lane in lanes:
        height = max([cell_height(lane.code, c) for c in range(columns)] + [NODE_H]) + 2 * PAD + 8
        layout.lane_y[lane.code] = (y, height)
        y += height
    width = LABEL_W + columns * COL_W + PAD
    total_h = y + PAD

    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {total_h:.0f}" width="{width:.0f}" '
        f'height="{total_h:.0f}" role="img" aria-labelledby="{id_prefix}-title" '
        'font-family="Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif">',
        f'<title id="{id_prefix}-title">{escape(title)}</title>',
        "<defs>"
        f'<marker id="{id_prefix}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#455a64"/></marker></defs>',
        _text(width / 2, 28, title, size=16),
    ]
    for i, lane in enumerate(lanes):
        ly, lh = layout.lane_y[lane.code]
        fill = LANE_FILLS[i % len(LANE_FILLS)]
        parts.append(
            f'<g class="zy-lane" data-lane="{escape(lane.code)}"><rect x="0" y="{ly:.1f}" width="{width:.0f}" '
            f'height="{lh:.1f}" fill="{fill}" stroke="#b0bec5"/>'
            f'<rect x="0" y="{ly:.1f}" width="{LABEL_W}" height="{lh:.1f}" fill="#e3eaf0" stroke="#b0bec5"/>'
        )
        chars = list(lane.label)
        # The lane heading, wrapped every 6 characters (CJK reads well in short lines).
        lines = ["".join(chars[k : k + 6]) for k in range(0, len(chars), 6)] or [""]
        start = ly + lh / 2 - (len(lines) - 1) * 9
        for n, line in enumerate(lines):
            parts.append(_text(LABEL_W / 2, start + n * 18 + 4, line, size=14, cls="zy-lane-label"))
        parts.append("</g>")
    # Place the states and pills.
    cursor: dict[tuple[str, int], float] = {}
    for s in steps:
        ly, _lh = layout.lane_y[s.lane]
        top = cursor.get((s.lane, s.column), ly + PAD + 4)
        x = LABEL_W + s.column * COL_W + (COL_W - NODE_W) / 2
        layout.boxes[s.code] = _Box(x, top, NODE_W, NODE_H)
        cursor[(s.lane, s.column)] = top + NODE_H + 16 * len(step_lines[s.code]) + 10
    pills: list[tuple[Side, _Box]] = []
    for (lane_code, col), in_cell in side_cells.items():
        ly, _lh = layout.lane_y[lane_code]
        for side in in_cell:
            top = cursor.get((lane_code, col), ly + PAD + 4)
            box = _Box(LABEL_W + col * COL_W + (COL_W - PILL_W) / 2, top, PILL_W, PILL_H)
            pills.append((side, box))
            cursor[(lane_code, col)] = top + PILL_H + 14 * len(side.notes) + 10
    # Dashed joins of the pills first (under everything).
    for side, box in pills:
        if len(side.sources) >= fan_in:
            continue
        for src in side.sources:
            joined = layout.boxes.get(src)
            if joined is None:
                continue
            x1, y1 = box.border_towards(joined.cx, joined.cy)
            x2, y2 = joined.border_towards(box.cx, box.cy)
            parts.append(
                f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#90a4ae" '
                'stroke-dasharray="4 3" class="zy-side-link"/>'
            )
    # What arrows avoid and labels may not cover: the boxes, the pills and their notes.
    box_rects = {code: _rect_of(box) for code, box in layout.boxes.items()}
    note_rects: list[Rect] = []
    for s in steps:
        box = layout.boxes[s.code]
        note_rects += [_text_rect(box.cx, box.y + box.h + 14 + 16 * n, t, 11) for n, t in enumerate(step_lines[s.code])]
    for side, box in pills:
        note_rects += [_text_rect(box.cx, box.y + box.h + 12 + 14 * n, t, 10) for n, t in enumerate(side.notes)]
    pill_rects = [_rect_of(box) for _side, box in pills]
    taken: list[Rect] = [*box_rects.values(), *pill_rects, *note_rects]
    # The arrows: one per (source, target), labels merged; a pair both ways is drawn apart.
    merged: dict[tuple[str, str], list[str]] = {}
    for m in drawn:
        labels = merged.setdefault((m.source, m.target), [])
        if m.label not in labels:
            labels.append(m.label)
    gutter_use: dict[float, int] = {}
    routes: list[tuple[str, str, list[str], list[Point]]] = []
    for (a, b), labels in merged.items():
        if a not in layout.boxes or b not in layout.boxes:
            continue
        ba, bb = layout.boxes[a], layout.boxes[b]
        both_ways = (b, a) in merged
        avoid = [r for code, r in box_rects.items() if code not in (a, b)] + pill_rects + note_rects
        base = 7.0 if both_ways else 0.0
        # Straight if it can be, moved a little sideways if that clears a corner in its way.
        candidates = [_straight(ba, bb, base + shift) for shift in (0.0, 10.0, -10.0, 16.0, -16.0)]
        points = next((c for c in candidates if not _path_crosses(c, avoid)), candidates[0])
        if _path_crosses(points, avoid):
            col_a, col_b = step_of[a].column, step_of[b].column
            gutter = LABEL_W + (col_b if col_b > col_a else col_b + 1) * COL_W
            n = gutter_use.get(gutter, 0)
            gutter_use[gutter] = n + 1
            shift = (1 if n % 2 else -1) * 6 * ((n + 1) // 2)
            lift = (-6.0 if a < b else 6.0) if both_ways else 0.0
            routed = _through_gutter(ba, bb, gutter + shift, lift, right=col_b > col_a)
            if not _path_crosses(routed, avoid):
                points = routed
        routes.append((a, b, labels, points))
    for a, b, _labels, points in routes:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="#455a64" stroke-width="1.4" '
            f'marker-end="url(#{id_prefix}-arrow)" class="zy-move" data-from="{escape(a)}" data-to="{escape(b)}"/>'
        )
    # The labels after every arrow is known, each kept off the others' lines.
    for a, b, labels, points in routes:
        text = "、".join(labels)
        w = 12 * len(text) + 8
        others = [r[3] for r in routes if (r[0], r[1]) != (a, b)]
        mx, my = _label_place(points, w, taken, others)
        taken.append((mx - w / 2, my - 10, mx + w / 2, my + 6))
        parts.append(
            f'<rect x="{mx - w / 2:.1f}" y="{my - 10:.1f}" width="{w:.1f}" height="16" rx="3" fill="#ffffff" '
            'fill-opacity="0.9" class="zy-move-label-bg"/>'
        )
        parts.append(_text(mx, my + 2, text, size=11, cls="zy-move-label"))
    for s in steps:
        box = layout.boxes[s.code]
        stroke = "#1565c0" if s.initial else ("#78909c" if s.terminal else "#37474f")
        parts.append(
            f'<g class="zy-step" data-state="{escape(s.code)}"><rect x="{box.x:.1f}" y="{box.y:.1f}" '
            f'width="{box.w}" height="{box.h}" rx="8" fill="#ffffff" stroke="{stroke}" stroke-width="1.6"/>'
        )
        parts.append(_text(box.cx, box.cy + 5, s.label, size=14, cls="zy-step-label"))
        for n, note in enumerate(step_lines[s.code]):
            parts.append(_text(box.cx, box.y + box.h + 14 + 16 * n, note, size=11, cls="zy-note"))
        parts.append("</g>")
    for side, box in pills:
        parts.append(
            f'<g class="zy-side"><rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w}" height="{box.h}" rx="12" '
            'fill="#fffde7" stroke="#f9a825"/>'
        )
        parts.append(_text(box.cx, box.cy + 4, side.label, size=12, cls="zy-side-label"))
        for n, note in enumerate(side.notes):
            parts.append(_text(box.cx, box.y + box.h + 12 + 14 * n, note, size=10, cls="zy-note"))
        parts.append("</g>")
    parts.append("</svg>")
    assert set(lane_codes) >= {s.lane for s in steps}
    return "\n".join(parts)
