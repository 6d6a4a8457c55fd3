"""Matter use cases: register, edit a draft, and one service per action of the transition table.

The only writers of matter data. Every action service:

1. checks that the acting user has a relation the table grants the action to
   (``PermissionDenied``, 403 — the caller fetched the matter through a selector, so it is
   visible);
2. checks that the table allows the action from the state the caller read (``Conflict``, 409);
3. cleans its input (``InvalidInput`` naming the field, 422) before anything is written;
4. moves the matter with ONE conditional UPDATE on (pk, state, version) — the same action
   pressed twice, or two users racing, happens once and the loser gets ``Conflict``, on
   SQLite as on PostgreSQL;
5. records one ``MatterEvent`` (who, when, from, to, reason, details) and one audit record in
   the same transaction;
6. tells whoever the row gives work (``notify``) once the transaction commits
   (zhaoyin.notifications.handoff, resolved by zhaoyin.matters.notices).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind, User
from zhaoyin.audit.services import audit_write, diff, snapshot
from zhaoyin.core import files as files_core
from zhaoyin.core.errors import Conflict, Errors, InvalidInput
from zhaoyin.core.roles import UNIT_ROLES, Role
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.matters import clocks, origins
from zhaoyin.matters.choices import DemandCategory, ExtensionState, MatterKind, MatterSource, Rating
from zhaoyin.matters.flow import (
    ACTION_LABELS,
    MATTER_TABLE,
    STATE_LABELS,
    TABLE,
    Action,
    Relation,
    State,
    Transition,
)
from zhaoyin.matters.inputs import (
    AnswerExtensionInput,
    AssignInput,
    ExtensionRequestInput,
    InstructInput,
    ListInput,
    MatterCreateInput,
    MatterUpdateInput,
    NewClockInput,
    NoteInput,
    ProgressInput,
    RateInput,
    ReasonInput,
    ReassignInput,
    ReportInput,
    ReturnInput,
    SuperviseInput,
    TalentDemandInput,
    UrgeInput,
)
from zhaoyin.matters.models import (
    ExtensionRequest,
    Matter,
    MatterCoUnit,
    MatterEvent,
    MatterFile,
    MatterInstruction,
    MatterNotice,
    MatterSequence,
    NoticeKind,
    SupervisionOrder,
    SupervisionOrderKind,
    SupervisionOrderSequence,
    matter_search_text,
    met_deadline,
    workdays_taken,
)
from zhaoyin.matters.routing import route_unit
from zhaoyin.matters.selectors import may_instruct, pending_extension, relations
from zhaoyin.notifications import handoff
from zhaoyin.projects.models import Project
from zhaoyin.talents.models import Talent
from zhaoyin.workcalendar.selectors import current_calendar

FILE_AREA = "matter_files"

_CITY_DISPATCHERS = frozenset({Role.CITY_ADMIN.value, Role.SUPERVISOR.value})
_UNIT_ROLE_CODES = frozenset(r.value for r in UNIT_ROLES)
_PORTAL_ROLE_CODES = frozenset({Role.ENTERPRISE.value, Role.TALENT.value})
#: Roles that may register a matter (the leader's instructions are registered by the office).
CREATOR_ROLES = frozenset(
    {
        Role.CITY_ADMIN, Role.SUPERVISOR, Role.UNIT_ADMIN, Role.STAFF, Role.SERVICE_MEMBER, Role.ENTERPRISE,
        Role.TALENT, Role.TALENT_OFFICE,
    }
)
_CREATOR_CODES = frozenset(r.value for r in CREATOR_ROLES)
#: Fields of a draft that ``matter_update`` may change.
DRAFT_FIELDS = (
    "title", "description", "source", "kind", "enterprise", "project", "lead_unit", "co_units", "requester_name",
    "instructing_leader",
)


# --------------------------------------------------------------------------- references
# What a value is was decided by the input model (zhaoyin.matters.inputs); these look the
# references up and judge them against the acting user's scope.


def _unit(code: str | None, field: str) -> OrgUnit | None:
    """The active org unit of ``code``; None for none given."""
    if code is None:
        return None
    unit = OrgUnit.objects.filter(code=code, is_active=True).first()
    if unit is None:
        raise InvalidInput.field(field, _("Unknown or inactive org unit."))
    return unit


def _is_city_dispatcher(user: User) -> bool:
    return user.has_role(*_CITY_DISPATCHERS)


def _may_assign_to(user: User, unit: OrgUnit) -> bool:
    """City dispatchers assign to any unit; a unit dispatcher to units within its subtree."""
    if _is_city_dispatcher(user):
        return True
    own = user.org_unit
    return user.has_role(*_UNIT_ROLE_CODES) and own is not None and unit.path.startswith(own.path)


def _reachable_unit(user: User, code: str, field: str) -> OrgUnit:
    """The active unit of ``code`` that ``user`` may assign to (or dispatch from); an unknown
    code and one outside the scope are refused in the same words, so the org tree of other
    counties is no oracle."""
    unit = OrgUnit.objects.filter(code=code, is_active=True).first()
    if unit is None or not _may_assign_to(user, unit):
        raise InvalidInput.field(field, _("Unknown org unit, or one outside your scope."))
    return unit


def _clean_units(
    user: User,
    lead: str | None,
    co: Sequence[str] | None,
    *,
    current_lead: OrgUnit | None = None,
    current_co: Sequence[OrgUnit] = (),
) -> tuple[OrgUnit | None, list[OrgUnit]]:
    """The lead unit (``current_lead`` when none given) and the co-units (``current_co`` when
    not given), each within the user's scope (a lead unit kept as it was is not judged)."""
    lead_unit = _reachable_unit(user, lead, "lead_unit") if lead is not None else current_lead
    co_units: list[OrgUnit] = list(current_co)
    if co is not None:
        co_units = []
        for code in co:
            unit = _reachable_unit(user, code, "co_units")
            if unit not in co_units:
                co_units.append(unit)
    if lead_unit is not None and lead_unit in co_units:
        raise InvalidInput.field("co_units", _("The lead unit cannot also be a co-unit."))
    return lead_unit, co_units


def _enterprise(user: User, pk: int | None) -> Enterprise | None:
    from zhaoyin.enterprises.selectors import enterprise_list_visible_to

    if pk is None:
        return None
    found = enterprise_list_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise InvalidInput.field("enterprise", _("Unknown enterprise."))
    return found


def _project(user: User, ref: str | None) -> Project | None:
    """A visible project by record number (digits) or code."""
    from zhaoyin.projects.selectors import project_list_visible_to

    if ref is None:
        return None
    visible = project_list_visible_to(user)
    by_number = ref.isascii() and ref.isdigit() and len(ref) <= 9
    found = (visible.filter(pk=int(ref)) if by_number else visible.filter(code=ref)).first()
    if found is None:
        raise InvalidInput.field("project", _("Unknown project."))
    return found


def _is_talent_portal(user: User) -> bool:
    """A talent portal user acting as themselves (not also government staff)."""
    return user.has_role(Role.TALENT) and not user.has_role(*_CITY_DISPATCHERS, *_UNIT_ROLE_CODES)


def _talent(user: User, pk: int | None, source: MatterSource) -> Talent | None:
    """The talent a talent demand serves, looked up in the caller's talent scope
    (talents.selectors): a talent portal user can name only their own record, which is also
    the default; an unknown id and one outside the scope get the same words (AC-03)."""
    from zhaoyin.talents.selectors import own_talent, talent_list_visible_to

    if pk is None:
        if source == MatterSource.TALENT_DEMAND and _is_talent_portal(user):
            return own_talent(user)
        return None
    found = talent_list_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise InvalidInput.field("talent", _("Unknown talent."))
    if source != MatterSource.TALENT_DEMAND:
        raise InvalidInput.field("talent", _("Only a talent demand links a talent."))
    return found


