"""The frozen snapshot a run computes over, built from the year's stored inputs.

A firm is in the year's snapshot when any bureau reported a figure of it or it holds land in
the year. Its entry is plain JSON (stored on the run, so the run reproduces whatever happens
to the inputs later)::

    {"key": USCC, "enterprise": id, "org_unit": id, "size_class": "above", "years": 7 | null,
     "exempt": false, "figures": {"tax": "120.5000", "land_mu": "35.00", …},
     "adjustments": [["2.00", "省级智能工厂"], …]}

``years`` (years in production) is the evaluation year minus the founding year — the platform
records no production start; a scheme that needs it uses ``min_years`` on this (docs/mujun.md).
``exempt``: the firm's industry is one of the scheme's ``exempt_industries``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from zhaoyin.enterprises.models import Enterprise
from zhaoyin.lib import mujun
from zhaoyin.mujun.models import MuAdjustment, MuInput, ParcelHolding

Entry = dict[str, Any]


def build(year: int, *, exempt_industries: frozenset[str] = frozenset()) -> list[Entry]:
    """The year's snapshot, one entry per firm in USCC order (reads; no writes)."""
    figures: dict[int, dict[str, str]] = defaultdict(dict)
    for enterprise_id, figure, value in MuInput.objects.filter(year=year).values_list(
        "enterprise_id", "figure", "value"
    ).iterator(chunk_size=5000):
        figures[enterprise_id][figure] = str(value)
    for row in ParcelHolding.objects.filter(year=year).values("enterprise_id").annotate(land=Sum("area_mu")):
        figures[row["enterprise_id"]]["land_mu"] = str(Decimal(row["land"]).quantize(Decimal("0.01")))
    adjustments: dict[int, list[list[str]]] = defaultdict(list)
    for enterprise_id, points, reason in MuAdjustment.objects.filter(year=year).order_by("id").values_list(
        "enterprise_id", "points", "reason"
    ):
        adjustments[enterprise_id].append([str(points), reason])
    out: list[Entry] = []
    ids = sorted(figures)
    for start in range(0, len(ids), 5000):
        rows = Enterprise.objects.filter(pk__in=ids[start:start + 5000]).values_list(
            "pk", "uscc", "org_unit_id", "size_class", "founded_on", "industry__code"
        )
        for pk, uscc, org_unit_id, size_class, founded_on, industry in rows:
            out.append({
                "key": uscc,
                "enterprise": pk,
                "org_unit": org_unit_id,
                "size_class": size_class,
                "years": (year - founded_on.year) if founded_on is not None else None,
                "exempt": industry in exempt_industries,
                "figures": dict(sorted(figures[pk].items())),
                "adjustments": adjustments.get(pk, []),
            })
    out.sort(key=lambda e: e["key"])
    return out


def firm_inputs(snapshot: Iterable[Entry]) -> list[mujun.FirmInput]:
    """The engine's inputs from a stored snapshot."""
    return [
        mujun.FirmInput(
            key=e["key"],
            size_class=e["size_class"],
            figures={k: Decimal(v) for k, v in e["figures"].items()},
            years_in_production=e["years"],
            exempt=bool(e["exempt"]),
            adjustments=tuple(mujun.Adjustment(Decimal(p), r) for p, r in e["adjustments"]),
        )
        for e in snapshot
    ]


def corrected(snapshot: list[Entry], key: str, corrections: dict[str, str]) -> list[Entry]:
    """A copy of ``snapshot`` with one firm's figures corrected (an upheld objection)."""
    out = []
    for e in snapshot:
        if e["key"] == key:
            e = dict(e, figures=dict(sorted({**e["figures"], **corrections}.items())))
        out.append(e)
    return out
