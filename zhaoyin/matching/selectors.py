"""Scoped reads of policy matches (AC-03): an enterprise's policies, a policy's enterprises.

Both sides go through the owners' selectors first: the enterprise through
``enterprises.selectors.enterprise_get_for_user`` (404 out of scope), the policy through
``policies.selectors.policy_get_for_user`` (404 when invisible), and a policy's eligible list
is narrowed by ``enterprise_scope_q``, so a county sees (and counts) only its own enterprises.

The enterprise side explains every in-force policy live (``verdicts.explain_enterprise``);
the policy side reads the stored verdicts (``PolicyMatch``) and explains only the page shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.core.errors import InvalidInput
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.enterprises.selectors import enterprise_scope_q
from zhaoyin.lib import eligibility as engine
from zhaoyin.matching import verdicts
from zhaoyin.matching.models import MatchVerdict, PolicyMatch
from zhaoyin.policies.eligibility_text import tree_error_summary, words
from zhaoyin.policies.models import Policy, PolicyStatus

#: The verdicts a policy's list shows (ineligible verdicts are not stored).
LIST_VERDICTS: tuple[str, ...] = (MatchVerdict.ELIGIBLE.value, MatchVerdict.POSSIBLE.value)
#: Result code → the name used by the API and the templates' icons.
RESULT_CODES: dict[int, str] = dict(engine.RESULT_NAMES)


def condition_json(condition: Any) -> dict[str, Any]:
    """A condition as its canonical JSON (the engine may hand back a node or the JSON)."""
    if isinstance(condition, dict):
        return condition
    out = engine.tree_to_json(condition)
    return out if isinstance(out, dict) else {"value": out}


@dataclass(frozen=True)
class ConditionView:
    """One leaf condition of a policy judged for one enterprise, ready for a page or the API."""

    path: str
    condition: dict[str, Any]
    label: str
    result: str
    reason: str


def condition_views(explanation: engine.Explanation) -> list[ConditionView]:
    """Every leaf condition of an explanation, in the tree's order."""
    return [
        ConditionView(
            path=str(c.path),
            condition=condition_json(c.condition),
            label=words(c.label),
            result=RESULT_CODES[c.result],
            reason=words(c.reason),
        )
        for c in explanation.conditions
    ]


def missing_data(explanation: engine.Explanation) -> list[str]:
    """What a ``possible`` verdict waits for: the reasons of the conditions judged unknown."""
    return _unique(words(c.reason) for c in explanation.conditions if c.result == engine.UNKNOWN)


def _unique(reasons: Iterable[str]) -> list[str]:
    """Reasons in order, each once (a tiered tree asks for the same figure in every tier)."""
    return list(dict.fromkeys(reasons))


@dataclass(frozen=True)
class PolicyMatchView:
    """One in-force policy judged for one enterprise (a row of the enterprise's page)."""

    policy: Policy
    verdict: str
    conditions: list[ConditionView]

    @property
    def missing(self) -> list[str]:
        return _unique(c.reason for c in self.conditions if c.result == "unknown")

    @property
    def met_count(self) -> int:
        return sum(1 for c in self.conditions if c.result == "met")


@dataclass
class EnterpriseMatches:
    """An enterprise's in-force policies grouped by verdict (eligible, possible, ineligible)."""

    eligible: list[PolicyMatchView] = field(default_factory=list)
    possible: list[PolicyMatchView] = field(default_factory=list)
    ineligible: list[PolicyMatchView] = field(default_factory=list)

    @property
    def items(self) -> list[PolicyMatchView]:
        return [*self.eligible, *self.possible, *self.ineligible]


def enterprise_matches(enterprise: Enterprise) -> EnterpriseMatches:
    """Every in-force policy explained for ``enterprise`` — which the caller has fetched through
    ``enterprise_get_for_user`` — eligible first, then possible, then the rest, each by title.

    A constant number of queries (the dictionaries, the enterprise's facts, the policies)
    whatever the number of policies: the explanations are computed in memory.
    """
    grouped = EnterpriseMatches()
    for item in verdicts.explain_enterprise(enterprise):
        view = PolicyMatchView(
            policy=item.policy, verdict=item.verdict, conditions=condition_views(item.explanation)
        )
        getattr(grouped, view.verdict).append(view)
    return grouped


