"""Forms of the project pages. They only collect and show input: every verdict comes from
``validation.clean_project`` (through the services) or ``filters.project_filter_parse``, so a
value gets the same message on the page, in the API and in an import report (VAL-01).

Fields are plain text fields without Django's own checks (no ``required``, ``max_length`` or
choice validation): those would word their messages differently.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.selectors import grouped_unit_choices
from zhaoyin.core import files as files_core
from zhaoyin.core.pickers import PICK_ENTERPRISE, use_picker
from zhaoyin.enterprises import selectors as enterprise_selectors
from zhaoyin.enterprises.selectors import enterprise_names
from zhaoyin.projects.choices import AttractionMethod, FundEvidenceKind, FundKind, FundSource, SourceRegion
from zhaoyin.projects.models import Project
from zhaoyin.projects.selectors import can_create_project_in, staff_in_charge_candidates
from zhaoyin.projects.validation import REQUIRED_FIELDS

Choices = list[tuple[str, str]]


def _unit_choices(units: Iterable[OrgUnit], blank: str) -> list[Any]:
    """Units as options, grouped by kind in the official order (县区 / 园区 / 市直部门 …)."""
    return grouped_unit_choices(units, blank)


def _staff_choices(users: Iterable[User], blank: str) -> Choices:
    """Accounts as options by user name (what the service takes), shown with name and unit."""

    def label(user: User) -> str:
        who = f"{user.full_name} ({user.username})" if user.full_name else user.username
        return f"{who} · {user.org_unit.name}" if user.org_unit else who

    return [("", blank)] + [(u.username, label(u)) for u in users]


def _industry_choices(blank: str) -> Choices:
    return [("", blank)] + [(i.code, i.name) for i in enterprise_selectors.industry_list()]


def text(label: Any, max_length: int = 200, **attrs: Any) -> forms.CharField:
    widget = forms.TextInput(attrs={"maxlength": max_length, **attrs})
    return forms.CharField(label=label, required=False, widget=widget)


def select(label: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Select())


def date_field(label: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))


def _set_choices(form: forms.Form, name: str, choices: Choices) -> None:
    widget = form.fields[name].widget
    widget.choices = choices


class ProjectForm(forms.Form):
    """Register or change a project. The page builds ``inputs.ProjectInput`` /
    ``ProjectUpdateInput`` from it (``core.forms.bind_input``); the model's and the service's
    errors come back onto the fields."""

    name = text(_("Project name"), 200)
    investor_name = text(_("Investor"), 200)
    investor = text(_("Registered investor (enterprise)"), 100, autocomplete="off")
    source_region = select(_("Source region"))
    industry = select(_("Industry"))
    org_unit = select(_("Org unit"))
    total_investment_wan = text(_("Total investment (10k yuan)"), 20, inputmode="decimal")
    land_mu = text(_("Land need (mu)"), 20, inputmode="decimal")
    attraction_method = select(_("Attraction method"))
    lead_official = text(_("Lead official"), 60)
    staff = select(_("Staff in charge"))
    first_contact_on = date_field(_("First contact"))
    planned_sign_on = date_field(_("Planned signing"))
    planned_start_on = date_field(_("Planned start"))
    planned_production_on = date_field(_("Planned production"))
    construction_content = forms.CharField(
        label=_("Construction content"), required=False, widget=forms.Textarea(attrs={"rows": 4, "maxlength": 5000})
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput())

    REQUIRED = REQUIRED_FIELDS
    #: Fields shown across two thirds of a row.
    WIDE = ("name", "investor_name", "construction_content")

    def __init__(self, *args: Any, user: User, project: Project | None = None, **kwargs: Any) -> None:
        if project is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_from(project)
        super().__init__(*args, **kwargs)
        self.project = project
        units = [u for u in enterprise_selectors.org_units_for_filter(user) if can_create_project_in(user, u.path)]
        if project is not None and project.org_unit not in units:
            units.append(project.org_unit)
        _set_choices(self, "org_unit", _unit_choices(units, "—"))
        # The investor by name, 拼音首字母, credit code or id (core.pickers; issue 16).
        use_picker(
            self, "investor", "enterprises:pick", labels=functools.partial(enterprise_names, user),
            placeholder=str(PICK_ENTERPRISE),
        )
        _set_choices(self, "industry", _industry_choices("—"))
        # Who the editor may put in charge; the one already in charge stays selectable (the
        # service lets an unchanged choice pass even if it now lies outside the scope).
        staff = list(staff_in_charge_candidates(user))
        if project is not None and project.staff is not None and project.staff not in staff:
            staff.append(project.staff)
        _set_choices(self, "staff", _staff_choices(staff, "—"))
        _set_choices(self, "source_region", [("", "—"), *((v, str(label)) for v, label in SourceRegion.choices)])
        _set_choices(self, "attraction_method", [(v, str(label)) for v, label in AttractionMethod.choices])
        if project is None:
            del self.fields["version"]


def initial_from(project: Project) -> dict[str, Any]:
    """The form's values for a stored project (codes for references, text for numbers)."""

    def day(value: Any) -> str:
        return value.isoformat() if value else ""

    return {
        "name": project.name,
        "investor_name": project.investor_name,
        "investor": project.investor.uscc if project.investor is not None else "",
        "source_region": project.source_region,
        "industry": project.industry.code,
        "org_unit": project.org_unit.code,
        "total_investment_wan": str(project.total_investment_wan),
        "land_mu": "" if project.land_mu is None else str(project.land_mu),
        "attraction_method": project.attraction_method,
        "lead_official": project.lead_official,
        "staff": project.staff.username if project.staff is not None else "",
        "first_contact_on": day(project.first_contact_on),
        "planned_sign_on": day(project.planned_sign_on),
        "planned_start_on": day(project.planned_start_on),
        "planned_production_on": day(project.planned_production_on),
        "construction_content": project.construction_content,
        "version": str(project.version),
    }


