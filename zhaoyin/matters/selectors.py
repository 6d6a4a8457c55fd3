"""Scoped reads of assigned matters (AC-03), and how a user stands to a matter.

Who sees a matter:
- city-wide roles (city admin, leaders, the supervision office): every matter;
- unit administrators and staff: matters whose lead unit or a co-unit lies in their subtree,
  or which a unit of their subtree dispatched;
- anyone: the matters they requested (an enterprise or talent portal user, or a service
  member who raised a demand, sees only those);
- a talent portal user also: the talent demands linked to their own talent record, raised
  for them by staff or the talent office — they follow and rate those as their requester;
- the 三员: nothing.
An out-of-scope matter is 404 on every channel. What a user may *do* is the transition
table's relation (zhaoyin.matters.flow): a visible matter whose action the user has no
relation for is 403.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.scope import NOTHING, sees_whole_city, subtree_ids
from zhaoyin.core.roles import UNIT_ROLES, Role
from zhaoyin.matters import clocks
from zhaoyin.matters.choices import ExtensionState
from zhaoyin.matters.flow import TABLE, Action, Relation, State, actions_from
from zhaoyin.matters.models import ExtensionRequest, Matter, MatterCoUnit, MatterEvent, MatterFile, MatterTally

if TYPE_CHECKING:
    from zhaoyin.matters.filters import MatterFilter

_UNIT_ROLE_CODES = frozenset(r.value for r in UNIT_ROLES)
#: Roles that dispatch every matter in the city (besides the unit that dispatched it).
_CITY_DISPATCHER_CODES = frozenset({Role.CITY_ADMIN.value, Role.SUPERVISOR.value})


@dataclass(frozen=True)
class _Scope:
    """Who sees what (the module docstring), decided once per request: ``city`` — every
    matter; ``units`` — the subtree of a unit role (else None); ``nothing`` — the 三员 and
    anonymous users. Everyone else sees their own requests (plus the units' matters)."""

    nothing: bool
    city: bool
    units: list[int] | None
    #: The talent portal user's own talent record (its demands are theirs too), else None.
    talent: int | None = None


def _scope(user: User) -> _Scope:
    if not user.is_authenticated or user.admin_role:
        return _Scope(nothing=True, city=False, units=None)
    if sees_whole_city(user):
        return _Scope(nothing=False, city=True, units=None)
    units = subtree_ids(user) if user.has_role(*_UNIT_ROLE_CODES) and user.org_unit_id is not None else None
    return _Scope(nothing=False, city=False, units=units, talent=own_talent_id(user))


def own_talent_id(user: User) -> int | None:
    """The id of a talent portal user's own talent record (one query, for talent users only)."""
    if not user.has_role(Role.TALENT):
        return None
    from zhaoyin.talents.models import Talent

    return Talent.objects.filter(account_id=user.pk).values_list("pk", flat=True).first()


def _beyond_lead_q(user: User, ids: list[int] | None, *, walk: bool, talent: int | None = None) -> Q:
    """The matters a user sees for another reason than leading them: dispatched by a unit of
    the subtree, a co-unit in it, requested by the user, or (``talent``) linked to the talent
    portal user's own record — as one ``id IN (… UNION ALL …)``, each part an index lookup."""
    parts: list[QuerySet[Any]] = [Matter.objects.filter(requester_id=user.pk).order_by().values("pk")]
    if talent is not None:
        parts.append(Matter.objects.filter(talent_id=talent).order_by().values("pk"))
    if ids is not None:
        parts.append(Matter.objects.filter(dispatcher_unit_id__in=ids).order_by().values("pk"))
        parts.append(MatterCoUnit.objects.filter(unit_id__in=ids).order_by().values("matter_id"))
    union = parts[0].union(*parts[1:], all=True)
    return Q(pk__unindexed__in=union) if walk else Q(pk__in=union)


def _scope_q(user: User, scope: _Scope, *, walk: bool) -> Q:
    if scope.nothing:
        return NOTHING
    if scope.city:
        return Q()
    beyond = _beyond_lead_q(user, scope.units, walk=walk, talent=scope.talent)
    if scope.units is None:
        return beyond
    return (Q(lead_unit_id__unindexed__in=scope.units) if walk else Q(lead_unit_id__in=scope.units)) | beyond


def matter_scope_q(user: User, *, walk: bool = False) -> Q:
    """The matters ``user`` may see, as a filter on ``Matter`` (see the module docstring).

    ``walk``: for a page of a long list — the lead unit and the other reasons are then tested
    row by row (``__unindexed``, zhaoyin.core.lookups), so the database walks the index of the
    list's order and stops after the page instead of gathering the whole scope to sort it."""
    return _scope_q(user, _scope(user), walk=walk)


#: A search is counted up to this many matches; beyond, the list says "more than" and shows
#: no counts per state (counting a common word exactly would read every match).
SEARCH_COUNT_CAP = 10_000
#: From this many matters on, a page is read by walking the index of the list's order.
WALK_FROM = 2_000


@dataclass(frozen=True)
class ListCounts:
    """The matters of a list per state, and their total; ``capped``: a search found more than
    ``SEARCH_COUNT_CAP`` (then ``by_state`` is empty and ``total`` is the cap + 1)."""

    by_state: dict[str, int]
    total: int
    capped: bool = False

    @property
    def walk(self) -> bool:
        """Whether a page of this list is best read by walking the order's index."""
        return self.total >= WALK_FROM


def matter_state_counts(user: User, flt: MatterFilter) -> ListCounts:
    """The counts of ``user``'s list filtered by ``flt``.

    A filter on the lead unit, state, source and kind only is answered from ``MatterTally``
    (kept by triggers, zhaoyin.matters.tally): the whole city's counts are a sum over it, a
    unit's are the sum over the matters its subtree leads or dispatched plus a live count of
    the few it sees otherwise (a co-unit, its own requests). Any other filter (search, alert,
    listed, has_talent, closed_on_time) narrows the list and is counted live; a search up to
    ``SEARCH_COUNT_CAP``."""
    scope = _scope(user)
    ids = scope.units
    if scope.nothing:
        return ListCounts({}, 0)
    if flt.q:
        return _search_counts(user, scope, flt)
    live = (
        flt.listed is not None or flt.has_talent is not None or flt.closed_on_time is not None
        or flt.stale is not None
    )
    if flt.alert or live or (not scope.city and ids is None):
        # An alert or listed filter has its own (partial, covering) index: the scope is then a
        # test per row, not the way in.
        narrow = bool(flt.alert) or flt.listed is True
        filtered = flt.apply(Matter.objects.filter(_scope_q(user, scope, walk=narrow)))
        return _counts(filtered.order_by().values_list("state").annotate(n=Count("*")))
    tally = MatterTally.objects.all()
    if flt.state:
        tally = tally.filter(state=flt.state)
    if flt.source:
        tally = tally.filter(source=flt.source)
    if flt.kind:
        tally = tally.filter(kind=flt.kind)
    if flt.lead_unit is not None:
        tally = tally.filter(lead__in=OrgUnit.objects.filter(path__startswith=flt.lead_unit.path).values("pk"))
    if ids is not None:
        tally = tally.filter(Q(lead__in=ids) | Q(dispatcher__in=ids))
    rows = list(tally.order_by().values_list("state").annotate(total=Sum("n")))
    if ids is not None:
        others = (
            flt.apply(Matter.objects.filter(_beyond_lead_q(user, ids, walk=False, talent=scope.talent)))
            .exclude(lead_unit_id__in=ids)
            .exclude(dispatcher_unit_id__in=ids)
            .order_by()
        )
        rows += list(others.values_list("state").annotate(n=Count("*")))
    return _counts(rows)


def _search_counts(user: User, scope: _Scope, flt: MatterFilter) -> ListCounts:
    """A search's counts, up to ``SEARCH_COUNT_CAP``, read in one pass: the states of at most
    cap + 1 matches. A unit's matches come in two parts that do not overlap: those its subtree
    leads (the search index finds them among the subtree's units alone) and those it sees for
    another reason."""
    ids = scope.units
    if ids is None:
        parts = [flt.apply(Matter.objects.filter(_scope_q(user, scope, walk=False)))]
    else:
        parts = [
            flt.apply(Matter.objects.filter(lead_unit_id__in=ids), lead_units=ids),
            flt.apply(Matter.objects.filter(_beyond_lead_q(user, ids, walk=False, talent=scope.talent))).exclude(
                lead_unit_id__in=ids
            ),
        ]
    states: list[str] = []
    for part in parts:
        states += part.order_by().values_list("state", flat=True)[: SEARCH_COUNT_CAP + 1 - len(states)]
        if len(states) > SEARCH_COUNT_CAP:
            return ListCounts({}, SEARCH_COUNT_CAP + 1, capped=True)
    return _counts(Counter(states).items())


def _counts(rows: Any) -> ListCounts:
    by_state: dict[str, int] = defaultdict(int)
    for state, n in rows:
        by_state[state] += n
    clean = {state: n for state, n in by_state.items() if n}
    return ListCounts(clean, sum(clean.values()))


def matter_list_visible_to(user: User, *, walk: bool = False) -> QuerySet[Matter]:
    """Every matter the user may see, with the units, links and requester joined (``walk``:
    see ``matter_scope_q``)."""
    return Matter.objects.filter(matter_scope_q(user, walk=walk)).select_related(
        "lead_unit", "dispatcher_unit", "enterprise", "project", "requester", "listed_leader", "instructing_leader"
    )


def matter_list_query(
    user: User, flt: MatterFilter, *, today: dt.date | None = None
) -> tuple[ListCounts, QuerySet[Matter]]:
    """A list of the page and the API: its counts, and the scoped, filtered and ordered matters
    to page through — walked along the order's index when the list is long."""
    counts = matter_state_counts(user, flt)
    qs = flt.apply(matter_list_visible_to(user, walk=counts.walk), today=today, walk=counts.walk)
    return counts, qs


def _in_subtree(user: User, unit: OrgUnit | None) -> bool:
    """Whether ``unit`` is the user's unit or below it (unit roles only)."""
    own = user.org_unit
    return unit is not None and own is not None and unit.path.startswith(own.path)


def relations(user: User, matter: Matter, co_units: list[OrgUnit] | None = None) -> frozenset[Relation]:
    """How ``user`` stands to ``matter`` (flow.Relation). ``co_units`` saves a query when the
    caller has them."""
    if not user.is_authenticated or user.admin_role:
        return frozenset()
    found: set[Relation] = set()
    if user.has_role(*_CITY_DISPATCHER_CODES):
        found.add(Relation.DISPATCHER)
    if user.has_role(Role.LEADER):
        found.add(Relation.LEADER)
    if user.has_role(Role.SUPERVISOR):
        found.add(Relation.SUPERVISOR)
    if user.has_role(*_UNIT_ROLE_CODES) and user.org_unit_id is not None:
        if _in_subtree(user, matter.dispatcher_unit):
            found.add(Relation.DISPATCHER)
        if _in_subtree(user, matter.lead_unit):
            found.add(Relation.LEAD_UNIT)
        units = co_units if co_units is not None else list(matter.co_units.all())
        if any(_in_subtree(user, u) for u in units):
            found.add(Relation.CO_UNIT)
    if matter.requester_id is not None and matter.requester_id == user.pk:
        found.add(Relation.REQUESTER)
    elif matter.talent_id is not None and user.has_role(Role.TALENT) and matter.talent_id == own_talent_id(user):
        # A demand raised for the talent by staff: the talent follows, rates or withdraws it.
        found.add(Relation.REQUESTER)
    return frozenset(found)


def may_instruct(user: User) -> bool:
    """Who writes a 批示 (issue 15): a leader (their own), or the supervision office (naming the
    leader). The table grants ``instruct`` to the leader and dispatcher relations; of the
    dispatchers only the supervision office records a leader's instruction."""
    return user.has_role(Role.LEADER, Role.SUPERVISOR) and not user.admin_role


def may_take(user: User, matter: Matter, action: Action) -> bool:
    """Whether the user has a relation the table grants ``action`` to (the state aside)."""
    if action == Action.INSTRUCT and not may_instruct(user):
        return False
    return TABLE[action].may(relations(user, matter))


def matter_get_for_user(*, user: User, pk: int, action: Action | None = None) -> Matter:
    """The matter if the user may see it (else 404). With ``action``: 403 (audited) when the
    user has no relation the table grants that action to."""
    matter = matter_list_visible_to(user).filter(pk=pk).first()
    if matter is None:
        raise Http404
    if action is not None and not may_take(user, matter, action):
        from zhaoyin.audit.services import audit_denied

        # A refused write is audited (AUD-01); the record names the matter aimed at.
        audit_denied(user=user, action=f"matter.{action.value}_denied", target=f"matter {matter.pk}")
        raise PermissionDenied
    return matter


def pending_extension(matter: Matter) -> ExtensionRequest | None:
    """The matter's unanswered extension request, if any."""
    return ExtensionRequest.objects.filter(matter=matter, state=ExtensionState.PENDING).first()


def allowed_actions(user: User, matter: Matter) -> list[Action]:
    """The actions ``user`` may take on ``matter`` now: the table's actions from its state that
    the user has a relation for, less those a guard would refuse (already listed, an
    extension pending or the deadline passed …). For the UI; the services check again."""
    rel = relations(user, matter)
    state = State(matter.state)
    out: list[Action] = []
    pending: ExtensionRequest | None = None
    pending_known = False
    for action in actions_from(state):
        if not TABLE[action].may(rel):
            continue
        if action == Action.LIST and matter.listed:
            continue
        if action == Action.INSTRUCT and not may_instruct(user):
            continue
        if action == Action.UNLIST and not matter.listed:
            continue
        if action in (Action.REQUEST_EXTENSION, Action.ANSWER_EXTENSION):
            if not pending_known:
                pending, pending_known = pending_extension(matter), True
            if action == Action.ANSWER_EXTENSION and pending is None:
                continue
            if action == Action.REQUEST_EXTENSION and (
                pending is not None or matter.handle_deadline is None or clocks.is_past(matter.handle_deadline)
            ):
                continue
        out.append(action)
    return out


def matter_events(matter: Matter) -> list[MatterEvent]:
    """The timeline of a matter already fetched through a selector, oldest first, with the
    actors, units and files loaded."""
    return list(
        MatterEvent.objects.filter(matter=matter)
        .select_related("actor", "lead_unit")
        .prefetch_related(Prefetch("files", queryset=MatterFile.objects.order_by("id")))
        .order_by("at", "id")
    )


def matter_co_units(matter: Matter) -> list[OrgUnit]:
    """The co-units of a matter, in tree order."""
    return list(matter.co_units.order_by("path"))


def matter_extension_requests(matter: Matter) -> list[ExtensionRequest]:
    """Every extension request of a matter, oldest first."""
    return list(
        ExtensionRequest.objects.filter(matter=matter).select_related("requested_by", "answered_by").order_by(
            "requested_at", "id"
        )
    )


def matter_file_get_for_user(*, user: User, pk: int) -> MatterFile:
    """An attachment whose matter the user may see (else 404, FILE-05)."""
    found = (
        MatterFile.objects.filter(pk=pk, matter__in=Matter.objects.filter(matter_scope_q(user)).values("pk"))
        .select_related("matter")
        .first()
    )
    if found is None:
        raise Http404
    return found


def matter_talent_name(user: User, matter: Matter) -> str | None:
    """The name of the talent a demand serves, as ``user`` may read it: in full when the talent
    is in the user's talent scope (talents.selectors: the talent office, the talent's county,
    the talent themselves), masked for the others who see the matter (a department handling
    it reads the requester's own words, not the talent record). None without a talent."""
    if matter.talent_id is None:
        return None
    from zhaoyin.lib.masking import mask_name
    from zhaoyin.talents.models import Talent
    from zhaoyin.talents.selectors import talent_scope_q

    row = Talent.objects.filter(pk=matter.talent_id).values_list("name", flat=True).first()
    if row is None:
        return None
    visible = Talent.objects.filter(talent_scope_q(user), pk=matter.talent_id).exists()
    return row if visible else mask_name(row)
