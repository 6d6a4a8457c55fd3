"""Forms of the target pages: the progress selectors and the target editor."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.accounts.selectors import group_unit_field
from zhaoyin.targets.indicators import REPORTED, VERIFIED, indicator_choices
from zhaoyin.targets.selectors import MAX_YEAR, MIN_YEAR

#: The funds switch: the verified figure (counted, ranked) or every reported entry.
BASIS_CHOICES = ((VERIFIED, _("Verified (counted)")), (REPORTED, pgettext_lazy("funds", "Reported")))


class ProgressForm(forms.Form):
    """Year, indicator and the as-of date of the progress table (defaults: this year, funds, today)."""

    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR, required=False)
    indicator = forms.ChoiceField(label=_("Indicator"), choices=(), required=False)
    as_of = forms.DateField(
        label=_("As of"), required=False, input_formats=["%Y-%m-%d"], widget=forms.DateInput(attrs={"type": "date"})
    )
    # 填报 vs 核实 (docs/targets.md, "Funds verification"): the funds figure shown; ranks stay verified.
    basis = forms.ChoiceField(label=_("Funds figure"), choices=BASIS_CHOICES, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = indicator_choices()  # type: ignore[attr-defined]

    def values(self, today: dt.date) -> tuple[int, str, dt.date]:
        data = self.cleaned_data
        return data.get("year") or today.year, data.get("indicator") or "external_funds", data.get("as_of") or today

    def basis_value(self) -> str:
        """The funds figure asked for (verified by default)."""
        return str(self.cleaned_data.get("basis") or VERIFIED)


class TargetForm(forms.Form):
    """One target: year × indicator × unit, the annual value and an optional cumulative plan."""

    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    indicator = forms.ChoiceField(label=_("Indicator"), choices=())
    org_unit = forms.ModelChoiceField(
        label=_("Org unit"), queryset=OrgUnit.objects.filter(is_active=True).order_by("path"), to_field_name="code"
    )
    value = forms.CharField(label=_("Annual target"), max_length=20)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = indicator_choices()  # type: ignore[attr-defined]
        group_unit_field(self.fields["org_unit"], "—")
        for month in range(1, 13):
            self.fields[f"m{month}"] = forms.CharField(
                label=_("Planned by the end of month %(month)d") % {"month": month}, max_length=20, required=False
            )

    def month_plan(self) -> dict[int, str] | None:
        """The plan as entered, or None when every month is blank (the plan is then kept)."""
        plan = {m: self.cleaned_data.get(f"m{m}", "") for m in range(1, 13)}
        return {m: v for m, v in plan.items() if v} or None


class RankingGroupForm(forms.Form):
    """A ranking group's name, order and minimum sample; the members are the page's checkboxes
    (``member`` and ``own_rank`` per unit), gathered by the view."""

    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=50)
    order = forms.CharField(label=_("Order"), max_length=5, required=False)
    min_matters = forms.CharField(label=_("Minimum matters for a rank"), max_length=5, required=False)
    members = forms.CharField(required=False, widget=forms.HiddenInput)

    def posted_members(self, data: Any) -> list[dict[str, Any]]:
        """[{"org_unit", "rolls_up"}] from the posted checkboxes, in the units' order."""
        own = set(data.getlist("own_rank"))
        return [{"org_unit": code, "rolls_up": code not in own} for code in data.getlist("member")]
