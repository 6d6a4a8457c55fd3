"""Badges of the project pages: a colour per stage and per kind of stage change.

Load with ``{% load projects_ui %}``; both tags build markup with ``format_html``.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from zhaoyin.lib import alerts as alert_rules
from zhaoyin.projects.choices import AlertLevel, Stage, StageChangeKind

register = template.Library()

STAGE_CLASSES: dict[str, str] = {
    Stage.LEAD: "text-bg-light border",
    Stage.NEGOTIATING: "text-bg-info",
    Stage.SIGNED: "text-bg-primary",
    Stage.REGISTERED: "text-bg-primary",
    Stage.STARTED: "text-bg-warning",
    Stage.PRODUCING: "text-bg-success",
    Stage.FULL_CAPACITY: "text-bg-success",
    Stage.ON_HOLD: "text-bg-secondary",
    Stage.TERMINATED: "text-bg-dark",
}
KIND_CLASSES: dict[str, str] = {
    StageChangeKind.ADVANCE: "text-bg-success",
    StageChangeKind.SKIP: "text-bg-warning",
    StageChangeKind.CORRECTION: "text-bg-danger",
    StageChangeKind.HOLD: "text-bg-secondary",
    StageChangeKind.RESUME: "text-bg-info",
    StageChangeKind.TERMINATE: "text-bg-dark",
    StageChangeKind.REOPEN: "text-bg-info",
}


@register.simple_tag
def stage_badge(stage: str) -> SafeString:
    """``{% stage_badge project.stage %}``: the stage's label in its colour."""
    label = Stage(stage).label if stage in Stage.values else stage
    return format_html(
        '<span class="badge zy-stage {}" data-stage="{}">{}</span>',
        STAGE_CLASSES.get(stage, "text-bg-light"),
        stage,
        label,
    )


@register.simple_tag
def kind_badge(kind: str) -> SafeString:
    """``{% kind_badge event.kind %}``: the kind of a stage change in its colour."""
    label = StageChangeKind(kind).label if kind in StageChangeKind.values else kind
    return format_html(
        '<span class="badge {}" data-kind="{}">{}</span>', KIND_CLASSES.get(kind, "text-bg-light"), kind, label
    )


#: The badge of each light; green is shown quiet so the flagged rows stand out, grey quieter.
ALERT_CLASSES = {
    "red": "text-bg-danger",
    "yellow": "text-bg-warning",
    "green": "text-bg-success zy-light-quiet",
    alert_rules.GREY: "text-bg-secondary zy-light-off",
}


@register.simple_tag
def alert_badge(level: str, stage: str = "") -> SafeString:
    """``{% alert_badge project.alert_level project.stage %}``: the stored 红黄绿 light as a
    badge; a project on hold or terminated shows grey, not green (``lib.alerts.light_shown``)."""
    shown = alert_rules.light_shown(stage, level)
    if shown == alert_rules.GREY:
        return format_html(
            '<span class="badge zy-light {}" data-alert="{}" title="{}">{}</span>',
            ALERT_CLASSES[shown], shown, _("On hold or terminated: no light is kept"), _("Grey light"),
        )
    label = AlertLevel(level).label if level in AlertLevel.values else level
    css = ALERT_CLASSES.get(level, "text-bg-light")
    return format_html('<span class="badge zy-light {}" data-alert="{}">{}</span>', css, level, label)
