"""A scheme's definition as stored data (``MuScheme.definition``) and its reading into the
engine's ``lib.mujun.Scheme`` — every error named by its field path (``lists[0].indicators[2].
weight``), the same paths the engine's own validation uses.

The shape (decimals as strings, so the JSON keeps them exact)::

    {"lists": [{"code": "above", "name": "规上企业",
                "scope": {"size_classes": ["above"], "land_min_mu": null, "land_max_mu": null,
                          "min_years": null},
                "indicators": [{"code": "tax_per_mu", "name": "亩均税收", "formula": "tax / land_mu",
                                "weight": "30", "benchmark": "24.097", "cap": "45"}, …],
                "missing": "average", "weight_total": "100",
                "grading": {"method": "percentile", "bands": [["A", "25"], ["B", "70"], …]}}, …],
     "exempt_industries": ["utilities"],
     "consequences": {"surcharge_per_kwh": {"A": "0", "B": "0", "C": "0.05", "D": "0.10"},
                      "land_tax_relief": {"A": "100", "B": "80", "C": "0", "D": "0"}}}

No Django beyond gettext: the pure tests, the pages, the API and the importers read it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from zhaoyin.lib import mujun

#: The indicators a scheme may use, by code: (name, formula) — 亩均税收 and the rest (issue 14
#: item 2). A scheme may name its own; these are the editor's suggestions and the demo's.
STANDARD_INDICATORS: dict[str, tuple[str, str]] = {
    "tax_per_mu": ("亩均税收", "tax / land_mu"),
    "revenue_per_mu": ("亩均营收", "revenue / land_mu"),
    "value_added_per_mu": ("亩均增加值", "value_added / land_mu"),
    "value_added_per_energy": ("单位能耗增加值", "value_added / energy"),
    "value_added_per_emission": ("单位排放增加值", "value_added / emissions"),
    "productivity": ("全员劳动生产率", "value_added / employees"),
    "rd_intensity": ("研发经费投入强度", "rd / revenue"),
    "tax_per_kwh": ("单位电耗税收", "tax / electricity"),
    "tech_investment_per_mu": ("亩均技改投资", "tech_investment / land_mu"),
}
CONSEQUENCES = ("surcharge_per_kwh", "land_tax_relief")


class _Reader:
    """Collects errors by path while reading the definition."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def decimal(self, value: Any, path: str, *, optional: bool = False) -> Decimal | None:
        if value is None or value == "":
            if not optional:
                self.add(path, _("This field is required."))
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
            self.add(path, _("Enter a number."))
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.add(path, _("Enter a number."))
            return None
        if not number.is_finite():
            self.add(path, _("Enter a number."))
            return None
        return number

    def text(self, value: Any, path: str, *, limit: int = 60) -> str:
        if not isinstance(value, str) or not value.strip():
            self.add(path, _("This field is required."))
            return ""
        if len(value.strip()) > limit:
            self.add(path, _("At most %(n)d characters.") % {"n": limit})
        return value.strip()


def to_engine(definition: Any, *, year: int, number: int) -> mujun.Scheme:
    """Read a stored definition into the engine's scheme and validate it; raise
    ``mujun.SchemeError`` with every error by field path."""
    r = _Reader()
    lists: list[mujun.ResultList] = []
    if not isinstance(definition, dict):
        raise mujun.SchemeError({"lists": [_("A scheme needs at least one result list.")]})
    raw_lists = definition.get("lists")
    if not isinstance(raw_lists, list) or not raw_lists:
        r.add("lists", _("A scheme needs at least one result list."))
        raw_lists = []
    for i, raw in enumerate(raw_lists):
        at = f"lists[{i}]"
        if not isinstance(raw, dict):
            r.add(at, _("Each result list is an object."))
            continue
        lists.append(_read_list(r, raw, at))
    _read_rest(r, definition)
    if r.errors:
        raise mujun.SchemeError(r.errors)
    scheme = mujun.Scheme(year=year, version=number, lists=tuple(lists))
    try:
        mujun.validate(scheme)
    except mujun.SchemeError as exc:
        raise mujun.SchemeError({path: [_translate(m) for m in ms] for path, ms in exc.errors.items()}) from None
    return scheme


