"""The state-machine drawing (服务流程图): a standalone, deterministic, CSP-safe SVG."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from zhaoyin.lib import flowchart
from zhaoyin.lib.flowchart import render_svg

NS = {"s": "http://www.w3.org/2000/svg"}
S = "{http://www.w3.org/2000/svg}"

# The matter workflow of DESIGN 3.5, written out here on purpose: the engine is generic.
STATES = [
    ("draft", "登记"),
    ("assigned", "已交办"),
    ("accepted", "办理中"),
    ("returned", "已退回"),
    ("reported", "已反馈"),
    ("closed", "已办结"),
    ("rated", "已评价"),
    ("cancelled", "已撤销"),
]
EDGES = [
    ("draft", "assigned", "交办"),
    ("draft", "cancelled", "撤销"),
    ("assigned", "accepted", "签收"),
    ("assigned", "returned", "退回"),
    ("assigned", "cancelled", "撤销"),
    ("returned", "assigned", "改派"),
    ("returned", "cancelled", "撤销"),
    ("accepted", "accepted", "申请延期"),
    ("accepted", "accepted", "批准/不予延期"),
    ("accepted", "reported", "办结反馈"),
    ("accepted", "cancelled", "撤销"),
    ("reported", "closed", "审核通过"),
    ("reported", "accepted", "驳回重办"),
    ("closed", "rated", "评价（满意/基本满意）"),
    ("rated", "accepted", "不满意重办"),
]


def draw(**kw: object) -> str:
    return render_svg(STATES, EDGES, initial="draft", terminal={"rated", "cancelled"}, **kw)  # type: ignore[arg-type]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output, parsed to check it)


def groups(root: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{S}g") if cls in (g.get("class") or "").split()]


Box = tuple[float, float, float, float]


def rect_of(el: ET.Element) -> Box:
    x, y = float(el.get("x", "0")), float(el.get("y", "0"))
    return (x, y, x + float(el.get("width", "0")), y + float(el.get("height", "0")))


def overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def state_boxes(root: ET.Element) -> dict[str, Box]:
    out = {}
    for g in groups(root, "state"):
        rect = g.find("s:rect", NS)
        assert rect is not None
        out[g.get("data-state", "")] = rect_of(rect)
    return out


def test_every_state_and_edge_is_drawn_once_with_a_title() -> None:
    root = parse(draw(title="交办事项服务流程图"))
    assert root.tag == f"{S}svg"
    assert root.findtext("s:title", namespaces=NS) == "交办事项服务流程图"
    states = groups(root, "state")
    assert [g.get("data-state") for g in states] == [code for code, _ in STATES]
    for g, (code, label) in zip(states, STATES, strict=True):
        texts = [t.text for t in g.iter(f"{S}text")]
        assert texts == [label, code]
        assert g.findtext("s:title", namespaces=NS) == f"{label} ({code})"
    edges = groups(root, "edge")
    assert [(g.get("data-from"), g.get("data-to")) for g in edges] == [(a, b) for a, b, _ in EDGES]
    for g, (_a, _b, label) in zip(edges, EDGES, strict=True):
        title = g.findtext("s:title", namespaces=NS)
        assert title is not None
        assert title.endswith(f": {label}")
    labels = groups(root, "edge-label")
    assert [[t.text for t in g.iter(f"{S}text")] for g in labels] == [[label] for _a, _b, label in EDGES]
    # Each label once per edge over the whole document (撤销 is on four edges).
    all_texts = Counter(t.text for t in root.iter(f"{S}text"))
    for label, count in Counter(label for _a, _b, label in EDGES).items():
        assert all_texts[label] == count


def test_arrows_reference_a_defined_marker() -> None:
    root = parse(draw())
    markers = {m.get("id") for m in root.iter(f"{S}marker")}
    assert markers == {"flow-arrow", "flow-arrow-back"}
    paths = [p for g in groups(root, "edge") for p in g.iter(f"{S}path")]
    assert len(paths) == len(EDGES)
    for path in paths:
        ref = path.get("marker-end", "")
        assert ref.startswith("url(#")
        assert ref[5:-1] in markers
    back = [g for g in groups(root, "edge") if "back" in (g.get("class") or "")]
    assert {(g.get("data-from"), g.get("data-to")) for g in back} == {
        ("returned", "assigned"),
        ("reported", "accepted"),
        ("rated", "accepted"),
    }


def test_no_box_overlaps_another_and_no_label_overlaps_a_box_or_a_label() -> None:
    root = parse(draw())
    boxes = state_boxes(root)
    for (a, ra), (b, rb) in itertools.combinations(boxes.items(), 2):
        assert not overlap(ra, rb), (a, b)
    labels = []
    for g in groups(root, "edge-label"):
        rect = g.find("s:rect", NS)
        assert rect is not None
        labels.append(rect_of(rect))
    for label in labels:
        for code, box in boxes.items():
            assert not overlap(label, box), code
    for first, second in itertools.combinations(labels, 2):
        assert not overlap(first, second)
    width, height = float(root.get("width", "0")), float(root.get("height", "0"))
    for x0, y0, x1, y1 in [*boxes.values(), *labels]:
        assert 0 <= x0 < x1 <= width
        assert 0 <= y0 < y1 <= height


def test_rows_follow_the_longest_path_from_the_initial_state() -> None:
    boxes = state_boxes(parse(draw()))
    top = {code: box[1] for code, box in boxes.items()}
    assert top["draft"] < top["assigned"] < top["accepted"] < top["reported"] < top["closed"] < top["rated"]
    assert top["returned"] == top["accepted"]
    assert top["cancelled"] == top["reported"]  # one row below its latest source (accepted)


def test_output_is_deterministic_and_free_of_style_and_script() -> None:
    svg = draw()
    assert svg == draw()
    assert svg == render_svg(list(STATES), tuple(EDGES), initial="draft", terminal=["cancelled", "rated"])
    lowered = svg.lower()
    for forbidden in ("style", "<script", "javascript:", "onload", "href"):
        assert forbidden not in lowered
    root = parse(svg)
    families = [g.get("font-family", "") for g in root.iter(f"{S}g") if g.get("font-family")]
    assert families
    assert "Noto Sans CJK SC" in families[0]


def test_text_is_escaped_and_chinese_stays_text() -> None:
    states = [("a<1>", 'A & "B"'), ("b", "<script>alert(1)</script>"), ("c", "中文\x00标签")]
    edges = [("a<1>", "b", "x < y & z > \"w\""), ("b", "c", "办理'中'")]
    svg = render_svg(states, edges, initial="a<1>", terminal={"c"})
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(svg)
    texts = [t.text for t in root.iter(f"{S}text")]
    assert 'A & "B"' in texts
    assert 'x < y & z > "w"' in texts
    assert "中文\ufffd标签" in texts  # a character XML cannot carry is replaced, not dropped silently
    assert "办理'中'" in texts
    assert [g.get("data-state") for g in groups(root, "state")] == ["a<1>", "b", "c"]


def test_boxes_are_sized_for_cjk_labels() -> None:
    long_cjk = "营商环境改革举措牵头单位办理中"
    boxes = state_boxes(parse(render_svg([("x", long_cjk), ("y", "ok")], [("x", "y", "go")])))
    width = boxes["x"][2] - boxes["x"][0]
    assert width >= len(long_cjk) * flowchart.LABEL_SIZE
    assert flowchart.text_width("中文", 10) == 20
    assert flowchart.text_width("ab", 10) == pytest.approx(12.4)


@pytest.mark.parametrize(
    ("edges", "initial", "terminal", "message"),
    [
        ([("draft", "nowhere", "交办")], None, (), "nowhere"),
        ([("ghost", "draft", "x")], None, (), "ghost"),
        ([], "missing", (), "missing"),
        ([], None, ("gone",), "gone"),
    ],
)
def test_unknown_states_are_named(
    edges: list[tuple[str, str, str]], initial: str | None, terminal: tuple[str, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        render_svg(STATES, edges, initial=initial, terminal=terminal)


def test_duplicate_states_and_bad_id_prefix_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate state 'a'"):
        render_svg([("a", "A"), ("a", "B")], [])
    with pytest.raises(ValueError, match="id_prefix"):
        render_svg([("a", "A")], [], id_prefix='x" onload="')


def test_small_and_degenerate_graphs() -> None:
    empty = parse(render_svg([], []))
    assert groups(empty, "state") == []
    single = parse(render_svg([("only", "唯一")], [("only", "only", "自环")], initial="only"))
    assert len(groups(single, "edge")) == 1
    assert [t.text for g in groups(single, "edge-label") for t in g.iter(f"{S}text")] == ["自环"]
    # No initial state, a cycle only, a long forward edge and parallel edges.
    states = [(c, c.upper()) for c in "abcde"]
    edges = [("a", "b", "1"), ("b", "c", "2"), ("c", "d", "3"), ("d", "a", "4"), ("a", "d", "5"), ("a", "b", "6"),
             ("e", "c", "")]
    root = parse(render_svg(states, edges, id_prefix="other-chart"))
    boxes = state_boxes(root)
    for a, b in itertools.combinations(boxes.values(), 2):
        assert not overlap(a, b)
    assert {m.get("id") for m in root.iter(f"{S}marker")} == {"other-chart-arrow", "other-chart-arrow-back"}
    assert len(groups(root, "edge")) == len(edges)
    assert len(groups(root, "edge-label")) == len(edges) - 1  # the unlabelled edge has no label


def test_a_wide_graph_keeps_labels_clear() -> None:
    states = [("hub", "中心")] + [(f"s{i}", f"状态{i}") for i in range(8)] + [("end", "结束")]
    edges = [("hub", f"s{i}", f"动作{i}号") for i in range(8)] + [(f"s{i}", "end", f"完成{i}") for i in range(8)]
    edges += [("end", "hub", "重新开始"), ("hub", "end", "直接结束")]
    root = parse(render_svg(states, edges, initial="hub", terminal={"end"}))
    boxes = list(state_boxes(root).values())
    labels = []
    for g in groups(root, "edge-label"):
        rect = g.find("s:rect", NS)
        assert rect is not None
        labels.append(rect_of(rect))
    assert len(labels) == len(edges)
    for label in labels:
        assert not any(overlap(label, box) for box in boxes)
    for a, b in itertools.combinations(labels, 2):
        assert not overlap(a, b)


def path_points(d: str) -> list[tuple[float, float]]:
    """Points along an SVG path of M, L and C commands (what the renderer emits)."""
    tokens = re.findall(r"[MLC]|-?\d+(?:\.\d+)?", d)
    points: list[tuple[float, float]] = []
    current = (0.0, 0.0)
    i = 0
    while i < len(tokens):
        command = tokens[i]
        if command == "M":
            current = (float(tokens[i + 1]), float(tokens[i + 2]))
            points.append(current)
            i += 3
        elif command == "L":
            end = (float(tokens[i + 1]), float(tokens[i + 2]))
            points.extend((current[0] + (end[0] - current[0]) * t / 10, current[1] + (end[1] - current[1]) * t / 10)
                          for t in range(1, 11))
            current = end
            i += 3
        else:
            assert command == "C"
            c1 = (float(tokens[i + 1]), float(tokens[i + 2]))
            c2 = (float(tokens[i + 3]), float(tokens[i + 4]))
            end = (float(tokens[i + 5]), float(tokens[i + 6]))
            for k in range(1, 21):
                t = k / 20
                u = 1 - t
                points.append((
                    u**3 * current[0] + 3 * u * u * t * c1[0] + 3 * u * t * t * c2[0] + t**3 * end[0],
                    u**3 * current[1] + 3 * u * u * t * c1[1] + 3 * u * t * t * c2[1] + t**3 * end[1],
                ))
            current = end
            i += 7
    return points


@pytest.mark.parametrize("which", ["design", "cycle", "wide"])
def test_no_edge_runs_through_a_box(which: str) -> None:
    if which == "design":
        svg = draw()
    elif which == "cycle":
        states = [(c, c.upper()) for c in "abcdef"]
        edges = [("a", "b", "1"), ("b", "c", "2"), ("c", "d", "3"), ("d", "a", "4"), ("a", "d", "5"),
                 ("a", "f", "6"), ("f", "b", "7"), ("e", "e", "8"), ("c", "a", "9")]
        svg = render_svg(states, edges, initial="a")
    else:
        states = [("hub", "中心")] + [(f"s{i}", f"状态{i}") for i in range(6)] + [("end", "结束")]
        edges = [("hub", f"s{i}", f"动作{i}") for i in range(6)] + [(f"s{i}", "end", f"完成{i}") for i in range(6)]
        edges += [("end", "hub", "重新开始"), ("hub", "end", "直接结束"), ("s0", "hub", "撤回")]
        svg = render_svg(states, edges, initial="hub")
    root = parse(svg)
    boxes = list(state_boxes(root).values())
    paths = [p for g in groups(root, "edge") for p in g.iter(f"{S}path")]
    assert paths
    for path in paths:
        for x, y in path_points(path.get("d", "")):
            for x0, y0, x1, y1 in boxes:
                assert not (x0 + 1 < x < x1 - 1 and y0 + 1 < y < y1 - 1), (path.get("d"), (x, y))
