"""Badges and labels of the matter pages: the state in its colour, the alert light (蓝/红),
the action of a timeline entry and its details.

Load with ``{% load matters_ui %}``; the tags build markup with ``format_html``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoyin.matters.choices import MatterKind, MatterSource, Rating
from zhaoyin.matters.flow import ACTION_LABELS, STATE_LABELS, Action, State
from zhaoyin.matters.models import MatterEvent

register = template.Library()

STATE_CLASSES: dict[str, str] = {
    State.DRAFT: "text-bg-light border",
    State.ASSIGNED: "text-bg-info",
    State.ACCEPTED: "text-bg-primary",
    State.REPORTED: "text-bg-warning",
    State.CLOSED: "text-bg-success",
    State.RATED: "text-bg-success",
    State.RETURNED: "text-bg-danger",
    State.CANCELLED: "text-bg-secondary",
}
#: Events that are not rows of the table: the registration and a recomputed deadline.
EXTRA_ACTION_LABELS: dict[str, Any] = {
    "create": gettext_lazy("Registered"),
    "recompute": gettext_lazy("Deadlines recomputed"),
}


#: Labels by code, built once: ``get_FOO_display`` rebuilds a hashable copy of the field's
#: choices on every call, which cost ≈ 8 ms on a page of 50 rows.
SOURCE_LABELS: dict[str, Any] = dict(MatterSource.choices)
KIND_LABELS: dict[str, Any] = dict(MatterKind.choices)


@register.filter
def source_label(code: str) -> str:
    """``{{ matter.source|source_label }}``: the source's label."""
    return str(SOURCE_LABELS.get(code, code))


@register.filter
def kind_label(code: str) -> str:
    """``{{ matter.kind|kind_label }}``: the kind's label."""
    return str(KIND_LABELS.get(code, code))


def state_label(state: str) -> str:
    return str(STATE_LABELS[State(state)]) if state in State.__members__.values() else state


@register.simple_tag
def state_badge(state: str) -> SafeString:
    """``{% state_badge matter.state %}``: the state's label in its colour."""
    return format_html(
        '<span class="badge zy-state {}" data-state="{}">{}</span>',
        STATE_CLASSES.get(state, "text-bg-light"),
        state,
        state_label(state),
    )


@register.simple_tag
def alert_light(alert: str) -> SafeString:
    """``{% alert_light row.alert %}``: 蓝 approaching, 红 overdue, a quiet dash otherwise."""
    if alert == "overdue":
        return format_html(
            '<span class="badge zy-light text-bg-danger" data-alert="overdue" title="{}">{}</span>',
            _("Overdue"),
            _("Red"),
        )
    if alert == "approaching":
        return format_html(
            '<span class="badge zy-light text-bg-primary" data-alert="approaching" title="{}">{}</span>',
            _("Deadline approaching"),
            _("Blue"),
        )
    return format_html('<span class="text-body-secondary" data-alert="{}">—</span>', alert or "normal")


@register.simple_tag
def listed_badge(listed: bool) -> SafeString:
    """``{% listed_badge matter.listed %}``: 挂牌督办 as a red-bordered badge, nothing otherwise."""
    if not listed:
        return SafeString("")
    return format_html('<span class="badge zy-listed" data-listed="1">{}</span>', _("Listed"))


@register.filter
def action_label(action: str) -> str:
    """The label of an event's action (a table action, the registration, a recompute)."""
    if action in EXTRA_ACTION_LABELS:
        return str(EXTRA_ACTION_LABELS[action])
    try:
        return str(ACTION_LABELS[Action(action)])
    except ValueError:
        return action


@register.filter
def state_name(state: str) -> str:
    return state_label(state) if state else ""


def _value(key: str, value: Any, unit_names: dict[str, str]) -> str:
    if key in ("lead_unit", "co_units"):
        codes = value if isinstance(value, list) else [value]
        return "、".join(unit_names.get(str(c), str(c)) for c in codes) or "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key == "rating" and value in Rating.values:
        return str(Rating(value).label)
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "—"
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    return str(value)


#: The details of an event worth showing, with their labels (the rest are internal ids).
DETAIL_LABELS: dict[str, Any] = {
    "lead_unit": gettext_lazy("Lead unit"),
    "co_units": gettext_lazy("Co-units"),
    "received_on": gettext_lazy("Received on"),
    "sign_deadline": gettext_lazy("Sign-for deadline"),
    "handle_days": gettext_lazy("Handling working days"),
    "handle_deadline": gettext_lazy("Handling deadline"),
    "provisional": gettext_lazy("Provisional"),
    "suggested_unit_name": gettext_lazy("Unit believed responsible"),
    "current_deadline": gettext_lazy("Deadline when requested"),
    "requested_deadline": gettext_lazy("Requested deadline"),
    "approved": gettext_lazy("Approved"),
    "rating": gettext_lazy("Rating"),
    "on_behalf": gettext_lazy("On the requester's behalf"),
    "on_time": gettext_lazy("On time"),
    # 督查室 powers (issue 15 item 4).
    "deadline": gettext_lazy("Deadline (限期)"),
    "order": gettext_lazy("Supervision order"),
    "notice_sent": gettext_lazy("Notice sent"),
    # Issue 15: a leader's 批示.
    "leader_name": gettext_lazy("Leader"),
    "instructed_on": gettext_lazy("Instructed on"),
}


@register.simple_tag
def event_details(event: MatterEvent, unit_names: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """``{% event_details event unit_names as rows %}``: (label, value) of the details worth
    showing; ``unit_names`` maps unit codes to names."""
    data = event.data if isinstance(event.data, dict) else {}
    return [
        (str(label), _value(key, data[key], unit_names or {}))
        for key, label in DETAIL_LABELS.items()
        if key in data
        and data[key] not in (None, "", [])
        # "Provisional: no" is the normal case: only the exception is worth a line.
        and not (key == "provisional" and data[key] is False)
    ]


@register.simple_tag
def stale_light(stale: bool) -> SafeString:
    """``{% stale_light matter.stale %}``: 黄 for slow progress (进展滞后), nothing otherwise."""
    if not stale:
        return SafeString("")
    return format_html(
        '<span class="badge zy-light text-bg-warning" data-stale="1" title="{}">{}</span>',
        _("No progress report for the configured working days"),
        _("Slow progress"),
    )
