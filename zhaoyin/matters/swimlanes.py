"""The matters flowchart for people (服务流程图, issue 15 item 8): THE table drawn in swimlanes by
actor — 诉求人 → 平台/督查室 → 承办单位 → 领导 — with each step's working-day limit read from the
settings (``ZHAOYIN_MATTERS``: sign-for and handling days, the escalation thresholds, the
slow-progress days) and the 催办 / 督办 / 挂牌 steps on it. Every word goes through the
catalogue, so the Chinese UI shows no state code. Drawn by ``core.flowchart.table_swimlane_svg``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from zhaoyin.core.flowchart import table_swimlane_svg
from zhaoyin.matters import clocks
from zhaoyin.matters.flow import MATTER_TABLE, Action, Relation, State


def _lanes() -> list[tuple[str, Any]]:
    return [
        ("requester", _("Requesting party")),  # 诉求人
        ("office", _("Platform / supervision office")),  # 平台/督查室
        ("unit", _("Handling units")),  # 承办单位
        ("leader", _("City leaders")),  # 领导
    ]


LANE_OF_ACTOR = {
    Relation.REQUESTER.value: "requester",
    Relation.DISPATCHER.value: "office",
    Relation.SUPERVISOR.value: "office",
    Relation.LEAD_UNIT.value: "unit",
    Relation.CO_UNIT.value: "unit",
    Relation.LEADER.value: "leader",
}
#: Where the states sit when nobody waits in them (or a better column reads the process).
STATE_LANES = {State.DRAFT.value: "office", State.RATED.value: "requester", State.CANCELLED.value: "office"}
STATE_COLUMNS = {State.RETURNED.value: 0, State.CANCELLED.value: 5}
#: 挂牌 / 摘牌 are the leaders' (the office takes them only on a leader's behalf).
ACTION_LANES = {Action.LIST.value: "leader", Action.UNLIST.value: "leader"}


def _days(n: int) -> str:
    return _("%(n)d working days") % {"n": n} if n != 1 else _("1 working day")


def notes() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The limits written under the states and the actions, from the settings."""
    values = clocks.matter_settings()
    handle = sorted({int(v) for v in values["HANDLE_DAYS"].values() if v is not None})
    span = f"{handle[0]}–{handle[-1]}" if len(handle) > 1 else str(handle[0] if handle else "")
    state_notes = {
        State.ASSIGNED.value: [_("Sign for within %(days)s") % {"days": _days(int(values["SIGN_DAYS"]))}],
        State.ACCEPTED.value: [
            _("Handle within %(span)s working days (by kind)") % {"span": span},
            _("Yellow: no progress for %(days)s") % {"days": _days(int(values["STALE_WORKDAYS"]))},
        ],
        State.CLOSED.value: [_("Rating by the requester")],
    }
    action_notes = {
        Action.URGE.value: [_("Automatic: the first overdue working day")],
        Action.SUPERVISE.value: [
            _("Automatic: overdue %(days)s, with an order") % {"days": _days(int(values["SUPERVISE_AFTER_WORKDAYS"]))}
        ],
        Action.LIST.value: [_("With the leader and a deadline")],
    }
    return state_notes, action_notes


def swimlane_svg() -> str:
    """The swimlane flowchart of THE table in the active language."""
    state_notes, action_notes = notes()
    return table_swimlane_svg(
        MATTER_TABLE, lanes=_lanes(), lane_of_actor=LANE_OF_ACTOR, title=_("Assigned matters: who does what"),
        id_prefix="matterlanes", state_lanes=STATE_LANES, state_columns=STATE_COLUMNS, state_notes=state_notes,
        action_notes=action_notes, action_lanes=ACTION_LANES,
    )
