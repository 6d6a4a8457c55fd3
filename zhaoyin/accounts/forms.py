"""Forms of the sign-in, password and user-administration pages: input shape only.

The rules (password strength, role combinations, who may do what) live in the services;
these forms only turn POST data into typed values.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.models import ROLE_LABELS, OrgUnit
from zhaoyin.accounts.selectors import group_unit_field
from zhaoyin.core.roles import Role

ROLE_CHOICES = [(r.value, ROLE_LABELS[r.value]) for r in Role]
CHECKBOXES = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})


class LoginForm(forms.Form):
    """Username, password and, for the roles that need it, the TOTP code — one step, so the
    page never reveals whether the password alone was right."""

    username = forms.CharField(
        label=_("Username"), max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"), max_length=128, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp = forms.CharField(
        label=_("One-time code"), required=False, max_length=6,
        help_text=_(
            "System, security and audit administrators and city administrators enter the "
            "6-digit code from their authenticator app. Others leave it empty."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
    )


class PasswordChangeForm(forms.Form):
    """The account's own password change (also the forced change after expiry or a reset)."""

    old_password = forms.CharField(
        label=_("Current password"), max_length=128, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"), max_length=128, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("New password again"), max_length=128, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("The two new passwords differ."))
        return data


class UserFilterForm(forms.Form):
    """Filters of the security admin's user list."""

    q = forms.CharField(label=_("Search username or name"), required=False, max_length=100)
    unit = forms.ModelChoiceField(
        label=_("Org unit"), required=False, queryset=OrgUnit.objects.filter(is_active=True).order_by("path"),
        empty_label=_("All units"),
    )
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All roles")), *ROLE_CHOICES])
    state = forms.ChoiceField(
        label=_("State"), required=False,
        choices=[("", _("Any state")), ("locked", _("Locked")), ("inactive", _("Deactivated")),
                 ("active", _("Active"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group_unit_field(self.fields["unit"], str(_("All units")))


class UserCreateForm(forms.Form):
    """A new account. An empty password field means "generate one"; either way the owner
    changes it at the first sign-in."""

    username = forms.CharField(label=_("Username"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=60, required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    org_unit = forms.ModelChoiceField(
        label=_("Org unit"), queryset=OrgUnit.objects.filter(is_active=True).order_by("path"),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=ROLE_CHOICES, widget=CHECKBOXES,
    )
    password = forms.CharField(
        label=_("Initial password"), max_length=128, required=False, strip=False,
        help_text=_("Leave empty to generate a strong password, shown once."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group_unit_field(self.fields["org_unit"], "—")


class UserRolesForm(forms.Form):
    """The complete new set of an account's roles."""

    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=ROLE_CHOICES, widget=CHECKBOXES,
    )
