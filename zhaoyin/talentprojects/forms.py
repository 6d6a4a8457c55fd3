"""Forms of the talent-project pages. They only draw the page: the input models
(``talentprojects.inputs``, through ``core.forms.bind_input``) and the services judge what is
posted."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.models import User
from zhaoyin.talentprojects import flow
from zhaoyin.talentprojects.models import Programme, ProgrammeLevel, ProgrammeRound
from zhaoyin.talentprojects.selectors import round_list
from zhaoyin.talents.pickers import use_talent_picker

_DATE = forms.DateInput(attrs={"type": "date"})


class TalentProjectForm(forms.Form):
    """申报: a talent's application in a round (the talent a picker by name; a typed record
    number is taken as before)."""

    REQUIRED = ("round", "talent", "title", "requested_wan")
    WIDE = ("title", "summary")

    round = forms.ChoiceField(label=_("Round"), required=False)
    talent = forms.CharField(label=_("Talent (record number)"), required=False, max_length=20)
    title = forms.CharField(label=_("Project title"), required=False, max_length=200)
    requested_wan = forms.CharField(label=_("Requested (10k yuan)"), required=False, max_length=20)
    applied_on = forms.CharField(label=_("Applied on"), required=False, widget=_DATE)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_talent_picker(self, "talent", user)
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


_ACTIVE_CHOICES = [("yes", _("Active")), ("no", _("Inactive"))]


class ProgrammeForm(forms.Form):
    """A programme: the create page draws the code, the edit page does not (it stays)."""

    REQUIRED = ("code", "name", "level", "is_active")
    WIDE = ("name", "sponsor")

    code = forms.CharField(label=_("Code"), required=False, max_length=40,
                           help_text=_("Letters, digits, '-' and '_'; it names the programme in the API."))
    name = forms.CharField(label=_("Name"), required=False, max_length=100)
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", "—"), *ProgrammeLevel.choices])
    sponsor = forms.CharField(label=_("Sponsoring department"), required=False, max_length=100)
    max_funding_wan = forms.CharField(label=_("Funding cap per project (10k yuan)"), required=False, max_length=20,
                                      help_text=_("Leave blank for no cap."))
    is_active = forms.ChoiceField(label=_("Status"), required=False, choices=_ACTIVE_CHOICES, initial="yes")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, editing: Programme | None = None, **kwargs: Any) -> None:
        if editing is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": editing.name, "level": editing.level, "sponsor": editing.sponsor,
                "max_funding_wan": editing.max_funding_wan if editing.max_funding_wan is not None else "",
                "is_active": "yes" if editing.is_active else "no", "version": editing.version,
            }
        super().__init__(*args, **kwargs)
        if editing is not None:
            del self.fields["code"]
        else:
            del self.fields["version"]


class RoundForm(forms.Form):
    """A round of a programme: year, name, application window."""

    REQUIRED = ("year", "name", "opens_on", "closes_on")
    WIDE = ("name",)

    year = forms.CharField(label=_("Year"), required=False, max_length=4,
                           widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    name = forms.CharField(label=_("Name"), required=False, max_length=100)
    opens_on = forms.CharField(label=_("Opens on"), required=False, widget=_DATE)
    closes_on = forms.CharField(label=_("Closes on"), required=False, widget=_DATE)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, editing: ProgrammeRound | None = None, **kwargs: Any) -> None:
        if editing is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = {
                "year": editing.year, "name": editing.name, "opens_on": editing.opens_on.isoformat(),
                "closes_on": editing.closes_on.isoformat(), "version": editing.version,
            }
        super().__init__(*args, **kwargs)
        if editing is None:
            del self.fields["version"]


class PortalApplicationForm(forms.Form):
    """申报 in the portal: an open round, the title, the summary, the amount. No talent, no
    employer, no date: they come from the talent's own record and today."""

    REQUIRED = ("round", "title", "requested_wan")
    WIDE = ("title", "summary")

    # A select drawn as text: which round may be named is the service's verdict (open today,
    # not applied in yet), so the form does not refuse a choice it did not offer.
    round = forms.CharField(label=_("Round"), required=False, widget=forms.Select)
    title = forms.CharField(label=_("Project title"), required=False, max_length=200)
    requested_wan = forms.CharField(label=_("Requested (10k yuan)"), required=False, max_length=20,
                                    widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, rounds: list[ProgrammeRound], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(str(r.pk), _round_choice(r)) for r in rounds]
        self.fields["round"].widget.choices = choices


def _round_choice(rnd: ProgrammeRound) -> str:
    cap = rnd.programme.max_funding_wan
    label = f"{rnd.programme.name} · {rnd.name}"
    return label + (str(_(" (at most %(wan)s 10k yuan)")) % {"wan": cap} if cap is not None else "")


class PortalWithdrawForm(forms.Form):
    """撤回 on the talent's portal page: the reason and the version the page was read at."""

    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
