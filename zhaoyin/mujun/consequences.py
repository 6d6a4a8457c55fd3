"""Consequences of a published 亩均 run that are writes: the D-grade firms' rectification
matters (整改, issue 14 item 5). The grades themselves go to the eligibility engine through
``grades.publish_grades``; the differentiated lists are files (``exports``).

``rectification_create_bulk`` makes one matter per D-grade firm of a published run that has
none yet (``MuRectification``: one per result, so a second call adds only what is missing).
The matter is registered through ``matters.services.matter_raise_for_process`` as a draft:

- source ``reform_measure`` (营商环境改革举措 — 亩均论英雄 is the reform it serves) and kind
  ``reform`` (改革举措: the deadline is a date the dispatcher sets when assigning, as a
  rectification period is agreed per firm, often months, not a count of working days);
- dispatched by the 经信局 (``settings.ZHAOYIN_MU_LEAD_UNIT``, default ``dept-jxj``; the city
  when absent), proposed lead unit the firm's own unit (the county or park that follows the
  firm), the firm linked;
- its text names the firm's weakest indicators: the lowest points ÷ weight, each with its value
  and the benchmark, so the rectification starts from what pulled the score down.

The texts are Chinese whatever the acting user's language (a matter is a record, not a page).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.audit.services import audit_denied, audit_write
from zhaoyin.core.errors import Conflict
from zhaoyin.matters.choices import MatterKind, MatterSource
from zhaoyin.matters.services import matter_raise_for_process
from zhaoyin.mujun.flow import State
from zhaoyin.mujun.models import MuRectification, MuResult, MuRun
from zhaoyin.mujun.scheme_data import STANDARD_INDICATORS
from zhaoyin.mujun.selectors import is_evaluator

#: How many of the weakest indicators a rectification matter names.
WEAKEST = 3
#: The unit that dispatches the matters when the setting names none (the 经信局).
DEFAULT_DISPATCHER = "dept-jxj"
RECORD_LANGUAGE = "zh-hans"


@dataclass(frozen=True)
class Weak:
    """One indicator of a firm, as the rectification text names it."""

    name: str
    value: Decimal | None
    benchmark: Decimal | None
    points: Decimal
    weight: Decimal

    @property
    def share(self) -> Decimal:
        """Points ÷ weight: how much of the indicator's weight the firm earned."""
        return self.points / self.weight if self.weight else Decimal(0)


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def indicator_names(run: MuRun) -> dict[str, str]:
    """Indicator code → name, from the run's scheme (the standard names as a fallback)."""
    names = {code: name for code, (name, _formula) in STANDARD_INDICATORS.items()}
    for lst in (run.scheme.definition or {}).get("lists") or []:
        for ind in (lst.get("indicators") or []) if isinstance(lst, dict) else []:
            if isinstance(ind, dict) and ind.get("code"):
                names[str(ind["code"])] = str(ind.get("name") or ind["code"])
    return names


def weakest_indicators(result: MuResult, names: dict[str, str], n: int = WEAKEST) -> list[Weak]:
    """The ``n`` indicators with the lowest points ÷ weight (ties in the scheme's order)."""
    rows = []
    for row in result.indicators or []:
        code, _formula, value, benchmark, weight, points = row[:6]
        w = _decimal(weight) or Decimal(0)
        if w <= 0:
            continue
        rows.append(Weak(names.get(str(code), str(code)), _decimal(value), _decimal(benchmark),
                         _decimal(points) or Decimal(0), w))
    return sorted(rows, key=lambda r: r.share)[:n]


def _number(value: Decimal | None) -> str:
    if value is None:
        return _("no data")
    return format(value.normalize(), "f") if value == value.to_integral_value() else f"{value:.2f}"


def rectification_text(run: MuRun, result: MuResult, names: dict[str, str]) -> tuple[str, str]:
    """The matter's title and description (in the active language)."""
    firm = result.enterprise
    title = _("%(year)s land-efficiency evaluation: rectification of grade-D enterprise %(firm)s") % {
        "year": run.year, "firm": firm.name}
    lines = [
        _("%(firm)s (%(uscc)s) was graded D in the %(year)s land-efficiency evaluation (score %(score)s, rank "
          "%(rank)s). The weakest indicators:") % {
            "firm": firm.name, "uscc": firm.uscc, "year": run.year, "score": _number(result.score),
            "rank": result.rank if result.rank is not None else "-"},
    ]
    for weak in weakest_indicators(result, names):
        lines.append(_("- %(name)s: %(value)s against the benchmark %(benchmark)s, %(points)s of %(weight)s points")
                     % {"name": weak.name, "value": _number(weak.value), "benchmark": _number(weak.benchmark),
                        "points": _number(weak.points), "weight": _number(weak.weight)})
    lines.append(_("Agree a rectification plan with the enterprise and follow it up."))
    return title[:200], "\n".join(lines)


def _dispatcher_unit() -> OrgUnit | None:
    code = getattr(settings, "ZHAOYIN_MU_LEAD_UNIT", DEFAULT_DISPATCHER) or DEFAULT_DISPATCHER
    return OrgUnit.objects.filter(code=code, is_active=True).first()


def rectification_create_bulk(*, acting_user: User, run: MuRun) -> list[MuRectification]:
    """One rectification matter per D-grade firm of the published ``run`` without one yet
    (idempotent: a second call creates none). Evaluators only (403, audited); a run not
    published → 409. One transaction; each matter audited (``matter.create``) and the bulk
    action once (``mujun.rectifications``). Returns the rectifications created."""
    if not is_evaluator(acting_user):
        audit_denied(user=acting_user, action="mujun.rectifications_denied", target=f"mu_run {run.pk}")
        raise PermissionDenied(_("Only the land-efficiency office and city administrators raise rectifications."))
    with transaction.atomic():
        # The run's row lock serialises two bulk actions: the second sees the first's matters.
        current = MuRun.objects.select_for_update().select_related("scheme").get(pk=run.pk)
        if current.state != State.PUBLISHED:
            raise Conflict(_("Rectifications follow a published evaluation."))
        pending = list(
            current.results.filter(grade="D", rectification__isnull=True)
            .select_related("enterprise", "org_unit").order_by("list_code", "rank", "enterprise__uscc")
        )
        if not pending:
            return []
        names = indicator_names(current)
        dispatcher = _dispatcher_unit()
        created = []
        with translation.override(RECORD_LANGUAGE):
            for result in pending:
                title, description = rectification_text(current, result, names)
                matter = matter_raise_for_process(
                    acting_user=acting_user, title=title, description=description,
                    source=MatterSource.REFORM_MEASURE, kind=MatterKind.REFORM, enterprise=result.enterprise,
                    dispatcher_unit=dispatcher, lead_unit=result.org_unit,
                )
                created.append(MuRectification.objects.create(
                    run=current, result=result, matter=matter, created_by=acting_user))
        audit_write(
            action="mujun.rectifications", user=acting_user, obj=current,
            after={"count": len(created), "matters": [r.matter_id for r in created]},
        )
        return created
