"""Who sees which matter (AC-03) and how each person stands to it (the table's relations)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.core.roles import Role
from zhaoyin.matters import inputs, services
from zhaoyin.matters.flow import Action, Relation, State
from zhaoyin.matters.models import Matter, MatterFile
from zhaoyin.matters.selectors import (
    allowed_actions,
    matter_file_get_for_user,
    matter_get_for_user,
    matter_list_visible_to,
    relations,
)
from zhaoyin.matters.tests.conftest import MakeMatter, People

pytestmark = pytest.mark.django_db


def visible(user: User) -> set[int]:
    return set(matter_list_visible_to(user).values_list("pk", flat=True))


def test_AC_03_each_person_sees_the_matters_of_their_scope(people: People, make_matter: MakeMatter) -> None:
    county_a = make_matter(State.ACCEPTED)  # lead county A, co-unit the department, by the enterprise user
    park = make_matter(State.ASSIGNED, lead="park_a", co=())
    county_b = make_matter(State.ASSIGNED, lead="county_b", co=())
    Matter.objects.filter(pk__in=[park.pk, county_b.pk]).update(requester=None)
    by_county_b = services.matter_create(acting_user=people.outsider,
        data=inputs.MatterCreateInput.of(title="田家庵区内部事项", source="visit", kind="coordination"))
    everything = {county_a.pk, park.pk, county_b.pk, by_county_b.pk}
    assert visible(people.dispatcher) == everything
    assert visible(people.supervisor) == everything
    assert visible(people.leader) == everything
    assert visible(people.lead) == {county_a.pk, park.pk}  # the county sees its park
    assert visible(people.lead_admin) == {county_a.pk, park.pk}
    assert visible(people.park) == {park.pk}  # not the county's own
    assert visible(people.co) == {county_a.pk}  # as a co-unit
    assert visible(people.outsider) == {county_b.pk, by_county_b.pk}  # led, and dispatched
    assert visible(people.requester) == {county_a.pk}  # what they raised
    assert visible(people.other_portal) == set()
    assert visible(people.sysadmin) == set()


@pytest.mark.parametrize("who", ["outsider", "other_portal", "sysadmin", "park"])
def test_AC_03_another_counties_matter_is_not_found(people: People, make_matter: MakeMatter, who: str) -> None:
    matter = make_matter(State.ACCEPTED)
    with pytest.raises(Http404):
        matter_get_for_user(user=getattr(people, who), pk=matter.pk)


def test_relations_follow_the_tree(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ACCEPTED)
    assert relations(people.dispatcher, matter) == {Relation.DISPATCHER}
    assert relations(people.supervisor, matter) == {Relation.DISPATCHER, Relation.SUPERVISOR}
    assert relations(people.leader, matter) == {Relation.LEADER}
    assert relations(people.lead, matter) == {Relation.LEAD_UNIT}
    assert relations(people.co, matter) == {Relation.CO_UNIT}
    assert relations(people.requester, matter) == {Relation.REQUESTER}
    assert relations(people.park, matter) == set()  # below the lead unit is not the lead unit
    assert relations(people.sysadmin, matter) == set()
    in_park = make_matter(State.ACCEPTED, lead="park_a", co=())
    assert relations(people.lead, in_park) == {Relation.LEAD_UNIT}  # the county acts for its park


def test_allowed_actions_are_the_tables_for_the_persons_relation(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ACCEPTED)
    assert allowed_actions(people.lead, matter) == [
        Action.RETURN, Action.PROGRESS, Action.REQUEST_EXTENSION, Action.REPORT,
    ]
    assert allowed_actions(people.co, matter) == [Action.PROGRESS]
    assert allowed_actions(people.dispatcher, matter) == [Action.REASSIGN, Action.CANCEL]
    # Of the dispatchers only the supervision office records a leader's 批示 (issue 15).
    # The supervision office also lists on a leader's behalf and urges / supervises by hand.
    assert allowed_actions(people.supervisor, matter) == [
        Action.REASSIGN, Action.CANCEL, Action.LIST, Action.URGE, Action.SUPERVISE, Action.INSTRUCT,
    ]
    assert allowed_actions(people.requester, matter) == [Action.CANCEL]
    assert allowed_actions(people.leader, matter) == [Action.LIST, Action.INSTRUCT]
    assert allowed_actions(people.sysadmin, matter) == []


def test_a_visible_matter_without_the_relation_is_403_and_with_it_found(
    people: People, make_matter: MakeMatter
) -> None:
    from django.core.exceptions import PermissionDenied

    matter = make_matter(State.ACCEPTED)
    assert matter_get_for_user(user=people.lead, pk=matter.pk, action=Action.REPORT) == matter
    for user, action in ((people.requester, Action.REPORT), (people.leader, Action.APPROVE),
                         (people.lead, Action.APPROVE), (people.co, Action.REPORT)):
        with pytest.raises(PermissionDenied):
            matter_get_for_user(user=user, pk=matter.pk, action=action)


def test_FILE_05_attachments_only_within_the_matters_scope(
    people: People, make_matter: MakeMatter, file_root: Path
) -> None:
    matter = make_matter(State.ACCEPTED)
    services.matter_report(acting_user=people.lead, matter=matter,
        data=inputs.ReportInput.of(summary="已办结"), files=[SimpleUploadedFile("回函.pdf", b"%PDF-1.4\n%%EOF\n")])
    stored = MatterFile.objects.get(matter=matter)
    assert matter_file_get_for_user(user=people.requester, pk=stored.pk) == stored
    assert services.matter_file_path(stored.stored_name).read_bytes() == b"%PDF-1.4\n%%EOF\n"
    for user in (people.outsider, people.other_portal, people.sysadmin):
        with pytest.raises(Http404):
            matter_file_get_for_user(user=user, pk=stored.pk)


def test_a_service_member_and_a_talent_user_follow_what_they_raised(
    make_user: Any, people: People, org_tree: dict[str, OrgUnit]
) -> None:
    member = make_user(Role.SERVICE_MEMBER, "group_1", username="member")
    talent = make_user(Role.TALENT, "city", username="talent")
    raised = services.matter_create(acting_user=member,
        data=inputs.MatterCreateInput.of(title="企业走访诉求", source="visit", kind="coordination"))
    housing = services.matter_create(acting_user=talent,
        data=inputs.MatterCreateInput.of(title="人才公寓申请", source="talent_demand", kind="talent_demand"))
    assert (raised.requester, raised.dispatcher_unit) == (member, org_tree["city"])
    assert raised.requester_name == "member"
    assert visible(member) == {raised.pk}
    assert visible(talent) == {housing.pk}
    assert relations(talent, housing) == {Relation.REQUESTER}
    assert allowed_actions(talent, housing) == [Action.CANCEL]
