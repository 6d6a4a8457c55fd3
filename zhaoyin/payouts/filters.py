"""The payout ledger's filters, declared once (``core.filtering``) for the ledger page, the API
list and the Excel export. The periods' rule comes from ``payouts.periods``, not from the
services, so this module and ``payouts.services`` do not import each other."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.filters import org_unit_filter
from zhaoyin.core.filtering import Boolean, Choice, FilterSet, Integer, Search, Sort, Text
from zhaoyin.core.search import search_fold
from zhaoyin.enterprises.filters import industry_filter
from zhaoyin.enterprises.selectors import org_units_for_filter
from zhaoyin.payouts.models import GRANTED, PayoutKind, PayoutStatus, SubsidyApplicationState
from zhaoyin.payouts.periods import PERIOD_PATTERN, YEAR_MAX, YEAR_MIN, clean_period
from zhaoyin.policies.models import Beneficiary, Policy, PolicyStatus
from zhaoyin.policies.selectors import policy_list_visible_to
from zhaoyin.talents.filters import units_for_filter

_ID = _("Must be an id (a whole number).")


class PayoutFilter(FilterSet):
    """Payouts: search (enterprise name or credit code), policy, enterprise, unit (with the units
    below), industry, status, year (every period of it) and exact period."""

    q = Search(
        "enterprise__search_text__contains", fold=search_fold, label=_("Search"), doc="Enterprise name or credit code"
    )
    policy = Integer(
        message=_ID,
        column="policy_id",
        label=_("Policy"),
        blank=_("All policies"),
        options=lambda user: [
            (str(p.pk), p.title)
            for p in policy_list_visible_to(user).exclude(status=PolicyStatus.DRAFT).order_by("title", "pk")
        ],
        doc="Policy id",
    )
    enterprise = Integer(message=_ID, column="enterprise_id", doc="Enterprise id")
    talent = Integer(message=_ID, column="talent_id", doc="Talent id (a person's subsidies)")
    unit = org_unit_filter(org_units_for_filter, column="org_unit")
    industry = industry_filter()
    status = Choice(
        PayoutStatus.choices, label=_("Status"), blank=_("All statuses"),
        doc="matched, pending, approved, rejected, publicized, paid, received or revoked; a talent's entry also "
        "due or stopped",
    )
    # The totals' bars open the money they count: granted = approved, publicized or paid.
    granted = Boolean(
        where=lambda v: Q(status__in=GRANTED) if v else ~Q(status__in=GRANTED),
        label=_("Granted"),
        blank=_("Granted or not"),
        yes=_("Granted (approved, in public notice or paid)"),
        no=_("Not granted"),
        doc="true: the entries the totals count as approved (approved, publicized or paid)",
    )
    # Issue 15: the entries registered against the matcher's verdict or outside the policy's
    # validity (two approvers), and the kind (cash, or a tax incentive enjoyed).
    flagged = Boolean(
        where=lambda v: Q(flagged=v),
        label=_("Flagged"),
        blank=_("Flagged or not"),
        yes=_("Flagged (ineligible or not in force)"),
        no=_("Not flagged"),
        doc="true: the entries registered with an override reason (two approvers)",
    )
    kind = Choice(
        PayoutKind.choices, label=_("Kind"), blank=_("All kinds"),
        doc="cash (兑现) or enjoyed (a tax incentive: 享受)",
    )
    year = Integer(
        message=_("Must be a year from %(low)d to %(high)d."),
        minimum=YEAR_MIN,
        maximum=YEAR_MAX,
        where=lambda year: Q(period__startswith=str(year)),
        label=_("Year"),
        attrs={"maxlength": 4, "inputmode": "numeric", "placeholder": "2025"},
        doc="Every period of this year",
    )
    period = Text(
        clean=clean_period,
        pattern=PERIOD_PATTERN,
        label=_("Period"),
        attrs={"maxlength": 7, "placeholder": "2025-Q1"},
        doc="Exactly this period: YYYY, YYYY-Qn or YYYY-MM",
    )
    order = Sort({name: name for name in ("period", "amount_wan", "registered_at")}, default="-registered_at")


class SubsidyApplicationFilter(FilterSet):
    """Subsidy applications (人才补贴申请): state, policy, the talent's unit (with the units below),
    the talent's name."""

    state = Choice(
        SubsidyApplicationState.choices, label=_("State"), blank=_("All states"),
        doc="submitted, returned, accepted, rejected or withdrawn",
    )
    policy = Integer(
        message=_ID,
        column="policy_id",
        label=_("Policy"),
        blank=_("All policies"),
        options=lambda user: [
            (str(p.pk), p.title)
            for p in Policy.objects.filter(beneficiary=Beneficiary.TALENT, subsidy_schedule__isnull=False)
            .order_by("title", "pk")
        ],
        doc="Talent policy id",
    )
    unit = org_unit_filter(units_for_filter, column="talent__org_unit", min_options=1)
    q = Search("talent__search_text__contains", fold=search_fold, label=_("Search"), doc="Talent name")
    order = Sort({"applied_at": "applied_at", "state": "state", "updated_at": "updated_at"}, default="-applied_at")