class MultipleFileInput(files_core.AttachmentsInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several evidence files in one input; the service checks type and size."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class StageChangeForm(forms.Form):
    """A stage change: the target stage (only those the transition table allows from the
    current stage are offered), its date, a note, a reason, evidence files."""

    stage = select(_("New stage"))
    #: Named as the service names it in its errors ("date").
    date = date_field(_("Date of the stage"))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}))
    reason = forms.CharField(
        label=_("Reason (required to skip, go back, hold or terminate)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
    )
    #: Not "files": that name is the form's own upload dict. The service calls it "files".
    evidence = MultipleFileField(label=_("Evidence files"), required=False)

    def __init__(self, *args: Any, targets: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "stage", [("", "—"), *targets])


class FundEntryForm(forms.Form):
    """One month's funds in place for a project (the service validates)."""

    month = forms.CharField(
        label=_("Month (YYYY-MM)"), required=False, widget=forms.TextInput(attrs={"type": "month", "maxlength": 7})
    )
    amount_wan = text(_("Amount (10k yuan)"), 20, inputmode="decimal")
    source = select(_("Source"))
    kind = select(_("Type"))
    note = text(_("Note"), 200)
    over_total_reason = text(_("Reason if the funds exceed the total investment"), 200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "source", [(v, str(label)) for v, label in FundSource.choices])
        _set_choices(self, "kind", [(v, str(label)) for v, label in FundKind.choices])


class FundCorrectForm(forms.Form):
    """A correction of one active entry: the new amount and why."""

    entry = forms.CharField(required=False, widget=forms.HiddenInput())
    amount_wan = text(_("Corrected amount (10k yuan)"), 20, inputmode="decimal")
    note = text(_("Reason for the correction"), 200)
    over_total_reason = text(_("Reason if the funds exceed the total investment"), 200)


class FundVerifyForm(forms.Form):
    """核实 of one reported entry by the city: the kind of 到账凭证, the files, a note."""

    entry = forms.CharField(required=False, widget=forms.HiddenInput())
    evidence_kind = select(_("Proof of arrival"))
    evidence = MultipleFileField(label=_("Proof of arrival files"), required=False)
    note = text(_("Note"), 200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "evidence_kind", [(v, str(label)) for v, label in FundEvidenceKind.choices])


class FundRejectForm(forms.Form):
    """退回 of one reported entry by the city, with the reason."""

    entry = forms.CharField(required=False, widget=forms.HiddenInput())
    reason = text(_("Reason for returning it"), 200)
