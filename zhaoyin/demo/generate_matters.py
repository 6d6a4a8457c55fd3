"""Generator of assigned matters and their event histories (DESIGN 8: 1 000 000 matters with
about 5 000 000 events at province scale), registered with ``zhaoyin generate``.

Matters read like a city's real register: most of them closed and rated over the last two
years, a recent tail still open (a few of them past their deadlines, so the escalation
ladder, the lists' lights and the KPIs have something to show), some returned, cancelled or
still in draft. Each matter's events replay its life (create → assign → accept → report →
approve → rate …) on dates consistent with its clocks, which are counted on the working-day
calendar exactly as ``zhaoyin.matters.clocks`` counts them. Codes are ``SJ-0000001`` … so they
never meet the ``JB<year>-`` codes of registered matters. Everything is bulk-inserted (see
``generate``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind
from zhaoyin.demo.generate import BATCH_SIZE, GenContext, batched, register
from zhaoyin.demo.matter_history import EventStepper, at_shanghai
from zhaoyin.matters.choices import MatterKind, MatterSource, Rating
from zhaoyin.matters.clocks import default_handle_days, sign_days
from zhaoyin.matters.flow import State
from zhaoyin.matters.models import Matter, MatterEvent
from zhaoyin.workcalendar.selectors import current_calendar

CODE_PREFIX = "SJ-"
#: Where matters come from, and the kind each source usually is.
SOURCES: tuple[tuple[MatterSource, MatterKind, int], ...] = (
    (MatterSource.ENTERPRISE_DEMAND, MatterKind.COORDINATION, 40),
    (MatterSource.ENTERPRISE_DEMAND, MatterKind.CONSULTATION, 15),
    (MatterSource.PROJECT_OBSTACLE, MatterKind.COORDINATION, 15),
    (MatterSource.TALENT_DEMAND, MatterKind.TALENT_DEMAND, 10),
    (MatterSource.LEADER_INSTRUCTION, MatterKind.INSTRUCTION, 6),
    (MatterSource.LEADER_INSTRUCTION, MatterKind.URGENT_INSTRUCTION, 3),
    (MatterSource.MEETING_DECISION, MatterKind.INSTRUCTION, 4),
    (MatterSource.VISIT, MatterKind.COORDINATION, 5),
    (MatterSource.REFORM_MEASURE, MatterKind.REFORM, 2),
)
#: The final state of a generated matter and its share (‰).
OUTCOMES: tuple[tuple[State, int], ...] = (
    (State.RATED, 640),
    (State.CLOSED, 120),
    (State.ACCEPTED, 110),
    (State.REPORTED, 35),
    (State.ASSIGNED, 25),
    (State.RETURNED, 15),
    (State.CANCELLED, 30),
    (State.DRAFT, 25),
)
OPEN_OUTCOMES = frozenset({State.ACCEPTED, State.REPORTED, State.ASSIGNED, State.RETURNED, State.DRAFT})
TOPICS = (
    "用地报批",
    "用电增容",
    "人才住房",
    "融资需求",
    "环评审批",
    "道路配套",
    "用工招聘",
    "子女入学",
    "政策兑现",
    "施工许可",
)


def _weighted(rng: Any, table: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
    roll = rng.randrange(sum(row[-1] for row in table))
    for row in table:
        roll -= row[-1]
        if roll < 0:
            return row
    return table[-1]


def _matter_rows(
    ctx: GenContext, count: int, units: list[OrgUnit], dispatcher: OrgUnit
) -> Iterator[tuple[Matter, list[MatterEvent]]]:
    """The seed's first ``count`` matters (unsaved) with their unsaved events."""
    rng = ctx.rng("matters")
    cal = current_calendar()
    today = timezone.localdate()
    now = timezone.now()
    for n in range(1, count + 1):
        source, kind, _share = _weighted(rng, SOURCES)
        outcome = _weighted(rng, OUTCOMES)[0]
        # Open matters are recent; closed ones spread over two years.
        received = today - dt.timedelta(days=rng.randint(0, 40 if outcome in OPEN_OUTCOMES else 730))
        unit = rng.choice(units)
        days = default_handle_days(kind) or rng.choice((20, 40, 60))
        sign_due, provisional = cal.add_workdays(received, sign_days())
        handle_due, provisional_handle = cal.add_workdays(received, days)
        matter = Matter(
            code=f"{CODE_PREFIX}{n:07d}",
            title=f"{unit.name}{rng.choice(TOPICS)}事项{n}",
            source=source,
            kind=kind,
            requester_name=rng.choice(("企业联络员", "项目负责人", "人才本人", "市领导批示", "会议纪要")),
            dispatcher_unit=dispatcher,
            lead_unit=unit,
            state=outcome.value,
            received_on=received,
            handle_from=received,
            handle_days=days,
            created_at=min(at_shanghai(received, 0), now),
        )
        created = matter.created_at
        events = [MatterEvent(action="create", from_state="", to_state=State.DRAFT.value, lead_unit=unit, at=created)]

        step = EventStepper(events, unit, now)

        if outcome != State.DRAFT:
            matter.sign_deadline, matter.handle_deadline = sign_due, handle_due
            matter.deadlines_provisional = provisional or provisional_handle
            matter.assigned_at = step("assign", State.ASSIGNED, received, 30).at
        if outcome == State.RETURNED:
            step(
                "return", State.RETURNED, received, 90, reason="非本单位职责", data={"suggested_unit": dispatcher.code}
            )
        elif outcome == State.CANCELLED:
            step("cancel", State.CANCELLED, received, 60, reason="诉求已撤回")
        elif outcome not in (State.DRAFT, State.ASSIGNED):
            # Mostly signed for in time; one in ten a working day late.
            signed = sign_due if rng.random() < 0.9 else cal.add_workdays(sign_due, 1)[0]
            matter.accepted_at = step("accept", State.ACCEPTED, signed, 120).at
            if outcome in (State.REPORTED, State.CLOSED, State.RATED):
                # Reported somewhere in the clock; one in eight after the deadline.
                late = rng.random() < 0.125
                spent = rng.randint(1, days) + (rng.randint(1, 5) if late else 0)
                reported = max(signed, cal.add_workdays(received, spent)[0])
                matter.reported_at = step("report", State.REPORTED, reported, 240).at
                if outcome in (State.CLOSED, State.RATED):
                    closed = cal.add_workdays(reported, rng.randint(0, 2))[0]
                    matter.closed_at = step("approve", State.CLOSED, closed, 300).at
                if outcome == State.RATED:
                    rating = _weighted(
                        rng,
                        ((Rating.SATISFIED, 80), (Rating.BASICALLY_SATISFIED, 15), (Rating.DISSATISFIED, 5)),
                    )[0]
                    # 不满意 on a closed matter is recorded and then reopened; generated
                    # histories keep it simple: the dissatisfied ones stay rated.
                    matter.rating = rating.value
                    step("rate", State.RATED, closed, 360, data={"rating": rating.value})
        matter.updated_at = events[-1].at
        matter.refresh_facts(cal, returned=outcome == State.RETURNED)
        matter.listed = outcome == State.ACCEPTED and rng.random() < 0.02
        yield matter, events


@register("matters", city=50_000, province=1_000_000)
def generate_matters(ctx: GenContext, count: int) -> int:
    """Matters over the places and departments of the demo tree, dispatched by the 招商服务中心."""
    units = ctx.places + list(OrgUnit.objects.filter(kind=OrgUnitKind.DEPARTMENT).order_by("code"))
    dispatcher = OrgUnit.objects.filter(code="dept-zsfw").first() or ctx.places[0]
    existing = set(Matter.objects.filter(code__startswith=CODE_PREFIX).values_list("code", flat=True))
    created = 0
    rows = ((m, e) for m, e in _matter_rows(ctx, count, units, dispatcher) if m.code not in existing)
    for batch in batched(rows, BATCH_SIZE):
        Matter.objects.bulk_create([m for m, _e in batch])
        events = []
        for matter, history in batch:
            for event in history:
                event.matter = matter
                events.append(event)
        MatterEvent.objects.bulk_create(events, batch_size=BATCH_SIZE * 2)
        created += len(batch)
    return created
