"""What the apps above the policy library add to a policy's page, without being imported here.

The payout ledger (``zhaoyin.payouts``) adds its "register a payout" link; it registers the
function from its ``AppConfig.ready``, so the policies app imports neither it nor the
matching app (docs/architecture.md, the layer map).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from zhaoyin.accounts.models import User
from zhaoyin.policies.models import Policy

#: Gets the viewing user and the policy; returns context entries for the policy's page
#: (``{"payout_url": …}``), empty when the user may not follow the link.
PageLinks = Callable[[User, Policy], Mapping[str, str]]

_PAGE_LINKS: dict[str, PageLinks] = {}


def register_page_links(provider: PageLinks) -> None:
    """Add a provider of page links (registering the same function again replaces it)."""
    _PAGE_LINKS[f"{provider.__module__}.{provider.__qualname__}"] = provider


def page_links(user: User, policy: Policy) -> dict[str, str]:
    """The links every registered provider adds for this user and policy."""
    out: dict[str, str] = {}
    for provider in _PAGE_LINKS.values():
        out.update(provider(user, policy))
    return out


#: Gets the viewing user, a talent and the ids of talent policies shown for them; returns, per
#: policy id, a link and its label (the ledger's "apply for this subsidy", issue 13 item 9).
TalentPolicyActions = Callable[[User, Any, Sequence[int]], Mapping[int, tuple[str, str]]]

_TALENT_POLICY_ACTIONS: dict[str, TalentPolicyActions] = {}


def register_talent_policy_actions(provider: TalentPolicyActions) -> None:
    """Add a provider of links on a talent's policies page (registering it again replaces it)."""
    _TALENT_POLICY_ACTIONS[f"{provider.__module__}.{provider.__qualname__}"] = provider


def talent_policy_actions(user: User, talent: Any, policy_ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    """Policy id → the links every registered provider offers ``user`` for ``talent``."""
    out: dict[int, list[tuple[str, str]]] = {}
    for provider in _TALENT_POLICY_ACTIONS.values():
        for pk, link in provider(user, talent, policy_ids).items():
            out.setdefault(pk, []).append(link)
    return out


#: Gets a policy and an enterprise id; returns the matcher's verdict for them ("eligible",
#: "possible" or "ineligible"), or None when the policy has no tree it can judge. The matching
#: app registers it (``MatchingConfig.ready``); the payout ledger reads it through
#: ``enterprise_verdict`` (issue 15: a payout against the verdict is flagged), so payouts and
#: matching still import neither each other (docs/architecture.md, the layer map).
VerdictProvider = Callable[[Policy, int], str | None]

_VERDICT_PROVIDER: dict[str, VerdictProvider] = {}


def register_verdict_provider(provider: VerdictProvider) -> None:
    """Set the function that judges an enterprise against a policy (one; a new one replaces it)."""
    _VERDICT_PROVIDER["provider"] = provider


def enterprise_verdict(policy: Policy, enterprise_id: int) -> str | None:
    """The matcher's verdict of ``policy`` for the enterprise, computed now from its current
    facts (not the stored verdicts, refreshed only after commit); None without a provider."""
    provider = _VERDICT_PROVIDER.get("provider")
    return provider(policy, enterprise_id) if provider is not None else None
