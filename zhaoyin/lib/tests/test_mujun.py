"""The 亩均 evaluation engine (issue 14 item 3): the formulas of the Zhejiang reference scheme,
benchmarks, missing data, exemptions, caps, adjustments, both grading rules, the scheme's
validation naming each field, and runs that reproduce byte for byte."""

from __future__ import annotations

import random
from decimal import Decimal as D

import pytest

from zhaoyin.lib import mujun
from zhaoyin.lib.mujun import Adjustment, FirmInput, Grading, Indicator, ResultList, Scheme, SchemeError, Scope

PERCENTILE = Grading("percentile", (("A", D(25)), ("B", D(70)), ("C", D(95)), ("D", D(100))))

#: 黄岩 2022 (domain-practice §3.2): 规上 six indicators 30/20/20/10/10/10 with fixed benchmarks.
ABOVE = ResultList(
    code="above",
    name="规上工业企业",
    scope=Scope(size_classes=frozenset({"above"})),
    indicators=(
        Indicator("tax_per_mu", "亩均税收", "tax / land_mu", D(30), D("24.097")),
        Indicator("va_per_mu", "亩均增加值", "value_added / land_mu", D(20), D("136.16")),
        Indicator("va_per_energy", "单位能耗增加值", "value_added / energy", D(20), D("2.694")),
        Indicator("va_per_emission", "单位排放增加值", "value_added / emissions", D(10), D("4929.81")),
        Indicator("labour_productivity", "全员劳动生产率", "value_added / employees", D(10), D("18.14")),
        Indicator("rd_intensity", "研发经费投入强度", "rd / revenue", D(10), D("0.0302")),
    ),
    grading=PERCENTILE,
)
#: 规下 with at least 3 亩: 亩均税收 50 + 单位电耗税收 50, benchmarks the list's averages.
BELOW = ResultList(
    code="below",
    name="规下工业企业（用地 3 亩及以上）",
    scope=Scope(size_classes=frozenset({"below"}), land_min_mu=D(3)),
    indicators=(
        Indicator("tax_per_mu", "亩均税收", "tax / land_mu", D(50), "average"),
        Indicator("tax_per_kwh", "单位电耗税收", "tax / electricity", D(50), "average"),
    ),
    grading=PERCENTILE,
    missing="zero",
)
SCHEME = Scheme(year=2025, version=1, lists=(ABOVE, BELOW))


def above(key: str, **figures: str | None) -> FirmInput:
    base: dict[str, str | None] = {
        "tax": "2409.7", "land_mu": "100", "value_added": "13616", "energy": "5054.19", "emissions": "2.762",
        "employees": "750.6", "rd": "302", "revenue": "10000",
    }
    base.update(figures)
    return FirmInput(key=key, size_class="above", figures={k: None if v is None else D(v) for k, v in base.items()})


def below(key: str, tax: str, land: str, kwh: str | None) -> FirmInput:
    figures = {"tax": D(tax), "land_mu": D(land), "electricity": None if kwh is None else D(kwh)}
    return FirmInput(key=key, size_class="below", figures=figures)


def result(run: mujun.Run, key: str) -> mujun.FirmResult:
    return next(r for r in run.results if r.key == key)


def test_a_firm_at_every_benchmark_scores_each_weight() -> None:
    run = mujun.evaluate(SCHEME, [above("91340400A")])
    r = result(run, "91340400A")
    assert [(i.code, i.value, i.points) for i in r.indicators] == [
        ("tax_per_mu", D("24.0970"), D("30.00")),
        ("va_per_mu", D("136.1600"), D("20.00")),
        ("va_per_energy", D("2.6940"), D("20.00")),
        ("va_per_emission", D("4929.7610"), D("10.00")),  # 13616 / 2.762
        ("labour_productivity", D("18.1402"), D("10.00")),
        ("rd_intensity", D("0.0302"), D("10.00")),
    ]
    assert r.score == D("100.00")
    assert r.indicators[0].benchmark == D("24.097")


def test_points_are_value_over_benchmark_times_weight_and_capped() -> None:
    twice = above("X", tax="4819.4")  # 亩均税收 48.194 = 2 × benchmark
    run = mujun.evaluate(SCHEME, [twice])
    assert result(run, "X").indicators[0].points == D("60.00")
    capped = ResultList(**{**ABOVE.__dict__, "indicators": (
        Indicator("tax_per_mu", "亩均税收", "tax / land_mu", D(30), D("24.097"), cap=D(45)), *ABOVE.indicators[1:],
    )})
    run = mujun.evaluate(Scheme(2025, 1, (capped,)), [twice])
    assert result(run, "X").indicators[0].points == D("45")
    assert result(run, "X").score == D("115.00")


def test_an_average_benchmark_is_the_lists_aggregate_ratio() -> None:
    firms = [below("B1", "30", "3", "10"), below("B2", "90", "9", "20"), below("B3", "0", "6", "30")]
    run = mujun.evaluate(SCHEME, firms)
    # Σ tax ÷ Σ land = 120 / 18, not the mean of 10, 10, 0
    assert run.benchmarks["below"]["tax_per_mu"] == D("6.6667")
    assert run.benchmarks["below"]["tax_per_kwh"] == D(2)
    b1 = result(run, "B1")
    assert [i.points for i in b1.indicators] == [D("75.00"), D("75.00")]  # 10 / 6.6667 × 50; 3 / 2 × 50
    assert result(run, "B3").score == D("0.00")  # no tax: no points, not negative


