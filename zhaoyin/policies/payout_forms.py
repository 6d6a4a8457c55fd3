"""Forms of the payout pages. They only collect input: the verdicts come from the services
(``payouts.payout_register`` / ``payout_transition``) and the ledger's parser
(``payout_filters.payout_filter_parse``), so a value gets the same message on every channel.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.models import User
from zhaoyin.core.forms import FilterBarForm
from zhaoyin.enterprises import selectors as enterprise_selectors
from zhaoyin.policies.models import PayoutStatus, Policy, PolicyStatus
from zhaoyin.policies.payout_filters import PayoutFilter, payout_filter_parse
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


class PayoutFilterForm(FilterBarForm[PayoutFilter]):
    """The ledger's filter bar; ``clean`` is ``payout_filter_parse``."""

    q = forms.CharField(
        label=_("Search"), required=False, widget=forms.TextInput(attrs={"type": "search", "maxlength": 100})
    )
    policy = _select(_("Policy"))
    unit = _select(_("Org unit"))
    industry = _select(_("Industry"))
    status = _select(_("Status"))
    year = _text(_("Year"), 4, inputmode="numeric", placeholder="2025")
    period = _text(_("Period"), 7, placeholder="2025-Q1")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        policies = policy_list_visible_to(user).exclude(status=PolicyStatus.DRAFT).order_by("title", "pk")
        _choices(self, "policy", [("", str(_("All policies"))), *((str(p.pk), p.title) for p in policies)])
        units = enterprise_selectors.org_units_for_filter(user)
        top = min((u.path.count("/") for u in units), default=0)
        _choices(
            self,
            "unit",
            [("", str(_("All units"))), *((u.code, "\u3000" * (u.path.count("/") - top) + u.name) for u in units)],
        )
        _choices(
            self,
            "industry",
            [("", str(_("All industries"))), *((i.code, i.name) for i in enterprise_selectors.industry_list())],
        )
        _choices(self, "status", [("", str(_("All statuses"))), *((v, str(lb)) for v, lb in PayoutStatus.choices)])
        if len(units) < 2:
            del self.fields["unit"]

    def parse(self, data: Mapping[str, Any]) -> PayoutFilter:
        return payout_filter_parse(data)


class PayoutRegisterForm(forms.Form):
    """Register a payout: the enterprise (id or credit code, pre-filled from its page), the
    policy, the period, the amount and a note. The service validates."""

    enterprise = _text(_("Enterprise (id or credit code)"), 18, autocomplete="off")
    policy = _select(_("Policy"))
    period = _text(_("Period (2025, 2025-Q1 or 2025-01)"), 7)
    amount_wan = _text(_("Amount (10k yuan)"), 20, inputmode="decimal")
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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
