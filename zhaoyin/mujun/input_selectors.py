"""Scoped reads of the bureaus' figures (AC-03): which firms a user may see, the year's firms,
and the reconciliation — per firm and figure: present (value, source, batch), missing or
disputed (docs/mujun.md "Inputs from the bureaus").

Scope follows ``selectors``: the evaluators and the city-wide readers see every firm; unit roles
the firms of their subtree; an enterprise portal user only its own firm (another is 404).

Disputed (cross-source plausibility, judged here because no single file can): tax above
revenue, value added above revenue, land of 0. An open objection on a figure is one more
reason, added by the runs part through ``DISPUTE_HOOKS``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoyin.accounts.models import User
from zhaoyin.accounts.scope import NOTHING, subtree_ids
from zhaoyin.core.models import ImportBatch
from zhaoyin.core.roles import UNIT_ROLES, Role
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.mujun.input_importing import mu_batches
from zhaoyin.mujun.models import MuAdjustment, MuInput, ParcelHolding
from zhaoyin.mujun.selectors import CITY_READER_ROLES, EVALUATOR_ROLES, READER_ROLES
from zhaoyin.mujun.sources import FIGURE_SOURCE, SOURCES

#: Who reads the reconciliation and a firm's inputs (scope applies): internal readers and a
#: portal enterprise (its own firm only).
INPUT_READER_ROLES: frozenset[Role] = frozenset(READER_ROLES | {Role.ENTERPRISE})
#: Who imports the bureaus' files and sets bonuses and deductions.
INPUT_EDITOR_ROLES: frozenset[Role] = EVALUATOR_ROLES
#: Every figure of the reconciliation, in the bureaus' order, land last.
FIGURES: tuple[str, ...] = tuple(FIGURE_SOURCE)


class Status:
    """A figure's (or a firm's) state on the reconciliation page."""

    PRESENT = "present"
    MISSING = "missing"
    DISPUTED = "disputed"


STATUS_CHOICES = (
    (Status.PRESENT, gettext_lazy("Complete")),
    (Status.MISSING, gettext_lazy("Missing")),
    (Status.DISPUTED, gettext_lazy("Disputed")),
)

#: More reasons a figure is disputed: ``hook(year, enterprise_ids) -> {enterprise_id: {figure:
#: reason}}``. The runs part adds "an open objection on it" here.
DisputeHook = Callable[[int, Sequence[int]], Mapping[int, Mapping[str, str]]]
DISPUTE_HOOKS: list[DisputeHook] = []


def firm_q(user: User) -> Q:
    """The enterprises ``user`` may see the inputs of (a filter on Enterprise)."""
    if not user.is_authenticated or user.admin_role:
        return NOTHING
    if user.has_role(*CITY_READER_ROLES):
        return Q()
    if user.has_role(*UNIT_ROLES) and user.org_unit_id is not None:
        return Q(org_unit_id__in=subtree_ids(user))
    if user.has_role(Role.ENTERPRISE) and user.enterprise_id is not None:
        return Q(pk=user.enterprise_id)
    return NOTHING


def firm_get_for_user(*, user: User, pk: int) -> Enterprise:
    """A firm whose inputs ``user`` may read; 404 for any other (alike unknown)."""
    found = Enterprise.objects.select_related("org_unit").filter(firm_q(user)).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def year_firms(user: User, year: int) -> QuerySet[Enterprise]:
    """The firms of the year in ``user``'s scope: any bureau reported a figure of it, or it
    holds land in the year (the same firms ``snapshot.build`` takes)."""
    reported = MuInput.objects.filter(year=year).values("enterprise_id")
    holding = ParcelHolding.objects.filter(year=year).values("enterprise_id")
    return (
        Enterprise.objects.filter(firm_q(user))
        .filter(Q(pk__in=reported) | Q(pk__in=holding))
        .select_related("org_unit")
    )


def _value_of(year: int, figure: str) -> Subquery:
    return Subquery(
        MuInput.objects.filter(enterprise_id=OuterRef("pk"), year=year, figure=figure).values("value")[:1]
    )


def with_status(qs: QuerySet[Enterprise], year: int) -> QuerySet[Enterprise]:
    """``qs`` annotated with what the status filter reads: the count of reported figures, the
    land held, tax, revenue and value added of the year."""
    decimal = DecimalField(max_digits=20, decimal_places=4)
    counted = (
        MuInput.objects.filter(enterprise_id=OuterRef("pk"), year=year)
        .values("enterprise_id").annotate(n=Count("pk")).values("n")
    )
    land = (
        ParcelHolding.objects.filter(enterprise_id=OuterRef("pk"), year=year)
        .values("enterprise_id").annotate(total=Sum("area_mu")).values("total")
    )
    return qs.annotate(
        mu_reported=Coalesce(Subquery(counted), Value(0)),
        mu_land=Subquery(land, output_field=decimal),
        mu_tax=_value_of(year, "tax"),
        mu_revenue=_value_of(year, "revenue"),
        mu_value_added=_value_of(year, "value_added"),
    )


#: The firm-level conditions of the status filter (over ``with_status``'s annotations).
DISPUTED_Q = Q(mu_tax__gt=F("mu_revenue")) | Q(mu_value_added__gt=F("mu_revenue")) | Q(mu_land__lte=0)
MISSING_Q = Q(mu_reported__lt=len(FIGURES) - 1) | Q(mu_land__isnull=True)


def narrow_status(qs: QuerySet[Enterprise], status: str, year: int) -> QuerySet[Enterprise]:
    """Firms with a disputed figure, with a missing one, or complete (neither)."""
    qs = with_status(qs, year)
    if status == Status.DISPUTED:
        return qs.filter(DISPUTED_Q)
    if status == Status.MISSING:
        return qs.filter(MISSING_Q)
    return qs.exclude(DISPUTED_Q).exclude(MISSING_Q)


@dataclass
class Cell:
    """One figure of one firm: its status, value, source and batch (when present), and why
    it is disputed."""

    figure: str
    status: str = Status.MISSING
    value: Decimal | None = None
    source: str = ""
    batch_id: int | None = None
    batch_date: Any = None
    reasons: list[str] = field(default_factory=list)

    @property
    def shown(self) -> str:
        """The value as the pages show it, every figure of a column at the same places: a
        head count whole, the others (万元, 亩, 吨 …) at 2 (the exact value is ``exact``)."""
        if self.value is None:
            return ""
        places = Decimal(1) if self.figure in WHOLE_FIGURES else Decimal("0.01")
        return f"{self.value.quantize(places, rounding=ROUND_HALF_UP):,}"

    @property
    def exact(self) -> str:
        """The stored value when ``shown`` rounds it, else empty (for the cell's title)."""
        if self.value is None:
            return ""
        return "" if Decimal(self.shown.replace(",", "")) == self.value else f"{self.value.normalize():f}"


#: Figures counted in whole units (the others are amounts, areas and quantities at 2 places).
WHOLE_FIGURES = frozenset({"employees"})


@dataclass
class FirmInputs:
    """A firm's inputs of a year: a cell per figure, its holdings and its bonuses."""

    enterprise: Enterprise
    year: int
    cells: dict[str, Cell]
    holdings: list[ParcelHolding] = field(default_factory=list)
    adjustments: list[MuAdjustment] = field(default_factory=list)

    @property
    def status(self) -> str:
        states = {c.status for c in self.cells.values()}
        if Status.DISPUTED in states:
            return Status.DISPUTED
        return Status.MISSING if Status.MISSING in states else Status.PRESENT

    @property
    def row(self) -> list[Cell]:
        return [self.cells[f] for f in FIGURES]


def _disputes(cells: dict[str, Cell]) -> None:
    def value(figure: str) -> Decimal | None:
        return cells[figure].value if cells[figure].status != Status.MISSING else None

    tax, revenue, added, land = value("tax"), value("revenue"), value("value_added"), value("land_mu")
    if tax is not None and revenue is not None and tax > revenue:
        for f in ("tax", "revenue"):
            cells[f].reasons.append(_("Tax paid is above revenue."))
    if added is not None and revenue is not None and added > revenue:
        for f in ("value_added", "revenue"):
            cells[f].reasons.append(_("Value added is above revenue."))
    if land is not None and land <= 0:
        cells["land_mu"].reasons.append(_("Land of 0 mu."))


def firm_inputs(enterprises: Iterable[Enterprise], year: int, *, details: bool = False) -> list[FirmInputs]:
    """Each firm's cells for ``year`` (a constant number of queries); with ``details`` also
    its holdings (with the parcels) and bonuses and deductions."""
    firms = list(enterprises)
    ids = [e.pk for e in firms]
    values: dict[int, dict[str, MuInput]] = defaultdict(dict)
    for item in MuInput.objects.filter(year=year, enterprise_id__in=ids).select_related("batch"):
        values[item.enterprise_id][item.figure] = item
    land: dict[int, Decimal] = {}
    holdings: dict[int, list[ParcelHolding]] = defaultdict(list)
    for h in ParcelHolding.objects.filter(year=year, enterprise_id__in=ids).select_related("parcel", "batch"):
        land[h.enterprise_id] = land.get(h.enterprise_id, Decimal(0)) + h.area_mu
        holdings[h.enterprise_id].append(h)
    adjustments: dict[int, list[MuAdjustment]] = defaultdict(list)
    if details:
        for a in MuAdjustment.objects.filter(year=year, enterprise_id__in=ids).select_related("created_by"):
            adjustments[a.enterprise_id].append(a)
    extra: dict[int, dict[str, str]] = defaultdict(dict)
    for hook in DISPUTE_HOOKS:
        for enterprise_id, reasons in hook(year, ids).items():
            extra[enterprise_id].update(reasons)
    out = []
    for e in firms:
        cells = {f: Cell(f) for f in FIGURES}
        for figure, item in values[e.pk].items():
            if figure not in cells:
                continue
            batch = item.batch
            cells[figure] = Cell(
                figure, Status.PRESENT, item.value, item.source, item.batch_id,
                batch.committed_at or batch.created_at if batch is not None else item.updated_at,
            )
        if e.pk in land:
            latest = max(holdings[e.pk], key=lambda h: h.batch_id or 0)
            batch = latest.batch
            cells["land_mu"] = Cell(
                "land_mu", Status.PRESENT, land[e.pk], SOURCES[FIGURE_SOURCE["land_mu"]].code.value,
                latest.batch_id, (batch.committed_at or batch.created_at) if batch is not None else None,
            )
        _disputes(cells)
        for figure, reason in extra.get(e.pk, {}).items():
            if figure in cells:
                cells[figure].reasons.append(reason)
        for cell in cells.values():
            if cell.reasons:
                cell.status = Status.DISPUTED
        ordered = sorted(holdings.get(e.pk, []), key=lambda h: h.parcel.code)
        out.append(FirmInputs(e, year, cells, ordered, adjustments.get(e.pk, [])))
    return out


def batch_list_visible_to(user: User) -> QuerySet[ImportBatch]:
    """The 亩均 import batches: the evaluators and the city-wide readers (a batch is a
    bureau's whole file: no unit sees another unit's firms in it)."""
    if not user.is_authenticated or user.admin_role or not user.has_role(*CITY_READER_ROLES):
        return ImportBatch.objects.none()
    result: QuerySet[ImportBatch] = mu_batches()
    return result


def adjustment_get_for_user(*, user: User, pk: int) -> MuAdjustment:
    """A bonus or deduction of a firm ``user`` may see; 404 else."""
    found = MuAdjustment.objects.select_related("enterprise").filter(
        pk=pk, enterprise__in=Enterprise.objects.filter(firm_q(user))
    ).first()
    if found is None:
        raise Http404
    return found


def inputs_list(user: User, *, year: int | None, enterprise: int | None) -> QuerySet[MuInput]:
    """The stored figures in ``user``'s scope (API ``GET /mu-inputs``), by firm and figure."""
    qs = MuInput.objects.filter(enterprise__in=Enterprise.objects.filter(firm_q(user)))
    if year is not None:
        qs = qs.filter(year=year)
    if enterprise is not None:
        qs = qs.filter(enterprise_id=enterprise)
    return qs.select_related("enterprise", "batch").order_by("year", "enterprise_id", "figure", "pk")
