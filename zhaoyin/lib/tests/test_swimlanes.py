"""The swimlane layout (lib.swimlanes): arrows go round the boxes in their way, labels cover no
box, pill or other label, long notes are wrapped to their column. Checked on the SVG itself."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from zhaoyin.lib.swimlanes import COL_W, Lane, Move, Side, Step, _path_crosses, _wrap, render_swimlanes

NS = "{http://www.w3.org/2000/svg}"
Rect = tuple[float, float, float, float]


def _rect(el: ET.Element | None) -> Rect:
    assert el is not None
    x, y = float(el.get("x", 0)), float(el.get("y", 0))
    return x, y, x + float(el.get("width", 0)), y + float(el.get("height", 0))


def _overlap(a: Rect, b: Rect) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def geometry(svg: str) -> dict[str, list[Any]]:
    """The state boxes (code, rect), pills, label rects and arrows (from, to, points) drawn."""
    root = ET.fromstring(svg)  # noqa: S314 (our own output)
    steps = [
        (g.get("data-state"), _rect(g.find(f"{NS}rect"))) for g in root.iter(f"{NS}g") if g.get("class") == "zy-step"
    ]
    pills = [_rect(g.find(f"{NS}rect")) for g in root.iter(f"{NS}g") if g.get("class") == "zy-side"]
    labels = [_rect(r) for r in root.iter(f"{NS}rect") if r.get("class") == "zy-move-label-bg"]
    arrows = [
        (
            p.get("data-from"),
            p.get("data-to"),
            [tuple(float(v) for v in pair.split(",")) for pair in p.get("points", "").split()],
        )
        for p in root.iter(f"{NS}polyline")
        if p.get("class") == "zy-move"
    ]
    return {"steps": steps, "pills": pills, "labels": labels, "arrows": arrows}


def assert_readable(svg: str) -> None:
    g = geometry(svg)
    boxes = [r for _c, r in g["steps"]] + g["pills"]
    for i, label in enumerate(g["labels"]):
        assert not any(_overlap(label, b) for b in boxes), f"label {label} covers a box"
        assert not any(_overlap(label, o) for o in g["labels"][i + 1 :]), f"label {label} covers another label"
    for source, target, points in g["arrows"]:
        others = [r for code, r in g["steps"] if code not in (source, target)]
        assert not _path_crosses(points, others), f"{source}→{target} runs through a state"


LANES = [Lane("office", "办公室"), Lane("unit", "承办单位")]


def test_an_arrow_that_would_cross_a_stacked_box_goes_round_it() -> None:
    # draft and returned stacked in one cell: the straight draft → assigned line would run
    # through returned.
    steps = [
        Step("draft", "已登记", "office", 0, initial=True),
        Step("returned", "已退回", "office", 0),
        Step("assigned", "已交办", "unit", 1),
    ]
    moves = [
        Move("draft", "assigned", "交办"),
        Move("returned", "assigned", "交办"),
        Move("assigned", "returned", "退回"),
    ]
    svg = render_swimlanes(LANES, steps, moves, [], title="测试", id_prefix="t")
    assert_readable(svg)
    draft = next(points for source, _t, points in geometry(svg)["arrows"] if source == "draft")
    assert len(draft) == 4  # out of the side, along the gutter, into the side


def test_labels_keep_off_boxes_pills_and_each_other() -> None:
    steps = [
        Step("a", "甲", "office", 0, initial=True),
        Step("b", "乙", "unit", 1, notes=("办理时限：3–15个工作日（按类型）", "黄灯：5个工作日无进展")),
        Step("c", "丙", "office", 2),
        Step("z", "已撤销", "office", 3, terminal=True),
    ]
    moves = [
        Move("a", "b", "交办"),
        Move("b", "c", "办结反馈"),
        Move("c", "b", "退回重办"),
        Move("a", "z", "撤销"),
        Move("b", "z", "撤销"),
        Move("c", "z", "撤销"),
    ]
    sides = [Side("催办", "office", ("b",), ("自动：逾期后第1个工作日",)), Side("督办", "office", ("b",))]
    svg = render_swimlanes(LANES, steps, moves, sides, title="测试", id_prefix="t")
    assert_readable(svg)
    assert "← 撤销：甲、乙、丙" in "".join(ET.fromstring(svg).itertext())  # noqa: S314


def test_long_notes_are_wrapped_to_the_column_at_punctuation_when_it_can() -> None:
    lines = _wrap("← 撤销事项：已登记、已交办、办理中、已反馈、已退回", 11)
    assert "".join(lines) == "← 撤销事项：已登记、已交办、办理中、已反馈、已退回"
    assert len(lines) == 2
    assert lines[0].endswith("、")
    assert all(len(line) * 11 <= COL_W + 8 + 11 for line in lines)
    assert _wrap("签收时限：1个工作日", 11) == ["签收时限：1个工作日"]
