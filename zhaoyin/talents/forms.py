"""Forms of the talent pages. They only draw the page: the input models (``talents.inputs``,
through ``core.forms.bind_input``) and the services judge what is posted, so a value gets
the same message here, in the API and in an import report (VAL-01)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.models import User
from zhaoyin.accounts.selectors import grouped_unit_choices, user_names
from zhaoyin.core.pickers import PICK_USER, use_picker
from zhaoyin.enterprises.models import Industry
from zhaoyin.talents.models import Channel, Education, IdType, LeadStatus, Sex, Talent, TalentLead, Title
from zhaoyin.talents.pickers import use_employer_picker
from zhaoyin.talents.validation import TalentLookups

Choices = list[tuple[str, str]]


def _text(label: Any, max_length: int = 100, **attrs: Any) -> forms.CharField:
    widget = forms.TextInput(attrs={"maxlength": max_length, **attrs})
    return forms.CharField(label=label, required=False, widget=widget)


def _date(label: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))


def _select(label: Any, choices: Choices) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Select(choices=choices))


def _choices(enum: Any, blank: str | None = None) -> Choices:
    out = [(str(v), str(label)) for v, label in enum.choices]
    return ([("", blank)] if blank is not None else []) + out


class TalentForm(forms.Form):
    """Register or change a talent. The ID number is typed in full on registration; on a
    change it is left empty (the stored one stays) unless a new one is typed."""

    REQUIRED = ("name", "id_number", "org_unit")
    WIDE = ("employer_name",)

    name = _text(_("Name"), 50)
    id_type = _select(_("ID document type"), _choices(IdType))
    id_number = _text(_("ID number"), 40, autocomplete="off", spellcheck="false")
    birth_date = _date(_("Birth date"))
    sex = _select(_("Sex"), _choices(Sex, "—"))
    education = _select(_("Education"), _choices(Education))
    title = _select(_("Professional title"), _choices(Title))
    school = _text(_("Graduating school"), 100)
    major = _text(_("Major"), 100)
    org_unit = _select(_("Org unit"), [])
    industry = _select(_("Industry"), [])
    employer = _text(_("Employer (credit code)"), 18, autocomplete="off")
    employer_name = _text(_("Employer name (institution)"), 200)
    arrival_date = _date(_("Arrival date"))
    channel = _select(_("Source channel"), _choices(Channel))
    station = _select(_("Talent station"), [])
    phone = _text(_("Phone"), 20, inputmode="tel", autocomplete="off")
    email = _text(_("E-mail"), 100, inputmode="email")
    contract_start = _date(_("Labour contract start"))
    contract_end = _date(_("Labour contract end"))
    social_insurance_months = _text(_("Social insurance months in the city"), 3, inputmode="numeric")
    version = forms.CharField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args: Any, user: User, talent: Talent | None = None, **kwargs: Any) -> None:
        if talent is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = initial_from(talent)
        super().__init__(*args, **kwargs)
        lookups = TalentLookups.load(user, keep=talent.org_unit if talent is not None else None)
        units = {u.pk: u for u in lookups.units.values()}.values()
        # One group per kind in the official order (县区 / 园区 / 市直部门 …), as every unit drop-down.
        self._set("org_unit", grouped_unit_choices(units, "—"))
        industries = Industry.objects.order_by("sort_order", "code")
        self._set("industry", [("", "—")] + [(i.code, i.name) for i in industries])
        self._set("station", [("", "—")] + [(s.code, s.name) for s in lookups.stations.values()])
        # The employer by name, 拼音首字母 or credit code (issue 16); a typed code is still taken.
        use_employer_picker(self, "employer", user)
        if talent is None:
            del self.fields["version"]
        else:
            self.fields["id_number"].help_text = _("Leave empty to keep the stored number (%(masked)s).") % {
                "masked": talent.id_masked
            }
            self.fields["phone"].help_text = _("Leave empty to keep the stored phone (%(masked)s).") % {
                "masked": talent.phone_masked or "—"
            }

    def _set(self, name: str, choices: Choices) -> None:
        widget = self.fields[name].widget
        widget.choices = choices

    def changed_values(self) -> list[str]:
        """Fields a change leaves out when left empty (the personal data is never pre-filled)."""
        return [n for n in ("id_number", "phone") if not str(self.data.get(n, "")).strip()]


def initial_from(t: Talent) -> dict[str, Any]:
    """A talent as the form's initial values (never the ID number or the phone)."""
    return {
        "name": t.name, "id_type": t.id_type, "birth_date": t.birth_date, "sex": t.sex, "education": t.education,
        "title": t.title, "school": t.school, "major": t.major, "org_unit": t.org_unit.code,
        "industry": t.industry.code if t.industry else "", "employer": t.employer.uscc if t.employer else "",
        "employer_name": t.employer_name, "arrival_date": t.arrival_date, "channel": t.channel,
        "station": t.station.code if t.station else "", "email": t.email, "contract_start": t.contract_start,
        "contract_end": t.contract_end, "social_insurance_months": t.social_insurance_months, "version": t.version,
    }


class DepartForm(forms.Form):
    """Record a talent's departure."""

    departed_on = _date(_("Departed on"))
    version = forms.CharField(required=False, widget=forms.HiddenInput())


class LinkAccountForm(forms.Form):
    """Link the talent's portal account (a user holding the talent role): a picker over those
    accounts by name or username; a typed username is taken."""

    username = forms.CharField(label=_("Portal account (username)"), max_length=150)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_picker(
            self, "username", "accounts:pick_users", labels=user_names, params={"role": "talent"},
            placeholder=str(PICK_USER),
        )


class LeadForm(forms.Form):
    """Add or change a station's lead."""

    REQUIRED = ("name", "contacted_on")
    WIDE = ("note",)

    name = _text(_("Name"), 50)
    education = _select(_("Education"), _choices(Education))
    field_of_work = _text(_("Field of work"), 100)
    current_employer = _text(_("Current employer"), 200)
    target_employer = _text(_("Target employer (credit code)"), 18, autocomplete="off")
    contacted_on = _date(_("Contacted on"))
    status = _select(_("Status"), [(v, str(label)) for v, label in LeadStatus.choices if v != LeadStatus.ARRIVED])
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.CharField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args: Any, user: User, lead: TalentLead | None = None, **kwargs: Any) -> None:
        if lead is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": lead.name, "education": lead.education, "field_of_work": lead.field_of_work,
                "current_employer": lead.current_employer,
                "target_employer": lead.target_employer.uscc if lead.target_employer else "",
                "contacted_on": lead.contacted_on, "status": lead.status, "note": lead.note, "version": lead.version,
            }
        super().__init__(*args, **kwargs)
        use_employer_picker(self, "target_employer", user)
        if lead is None:
            del self.fields["version"]
            del self.fields["status"]


class ArrivedForm(forms.Form):
    """Mark a lead arrived: the talent record (id) it became."""

    talent = _select(_("Talent record"), [])
    version = forms.CharField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args: Any, talents: list[Talent], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["talent"].widget
        widget.choices = [("", "—")] + [(str(t.pk), f"{t.name} · {t.org_unit.name}") for t in talents]
