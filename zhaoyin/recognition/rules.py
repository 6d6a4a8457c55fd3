"""Tier rules read by the eligibility engine: parsing a rule set's trees and judging a talent.

A rule's tree is parsed with the talent vocabulary (``talents.facts.talent_vocabulary``): only
a talent's fields, the unit and industry codes the database knows. A refused tree names each
bad node by its place in the input, ``rules[1].tree.all[0].value``.

A talent's tier under a rule set is the highest tier (A best) whose tree is MET by the
talent's facts on the day of judging; every tier is explained (the engine's ``explain``), and
the tiers above the suggested one that are only *possible* (missing data) are listed as
needing data — the talent may qualify for them once the record is complete.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from zhaoyin.core.errors import Errors, InvalidInput
from zhaoyin.lib import eligibility as engine
from zhaoyin.policies.eligibility_text import words
from zhaoyin.talents.facts import FactTables, talent_facts, talent_vocabulary
from zhaoyin.talents.models import Talent, Tier

TIERS: tuple[str, ...] = tuple(t.value for t in Tier)  # A first: the best
MAX_RULES = len(TIERS)
LABEL_MAX = 200


@dataclass(frozen=True)
class ParsedRule:
    """One tier's rule, checked: the tier, its label and its tree (canonical JSON and nodes)."""

    tier: str
    label: str
    tree: dict[str, Any]
    node: engine.Node


def parse_rules(raw: object, *, vocab: engine.Vocabulary | None = None, root: str = "rules") -> list[ParsedRule]:
    """The rules of a rule set as given (a list of ``{"tier", "label", "tree"}``), checked.

    Raises ``InvalidInput`` naming every problem by its place: ``rules[1].tier``,
    ``rules[1].tree.all[0].value``. A tier appears at most once; at least one rule is needed.
    """
    errors = Errors()
    if not isinstance(raw, list | tuple):
        raise InvalidInput.field(root, _("Give a list of tier rules."))
    if not raw:
        raise InvalidInput.field(root, _("Give at least one tier rule."))
    if len(raw) > MAX_RULES:
        raise InvalidInput.field(root, _("At most %(n)d tier rules (one per tier).") % {"n": MAX_RULES})
    vocabulary = vocab or talent_vocabulary()
    seen: set[str] = set()
    out: list[ParsedRule] = []
    for i, item in enumerate(raw):
        here = f"{root}[{i}]"
        if not isinstance(item, Mapping):
            errors.add(here, _("Give an object with tier, label and tree."))
            continue
        unknown = sorted(set(item) - {"tier", "label", "tree"})
        for key in unknown:
            errors.add(f"{here}.{key}", _("Unknown field."))
        tier = item.get("tier")
        if not isinstance(tier, str) or tier not in TIERS:
            errors.add(f"{here}.tier", _("Choose one of: %(choices)s.") % {"choices": ", ".join(TIERS)})
            tier = None
        elif tier in seen:
            errors.add(f"{here}.tier", _("Tier %(tier)s has a rule already.") % {"tier": tier})
        else:
            seen.add(tier)
        label = item.get("label", "")
        if label is None:
            label = ""
        if not isinstance(label, str):
            errors.add(f"{here}.label", _("Enter text."))
            label = ""
        elif len(label.strip()) > LABEL_MAX or "\x00" in label:
            errors.add(f"{here}.label", _("At most %(max)s characters.") % {"max": LABEL_MAX})
        if "tree" not in item:
            errors.add(f"{here}.tree", _("This field is required."))
            continue
        try:
            node = engine.parse_tree(item["tree"], vocabulary, root=f"{here}.tree")
        except engine.TreeError as exc:
            for path, message in exc.errors:
                errors.add(path, words(message))
            continue
        if tier is not None:
            out.append(ParsedRule(tier, label.strip(), dict(engine.tree_to_json(node)), node))
    errors.raise_if_any()
    return sorted(out, key=lambda r: TIERS.index(r.tier))


@dataclass(frozen=True)
class Reason:
    """One condition of a tier's tree and why it is met, unknown or not (in words)."""

    label: str
    result: str  # met, unknown, unmet
    reason: str


@dataclass(frozen=True)
class TierVerdict:
    """One tier under a rule set: eligible, possible (missing data) or ineligible, and why."""

    tier: str
    label: str
    verdict: str  # eligible, possible, ineligible
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Suggestion:
    """What the rules say of one talent: the highest tier met (None: none), the tiers above it
    that need data, and every tier's verdict with reasons."""

    tier: str | None
    on: dt.date
    tiers: tuple[TierVerdict, ...]
    needs_data: tuple[str, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        """The stored form (``Recognition.suggestion``): plain JSON, the reasons in words."""
        return {
            "tier": self.tier,
            "on": self.on.isoformat(),
            "needs_data": list(self.needs_data),
            "tiers": [
                {
                    "tier": t.tier,
                    "label": t.label,
                    "verdict": t.verdict,
                    "reasons": [{"label": r.label, "result": r.result, "reason": r.reason} for r in t.reasons],
                }
                for t in self.tiers
            ],
        }


def judge(
    rules: Iterable[tuple[str, str, Mapping[str, Any]]], facts: engine.TalentFacts, *, on: dt.date,
    vocab: engine.Vocabulary,
) -> Suggestion:
    """The tier ``facts`` qualify for under ``rules`` ((tier, label, tree) each), with reasons.

    A stored tree is parsed again (it was checked when saved; a unit or industry code removed
    since makes its tier unknown rather than failing the whole judgement)."""
    verdicts: list[TierVerdict] = []
    for tier, label, tree in sorted(rules, key=lambda r: TIERS.index(r[0])):
        try:
            node = engine.parse_tree(tree, vocab, root="tree")
        except engine.TreeError as exc:
            problems = tuple(Reason(path, "unknown", words(message)) for path, message in exc.errors)
            verdicts.append(TierVerdict(tier, label, "possible", problems))
            continue
        explanation = engine.explain(node, facts, vocab)
        reasons = tuple(
            Reason(words(c.label), engine.RESULT_NAMES[c.result], words(c.reason)) for c in explanation.conditions
        )
        verdicts.append(TierVerdict(tier, label, engine.VERDICT_NAMES[explanation.verdict], reasons))
    best = next((v.tier for v in verdicts if v.verdict == "eligible"), None)
    above = [v for v in verdicts if best is None or TIERS.index(v.tier) < TIERS.index(best)]
    needs = tuple(v.tier for v in above if v.verdict == "possible")
    return Suggestion(best, on, tuple(verdicts), needs)


def rule_rows(rules: Sequence[Any]) -> list[tuple[str, str, Mapping[str, Any]]]:
    """(tier, label, tree) of ``TierRule`` rows (or anything with those attributes)."""
    return [(r.tier, r.label, r.tree) for r in rules]


def suggest(talent: Talent, rules: Sequence[Any], *, on: dt.date, tables: FactTables | None = None) -> Suggestion:
    """The tier the rules give ``talent`` on ``on`` (a page's preview, an application)."""
    return judge(rule_rows(rules), talent_facts(talent, on=on, tables=tables), on=on, vocab=talent_vocabulary())
