"""Forms of the talent-project pages. They only draw the page: the input models
(``talentprojects.inputs``, through ``core.forms.bind_input``) and the services judge what is
posted."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoyin.talentprojects import flow
from zhaoyin.talentprojects.selectors import round_list

_DATE = forms.DateInput(attrs={"type": "date"})


class TalentProjectForm(forms.Form):
    """申报: a talent's application in a round."""

    REQUIRED = ("round", "talent", "title", "requested_wan")
    WIDE = ("title", "summary")

    round = forms.ChoiceField(label=_("Round"), required=False)
    talent = forms.CharField(label=_("Talent (record number)"), required=False, max_length=20)
    title = forms.CharField(label=_("Project title"), required=False, max_length=200)
    requested_wan = forms.CharField(label=_("Requested (10k yuan)"), required=False, max_length=20)
    applied_on = forms.CharField(label=_("Applied on"), required=False, widget=_DATE)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(str(r.pk), f"{r.programme.name} · {r.name}") for r in round_list()]
        self.fields["round"].choices = choices  # type: ignore[attr-defined]


#: The fields each action's form draws (its input model's, ``services.ACTION_SERVICES``).
_ACTION_FIELDS: dict[flow.Action, tuple[str, ...]] = {
    flow.Action.RECOMMEND: ("on",),
    flow.Action.NOT_RECOMMEND: ("reason", "on"),
    flow.Action.APPROVE: ("approved_wan", "on"),
    flow.Action.REJECT: ("reason", "on"),
    flow.Action.FUND: ("amount_wan", "paid_on", "note"),
    flow.Action.WITHDRAW: ("reason", "on"),
}


def _field(name: str) -> forms.Field:
    if name == "reason":
        return forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    if name in ("approved_wan", "amount_wan"):
        return forms.CharField(label=_("Amount (10k yuan)"), required=False, max_length=20)
    if name == "note":
        return forms.CharField(label=_("Note"), required=False, max_length=200)
    label = _("Paid on") if name == "paid_on" else _("Date")
    return forms.CharField(label=label, required=False, widget=_DATE)


def action_form(action: flow.Action, data: Any = None, *, version: int | None = None) -> forms.Form:
    """The form of one action: its fields and the version the page was read at."""
    form = forms.Form(data, prefix=None, initial={"version": version})
    for name in _ACTION_FIELDS[action]:
        form.fields[name] = _field(name)
    form.fields["version"] = forms.IntegerField(required=False, widget=forms.HiddenInput)
    return form
