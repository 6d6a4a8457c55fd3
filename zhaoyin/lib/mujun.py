"""亩均效益综合评价 — the land-efficiency evaluation engine (DESIGN 3.9, issue 14).

Pure: no Django. A *scheme* (评价办法) of one year holds ordered *result lists* (规上; 规下 with
land ≥ N 亩; …). A firm belongs to the first list whose scope it meets. Each list scores its
firms on indicators ``numerator / denominator`` over named figures::

    points = min(value / benchmark × weight, cap)        (0 when value ≤ 0)
    score  = Σ points + Σ adjustments (加分 positive, 减分 negative)

A benchmark is a fixed number or ``average``: the list's aggregate ratio (Σ numerators ÷ Σ
denominators over its firms that have both — the way a region's 亩均税收 is reported: total
tax over total land). A firm without an indicator's data gets, by the list's missing-data
rule, the mean points of the firms that have it (``average``, Zhejiang's rule), nothing
(``zero``), or is evaluated but not graded (``ungraded``). Exempt firms (utilities, …) are
scored and not graded. Grades come from percentile bands over the graded firms ranked by
score (A ≤ 25 %, B ≤ 70 %, C ≤ 95 %, D the rest; equal scores share the better grade) or from
score cut-offs.

Reproducible: every quantity is a ``Decimal`` rounded half-up at fixed places (values 4,
points and scores 2), firms are taken in the order of their key, and
:func:`Run.digest` is a SHA-256 over the canonical JSON of the scheme, the inputs, the engine
version and the results — the same snapshot gives the same bytes.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from operator import itemgetter
from typing import Any, Literal, NamedTuple

#: Stored with every run; change it whenever a result could change for the same inputs.
ENGINE_VERSION = "mujun-1"

#: The figures a formula may name, with the bureau that owns each (issue 14 item 1).
FIGURES: dict[str, str] = {
    "tax": "实缴税金 (万元) — 税务",
    "revenue": "主营业务收入 (万元) — 统计",
    "value_added": "工业增加值 (万元) — 统计",
    "energy": "综合能耗 (吨标煤) — 发改/统计",
    "emissions": "主要污染物排放量 (吨) — 生态环境",
    "pollution_rights": "核定排污权 (吨) — 生态环境",
    "electricity": "用电量 (万千瓦时) — 供电",
    "rd": "研发经费 (万元) — 科技/统计",
    "employees": "年平均职工人数 — 人社/统计",
    "tech_investment": "技改投资 (万元) — 经信",
    "land_mu": "用地面积 (亩) — 自然资源",
}

VALUE_PLACES = Decimal("0.0001")
POINT_PLACES = Decimal("0.01")
GRADES = ("A", "B", "C", "D")
MissingRule = Literal["average", "zero", "ungraded"]
MISSING_RULES: tuple[str, ...] = ("average", "zero", "ungraded")
_FORMULA = re.compile(r"^\s*([a-z_]+)\s*/\s*([a-z_]+)\s*$")


class SchemeError(ValueError):
    """A scheme that cannot be run; ``errors`` maps a field path to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def _value(x: Decimal) -> Decimal:
    return x.quantize(VALUE_PLACES, rounding=ROUND_HALF_UP)


def _points(x: Decimal) -> Decimal:
    return x.quantize(POINT_PLACES, rounding=ROUND_HALF_UP)


