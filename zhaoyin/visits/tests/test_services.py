"""The visit and service-group services: what they write, what they audit, and bad input
refused naming the field with nothing changed (DESIGN 3.6)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import MakeUser
from zhaoyin.accounts.models import ServiceGroupMembership
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import assert_fingerprint_unchanged, atomic_depths, bad_values, db_fingerprint
from zhaoyin.matters import clocks
from zhaoyin.matters.models import Matter
from zhaoyin.visits import selectors, services
from zhaoyin.visits.inputs import GroupAssignInput, MemberAddInput, MemberInput, VisitCreateInput
from zhaoyin.visits.models import Visit, VisitFile
from zhaoyin.visits.tests.conftest import PNG, Service, fresh

pytestmark = pytest.mark.django_db

DEMAND = {"title": "扩产用电增容协调", "kind": "coordination", "description": "变压器容量不足"}


def _fields(exc: pytest.ExceptionInfo[InvalidInput]) -> set[str]:
    return {e["field"] for e in exc.value.errors}


def test_visit_create_records_the_visit_and_turns_each_demand_into_a_draft_matter(svc: Service) -> None:
    day = clocks.today() - dt.timedelta(days=3)
    visit = services.visit_create(
        acting_user=fresh(svc.member_1),
        data=VisitCreateInput.of(
            enterprise=svc.ent_1.pk,
            date=day.isoformat(),
            notes="了解企业生产经营情况",
            participants=["colleague_1"],
            demands=[DEMAND, {"title": "研发费用加计扣除咨询", "kind": "consultation", "description": ""}],
        ),
    )
    assert visit.group == svc.group_1
    assert visit.visited_on == day
    assert {u.username for u in visit.participants.all()} == {"member_1", "colleague_1"}
    matters = [d.matter for d in visit.demands.order_by("pk")]
    assert [(m.state, m.source, m.enterprise_id, m.kind) for m in matters] == [
        ("draft", "visit", svc.ent_1.pk, "coordination"),
        ("draft", "visit", svc.ent_1.pk, "consultation"),
    ]
    assert matters[0].requester == svc.member_1
    actions = list(AuditRecord.objects.order_by("pk").values_list("action", flat=True))
    assert actions.count("matter.create") == 2
    assert actions[-1] == "visit.create"
    record = AuditRecord.objects.get(action="visit.create")
    assert record.after is not None
    assert record.after["demands"] == [m.code for m in matters]


def test_visit_files_are_stored_and_their_download_is_audited(svc: Service) -> None:
    upload = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    visit = services.visit_create(
        acting_user=fresh(svc.member_1),
        files=[upload],
        data=VisitCreateInput.of(enterprise=svc.ent_1.pk, date=clocks.today(), notes="现场照片"),
    )
    file = VisitFile.objects.get(visit=visit)
    assert file.content_type == "image/png"
    assert services.visit_file_path(file.stored_name).read_bytes() == PNG
    found = selectors.visit_file_get_for_user(user=fresh(svc.staff_a), pk=file.pk)
    with services.visit_file_open(acting_user=svc.staff_a, file=found) as handle:
        assert handle.read() == PNG
    assert AuditRecord.objects.filter(action="visit.file.download", object_id=str(file.pk)).count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        *bad_values({"date": ["2999-01-01", "2026-13-01", ""], "notes": ["  "], "participants": [["member_2"]]}),
        ({"demands": [DEMAND, {"title": "x", "kind": "bogus", "description": ""}]}, "demands[1].kind"),
        ({"demands": [{"title": "", "kind": "coordination"}]}, "demands[0].title"),
        ({"demands": [{"title": "x", "kind": "coordination", "owner": "me"}]}, "demands[0].owner"),
        ({"demands": "not a list"}, "demands"),
    ],
)
def test_bad_visit_input_names_the_field_and_writes_nothing(
    svc: Service, change: dict[str, object], field: str
) -> None:
    kwargs: dict[str, object] = {
        "enterprise": svc.ent_1.pk,
        "date": clocks.today().isoformat(),
        "notes": "走访",
        "demands": [DEMAND],
    }
    kwargs.update(change)
    before = db_fingerprint()
    with pytest.raises(InvalidInput) as exc:
        services.visit_create(acting_user=fresh(svc.member_1), data=VisitCreateInput.parse(kwargs))
    assert field in _fields(exc)
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_a_bad_file_writes_no_visit_and_no_matter(svc: Service) -> None:
    bad = SimpleUploadedFile("x.exe", b"MZ\x90\x00 not allowed", content_type="application/octet-stream")
    before = db_fingerprint()
    with pytest.raises(InvalidInput) as exc:
        services.visit_create(
            acting_user=fresh(svc.member_1),
            files=[bad],
            data=VisitCreateInput.of(enterprise=svc.ent_1.pk, date=clocks.today(), notes="n", demands=[DEMAND]),
        )
    assert _fields(exc) == {"files"}
    assert_fingerprint_unchanged(before, db_fingerprint())
    assert not Matter.objects.exists()


def test_an_enterprise_outside_the_members_groups_is_refused_like_a_missing_one(svc: Service) -> None:
    messages = []
    for target in (svc.ent_2.pk, svc.ent_none.pk, 999_999, "abc"):
        before = db_fingerprint()
        with pytest.raises(InvalidInput) as exc:
            services.visit_create(
                acting_user=fresh(svc.member_1),
                data=VisitCreateInput.of(enterprise=target, date=clocks.today(), notes="n", demands=[DEMAND]),
            )
        assert _fields(exc) == {"enterprise"}
        messages.append(exc.value.errors[0]["message"])
        assert_fingerprint_unchanged(before, db_fingerprint())
    assert len(set(messages)) == 1


def test_only_service_members_record_visits(svc: Service) -> None:
    for user in (svc.staff_a, svc.admin):
        with pytest.raises(PermissionDenied):
            services.visit_create(
                acting_user=fresh(user),
                data=VisitCreateInput.of(enterprise=svc.ent_1.pk, date=clocks.today(), notes="n"),
            )
    assert not Visit.objects.exists()


def test_a_member_of_two_groups_visits_the_enterprises_of_both(svc: Service) -> None:
    services.membership_add(acting_user=svc.admin, group=svc.group_2, data=MemberAddInput.of(user="member_1"))
    member = fresh(svc.member_1)
    assert {e.pk for e in selectors.enterprises_for_visits(member)} == {svc.ent_1.pk, svc.ent_1b.pk, svc.ent_2.pk}
    visit = services.visit_create(
        acting_user=member, data=VisitCreateInput.of(enterprise=svc.ent_2.pk, date=clocks.today(), notes="n")
    )
    assert visit.group == svc.group_2


# ---- groups ---------------------------------------------------------------------------------


def test_membership_add_and_remove_are_audited(svc: Service, make_user: object) -> None:
    newcomer = make_user(Role.SERVICE_MEMBER, "group_2", username="newcomer")  # type: ignore[operator]
    membership = services.membership_add(
        acting_user=svc.admin, group=svc.group_1, data=MemberAddInput.of(user="newcomer", is_leader=True)
    )
    assert membership.is_leader
    # One leader per group: the previous one is an ordinary member now.
    assert not ServiceGroupMembership.objects.get(group=svc.group_1, user=svc.member_1).is_leader
    assert AuditRecord.objects.filter(action="service_group.member_add").count() == 1
    services.membership_remove(acting_user=svc.admin, group=svc.group_1, data=MemberInput.of(user=newcomer.username))
    assert not ServiceGroupMembership.objects.filter(group=svc.group_1, user=newcomer).exists()
    assert AuditRecord.objects.filter(action="service_group.member_remove").count() == 1


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("staff_a", "服务组成员角色"),
        ("nobody", "不存在该用户名"),
        ("", "请输入用户名"),
        ("colleague_1", "已是本组成员"),
    ],
)
def test_membership_add_refuses_on_user_and_changes_nothing(svc: Service, name: str, needle: str) -> None:
    before = db_fingerprint()
    with pytest.raises(InvalidInput) as exc:
        services.membership_add(acting_user=svc.admin, group=svc.group_1, data=MemberAddInput.of(user=name))
    assert _fields(exc) == {"user"}
    assert needle in exc.value.errors[0]["message"]
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_membership_remove_of_a_non_member_names_user(svc: Service) -> None:
    before = db_fingerprint()
    with pytest.raises(InvalidInput) as exc:
        services.membership_remove(acting_user=svc.admin, group=svc.group_1, data=MemberInput.of(user="member_2"))
    assert _fields(exc) == {"user"}
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_only_the_city_administration_manages_groups(svc: Service) -> None:
    for user in (svc.member_1, svc.staff_a):
        with pytest.raises(PermissionDenied):
            services.membership_add(acting_user=fresh(user), group=svc.group_1, data=MemberAddInput.of(user="member_2"))
        with pytest.raises(PermissionDenied):
            services.enterprise_assign_group(
                acting_user=fresh(user), data=GroupAssignInput.of(enterprise=svc.ent_2.uscc, group=svc.group_1.code)
            )


def test_enterprise_assign_group_moves_the_enterprise_and_changes_the_members_scope(svc: Service) -> None:
    member_2 = fresh(svc.member_2)
    assert not selectors.enterprises_for_visits(member_2).filter(pk=svc.ent_none.pk).exists()
    moved = services.enterprise_assign_group(
        acting_user=svc.admin, data=GroupAssignInput.of(enterprise=svc.ent_none.uscc, group="sg-02")
    )
    assert moved.service_group == svc.group_2
    assert moved.version == svc.ent_none.version + 1
    assert selectors.enterprises_for_visits(fresh(svc.member_2)).filter(pk=svc.ent_none.pk).exists()
    record = AuditRecord.objects.get(action="enterprise.assign_group")
    assert record.before == {"service_group": None}
    assert record.after == {"service_group": "sg-02"}
    services.enterprise_assign_group(
        acting_user=svc.admin, data=GroupAssignInput.of(enterprise=svc.ent_none.pk, group=None)
    )
    assert AuditRecord.objects.filter(action="enterprise.assign_group").count() == 2


@pytest.mark.parametrize(
    ("enterprise", "group", "field"), [("91340400XXXXXXXXXX", "sg-01", "enterprise"), ("ENT", "340402", "group")]
)
def test_enterprise_assign_group_bad_input(svc: Service, enterprise: str, group: str, field: str) -> None:
    target = svc.ent_2.uscc if enterprise == "ENT" else enterprise
    before = db_fingerprint()
    with pytest.raises(InvalidInput) as exc:
        services.enterprise_assign_group(
            acting_user=svc.admin, data=GroupAssignInput.of(enterprise=target, group=group)
        )
    assert _fields(exc) == {field}
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_AC_03_losing_the_member_role_ends_the_memberships_audited(svc: Service, make_user: MakeUser) -> None:
    """Without the service_member role a membership would still list the account on the group
    pages and as a visit participant while giving it no scope: the role change ends it."""
    from zhaoyin.accounts.services import user_set_roles

    sec = make_user("security_admin", "city")
    assert ServiceGroupMembership.objects.filter(user=svc.colleague_1).exists()
    user_set_roles(acting_user=sec, user=svc.colleague_1, roles=["staff"])
    assert not ServiceGroupMembership.objects.filter(user=svc.colleague_1).exists()
    record = AuditRecord.objects.filter(action="user.roles").latest("pk")
    assert record.after is not None
    assert record.after["left_service_groups"] == ["sg-01"]
    # Keeping the role keeps the memberships.
    user_set_roles(acting_user=sec, user=svc.member_1, roles=["service_member", "staff"])
    assert ServiceGroupMembership.objects.filter(user=svc.member_1).exists()


def test_d1_visit_files_are_read_and_hashed_before_the_transaction(
    svc: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12 D1: the uploads are read, sniffed and hashed before the write transaction
    opens (on SQLite it holds the one write lock); stored inside it, so a rollback takes them."""
    from zhaoyin.core import files as files_core

    depths = atomic_depths(
        monkeypatch, (files_core, "check_uploads"), (files_core.CheckedFile, "__post_init__"),
        (files_core, "write_private"),
    )
    services.visit_create(
        acting_user=fresh(svc.member_1),
        data=VisitCreateInput.of(enterprise=svc.ent_1.pk, date=clocks.today(), notes="现场照片"),
        files=[SimpleUploadedFile("现场.png", PNG, content_type="image/png")],
    )
    assert depths["check_uploads"] == [0]
    assert depths["__post_init__"] == [0]
    assert depths["write_private"] == [1]
