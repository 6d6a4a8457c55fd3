"""Forms of the calendar pages: input shape only; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoyin.workcalendar.models import ExceptionKind


class YearForm(forms.Form):
    """Which year the page shows."""

    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2200)


class ExceptionAddForm(forms.Form):
    """One day fixed as a holiday or a working day."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=ExceptionKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    source = forms.CharField(label=_("Source"), max_length=200, required=False,
                             help_text=_("e.g. 国办发明电〔2026〕1号"))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class NoticeImportForm(forms.Form):
    """An Excel file listing a State Council notice's days."""

    file = forms.FileField(label=_("Excel file (.xlsx)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
    year = forms.IntegerField(label=_("Notice year"), min_value=1900, max_value=2200, required=False,
                              help_text=_("Leave empty to take the year most of the days fall in."))
    notice = forms.CharField(label=_("Notice reference"), max_length=200, required=False,
                             help_text=_("e.g. 国办发明电〔2026〕1号"))


class OfficialYearForm(forms.Form):
    """Declare a year's notice loaded after entering its days by hand."""

    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2200)
    notice = forms.CharField(label=_("Notice reference"), max_length=200, required=False)
