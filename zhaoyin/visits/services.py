"""Writes of 百家企业行: visits (with the demands they raise), group membership, which group
serves which enterprise (DESIGN 3.6).

Each service is keyword-only, takes the acting user, checks everything before it writes
(``InvalidInput`` naming the field, nothing changed), runs in one transaction and writes its
audit record in it. A visit's demands become matters through ``matters.services.matter_create``
(``draft``, source ``visit``), inside the visit's transaction: a bad demand writes no visit.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind, ServiceGroupMembership, User
from zhaoyin.audit.services import audit_write, snapshot
from zhaoyin.core import files as files_core
from zhaoyin.core.errors import Errors, InvalidInput
from zhaoyin.core.listparams import positive_int
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.matters import services as matter_services
from zhaoyin.matters.inputs import MatterCreateInput
from zhaoyin.visits import selectors
from zhaoyin.visits.inputs import (
    NOT_YOURS,
    GroupAssignInput,
    GroupAssignManyInput,
    MemberAddInput,
    MemberInput,
    MembersAddInput,
    VisitCreateInput,
)
from zhaoyin.visits.models import Visit, VisitDemand, VisitFile

#: Where visit photos and documents are stored, below DATA_DIR.
FILE_AREA = "visit_files"


def visit_file_path(stored_name: str) -> Path:
    return files_core.stored_path(FILE_AREA, stored_name)


def _participants(names: list[str], enterprise: Enterprise, acting_user: User, errors: Errors) -> list[User]:
    """The named members of the enterprise's group; the recorder always takes part."""
    if not names:
        return [acting_user]
    members = {
        m.user.username.lower(): m.user
        for m in ServiceGroupMembership.objects.filter(group_id=enterprise.service_group_id, user__is_active=True)
        .select_related("user")
    }
    unknown = [n for n in names if n.lower() not in members]
    if unknown:
        errors.add(
            "participants",
            _("Not members of the enterprise's service group: %(names)s.") % {"names": ", ".join(unknown)},
        )
        return [acting_user]
    chosen = {acting_user.pk: acting_user}
    for n in names:
        chosen.setdefault(members[n.lower()].pk, members[n.lower()])
    return list(chosen.values())


def visit_create(
    *, acting_user: User, data: VisitCreateInput, files: Sequence[files_core.Upload] | None = None
) -> Visit:
    """Record a visit of the acting member's group to ``data.enterprise`` and turn each demand
    into a ``draft`` matter with source ``visit`` linked to the enterprise.

    Only a service member may record a visit, and only to an enterprise assigned to one of
    their groups (``selectors.enterprises_for_visits``); any other enterprise (or one that
    does not exist) is refused on ``enterprise`` with the same message, so the answer reveals
    nothing. The visit's group is the enterprise's group now. ``participants`` are usernames
    of that group's members (the recorder always takes part). All checks run first: a bad
    participant or file writes nothing, neither the visit nor any matter. The files are read
    and checked before the write transaction opens (their refusal is still reported with the
    other fields').
    """
    if not acting_user.has_role(Role.SERVICE_MEMBER) or acting_user.admin_role:
        raise PermissionDenied(_("Only members of a service group record visits."))
    uploads = files_core.read_uploads(files)
    with transaction.atomic():
        return _visit_create(acting_user=acting_user, data=data, uploads=uploads)


