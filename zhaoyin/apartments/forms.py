"""Forms of the apartment pages. They only draw the page: the verdicts come from the input
models (``apartments.inputs``, bound with ``core.forms.bind_input``) and the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.models import User
from zhaoyin.apartments.models import EndReason, Layout
from zhaoyin.core import files as files_core
from zhaoyin.talents.pickers import use_talent_picker


class _MultipleFileInput(files_core.AttachmentsInput):
    allow_multiple_selected = True


class DocumentsField(forms.FileField):
    """Several documents in one input; the service checks count, size and type (bytes)."""

    widget = _MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        # A loop, not a comprehension: zero-argument super() needs the method's own frame.
        cleaned = []
        for item in items:
            cleaned.append(super().clean(item, initial))
        return cleaned


def _text(label: Any, max_length: int, **attrs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.TextInput(attrs={"maxlength": max_length,
                                                                                       **attrs}))


def _area(label: Any, max_length: int = 1000, rows: int = 2) -> forms.CharField:
    return forms.CharField(label=label, required=False,
                           widget=forms.Textarea(attrs={"rows": rows, "maxlength": max_length}))


def _select(label: Any, choices: list[tuple[str, Any]]) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Select(choices=choices))


class ApplicationForm(forms.Form):
    """An application: the talent (staff; the portal user applies for themself), the layout
    wanted, the reason, documents (PDF, JPEG, PNG, Word, Excel — checked by their bytes)."""

    talent = _text(_("Talent (record number)"), 12, inputmode="numeric")
    preferred_layout = _select(_("Preferred layout"), [("", _("Any layout")), *Layout.choices])
    reason = _area(_("Reason"), 1000, rows=3)
    documents = DocumentsField(label=_("Documents"), required=False)

    def __init__(self, *args: Any, user: User, portal: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if portal:
            del self.fields["talent"]
        else:
            # The talent by name (core.pickers, issue 16); a typed record number is taken.
            use_talent_picker(self, "talent", user)


class ActionForm(forms.Form):
    """One action of either table; which fields an action shows is the table's rule."""

    reason = _area(_("Reason"), 1000)
    note = _area(_("Internal note"), 500)
    # A drop-down of the free units that fit the application (_action_forms.html draws it from
    # the scoped selector), never a typed record number.
    unit = forms.CharField(label=_("Apartment unit"), required=False, widget=forms.Select())
    start = _text(_("Contract start"), 10, type="date")
    end = _text(_("Contract end"), 10, type="date")
    deposit = _text(_("Deposit (yuan)"), 12, inputmode="decimal")
    end_reason = _select(_("Reason for checking out"), [("", "—"), *EndReason.choices])
    ended_on = _text(_("Check-out day"), 10, type="date")
    inspection_note = _area(_("Inspection note"), 500)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())


class MaintenanceForm(forms.Form):
    """A unit into maintenance or back."""

    on = forms.CharField(required=False, widget=forms.HiddenInput())
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())