# ---- the scheme -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    """One indicator of a list: ``formula`` is ``numerator / denominator`` over :data:`FIGURES`;
    ``benchmark`` a positive number or ``"average"``; ``cap`` the most points it can give."""

    code: str
    name: str
    formula: str
    weight: Decimal
    benchmark: Decimal | Literal["average"]
    cap: Decimal | None = None

    @property
    def terms(self) -> tuple[str, str]:
        match = _FORMULA.match(self.formula)
        if match is None:
            raise SchemeError({"formula": [f"not of the form 'figure / figure': {self.formula!r}"]})
        return match.group(1), match.group(2)


@dataclass(frozen=True)
class Scope:
    """Who a list evaluates: size classes (empty: any), land in [min, max) 亩 (None: open),
    at least ``min_years`` years since production started (None: any)."""

    size_classes: frozenset[str] = frozenset()
    land_min_mu: Decimal | None = None
    land_max_mu: Decimal | None = None
    min_years: int | None = None

    def admits(self, firm: FirmInput) -> bool:
        if self.size_classes and firm.size_class not in self.size_classes:
            return False
        land = firm.figures.get("land_mu")
        if self.land_min_mu is not None and (land is None or land < self.land_min_mu):
            return False
        if self.land_max_mu is not None and (land is None or land >= self.land_max_mu):
            return False
        if self.min_years is None:
            return True
        return firm.years_in_production is not None and firm.years_in_production >= self.min_years


@dataclass(frozen=True)
class Grading:
    """Percentile bands (``("A", 25), ("B", 70), ("C", 95), ("D", 100)``: the share of graded
    firms, best first) or score cut-offs (``("A", 90), ("B", 75), ("C", 60), ("D", 0)``: the
    lowest score of each grade)."""

    method: Literal["percentile", "cutoff"]
    bands: tuple[tuple[str, Decimal], ...]


@dataclass(frozen=True)
class ResultList:
    """One result list of a scheme (规上, 规下 ≥ 3 亩 …)."""

    code: str
    name: str
    scope: Scope
    indicators: tuple[Indicator, ...]
    grading: Grading
    missing: MissingRule = "average"
    weight_total: Decimal | None = Decimal(100)


@dataclass(frozen=True)
class Scheme:
    """A year's evaluation scheme (评价办法), in the order its lists are tried."""

    year: int
    version: int
    lists: tuple[ResultList, ...]


def validate(scheme: Scheme) -> None:
    """Raise :class:`SchemeError` naming every field that is wrong (``lists[0].indicators[2].
    benchmark``); nothing is run on a scheme that does not pass."""
    errors: dict[str, list[str]] = {}

    def add(path: str, message: str) -> None:
        errors.setdefault(path, []).append(message)

    if not scheme.lists:
        add("lists", "a scheme needs at least one result list")
    seen: set[str] = set()
    for i, lst in enumerate(scheme.lists):
        at = f"lists[{i}]"
        if lst.code in seen:
            add(f"{at}.code", f"list code {lst.code!r} is used twice")
        seen.add(lst.code)
        if not lst.indicators:
            add(f"{at}.indicators", "a list needs at least one indicator")
        if lst.missing not in MISSING_RULES:
            add(f"{at}.missing", f"must be one of {', '.join(MISSING_RULES)}")
        codes: set[str] = set()
        for j, ind in enumerate(lst.indicators):
            where = f"{at}.indicators[{j}]"
            if ind.code in codes:
                add(f"{where}.code", f"indicator {ind.code!r} is used twice in the list")
            codes.add(ind.code)
            match = _FORMULA.match(ind.formula)
            if match is None:
                add(f"{where}.formula", "write it as 'figure / figure', e.g. 'tax / land_mu'")
            else:
                for term in match.groups():
                    if term not in FIGURES:
                        add(f"{where}.formula", f"unknown figure {term!r}; known: {', '.join(FIGURES)}")
            if ind.weight <= 0:
                add(f"{where}.weight", "must be above 0")
            if ind.benchmark != "average" and ind.benchmark <= 0:
                add(f"{where}.benchmark", "must be above 0 (or 'average')")
            if ind.cap is not None and ind.cap <= 0:
                add(f"{where}.cap", "must be above 0 when given")
        total = sum((ind.weight for ind in lst.indicators), Decimal(0))
        if lst.weight_total is not None and lst.indicators and total != lst.weight_total:
            add(f"{at}.indicators", f"the weights sum to {total}, the scheme says {lst.weight_total}")
        _validate_grading(lst.grading, f"{at}.grading", add)
        scope = lst.scope
        if scope.land_min_mu is not None and scope.land_min_mu < 0:
            add(f"{at}.scope.land_min_mu", "must not be negative")
        if scope.land_min_mu is not None and scope.land_max_mu is not None and scope.land_max_mu <= scope.land_min_mu:
            add(f"{at}.scope.land_max_mu", "must be above the minimum")
    if errors:
        raise SchemeError(errors)


