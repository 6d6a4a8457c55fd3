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
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind, ServiceGroupMembership, User
from zhaoyin.audit.services import audit_write, snapshot
from zhaoyin.core import files as files_core
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.listparams import positive_int
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.matters import services as matter_services
from zhaoyin.matters.inputs import MatterCreateInput
from zhaoyin.visits import selectors, validation
from zhaoyin.visits.models import Visit, VisitDemand, VisitFile

#: Where visit photos and documents are stored, below DATA_DIR.
FILE_AREA = "visit_files"


def visit_file_path(stored_name: str) -> Path:
    return files_core.stored_path(FILE_AREA, stored_name)


def visit_create(
    *,
    acting_user: User,
    enterprise: Any,
    date: Any,
    notes: Any,
    participants: Any = None,
    other_participants: Any = "",
    enterprise_contact: Any = "",
    demands: Any = None,
    files: Sequence[UploadedFile[Any]] | None = None,
) -> Visit:
    """Record a visit of the acting member's group to ``enterprise`` and turn each demand into
    a ``draft`` matter with source ``visit`` linked to the enterprise.

    Only a service member may record a visit, and only to an enterprise assigned to one of
    their groups; any other enterprise (or one that does not exist) is refused on
    ``enterprise`` with the same message, so the answer reveals nothing. The visit's group is
    the enterprise's group now. ``participants`` are usernames of that group's members (the
    recorder always takes part). All checks run first: a bad demand, date or file writes
    nothing, neither the visit nor any matter. The files are read and checked before the
    write transaction opens (their refusal is still reported with the other fields').
    """
    if not acting_user.has_role(Role.SERVICE_MEMBER) or acting_user.admin_role:
        raise PermissionDenied(_("Only members of a service group record visits."))
    uploads = files_core.read_uploads(files)
    with transaction.atomic():
        return _visit_create(
            acting_user=acting_user, enterprise=enterprise, date=date, notes=notes, participants=participants,
            other_participants=other_participants, enterprise_contact=enterprise_contact, demands=demands,
            uploads=uploads,
        )


