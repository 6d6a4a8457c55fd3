"""Forms of the enterprise pages. They only collect and show input: every verdict comes from
``validation`` (profile, figures) or ``filters`` (list parameters), so a value gets the same
message on the page, in the API and in an import report (VAL-01).

Fields are plain text fields without Django's own checks (no ``required``, ``max_length`` or
choice validation) because those would word their messages differently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.selectors import grouped_unit_choices
from zhaoyin.core.errors import InvalidInput
from zhaoyin.enterprises import selectors
from zhaoyin.enterprises.inputs import EnterpriseInput, EnterpriseUpdateInput, FiguresInput
from zhaoyin.enterprises.models import Enterprise, EnterpriseFigure, Industry, SizeClass
from zhaoyin.enterprises.validation import (
    ENTERPRISE_FIELDS,
    FIGURE_DECIMAL_FIELDS,
    Lookups,
    clean_enterprise,
    clean_figures,
)

Choices = list[tuple[str, str]]


def _unit_choices(units: Iterable[OrgUnit], blank: str) -> list[Any]:
    """Units as options, grouped by kind in the official order (县区 / 园区 / 市直部门 …)."""
    return grouped_unit_choices(units, blank)


class NamesField(forms.Field):
    """A list of names from checkboxes, checked by the shared validator, not by the field."""

    widget = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            return [value]
        return [str(v) for v in value]


def _apply_errors(form: forms.Form, errors: Iterable[Mapping[str, str]]) -> None:
    """Attach shared-validator errors to the form's fields (unknown names: the whole form)."""
    for error in errors:
        name = error.get("field", "")
        if name in form.fields:
            form.add_error(name, error["message"])
        else:
            form.add_error(None, f"{name}: {error['message']}" if name else error["message"])


def text(label: Any, max_length: int = 200, **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, widget=forms.TextInput(attrs={"maxlength": max_length, **attrs})
    )


def select(label: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Select())