# --------------------------------------------------------------------------- sources and kinds by role


def _portal_only(user: User) -> bool:
    """A portal user (enterprise, talent) acting as such, not also government staff."""
    return user.has_role(*_PORTAL_ROLE_CODES) and not user.has_role(*_CITY_DISPATCHERS, *_UNIT_ROLE_CODES)


def _leader(username: str, field: str) -> User:
    """The active leader account of ``username``; any other name is refused in the same words."""
    found = User.objects.filter(
        username=username, is_active=True, admin_role="", role_assignments__role=Role.LEADER.value
    ).first()
    if found is None:
        raise InvalidInput.field(field, _("Unknown leader."))
    return found


def _judge_origin(
    user: User, source: MatterSource, kind: MatterKind, leader_ref: str | None, *, judge_leader: bool = True
) -> User | None:
    """The verdict on a matter's source and kind for ``user`` (zhaoyin.matters.origins); returns
    the instructing leader of a leader's instruction. Every refusal names its field
    (``source``, ``kind``, ``instructing_leader``). ``judge_leader=False``: a draft edit that
    keeps its leader's-instruction source and leader is not judged on them again."""
    errors = Errors()
    leader: User | None = None
    portal = _portal_only(user)
    if portal:
        roles = origins.portal_roles(user.role_codes)
        allowed_sources = origins.sources_for_portal(roles)
        if source not in allowed_sources:
            errors.add("source", _("You may raise only your own kind of demand: %(sources)s.") % {
                "sources": ", ".join(str(s.label) for s in MatterSource if s in allowed_sources)})
        allowed_kinds = origins.kinds_for_portal(roles)
        if kind not in allowed_kinds:
            errors.add("kind", _("Choose one of: %(kinds)s.") % {
                "kinds": ", ".join(str(k.label) for k in MatterKind if k in allowed_kinds)})
    if not origins.kind_allowed_for_source(source, kind) and not errors.has("kind"):
        errors.add("kind", _("A matter of the source “%(source)s” cannot be of the kind “%(kind)s”.") % {
            "source": source.label, "kind": kind.label})
    if source == MatterSource.LEADER_INSTRUCTION and not portal and judge_leader:
        if user.has_role(Role.LEADER):
            # A leader registers their own instruction only.
            if leader_ref is not None and leader_ref != user.get_username():
                errors.add("instructing_leader", _("A leader registers only their own instruction."))
            leader = user
        elif user.has_role(Role.SUPERVISOR):
            if leader_ref is None:
                errors.add("instructing_leader", _("Name the leader whose instruction this is."))
            else:
                try:
                    leader = _leader(leader_ref, "instructing_leader")
                except InvalidInput as exc:
                    errors.capture(exc)
        else:
            errors.add("source", _(
                "Only a leader, or the supervision office on a leader's behalf, registers a leader's instruction."
            ))
    elif source != MatterSource.LEADER_INSTRUCTION and leader_ref is not None:
        errors.add("instructing_leader", _("Only a leader's instruction names a leader."))
    errors.raise_if_any()
    return leader


# --------------------------------------------------------------------------- files


def matter_file_path(stored_name: str) -> Path:
    """The path of a stored matter attachment (the stored name is random hex)."""
    return files_core.stored_path(FILE_AREA, stored_name)


@transaction.atomic
def matter_file_open(*, acting_user: User, file: MatterFile) -> BinaryIO:
    """Open a matter's attachment for ``acting_user`` to download, and audit the read
    ("matter.file.download"). ``file`` comes from ``selectors.matter_file_get_for_user``."""
    matter = file.matter
    return files_core.open_attachment(
        file, area=FILE_AREA, acting_user=acting_user, action="matter.file.download", owner_repr=matter.code,
        owner={"matter": matter.pk, "matter_code": matter.code},
    )


def _store_files(
    checked: Iterable[files_core.CheckedFile],
    *,
    matter: Matter,
    event: MatterEvent | None,
    acting_user: User | None,
    store: files_core.UploadStore,
) -> list[MatterFile]:
    return [
        MatterFile.objects.create(matter=matter, event=event, uploaded_by=acting_user, **store.write(item))
        for item in checked
    ]


# --------------------------------------------------------------------------- registration


def next_matter_code(year: int) -> str:
    """The next ``JB<year>-<6 digits>``: one UPDATE on the year's counter row, whose lock is
    held until the creating transaction ends, so concurrent creations never collide."""
    MatterSequence.objects.get_or_create(year=year)
    MatterSequence.objects.filter(year=year).update(last=F("last") + 1)
    number = MatterSequence.objects.filter(year=year).values_list("last", flat=True).get()
    return f"JB{year}-{number:06d}"


def _default_dispatcher_unit(user: User) -> OrgUnit | None:
    """Where a new matter is dispatched from: the registering unit for government users, the
    city (its 招商服务中心) for portal users and service members."""
    if user.org_unit is not None and user.has_role(*_CITY_DISPATCHERS, *_UNIT_ROLE_CODES, Role.LEADER):
        return user.org_unit
    return OrgUnit.objects.filter(parent__isnull=True, kind=OrgUnitKind.CITY).order_by("pk").first()


def matter_create(
    *, acting_user: User, data: MatterCreateInput, files: Sequence[files_core.Upload] | None = None
) -> Matter:
    """Register a matter in ``draft`` (登记) with a new code ``JB<year>-<number>``.

    A portal user (enterprise, talent) or a service member is its requester; an enterprise
    user's matter concerns their own enterprise. The dispatching unit is the registering
    government unit (or the city for portal demands). Links must be visible to the user.
    ``received_on`` (收文日期, not in the future) is where the clocks count from when the
    draft is first assigned without one. The attachments are read and checked before the
    write transaction opens; a refusal is still reported with the other fields' errors.
    """
    uploads = files_core.read_uploads(files)
    with transaction.atomic():
        return _matter_create(acting_user=acting_user, data=data, uploads=uploads)


