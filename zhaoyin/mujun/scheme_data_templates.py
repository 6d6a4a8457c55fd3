"""Ready-made scheme definitions (评价办法 templates) a new scheme starts from.

``anhui_template(year)`` is the Anhui-style scheme of the 2021 rollout as the issue states it
(domain-practice §3): 规上 firms on six indicators weighted 30/20/20/10/10/10, each against the
list's average; 规下 firms with at least 3 亩 on 亩均税收 50 + 单位电耗税收 50; percentile bands
A ≤ 25 %, B ≤ 70 %, C ≤ 95 %, D the rest; utilities (电力) evaluated and not graded; the
差别化电价 surcharge (C 0.05, D 0.10 元/千瓦时) and the 城镇土地使用税 relief (A 100 %, B 80 %).
The new-scheme page is pre-filled with it and the demo evaluates under it.

The definition is written in the canonical shape ``scheme_inputs.normalize_definition``
stores (every key present, decimals as strings), so it goes through the editor unchanged.
"""

from __future__ import annotations

from typing import Any

from zhaoyin.mujun.scheme_data import STANDARD_INDICATORS

#: The percentile bands of both lists: the share of graded firms, best first.
ANHUI_BANDS = [["A", "25"], ["B", "70"], ["C", "95"], ["D", "100"]]
#: 规上: (indicator, weight) — the six of the Anhui scheme.
ANHUI_ABOVE = [
    ("tax_per_mu", "30"),
    ("value_added_per_mu", "20"),
    ("value_added_per_energy", "20"),
    ("value_added_per_emission", "10"),
    ("productivity", "10"),
    ("rd_intensity", "10"),
]
#: An indicator's points are capped at this multiple of its weight.
CAP_FACTOR = 2
#: 规下 with at least 3 亩.
ANHUI_BELOW = [("tax_per_mu", "50"), ("tax_per_kwh", "50")]


def standard_indicator(code: str, weight: str, *, benchmark: str = "average", cap: str | None = None) -> dict[str, Any]:
    """One of ``STANDARD_INDICATORS`` as a definition's indicator row."""
    name, formula = STANDARD_INDICATORS[code]
    return {"code": code, "name": name, "formula": formula, "weight": weight, "benchmark": benchmark, "cap": cap}


def _list(code: str, name: str, sizes: list[str], land_min: str | None, rows: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "scope": {"size_classes": sizes, "land_min_mu": land_min, "land_max_mu": None, "min_years": None},
        # Each indicator gives at most twice its weight: without a cap one extreme ratio (a
        # firm with almost no emissions) outweighs all the others. No public Anhui source
        # states a cap (domain-practice §3.2), so it is the template's choice, editable.
        "indicators": [standard_indicator(c, w, cap=str(int(w) * CAP_FACTOR)) for c, w in rows],
        "missing": "average",
        "weight_total": "100",
        "grading": {"method": "percentile", "bands": [list(b) for b in ANHUI_BANDS]},
    }


def anhui_template(year: int) -> dict[str, Any]:
    """The Anhui-style definition for ``year`` (the year itself is the scheme's, not the
    definition's: the same data serves any year)."""
    del year  # the definition holds no year; the parameter keeps callers explicit
    return {
        "lists": [
            _list("above", "规上工业企业", ["above"], None, ANHUI_ABOVE),
            _list("below_3mu", "规下工业企业（用地 3 亩及以上）", ["below"], "3", ANHUI_BELOW),
        ],
        "exempt_industries": ["power"],
        "consequences": {
            "surcharge_per_kwh": {"A": "0", "B": "0", "C": "0.05", "D": "0.10"},
            "land_tax_relief": {"A": "100", "B": "80", "C": "0", "D": "0"},
        },
    }
