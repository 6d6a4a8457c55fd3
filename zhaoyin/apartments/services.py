"""人才公寓: the only writers of buildings, units, applications and tenancies.

Every change of an application's or a tenancy's state is one row of ``apartments.flow``'s
tables, looked up here (``transition_for``): a change the table does not list is refused
(409), whoever asks. Each service locks the rows it changes, compares the version the caller
read (409 when stale), writes, audits in the same transaction and tells whoever the row
notifies once it commits (``notifications.handoff``).

Answers, as on the other machines: bad input → ``InvalidInput`` (422) naming the field,
nothing written; a state that does not allow the step, a stale version, a unit that is not
free, a talent who already holds a unit → ``Conflict`` (409) naming what; a role or a scope
that may not take the step → ``PermissionDenied`` (403, audited); a reference (a unit, a
talent, an org unit) outside the caller's scope reads as unknown (422 on its field).

"A unit never has two active tenancies, a talent never holds two units" is the database's
(``apt_tenancy_unit_once``, ``apt_tenancy_talent_once``, and ``apt_application_unit_once``
for allocations awaiting their contract): the services check first for a clear message and
turn the constraint's IntegrityError (a lost race) into the same 409. On SQLite, which has no
row locks, the conditional UPDATE of the unit (``state = 'available'``) is the arbiter.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.apartments import flow
from zhaoyin.apartments.flow import (
    APPLICATION_TABLE,
    REVIEWERS,
    SUBMIT,
    TENANCY_TABLE,
    ApplicationAction,
    TenancyAction,
)
from zhaoyin.apartments.inputs import (
    AllocateWaitlistInput,
    ApartmentActionInput,
    ApartmentApplicationInput,
    ApartmentBuildingInput,
    MaintenanceInput,
    UnitInput,
)
from zhaoyin.apartments.models import (
    APPLICATION_TYPE,
    BUILDING_TYPE,
    OPEN_APPLICATION_STATES,
    TENANCY_TYPE,
    UNIT_TYPE,
    ApartmentUnit,
    Application,
    ApplicationFile,
    ApplicationState,
    Building,
    RentReduction,
    Tenancy,
    TenancyRenewal,
    TenancyState,
    UnitState,
)
from zhaoyin.apartments.notices import tell_allocated
from zhaoyin.audit.services import audit_denied, audit_write, audit_write_many, diff, snapshot
from zhaoyin.core import files as files_core
from zhaoyin.core.errors import Conflict, Errors, InvalidInput
from zhaoyin.core.roles import TALENT_CITY_ROLES, UNIT_ROLES, Role
from zhaoyin.core.transitions import Transition
from zhaoyin.notifications import handoff
from zhaoyin.talents.models import Talent, TalentStatus
from zhaoyin.talents.selectors import own_talent, talent_list_visible_to

#: Where application documents are stored (``core.files``).
FILE_AREA = "apartment_files"
#: Roles that create and change buildings and units (within their subtree).
BUILDING_EDITORS: frozenset[str] = flow.HOUSING
#: Contract terms the platform accepts (a longer one is a typing error).
MAX_TERM_YEARS = 10


# ---- who may do what ------------------------------------------------------------------------


def _roles(user: User) -> set[str]:
    if not user.is_authenticated or user.admin_role:
        return set()
    return {r.value for r in Role if user.has_role(r)}


def _in_subtree(user: User, unit: OrgUnit) -> bool:
    return user.org_unit is not None and unit.path.startswith(user.org_unit.path)


def may_manage_building(user: User, building: Building) -> bool:
    """Whether ``user`` changes ``building`` and its units and lets them: the talent office and
    city admins anywhere, unit admins and staff in their subtree."""
    roles = _roles(user)
    if roles & REVIEWERS:
        return True
    return bool(roles & {r.value for r in UNIT_ROLES}) and _in_subtree(user, building.org_unit)


def _may_apply_for(user: User, talent: Talent) -> bool:
    roles = _roles(user)
    if Role.TALENT.value in roles and talent.account_id == user.pk:
        return True
    if not roles & flow.HOUSING:
        return False
    return talent_list_visible_to(user).filter(pk=talent.pk).exists()


def may_take(user: User, row: Transition[Any, Any], *, talent: Talent, building: Building | None) -> bool:
    """Whether ``user``'s roles and scope allow ``row`` on a record of ``talent`` (on a unit of
    ``building``, when it has one): the reviewers anywhere; the talent on their own record;
    unit roles on the units of their buildings (an allocation: checked on the unit chosen)."""
    roles = _roles(user) & set(row.actors)
    if not roles:
        return False
    if roles & REVIEWERS:
        return True
    if Role.TALENT.value in roles and talent.account_id == user.pk:
        return True
    unit_roles = roles & {r.value for r in UNIT_ROLES}
    if not unit_roles:
        return False
    if building is None:
        # A waitlisted application: a unit role that manages buildings may allocate from it
        # (the unit it picks is checked); anyone else may not.
        return user.org_unit is not None and Building.objects.filter(
            org_unit__path__startswith=user.org_unit.path
        ).exists()
    return _in_subtree(user, building.org_unit)


def application_actions_for(user: User, application: Application) -> list[Transition[Any, Any]]:
    """The buttons ``user`` gets on ``application``: the table's rows from its state that the
    roles and scope allow (the tenancy's when it is contracted)."""
    building = application.unit.building if application.unit_id and application.unit else None
    rows = [
        r for r in APPLICATION_TABLE.manual_rows_from(application.state)
        if may_take(user, r, talent=application.talent, building=building)
    ]
    tenancy = getattr(application, "tenancy", None) if application.state == ApplicationState.CONTRACTED else None
    if tenancy is not None:
        rows += tenancy_actions_for(user, tenancy)
    return rows


def tenancy_actions_for(user: User, tenancy: Tenancy) -> list[Transition[Any, Any]]:
    return [
        r for r in TENANCY_TABLE.manual_rows_from(tenancy.state)
        if may_take(user, r, talent=tenancy.talent, building=tenancy.unit.building)
    ]


def _deny(user: User, action: str, target: str, message: str) -> PermissionDenied:
    # Audited outside the write's transaction, which would roll the record back.
    audit_denied(user=user, action=action, target=target)
    return PermissionDenied(message)


# ---- references ----------------------------------------------------------------------------


def _org_unit_in_scope(user: User, code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None or not (_roles(user) & REVIEWERS or _in_subtree(user, unit)):
        raise InvalidInput.field("org_unit", _("No such org unit in your scope."))
    return unit


def unit_label(unit: ApartmentUnit) -> str:
    """How a message names a unit: building and number."""
    return f"{unit.building.name} {unit.number}"


def _unit_not_free(unit: ApartmentUnit) -> Conflict:
    return Conflict(
        _("Unit %(unit)s is %(state)s: only an available unit can be allocated.")
        % {"unit": unit_label(unit), "state": unit.get_state_display()}
    )


def _holds_unit(talent: Talent, tenancy: Tenancy | None = None) -> Conflict:
    if tenancy is not None:
        return Conflict(
            _("%(name)s already holds unit %(unit)s (tenancy until %(end)s); a talent holds one unit at a time.")
            % {"name": talent.name, "unit": unit_label(tenancy.unit), "end": tenancy.end.isoformat()}
        )
    return Conflict(_("%(name)s already holds a unit; a talent holds one unit at a time.") % {"name": talent.name})


def _active_tenancy(talent_id: int) -> Tenancy | None:
    return Tenancy.objects.filter(talent_id=talent_id, state=TenancyState.ACTIVE).select_related(
        "unit__building"
    ).first()


# ---- buildings and units -------------------------------------------------------------------


def _check_building_role(user: User, action: str) -> None:
    if not _roles(user) & BUILDING_EDITORS:
        raise _deny(user, f"{action}_denied", "apartments", _("You may not manage apartment buildings."))


def building_create(*, acting_user: User, data: ApartmentBuildingInput) -> Building:
    """Register a building under an org unit of the caller's scope. A name already used →
    422 on ``name``. Audited as "apartment.building_create"."""
    _check_building_role(acting_user, "apartment.building_create")
    return _building_create(acting_user=acting_user, data=data)


@transaction.atomic
def _building_create(*, acting_user: User, data: ApartmentBuildingInput) -> Building:
    unit = _org_unit_in_scope(acting_user, data.org_unit)
    if Building.objects.filter(name=data.name).exists():
        raise InvalidInput.field("name", _("A building of this name is already registered."))
    building = Building.objects.create(name=data.name, address=data.address, org_unit=unit, operator=data.operator)
    audit_write(action="apartment.building_create", user=acting_user, obj=building, object_type=BUILDING_TYPE,
                after=snapshot(building))
    return building


def building_update(*, acting_user: User, building: Building, data: ApartmentBuildingInput) -> Building:
    """Change a building's name, address, org unit and operator (compare-and-set on version)."""
    if not may_manage_building(acting_user, building):
        raise _deny(acting_user, "apartment.building_update_denied", f"building {building.pk}",
                    _("You may not change this building."))
    return _building_update(acting_user=acting_user, building=building, data=data)


@transaction.atomic
def _building_update(*, acting_user: User, building: Building, data: ApartmentBuildingInput) -> Building:
    current = Building.objects.select_for_update().get(pk=building.pk)
    if data.version is not None and data.version != current.version:
        raise Conflict(_("Someone else changed this building meanwhile; reload it and try again."))
    unit = _org_unit_in_scope(acting_user, data.org_unit)
    if Building.objects.filter(name=data.name).exclude(pk=current.pk).exists():
        raise InvalidInput.field("name", _("A building of this name is already registered."))
    before = snapshot(current)
    Building.objects.filter(pk=current.pk, version=current.version).update(
        name=data.name, address=data.address, org_unit=unit, operator=data.operator, version=F("version") + 1
    )
    current.refresh_from_db()
    old, new = diff(before, snapshot(current))
    audit_write(action="apartment.building_update", user=acting_user, obj=current, object_type=BUILDING_TYPE,
                before=old, after=new)
    return current


def unit_create(*, acting_user: User, building: Building, data: UnitInput) -> ApartmentUnit:
    """Add a unit to ``building`` (available). A number already in the building → 422 on
    ``number``."""
    if not may_manage_building(acting_user, building):
        raise _deny(acting_user, "apartment.unit_create_denied", f"building {building.pk}",
                    _("You may not change this building."))
    return _unit_create(acting_user=acting_user, building=building, data=data)


@transaction.atomic
def _unit_create(*, acting_user: User, building: Building, data: UnitInput) -> ApartmentUnit:
    if ApartmentUnit.objects.filter(building=building, number=data.number).exists():
        raise InvalidInput.field("number", _("This building already has a unit with this number."))
    unit = ApartmentUnit.objects.create(
        building=building, number=data.number, layout=data.layout, area_m2=data.area_m2,
        monthly_rent=data.monthly_rent, state=UnitState.AVAILABLE,
    )
    audit_write(action="apartment.unit_create", user=acting_user, obj=unit, object_type=UNIT_TYPE,
                after=snapshot(unit))
    return unit


def units_create(*, acting_user: User, building: Building, data: Sequence[UnitInput]) -> list[ApartmentUnit]:
    """Add many units to ``building`` at once (a new building's flats, all available), in the
    given order: what ``unit_create`` does for each, in one write. All or nothing: a number
    already in the building, or given twice → 422 on ``number`` naming them. Each unit audited
    as "apartment.unit_create"."""
    if not may_manage_building(acting_user, building):
        raise _deny(acting_user, "apartment.unit_create_denied", f"building {building.pk}",
                    _("You may not change this building."))
    return _units_create(acting_user=acting_user, building=building, data=data)


@transaction.atomic
def _units_create(*, acting_user: User, building: Building, data: Sequence[UnitInput]) -> list[ApartmentUnit]:
    numbers = [d.number for d in data]
    taken = set(ApartmentUnit.objects.filter(building=building, number__in=numbers).values_list("number", flat=True))
    twice = sorted(taken | {n for n in numbers if numbers.count(n) > 1})
    if twice:
        message = _("These unit numbers are already in the building or given twice: %(numbers)s.")
        raise InvalidInput.field("number", message % {"numbers": ", ".join(twice)})
    units = ApartmentUnit.objects.bulk_create([
        ApartmentUnit(building=building, number=d.number, layout=d.layout, area_m2=d.area_m2,
                      monthly_rent=d.monthly_rent, state=UnitState.AVAILABLE)
        for d in data
    ])
    audit_write_many(user=acting_user, entries=[
        {"action": "apartment.unit_create", "obj": unit, "object_type": UNIT_TYPE, "after": snapshot(unit)}
        for unit in units
    ])
    return units


def unit_update(*, acting_user: User, unit: ApartmentUnit, data: UnitInput) -> ApartmentUnit:
    """Change a unit's layout, area and rent (the number stays; a signed rent stays on its
    contract). Compare-and-set on version."""
    if not may_manage_building(acting_user, unit.building):
        raise _deny(acting_user, "apartment.unit_update_denied", f"unit {unit.pk}", _("You may not change this unit."))
    return _unit_update(acting_user=acting_user, unit=unit, data=data)


@transaction.atomic
def _unit_update(*, acting_user: User, unit: ApartmentUnit, data: UnitInput) -> ApartmentUnit:
    current = ApartmentUnit.objects.select_for_update().select_related("building").get(pk=unit.pk)
    if data.version is not None and data.version != current.version:
        raise Conflict(_("Someone else changed this unit meanwhile; reload it and try again."))
    if data.number != current.number:
        raise InvalidInput.field("number", _("A unit's number does not change; register a new unit instead."))
    before = snapshot(current)
    ApartmentUnit.objects.filter(pk=current.pk, version=current.version).update(
        layout=data.layout, area_m2=data.area_m2, monthly_rent=data.monthly_rent, version=F("version") + 1
    )
    current.refresh_from_db()
    old, new = diff(before, snapshot(current))
    audit_write(action="apartment.unit_update", user=acting_user, obj=current, object_type=UNIT_TYPE,
                before=old, after=new)
    return current


def unit_set_maintenance(*, acting_user: User, unit: ApartmentUnit, data: MaintenanceInput) -> ApartmentUnit:
    """Take an available unit out of use for maintenance, or put it back (available). A unit
    that is let or reserved → 409 naming it."""
    if not may_manage_building(acting_user, unit.building):
        raise _deny(acting_user, "apartment.unit_maintenance_denied", f"unit {unit.pk}",
                    _("You may not change this unit."))
    return _unit_set_maintenance(acting_user=acting_user, unit=unit, data=data)


@transaction.atomic
def _unit_set_maintenance(*, acting_user: User, unit: ApartmentUnit, data: MaintenanceInput) -> ApartmentUnit:
    current = ApartmentUnit.objects.select_for_update().select_related("building").get(pk=unit.pk)
    if data.version is not None and data.version != current.version:
        raise Conflict(_("Someone else changed this unit meanwhile; reload it and try again."))
    source, target = (UnitState.AVAILABLE, UnitState.MAINTENANCE) if data.on else (
        UnitState.MAINTENANCE, UnitState.AVAILABLE)
    if current.state != source:
        raise Conflict(
            _("Unit %(unit)s is %(state)s; only an available unit goes into maintenance, and only a unit under "
              "maintenance comes back.") % {"unit": unit_label(current), "state": current.get_state_display()}
        )
    if ApartmentUnit.objects.filter(pk=current.pk, state=source).update(state=target, version=F("version") + 1) != 1:
        raise _unit_not_free(current)
    current.refresh_from_db()
    audit_write(action="apartment.unit_maintenance", user=acting_user, obj=current, object_type=UNIT_TYPE,
                before={"state": source.value}, after={"state": target.value})
    return current


# ---- applications --------------------------------------------------------------------------


def application_submit(
    *, acting_user: User, data: ApartmentApplicationInput, uploads: files_core.ReadUploads | None = None
) -> Application:
    """Apply for an apartment: the portal user for themself (no ``talent``, or their own id),
    staff for a talent of their scope. An unknown or out-of-scope talent → 422 on ``talent``;
    a talent who left → 422; a talent with an application on its way or holding a unit → 409.
    ``uploads`` were read and checked before (``core.files.read_uploads``): a refused file →
    422 on ``files``. Audited as "apartment.apply"; the talent office is told."""
    roles = _roles(acting_user)
    if not roles & flow.APPLICANTS:
        raise _deny(acting_user, "apartment.apply_denied", "apartments", _("You may not apply for an apartment."))
    talent = _applicant(acting_user, data.talent)
    if not _may_apply_for(acting_user, talent):
        raise InvalidInput.field("talent", _("No such talent in your scope."))
    checked = (uploads or files_core.ReadUploads()).checked()
    return _submit(acting_user=acting_user, talent=talent, data=data, checked=checked)


def _applicant(user: User, talent_id: int | None) -> Talent:
    if talent_id is None:
        own = own_talent(user)
        if own is None:
            raise InvalidInput.field("talent", _("Choose the talent who applies."))
        return own
    talent = talent_list_visible_to(user).filter(pk=talent_id).first()
    if talent is None:
        raise InvalidInput.field("talent", _("No such talent in your scope."))
    return talent


@transaction.atomic
def _submit(
    *, acting_user: User, talent: Talent, data: ApartmentApplicationInput, checked: Sequence[files_core.CheckedFile]
) -> Application:
    locked = Talent.objects.select_for_update().get(pk=talent.pk)
    if locked.status == TalentStatus.DEPARTED:
        raise InvalidInput.field("talent", _("%(name)s has left the city.") % {"name": locked.name})
    if Application.objects.filter(talent=locked, state__in=OPEN_APPLICATION_STATES).exists():
        raise Conflict(_("%(name)s already has an apartment application on its way.") % {"name": locked.name})
    tenancy = _active_tenancy(locked.pk)
    if tenancy is not None:
        raise _holds_unit(locked, tenancy)
    application = Application(
        talent=locked, preferred_layout=data.preferred_layout.value if data.preferred_layout else "",
        reason=data.reason, state=ApplicationState.SUBMITTED, submitted_by=acting_user, submitted_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            application.save(force_insert=True)
    except IntegrityError:
        raise Conflict(
            _("%(name)s already has an apartment application on its way.") % {"name": locked.name}
        ) from None
    with files_core.stored_uploads(FILE_AREA) as store:
        for item in checked:
            ApplicationFile.objects.create(application=application, uploaded_by=acting_user, **store.write(item))
        audit_write(action="apartment.apply", user=acting_user, obj=application, object_type=APPLICATION_TYPE,
                    after={**snapshot(application), "files": len(checked)})
    handoff.hand_off(table=APPLICATION_TABLE, row=SUBMIT, pk=application.pk, source="", acting_user=acting_user)
    return application


def application_transition(
    *, acting_user: User, application: Application, action: str, data: ApartmentActionInput
) -> Application:
    """Take ``action`` on ``application`` (or, for ``renew`` / ``checkout``, on its tenancy) as
    the tables allow, and return the application as it now is. See the module docstring for
    the answers; what each action needs is in ``ApartmentActionInput``."""
    if action in flow.TENANCY_ACTIONS:
        tenancy = Tenancy.objects.filter(application=application).select_related(
            "talent", "unit__building__org_unit").first()
        if tenancy is None:
            raise Conflict(_("This application has no contract yet."))
        tenancy_transition(acting_user=acting_user, tenancy=tenancy, action=action, data=data)
        application.refresh_from_db()
        return application
    row = APPLICATION_TABLE.get(action)
    if row is None or not row.manual:
        raise InvalidInput.field(
            "action", _("Choose one of: %(values)s.") % {"values": ", ".join(flow.API_ACTIONS)}
        )
    building = application.unit.building if application.unit_id and application.unit else None
    if not may_take(acting_user, row, talent=application.talent, building=building):
        raise _deny(acting_user, f"apartment.{action}_denied", f"application {application.pk}",
                    _("You may not do this to this application."))
    unit = _chosen_unit(acting_user, data.unit) if row.has(flow.NEEDS_UNIT) and data.unit is not None else None
    result = _transition(acting_user=acting_user, application=application, row=row, data=data, unit=unit)
    application.refresh_from_db()
    return result


def _chosen_unit(user: User, unit_id: int) -> ApartmentUnit:
    """The unit an allocation names: unknown or out of scope → 422 on ``unit``; a unit of a
    building the user may read but not let → 403."""
    from zhaoyin.apartments.selectors import unit_list_visible_to

    unit = unit_list_visible_to(user).select_related("building__org_unit").filter(pk=unit_id).first()
    if unit is None:
        raise InvalidInput.field("unit", _("No such unit in your scope."))
    if not may_manage_building(user, unit.building):
        raise _deny(user, "apartment.allocate_denied", f"unit {unit.pk}", _("You may not let units of this building."))
    return unit


def _stale(kind: str) -> Conflict:
    return Conflict(_("Someone else changed this %(kind)s meanwhile; reload it and try again.") % {"kind": kind})


def _not_allowed(action: str, state_label: Any) -> Conflict:
    return Conflict(
        _("“%(action)s” is not allowed on an application whose state is “%(state)s”.")
        % {"action": flow.label_of(action), "state": state_label}
    )


@transaction.atomic
def _transition(
    *, acting_user: User, application: Application, row: Transition[Any, Any], data: ApartmentActionInput,
    unit: ApartmentUnit | None,
) -> Application:
    current = Application.objects.select_for_update().select_related("talent").get(pk=application.pk)
    if data.version is not None and data.version != current.version:
        raise _stale(_("application"))
    if APPLICATION_TABLE.transition_for(row.action, current.state) is None:
        raise _not_allowed(row.action, current.get_state_display())
    errors = Errors()
    if row.needs_reason and not data.reason:
        errors.add("reason", _("A reason is required."))
    if row.has(flow.NEEDS_UNIT) and unit is None:
        errors.add("unit", _("Choose a unit."))
    if row.has(flow.NEEDS_TERM):
        _check_term(errors, data.start, data.end)
    errors.raise_if_any()

    before = snapshot(current)
    source = current.state
    now = timezone.now()
    changes: dict[str, Any] = {"state": row.target, "version": current.version + 1}
    tenancy: Tenancy | None = None
    if row.action == ApplicationAction.REVIEW:
        changes.update(reviewed_by=acting_user, reviewed_at=now, review_note=data.note or data.reason)
    elif row.action == ApplicationAction.REJECT:
        changes.update(reviewed_by=acting_user, reviewed_at=now, decision_reason=data.reason)
    elif row.action == ApplicationAction.ALLOCATE:
        assert unit is not None
        _reserve(current, unit)
        changes.update(unit=unit, allocated_by=acting_user, allocated_at=now)
    elif row.action in (ApplicationAction.RELEASE, ApplicationAction.WITHDRAW):
        if current.unit_id is not None and current.state == ApplicationState.ALLOCATED:
            ApartmentUnit.objects.filter(pk=current.unit_id, state=UnitState.RESERVED).update(
                state=UnitState.AVAILABLE, version=F("version") + 1
            )
        changes.update(unit=None, allocated_at=None, allocated_by=None, decision_reason=data.reason)
    elif row.action == ApplicationAction.CONTRACT:
        tenancy = _sign(acting_user, current, data)
    updated = Application.objects.filter(pk=current.pk, version=current.version, state=current.state).update(
        **changes
    )
    if updated != 1:
        raise _stale(_("application"))
    current.refresh_from_db()
    old, new = diff(before, snapshot(current))
    audit_write(action=f"apartment.{row.action}", user=acting_user, obj=current, object_type=APPLICATION_TYPE,
                before=old, after=new)
    if tenancy is not None:
        audit_write(action="apartment.contract_sign", user=acting_user, obj=tenancy, object_type=TENANCY_TYPE,
                    after=snapshot(tenancy))
    handoff.hand_off(table=APPLICATION_TABLE, row=row, pk=current.pk, source=source, acting_user=acting_user)
    return current


def _reserve(application: Application, unit: ApartmentUnit) -> None:
    """Lock ``unit`` and reserve it for ``application``; 409 when it is not available or the
    talent already holds a unit. The conditional UPDATE decides a race (SQLite has no row
    locks); the partial unique index on allocations is the last word."""
    locked = ApartmentUnit.objects.select_for_update().select_related("building").get(pk=unit.pk)
    if locked.state != UnitState.AVAILABLE:
        raise _unit_not_free(locked)
    tenancy = _active_tenancy(application.talent_id)
    if tenancy is not None:
        raise _holds_unit(application.talent, tenancy)
    if ApartmentUnit.objects.filter(pk=locked.pk, state=UnitState.AVAILABLE).update(
        state=UnitState.RESERVED, version=F("version") + 1
    ) != 1:
        raise _unit_not_free(locked)


def _check_term(errors: Errors, start: dt.date | None, end: dt.date | None) -> None:
    if start is None:
        errors.add("start", _("This field is required."))
    if end is None:
        errors.add("end", _("This field is required."))
    if start is not None and end is not None:
        if end <= start:
            errors.add("end", _("The contract must end after it starts."))
        elif end > start + dt.timedelta(days=366 * MAX_TERM_YEARS):
            errors.add("end", _("A contract runs at most %(n)d years.") % {"n": MAX_TERM_YEARS})


def reduction_for(tier: str) -> Decimal:
    """The rent reduction (percent) of ``tier`` from the ``RentReduction`` table (0 if none)."""
    found = RentReduction.objects.filter(tier=tier or "").first()
    return found.percent if found is not None else Decimal("0")


def payable(rent: Decimal, percent: Decimal) -> Decimal:
    """The rent after the reduction, to the fen."""
    return (rent * (Decimal(100) - percent) / Decimal(100)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _sign(user: User, application: Application, data: ApartmentActionInput) -> Tenancy:
    """The tenancy of a contracted application; the unit becomes occupied."""
    assert data.start is not None
    assert data.end is not None
    assert application.unit_id is not None
    unit = ApartmentUnit.objects.select_for_update().select_related("building").get(pk=application.unit_id)
    if unit.state != UnitState.RESERVED:
        raise _unit_not_free(unit)
    talent = application.talent
    tenancy_now = _active_tenancy(talent.pk)
    if tenancy_now is not None:
        raise _holds_unit(talent, tenancy_now)
    percent = reduction_for(talent.tier)
    tenancy = Tenancy(
        unit=unit, talent=talent, application=application, start=data.start, end=data.end,
        monthly_rent=unit.monthly_rent, reduction_percent=percent, rent_payable=payable(unit.monthly_rent, percent),
        deposit=data.deposit if data.deposit is not None else Decimal("0"), tier_at_signing=talent.tier,
        state=TenancyState.ACTIVE, signed_by=user, signed_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            tenancy.save(force_insert=True)
    except IntegrityError:
        raise _holds_unit(talent) from None
    ApartmentUnit.objects.filter(pk=unit.pk, state=UnitState.RESERVED).update(
        state=UnitState.OCCUPIED, version=F("version") + 1
    )
    return tenancy


# ---- tenancies -----------------------------------------------------------------------------


def tenancy_transition(*, acting_user: User, tenancy: Tenancy, action: str, data: ApartmentActionInput) -> Tenancy:
    """Renew (a new end after the current one) or check out (reason, day, inspection) a
    tenancy, as ``TENANCY_TABLE`` allows. Audited as "apartment.<action>"."""
    row = TENANCY_TABLE.get(action)
    if row is None:
        raise InvalidInput.field("action", _("Choose one of: %(values)s.") % {"values": ", ".join(flow.API_ACTIONS)})
    if not may_take(acting_user, row, talent=tenancy.talent, building=tenancy.unit.building):
        raise _deny(acting_user, f"apartment.{action}_denied", f"tenancy {tenancy.pk}",
                    _("You may not do this to this tenancy."))
    result = _tenancy_transition(acting_user=acting_user, tenancy=tenancy, row=row, data=data)
    tenancy.refresh_from_db()
    return result


@transaction.atomic
def _tenancy_transition(
    *, acting_user: User, tenancy: Tenancy, row: Transition[Any, Any], data: ApartmentActionInput
) -> Tenancy:
    current = Tenancy.objects.select_for_update().select_related("unit__building", "talent").get(pk=tenancy.pk)
    if data.version is not None and data.version != current.version:
        raise _stale(_("tenancy"))
    if TENANCY_TABLE.transition_for(row.action, current.state) is None:
        raise Conflict(
            _("“%(action)s” is not allowed on a tenancy whose state is “%(state)s”.")
            % {"action": flow.label_of(row.action), "state": current.get_state_display()}
        )
    today = timezone.localdate()
    errors = Errors()
    if row.has(flow.NEEDS_END):
        if data.end is None:
            errors.add("end", _("This field is required."))
        elif data.end <= current.end:
            errors.add("end", _("The new end must be after the current end (%(end)s).") % {
                "end": current.end.isoformat()})
    ended_on = data.ended_on or today
    if row.has(flow.NEEDS_CHECKOUT):
        if data.end_reason is None:
            errors.add("end_reason", _("This field is required."))
        if ended_on > today:
            errors.add("ended_on", _("The check-out day cannot be in the future."))
        elif ended_on < current.start:
            errors.add("ended_on", _("The check-out day cannot be before the contract starts."))
    errors.raise_if_any()

    before = snapshot(current)
    source = current.state
    changes: dict[str, Any] = {"version": current.version + 1}
    if row.action == TenancyAction.RENEW:
        assert data.end is not None
        TenancyRenewal.objects.create(tenancy=current, previous_end=current.end, new_end=data.end, note=data.note,
                                      renewed_by=acting_user)
        changes["end"] = data.end
    else:
        assert data.end_reason is not None
        changes.update(state=TenancyState.ENDED, end_reason=data.end_reason.value, ended_on=ended_on,
                       inspection_note=data.inspection_note)
    if Tenancy.objects.filter(pk=current.pk, version=current.version, state=current.state).update(**changes) != 1:
        raise _stale(_("tenancy"))
    if row.action == TenancyAction.CHECKOUT:
        ApartmentUnit.objects.filter(pk=current.unit_id, state=UnitState.OCCUPIED).update(
            state=UnitState.AVAILABLE, version=F("version") + 1
        )
        _close_application(acting_user, current)
    current.refresh_from_db()
    old, new = diff(before, snapshot(current))
    audit_write(action=f"apartment.{row.action}", user=acting_user, obj=current, object_type=TENANCY_TYPE,
                before=old, after=new)
    handoff.hand_off(table=TENANCY_TABLE, row=row, pk=current.pk, source=source, acting_user=acting_user)
    return current


def _close_application(user: User, tenancy: Tenancy) -> None:
    """The application of a checked-out tenancy ends (the table's SYSTEM row ``close``)."""
    if tenancy.application_id is None:
        return
    row = APPLICATION_TABLE.transition_for(ApplicationAction.CLOSE, ApplicationState.CONTRACTED)
    assert row is not None
    assert row.target is not None
    if Application.objects.filter(pk=tenancy.application_id, state=ApplicationState.CONTRACTED).update(
        state=row.target, version=F("version") + 1
    ):
        audit_write(action="apartment.close", user=user, object_type=APPLICATION_TYPE,
                    object_id=tenancy.application_id, after={"state": row.target})


# ---- the waitlist --------------------------------------------------------------------------


def unit_allocate_next(*, acting_user: User, unit: ApartmentUnit) -> Application:
    """Allocate ``unit`` to the first application on the waitlist that fits it (its preferred
    layout is the unit's or any; the talent holds no unit). A unit that is not available →
    409 naming it; nobody fitting → 409."""
    from zhaoyin.apartments.selectors import waitlist

    if not may_manage_building(acting_user, unit.building):
        raise _deny(acting_user, "apartment.allocate_denied", f"unit {unit.pk}",
                    _("You may not let units of this building."))
    if unit.state != UnitState.AVAILABLE:
        raise _unit_not_free(unit)
    candidates = waitlist(Application.objects.select_related("talent")).filter(
        Q(preferred_layout="") | Q(preferred_layout=unit.layout)
    ).exclude(talent__tenancies__state=TenancyState.ACTIVE)
    first = candidates.first()
    if first is None:
        raise Conflict(_("Nobody on the waitlist fits unit %(unit)s.") % {"unit": unit_label(unit)})
    row = APPLICATION_TABLE.by_action[ApplicationAction.ALLOCATE]
    data = ApartmentActionInput.of(unit=unit.pk)
    result = _transition(acting_user=acting_user, application=first, row=row, data=data, unit=unit)
    return result


@dataclass(frozen=True)
class WaitlistResult:
    """What a bulk allocation did: how many allocations, and the units and applications left."""

    allocated: int
    free_units_left: int
    waiting_left: int


#: Allocations per transaction of the bulk allocation (a short lock each; at province scale
#: thousands in a few seconds).
CHUNK = 250


def allocate_waitlist(*, acting_user: User, data: AllocateWaitlistInput) -> WaitlistResult:
    """Allocate the waitlist to the free units of the caller's buildings (or of one), in the
    waitlist's order: each application gets the first free unit of its preferred layout (any
    when none), in building and number order. Chunks of ``CHUNK`` allocations, each one short
    transaction that locks its units and applications and re-checks them (a unit taken or an
    application changed meanwhile is skipped, never allocated twice). Audited per allocation
    (``audit_write_many``); each talent is told after the commit."""
    from zhaoyin.apartments.selectors import building_list_visible_to, waitlist

    roles = _roles(acting_user)
    if not roles & flow.HOUSING:
        raise _deny(acting_user, "apartment.allocate_waitlist_denied", "apartments",
                    _("You may not let apartments."))
    buildings = building_list_visible_to(acting_user)
    if not roles & REVIEWERS:
        buildings = buildings.filter(org_unit__path__startswith=acting_user.org_unit.path if acting_user.org_unit
                                     else "-")
    if data.building is not None:
        buildings = buildings.filter(pk=data.building)
        if not buildings.exists():
            raise InvalidInput.field("building", _("No such building in your scope."))
    free = list(
        ApartmentUnit.objects.filter(building__in=buildings, state=UnitState.AVAILABLE)
        .order_by("building__name", "number", "id").values_list("pk", "layout")
    )
    queue = list(
        waitlist(Application.objects.all()).exclude(talent__tenancies__state=TenancyState.ACTIVE)
        .values_list("pk", "preferred_layout", "talent_id")
    )
    pairs = _plan(free, queue, data.limit)
    done = 0
    for start in range(0, len(pairs), CHUNK):
        done += _allocate_chunk(acting_user, pairs[start : start + CHUNK])
    return WaitlistResult(allocated=done, free_units_left=len(free) - done, waiting_left=len(queue) - done)


def _plan(
    free: Sequence[tuple[int, str]], queue: Iterable[tuple[int, str, int]], limit: int | None
) -> list[tuple[int, int]]:
    """(application, unit) pairs: each application in order takes the first free unit of its
    layout (any layout when it has no preference)."""
    by_layout: dict[str, list[int]] = {}
    for pk, layout in free:
        by_layout.setdefault(layout, []).append(pk)
    order = {pk: i for i, (pk, _layout) in enumerate(free)}
    cursors = {layout: 0 for layout in by_layout}
    taken: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for app_pk, layout, _talent in queue:
        if limit is not None and len(pairs) >= limit:
            break
        pick: int | None = None
        if layout:
            units = by_layout.get(layout, [])
            while cursors.get(layout, 0) < len(units) and units[cursors[layout]] in taken:
                cursors[layout] += 1
            if cursors.get(layout, 0) < len(units):
                pick = units[cursors[layout]]
        else:
            heads = []
            for lay, units in by_layout.items():
                while cursors[lay] < len(units) and units[cursors[lay]] in taken:
                    cursors[lay] += 1
                if cursors[lay] < len(units):
                    heads.append(units[cursors[lay]])
            pick = min(heads, key=order.__getitem__) if heads else None
        if pick is not None:
            taken.add(pick)
            pairs.append((app_pk, pick))
    return pairs


@transaction.atomic
def _allocate_chunk(user: User, pairs: Sequence[tuple[int, int]]) -> int:
    from zhaoyin.core.bulk import update_rows

    app_ids = [a for a, _u in pairs]
    unit_ids = [u for _a, u in pairs]
    apps = {
        a.pk: a for a in Application.objects.select_for_update().filter(pk__in=app_ids,
                                                                         state=ApplicationState.WAITLISTED)
    }
    units = set(
        ApartmentUnit.objects.select_for_update().filter(pk__in=unit_ids, state=UnitState.AVAILABLE)
        .values_list("pk", flat=True)
    )
    holders = set(
        Tenancy.objects.filter(talent_id__in=[a.talent_id for a in apps.values()], state=TenancyState.ACTIVE)
        .values_list("talent_id", flat=True)
    )
    good = [(a, u) for a, u in pairs if a in apps and u in units and apps[a].talent_id not in holders]
    if not good:
        return 0
    now = timezone.now()
    reserved = ApartmentUnit.objects.filter(pk__in=[u for _a, u in good], state=UnitState.AVAILABLE).update(
        state=UnitState.RESERVED, version=F("version") + 1
    )
    if reserved != len(good):
        # Without row locks (SQLite) a unit went between the read and the update: start over.
        raise Conflict(_("Units changed during the allocation; run it again."))
    update_rows(
        Application,
        ["state", "unit_id", "allocated_at", "allocated_by_id", "version"],
        [
            [ApplicationState.ALLOCATED.value, u, now, user.pk, apps[a].version + 1, a]
            for a, u in good
        ],
    )
    audit_write_many(
        user=user,
        entries=[
            {"action": "apartment.allocate", "object_type": APPLICATION_TYPE, "object_id": a,
             "before": {"state": ApplicationState.WAITLISTED.value},
             "after": {"state": ApplicationState.ALLOCATED.value, "unit": u, "version": apps[a].version + 1},
             "detail": json.dumps({"bulk": True})}
            for a, u in good
        ],
    )
    # One notice per talent, written together once the chunk commits (the row's ``notify``).
    transaction.on_commit(partial(tell_allocated, [a for a, _u in good], user.pk), robust=True)
    return len(good)


def may_allocate_waitlist(user: User) -> bool:
    """Whether ``user`` may run the bulk allocation (the button)."""
    return bool(_roles(user) & flow.HOUSING) and (
        bool(_roles(user) & {r.value for r in TALENT_CITY_ROLES} & REVIEWERS)
        or (user.org_unit is not None and Building.objects.filter(org_unit__path__startswith=user.org_unit.path)
            .exists())
    )