def _matter_create(*, acting_user: User, data: MatterCreateInput, uploads: files_core.ReadUploads) -> Matter:
    if not acting_user.has_role(*_CREATOR_CODES) or acting_user.admin_role:
        raise PermissionDenied(_("You may not register matters."))
    errors = Errors()
    name = data.requester_name
    portal = acting_user.has_role(*_PORTAL_ROLE_CODES) and not acting_user.has_role(
        *_CITY_DISPATCHERS, *_UNIT_ROLE_CODES
    )
    links: dict[str, Any] = {}
    for field, cleaner in (
        ("enterprise", lambda: _enterprise(acting_user, data.enterprise)),
        ("project", lambda: _project(acting_user, data.project)),
        ("talent", lambda: _talent(acting_user, data.talent, data.source)),
        ("units", lambda: _clean_units(acting_user, data.lead_unit, data.co_units or [])),
        ("dispatcher_unit", lambda: data.dispatcher_unit and _reachable_unit(
            acting_user, data.dispatcher_unit, "dispatcher_unit")),
        ("instructing_leader", lambda: _judge_origin(acting_user, data.source, data.kind, data.instructing_leader)),
    ):
        try:
            links[field] = cleaner()
        except InvalidInput as exc:
            errors.capture(exc)
    if data.received_on is not None and data.received_on > clocks.today():
        errors.add("received_on", _("The date of receipt must not be in the future."))
    checked: list[files_core.CheckedFile] = []
    try:
        checked = uploads.checked()
    except InvalidInput as exc:
        errors.capture(exc)
    errors.raise_if_any()

    clean_enterprise: Enterprise | None = links["enterprise"]
    # An enterprise user's demand concerns their own enterprise (the only one they can see).
    if acting_user.has_role(Role.ENTERPRISE) and portal and clean_enterprise is None and acting_user.enterprise_id:
        clean_enterprise = acting_user.enterprise
    dispatcher: OrgUnit | None = links["dispatcher_unit"]
    if dispatcher is None:
        dispatcher = _default_dispatcher_unit(acting_user)
    lead, co = links["units"]
    category = data.demand_category.value if data.demand_category is not None else ""
    if lead is None and category:
        # Routing is data (matters.routing): the category's department leads unless the
        # registering staff chose a unit; it is a proposal the dispatcher confirms by assigning.
        lead = route_unit(category)
        if lead is not None and lead in co:
            co = [u for u in co if u != lead]
    requester: User | None = None
    # The talent office raises talent demands for talents: it follows them as their requester.
    if acting_user.has_role(*_PORTAL_ROLE_CODES, Role.SERVICE_MEMBER, Role.TALENT_OFFICE):
        requester = acting_user
        name = name or acting_user.full_name or acting_user.get_username()
    now = timezone.now()
    matter = Matter(
        code=next_matter_code(clocks.today(now).year),
        title=data.title,
        description=data.description,
        source=data.source.value,
        kind=data.kind.value,
        enterprise=clean_enterprise,
        project=links["project"],
        talent=links["talent"],
        demand_category=category,
        requester=requester,
        requester_name=name,
        dispatcher_unit=dispatcher,
        lead_unit=lead,
        received_on=data.received_on,
        instructing_leader=links["instructing_leader"],
        state=State.DRAFT.value,
        created_by=acting_user,
        created_at=now,
        updated_at=now,
    )
    matter.refresh_search_text()
    with files_core.stored_uploads(FILE_AREA) as store:
        matter.save(force_insert=True)
        MatterCoUnit.objects.bulk_create([MatterCoUnit(matter=matter, unit=u) for u in co])
        event = MatterEvent.objects.create(
            matter=matter, action="create", from_state="", to_state=State.DRAFT.value, actor=acting_user,
            lead_unit=lead, at=now,
        )
        stored = _store_files(checked, matter=matter, event=event, acting_user=acting_user, store=store)
        audit_write(
            action="matter.create",
            user=acting_user,
            obj=matter,
            after=snapshot(matter) | {"co_units": [u.code for u in co], "files": [f.original_name for f in stored]},
        )
    return matter


def matter_raise_for_process(
    *, acting_user: User, title: str, description: str, source: MatterSource, kind: MatterKind,
    enterprise: Enterprise | None, dispatcher_unit: OrgUnit | None, lead_unit: OrgUnit | None,
    requester: User | None = None, received_on: dt.date | None = None, handle_deadline: dt.date | None = None,
) -> Matter:
    """Register a draft matter that a process of an app above this one raises (a D-grade firm's
    整改 after a 亩均 evaluation): that app has already judged who may act and resolved the
    enterprise and the units through its own scoped reads, so neither the creator roles nor the
    matter pages' link lookups apply. The dispatcher confirms the lead unit by assigning it, as
    for any draft. Called inside the caller's transaction; audited as ``matter.create``.

    ``requester``: the account the matter is raised for (a firm's portal account: it follows
    and rates it). With ``handle_deadline`` (and a ``lead_unit``) the process's own rule has
    fixed who answers by when (a 亩均 objection: the 经信局, in ``OBJECTION_DAYS`` working
    days), so the matter is also dispatched at once (``assign``, as the acting user): both
    clocks run from ``received_on`` (default today), the escalation scan watches it and the
    lead unit is told, as for any assigned matter."""
    now = timezone.now()
    dispatcher = dispatcher_unit or OrgUnit.objects.filter(
        parent__isnull=True, kind=OrgUnitKind.CITY
    ).order_by("pk").first()
    named = requester or acting_user
    matter = Matter(
        code=next_matter_code(clocks.today(now).year), title=title, description=description, source=source.value,
        kind=kind.value, enterprise=enterprise, requester=requester,
        requester_name=named.full_name or named.get_username(), dispatcher_unit=dispatcher, lead_unit=lead_unit,
        received_on=received_on, state=State.DRAFT.value, created_by=acting_user, created_at=now, updated_at=now,
    )
    matter.refresh_search_text()
    matter.save(force_insert=True)
    MatterEvent.objects.create(
        matter=matter, action="create", from_state="", to_state=State.DRAFT.value, actor=acting_user,
        lead_unit=lead_unit, at=now,
    )
    audit_write(action="matter.create", user=acting_user, obj=matter, after=snapshot(matter) | {"co_units": []})
    if handle_deadline is not None and lead_unit is not None:
        _dispatch_for_process(acting_user, matter, lead_unit, received=received_on or clocks.today(now),
                              deadline=handle_deadline)
    return matter


def _dispatch_for_process(acting_user: User, matter: Matter, lead: OrgUnit, *, received: dt.date,
                          deadline: dt.date) -> None:
    """The ``assign`` row for a process-raised matter whose lead unit and deadline the process
    fixed: the same fields and event as ``matter_assign`` (the sign-for clock from the receipt,
    the handling clock the given date), without the dispatcher relation the caller's rule
    replaces."""
    sign = clocks.sign_clock(current_calendar(), received)
    fields: dict[str, Any] = {
        "lead_unit": lead, "handle_days": None, "received_on": received, "handle_from": received,
        "sign_deadline": sign.deadline, "handle_deadline": deadline, "deadlines_provisional": sign.provisional,
        "assigned_at": timezone.now(), "accepted_at": None, "signed_on_time": False, "reported_at": None,
    }
    _move(acting_user, matter, TABLE[Action.ASSIGN], fields=fields, data={
        "lead_unit": lead.code, "co_units": [], "handle_days": None, "received_on": received,
        "sign_deadline": sign.deadline, "handle_deadline": deadline, "provisional": sign.provisional,
        "process": True,
    })


def matter_close_for_process(*, acting_user: User, matter: Matter, summary: str) -> Matter:
    """Close a process-raised matter whose answer the raising process gave (a 亩均 objection
    upheld or dismissed by the evaluators): through the table's own rows, as ``acting_user``
    in place of the relations the process's rule replaces, each an event and an audit record
    — 签收 (if not yet signed for), 办结反馈 with ``summary`` as its note, 审核办结. Only the
    last step tells anybody (the requester, to rate it, as any closed matter): the others'
    notices would announce work that is already done. A matter that is no longer with its
    unit is left as it is: closed, rated or cancelled already (nothing to do), or returned
    or still a draft (no unit answered it) — then it is cancelled with ``summary`` as the
    reason, since the process answered it. Called inside the caller's transaction; a matter
    moved meanwhile → ``Conflict`` (the caller's whole step rolls back)."""
    matter = Matter.objects.get(pk=matter.pk)
    state = State(matter.state)
    if state in (State.CLOSED, State.RATED, State.CANCELLED):
        return matter
    if state in (State.DRAFT, State.RETURNED):
        _move(acting_user, matter, TABLE[Action.CANCEL], reason=summary, data={"process": True})
        return matter
    now = timezone.now()
    if state == State.ASSIGNED:
        on_time = matter.sign_deadline is None or now < clocks.deadline_end(matter.sign_deadline)
        _move(acting_user, matter, TABLE[Action.ACCEPT], fields={
            "accepted_at": now, "signed_on_time": met_deadline(clocks.today(now), matter.sign_deadline)},
            data={"on_time": on_time, "process": True}, notify=False)
        state = State.ACCEPTED
    if state == State.ACCEPTED:
        on_time = matter.handle_deadline is None or now < clocks.deadline_end(matter.handle_deadline)
        _move(acting_user, matter, TABLE[Action.REPORT], fields={"reported_at": now}, note=summary,
              data={"on_time": on_time, "process": True}, notify=False)
    _move(acting_user, matter, TABLE[Action.APPROVE], fields=_closing(matter, now), data={"process": True})
    return matter


