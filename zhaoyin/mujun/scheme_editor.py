"""The scheme editor's form ↔ definition (a city official edits a 评价办法 without JSON).

The page draws each result list as a section (code, name, scope, missing rule, grading with a
limit per grade) and its indicators as table rows: a standard indicator from
``STANDARD_INDICATORS`` or a custom one (code, name, numerator and denominator chosen among
``lib.mujun.FIGURES``), weight, benchmark (a number or 年度平均), cap. Every input is named by
its path inside the definition — ``lists[0].indicators[2].weight`` — the same path a refusal
names, so an error goes back onto the input that is wrong (``place_errors``).

Adding and removing rows and lists are posted buttons (``edit`` = ``add_list``,
``remove_list:<i>``, ``add_indicator:<i>``, ``remove_indicator:<i>:<j>``): the page is drawn
again with the change and nothing is saved — no script needed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from zhaoyin.lib import mujun
from zhaoyin.mujun.scheme_data import CONSEQUENCES, STANDARD_INDICATORS

CUSTOM = "custom"
AVERAGE = "average"
_LIST_KEY = re.compile(r"^lists\[(\d+)\]\.")
_IND_KEY = re.compile(r"^lists\[(\d+)\]\.indicators\[(\d+)\]\.")
_FORMULA = re.compile(r"^\s*([a-z_]+)\s*/\s*([a-z_]+)\s*$")
#: Text of an empty indicator row and an empty list (what "add" appends).
BLANK_INDICATOR: dict[str, Any] = {"code": "", "name": "", "formula": "", "weight": "", "benchmark": AVERAGE,
                                   "cap": None}


def blank_list() -> dict[str, Any]:
    return {
        "code": "", "name": "",
        "scope": {"size_classes": [], "land_min_mu": None, "land_max_mu": None, "min_years": None},
        "indicators": [dict(BLANK_INDICATOR)], "missing": "average", "weight_total": "100",
        "grading": {"method": "percentile", "bands": [["A", "25"], ["B", "70"], ["C", "95"], ["D", "100"]]},
    }


def figure_label(code: str) -> str:
    """A figure's name without its unit and bureau (实缴税金)."""
    label = mujun.FIGURES.get(code, code)
    return label.split(" (")[0].split(" —")[0]


def formula_in_words(formula: str) -> str:
    """``tax / land_mu`` as 实缴税金 ÷ 用地面积."""
    match = _FORMULA.match(formula or "")
    if match is None:
        return formula
    return f"{figure_label(match.group(1))} ÷ {figure_label(match.group(2))}"


def _text(value: Any) -> str:
    return "" if value is None else str(value)


# ---- definition → the page's rows ----------------------------------------------------------------