def _visit_create(*, acting_user: User, data: VisitCreateInput, uploads: files_core.ReadUploads) -> Visit:
    errors = Errors()
    ent = selectors.enterprises_for_visits(acting_user).filter(pk=data.enterprise).first()
    if ent is None:
        errors.add("enterprise", NOT_YOURS)
    people = _participants(data.participants, ent, acting_user, errors) if ent is not None else [acting_user]
    checked: list[files_core.CheckedFile] = []
    try:
        checked = uploads.checked()
    except InvalidInput as exc:
        errors.capture(exc)
    errors.raise_if_any()
    assert ent is not None
    group = ent.service_group
    assert group is not None  # enterprises_for_visits only offers assigned enterprises
    visit = Visit.objects.create(
        enterprise=ent,
        group=group,
        visited_on=data.date,
        other_participants=data.other_participants,
        enterprise_contact=data.enterprise_contact,
        notes=data.notes,
        created_by=acting_user,
    )
    visit.participants.set(people)
    matters = []
    for index, demand in enumerate(data.demands):
        try:
            matter = matter_services.matter_create(
                acting_user=acting_user,
                data=MatterCreateInput.of(
                    title=demand.title,
                    source="visit",
                    kind=demand.kind.value,
                    description=demand.description,
                    enterprise=ent.pk,
                ),
            )
        except InvalidInput as exc:
            # The demand passed our checks; a refusal of the matters' own rules still names
            # the demand's field (and rolls the whole visit back).
            raise InvalidInput(
                exc.detail, [{**e, "field": f"demands[{index}].{e['field']}"} for e in exc.errors]
            ) from None
        VisitDemand.objects.create(visit=visit, matter=matter)
        matters.append(matter)
    with files_core.stored_uploads(FILE_AREA) as store:
        stored = [
            VisitFile.objects.create(visit=visit, uploaded_by=acting_user, **store.write(item))
            for item in checked
        ]
        audit_write(
            action="visit.create",
            user=acting_user,
            obj=visit,
            object_repr=f"{ent.name} {visit.visited_on.isoformat()}",
            after=snapshot(visit)
            | {
                "participants": sorted(u.username for u in people),
                "demands": [m.code for m in matters],
                "files": [f.original_name for f in stored],
            },
        )
    return visit


def visit_file_open(*, acting_user: User, file: VisitFile) -> BinaryIO:
    """Open a visit's photo or document for ``acting_user`` and audit the read
    ("visit.file.download"). ``file`` comes from ``selectors.visit_file_get_for_user``."""
    visit = file.visit
    return files_core.open_attachment(
        file, area=FILE_AREA, acting_user=acting_user, action="visit.file.download",
        owner_repr=f"{visit.enterprise.name} {visit.visited_on.isoformat()}", owner={"visit": visit.pk},
    )


# --------------------------------------------------------------------------- groups


def _require_manager(acting_user: User) -> None:
    if not acting_user.has_role(*selectors.MANAGER_ROLES) or acting_user.admin_role:
        raise PermissionDenied(_("Only the city administration manages service groups."))


def _service_group(group: OrgUnit) -> OrgUnit:
    """``group`` (resolved by the caller) if it is an active service group."""
    if group.kind != OrgUnitKind.SERVICE_GROUP or not group.is_active:
        raise InvalidInput.field("group", _("Unknown service group."))
    return group


def _group_by_code(code: str) -> OrgUnit:
    """An active service group by its code (the managers see every group)."""
    found = OrgUnit.objects.filter(code=code, kind=OrgUnitKind.SERVICE_GROUP, is_active=True).first()
    if found is None:
        raise InvalidInput.field("group", _("Unknown service group."))
    return found


def service_member(value: User | str) -> User:
    """An active account holding the service_member role, by username (or the account)."""
    if isinstance(value, User):
        user: User | None = value
    else:
        name = value.strip()
        if not name:
            raise InvalidInput.field("user", _("Enter a username."))
        user = User.objects.filter(username__iexact=name).first()
    if user is None or not user.is_active:
        raise InvalidInput.field("user", _("No active account with this username."))
    if not user.has_role(Role.SERVICE_MEMBER) or user.admin_role:
        raise InvalidInput.field(
            "user", _("This account does not hold the service group member role; grant the role first.")
        )
    return user