def _validate_grading(grading: Grading, at: str, add: Any) -> None:
    if grading.method not in ("percentile", "cutoff"):
        add(f"{at}.method", "must be percentile or cutoff")
        return
    names = [g for g, _ in grading.bands]
    if not names or len(set(names)) != len(names) or any(g not in GRADES for g in names):
        add(f"{at}.bands", f"each grade once, from {', '.join(GRADES)}")
        return
    limits = [limit for _, limit in grading.bands]
    if grading.method == "percentile":
        if any(b <= a for a, b in itertools.pairwise(limits)) or limits[-1] != 100 or limits[0] <= 0:
            add(f"{at}.bands", "percentile limits rise strictly and the last is 100")
    elif any(b >= a for a, b in itertools.pairwise(limits)):
        add(f"{at}.bands", "score cut-offs fall strictly from the best grade")


# ---- the inputs and results -------------------------------------------------------------------


@dataclass(frozen=True)
class Adjustment:
    """A bonus (加分, positive) or deduction (减分, negative) with its reason."""

    points: Decimal
    reason: str


@dataclass(frozen=True)
class FirmInput:
    """One firm's snapshot for the run: ``key`` (its USCC) orders and identifies it."""

    key: str
    size_class: str
    figures: Mapping[str, Decimal | None]
    years_in_production: int | None = None
    exempt: bool = False
    adjustments: tuple[Adjustment, ...] = ()


class IndicatorResult(NamedTuple):
    """An indicator of one firm: value (None: data missing), benchmark, points, how they came.
    (Results are named tuples: a province run builds 600 000 of them.)"""

    code: str
    formula: str
    value: Decimal | None
    benchmark: Decimal | None
    weight: Decimal
    points: Decimal
    note: str = ""


#: Builds a result tuple from its fields in order: a NamedTuple's own ``__new__`` (keyword
#: arguments, defaults) is the run's largest single cost at 600 000 results.
new = tuple.__new__


class FirmResult(NamedTuple):
    """One firm's result. ``grade`` is None when the firm is not graded (``why``)."""

    key: str
    list_code: str
    indicators: tuple[IndicatorResult, ...]
    adjustments: tuple[Adjustment, ...]
    score: Decimal
    rank: int | None = None
    grade: str | None = None
    why: str = ""


@dataclass(frozen=True)
class Run:
    """A run's results: every firm evaluated, and those no list admits (``outside``)."""

    scheme: Scheme
    results: tuple[FirmResult, ...]
    outside: tuple[str, ...]
    benchmarks: Mapping[str, Mapping[str, Decimal | None]] = field(default_factory=dict)
    inputs_digest: str = ""

    def digest(self) -> str:
        """SHA-256 over the engine version, the scheme's canonical JSON, the inputs' digest,
        the benchmarks and every result, one line each in key order."""
        h = hashlib.sha256()
        head = {"engine": ENGINE_VERSION, "scheme": self.scheme, "inputs": self.inputs_digest,
                "benchmarks": self.benchmarks, "outside": list(self.outside)}
        h.update(canonical_json(head).encode())
        # The same bytes as ``_result_line`` per result, written faster: an indicator's
        # benchmark and weight are the same for every firm of its list, so their text is made
        # once per (list, indicator), and the lines are hashed in batches.
        middles: dict[tuple[str, str], str] = {}
        batch: list[str] = []
        for r in self.results:
            cells = []
            for i in r.indicators:
                mid = middles.get((r.list_code, i.code))
                if mid is None:
                    mid = middles[(r.list_code, i.code)] = f"/{i.benchmark}*{i.weight}->"
                cells.append(f"{i.code}={i.value}{mid}{i.points}{'!' + i.note if i.note else ''}")
            extra = ";".join([f"{a.points}:{a.reason}" for a in r.adjustments]) if r.adjustments else ""
            batch.append(f"\n{r.key}|{r.list_code}|{';'.join(cells)}|{extra}|{r.score}|{r.rank}|{r.grade}|{r.why}")
            if len(batch) >= 2000:
                h.update("".join(batch).encode())
                batch.clear()
        h.update("".join(batch).encode())
        return h.hexdigest()