def rows_of(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The editor's view of a definition: lists with their indicator rows, the exempt codes and
    the consequences per grade, every value as the text an input shows."""
    lists = []
    for i, lst in enumerate(definition.get("lists") or []):
        scope = lst.get("scope") or {}
        bands = dict((g, _text(limit)) for g, limit in (lst.get("grading") or {}).get("bands") or [])
        indicators = []
        for j, ind in enumerate(lst.get("indicators") or []):
            code, name, formula = ind.get("code", ""), ind.get("name", ""), ind.get("formula", "")
            standard = STANDARD_INDICATORS.get(code)
            match = _FORMULA.match(formula or "")
            bench = ind.get("benchmark")
            indicators.append({
                "at": f"lists[{i}].indicators[{j}]", "index": j,
                "kind": code if standard is not None and standard == (name, formula) else CUSTOM,
                "code": code, "name": name,
                "numerator": match.group(1) if match else "", "denominator": match.group(2) if match else "",
                "weight": _text(ind.get("weight")),
                "bench_mode": AVERAGE if bench == AVERAGE else "fixed",
                "benchmark": "" if bench == AVERAGE else _text(bench),
                "cap": _text(ind.get("cap")), "err": {},
            })
        lists.append({
            "at": f"lists[{i}]", "index": i, "code": lst.get("code", ""), "name": lst.get("name", ""),
            "size_classes": list(scope.get("size_classes") or []),
            "land_min_mu": _text(scope.get("land_min_mu")), "land_max_mu": _text(scope.get("land_max_mu")),
            "min_years": _text(scope.get("min_years")),
            "missing": lst.get("missing", "average"), "weight_total": _text(lst.get("weight_total", "100")),
            "method": (lst.get("grading") or {}).get("method", "percentile"),
            "bands": [(g, bands.get(g, "")) for g in mujun.GRADES],
            "indicators": indicators, "err": {},
        })
    consequences = definition.get("consequences") or {}
    return {
        "lists": lists,
        "exempt": list(definition.get("exempt_industries") or []),
        "consequences": [
            (name, [(g, _text((consequences.get(name) or {}).get(g))) for g in mujun.GRADES]) for name in CONSEQUENCES
        ],
    }


# ---- the posted form → a definition ------------------------------------------------------------------


def _indexes(keys: list[str], pattern: re.Pattern[str], *, within: int | None = None) -> list[int]:
    """The list numbers posted (or, ``within`` a list, its row numbers), in order."""
    out: set[int] = set()
    for key in keys:
        match = pattern.match(key)
        if match is not None and (within is None or int(match.group(1)) == within):
            out.add(int(match.group(1 if within is None else 2)))
    return sorted(out)


def _blank_none(value: str) -> str | None:
    return value.strip() or None


def _years(value: str) -> Any:
    text = value.strip()
    if not text:
        return None
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else text


def definition_from_post(post: Any) -> dict[str, Any]:
    """The definition the posted editor describes, as raw data for ``normalize_definition``
    (which judges it): lists and indicator rows in the order posted, renumbered from 0."""
    keys = list(post.keys())

    def get(key: str) -> str:
        return str(post.get(key, ""))

    lists = []
    for i in _indexes(keys, _LIST_KEY):
        at = f"lists[{i}]"
        indicators = []
        for j in _indexes(keys, _IND_KEY, within=i):
            where = f"{at}.indicators[{j}]"
            kind = get(f"{where}.kind")
            if kind in STANDARD_INDICATORS:
                code = kind
                name, formula = STANDARD_INDICATORS[kind]
            else:
                code, name = get(f"{where}.code"), get(f"{where}.name")
                num, den = get(f"{where}.numerator").strip(), get(f"{where}.denominator").strip()
                formula = f"{num} / {den}" if num or den else ""
            bench = AVERAGE if get(f"{where}.bench_mode") == AVERAGE else get(f"{where}.benchmark")
            indicators.append({"code": code, "name": name, "formula": formula, "weight": get(f"{where}.weight"),
                               "benchmark": bench, "cap": _blank_none(get(f"{where}.cap"))})
        bands = [[g, get(f"{at}.grading.{g}").strip()] for g in mujun.GRADES if get(f"{at}.grading.{g}").strip()]
        getlist = getattr(post, "getlist", None)
        sizes = [s for s in (getlist(f"{at}.scope.size_classes") if getlist else []) if s]
        lists.append({
            "code": get(f"{at}.code"), "name": get(f"{at}.name"),
            "scope": {"size_classes": sizes, "land_min_mu": _blank_none(get(f"{at}.scope.land_min_mu")),
                      "land_max_mu": _blank_none(get(f"{at}.scope.land_max_mu")),
                      "min_years": _years(get(f"{at}.scope.min_years"))},
            "indicators": indicators,
            "missing": get(f"{at}.missing") or "average",
            "weight_total": _blank_none(get(f"{at}.weight_total")),
            "grading": {"method": get(f"{at}.grading.method"), "bands": bands},
        })
    getlist = getattr(post, "getlist", None)
    exempt = [c for c in (getlist("exempt_industries") if getlist else []) if c.strip()]
    consequences: dict[str, dict[str, str]] = {}
    for name in CONSEQUENCES:
        per_grade = {g: get(f"consequences.{name}.{g}").strip() for g in mujun.GRADES}
        if any(per_grade.values()):
            consequences[name] = {g: v for g, v in per_grade.items() if v}
    return {"lists": lists, "exempt_industries": exempt, "consequences": consequences}


def apply_edit(definition: dict[str, Any], edit: str) -> bool:
    """Apply an editor button (add or remove a row or a list) to ``definition`` in place;
    False when the button is not one of them."""
    parts = edit.split(":")
    lists = definition["lists"]
    try:
        numbers = [int(p) for p in parts[1:]]
    except ValueError:
        return False
    if parts[0] == "add_list" and not numbers:
        lists.append(blank_list())
    elif parts[0] == "remove_list" and len(numbers) == 1 and 0 <= numbers[0] < len(lists):
        del lists[numbers[0]]
    elif parts[0] == "add_indicator" and len(numbers) == 1 and 0 <= numbers[0] < len(lists):
        lists[numbers[0]]["indicators"].append(dict(BLANK_INDICATOR))
    elif (parts[0] == "remove_indicator" and len(numbers) == 2 and 0 <= numbers[0] < len(lists)
          and 0 <= numbers[1] < len(lists[numbers[0]]["indicators"])):
        del lists[numbers[0]]["indicators"][numbers[1]]
    else:
        return False
    return True


# ---- refusals back onto the rows ---------------------------------------------------------------------


def place_errors(rows: dict[str, Any], errors: Mapping[str, list[str]]) -> list[tuple[str, str]]:
    """Put each refusal (path → messages) on the list or row it names (``err`` by field); the
    summary of all, each with a readable place, is returned for the page's top."""
    summary: list[tuple[str, str]] = []
    by_list = {lst["at"]: lst for lst in rows["lists"]}
    for path, messages in errors.items():
        for message in messages:
            summary.append((_place(path), message))
        ind = _IND_KEY.match(path + ".")
        lst_match = _LIST_KEY.match(path + ".")
        if ind is not None:
            lst = by_list.get(f"lists[{ind.group(1)}]")
            rest = path[ind.end():].split(".")[0] or "row"
            if lst is not None and int(ind.group(2)) < len(lst["indicators"]):
                lst["indicators"][int(ind.group(2))]["err"].setdefault(rest, []).extend(messages)
                continue
        if lst_match is not None:
            lst = by_list.get(f"lists[{lst_match.group(1)}]")
            rest = path[lst_match.end():]
            field = rest.split(".")[0].split("[")[0] or "list"
            if field == "scope":
                field = rest.split(".")[1] if "." in rest else "scope"
            if lst is not None:
                lst["err"].setdefault(field, []).extend(messages)
                continue
        rows.setdefault("err", {}).setdefault(path.split(".")[0] or "definition", []).extend(messages)
    return summary


def _place(path: str) -> str:
    """A path as people read it: 列表 1 · 指标 3 · weight."""
    ind = _IND_KEY.match(path + ".")
    if ind is not None:
        rest = path[ind.end():]
        return _("List %(list)s, indicator %(row)s") % {"list": int(ind.group(1)) + 1, "row": int(ind.group(2)) + 1} + (
            f" · {rest}" if rest else "")
    lst = _LIST_KEY.match(path + ".")
    if lst is not None:
        rest = path[lst.end():]
        return _("List %(list)s") % {"list": int(lst.group(1)) + 1} + (f" · {rest}" if rest else "")
    return path