def _membership(group: OrgUnit, username: str) -> ServiceGroupMembership:
    """The membership of ``username`` in ``group``; one who is not a member is refused on ``user``."""
    membership = (
        ServiceGroupMembership.objects.filter(group=group, user__username__iexact=username)
        .select_related("user", "group")
        .first()
    )
    if membership is None:
        raise InvalidInput.field("user", _("This account is not a member of the group."))
    return membership


def _audit_leader(
    action: str, acting_user: User | None, membership: ServiceGroupMembership, before: str | None, after: str | None
) -> None:
    """The audit record of a change of the group's leader (组长): who led it before and after."""
    code = membership.group.code
    audit_write(
        action=action,
        user=acting_user,
        obj=membership,
        object_repr=f"{code} {membership.user.username}",
        before={"group": code, "leader": before},
        after={"group": code, "leader": after},
    )


@transaction.atomic
def membership_add(*, acting_user: User, group: OrgUnit, data: MemberAddInput) -> ServiceGroupMembership:
    """Add a service member to ``group`` (resolved by the caller through its selector),
    optionally as its leader (组长; a group has one leader, so the previous one becomes an
    ordinary member). The account must already hold the service_member role; a member already
    in the group is refused on ``user``."""
    _require_manager(acting_user)
    clean_group = _service_group(group)
    account = service_member(data.user)
    if ServiceGroupMembership.objects.filter(group=clean_group, user=account).exists():
        raise InvalidInput.field("user", _("This account is already a member of the group."))
    if data.is_leader:
        ServiceGroupMembership.objects.filter(group=clean_group, is_leader=True).update(is_leader=False)
    membership = ServiceGroupMembership.objects.create(group=clean_group, user=account, is_leader=data.is_leader)
    audit_write(
        action="service_group.member_add",
        user=acting_user,
        obj=membership,
        object_repr=f"{clean_group.code} {account.username}",
        after={"group": clean_group.code, "user": account.username, "is_leader": data.is_leader},
    )
    return membership


@transaction.atomic
def memberships_add(*, acting_user: User, group: OrgUnit, data: MembersAddInput) -> list[ServiceGroupMembership]:
    """Add several service members to ``group`` at once (the page's chips), each as
    ``membership_add`` adds one, in one transaction: one refused account (unknown, without the
    role, already a member) adds none, and the error on ``user`` names that account."""
    if data.is_leader and len(data.user) > 1:
        raise InvalidInput.field("is_leader", _("Only one account can be made the group leader: add one at a time."))
    added = []
    for name in data.user:
        try:
            added.append(
                membership_add(
                    acting_user=acting_user, group=group, data=MemberAddInput.of(user=name, is_leader=data.is_leader)
                )
            )
        except InvalidInput as exc:
            raise _naming(exc, "user", name) from exc
    return added


@transaction.atomic
def enterprises_assign_group(*, acting_user: User, data: GroupAssignManyInput) -> list[Enterprise]:
    """Assign several enterprises to one group (the page's chips), each as
    ``enterprise_assign_group`` assigns one, in one transaction: one refused enterprise
    (unknown) assigns none, and the error on ``enterprise`` names it."""
    out = []
    for ref in data.enterprise:
        try:
            one = GroupAssignInput.of(enterprise=ref, group=data.group)
            out.append(enterprise_assign_group(acting_user=acting_user, data=one))
        except InvalidInput as exc:
            raise _naming(exc, "enterprise", ref) from exc
    return out


def _naming(exc: InvalidInput, field: str, value: str) -> InvalidInput:
    """``exc`` with each message on ``field`` prefixed by the entry it is about (「value」：…)."""
    errors = [
        {**e, "message": f"「{value}」：{e.get('message', '')}"} if e.get("field") == field else e for e in exc.errors
    ]
    return InvalidInput(exc.detail, errors)