def _result_line(r: FirmResult) -> str:
    """One result as a line of text (the fields in a fixed order, decimals as written)."""
    cells = ";".join(
        f"{i.code}={i.value}/{i.benchmark}*{i.weight}->{i.points}{'!' + i.note if i.note else ''}" for i in r.indicators
    )
    extra = ";".join(f"{a.points}:{a.reason}" for a in r.adjustments)
    return f"\n{r.key}|{r.list_code}|{cells}|{extra}|{r.score}|{r.rank}|{r.grade}|{r.why}"


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, decimals as strings: the same data, the same bytes."""
    return json.dumps(_plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (frozenset, set)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    return value


def inputs_digest(firms: Iterable[FirmInput], *, in_key_order: bool = False) -> str:
    """SHA-256 of the firms' snapshot in key order, one line per firm (stored with the run).

    ``in_key_order`` says the caller sorted them already (the run has), saving a second sort."""
    h = hashlib.sha256(ENGINE_VERSION.encode())
    batch: list[str] = []
    # Firms share a few sets of figure names: each set's sorted order is worked out once.
    orders: dict[tuple[str, ...], tuple[str, ...]] = {}
    for f in firms if in_key_order else sorted(firms, key=lambda f: f.key):
        names = tuple(f.figures)
        order = orders.get(names)
        if order is None:
            order = orders[names] = tuple(sorted(names))
        values = f.figures
        figures = ",".join([f"{k}={values[k]}" for k in order])
        extra = ";".join([f"{a.points}:{a.reason}" for a in f.adjustments]) if f.adjustments else ""
        batch.append(f"\n{f.key}|{f.size_class}|{f.years_in_production}|{f.exempt}|{figures}|{extra}")
        if len(batch) >= 2000:  # hashed in batches: the same bytes, fewer calls
            h.update("".join(batch).encode())
            batch.clear()
    h.update("".join(batch).encode())
    return h.hexdigest()


# ---- the run ----------------------------------------------------------------------------------


def _ratios(firms: Sequence[FirmInput], terms: tuple[str, str]) -> tuple[list[Decimal | None], Decimal | None]:
    """Each firm's ``numerator / denominator`` at 4 places (None without data or with a
    denominator of 0 or less), and the list's aggregate ratio — Σ numerators ÷ Σ denominators
    over the firms that have both, a list's ``average`` benchmark — from the same pass."""
    a, b = terms
    out: list[Decimal | None] = []
    append = out.append
    total_num = total_den = Decimal(0)
    for firm in firms:
        figures = firm.figures
        num, den = figures.get(a), figures.get(b)
        if num is None or den is None or den <= 0:
            append(None)
        else:
            total_num += num
            total_den += den
            append((num / den).quantize(VALUE_PLACES, rounding=ROUND_HALF_UP))
    return out, (_value(total_num / total_den) if total_den > 0 else None)


def evaluate(scheme: Scheme, firms: Iterable[FirmInput]) -> Run:
    """Score and grade ``firms`` under ``scheme`` (validated first: :class:`SchemeError`)."""
    validate(scheme)
    ordered = sorted(firms, key=lambda f: f.key)
    keys = [f.key for f in ordered]
    if len(set(keys)) != len(keys):
        raise SchemeError({"firms": ["a firm appears twice in the snapshot"]})
    members: dict[str, list[FirmInput]] = {lst.code: [] for lst in scheme.lists}
    outside: list[str] = []
    for firm in ordered:
        home = next((lst for lst in scheme.lists if lst.scope.admits(firm)), None)
        if home is None:
            outside.append(firm.key)
        else:
            members[home.code].append(firm)
    results: list[FirmResult] = []
    benchmarks: dict[str, dict[str, Decimal | None]] = {}
    for lst in scheme.lists:
        scored, marks = _score_list(lst, members[lst.code])
        benchmarks[lst.code] = marks
        results.extend(_grade(lst, scored))
    return Run(
        scheme=scheme,
        results=tuple(results),
        outside=tuple(outside),
        benchmarks=benchmarks,
        inputs_digest=inputs_digest(ordered, in_key_order=True),
    )


