"""履约: how a project's 亩均 condition stands against the firm's published evaluation (reads).

A condition is checked against the project's enterprise (``Project.investor``) in the latest
*published* run of a year at or after the condition's ``from_year`` that holds the firm. The
value is the condition's formula computed from that run's frozen snapshot (the figures the
published result was computed from, not today's inputs, so the verdict does not move when a
bureau re-imports): ``numerator / denominator`` at 4 places, half up, as the engine rounds. The
states: ``met`` (value ≥ threshold), ``breached`` (below), ``missing`` (the firm is in the run
but a figure is absent or the denominator is 0) and ``no_result`` (no published run of those
years holds the firm — or the project names no registered enterprise).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from zhaoyin.mujun.flow import State
from zhaoyin.mujun.models import MuCondition, MuResult, MuRun
from zhaoyin.projects.selectors import project_list_visible_to

_FORMULA = re.compile(r"^\s*([a-z_]+)\s*/\s*([a-z_]+)\s*$")
PLACES = Decimal("0.0001")


class ConditionStatus(StrEnum):
    """Where a condition stands."""

    MET = "met"
    BREACHED = "breached"
    MISSING = "missing"
    NO_RESULT = "no_result"


STATUS_LABELS = {
    ConditionStatus.MET: _("Met"),
    ConditionStatus.BREACHED: _("Breached"),
    ConditionStatus.MISSING: _("Data missing"),
    ConditionStatus.NO_RESULT: _("No result yet"),
}


@dataclass(frozen=True)
class Standing:
    """A condition's standing: its state, the value computed (None unless met or breached),
    the run and year it was read from (None without a result)."""

    state: ConditionStatus
    value: Decimal | None = None
    year: int | None = None
    run_id: int | None = None

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.state])


def formula_value(formula: str, figures: dict[str, Any]) -> Decimal | None:
    """``numerator / denominator`` over a snapshot entry's figures (None: missing or den ≤ 0)."""
    match = _FORMULA.match(formula)
    if match is None:
        return None
    num, den = figures.get(match.group(1)), figures.get(match.group(2))
    if num is None or den is None:
        return None
    a, b = Decimal(str(num)), Decimal(str(den))
    if b <= 0:
        return None
    return (a / b).quantize(PLACES, rounding=ROUND_HALF_UP)


def _published_runs(enterprise_id: int, from_year: int) -> list[MuRun]:
    """The published runs of ``from_year`` or later holding the firm, latest year first."""
    run_ids = MuResult.objects.filter(
        enterprise_id=enterprise_id, run__state=State.PUBLISHED, run__year__gte=from_year
    ).values_list("run_id", flat=True)
    return list(MuRun.objects.filter(pk__in=run_ids).order_by("-year", "-id").only("id", "year", "snapshot"))


def _entry(run: MuRun, enterprise_id: int) -> dict[str, Any] | None:
    return next((e for e in run.snapshot if e.get("enterprise") == enterprise_id), None)


def condition_status(condition: MuCondition) -> Standing:
    """The condition's standing now (see the module's docstring)."""
    return condition_statuses([condition])[condition.pk]


def condition_statuses(conditions: list[MuCondition]) -> dict[int, Standing]:
    """Each condition's standing, by its id (the runs read once per project's firm)."""
    out: dict[int, Standing] = {}
    runs_of: dict[tuple[int, int], list[MuRun]] = {}
    for condition in conditions:
        enterprise_id = condition.project.investor_id
        if enterprise_id is None:
            out[condition.pk] = Standing(ConditionStatus.NO_RESULT)
            continue
        key = (enterprise_id, condition.from_year)
        if key not in runs_of:
            runs_of[key] = _published_runs(enterprise_id, condition.from_year)
        runs = runs_of[key]
        entry = _entry(runs[0], enterprise_id) if runs else None
        if not runs or entry is None:
            out[condition.pk] = Standing(ConditionStatus.NO_RESULT)
            continue
        run = runs[0]
        value = formula_value(condition.formula, entry.get("figures") or {})
        if value is None:
            out[condition.pk] = Standing(ConditionStatus.MISSING, None, run.year, run.pk)
        else:
            state = ConditionStatus.MET if value >= condition.threshold else ConditionStatus.BREACHED
            out[condition.pk] = Standing(state, value, run.year, run.pk)
    return out


# ---- scoped reads -----------------------------------------------------------------------------------


def conditions_of(project: Any) -> list[MuCondition]:
    """A project's conditions (the caller fetched the project through its scoped selector)."""
    return list(MuCondition.objects.filter(project=project).select_related("project", "matter"))


def condition_get_for_user(*, user: Any, pk: int) -> MuCondition:
    """A condition of a project the user may see; else 404 (out of scope answers as unknown)."""
    found = MuCondition.objects.select_related("project__org_unit", "project__investor", "matter").filter(
        pk=pk, project__in=project_list_visible_to(user).values("pk")
    ).first()
    if found is None:
        raise Http404
    return found
