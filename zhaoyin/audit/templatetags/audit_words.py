"""Template filters that put the audit log's codes into words (``zhaoyin.audit.labels``).

``{% load audit_words %}`` then ``{{ r.action|action_label }}``, ``{{ r.object_type|object_type_label }}``,
``{{ r.actor|actor_label }}``, ``{{ r.channel|channel_label }}``, ``{{ r.roles|role_names }}``.
Every page that shows who changed what (the audit log, the change histories of records) uses
these, so an actor reads 系统 / 命令行 everywhere rather than ``anonymous`` / ``cli``.
"""

from __future__ import annotations

from django import template

from zhaoyin.audit import labels
from zhaoyin.core.context_processors import ROLE_LABELS

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    return labels.action_label(str(code or ""))


@register.filter
def object_type_label(object_type: str) -> str:
    return labels.object_type_label(str(object_type or ""))


@register.filter
def actor_label(actor: str, channel: str = "") -> str:
    """``{{ r.actor|actor_label:r.channel }}``: the channel tells a visitor from the system."""
    return labels.actor_label(str(actor or ""), str(channel or ""))


@register.filter
def channel_label(channel: str) -> str:
    return labels.channel_label(str(channel or ""))


@register.filter
def role_names(roles: str) -> str:
    """A record's comma-separated role codes as the roles' names ("城市管理员、市领导")."""
    codes = [c.strip() for c in str(roles or "").split(",") if c.strip()]
    return "、".join(str(ROLE_LABELS.get(c, c)) for c in codes)
