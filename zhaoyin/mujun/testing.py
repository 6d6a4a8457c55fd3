"""Test factories of the 亩均 evaluation: a scheme and a run with its results written directly
(test data, not a business write), so the parts that read published runs — consequences,
exports, reports — are tested without going through the run services.

``make_published_run(year, results=[Firm(enterprise, "A", "88.5", figures={...}), …])`` builds
the scheme (with the consequences per grade), the run in the state asked (``published`` by
default), its snapshot (one entry per firm with the figures given) and one ``MuResult`` per
firm; the indicator rows default to 亩均税收 and 亩均营收 computed from the figures against the
benchmarks given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from zhaoyin.accounts.models import User
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.mujun.flow import State
from zhaoyin.mujun.models import MuResult, MuRun, MuScheme, SchemeStatus

#: The consequences of the test scheme: Anhui-style 差别化电价 and 土地使用税 relief.
CONSEQUENCES: dict[str, dict[str, str]] = {
    "surcharge_per_kwh": {"A": "0", "B": "0", "C": "0.05", "D": "0.10"},
    "land_tax_relief": {"A": "100", "B": "80", "C": "0", "D": "0"},
}
#: The test scheme's two indicators with their benchmarks (万元/亩).
BENCHMARKS: dict[str, Decimal] = {"tax_per_mu": Decimal("20"), "revenue_per_mu": Decimal("300")}


def definition(consequences: dict[str, dict[str, str]] | None = None) -> dict[str, Any]:
    """A valid scheme definition: one list (规上) of 亩均税收 60 + 亩均营收 40, percentile bands."""
    return {
        "lists": [{
            "code": "above", "name": "规上企业",
            "scope": {"size_classes": ["above", "below"]},
            "indicators": [
                {"code": "tax_per_mu", "name": "亩均税收", "formula": "tax / land_mu", "weight": "60",
                 "benchmark": str(BENCHMARKS["tax_per_mu"])},
                {"code": "revenue_per_mu", "name": "亩均营收", "formula": "revenue / land_mu", "weight": "40",
                 "benchmark": str(BENCHMARKS["revenue_per_mu"])},
            ],
            "missing": "average", "weight_total": "100",
            "grading": {"method": "percentile", "bands": [["A", "25"], ["B", "70"], ["C", "95"], ["D", "100"]]},
        }],
        "exempt_industries": [],
        "consequences": consequences if consequences is not None else CONSEQUENCES,
    }


@dataclass
class Firm:
    """One firm of a test run: its grade (blank: not graded), score and figures (tax, revenue,
    electricity, land_mu … as text or numbers). ``indicators`` overrides the computed rows."""

    enterprise: Enterprise
    grade: str = ""
    score: str | Decimal | None = None
    figures: dict[str, Any] = field(default_factory=dict)
    list_code: str = "above"
    indicators: list[list[Any]] | None = None
    why: str = ""
    initial_grade: str | None = None


def _ratio(figures: dict[str, Decimal], num: str, den: str) -> Decimal | None:
    if num not in figures or not figures.get(den):
        return None
    return (figures[num] / figures[den]).quantize(Decimal("0.0001"))


def indicator_rows(figures: dict[str, Any]) -> list[list[Any]]:
    """The stored rows ``[code, formula, value, benchmark, weight, points, note]`` of the test
    scheme's two indicators for these figures."""
    clean = {k: Decimal(str(v)) for k, v in figures.items()}
    rows: list[list[Any]] = []
    for code, formula, weight in (("tax_per_mu", "tax / land_mu", 60), ("revenue_per_mu", "revenue / land_mu", 40)):
        num, den = (part.strip() for part in formula.split("/"))
        value = _ratio(clean, num, den)
        bench = BENCHMARKS[code]
        points = Decimal(0) if value is None else (value / bench * weight).quantize(Decimal("0.01"))
        rows.append([code, formula, None if value is None else str(value), str(bench), str(weight), str(points),
                     "" if value is not None else "missing"])
    return rows


def make_scheme(*, year: int, user: User, number: int = 1, consequences: dict[str, dict[str, str]] | None = None,
                frozen: bool = True) -> MuScheme:
    return MuScheme.objects.create(
        year=year, number=number, name=f"{year}年度亩均效益评价办法", definition=definition(consequences),
        status=SchemeStatus.FROZEN if frozen else SchemeStatus.DRAFT, created_by=user,
        frozen_at=timezone.now() if frozen else None,
    )


def make_published_run(
    year: int, results: Sequence[Firm], *, user: User, state: str = State.PUBLISHED,
    scheme: MuScheme | None = None, consequences: dict[str, dict[str, str]] | None = None,
) -> MuRun:
    """A run of ``year`` in ``state`` with one result per firm (ranks per list by score)."""
    scheme = scheme or make_scheme(year=year, user=user, consequences=consequences,
                                   frozen=state == State.PUBLISHED)
    snapshot: list[dict[str, Any]] = [
        {"key": f.enterprise.uscc, "enterprise": f.enterprise.pk, "org_unit": f.enterprise.org_unit_id,
         "size_class": f.enterprise.size_class or "above", "years": None, "exempt": False,
         "figures": {k: str(v) for k, v in sorted(f.figures.items())}, "adjustments": []}
        for f in sorted(results, key=lambda f: f.enterprise.uscc)
    ]
    now = timezone.now()
    run = MuRun.objects.create(
        scheme=scheme, year=year, state=state, snapshot=snapshot,
        benchmarks={"above": {k: str(v) for k, v in BENCHMARKS.items()}},
        inputs_digest="0" * 64, scheme_digest="0" * 64, engine_version="mujun-1", digest="0" * 64,
        firms=len(results), created_by=user,
        publicity_start=now.date() if state != State.INITIAL else None,
        publicity_end=now.date() if state != State.INITIAL else None,
        published_at=now if state == State.PUBLISHED else None,
    )
    ranked = sorted(
        (f for f in results if f.score is not None), key=lambda f: (f.list_code, -Decimal(str(f.score)))
    )
    rank_of: dict[int, int] = {}
    per_list: dict[str, int] = {}
    for f in ranked:
        per_list[f.list_code] = per_list.get(f.list_code, 0) + 1
        rank_of[f.enterprise.pk] = per_list[f.list_code]
    MuResult.objects.bulk_create([
        MuResult(
            run=run, enterprise=f.enterprise, org_unit_id=f.enterprise.org_unit_id, list_code=f.list_code,
            score=None if f.score is None else Decimal(str(f.score)), rank=rank_of.get(f.enterprise.pk),
            initial_grade=f.grade if f.initial_grade is None else f.initial_grade, grade=f.grade, why=f.why,
            indicators=f.indicators if f.indicators is not None else indicator_rows(f.figures),
        )
        for f in results
    ])
    return run
