"""Generators of investment projects and their funds in place (DESIGN 8: 50 000 projects and
600 000 fund entries at province scale), registered with ``zhaoyin generate``.

The pipeline reads like a real one: a funnel over the last four years (many leads and talks,
fewer signed, a tail of projects in production, a few on hold or terminated), a stage history
per project consistent with its stage, planned start and production dates (so some projects
run late and light yellow or red), and monthly funds for the projects under construction or
in production, from their start month to the current month. Milestone columns are computed
from the generated history with the same function the stage services use; the funds rollup
is kept by the database triggers. Everything is bulk-inserted (see ``generate``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from decimal import Decimal

from django.utils import timezone

from zhaoyin.demo.generate import BATCH_SIZE, GenContext, batched, register
from zhaoyin.projects.alerts import alerts_refresh
from zhaoyin.projects.choices import (
    MAIN_LINE,
    AttractionMethod,
    FundEvidenceKind,
    FundKind,
    FundSource,
    FundVerification,
    SourceRegion,
    Stage,
)
from zhaoyin.projects.milestones import milestone_columns
from zhaoyin.projects.models import FundEntry, Project, StageEvent

CODE_PREFIX = "SC-"
#: The funnel: share of projects at each stage (sums to 1).
FUNNEL: tuple[tuple[Stage, float], ...] = (
    (Stage.LEAD, 0.28),
    (Stage.NEGOTIATING, 0.18),
    (Stage.SIGNED, 0.10),
    (Stage.REGISTERED, 0.06),
    (Stage.STARTED, 0.15),
    (Stage.PRODUCING, 0.13),
    (Stage.FULL_CAPACITY, 0.05),
    (Stage.ON_HOLD, 0.03),
    (Stage.TERMINATED, 0.02),
)
#: Days from one main-line stage to the next (uniform ranges).
GAPS: dict[Stage, tuple[int, int]] = {
    Stage.NEGOTIATING: (7, 90),
    Stage.SIGNED: (20, 200),
    Stage.REGISTERED: (10, 60),
    Stage.STARTED: (20, 150),
    Stage.PRODUCING: (180, 600),
    Stage.FULL_CAPACITY: (90, 360),
}
FUNDED = frozenset({Stage.STARTED, Stage.PRODUCING, Stage.FULL_CAPACITY})
NAME_WORDS = ("生产线", "产业园", "研发中心", "智能工厂", "扩建项目", "二期项目", "基地", "总部")


def _stage_draw(roll: float) -> Stage:
    edge = 0.0
    for stage, share in FUNNEL:
        edge += share
        if roll < edge:
            return stage
    return FUNNEL[-1][0]


def _project_rows(ctx: GenContext, count: int, today: dt.date) -> Iterator[tuple[Project, list[StageEvent]]]:
    """The seed's first ``count`` projects (unsaved) with their unsaved stage events."""
    rng = ctx.rng("projects")
    earliest = today - dt.timedelta(days=4 * 365)
    sources = [c for c, _label in SourceRegion.choices]
    methods = [c for c, _label in AttractionMethod.choices]
    for n in range(1, count + 1):
        stage = _stage_draw(rng.random())
        industry = rng.choice(ctx.industries)
        # Log-uniform 500万元 … 50亿元: many small projects, few very large ones.
        total = Decimal(round(math.exp(rng.uniform(math.log(500), math.log(500_000))), 2)).quantize(Decimal("0.01"))
        first = earliest + dt.timedelta(days=rng.randint(0, 4 * 365 - 30))
        target = stage
        if stage in (Stage.ON_HOLD, Stage.TERMINATED):
            target = rng.choice(MAIN_LINE[:5])
        history: list[tuple[Stage, dt.date]] = [(Stage.LEAD, first)]
        on = first
        for step in MAIN_LINE[1 : MAIN_LINE.index(target) + 1]:
            low, high = GAPS[step]
            on = min(today, on + dt.timedelta(days=rng.randint(low, high)))
            history.append((step, on))
        if stage in (Stage.ON_HOLD, Stage.TERMINATED):
            on = min(today, on + dt.timedelta(days=rng.randint(10, 120)))
            history.append((stage, on))
        signed_on = next((d for s, d in history if s == Stage.SIGNED), None)
        planned_start = planned_production = None
        if signed_on is not None:
            planned_start = signed_on + dt.timedelta(days=rng.randint(30, 150))
            planned_production = planned_start + dt.timedelta(days=rng.randint(300, 720))
        project = Project(
            code=f"{CODE_PREFIX}{n:06d}",
            name=f"{industry.name}{rng.choice(NAME_WORDS)}{n}",
            investor_name=f"投资方{rng.randint(1, count // 3 + 1)}",
            source_region=rng.choice(sources),
            industry=industry,
            org_unit=rng.choice(ctx.places),
            total_investment_wan=total,
            attraction_method=rng.choice(methods),
            first_contact_on=first,
            planned_start_on=planned_start,
            planned_production_on=planned_production,
            stage=stage.value,
            stage_on=history[-1][1],
            resume_stage=target.value if stage == Stage.ON_HOLD else "",
            **milestone_columns([(s.value, d) for s, d in history], first),
        )
        project.refresh_search_text()
        previous = ""
        events = []
        for i, (step, day) in enumerate(history):
            kind = "advance" if step in MAIN_LINE else ("hold" if step == Stage.ON_HOLD else "terminate")
            events.append(StageEvent(from_stage=previous, to_stage=step.value, kind=kind, stage_on=day))
            events[-1].created_at = timezone.make_aware(dt.datetime.combine(day, dt.time(9, i)))
            previous = step.value
        yield project, events