class EnterpriseForm(forms.Form):
    """Register or change an enterprise. ``clean`` is ``validation.clean_enterprise``."""

    name = text(_("Name"), 200)
    uscc = text(_("Unified social credit code"), 18, autocomplete="off", spellcheck="false")
    org_unit = select(_("Org unit"))
    industry = select(_("Industry"))
    size_class = select(_("Size class"))
    legal_representative = text(_("Legal representative"), 60)
    address = text(_("Address"), 200)
    founded_on = forms.CharField(
        label=_("Founding date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    employees = text(_("Employees"), 9, inputmode="numeric")
    land_mu = text(_("Land area (mu)"), 20, inputmode="decimal")
    service_group = select(_("Service group"))
    qualifications = NamesField(label=_("Qualifications"), required=False)
    version = forms.CharField(required=False, widget=forms.HiddenInput())

    #: Marked with an asterisk; the shared validator enforces them.
    REQUIRED = ("name", "uscc", "org_unit", "industry")

    def __init__(self, *args: Any, user: User, enterprise: Enterprise | None = None, **kwargs: Any) -> None:
        if enterprise is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_from(enterprise)
        super().__init__(*args, **kwargs)
        self.user = user
        self.enterprise = enterprise
        self.lookups = Lookups.load(user, keep=enterprise.org_unit if enterprise is not None else None)
        units = selectors.org_units_for_create(user)
        if enterprise is not None and enterprise.org_unit not in units:
            units.append(enterprise.org_unit)
        self._set_choices("org_unit", _unit_choices(units, "—"))
        # Lookups index industries by code and by name; each appears once here.
        industries = {i.pk: i for i in self.lookups.industries.values()}
        self._set_choices(
            "industry",
            [("", "—")] + [(i.code, i.name) for i in sorted(industries.values(), key=lambda i: (i.sort_order, i.code))],
        )
        self._set_choices("size_class", [(value, str(label)) for value, label in SizeClass.choices])
        groups = selectors.service_groups_for(user)
        if enterprise is not None and enterprise.service_group is not None and enterprise.service_group not in groups:
            groups.append(enterprise.service_group)
        self._set_choices("service_group", [("", str(_("None")))] + [(g.code, g.name) for g in groups])
        self._set_choices(
            "qualifications",
            [(q.name, q.name) for q in sorted(self.lookups.qualifications.values(), key=lambda q: q.sort_order)],
        )
        if enterprise is None:
            del self.fields["version"]

    def _set_choices(self, name: str, choices: Choices) -> None:
        widget = self.fields[name].widget
        widget.choices = choices

    @property
    def has_field_errors(self) -> bool:
        return any(name != "__all__" for name in self.errors)

    def service_data(self) -> dict[str, Any]:
        """The submitted values for the service (which validates them once more, in its
        transaction, together with the rules that need the database: duplicates, scope)."""
        return {name: self.cleaned_data.get(name) for name in ENTERPRISE_FIELDS}

    def create_input(self) -> EnterpriseInput:
        """The registration the form holds (after ``is_valid``)."""
        return EnterpriseInput.parse(self.service_data())

    def update_input(self) -> EnterpriseUpdateInput:
        """The change the form holds, with the version it was read at (after ``is_valid``)."""
        return EnterpriseUpdateInput.parse({**self.service_data(), "version": self.submitted_version})

    @property
    def submitted_version(self) -> int | None:
        value = self.cleaned_data.get("version")
        return int(value) if value else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            clean_enterprise(self.service_data(), lookups=self.lookups)
        except InvalidInput as exc:
            _apply_errors(self, exc.errors)
        version = str(data.get("version") or "")
        if self.enterprise is not None and not (version.isascii() and version.isdigit()):
            self.add_error(None, _("The form is incomplete; reload the page and try again."))
        return data

    def apply_errors(self, errors: Iterable[Mapping[str, str]]) -> None:
        """Show errors the service raised (duplicate code, unit outside the user's scope)."""
        _apply_errors(self, errors)

    def current_differences(self, current: Enterprise) -> dict[str, str]:
        """For a conflict: the fields whose stored value differs from what the user submitted
        (compared as cleaned values, so 12.5 and 12.50 are equal), with the stored value as
        text, so the user sees what the other person changed."""
        try:
            mine = clean_enterprise(self.service_data(), lookups=self.lookups)
        except InvalidInput:
            return {}
        out: dict[str, str] = {}
        for name, value in mine.items():
            if name == "qualifications":
                stored_quals = list(current.qualifications.all())
                if sorted(q.pk for q in mine["qualifications"]) != sorted(q.pk for q in stored_quals):
                    out[name] = "、".join(q.name for q in stored_quals) or "—"
                continue
            stored = getattr(current, name)
            if value == stored:
                continue
            if stored is None or stored == "":
                out[name] = "—"
            elif name == "size_class":
                out[name] = current.get_size_class_display()
            elif isinstance(stored, OrgUnit | Industry):
                out[name] = stored.name
            else:
                out[name] = str(stored)
        return out


def initial_from(enterprise: Enterprise) -> dict[str, Any]:
    """The form's values for a stored enterprise (codes for references, text for numbers)."""
    return {
        "name": enterprise.name,
        "uscc": enterprise.uscc,
        "org_unit": enterprise.org_unit.code,
        "industry": enterprise.industry.code,
        "size_class": enterprise.size_class,
        "legal_representative": enterprise.legal_representative,
        "address": enterprise.address,
        "founded_on": enterprise.founded_on.isoformat() if enterprise.founded_on else "",
        "employees": "" if enterprise.employees is None else str(enterprise.employees),
        "land_mu": "" if enterprise.land_mu is None else str(enterprise.land_mu),
        "service_group": enterprise.service_group.code if enterprise.service_group else "",
        "qualifications": [q.name for q in enterprise.qualifications.all()],
        "version": str(enterprise.version),
    }


FIGURE_LABELS: dict[str, Any] = {
    "revenue_wan": _("Revenue (10k yuan)"),
    "tax_wan": _("Tax (10k yuan)"),
    "output_wan": _("Industrial output (10k yuan)"),
    "value_added_wan": _("Value added (10k yuan)"),
    "energy_tce": _("Energy use (tce)"),
    "emissions_t": _("Emissions (t)"),
    "rd_wan": _("R&D spend (10k yuan)"),
    "employees": _("Employees"),
    "electricity_kwh": _("Electricity (kWh)"),
}
#: Column order of the yearly figures table and form.
FIGURE_FIELDS = (*FIGURE_DECIMAL_FIELDS[:7], "employees", "electricity_kwh")


class FiguresForm(forms.Form):
    """One year of figures. An emptied box clears the stored value (``clear_empty``)."""

    year = text(_("Year"), 4, inputmode="numeric")
    source = select(_("Data source"))
    #: The year whose stored values the form was filled with. Only then does an emptied box
    #: clear a stored figure; typing an existing year into an empty form adds to that year
    #: instead of wiping what is there.
    editing = forms.CharField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in FIGURE_FIELDS:
            mode = "numeric" if name == "employees" else "decimal"
            self.fields[name] = text(FIGURE_LABELS[name], 20, inputmode=mode)
        from zhaoyin.enterprises.models import FigureSource

        self.fields["source"].widget.choices = list(FigureSource.choices)

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in ("year", "source", *FIGURE_FIELDS)}

    def input(self) -> FiguresInput:
        """The year of figures the form holds (after ``is_valid``)."""
        return FiguresInput.parse(self.service_data())

    @property
    def clears_empty(self) -> bool:
        """True when the user edited the stored values of this very year (see ``editing``)."""
        year = str(self.cleaned_data.get("year") or "").strip()
        return bool(year) and year == str(self.cleaned_data.get("editing") or "").strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            clean_figures(self.service_data(), clear_empty=True)
        except InvalidInput as exc:
            _apply_errors(self, exc.errors)
        return data

    def apply_errors(self, errors: Iterable[Mapping[str, str]]) -> None:
        _apply_errors(self, errors)


def figures_initial(figure: EnterpriseFigure) -> dict[str, Any]:
    """The figures form's values for a stored year."""
    out: dict[str, Any] = {"year": str(figure.year), "editing": str(figure.year), "source": figure.source}
    for name in FIGURE_FIELDS:
        value = getattr(figure, name)
        out[name] = "" if value is None else str(value)
    return out