def talent_demand_raise(
    *, acting_user: User, data: TalentDemandInput, files: Sequence[files_core.Upload] | None = None
) -> Matter:
    """提出人才诉求: register a talent demand — source and kind ``talent_demand`` (the 10
    working-day clock), the category's department as its lead unit (matters.routing), the
    talent linked: a talent portal user's own record (they can name no other), or for staff
    and the talent office a talent of their talent scope, which they must name. Then as
    ``matter_create`` (a draft the dispatcher assigns; the clocks, escalation and the rating
    are the matters' own)."""
    if data.talent is None and not _is_talent_portal(acting_user):
        raise InvalidInput.field("talent", _("Choose the talent the demand is for."))
    title = data.title
    if not title:
        label = str(DemandCategory(data.demand_category).label)
        title = f"{label}: {' '.join(data.description.split())[:60]}"[:200]
    create = MatterCreateInput.of(
        title=title,
        source=MatterSource.TALENT_DEMAND.value,
        kind=MatterKind.TALENT_DEMAND.value,
        description=data.description,
        talent=data.talent,
        demand_category=data.demand_category.value,
    )
    return matter_create(acting_user=acting_user, data=create, files=files)


@transaction.atomic
def matter_update(*, acting_user: User, matter: Matter, data: MatterUpdateInput) -> Matter:
    """Change a draft's fields (PATCH semantics: only the fields sent, ``data.given()``).

    By its dispatcher or its requester; only in ``draft`` (else 409). ``data.version``
    (default: the one ``matter`` was read with) guards against lost updates.
    """
    # The dispatcher and the requester: those who may cancel it.
    if not TABLE[Action.CANCEL].may(relations(acting_user, matter)):
        raise PermissionDenied(_("Only the dispatcher or the requester may edit this matter."))
    if matter.state != State.DRAFT.value:
        raise Conflict(_("Only a registered (draft) matter can be edited."))
    expected = matter.version if data.version is None else data.version
    given = data.given() & set(DRAFT_FIELDS)
    errors = Errors()
    values: dict[str, Any] = {}
    for key in ("title", "description", "requester_name"):
        if key in given:
            values[key] = getattr(data, key)
    for key in ("source", "kind"):
        choice = getattr(data, key)
        if key in given and choice is not None:
            values[key] = choice.value
    new_co: list[OrgUnit] | None = None
    if given & {"source", "kind", "instructing_leader"}:
        # The same verdict on the source and kind as at registration, on the values the draft
        # would have; a leader's instruction keeping its source and leader is not judged again.
        source = data.source if "source" in given and data.source is not None else MatterSource(matter.source)
        kind = data.kind if "kind" in given and data.kind is not None else MatterKind(matter.kind)
        leader_ref = data.instructing_leader if "instructing_leader" in given else None
        judge_leader = source.value != matter.source or "instructing_leader" in given
        try:
            leader = _judge_origin(acting_user, source, kind, leader_ref, judge_leader=judge_leader)
            if source != MatterSource.LEADER_INSTRUCTION:
                values["instructing_leader"] = None
            elif judge_leader:
                values["instructing_leader"] = leader
        except InvalidInput as exc:
            errors.capture(exc)
    try:
        if "enterprise" in given:
            values["enterprise"] = _enterprise(acting_user, data.enterprise)
        if "project" in given:
            values["project"] = _project(acting_user, data.project)
        if "lead_unit" in given or "co_units" in given:
            lead, co = _clean_units(
                acting_user,
                data.lead_unit if "lead_unit" in given else None,
                (data.co_units or []) if "co_units" in given else None,
                current_lead=matter.lead_unit,
                current_co=list(matter.co_units.all()),
            )
            if "lead_unit" in given:
                values["lead_unit"] = lead if data.lead_unit is not None else None
            if "co_units" in given:
                new_co = co
    except InvalidInput as exc:
        errors.capture(exc)
    errors.raise_if_any()
    if expected != matter.version:
        raise Conflict(_("This matter was changed by someone else; reload it and try again."))
    before = snapshot(matter)
    old_co = sorted(u.code for u in matter.co_units.all())
    now = timezone.now()
    if "title" in values or "requester_name" in values:
        values["search_text"] = matter_search_text(
            matter.code, values.get("title", matter.title), values.get("requester_name", matter.requester_name)
        )
    changed = Matter.objects.filter(pk=matter.pk, state=State.DRAFT.value, version=expected).update(
        version=expected + 1, updated_at=now, **values
    )
    if changed != 1:
        raise Conflict(_("This matter was changed by someone else; reload it and try again."))
    for key, value in values.items():
        setattr(matter, key, value)
    matter.version, matter.updated_at = expected + 1, now
    if new_co is not None:
        MatterCoUnit.objects.filter(matter=matter).delete()
        MatterCoUnit.objects.bulk_create([MatterCoUnit(matter=matter, unit=u) for u in new_co])
    old, new = diff(before, snapshot(matter))
    new_codes = sorted(u.code for u in new_co) if new_co is not None else old_co
    if new_codes != old_co:
        old["co_units"], new["co_units"] = old_co, new_codes
    audit_write(action="matter.update", user=acting_user, obj=matter, before=old, after=new)
    return matter


# --------------------------------------------------------------------------- the transition machinery


def _begin(acting_user: User, matter: Matter, action: Action) -> Transition:
    """Relation (403), then the table (409), on the matter as the caller read it."""
    row = TABLE[action]
    if not row.may(relations(acting_user, matter)):
        raise PermissionDenied(
            _("You may not take the action “%(action)s” on this matter.") % {"action": row.label}
        )
    state = State(matter.state)
    if state not in row.sources:
        raise Conflict(
            _("A matter in the state “%(state)s” cannot take the action “%(action)s”.")
            % {"state": STATE_LABELS[state], "action": ACTION_LABELS[action]}
        )
    return row


def _lost_race() -> Conflict:
    return Conflict(_("This matter was changed by someone else; reload it and try again."))


def _jsonable(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, OrgUnit):
        return value.code
    return value