def _visit_create(
    *,
    acting_user: User,
    enterprise: Any,
    date: Any,
    notes: Any,
    participants: Any,
    other_participants: Any,
    enterprise_contact: Any,
    demands: Any,
    uploads: files_core.ReadUploads,
) -> Visit:
    cleaned = validation.clean_visit(
        acting_user=acting_user,
        enterprise=enterprise,
        date=date,
        notes=notes,
        participants=participants,
        other_participants=other_participants,
        enterprise_contact=enterprise_contact,
        demands=demands,
        files=uploads,
    )
    ent: Enterprise = cleaned.enterprise
    group = ent.service_group
    assert group is not None  # enterprises_for_visits only offers assigned enterprises
    visit = Visit.objects.create(
        enterprise=ent,
        group=group,
        visited_on=cleaned.date,
        other_participants=cleaned.other_participants,
        enterprise_contact=cleaned.enterprise_contact,
        notes=cleaned.notes,
        created_by=acting_user,
    )
    visit.participants.set(cleaned.participants)
    matters = []
    for index, demand in enumerate(cleaned.demands):
        try:
            matter = matter_services.matter_create(
                acting_user=acting_user,
                data=MatterCreateInput.of(
                    title=demand.title,
                    source="visit",
                    kind=demand.kind,
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
            VisitFile.objects.create(visit=visit, uploaded_by=acting_user, **store.write(checked))
            for checked in cleaned.files
        ]
        audit_write(
            action="visit.create",
            user=acting_user,
            obj=visit,
            object_repr=f"{ent.name} {visit.visited_on.isoformat()}",
            after=snapshot(visit)
            | {
                "participants": sorted(u.username for u in cleaned.participants),
                "demands": [m.code for m in matters],
                "files": [f.original_name for f in stored],
            },
        )
    return visit


def visit_file_open(*, acting_user: User, file: VisitFile) -> BinaryIO:
    """Open a visit's photo or document for ``acting_user`` and audit the read
    ("visit.file.download"). ``file`` comes from ``selectors.visit_file_get_for_user``."""
    visit = file.visit
    return files_core.open_audited(
        visit_file_path(file.stored_name),
        acting_user=acting_user,
        action="visit.file.download",
        obj=file,
        object_repr=f"{visit.enterprise.name} {visit.visited_on.isoformat()} {file.original_name}",
        detail={"file": file.pk, "name": file.original_name, "sha256": file.sha256, "visit": visit.pk},
    )


# --------------------------------------------------------------------------- groups


def _require_manager(acting_user: User) -> None:
    if not acting_user.has_role(*selectors.MANAGER_ROLES) or acting_user.admin_role:
        raise PermissionDenied(_("Only the city administration manages service groups."))


def _group(value: Any) -> OrgUnit:
    if isinstance(value, OrgUnit) and value.kind == OrgUnitKind.SERVICE_GROUP and value.is_active:
        return value
    found = OrgUnit.objects.filter(
        code=str(value or "").strip(), kind=OrgUnitKind.SERVICE_GROUP, is_active=True
    ).first()
    if found is None:
        raise InvalidInput.field("group", _("Unknown service group."))
    return found


def _service_member(value: Any) -> User:
    """An active account holding the service_member role, by username (or the account)."""
    if isinstance(value, User):
        user: User | None = value
    else:
        name = str(value or "").strip()
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


@transaction.atomic
def membership_add(*, acting_user: User, group: Any, user: Any, is_leader: bool = False) -> ServiceGroupMembership:
    """Add a service member to a group (optionally as its leader, 组长; a group has one leader,
    so the previous one becomes an ordinary member). The account must already hold the
    service_member role; a member already in the group is refused on ``user``."""
    _require_manager(acting_user)
    clean_group = _group(group)
    member = _service_member(user)
    if ServiceGroupMembership.objects.filter(group=clean_group, user=member).exists():
        raise InvalidInput.field("user", _("This account is already a member of the group."))
    if is_leader:
        ServiceGroupMembership.objects.filter(group=clean_group, is_leader=True).update(is_leader=False)
    membership = ServiceGroupMembership.objects.create(group=clean_group, user=member, is_leader=bool(is_leader))
    audit_write(
        action="service_group.member_add",
        user=acting_user,
        obj=membership,
        object_repr=f"{clean_group.code} {member.username}",
        after={"group": clean_group.code, "user": member.username, "is_leader": bool(is_leader)},
    )
    return membership


@transaction.atomic
def membership_set_leader(*, acting_user: User | None, group: Any, user: Any) -> ServiceGroupMembership:
    """Make a member the group's leader (组长); the previous leader stays an ordinary member.
    ``acting_user`` None is the system (the demo loader); a person must manage the groups."""
    if acting_user is not None:
        _require_manager(acting_user)
    clean_group = _group(group)
    name = user.username if isinstance(user, User) else str(user or "").strip()
    membership = (
        ServiceGroupMembership.objects.filter(group=clean_group, user__username__iexact=name)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise InvalidInput.field("user", _("This account is not a member of the group."))
    if membership.is_leader:
        return membership
    leaders = ServiceGroupMembership.objects.filter(group=clean_group, is_leader=True)
    previous = list(leaders.values_list("user__username", flat=True))
    leaders.update(is_leader=False)
    membership.is_leader = True
    membership.save(update_fields=["is_leader"])
    audit_write(
        action="service_group.leader_set",
        user=acting_user,
        obj=membership,
        object_repr=f"{clean_group.code} {membership.user.username}",
        before={"group": clean_group.code, "leader": previous[0] if previous else None},
        after={"group": clean_group.code, "leader": membership.user.username},
    )
    return membership


@transaction.atomic
def membership_clear_leader(*, acting_user: User, group: Any, user: Any) -> ServiceGroupMembership:
    """Make the group's leader (组长) an ordinary member again: the group then has no leader
    until one is set (the member import's 组长 = 否 for the current leader). A member who is
    not the leader is left as it is, unaudited; one who is not a member is refused on ``user``."""
    _require_manager(acting_user)
    clean_group = _group(group)
    name = user.username if isinstance(user, User) else str(user or "").strip()
    membership = (
        ServiceGroupMembership.objects.filter(group=clean_group, user__username__iexact=name)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise InvalidInput.field("user", _("This account is not a member of the group."))
    if not membership.is_leader:
        return membership
    membership.is_leader = False
    membership.save(update_fields=["is_leader"])
    audit_write(
        action="service_group.leader_clear",
        user=acting_user,
        obj=membership,
        object_repr=f"{clean_group.code} {membership.user.username}",
        before={"group": clean_group.code, "leader": membership.user.username},
        after={"group": clean_group.code, "leader": None},
    )
    return membership


@transaction.atomic
def membership_remove(*, acting_user: User, group: Any, user: Any) -> None:
    """Remove an account from a group; one that is not a member is refused on ``user``."""
    _require_manager(acting_user)
    clean_group = _group(group)
    name = user.username if isinstance(user, User) else str(user or "").strip()
    membership = (
        ServiceGroupMembership.objects.filter(group=clean_group, user__username__iexact=name)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise InvalidInput.field("user", _("This account is not a member of the group."))
    before = {"group": clean_group.code, "user": membership.user.username, "is_leader": membership.is_leader}
    audit_write(
        action="service_group.member_remove",
        user=acting_user,
        obj=membership,
        object_repr=f"{clean_group.code} {membership.user.username}",
        before=before,
    )
    membership.delete()


def _enterprise_by_uscc_or_id(value: Any) -> Enterprise:
    if isinstance(value, Enterprise):
        return value
    text = str(value or "").strip().upper()
    found = None
    pk = positive_int(text)
    if pk is not None:
        found = Enterprise.objects.filter(pk=pk).first()
    elif text:
        found = Enterprise.objects.filter(uscc=text).first()
    if found is None:
        raise InvalidInput.field("enterprise", _("No enterprise with this unified social credit code."))
    return found


@transaction.atomic
def enterprise_assign_group(
    *, acting_user: User, enterprise: Any, group: Any, only_from: OrgUnit | None = None
) -> Enterprise:
    """Set which service group serves ``enterprise`` (``group`` None: none). The enterprise is
    given by itself, its id or its USCC; the group by itself or its code. One group per
    enterprise: assigning moves it. ``only_from``: change it only if that group serves it now
    (taking an enterprise out of a group must not empty another group it moved to meanwhile);
    else ``enterprise`` is refused. Audited with the group before and after."""
    _require_manager(acting_user)
    ent = _enterprise_by_uscc_or_id(enterprise)
    clean_group = None if group is None or group == "" else _group(group)
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
