"""The auditor's search form (AUD-07): every filter is optional and validated."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoyin.audit.models import Outcome


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class AuditSearchForm(forms.Form):
    """Filters over the audit log: time range, actor, action, outcome, object, request id."""

    since = forms.DateTimeField(
        label=_("From"), required=False, widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    until = forms.DateTimeField(
        label=_("To"), required=False, widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    action = forms.CharField(
        label=_("Action"), required=False, max_length=64,
        help_text=_("An exact action, or a prefix ending in a dot, such as user."),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", _("Any outcome")), *Outcome.choices]
    )
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=64)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    request_id = forms.CharField(label=_("Request id"), required=False, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        placeholders = {
            "actor": _("Actor"), "action": _("Action"), "object_type": _("Object type"),
            "object_id": _("Object id"), "request_id": _("Request id"),
        }
        for name, text in placeholders.items():
            self.fields[name].widget.attrs["placeholder"] = text
        # A datetime input shows no placeholder: its label travels as a tooltip instead.
        self.fields["since"].widget.attrs["title"] = _("From")
        self.fields["until"].widget.attrs["title"] = _("To")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since: dt.datetime | None = data.get("since")
        until: dt.datetime | None = data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the time range is before its start."))
        return data

    def filters(self) -> dict[str, Any]:
        """The non-empty filters, in a form that is stored in the audit record of the query."""
        out: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            if isinstance(value, dt.datetime):
                value = timezone.localtime(value).isoformat(timespec="minutes")
            out[name] = value.strip() if isinstance(value, str) else value
        return out