def _move(
    acting_user: User | None,
    matter: Matter,
    row: Transition,
    *,
    fields: Mapping[str, object] | None = None,
    reason: str = "",
    note: str = "",
    data: Mapping[str, object] | None = None,
    extra_filter: Mapping[str, object] | None = None,
    notify: bool = True,
) -> MatterEvent:
    """The compare-and-set step shared by every action: one conditional UPDATE on (pk, state,
    version), the event, the audit record; then ``matter`` reflects the stored row.
    ``notify=False``: a process's intermediate step whose work is already done (no notice)."""
    fields = dict(fields or {})
    source = State(matter.state)
    target = row.leads_to(source)
    now = timezone.now()
    before = {"state": source.value, "version": matter.version} | {
        k: _jsonable(getattr(matter, k)) for k in fields
    }
    changed = Matter.objects.filter(
        pk=matter.pk, state=source.value, version=matter.version, **(extra_filter or {})
    ).update(
        # next_check_at=now: the escalation scan looks at the matter again (zhaoyin.matters.scan).
        state=target.value, version=matter.version + 1, updated_at=now, next_check_at=now, **fields
    )
    if changed != 1:
        raise _lost_race()
    if source == State.ACCEPTED and target != State.ACCEPTED:
        # An unanswered extension request lapses when the matter leaves the handling stage.
        ExtensionRequest.objects.filter(matter_id=matter.pk, state=ExtensionState.PENDING).update(
            state=ExtensionState.LAPSED, answered_at=now
        )
    for key, value in fields.items():
        setattr(matter, key, value)
    matter.state, matter.version, matter.updated_at = target.value, matter.version + 1, now
    details = {k: _jsonable(v) for k, v in (data or {}).items()}
    event = MatterEvent.objects.create(
        matter=matter,
        action=row.action.value,
        from_state=source.value,
        to_state=target.value,
        actor=acting_user,
        lead_unit_id=matter.lead_unit_id,
        at=now,
        reason=reason,
        note=note,
        data=details,
    )
    after = {"state": target.value, "version": matter.version} | {
        k: _jsonable(getattr(matter, k)) for k in fields
    }
    if reason:
        after["reason"] = reason
    if note:
        after["note"] = note
    if details:
        after["data"] = details
    audit_write(action=f"matter.{row.action.value}", user=acting_user, obj=matter, before=before, after=after)
    # Whoever the row gives work is told once the step commits (the row's ``notify``).
    if notify:
        handoff.hand_off(table=MATTER_TABLE, row=row, pk=matter.pk, source=source.value, acting_user=acting_user)
    return event


def _with_files(
    uploads: files_core.ReadUploads, body: Callable[[], MatterEvent], *, matter: Matter,
    acting_user: User,
) -> MatterEvent:
    """Run ``body()`` → event, storing the uploads (read before the transaction) with the
    event; remove them on failure."""
    checked = uploads.checked()
    with files_core.stored_uploads(FILE_AREA) as store:
        event: MatterEvent = body()
        _store_files(checked, matter=matter, event=event, acting_user=acting_user, store=store)
    return event


# --------------------------------------------------------------------------- assignment


def _assign(action: Action, *, acting_user: User, matter: Matter, data: AssignInput) -> Matter:
    row = _begin(acting_user, matter, action)
    errors = Errors()
    lead: OrgUnit | None = None
    co: list[OrgUnit] = []
    explicit: dt.date | None = None
    current_co = list(matter.co_units.all())
    try:
        lead, co = _clean_units(
            acting_user, data.lead_unit, data.co_units, current_lead=matter.lead_unit, current_co=current_co
        )
        if lead is None:
            raise InvalidInput.field("lead_unit", _("Choose the lead unit."))
        if data.lead_unit is None and not _may_assign_to(acting_user, lead):
            raise InvalidInput.field("lead_unit", _("You may assign matters only to units within your scope."))
    except InvalidInput as exc:
        errors.capture(exc)
    try:
        explicit = clocks.clean_deadline_date(data.handle_deadline, "handle_deadline")
    except InvalidInput as exc:
        errors.capture(exc)
    days, received, note_text = data.handle_days, data.received_on, data.note
    errors.raise_if_any()
    now = timezone.now()
    today = clocks.today(now)
    # A draft registered with its date of receipt counts from it when first assigned; a
    # returned or reassigned matter counts from the new receipt (today unless given).
    registered = matter.received_on if action == Action.ASSIGN and matter.state == State.DRAFT.value else None
    received = received or registered or today
    if received > today:
        raise InvalidInput.field("received_on", _("The date of receipt must not be in the future."))
    cal = current_calendar()
    sign = clocks.sign_clock(cal, received)
    handling = clocks.handling_clock(cal, start=received, kind=matter.kind, handle_days=days, handle_deadline=explicit)
    if handling.deadline < today:
        raise InvalidInput.field("received_on", _("The handling deadline counted from this date is already past."))
    assert lead is not None
    fields: dict[str, Any] = {
        "lead_unit": lead,
        "handle_days": handling.days,
        "received_on": received,
        "handle_from": received,
        "sign_deadline": sign.deadline,
        "handle_deadline": handling.deadline,
        "deadlines_provisional": sign.provisional or handling.provisional,
        "assigned_at": now,
        "accepted_at": None,
        "signed_on_time": False,
        "reported_at": None,
        "last_progress_on": None,
    }
    if matter.dispatcher_unit_id is None and acting_user.org_unit_id is not None:
        fields["dispatcher_unit_id"] = acting_user.org_unit_id
    _move(
        acting_user,
        matter,
        row,
        fields=fields,
        note=note_text,
        data={
            "lead_unit": lead.code,
            "co_units": [u.code for u in co],
            "handle_days": handling.days,
            "received_on": received,
            "sign_deadline": sign.deadline,
            "handle_deadline": handling.deadline,
            "provisional": sign.provisional or handling.provisional,
        },
    )
    if [u.pk for u in co] != [u.pk for u in current_co]:
        MatterCoUnit.objects.filter(matter=matter).delete()
        MatterCoUnit.objects.bulk_create([MatterCoUnit(matter=matter, unit=u) for u in co])
    return matter


@transaction.atomic
def matter_assign(*, acting_user: User, matter: Matter, data: AssignInput) -> Matter:
    """交办: give a draft (or a returned) matter to a lead unit and co-units; both clocks start.

    The lead unit and co-units default to the draft's; ``handle_days`` overrides the kind's
    handling days; a reform measure needs ``handle_deadline`` (a date, not in the past) or
    ``handle_days``. ``received_on`` (收文日期) defaults to today and counts "from the next day".
    """
    return _assign(Action.ASSIGN, acting_user=acting_user, matter=matter, data=data)


@transaction.atomic
def matter_reassign(*, acting_user: User, matter: Matter, data: ReassignInput) -> Matter:
    """改派: the dispatcher moves a matter a unit holds (assigned or in progress) to another
    lead unit; the clocks start again from the new receipt."""
    return _assign(Action.REASSIGN, acting_user=acting_user, matter=matter, data=data)


# --------------------------------------------------------------------------- the unit's steps


@transaction.atomic
def matter_accept(*, acting_user: User, matter: Matter, data: NoteInput) -> Matter:
    """签收: the lead unit signs for an assigned matter; the handling clock is the one that counts now."""
    row = _begin(acting_user, matter, Action.ACCEPT)
    note_text = data.note
    now = timezone.now()
    on_time = matter.sign_deadline is None or now < clocks.deadline_end(matter.sign_deadline)
    _move(
        acting_user, matter, row,
        fields={"accepted_at": now, "signed_on_time": met_deadline(clocks.today(now), matter.sign_deadline),
                "last_progress_on": clocks.today(now)},
        note=note_text, data={"on_time": on_time},
    )
    return matter


@transaction.atomic
def matter_return(*, acting_user: User, matter: Matter, data: ReturnInput) -> Matter:
    """退回: the lead unit says the matter is not its own; it must say why and name the unit it
    believes responsible. The matter goes back to the dispatcher (to assign again or cancel)."""
    row = _begin(acting_user, matter, Action.RETURN)
    reason_text, note_text = data.reason, data.note
    unit = _unit(data.suggested_unit, "suggested_unit")
    assert unit is not None  # the input requires a code
    if unit.pk == matter.lead_unit_id:
        raise InvalidInput.field("suggested_unit", _("Name another unit than the lead unit."))
    _move(
        acting_user, matter, row, fields={"returned": True}, reason=reason_text, note=note_text,
        data={"suggested_unit": unit.code, "suggested_unit_name": unit.name},
    )
    return matter