def top_eligible_policies(enterprise: Enterprise, limit: int = 5) -> list[Policy]:
    """The first ``limit`` in-force policies stored as eligible for ``enterprise`` (already
    fetched through its scoped selector), by title: one indexed query for the profile page."""
    return list(
        Policy.objects.filter(
            status=PolicyStatus.IN_FORCE,
            matches__enterprise_id=enterprise.pk,
            matches__verdict=MatchVerdict.ELIGIBLE,
        ).order_by("title", "pk")[:limit]
    )


def parse_verdict(params: Mapping[str, Any], name: str = "verdict") -> str:
    """The list verdict asked for (``eligible`` by default); anything else → InvalidInput."""
    raw = params.get(name)
    if isinstance(raw, list | tuple):
        raw = raw[-1] if raw else ""
    value = str(raw or "").strip() or MatchVerdict.ELIGIBLE.value
    if value not in LIST_VERDICTS:
        raise InvalidInput.field(name, _("Verdict must be “eligible” or “possible”."))
    return value


def policy_enterprises(user: User, policy: Policy, verdict: str) -> QuerySet[Enterprise]:
    """The enterprises ``user`` may see whose stored verdict for ``policy`` (already fetched
    through ``policy_get_for_user``) is ``verdict``; unit, industry and group joined.

    Scope first (``enterprise_scope_q``), so the list and every count built on it only ever
    hold what the user may see (AC-03). Unordered: the caller's filter puts it in order.
    """
    if verdict not in LIST_VERDICTS:
        raise ValueError(verdict)
    matched = PolicyMatch.objects.filter(policy_id=policy.pk, verdict=verdict).values("enterprise_id")
    scope = enterprise_scope_q(user)
    qs = Enterprise.objects.filter(pk__in=matched) if scope == Q() else Enterprise.objects.filter(scope, pk__in=matched)
    return qs.select_related("org_unit", "industry", "service_group")


def policy_verdict_counts(user: User, policy: Policy) -> dict[str, int]:
    """How many enterprises in ``user``'s scope are eligible and possibly eligible (one query)."""
    from django.db.models import Count

    counts = dict.fromkeys(LIST_VERDICTS, 0)
    scope = enterprise_scope_q(user)
    matches = PolicyMatch.objects.filter(policy_id=policy.pk)
    if scope != Q():
        # The whole city needs no scope subquery (it would list every enterprise's id).
        matches = matches.filter(enterprise__in=Enterprise.objects.filter(scope).values("pk"))
    rows = matches.values("verdict").annotate(n=Count("pk")).order_by()
    for row in rows:
        if row["verdict"] in counts:
            counts[row["verdict"]] = row["n"]
    return counts


@dataclass(frozen=True)
class TreeState:
    """Whether a policy can match at all, and why not (shown above its list)."""

    matches: bool
    reason: str = ""


def policy_tree_state(policy: Policy) -> TreeState:
    """A policy matches only while in force with a tree that parses against today's
    dictionaries; a tree that no longer parses (a code removed after publication) matches
    nobody, and the page says so with the engine's message naming the bad node."""
    if policy.status != PolicyStatus.IN_FORCE:
        return TreeState(False, _("This policy is not in force: no enterprise is matched against it."))
    if not policy.eligibility:
        return TreeState(False, _("This policy has no eligibility conditions: no enterprise is matched against it."))
    try:
        verdicts.parsed_tree(policy, verdicts.vocabulary())
    except engine.TreeError as exc:
        return TreeState(
            False,
            _("The eligibility conditions of this policy no longer parse, so it matches nobody until they are "
              "fixed: %(error)s") % {"error": tree_error_summary(exc)},
        )
    return TreeState(True)


def explain_page(policy: Policy, enterprises: Sequence[Enterprise]) -> dict[int, list[str]]:
    """The data each enterprise of a page still lacks for ``policy`` (possible verdicts)."""
    explained = verdicts.explain_enterprises(policy, enterprises)
    return {pk: missing_data(explanation) for pk, explanation in explained.items()}
