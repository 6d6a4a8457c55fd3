"""Forms of the policy pages. They only collect and show input: every verdict comes from
``validation.clean_policy`` (through the services) or ``filters.policy_filter_parse``, so a
value gets the same message on the page, in the API and in an import report (VAL-01).

The eligibility tree travels in a textarea holding its JSON; static/js/eligibility-editor.js
turns it into a tree editor (groups, conditions, select boxes) and writes the JSON back, so
nobody has to type JSON — and without JavaScript the textarea still works.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.selectors import grouped_unit_choices
from zhaoyin.core.listparams import positive_int
from zhaoyin.lib import eligibility as engine
from zhaoyin.policies.eligibility_text import words
from zhaoyin.policies.models import Beneficiary, BenefitType, Delivery, Policy, PolicyCategory, PolicyLevel
from zhaoyin.policies.selectors import keeper_units_for
from zhaoyin.policies.validation import PLACE_UNIT_KINDS, REQUIRED_FIELDS
from zhaoyin.projects.forms import MultipleFileField

Choices = list[tuple[str, str]]


def text(label: Any, max_length: int = 200, **attrs: Any) -> forms.CharField:
    widget = forms.TextInput(attrs={"maxlength": max_length, **attrs})
    return forms.CharField(label=label, required=False, widget=widget)


def area(label: Any, rows: int, max_length: int) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows, "maxlength": max_length})
    return forms.CharField(label=label, required=False, widget=widget)


def select(label: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Select())


def date_field(label: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))


def _set_choices(form: forms.Form, name: str, choices: Choices) -> None:
    widget = form.fields[name].widget
    widget.choices = choices


def _labelled(choices: Any) -> Choices:
    return [(str(v), str(label)) for v, label in choices]


class PolicyForm(forms.Form):
    """Register or change a policy. The page builds the input model from the posted values
    (``policies.inputs``, ``core.forms.bind_input``); the model's and the service's errors come
    back onto the fields (a tree node's error, ``eligibility.all[1].op``, onto the editor)."""

    title = text(gettext_lazy("Title"), 200)
    issuer = text(gettext_lazy("Issuer"), 100)
    doc_no = text(gettext_lazy("Document number"), 100)
    level = select(gettext_lazy("Level"))
    category = select(gettext_lazy("Category"))
    delivery = select(gettext_lazy("Delivery"))
    beneficiary = select(gettext_lazy("Beneficiary"))
    benefit_type = select(gettext_lazy("Benefit type"))
    org_unit = select(gettext_lazy("Kept by"))
    valid_from = date_field(gettext_lazy("Valid from"))
    valid_to = date_field(gettext_lazy("Valid to"))
    max_amount_wan = text(gettext_lazy("Maximum amount (10k yuan)"), 20, inputmode="decimal")
    apply_deadline = text(gettext_lazy("Application period"), 100)
    summary = area(gettext_lazy("Summary"), 2, 2000)
    benefits = area(gettext_lazy("Benefits"), 4, 5000)
    application_guide = area(gettext_lazy("Application guide"), 4, 10000)
    contact_office = text(gettext_lazy("Contact office"), 100)
    contact_phone = text(gettext_lazy("Contact phone"), 40)
    contact_address = text(gettext_lazy("Address"), 200)
    eligibility = forms.CharField(
        label=gettext_lazy("Eligibility (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "class": "font-monospace", "data-eligibility-editor": "1"}),
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput())

    REQUIRED = REQUIRED_FIELDS
    #: Fields shown across a whole row.
    WIDE = ("title", "summary", "benefits", "application_guide")

    def __init__(self, *args: Any, user: User, policy: Policy | None = None, **kwargs: Any) -> None:
        if policy is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_from(policy)
        elif policy is None:
            # Most policies need an application; 免申即享 is a deliberate choice.
            kwargs.setdefault(
                "initial", {"delivery": Delivery.APPLICATION.value, "beneficiary": Beneficiary.ENTERPRISE.value,
                            "benefit_type": BenefitType.CASH.value}
            )
        super().__init__(*args, **kwargs)
        self.policy = policy
        #: Errors of single tree nodes, by path: shown beside the nodes by the editor.
        self.tree_errors: dict[str, str] = {}
        units = keeper_units_for(user)
        if policy is not None and policy.org_unit not in units:
            units.append(policy.org_unit)
        _set_choices(self, "org_unit", _unit_choices(units))
        _set_choices(self, "level", [("", "—"), *_labelled(PolicyLevel.choices)])
        _set_choices(self, "category", [("", "—"), *_labelled(PolicyCategory.choices)])
        _set_choices(self, "delivery", _labelled(Delivery.choices))
        _set_choices(self, "beneficiary", _labelled(Beneficiary.choices))
        _set_choices(self, "benefit_type", _labelled(BenefitType.choices))
        if policy is None:
            del self.fields["version"]

    @property
    def submitted_version(self) -> int | None:
        value = str(self.cleaned_data.get("version") or "")
        return positive_int(value)

    def add_service_errors(self, errors: list[dict[str, str]]) -> None:
        """A service's field errors onto the fields; tree nodes' onto the editor (and the
        eligibility field, naming the node)."""
        for err in errors:
            field, message = err.get("field", ""), err["message"]
            if field.startswith(("eligibility.", "eligibility[")):
                self.tree_errors[field] = message
                self.add_error("eligibility", f"{field}: {message}")
            else:
                self.add_error(field if field in self.fields else None, message)


def _unit_choices(units: list[OrgUnit]) -> list[Any]:
    """Units grouped by kind in the official order (县区 / 园区 / 市直部门 …, issue 16)."""
    return grouped_unit_choices(units, None)


def initial_from(policy: Policy) -> dict[str, Any]:
    """The form's values for a stored policy."""

    def day(value: dt.date | None) -> str:
        return value.isoformat() if value else ""

    return {
        "title": policy.title,
        "issuer": policy.issuer,
        "doc_no": policy.doc_no,
        "level": policy.level,
        "category": policy.category,
        "delivery": policy.delivery,
        "beneficiary": policy.beneficiary,
        "benefit_type": policy.benefit_type,
        "org_unit": policy.org_unit.code,
        "valid_from": day(policy.valid_from),
        "valid_to": day(policy.valid_to),
        "max_amount_wan": "" if policy.max_amount_wan is None else str(policy.max_amount_wan),
        "apply_deadline": policy.apply_deadline,
        "summary": policy.summary,
        "benefits": policy.benefits,
        "application_guide": policy.application_guide,
        "contact_office": policy.contact_office,
        "contact_phone": policy.contact_phone,
        "contact_address": policy.contact_address,
        "eligibility": json.dumps(policy.eligibility, ensure_ascii=False, indent=1) if policy.eligibility else "",
        "version": str(policy.version),
    }


def _editor_fields(
    field_ops: Mapping[str, tuple[str, ...]], subject: str, sets: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The editor's description of one subject's fields: code, words, operators, kind, unit."""
    out = []
    for code, ops in field_ops.items():
        kind = "set" if code in sets else ("bool" if code in engine.BOOL_FIELDS else "number")
        out.append(
            {
                "code": code,
                "label": words(engine.field_label(code, subject)),
                "ops": list(ops),
                "kind": kind,
                "unit": words(unit) if (unit := engine.field_unit(code)) is not None else "",
                "options": list(sets.get(code, [])),
            }
        )
    return out


def _talent_codes() -> dict[str, Any]:
    """A talent tree's coded fields with their labels (the talents app's choices)."""
    from zhaoyin.talents.models import Channel, Education, Tier
    from zhaoyin.talents.models import Title as TalentTitle

    return {
        "education": _labelled(Education.choices),
        "title": _labelled(TalentTitle.choices),
        "tier": _labelled(Tier.choices),
        "channel": _labelled(Channel.choices),
    }


def editor_options() -> dict[str, Any]:
    """What the eligibility editor offers, for ``json_script``: groups, the fields with their
    operators and values, the figures, the qualifications and the UI's words. Built from the
    engine's own tables (in words through eligibility_text) and the dictionaries, so the editor
    offers nothing the server refuses."""
    from zhaoyin.enterprises.models import Industry, Qualification

    industries = [[c, n] for c, n in Industry.objects.order_by("sort_order", "code").values_list("code", "name")]
    units = [
        [c, n]
        for c, n in OrgUnit.objects.filter(is_active=True, kind__in=PLACE_UNIT_KINDS)
        .order_by("path")
        .values_list("code", "name")
    ]
    sizes = [[c, words(engine.size_class_label(c))] for c in engine.SIZE_CLASSES]
    grades = [[c, words(engine.Text(f"mu_grade.{c}"))] for c in engine.MU_GRADES]
    sets = {"industry": industries, "org_unit": units, "size_class": sizes, "mu_grade": grades}
    fields = _editor_fields(engine.FIELD_OPS, engine.ENTERPRISE, sets)
    talent_sets = {**sets, **_talent_codes()}
    talent_fields = _editor_fields(engine.TALENT_FIELD_OPS, engine.TALENT, talent_sets)
    figures = [[f, words(engine.figure_label(f)), words(engine.figure_unit(f))] for f in engine.FIGURES]
    return {
        "groups": [[g, words(engine.group_label(g))] for g in engine.GROUP_KINDS],
        "fields": fields,
        "figures": figures,
        "figure_ops": list(engine.FIGURE_OPS),
        "qualifications": list(Qualification.objects.order_by("sort_order", "name").values_list("name", flat=True)),
        # The fields and leaf kinds of each beneficiary's trees (the editor swaps them when the
        # form's beneficiary changes).
        "subjects": {
            Beneficiary.ENTERPRISE.value: {
                "fields": fields, "leaf_kinds": list(engine.LEAF_KINDS), "field_text": _("Enterprise field"),
            },
            Beneficiary.TALENT.value: {
                "fields": talent_fields, "leaf_kinds": ["field"], "field_text": _("Talent field"),
            },
        },
        "default_year": timezone.localdate().year - 1,
        "year_min": engine.YEAR_MIN,
        "year_max": engine.YEAR_MAX,
        "text": {
            "eq": _("equals"),
            "in": _("is one of"),
            "ne": _("is not"),
            "gte": "≥",
            "lte": "≤",
            "yes": _("yes"),
            "no": _("no"),
            "field": _("Enterprise field"),
            "figure": _("Yearly figure"),
            "ratio": _("Ratio of two figures"),
            "qualification": _("Qualification"),
            "add_condition": _("Add condition"),
            "add_group": _("Add group"),
            "remove": _("Remove"),
            "year": _("Year"),
            "value": _("Value"),
            "ratio_hint": _("as a fraction, 0.03 = 3%"),
            "divided_by": "÷",
            "empty": _("No conditions yet: start with a group."),
            "start_all": _("Start: all of …"),
            "start_any": _("Start: any of …"),
            "clear": _("Remove all conditions"),
            "show_json": _("Show JSON"),
            "kind": _("Kind of condition"),
            "multi_hint": _("Hold Ctrl (⌘) to choose several"),
            "broken": _("The JSON below cannot be read as a tree; correct it or remove it."),
        },
        # The keys of a node, as its error messages name them ("value: must be a number").
        "keys": {
            "value": _("Value"),
            "year": _("Year"),
            "op": _("Comparison"),
            "field": _("Field"),
            "figure": _("Figure"),
            "ratio": _("Figures of the ratio"),
            "qualification": _("Qualification"),
        },
    }


class WithdrawForm(forms.Form):
    """Withdraw (废止) a policy: the reason is required."""

    reason = text(gettext_lazy("Reason for withdrawing"), 500)
    version = forms.CharField(required=False, widget=forms.HiddenInput())


class PolicyFilesForm(forms.Form):
    """Attach files to a policy (PDF, Word, Excel, images; the service checks them)."""

    attachments = MultipleFileField(label=gettext_lazy("Files"), required=False)