def matter_progress(
    *, acting_user: User, matter: Matter, data: ProgressInput, files: Sequence[files_core.Upload] | None = None
) -> Matter:
    """进展反馈: the lead unit or a co-unit records progress (a note, optionally files) while
    the matter is in progress. The state stays. The files are read and checked before the
    write transaction opens (a refusal is reported after the transition's own checks)."""
    uploads = files_core.read_uploads(files)
    with transaction.atomic():
        row = _begin(acting_user, matter, Action.PROGRESS)
        note_text = data.note
        _with_files(
            uploads,
            lambda: _move(acting_user, matter, row, note=note_text, fields={"last_progress_on": clocks.today()}),
            matter=matter, acting_user=acting_user,
        )
    return matter


@transaction.atomic
def matter_request_extension(
    *,
    acting_user: User,
    matter: Matter,
    data: ExtensionRequestInput,
) -> ExtensionRequest:
    """延期申请: the lead unit asks for a later handling deadline — ``days`` more working days or
    a ``requested_deadline`` date — with a reason, before the deadline has passed. One request
    may be pending at a time; the dispatcher answers it."""
    row = _begin(acting_user, matter, Action.REQUEST_EXTENSION)
    now = timezone.now()
    current = matter.handle_deadline
    if current is None or clocks.is_past(current, now):
        raise InvalidInput.field(
            "handle_deadline", _("The handling deadline has passed: an extension must be requested before it.")
        )
    errors = Errors()
    reason_text = data.reason
    wanted: dt.date | None = None
    try:
        given_days = data.days
        given_date = clocks.clean_deadline_date(data.requested_deadline, "requested_deadline", now=now)
        if given_days is not None:
            wanted = clocks.add_workdays(current_calendar(), current, given_days, "days").deadline
        else:
            wanted = given_date
        assert wanted is not None
        if wanted <= current:
            raise InvalidInput.field("requested_deadline", _("The requested deadline must be after the current one."))
    except InvalidInput as exc:
        errors.capture(exc)
    errors.raise_if_any()
    assert wanted is not None
    if pending_extension(matter) is not None:
        raise Conflict(_("An extension request is already waiting for an answer."))
    request = ExtensionRequest(
        matter=matter, requested_by=acting_user, requested_at=now, current_deadline=current,
        requested_deadline=wanted, reason=reason_text,
    )
    _move(
        acting_user, matter, row, reason=reason_text,
        data={"requested_deadline": wanted, "current_deadline": current},
    )
    request.save(force_insert=True)
    return request


@transaction.atomic
def matter_answer_extension(
    *, acting_user: User, matter: Matter, data: AnswerExtensionInput
) -> ExtensionRequest:
    """延期审批: the dispatcher approves or refuses the pending extension request; approval
    moves the handling deadline to the requested date."""
    row = _begin(acting_user, matter, Action.ANSWER_EXTENSION)
    approve, note_text = data.approve, data.note
    request = pending_extension(matter)
    if request is None:
        raise Conflict(_("There is no extension request waiting for an answer."))
    now = timezone.now()
    answered = ExtensionRequest.objects.filter(pk=request.pk, state=ExtensionState.PENDING).update(
        state=ExtensionState.APPROVED if approve else ExtensionState.REFUSED,
        answered_by=acting_user,
        answered_at=now,
        answer_note=note_text,
    )
    if answered != 1:
        raise _lost_race()
    fields: dict[str, Any] = {}
    if approve:
        # An approved date is a decision, not a count: it is not recomputed later.
        fields = {"handle_deadline": request.requested_deadline, "handle_days": None, "deadlines_provisional": False}
    _move(
        acting_user, matter, row, fields=fields, note=note_text,
        data={"request": request.pk, "approved": approve, "requested_deadline": request.requested_deadline},
    )
    request.refresh_from_db()
    return request


def matter_report(
    *, acting_user: User, matter: Matter, data: ReportInput, files: Sequence[files_core.Upload] | None = None
) -> Matter:
    """办结反馈: the lead unit reports the result (a summary, optionally files) for review.
    Only the lead unit reports: a co-unit may not report for it (403). The files are read
    and checked before the write transaction opens (as in ``matter_progress``)."""
    uploads = files_core.read_uploads(files)
    with transaction.atomic():
        row = _begin(acting_user, matter, Action.REPORT)
        summary_text = data.summary
        now = timezone.now()
        on_time = matter.handle_deadline is None or now < clocks.deadline_end(matter.handle_deadline)
        _with_files(
            uploads,
            lambda: _move(
                acting_user, matter, row, fields={"reported_at": now}, note=summary_text, data={"on_time": on_time}
            ),
            matter=matter,
            acting_user=acting_user,
        )
    return matter


# --------------------------------------------------------------------------- the dispatcher's review


@transaction.atomic
def matter_approve(*, acting_user: User, matter: Matter, data: NoteInput) -> Matter:
    """审核办结: the dispatcher accepts the report; the matter is closed (办结, 销号)."""
    row = _begin(acting_user, matter, Action.APPROVE)
    note_text = data.note
    _move(acting_user, matter, row, fields=_closing(matter, timezone.now()), note=note_text)
    return matter


def _closing(matter: Matter, now: dt.datetime) -> dict[str, Any]:
    """The fields a closing writes: when, and the KPI facts (按期办结, working days taken)."""
    day = clocks.today(now)
    return {
        "closed_at": now,
        "closed_on_time": met_deadline(day, matter.handle_deadline),
        "workdays_to_close": workdays_taken(current_calendar(), matter.received_on, day),
    }


def _new_handling_clock(matter: Matter, *, handle_days: int | None, handle_deadline: dt.date | None) -> dict[str, Any]:
    """A new handling clock from today: an explicit date, else ``handle_days``, else as many
    working days as the previous clock had (the kind's default when unknown)."""
    days = handle_days
    explicit = clocks.clean_deadline_date(handle_deadline, "handle_deadline")
    cal = current_calendar()
    today = clocks.today()
    if days is None and explicit is None:
        days = matter.handle_days
        if days is None and matter.handle_from is not None and matter.handle_deadline is not None:
            days = max(1, cal.workdays_between(matter.handle_from, matter.handle_deadline))
    handling = clocks.handling_clock(cal, start=today, kind=matter.kind, handle_days=days, handle_deadline=explicit)
    return {
        "handle_from": today,
        "last_progress_on": today,
        "handle_days": handling.days,
        "handle_deadline": handling.deadline,
        "deadlines_provisional": handling.provisional,
        "reported_at": None,
        "closed_at": None,
        "closed_on_time": False,
        "workdays_to_close": None,
    }


@transaction.atomic
def matter_reject(*, acting_user: User, matter: Matter, data: NewClockInput) -> Matter:
    """退办: the dispatcher sends a report back for rework with a reason and a new handling
    deadline (a date not in the past, a number of working days, or by default as many
    working days as before, counted from today)."""
    row = _begin(acting_user, matter, Action.REJECT)
    reason_text = data.reason
    fields = _new_handling_clock(matter, handle_days=data.handle_days, handle_deadline=data.handle_deadline)
    _move(
        acting_user, matter, row, fields=fields, reason=reason_text,
        data={"handle_deadline": fields["handle_deadline"], "handle_days": fields["handle_days"]},
    )
    return matter