def _score_list(lst: ResultList, firms: Sequence[FirmInput]) -> tuple[list[list[Any]], dict[str, Decimal | None]]:
    """Each firm's result as a list of ``FirmResult``'s fields (rank and grade still None:
    ``_grade`` fills them in and makes the tuples once), and the list's benchmarks."""
    benchmarks: dict[str, Decimal | None] = {}
    values: dict[str, list[Decimal | None]] = {}
    points: dict[str, list[Decimal | None]] = {}
    for ind in lst.indicators:
        vals, aggregate = _ratios(firms, ind.terms)
        bench = aggregate if ind.benchmark == "average" else ind.benchmark
        benchmarks[ind.code] = bench
        values[ind.code] = vals
        pts: list[Decimal | None] = []
        append = pts.append
        zero, cap = Decimal(0), ind.cap
        # value / benchmark × weight = value × (weight / benchmark): one division per list
        factor = ind.weight / bench if bench is not None else None
        for v in vals:
            if v is None or factor is None:
                append(None)
                continue
            p = zero if v <= 0 else (v * factor).quantize(POINT_PLACES, rounding=ROUND_HALF_UP)
            append(p if cap is None or p <= cap else cap)
        points[ind.code] = pts
    means: dict[str, Decimal] = {}
    for code, pts in points.items():
        known = [p for p in pts if p is not None]
        means[code] = _points(sum(known, Decimal(0)) / len(known)) if known else Decimal(0)
    # Column by column: each indicator's (code, formula, benchmark, weight) and what a firm
    # without its data gets, then one pass over the firms.
    mean_note = "missing: the list's mean points"
    columns = [
        (ind.code, ind.formula, benchmarks[ind.code], ind.weight, values[ind.code], points[ind.code],
         means[ind.code] if lst.missing == "average" else Decimal(0),
         mean_note if lst.missing == "average" else "missing")
        for ind in lst.indicators
    ]
    ungraded_when_missing = lst.missing == "ungraded"
    # Column by column (each indicator's results for every firm, what each firm counts), then
    # the firms' rows are the columns zipped: a comprehension per column instead of a loop of
    # loops, the same tuples.
    result_columns: list[list[IndicatorResult]] = []
    point_columns: list[list[Decimal]] = []
    missing = [False] * len(firms)
    for code, formula, bench, weight, vals, pts, fallback, why_missing in columns:
        result_columns.append([
            new(IndicatorResult, (code, formula, v, bench, weight, fallback, why_missing)) if p is None
            else new(IndicatorResult, (code, formula, v, bench, weight, p, ""))
            for v, p in zip(vals, pts, strict=True)
        ])
        point_columns.append([fallback if p is None else p for p in pts])
        for k, got in enumerate(pts):
            if got is None:
                missing[k] = True
    out: list[list[Any]] = []
    zero = Decimal(0)
    for firm, rows, counted, gap in zip(firms, zip(*result_columns, strict=True), zip(*point_columns, strict=True),
                                       missing, strict=True):
        total = sum(counted, zero)
        for adjustment in firm.adjustments:
            total += adjustment.points
        why = "exempt" if firm.exempt else ("incomplete" if gap and ungraded_when_missing else "")
        out.append([firm.key, lst.code, rows, firm.adjustments, _points(total), None, None, why])
    return out, benchmarks


_SCORE = itemgetter(4)  # FirmResult.score


def _grade(lst: ResultList, scored: list[list[Any]]) -> list[FirmResult]:
    """Rank and grade a list's firms (fields as ``_score_list`` made them) and make each
    firm's ``FirmResult``, in the run's key order."""
    # ``scored`` is in key order and the sort is stable (also reversed), so equal scores stay
    # in key order: the same order as sorting by (-score, key), without a key tuple per firm.
    graded = sorted([r for r in scored if not r[7]], key=_SCORE, reverse=True)
    grade_of = _grader(lst.grading, len(graded))
    best_position: dict[Decimal, int] = {}
    for position, r in enumerate(graded, start=1):
        first = best_position.setdefault(r[4], position)  # equal scores share the better rank
        r[5] = first
        r[6] = grade_of(r[4], first)
    return [new(FirmResult, r) for r in scored]


def _grader(grading: Grading, n: int) -> Callable[[Decimal, int], str]:
    """The grade of (score, position) among ``n`` graded firms."""
    last = grading.bands[-1][0]
    if grading.method == "cutoff":
        bands = grading.bands

        def by_score(score: Decimal, position: int) -> str:
            return next((grade for grade, lowest in bands if score >= lowest), last)

        return by_score
    # Position p is in the first band with p × 100 ≤ limit × n: the band's last position.
    ends = [int(limit * n // 100) for _grade, limit in grading.bands]
    names = [grade for grade, _limit in grading.bands]

    def by_position(score: Decimal, position: int) -> str:
        at = bisect_left(ends, position)
        return names[at] if at < len(names) else last

    return by_position
