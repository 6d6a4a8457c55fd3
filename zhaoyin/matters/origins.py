"""Who may raise a matter of which source and kind, and how ratings count (issue 15 items 3, 5).

Rules as data, judged by the services (``zhaoyin.matters.services``) for every channel — the
API, the pages, the talent portal, visits, imports — so each gets the same verdict:

- a portal user (enterprise, talent) raises only their own kind of demand: an enterprise user
  ``enterprise_demand``, a talent ``talent_demand``; of kind consultation or coordination (a
  talent also ``talent_demand``, the kind the talent portal gives its demands: the 10-day clock);
- ``leader_instruction`` (领导批示) only by a leader, or by the supervision office (督查室) on a
  leader's behalf, the leader named (``instructing_leader``);
- a visit's demand (``visit``) is never ``urgent_instruction`` (an enterprise's demand is not a
  leader's urgent instruction);
- internal tasks (``reform_measure``, ``meeting_decision``) are rated by the dispatcher as an
  assessment (考核), which is stored apart from the requesters' ratings and never counts in the
  public 满意率.

No Django here beyond the choices.
"""

from __future__ import annotations

from zhaoyin.core.roles import Role
from zhaoyin.matters.choices import MatterKind, MatterSource

#: The sources a portal user raises, by role.
PORTAL_SOURCES: dict[Role, frozenset[MatterSource]] = {
    Role.ENTERPRISE: frozenset({MatterSource.ENTERPRISE_DEMAND}),
    Role.TALENT: frozenset({MatterSource.TALENT_DEMAND}),
}
#: The kinds a portal user's demand may take, by role.
PORTAL_KINDS: dict[Role, frozenset[MatterKind]] = {
    Role.ENTERPRISE: frozenset({MatterKind.CONSULTATION, MatterKind.COORDINATION}),
    Role.TALENT: frozenset({MatterKind.CONSULTATION, MatterKind.COORDINATION, MatterKind.TALENT_DEMAND}),
}
#: Who registers a leader's instruction: a leader (their own) or the supervision office (naming one).
INSTRUCTION_SOURCE_ROLES: frozenset[Role] = frozenset({Role.LEADER, Role.SUPERVISOR})
#: Kinds a source may never take.
FORBIDDEN_KINDS: dict[MatterSource, frozenset[MatterKind]] = {
    MatterSource.VISIT: frozenset({MatterKind.URGENT_INSTRUCTION}),
}
#: Internal tasks: rated by the dispatcher as an assessment (考核), outside the public 满意率.
INTERNAL_SOURCES: frozenset[MatterSource] = frozenset({MatterSource.REFORM_MEASURE, MatterSource.MEETING_DECISION})


def portal_roles(role_codes: frozenset[str] | set[str]) -> list[Role]:
    """The portal roles among ``role_codes`` (an account that is also staff is judged as staff:
    the caller decides that)."""
    return [r for r in PORTAL_SOURCES if r.value in role_codes]


def sources_for_portal(roles: list[Role]) -> frozenset[MatterSource]:
    """The sources portal roles may raise together."""
    return frozenset(s for r in roles for s in PORTAL_SOURCES[r])


def kinds_for_portal(roles: list[Role]) -> frozenset[MatterKind]:
    """The kinds portal roles may give their demands together."""
    return frozenset(k for r in roles for k in PORTAL_KINDS[r])


def kind_allowed_for_source(source: MatterSource, kind: MatterKind) -> bool:
    """Whether ``kind`` may go with ``source`` whoever raises it."""
    return kind not in FORBIDDEN_KINDS.get(source, frozenset())


def is_internal(source: str) -> bool:
    """Whether a matter of ``source`` is an internal task (rated as an assessment)."""
    return source in {s.value for s in INTERNAL_SOURCES}