def _reopen(acting_user: User, matter: Matter, *, reason: str, handle_days: int | None,
            handle_deadline: dt.date | None, cause: str) -> None:
    row = TABLE[Action.REOPEN]
    fields = _new_handling_clock(matter, handle_days=handle_days, handle_deadline=handle_deadline)
    _move(
        acting_user, matter, row, fields=fields, reason=reason,
        data={"handle_deadline": fields["handle_deadline"], "handle_days": fields["handle_days"], "cause": cause},
    )


@transaction.atomic
def matter_rate(*, acting_user: User, matter: Matter, data: RateInput) -> Matter:
    """回访评价: once the dispatcher has approved the report (closed), the requester — or the
    dispatcher on its behalf — rates it 满意 / 基本满意 / 不满意 (issue 15). 不满意 needs a
    reason (the input) and goes to the dispatcher for 核实 (``dispute``, a second event) before
    any rework. An internal task (reform measure, meeting decision) is rated by the dispatcher
    alone, as an assessment (考核) stored in ``assessment``: it never counts in the 满意率."""
    row = _begin(acting_user, matter, Action.RATE)
    value, comment_text = data.rating.value, data.comment
    internal = origins.is_internal(matter.source)
    if internal and Relation.DISPATCHER not in relations(acting_user, matter):
        raise PermissionDenied(_("An internal task is assessed by its dispatcher."))
    on_behalf = matter.requester_id != acting_user.pk
    column = "assessment" if internal else "rating"
    _move(
        acting_user, matter, row, fields={column: value}, note=comment_text,
        data={"rating": value, "on_behalf": on_behalf, "kind": "assessment" if internal else "satisfaction"},
    )
    if value == Rating.DISSATISFIED:
        _move(acting_user, matter, TABLE[Action.DISPUTE], reason=comment_text, data={"rating": value})
    return matter


@transaction.atomic
def matter_confirm_dispute(*, acting_user: User, matter: Matter, data: NewClockInput) -> Matter:
    """核实属实: the dispatcher finds the 不满意 well-founded; the lead unit reworks the matter
    (重办) with a reason and a new handling clock from today (by default as many working days
    as before). The rating stays until the matter is rated again."""
    row = _begin(acting_user, matter, Action.CONFIRM_DISPUTE)
    fields = _new_handling_clock(matter, handle_days=data.handle_days, handle_deadline=data.handle_deadline)
    _move(
        acting_user, matter, row, fields=fields, reason=data.reason,
        data={"handle_deadline": fields["handle_deadline"], "handle_days": fields["handle_days"],
              "cause": "dissatisfied"},
    )
    return matter


@transaction.atomic
def matter_dismiss_dispute(*, acting_user: User, matter: Matter, data: ReasonInput) -> Matter:
    """核实不属实: the dispatcher finds the 不满意 unfounded (the demand was met, or was not the
    platform's to meet) and says why; the matter stays rated and the 不满意 stays on record —
    the 满意率 counts the requester's verdict, not the verification's."""
    row = _begin(acting_user, matter, Action.DISMISS_DISPUTE)
    _move(acting_user, matter, row, reason=data.reason)
    return matter


@transaction.atomic
def matter_reopen(*, acting_user: User, matter: Matter, data: NewClockInput) -> Matter:
    """重办: the dispatcher reopens a closed or rated matter (a new instruction, a complaint)
    with a reason and a new handling clock from today."""
    _begin(acting_user, matter, Action.REOPEN)
    _reopen(acting_user, matter, reason=data.reason, handle_days=data.handle_days,
            handle_deadline=data.handle_deadline, cause="dispatcher")
    return matter


@transaction.atomic
def matter_cancel(*, acting_user: User, matter: Matter, data: ReasonInput) -> Matter:
    """撤销: the dispatcher (or the requester withdrawing a demand) cancels a matter that is not
    finished, with a reason."""
    row = _begin(acting_user, matter, Action.CANCEL)
    _move(acting_user, matter, row, reason=data.reason)
    return matter


# --------------------------------------------------------------------------- listed supervision


@transaction.atomic
def matter_list(*, acting_user: User, matter: Matter, data: ListInput) -> Matter:
    """挂牌督办: a city leader, or the supervision office on a leader's behalf, lists an
    unfinished matter for top-level supervision with the supervising leader (a city leader)
    and a 限期 (a date not in the past); a numbered 督办单 is issued with it (its document is
    rendered on download, outside this transaction)."""
    row = _begin(acting_user, matter, Action.LIST)
    errors = Errors()
    leader: User | None = None
    deadline: dt.date | None = None
    try:
        leader = _supervising_leader(data.leader)
    except InvalidInput as exc:
        errors.capture(exc)
    try:
        deadline = clocks.clean_deadline_date(data.deadline, "deadline")
    except InvalidInput as exc:
        errors.capture(exc)
    errors.raise_if_any()
    assert leader is not None
    assert deadline is not None
    note_text = data.note
    if matter.listed:
        raise Conflict(_("This matter is already listed for supervision."))
    order = _issue_order(
        acting_user, matter, kind=SupervisionOrderKind.LISTED, requirement=note_text, deadline=deadline,
        leader=leader,
    )
    event = _move(
        acting_user, matter, row, note=note_text,
        fields={
            "listed": True, "listed_at": timezone.now(), "listed_by": acting_user, "listed_leader": leader,
            "listed_deadline": deadline,
        },
        data={"leader": leader.get_username(), "leader_name": leader.full_name or leader.get_username(),
              "deadline": deadline, "order": order.doc_number},
        extra_filter={"listed": False},
    )
    SupervisionOrder.objects.filter(pk=order.pk).update(event=event)
    return matter


@transaction.atomic
def matter_unlist(*, acting_user: User, matter: Matter, data: NoteInput) -> Matter:
    """摘牌: a city leader ends the listed supervision of a matter."""
    row = _begin(acting_user, matter, Action.UNLIST)
    note_text = data.note
    if not matter.listed:
        raise Conflict(_("This matter is not listed for supervision."))
    _move(
        acting_user, matter, row, note=note_text,
        fields={"listed": False, "listed_at": None, "listed_by": None, "listed_leader": None, "listed_deadline": None},
        extra_filter={"listed": True},
    )
    return matter


# --------------------------------------------------------------------------- the leader's 批示 (issue 15)


@transaction.atomic
def matter_instruct(*, acting_user: User, matter: Matter, data: InstructInput) -> MatterInstruction:
    """批示: a leader's instruction on any matter not cancelled — the text, the leader, the day
    (not in the future; default today). A leader writes their own; the supervision office records
    one on a leader's behalf and names the leader. The state stays; the step is on the timeline
    (``instruct``), the lead unit is told, and the month's 通报 lists it."""
    row = _begin(acting_user, matter, Action.INSTRUCT)
    if not may_instruct(acting_user):
        raise PermissionDenied(
            _("You may not take the action “%(action)s” on this matter.") % {"action": row.label}
        )
    errors = Errors()
    leader: User | None = None
    if acting_user.has_role(Role.LEADER):
        if data.leader is not None and data.leader != acting_user.get_username():
            errors.add("leader", _("A leader records only their own instruction."))
        leader = acting_user
    elif data.leader is None:
        errors.add("leader", _("Name the leader whose instruction this is."))
    else:
        try:
            leader = _leader(data.leader, "leader")
        except InvalidInput as exc:
            errors.capture(exc)
    day = data.instructed_on or clocks.today()
    if day > clocks.today():
        errors.add("instructed_on", _("The day of the instruction must not be in the future."))
    errors.raise_if_any()
    assert leader is not None
    event = _move(
        acting_user, matter, row, note=data.text,
        data={"leader": leader.get_username(), "leader_name": leader.full_name or leader.get_username(),
              "instructed_on": day, "on_behalf": leader.pk != acting_user.pk},
    )
    return MatterInstruction.objects.create(
        matter=matter, leader=leader, text=data.text, instructed_on=day, recorded_by=acting_user,
        recorded_at=event.at, event=event,
    )


