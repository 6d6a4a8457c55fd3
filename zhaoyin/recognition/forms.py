"""Forms of the recognition pages: "check a talent" on a rule set's page picks the talent by
name (core.pickers, issue 16); a typed record number is taken as before."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.models import User
from zhaoyin.talents.pickers import use_talent_picker


class TalentCheckForm(forms.Form):
    """The talent whose tier the rule set's rules give today (``?talent=``)."""

    talent = forms.CharField(
        label=_("Talent id"), required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 12, "class": "form-control-sm"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "check-%s")
        super().__init__(*args, **kwargs)
        use_talent_picker(self, "talent", user)

    def reference(self) -> str:
        """The talent asked for: the one picked, or the record number typed without picking."""
        if not self.is_bound:
            return ""
        return str(self.fields["talent"].widget.value_from_datadict(self.data, {}, "talent") or "").strip()
