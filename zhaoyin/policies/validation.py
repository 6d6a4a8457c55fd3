"""Cleaning policy input — one cleaner per field, shared by the pages, the API and the Excel
import, so the same value gets the same verdict on every channel (VAL-01).

The eligibility tree is checked by the pure engine (``zhaoyin.lib.eligibility.parse_tree``)
against the vocabulary of the dictionaries (industries, org units, qualifications); each bad
node is reported as its own field, ``eligibility.all[1].op``, so the API's 422 and the
editor's messages name the node at fault.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.validation import clean_date, clean_decimal
from zhaoyin.enterprises.models import Industry, Qualification
from zhaoyin.lib import eligibility as engine
from zhaoyin.policies.eligibility_text import tree_errors
from zhaoyin.policies.models import Beneficiary, BenefitType, Delivery, PolicyCategory, PolicyLevel
from zhaoyin.talents.facts import talent_vocabulary

#: The fields a policy accepts from outside (AC-04: an explicit allow-list).
POLICY_FIELDS = (
    "title",
    "issuer",
    "level",
    "doc_no",
    "category",
    "org_unit",
    "valid_from",
    "valid_to",
    "delivery",
    "beneficiary",
    "benefit_type",
    "summary",
    "benefits",
    "max_amount_wan",
    "application_guide",
    "apply_deadline",
    "contact_office",
    "contact_phone",
    "contact_address",
    "eligibility",
)
REQUIRED_FIELDS = ("title", "issuer", "level", "category", "valid_from", "benefits")
#: Units that keep policies (service groups and talent stations do not).
KEEPER_UNIT_KINDS = (OrgUnitKind.CITY, OrgUnitKind.COUNTY, OrgUnitKind.PARK, OrgUnitKind.DEPARTMENT)
#: Units an eligibility condition may name (where enterprises are registered).
PLACE_UNIT_KINDS = (OrgUnitKind.CITY, OrgUnitKind.COUNTY, OrgUnitKind.PARK)
FIRST_DAY = dt.date(1990, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)
#: The largest maximum amount the column holds (``Policy.max_amount_wan``: 14 digits, 2 of them
#: decimals), in 万元; ``core.validation.MAX_DECIMAL`` has one digit more.
MAX_AMOUNT_WAN = Decimal("999999999999.99")
#: Largest eligibility JSON accepted (a tree of a few hundred conditions).
MAX_TREE_CHARS = 20_000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def clean_line(value: Any, max_length: int) -> str:
    """One line of text: no control characters or line breaks (a pasting accident)."""
    text = "" if value is None else str(value).strip()
    if len(text) > max_length:
        raise ValueError(_("is longer than %(n)d characters") % {"n": max_length})
    if _CONTROL.search(text) or "\n" in text or "\r" in text or "\t" in text:
        raise ValueError(_("contains control characters or line breaks"))
    return text


def clean_text(value: Any, max_length: int) -> str:
    """Free text that may span lines; other control characters are refused."""
    text = "" if value is None else str(value).strip().replace("\r\n", "\n")
    if len(text) > max_length:
        raise ValueError(_("is longer than %(n)d characters") % {"n": max_length})
    if _CONTROL_IN_TEXT.search(text):
        raise ValueError(_("contains control characters"))
    return text


def clean_choice(value: Any, choices: list[tuple[Any, Any]]) -> str:
    """A choice by its code or by its (translated) label."""
    text = str(value).strip()
    for code, label in choices:
        if text == str(code) or text == str(label):
            return str(code)
    raise ValueError(_("Choose one of: %(values)s.") % {"values": ", ".join(str(c) for c, _label in choices)})


def clean_policy_date(value: Any) -> dt.date:
    day = clean_date(value)
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(_("is out of range"))
    return day


def clean_keeper_unit(value: Any, in_scope: Callable[[OrgUnit], bool] = lambda unit: True) -> OrgUnit:
    """The unit that keeps the policy, by its code, among those ``in_scope`` accepts (the
    service passes the acting user's rule): a unit outside the scope is answered like an
    unknown code (AC-03)."""
    unit = OrgUnit.objects.filter(code=str(value).strip(), is_active=True).first()
    if unit is None or not in_scope(unit):
        raise ValueError(_("unknown org unit code"))
    if unit.kind not in KEEPER_UNIT_KINDS:
        raise ValueError(_("must be the city, a county, a park or a department"))
    return unit


def policy_vocabulary() -> engine.Vocabulary:
    """The codes an eligibility tree may use: industry codes, unit codes, qualification names
    (the matcher in ``matching.verdicts`` reads the same)."""
    return engine.Vocabulary(
        industries=dict(Industry.objects.values_list("code", "name")),
        units=dict(OrgUnit.objects.values_list("code", "name")),
        qualifications=frozenset(Qualification.objects.values_list("name", flat=True)),
    )


def vocabulary_for(beneficiary: str) -> engine.Vocabulary:
    """The vocabulary a policy's tree is parsed with: an enterprise tree, or a talent tree
    (``talents.facts.talent_vocabulary``, subject ``talent``) for a talent policy."""
    return talent_vocabulary() if beneficiary == Beneficiary.TALENT else policy_vocabulary()


def _tree_field(path: str) -> str:
    """``eligibility.all[1].op`` for a node path of the engine (with or without the root)."""
    path = str(path or "")
    if path == "eligibility" or path.startswith(("eligibility.", "eligibility[")):
        return path
    return "eligibility" + ("" if not path or path.startswith("[") else ".") + path


def clean_eligibility(value: Any, *, vocab: engine.Vocabulary | None = None) -> dict[str, Any]:
    """The canonical JSON of a tree (``{}`` for none), or ``InvalidInput`` naming each bad node.

    Accepts the tree as a mapping (API) or as JSON text (the form's textarea, an Excel cell).
    """
    if value is None or value == {} or (isinstance(value, str) and value.strip() in ("", "{}")):
        return {}
    if isinstance(value, str):
        if len(value) > MAX_TREE_CHARS:
            raise InvalidInput.field(
                "eligibility", _("is longer than %(n)d characters") % {"n": MAX_TREE_CHARS}
            )
        try:
            value = json.loads(value)
        except ValueError:
            raise InvalidInput.field("eligibility", _("is not valid JSON")) from None
        if value == {}:
            return {}
    try:
        node = engine.parse_tree(
            value, vocab if vocab is not None else policy_vocabulary(), root="eligibility"
        )
    except engine.TreeError as exc:
        errors = [{"field": _tree_field(path), "message": message} for path, message in tree_errors(exc)]
        if not errors:
            errors = [{"field": "eligibility", "message": _("is not a valid eligibility tree")}]
        raise InvalidInput(errors[0]["field"] + ": " + errors[0]["message"], errors) from None
    return dict(engine.tree_to_json(node))


#: One cleaner per plain field: raw value → model value (ValueError with the message).
CLEANERS: dict[str, Callable[[Any], Any]] = {
    "title": lambda v: clean_line(v, 200),
    "issuer": lambda v: clean_line(v, 100),
    "doc_no": lambda v: clean_line(v, 100),
    "level": lambda v: clean_choice(v, list(PolicyLevel.choices)),
    "category": lambda v: clean_choice(v, list(PolicyCategory.choices)),
    "delivery": lambda v: clean_choice(v, list(Delivery.choices)),
    "beneficiary": lambda v: clean_choice(v, list(Beneficiary.choices)),
    "benefit_type": lambda v: clean_choice(v, list(BenefitType.choices)),
    "org_unit": clean_keeper_unit,
    "valid_from": clean_policy_date,
    "valid_to": lambda v: None if _blank(v) else clean_policy_date(v),
    "summary": lambda v: clean_text(v, 2000),
    "benefits": lambda v: clean_text(v, 5000),
    "max_amount_wan": lambda v: None if _blank(v) else clean_decimal(v, maximum=MAX_AMOUNT_WAN),
    "application_guide": lambda v: clean_text(v, 10000),
    "apply_deadline": lambda v: clean_line(v, 100),
    "contact_office": lambda v: clean_line(v, 100),
    "contact_phone": lambda v: clean_line(v, 40),
    "contact_address": lambda v: clean_line(v, 200),
}