#: One service per action (for the API's ``/actions/{action}`` and the pages).
ACTION_SERVICES: dict[Action, Any] = {
    Action.ASSIGN: matter_assign,
    Action.REASSIGN: matter_reassign,
    Action.ACCEPT: matter_accept,
    Action.RETURN: matter_return,
    Action.PROGRESS: matter_progress,
    Action.REQUEST_EXTENSION: matter_request_extension,
    Action.ANSWER_EXTENSION: matter_answer_extension,
    Action.REPORT: matter_report,
    Action.APPROVE: matter_approve,
    Action.REJECT: matter_reject,
    Action.RATE: matter_rate,
    Action.REOPEN: matter_reopen,
    Action.CANCEL: matter_cancel,
    Action.LIST: matter_list,
    Action.UNLIST: matter_unlist,
    Action.INSTRUCT: matter_instruct,
    Action.CONFIRM_DISPUTE: matter_confirm_dispute,
    Action.DISMISS_DISPUTE: matter_dismiss_dispute,
}

__all__ = [
    "ACTION_SERVICES",
    "matter_accept",
    "matter_answer_extension",
    "matter_approve",
    "matter_assign",
    "matter_cancel",
    "matter_confirm_dispute",
    "matter_create",
    "matter_dismiss_dispute",
    "matter_instruct",
    "matter_list",
    "matter_progress",
    "matter_rate",
    "matter_reassign",
    "matter_reject",
    "matter_reopen",
    "matter_report",
    "matter_request_extension",
    "matter_return",
    "matter_unlist",
    "matter_update",
    "talent_demand_raise",
]


# --------------------------------------------------------------------------- 督查室 powers (issue 15 item 4)
# 催办 / 督办 by hand and the 督办单: one notice per clock level shared with the escalation
# ladder (MatterNotice's key), a numbered order per 督办 and 挂牌.


def _supervising_leader(username: str) -> User:
    """The active city leader of ``username`` (leaders see the whole city: any is in scope);
    an unknown name and a user without the role get the same words."""
    found = (
        User.objects.filter(
            username=username, is_active=True, admin_role="", role_assignments__role=Role.LEADER.value
        )
        .distinct()
        .first()
    )
    if found is None:
        raise InvalidInput.field("leader", _("Unknown city leader."))
    return found


def next_order_number(year: int) -> int:
    """The next 督办单 number of ``year``: one UPDATE on the year's counter row, whose lock is
    held until the issuing transaction ends, so two orders never share a number."""
    SupervisionOrderSequence.objects.get_or_create(year=year)
    SupervisionOrderSequence.objects.filter(year=year).update(last=F("last") + 1)
    return int(SupervisionOrderSequence.objects.filter(year=year).values_list("last", flat=True).get())


def _issue_order(
    acting_user: User, matter: Matter, *, kind: SupervisionOrderKind, requirement: str, deadline: dt.date | None,
    leader: User | None = None,
) -> SupervisionOrder:
    """Number and store a 督办单 (inside the action's transaction; no document is made here)."""
    now = timezone.now()
    year = clocks.today(now).year
    return SupervisionOrder.objects.create(
        matter=matter, kind=kind.value, year=year, number=next_order_number(year), issued_at=now,
        issued_by=acting_user, lead_unit_id=matter.lead_unit_id, requirement=requirement, deadline=deadline,
        leader=leader,
    )


def _manual_notice(acting_user: User, matter: Matter, kind: NoticeKind, note: str) -> bool:
    """Issue the ``kind`` notice of the matter's running clock by hand, unless the ladder (or
    an earlier hand) already issued it for the same clock and deadline: the notice's unique
    key decides, as for concurrent scans. True when this call issued it (and told the lead
    unit's people in charge and, for 督办, the supervision office)."""
    import secrets

    from zhaoyin.core.bulk import insert_values
    from zhaoyin.matters import scan
    from zhaoyin.notifications.services import NewNotification, notify_many

    clock = scan.open_clock(matter)
    now = timezone.now()
    today = clocks.today(now)
    clock_code, deadline = (clock.kind.value, clock.deadline) if clock is not None else ("", today)
    recipients = scan.Recipients()
    people = scan.notice_recipients(
        matter, kind.value, recipients.units([matter.lead_unit_id] if matter.lead_unit_id else []).get(
            matter.lead_unit_id or 0, []), recipients.city(),
    )
    token = secrets.token_hex(16)
    insert_values(
        MatterNotice, (*scan.NOTICE_COLUMNS, "issued_by_id", "note"),
        [[matter.pk, kind.value, clock_code, deadline, today, now, matter.lead_unit_id,
          [u.get_username() for u in people], token, acting_user.pk, note]],
        ignore_conflicts_on=scan.NOTICE_KEY,
    )
    if not MatterNotice.objects.filter(scan_token=token, matter_id=matter.pk).exists():
        return False
    title, _body = scan.notice_texts(kind.value, clock_code, deadline, matter)
    body = _("The supervision office urges %(unit)s to act on matter %(code)s (deadline %(deadline)s): %(note)s") % {
        "unit": matter.lead_unit.name if matter.lead_unit else "", "code": matter.code,
        "deadline": deadline.isoformat(), "note": note,
    }
    link = scan.matter_link(matter.pk)
    notify_many(items=[
        NewNotification(recipient=user, kind=f"matter.{kind.value}", title=title, body=body, link=link,
                        object_type="matters.matter", object_id=str(matter.pk))
        for user in people
    ], now=now)
    return True


@transaction.atomic
def matter_urge(*, acting_user: User, matter: Matter, data: UrgeInput) -> Matter:
    """催办 by hand: the supervision office urges the lead unit of a matter whose clock runs,
    with a note. Recorded on the timeline and audited every time; the 催办 notice goes out once
    per clock level (a 催办 the ladder already sent for this deadline is not sent again, and
    the ladder sends none after this one)."""
    row = _begin(acting_user, matter, Action.URGE)
    sent = _manual_notice(acting_user, matter, NoticeKind.URGE, data.note)
    _move(acting_user, matter, row, note=data.note, data={"notice_sent": sent})
    return matter


@transaction.atomic
def matter_supervise(*, acting_user: User, matter: Matter, data: SuperviseInput) -> Matter:
    """督办 by hand: as 催办, with the 督办 notice (the supervision office is told too) and a
    numbered 督办单 whose 限期 is ``deadline`` (default: the running clock's deadline)."""
    row = _begin(acting_user, matter, Action.SUPERVISE)
    deadline = clocks.clean_deadline_date(data.deadline, "deadline")
    if deadline is None:
        deadline = matter.sign_deadline if matter.state == State.ASSIGNED.value else matter.handle_deadline
    order = _issue_order(acting_user, matter, kind=SupervisionOrderKind.SUPERVISE, requirement=data.note,
                         deadline=deadline)
    sent = _manual_notice(acting_user, matter, NoticeKind.SUPERVISE, data.note)
    event = _move(acting_user, matter, row, note=data.note,
                  data={"notice_sent": sent, "order": order.doc_number, "deadline": deadline})
    SupervisionOrder.objects.filter(pk=order.pk).update(event=event)
    return matter


ACTION_SERVICES[Action.URGE] = matter_urge
ACTION_SERVICES[Action.SUPERVISE] = matter_supervise
__all__ += ["matter_supervise", "matter_urge", "next_order_number"]