@register("projects", city=3_000, province=50_000)
def generate_projects(ctx: GenContext, count: int) -> int:
    """Projects with a consistent stage history (codes ``SC-000001`` …; existing ones kept)."""
    today = timezone.localdate()
    existing = set(Project.objects.filter(code__startswith=CODE_PREFIX).values_list("code", flat=True))
    created = 0
    rows = ((p, e) for p, e in _project_rows(ctx, count, today) if p.code not in existing)
    for batch in batched(rows, BATCH_SIZE):
        Project.objects.bulk_create([p for p, _e in batch])
        events = []
        for project, history in batch:
            for event in history:
                event.project = project
                events.append(event)
        StageEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
        created += len(batch)
    return created


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


@register("fund_entries", city=36_000, province=600_000)
def generate_fund_entries(ctx: GenContext, count: int) -> int:
    """Monthly funds of the generated projects under construction or in production, from their
    start month to the current month, one or two sources a month, until ``count`` entries exist
    for them. Projects that already have funds are left alone (a repeated run adds nothing).
    Entries of past months are verified (bank slip; the generator stores no files), those of the
    current month reported, so the counted figure and the verifier's queue both have data."""
    rng = ctx.rng("fund_entries")
    this_month = _month(timezone.localdate())
    now = timezone.now()
    funded = (
        Project.objects.filter(code__startswith=CODE_PREFIX, stage__in=[s.value for s in FUNDED])
        .exclude(fund_entries__isnull=False)
        .order_by("code")
        .values_list("pk", "started_on", "total_investment_wan")
    )
    # (source, kind) pairs weighted as reports read: mostly from outside the province, mostly
    # fixed-asset investment.
    pairs = [
        (source, kind)
        for source, weight in ((FundSource.OUTSIDE_PROVINCE, 5), (FundSource.OUTSIDE_CITY, 4), (FundSource.FOREIGN, 1))
        for kind, kind_weight in ((FundKind.FIXED_ASSET, 4), (FundKind.OTHER, 1))
        for _ in range(weight * kind_weight)
    ]
    existing = FundEntry.objects.filter(project__code__startswith=CODE_PREFIX).count()

    def entries() -> Iterator[FundEntry]:
        made = existing
        for pk, started_on, total in funded:
            if started_on is None:
                continue
            month = _month(started_on)
            while month <= this_month:
                drawn = dict.fromkeys(rng.sample(pairs, k=6))
                for source, kind in list(drawn)[: rng.choice((2, 2, 3))]:
                    if made >= count:
                        return
                    share = Decimal(rng.randint(10, 150)) / Decimal(10000)  # 0.1 % … 1.5 % a month
                    # The city has verified the past months (only verified entries count:
                    # docs/targets.md); the current month's report waits in its queue.
                    checked = month < this_month
                    yield FundEntry(
                        project_id=pk,
                        month=month,
                        amount_wan=(total * share).quantize(Decimal("0.01")),
                        source=source,
                        kind=kind,
                        verification=FundVerification.VERIFIED if checked else FundVerification.REPORTED,
                        verified_at=now if checked else None,
                        evidence_kind=FundEvidenceKind.BANK_SLIP if checked else "",
                    )
                    made += 1
                month = _next_month(month)

    created = 0
    for batch in batched(entries(), 10_000):
        FundEntry.objects.bulk_create(batch)
        created += len(batch)
    alerts_refresh()  # the stored lights read the funds just written
    return created
