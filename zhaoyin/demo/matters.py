"""The demo's assigned matters (issue 4 item 9): the 88 reform measures in their 20 areas, owned
by the departments with dates in the demo year, and a spread of enterprise, project and talent
demands in every state, so that the lists, the lights, the KPIs and the bulletin read naturally.

Histories are written directly, like ``generate_matters`` does (the services stamp every step
with the present moment; a demo needs a past), each step dated on the working-day calendar
exactly as the clocks count and never later than today. The dispatcher's steps are
``demo_city_admin``'s, the 寿县 unit's ``demo_staff``'s, 田家庵区's ``demo_unit_admin``'s, the
汉邦 demands are ``demo_enterprise``'s. Idempotent: a second load adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.demo.matter_history import EventStepper, at_shanghai
from zhaoyin.demo.matters_data import DEMANDS, REFORM_AREAS
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.matters.choices import MatterKind, MatterSource, Rating
from zhaoyin.matters.clocks import default_handle_days, sign_days
from zhaoyin.matters.flow import Action, State
from zhaoyin.matters.models import Matter, MatterEvent
from zhaoyin.matters.origins import is_internal
from zhaoyin.matters.services import next_matter_code
from zhaoyin.workcalendar.selectors import current_calendar

#: The quarter ends a reform measure is due by (one per measure, in turn).
QUARTER_ENDS = ((3, 31), (6, 30), (9, 30), (12, 31))
#: The spread of demand outcomes (each state at least twice over the 48 demands).
DEMAND_OUTCOMES = (
    State.RATED,
    State.ACCEPTED,
    State.CLOSED,
    State.ASSIGNED,
    State.REPORTED,
    State.RATED,
    State.ACCEPTED,
    State.RETURNED,
    State.RATED,
    State.DRAFT,
    State.ACCEPTED,
    State.CANCELLED,
)


class _Actors:
    """Who takes each step in the demo's histories."""

    def __init__(self) -> None:
        users = {u.username: u for u in User.objects.filter(username__startswith="demo_")}
        self.dispatcher = users.get("demo_city_admin")
        self.enterprise = users.get("demo_enterprise")
        # The leader whose instructions the leader_instruction demands are (issue 15).
        self.leader = users.get("demo_leader")
        self.by_unit: dict[str, User | None] = {}
        # The talent office (人才科) accepts and reports the talent demands routed to it.
        for name in ("demo_staff", "demo_unit_admin", "demo_talent_office"):
            user = users.get(name)
            if user is not None and user.org_unit is not None:
                self.by_unit[user.org_unit.path] = user

    def for_unit(self, unit: OrgUnit) -> User | None:
        for path, user in self.by_unit.items():
            if unit.path.startswith(path):
                return user
        return None