def _read_list(r: _Reader, raw: dict[str, Any], at: str) -> mujun.ResultList:
    scope_raw = raw.get("scope") or {}
    if not isinstance(scope_raw, dict):
        r.add(f"{at}.scope", _("The scope is an object."))
        scope_raw = {}
    sizes = scope_raw.get("size_classes") or []
    if not isinstance(sizes, list) or any(s not in ("above", "below") for s in sizes):
        r.add(f"{at}.scope.size_classes", _("Size classes are 'above' and 'below'."))
        sizes = []
    min_years = scope_raw.get("min_years")
    if min_years is not None and (isinstance(min_years, bool) or not isinstance(min_years, int) or min_years < 0):
        r.add(f"{at}.scope.min_years", _("Enter a whole number of years, 0 or more."))
        min_years = None
    scope = mujun.Scope(
        size_classes=frozenset(sizes),
        land_min_mu=r.decimal(scope_raw.get("land_min_mu"), f"{at}.scope.land_min_mu", optional=True),
        land_max_mu=r.decimal(scope_raw.get("land_max_mu"), f"{at}.scope.land_max_mu", optional=True),
        min_years=min_years,
    )
    indicators: list[mujun.Indicator] = []
    raw_inds = raw.get("indicators")
    if not isinstance(raw_inds, list) or not raw_inds:
        r.add(f"{at}.indicators", _("A list needs at least one indicator."))
        raw_inds = []
    for j, ind in enumerate(raw_inds):
        where = f"{at}.indicators[{j}]"
        if not isinstance(ind, dict):
            r.add(where, _("Each indicator is an object."))
            continue
        bench_raw = ind.get("benchmark")
        benchmark: Decimal | str | None
        if isinstance(bench_raw, str) and bench_raw.strip() == "average":
            benchmark = "average"
        else:
            benchmark = r.decimal(bench_raw, f"{where}.benchmark")
        weight = r.decimal(ind.get("weight"), f"{where}.weight")
        formula = ind.get("formula")
        if not isinstance(formula, str) or not formula.strip():
            r.add(f"{where}.formula", _("This field is required."))
            formula = ""
        indicators.append(mujun.Indicator(
            code=r.text(ind.get("code"), f"{where}.code", limit=32),
            name=r.text(ind.get("name"), f"{where}.name"),
            formula=formula,
            weight=weight if weight is not None else Decimal(0),
            benchmark=benchmark if benchmark is not None else Decimal(0),  # type: ignore[arg-type]
            cap=r.decimal(ind.get("cap"), f"{where}.cap", optional=True),
        ))
    grading_raw = raw.get("grading") or {}
    method = grading_raw.get("method") if isinstance(grading_raw, dict) else None
    bands: list[tuple[str, Decimal]] = []
    raw_bands = grading_raw.get("bands") if isinstance(grading_raw, dict) else None
    if not isinstance(raw_bands, list):
        r.add(f"{at}.grading.bands", _("Give each grade and its limit."))
        raw_bands = []
    for k, band in enumerate(raw_bands):
        if not isinstance(band, (list, tuple)) or len(band) != 2 or not isinstance(band[0], str):
            r.add(f"{at}.grading.bands[{k}]", _("A band is a grade and its limit."))
            continue
        limit = r.decimal(band[1], f"{at}.grading.bands[{k}]")
        if limit is not None:
            bands.append((band[0], limit))
    weight_total = raw.get("weight_total", "100")
    return mujun.ResultList(
        code=r.text(raw.get("code"), f"{at}.code", limit=32),
        name=r.text(raw.get("name"), f"{at}.name"),
        scope=scope,
        indicators=tuple(indicators),
        grading=mujun.Grading(method=method, bands=tuple(bands)),  # type: ignore[arg-type]
        missing=raw.get("missing", "average"),
        weight_total=r.decimal(weight_total, f"{at}.weight_total", optional=True),
    )


