"""Scoped reads of talent policy matches (AC-03): a talent's talent policies, a talent policy's
talents (免申即享 for persons).

Both sides go through the owners' selectors first: the talent through
``talents.selectors.talent_get_for_user`` (404 out of scope; a portal user reaches only their
own record), the policy through ``policies.selectors.policy_get_for_user``; a policy's list
is narrowed by ``talent_scope_q``, so a county sees (and counts) only its own talents.

The talent side explains every in-force talent policy live; the policy side reads the stored
verdicts (``TalentPolicyMatch``) and explains only the page shown. The answers have the shape
of the enterprise side's (``matching.selectors``).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoyin.accounts.models import User
from zhaoyin.core.filtering import FilterSet, Search, Sort
from zhaoyin.core.roles import TALENT_CITY_ROLES, UNIT_ROLES, Role
from zhaoyin.core.search import search_fold
from zhaoyin.lib import eligibility as engine
from zhaoyin.matching import talent_verdicts
from zhaoyin.matching.models import TalentPolicyMatch
from zhaoyin.matching.selectors import (
    LIST_VERDICTS,
    EnterpriseMatches,
    PolicyMatchView,
    TreeState,
    condition_views,
    missing_data,
)
from zhaoyin.matching.verdicts import parsed_tree
from zhaoyin.policies.eligibility_text import tree_error_summary
from zhaoyin.policies.models import Beneficiary, Policy, PolicyStatus
from zhaoyin.talents.facts import talent_vocabulary
from zhaoyin.talents.models import Talent
from zhaoyin.talents.selectors import talent_scope_q

#: Who reads a talent's policy matches: the talents' readers (a portal user: their own).
TALENT_MATCH_READERS: frozenset[Role] = frozenset(TALENT_CITY_ROLES | UNIT_ROLES | {Role.TALENT})
#: Who reads a talent policy's list of talents: government readers of talents (not portal users).
ELIGIBLE_TALENT_READERS: frozenset[Role] = frozenset(TALENT_CITY_ROLES | UNIT_ROLES)


class EligibleTalentFilter(FilterSet):
    """A talent policy's list of talents: search (name, employer, school, major), by name."""

    q = Search(fold=search_fold, label=gettext_lazy("Search"), doc="Words of the name, employer, school or major")
    order = Sort({"name": "name"}, default="name")


#: A talent's in-force talent policies grouped by verdict (the same grouping as an enterprise's).
TalentMatches = EnterpriseMatches


def talent_matches(talent: Talent) -> TalentMatches:
    """Every in-force talent policy explained for ``talent`` — fetched by the caller through
    ``talent_get_for_user`` — eligible first, then possible, then the rest, each by title."""
    grouped = TalentMatches()
    for item in talent_verdicts.explain_talent(talent):
        view = PolicyMatchView(policy=item.policy, verdict=item.verdict, conditions=condition_views(item.explanation))
        getattr(grouped, view.verdict).append(view)
    return grouped


def policy_talents(user: User, policy: Policy, verdict: str) -> QuerySet[Talent]:
    """The talents ``user`` may see whose stored verdict for ``policy`` (fetched through
    ``policy_get_for_user``) is ``verdict``, unit and employer joined. Scope first; unordered
    (the caller's ``EligibleTalentFilter`` orders it)."""
    if verdict not in LIST_VERDICTS:
        raise ValueError(verdict)
    matched = TalentPolicyMatch.objects.filter(policy_id=policy.pk, verdict=verdict).values("talent_id")
    scope = talent_scope_q(user)
    qs = Talent.objects.filter(pk__in=matched) if scope == Q() else Talent.objects.filter(scope, pk__in=matched)
    return qs.select_related("org_unit", "employer", "industry")


def policy_talent_counts(user: User, policy: Policy) -> dict[str, int]:
    """How many talents in ``user``'s scope are eligible and possibly eligible (one query)."""
    counts = dict.fromkeys(LIST_VERDICTS, 0)
    scope = talent_scope_q(user)
    matches = TalentPolicyMatch.objects.filter(policy_id=policy.pk)
    if scope != Q():
        matches = matches.filter(talent__in=Talent.objects.filter(scope).values("pk"))
    for row in matches.values("verdict").annotate(n=Count("pk")).order_by():
        if row["verdict"] in counts:
            counts[row["verdict"]] = row["n"]
    return counts


def talent_tree_state(policy: Policy) -> TreeState:
    """Whether a policy matches talents at all, and why not (shown above its list)."""
    if policy.beneficiary != Beneficiary.TALENT:
        return TreeState(False, _("This policy serves enterprises: no talent is matched against it."))
    if policy.status != PolicyStatus.IN_FORCE:
        return TreeState(False, _("This policy is not in force: no talent is matched against it."))
    if not policy.eligibility:
        return TreeState(False, _("This policy has no eligibility conditions: no talent is matched against it."))
    try:
        parsed_tree(policy, talent_vocabulary())
    except engine.TreeError as exc:
        return TreeState(
            False,
            _("The eligibility conditions of this policy no longer parse, so it matches nobody until they are "
              "fixed: %(error)s") % {"error": tree_error_summary(exc)},
        )
    return TreeState(True)


def explain_talent_page(policy: Policy, talents: Sequence[Talent]) -> dict[int, list[str]]:
    """The data each talent of a page still lacks for ``policy`` (possible verdicts)."""
    explained = talent_verdicts.explain_talents(policy, talents)
    return {pk: missing_data(explanation) for pk, explanation in explained.items()}