def test_missing_data_rules() -> None:
    firms = [above("A1"), above("A2", emissions=None), above("A3", tax="1204.85")]
    run = mujun.evaluate(SCHEME, firms)
    a2 = result(run, "A2").indicators[3]
    assert a2.value is None
    assert a2.points == D("10.00")  # the mean points of the firms that have it
    assert a2.note
    zero = Scheme(2025, 1, (ResultList(**{**ABOVE.__dict__, "missing": "zero"}),))
    assert result(mujun.evaluate(zero, firms), "A2").indicators[3].points == 0
    ungraded = Scheme(2025, 1, (ResultList(**{**ABOVE.__dict__, "missing": "ungraded"}),))
    r = result(mujun.evaluate(ungraded, firms), "A2")
    assert (r.grade, r.rank, r.why) == (None, None, "incomplete")


def test_exempt_firms_are_scored_not_graded_and_adjustments_count() -> None:
    utility = FirmInput("U", "above", above("U").figures, exempt=True)
    bonus = FirmInput("P", "above", above("P").figures, adjustments=(Adjustment(D(5), "省级智能工厂"),))
    malus = FirmInput("M", "above", above("M").figures, adjustments=(Adjustment(D(-8), "安全生产事故"),))
    run = mujun.evaluate(SCHEME, [utility, bonus, malus])
    u = result(run, "U")
    assert (u.score, u.grade, u.why) == (D("100.00"), None, "exempt")
    assert result(run, "P").score == D("105.00")
    assert result(run, "M").score == D("92.00")
    assert [result(run, k).rank for k in ("P", "M")] == [1, 2]


def test_lists_are_tried_in_order_and_the_rest_is_outside() -> None:
    run = mujun.evaluate(SCHEME, [above("A"), below("B", "30", "3", "10"), below("S", "30", "2.9", "10")])
    assert [(r.key, r.list_code) for r in run.results] == [("A", "above"), ("B", "below")]
    assert run.outside == ("S",)


def test_percentile_bands_and_ties() -> None:
    firms = [above(f"F{i:02d}", tax=str(100 * (i + 1))) for i in range(20)]  # distinct scores
    run = mujun.evaluate(SCHEME, firms)
    grades = [r.grade for r in sorted(run.results, key=lambda r: r.rank or 0)]
    assert grades == ["A"] * 5 + ["B"] * 9 + ["C"] * 5 + ["D"]
    tied = [above(f"T{i}") for i in range(4)]  # four equal scores: all rank 1, all A
    run = mujun.evaluate(SCHEME, tied)
    assert {(r.rank, r.grade) for r in run.results} == {(1, "A")}


def test_cutoff_grading() -> None:
    cut = Grading("cutoff", (("A", D(90)), ("B", D(75)), ("C", D(60)), ("D", D(0))))
    scheme = Scheme(2025, 1, (ResultList(**{**ABOVE.__dict__, "grading": cut}),))
    firms = [above("A"), above("B", tax="1204.85"), above("C", tax="0", rd="0")]
    run = mujun.evaluate(scheme, firms)
    assert [(r.key, r.score, r.grade) for r in run.results] == [
        ("A", D("100.00"), "A"), ("B", D("85.00"), "B"), ("C", D("60.00"), "C"),
    ]


def test_runs_reproduce_byte_for_byte() -> None:
    rng = random.Random(7)
    firms = [
        above(f"9134{i:05d}", tax=str(rng.randint(0, 5000)), energy=str(rng.randint(1, 9000)),
              emissions=None if i % 7 == 0 else str(rng.randint(1, 9)))
        for i in range(200)
    ] + [below(f"9135{i:05d}", str(rng.randint(0, 90)), str(rng.randint(3, 30)), str(rng.randint(1, 50)))
         for i in range(100)]
    first = mujun.evaluate(SCHEME, firms)
    shuffled = firms[:]
    rng.shuffle(shuffled)
    again = mujun.evaluate(SCHEME, shuffled)
    assert again.digest() == first.digest()
    assert mujun.canonical_json(again.results) == mujun.canonical_json(first.results)
    changed = [*firms[:-1], below(firms[-1].key, "91", "3", "10")]
    assert mujun.evaluate(SCHEME, changed).digest() != first.digest()
    assert first.inputs_digest == mujun.inputs_digest(shuffled)


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        ({"weight": D(25)}, "lists[0].indicators", "sum to 95"),
        ({"benchmark": D(0)}, "lists[0].indicators[0].benchmark", "above 0"),
        ({"formula": "tax / acreage"}, "lists[0].indicators[0].formula", "unknown figure 'acreage'"),
        ({"formula": "tax * land_mu"}, "lists[0].indicators[0].formula", "figure / figure"),
        ({"cap": D(-1)}, "lists[0].indicators[0].cap", "above 0"),
    ],
)
def test_a_bad_indicator_is_named(change: dict[str, object], path: str, words: str) -> None:
    first = Indicator(**{**ABOVE.indicators[0].__dict__, **change})
    scheme = Scheme(2025, 1, (ResultList(**{**ABOVE.__dict__, "indicators": (first, *ABOVE.indicators[1:])}),))
    with pytest.raises(SchemeError) as caught:
        mujun.evaluate(scheme, [above("A")])
    assert path in caught.value.errors
    assert any(words in message for message in caught.value.errors[path])


def test_bad_scopes_and_gradings_are_named() -> None:
    bad = ResultList(**{
        **BELOW.__dict__,
        "scope": Scope(land_min_mu=D(-1)),
        "grading": Grading("percentile", (("A", D(25)), ("B", D(20)), ("D", D(100)))),
    })
    with pytest.raises(SchemeError) as caught:
        mujun.validate(Scheme(2025, 1, (ABOVE, bad, bad)))
    errors = caught.value.errors
    assert "lists[1].scope.land_min_mu" in errors
    assert "lists[1].grading.bands" in errors
    assert "lists[2].code" in errors  # the same list code twice