def _history(
    matter: Matter,
    outcome: State,
    *,
    signed_late: bool,
    report_on: dt.date,
    rating: str,
    actors: _Actors,
    today: dt.date,
    reason: str = "",
    cancel_reason: str = "企业已自行解决，申请撤回",
    reopen_reason: str = "企业对办理结果不满意",
    rater: User | None = None,
) -> list[MatterEvent]:
    """The events that take ``matter`` (clocks set) to ``outcome``; fills its timestamps.
    ``rater``: the requester rates in person (default: the dispatcher, on their behalf, after
    a call)."""
    assert matter.received_on is not None
    sign_due = matter.sign_deadline or matter.received_on  # a draft has no clock yet
    assert matter.lead_unit is not None
    cal = current_calendar()
    unit_actor = actors.for_unit(matter.lead_unit)
    created = matter.created_at
    events = [
        MatterEvent(
            action="create",
            from_state="",
            to_state=State.DRAFT.value,
            lead_unit=matter.lead_unit,
            at=created,
            actor=matter.requester or actors.dispatcher,
        )
    ]
    step = EventStepper(events, matter.lead_unit, timezone.now())
    if outcome != State.DRAFT:
        matter.assigned_at = step("assign", State.ASSIGNED, matter.received_on, 30, actor=actors.dispatcher).at
    if outcome == State.RETURNED:
        step(
            "return",
            State.RETURNED,
            sign_due,
            60,
            actor=unit_actor,
            reason=reason,
            data={"suggested_unit": "dept-zsfw"},
        )
    elif outcome == State.CANCELLED:
        step(
            "cancel",
            State.CANCELLED,
            matter.received_on,
            90,
            actor=actors.dispatcher,
            reason=cancel_reason,
        )
    elif outcome not in (State.DRAFT, State.ASSIGNED):
        signed = cal.add_workdays(sign_due, 1)[0] if signed_late else sign_due
        matter.accepted_at = step(
            "accept", State.ACCEPTED, signed, 60, actor=unit_actor, note="已签收，明确专人办理。"
        ).at
        if outcome in (State.REPORTED, State.CLOSED, State.RATED, State.DISPUTED):
            reported = max(report_on, signed)
            matter.reported_at = step(
                "report", State.REPORTED, reported, 240, actor=unit_actor, note="已按要求办理完毕，现予反馈。"
            ).at
            if outcome in (State.CLOSED, State.RATED, State.DISPUTED):
                closed = cal.add_workdays(reported, 1)[0]
                matter.closed_at = step(
                    "approve", State.CLOSED, closed, 300, actor=actors.dispatcher, note="经核实已办结。"
                ).at
            if outcome == State.DISPUTED:
                # A 不满意 still waiting for the dispatcher's 核实 (issue 15).
                rating = Rating.DISSATISFIED.value
            if outcome in (State.RATED, State.DISPUTED):
                # An internal task is the dispatcher's assessment (考核), outside the 满意率 (issue 15).
                internal = is_internal(matter.source)
                if internal:
                    matter.assessment = rating
                else:
                    matter.rating = rating
                dissatisfied = rating == Rating.DISSATISFIED
                step(
                    "rate",
                    State.RATED,
                    cal.add_workdays(reported, 2)[0],
                    360,
                    actor=(None if internal else rater) or actors.dispatcher,
                    note=reopen_reason if dissatisfied else ("" if rater else "电话回访。"),
                    data={"rating": rating, "on_behalf": rater is None,
                          "kind": "assessment" if internal else "satisfaction"},
                )
                if dissatisfied:
                    # 不满意 goes to the dispatcher for 核实 first.
                    again = cal.add_workdays(reported, 2)[0]
                    step("dispute", State.DISPUTED, again, 370, actor=rater or actors.dispatcher,
                         reason=reopen_reason, data={"rating": rating})
                if dissatisfied and outcome == State.RATED:
                    # Found well-founded: the unit reworks it (重办) with a new handling clock.
                    days = matter.handle_days or 15
                    matter.state = State.ACCEPTED.value
                    matter.handle_from = again
                    matter.handle_deadline = cal.add_workdays(again, days)[0]
                    step(
                        "confirm_dispute",
                        State.ACCEPTED,
                        again,
                        420,
                        actor=actors.dispatcher,
                        reason=reopen_reason,
                        data={"handle_deadline": matter.handle_deadline.isoformat(), "cause": "dissatisfied"},
                    )
    matter.updated_at = events[-1].at
    return events


def _measure_title(area: str, text: str) -> str:
    return f"【{area}】{text}"


def _save(matter: Matter, events: list[MatterEvent]) -> None:
    matter.refresh_facts(current_calendar(), returned=any(e.action == Action.RETURN.value for e in events))
    matter.save(force_insert=True)
    for event in events:
        event.matter = matter
    MatterEvent.objects.bulk_create(events)