@transaction.atomic
def membership_set_leader(*, acting_user: User | None, group: OrgUnit, data: MemberInput) -> ServiceGroupMembership:
    """Make a member the group's leader (组长); the previous leader stays an ordinary member.
    ``acting_user`` None is the system (the demo loader); a person must manage the groups."""
    if acting_user is not None:
        _require_manager(acting_user)
    membership = _membership(_service_group(group), data.user)
    if membership.is_leader:
        return membership
    leaders = ServiceGroupMembership.objects.filter(group=membership.group, is_leader=True)
    previous = list(leaders.values_list("user__username", flat=True))
    leaders.update(is_leader=False)
    membership.is_leader = True
    membership.save(update_fields=["is_leader"])
    _audit_leader(
        "service_group.leader_set", acting_user, membership, previous[0] if previous else None,
        membership.user.username,
    )
    return membership


@transaction.atomic
def membership_clear_leader(*, acting_user: User, group: OrgUnit, data: MemberInput) -> ServiceGroupMembership:
    """Make the group's leader (组长) an ordinary member again: the group then has no leader
    until one is set (the member import's 组长 = 否 for the current leader). A member who is
    not the leader is left as it is, unaudited; one who is not a member is refused on ``user``."""
    _require_manager(acting_user)
    membership = _membership(_service_group(group), data.user)
    if not membership.is_leader:
        return membership
    membership.is_leader = False
    membership.save(update_fields=["is_leader"])
    _audit_leader("service_group.leader_clear", acting_user, membership, membership.user.username, None)
    return membership


@transaction.atomic
def membership_remove(*, acting_user: User, group: OrgUnit, data: MemberInput) -> None:
    """Remove an account from a group; one that is not a member is refused on ``user``."""
    _require_manager(acting_user)
    clean_group = _service_group(group)
    membership = _membership(clean_group, data.user)
    before = {"group": clean_group.code, "user": membership.user.username, "is_leader": membership.is_leader}
    audit_write(
        action="service_group.member_remove",
        user=acting_user,
        obj=membership,
        object_repr=f"{clean_group.code} {membership.user.username}",
        before=before,
    )
    membership.delete()


def _enterprise_by_uscc_or_id(value: str) -> Enterprise:
    """An enterprise by its record number or its USCC (the managers see every enterprise)."""
    found = None
    pk = positive_int(value)
    if pk is not None:
        found = Enterprise.objects.filter(pk=pk).first()
    elif value:
        found = Enterprise.objects.filter(uscc=value).first()
    if found is None:
        raise InvalidInput.field("enterprise", _("No enterprise with this unified social credit code."))
    return found


@transaction.atomic
def enterprise_assign_group(
    *, acting_user: User, data: GroupAssignInput, only_from: OrgUnit | None = None
) -> Enterprise:
    """Set which service group serves ``data.enterprise`` (``data.group`` None: none). The
    enterprise is given by its id or its USCC; the group by its code. One group per
    enterprise: assigning moves it. ``only_from``: change it only if that group serves it now
    (taking an enterprise out of a group must not empty another group it moved to meanwhile);
    else ``enterprise`` is refused. Audited with the group before and after."""
    _require_manager(acting_user)
    ent = _enterprise_by_uscc_or_id(data.enterprise)
    clean_group = None if data.group is None else _group_by_code(data.group)
    old = Enterprise.objects.select_for_update().get(pk=ent.pk)
    if only_from is not None and old.service_group_id != only_from.pk:
        raise InvalidInput.field("enterprise", _("This enterprise is not assigned to the group."))
    before_code = old.service_group.code if old.service_group is not None else None
    after_code = clean_group.code if clean_group is not None else None
    if old.service_group_id == (clean_group.pk if clean_group else None):
        return old
    old.service_group = clean_group
    old.version += 1
    old.updated_at = timezone.now()
    old.save(update_fields=["service_group", "version", "updated_at"])
    audit_write(
        action="enterprise.assign_group",
        user=acting_user,
        obj=old,
        before={"service_group": before_code},
        after={"service_group": after_code},
    )
    return old