def _read_rest(r: _Reader, definition: dict[str, Any]) -> None:
    exempt = definition.get("exempt_industries", [])
    if not isinstance(exempt, list) or any(not isinstance(x, str) for x in exempt):
        r.add("exempt_industries", _("A list of industry codes."))
    consequences = definition.get("consequences", {})
    if not isinstance(consequences, dict):
        r.add("consequences", _("The consequences are an object."))
        return
    for name, per_grade in consequences.items():
        if name not in CONSEQUENCES:
            r.add(f"consequences.{name}", _("Unknown consequence."))
            continue
        if not isinstance(per_grade, dict):
            r.add(f"consequences.{name}", _("Give a value per grade."))
            continue
        for grade, value in per_grade.items():
            path = f"consequences.{name}.{grade}"
            if grade not in mujun.GRADES:
                r.add(path, _("Unknown grade."))
                continue
            number = r.decimal(value, path)
            if number is not None and number < 0:
                r.add(path, _("Must not be negative."))
            if number is not None and name == "land_tax_relief" and number > 100:
                r.add(path, _("At most 100 (per cent)."))


#: The engine writes its messages in English; the pages speak Chinese. Each engine message
#: starts with one of these phrases, so the translation is looked up by prefix.
def _translate(message: str) -> str:
    table = {
        "a scheme needs at least one result list": _("A scheme needs at least one result list."),
        "a list needs at least one indicator": _("A list needs at least one indicator."),
        "must be above 0 (or 'average')": _("Must be above 0 (or 'average')."),
        "must be above 0 when given": _("Must be above 0 when given."),
        "must be above 0": _("Must be above 0."),
        "must not be negative": _("Must not be negative."),
        "must be above the minimum": _("Must be above the minimum."),
        "write it as 'figure / figure'": _("Write it as 'figure / figure', e.g. 'tax / land_mu'."),
        "percentile limits rise strictly": _("Percentile limits rise strictly and the last is 100."),
        "score cut-offs fall strictly": _("Score cut-offs fall strictly from the best grade."),
        "each grade once": _("Each grade once, from A, B, C, D."),
        "must be percentile or cutoff": _("Must be percentile or cutoff."),
        "must be one of": _("Must be one of average, zero, ungraded."),
    }
    for prefix, text in table.items():
        if message.startswith(prefix):
            return text
    if message.startswith("unknown figure"):
        name = message.split("'")[1] if "'" in message else ""
        return _("Unknown figure '%(name)s'; known: %(known)s.") % {"name": name, "known": ", ".join(mujun.FIGURES)}
    if message.startswith("the weights sum to"):
        parts = message.split()
        return _("The weights sum to %(total)s; the scheme says %(expected)s.") % {
            "total": parts[4].rstrip(","), "expected": parts[-1]}
    if message.startswith("list code"):
        return _("This list code is used twice.")
    if message.startswith("indicator"):
        return _("This indicator code is used twice in the list.")
    return message


def exempt_industries(definition: dict[str, Any]) -> frozenset[str]:
    """The industry codes the scheme evaluates without grading (utilities …)."""
    return frozenset(x for x in definition.get("exempt_industries", []) if isinstance(x, str))


def consequence(definition: dict[str, Any], name: str, grade: str) -> Decimal:
    """A consequence's value for a grade (0 when the scheme gives none)."""
    value = (definition.get("consequences") or {}).get(name, {}).get(grade)
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def scheme_digest(definition: Any) -> str:
    """SHA-256 of the definition's canonical JSON (stored with each run)."""
    import hashlib

    return hashlib.sha256(mujun.canonical_json(definition).encode()).hexdigest()


def list_names(definition: Any) -> dict[str, str]:
    """Each result list's name by its code, in the scheme's order (pages show names, not codes)."""
    lists = definition.get("lists") if isinstance(definition, dict) else None
    return {
        str(lst["code"]): str(lst.get("name") or lst["code"])
        for lst in (lists or []) if isinstance(lst, dict) and lst.get("code")
    }