def matters_ensure(*, year: int, result: Any) -> None:
    """Load the reform measures and the demands once (see the module docstring)."""
    area, _owner, measures = REFORM_AREAS[0]
    if Matter.objects.filter(source=MatterSource.REFORM_MEASURE, title=_measure_title(area, measures[0])).exists():
        return
    rng = random.Random(f"demo-matters:{year}")  # noqa: S311 - demo data, not security
    cal = current_calendar()
    today = timezone.localdate()
    units = {u.code: u for u in OrgUnit.objects.all()}
    actors = _Actors()
    dispatcher_unit = units["dept-fgw"]
    # The plan is issued on the first working day of the year; every measure is assigned then.
    issued = next(d for d in (dt.date(year, 1, 4) + dt.timedelta(days=i) for i in range(10)) if cal.is_workday(d))
    issued = min(issued, today)
    n = 0
    for area, owner, measures in REFORM_AREAS:
        for text in measures:
            month, day = QUARTER_ENDS[n % 4]
            n += 1
            due = dt.date(year, month, day)
            if due < today:
                # Past the date: mostly done, a few still open (red on the lists), some awaiting review.
                outcome = rng.choices((State.RATED, State.CLOSED, State.ACCEPTED, State.REPORTED), (60, 25, 10, 5))[0]
                report_on = due - dt.timedelta(days=rng.randint(3, 40))
            else:
                outcome = rng.choices((State.ACCEPTED, State.REPORTED, State.CLOSED), (60, 25, 15))[0]
                report_on = min(today, due) - dt.timedelta(days=rng.randint(0, 20))
            matter = Matter(
                code=next_matter_code(year),
                title=_measure_title(area, text),
                description=f"《创优营商环境提升行动方案》{area}方面改革举措：{text}。牵头单位按期落实并报送佐证材料。",
                source=MatterSource.REFORM_MEASURE,
                kind=MatterKind.REFORM,
                requester_name="市优化营商环境工作领导小组办公室",
                dispatcher_unit=dispatcher_unit,
                lead_unit=units[owner],
                state=outcome.value,
                received_on=issued,
                handle_from=issued,
                sign_deadline=cal.add_workdays(issued, sign_days())[0],
                handle_deadline=due,
                created_by=actors.dispatcher,
                created_at=min(at_shanghai(issued, 0), timezone.now()),
            )
            rating = Rating.SATISFIED.value if rng.random() < 0.85 else Rating.BASICALLY_SATISFIED.value
            events = _history(
                matter, outcome, signed_late=False, report_on=report_on, rating=rating, actors=actors, today=today
            )
            _save(matter, events)
            result.add("matters")
    firms = list(Enterprise.objects.order_by("name")[:60])
    hanbang = Enterprise.objects.filter(name__contains="汉邦").first()
    rated = 0
    for i in range(2 * len(DEMANDS)):
        source, kind, template, unit_code = DEMANDS[i % len(DEMANDS)]
        firm = (
            hanbang if (i % len(DEMANDS) == 0 and hanbang is not None) else (firms[i % len(firms)] if firms else None)
        )
        outcome = DEMAND_OUTCOMES[i % len(DEMAND_OUTCOMES)]
        days = default_handle_days(kind) or 15
        # Open demands are recent (some past their deadline, some about to reach it).
        back = (
            rng.randint(0, 25)
            if outcome in (State.ASSIGNED, State.ACCEPTED, State.REPORTED, State.DRAFT)
            else rng.randint(20, 120)
        )
        received = today - dt.timedelta(days=back)
        while not cal.is_workday(received):
            received -= dt.timedelta(days=1)
        handle_due, provisional = cal.add_workdays(received, days)
        requester = actors.enterprise if firm is not None and firm == hanbang else None
        matter = Matter(
            code=next_matter_code(received.year),
            title=template.format(firm=firm.name if firm else "企业"),
            description="企业反映的问题，请牵头单位会同相关部门研究解决，按期反馈办理结果。",
            source=source,
            kind=kind,
            # Every demand naming a firm links it, so the list shows whose it is (issue 15 item 9).
            enterprise=firm if "{firm}" in template and source != MatterSource.TALENT_DEMAND else None,
            requester=requester,
            instructing_leader=actors.leader if source == MatterSource.LEADER_INSTRUCTION else None,
            requester_name=(firm.legal_representative if firm else "") or "企业联络员",
            dispatcher_unit=units["dept-zsfw"],
            lead_unit=units[unit_code],
            state=outcome.value,
            received_on=received,
            handle_from=received,
            handle_days=days,
            sign_deadline=cal.add_workdays(received, sign_days())[0],
            handle_deadline=handle_due if outcome != State.DRAFT else None,
            deadlines_provisional=provisional,
            created_by=requester or actors.dispatcher,
            created_at=min(at_shanghai(received, 0), timezone.now()),
        )
        if outcome == State.DRAFT:
            matter.sign_deadline = None
        ratings = (Rating.SATISFIED, Rating.SATISFIED, Rating.BASICALLY_SATISFIED, Rating.DISSATISFIED)
        rating = ratings[rated % len(ratings)].value
        rated += outcome == State.RATED
        report_on = cal.add_workdays(received, rng.randint(1, days + 2))[0]
        events = _history(
            matter,
            outcome,
            signed_late=i % 7 == 3,
            report_on=report_on,
            rating=rating,
            actors=actors,
            today=today,
            reason="该事项属于用地审批，建议由自然资源和规划局主办。",
        )
        matter.listed = outcome == State.ACCEPTED and i % 9 == 0
        _save(matter, events)
        result.add("matters")
