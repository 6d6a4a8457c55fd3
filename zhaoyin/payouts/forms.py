"""Forms of the payout pages. They only draw the page: the verdicts come from the input
models (``payouts.inputs``, bound with ``core.forms.bind_input``) and the services
(``payout_register`` / ``payout_transition``), so a value gets the same message on every
channel. The ledger's filter bar is built from ``payouts.filters.PayoutFilter``.
"""

from __future__ import annotations

import functools
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.models import User
from zhaoyin.core.pickers import PICK_ENTERPRISE, use_picker
from zhaoyin.enterprises.selectors import enterprise_names
from zhaoyin.policies.models import Policy, PolicyStatus
from zhaoyin.policies.selectors import policy_list_visible_to


def _text(label: Any, max_length: int = 200, **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, widget=forms.TextInput(attrs={"maxlength": max_length, **attrs})
    )


def _select(label: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Select())


def _choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    widget = form.fields[name].widget
    widget.choices = choices


def registrable_policies(user: User) -> list[Policy]:
    """Policies a payout may be registered under: visible to ``user`` and not drafts."""
    return list(policy_list_visible_to(user).exclude(status=PolicyStatus.DRAFT).order_by("title", "pk"))


class PayoutRegisterForm(forms.Form):
    """Register a payout: the enterprise (a picker; its id or credit code typed is taken, and
    its full name; pre-filled from its page), the
    policy, the period, the amount and a note. The service validates."""

    enterprise = _text(_("Enterprise"), 100, autocomplete="off")
    policy = _select(_("Policy"))
    period = _text(_("Period (2025, 2025-Q1 or 2025-01)"), 7)
    amount_wan = _text(_("Amount (10k yuan)"), 20, inputmode="decimal")
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}))
    override_reason = forms.CharField(
        label=_("Reason to pay anyway (only when the enterprise is ineligible or the policy not in force then)"),
        required=False, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The firm by name, 拼音首字母, credit code or id (core.pickers; issue 16).
        use_picker(
            self, "enterprise", "enterprises:pick", labels=functools.partial(enterprise_names, user),
            placeholder=str(PICK_ENTERPRISE),
        )
        _choices(
            self,
            "policy",
            [("", str(_("Choose a policy"))), *((str(p.pk), p.title) for p in registrable_policies(user))],
        )


class PayoutActionForm(forms.Form):
    """One action on a payout: the reason (reject) or the new amount (resubmit), and the
    version the page was loaded at (a change meanwhile → 409)."""

    reason = forms.CharField(
        label=_("Reason or note"), required=False, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500})
    )
    amount_wan = _text(_("New amount (10k yuan)"), 20, inputmode="decimal")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())
    paid_on = _text(_("Payment date"), 10)
    voucher_no = _text(_("Voucher number"), 40)


class ScheduleStartForm(forms.Form):
    """Start a talent policy's payment schedule (发放计划) for one talent: the first period (a
    month for a monthly schedule, a year for a yearly one). The input model and the service judge it."""

    REQUIRED = ("first_period",)

    first_period = _text(_("First period (2025-01 monthly, 2025 yearly)"), 7)
