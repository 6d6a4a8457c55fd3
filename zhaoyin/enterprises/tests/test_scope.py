"""AC-03 / AC-02 for enterprises on every channel: selectors, list page, detail, edit, search,
API list and detail. County A's staff see county A and park A (inside it) but not county B;
a service member sees the group's enterprises; a portal user only their own; the leader sees
everything and writes nothing; the 三员 see no business data."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from conftest import MakeUser
from zhaoyin.accounts.models import User
from zhaoyin.core.roles import ADMIN_ROLES, Role
from zhaoyin.core.testing import assert_fingerprint_unchanged, db_fingerprint
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.enterprises.selectors import enterprise_get_for_user, enterprise_list_visible_to
from zhaoyin.enterprises.tests.conftest import MakeEnterprise, api_client, web_client


@dataclass
class Two:
    a: Enterprise  # county A, service group 1
    park: Enterprise  # park A (inside county A), no group
    b: Enterprise  # county B, service group 2


@pytest.fixture
def two(make_enterprise: MakeEnterprise) -> Two:
    return Two(
        a=make_enterprise("大通星辰电子有限公司", unit="county_a", group="group_1"),
        park=make_enterprise("园区新材料有限公司", unit="park_a"),
        b=make_enterprise("田家庵远航电子有限公司", unit="county_b", group="group_2"),
    )


def visible(user: User) -> set[str]:
    return set(enterprise_list_visible_to(user).values_list("name", flat=True))


def page_names(user: User, query: str = "") -> set[str]:
    response = web_client(user).get("/enterprises/" + query)
    assert response.status_code == 200
    return {e.name for e in response.context["page_obj"].object_list}


def api_names(user: User, query: str = "") -> set[str]:
    response = api_client(user).get("/api/v1/enterprises" + query)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"])
    return {item["name"] for item in body["items"]}


def test_AC_03_county_staff_see_own_county_and_its_park_only(make_user: MakeUser, two: Two) -> None:
    staff = make_user(Role.STAFF, unit="county_a")
    expected = {two.a.name, two.park.name}
    assert visible(staff) == expected
    assert page_names(staff) == expected
    assert api_names(staff) == expected
    # Searching for the other county's enterprise by its name finds nothing …
    assert page_names(staff, "?q=远航") == set()
    assert api_names(staff, "?q=远航") == set()
    # … a filter on the other county narrows to nothing rather than widening the scope …
    assert page_names(staff, "?org_unit=340403") == set()
    assert api_names(staff, "?org_unit=340403&page_size=200") == set()
    # … and a term both share returns only the own one.
    assert page_names(staff, "?q=电子") == {two.a.name}


def test_AC_03_out_of_scope_detail_and_edit_are_404_everywhere(make_user: MakeUser, two: Two) -> None:
    staff = make_user(Role.STAFF, unit="county_a")
    web, api = web_client(staff), api_client(staff)
    before = db_fingerprint()
    assert web.get(f"/enterprises/{two.b.pk}/").status_code == 404
    assert web.get(f"/enterprises/{two.b.pk}/edit/").status_code == 404
    assert web.post(f"/enterprises/{two.b.pk}/edit/", {"name": "改"}).status_code == 404
    assert web.post(f"/enterprises/{two.b.pk}/figures/", {"year": "2025"}).status_code == 404
    assert api.get(f"/api/v1/enterprises/{two.b.pk}").status_code == 404
    assert api.get(f"/api/v1/enterprises/{two.b.pk}/figures").status_code == 404
    assert (
        api.patch(f"/api/v1/enterprises/{two.b.pk}", {"name": "改"}, content_type="application/json").status_code == 404
    )
    response = api.post(f"/api/v1/enterprises/{two.b.pk}/figures", {"year": 2025}, content_type="application/json")
    assert response.status_code == 404
    assert response.json()["detail"]
    assert_fingerprint_unchanged(before, db_fingerprint())
    # The same ids inside the scope work (so the 404 above is about scope, not the URL).
    assert web.get(f"/enterprises/{two.park.pk}/").status_code == 200
    assert api.get(f"/api/v1/enterprises/{two.a.pk}").status_code == 200


def test_AC_03_unit_admin_has_the_same_scope(make_user: MakeUser, two: Two) -> None:
    assert visible(make_user(Role.UNIT_ADMIN, unit="county_a")) == {two.a.name, two.park.name}
    assert visible(make_user(Role.UNIT_ADMIN, unit="park_a")) == {two.park.name}


def test_AC_03_service_member_sees_own_group_only(make_user: MakeUser, two: Two) -> None:
    member = make_user(Role.SERVICE_MEMBER, unit="group_1")
    assert visible(member) == {two.a.name}
    assert page_names(member) == {two.a.name}
    assert api_names(member) == {two.a.name}
    assert web_client(member).get(f"/enterprises/{two.b.pk}/").status_code == 404
    # Read-only: the edit page is not for this role at all.
    assert web_client(member).get(f"/enterprises/{two.a.pk}/edit/").status_code == 403


def test_AC_03_enterprise_user_sees_only_its_own(make_user: MakeUser, two: Two) -> None:
    portal = make_user(Role.ENTERPRISE, unit="county_a")
    assert visible(portal) == set()  # not yet linked to an enterprise
    portal.enterprise = two.park
    portal.save(update_fields=["enterprise"])
    portal = User.objects.get(pk=portal.pk)
    assert visible(portal) == {two.park.name}
    assert page_names(portal) == {two.park.name}
    assert api_names(portal) == {two.park.name}
    assert web_client(portal).get(f"/enterprises/{two.a.pk}/").status_code == 404
    assert api_client(portal).get(f"/api/v1/enterprises/{two.a.pk}").status_code == 404
    assert web_client(portal).get(f"/enterprises/{two.park.pk}/").status_code == 200


@pytest.mark.parametrize("role", [Role.LEADER, Role.SUPERVISOR, Role.CITY_ADMIN])
def test_AC_03_city_wide_roles_see_everything(make_user: MakeUser, two: Two, role: Role) -> None:
    user = make_user(role)
    everything = {two.a.name, two.park.name, two.b.name}
    assert visible(user) == everything
    assert page_names(user) == everything
    assert api_names(user) == everything


def test_AC_02_leader_reads_but_every_write_is_403_and_changes_nothing(make_user: MakeUser, two: Two) -> None:
    leader = make_user(Role.LEADER)
    web, api = web_client(leader), api_client(leader)
    assert web.get(f"/enterprises/{two.b.pk}/").status_code == 200
    before = db_fingerprint()
    assert web.get("/enterprises/new/").status_code == 403
    assert web.post("/enterprises/new/", {"name": "新"}).status_code == 403
    assert web.get(f"/enterprises/{two.a.pk}/edit/").status_code == 403
    assert web.post(f"/enterprises/{two.a.pk}/edit/", {"name": "改"}).status_code == 403
    assert web.post(f"/enterprises/{two.a.pk}/figures/", {"year": "2025", "tax_wan": "1"}).status_code == 403
    new = {"name": "新", "uscc": "914403001922038216", "org_unit": "340402", "industry": "it"}
    assert api.post("/api/v1/enterprises", new, content_type="application/json").status_code == 403
    patch = api.patch(f"/api/v1/enterprises/{two.a.pk}", {"name": "改"}, content_type="application/json")
    assert patch.status_code == 403
    assert patch.json()["detail"]
    figures = api.post(f"/api/v1/enterprises/{two.a.pk}/figures", {"year": 2025}, content_type="application/json")
    assert figures.status_code == 403
    assert_fingerprint_unchanged(before, db_fingerprint())


@pytest.mark.parametrize("role", sorted(ADMIN_ROLES))
def test_AC_05_admin_roles_get_403_on_enterprise_pages_and_api(make_user: MakeUser, two: Two, role: Role) -> None:
    admin = make_user(role)
    assert visible(admin) == set()
    web, api = web_client(admin), api_client(admin)
    assert web.get("/enterprises/").status_code == 403
    assert web.get(f"/enterprises/{two.a.pk}/").status_code == 403
    assert api.get("/api/v1/enterprises").status_code == 403
    assert api.get(f"/api/v1/enterprises/{two.a.pk}").status_code == 403


def test_AC_03_selector_refuses_change_for_readers_who_see(make_user: MakeUser, two: Two) -> None:
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    supervisor = make_user(Role.SUPERVISOR)
    with pytest.raises(PermissionDenied):
        enterprise_get_for_user(user=supervisor, pk=two.a.pk, action="change")
    from zhaoyin.audit.models import AuditRecord

    denied = AuditRecord.objects.get(action="enterprise.change_denied")
    assert (denied.actor, denied.outcome) == (supervisor.username, "denied")
    with pytest.raises(Http404):
        enterprise_get_for_user(user=make_user(Role.STAFF, unit="county_b"), pk=two.a.pk, action="change")
    assert enterprise_get_for_user(user=make_user(Role.STAFF, unit="county_a"), pk=two.park.pk, action="change")


def test_anonymous_is_sent_to_sign_in_and_api_says_401(two: Two) -> None:
    from django.test import Client

    response = Client().get("/enterprises/")
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert Client().get("/api/v1/enterprises").status_code == 401


def test_AC_02_talent_users_have_no_enterprise_pages(make_user: MakeUser, two: Two) -> None:
    talent = make_user(Role.TALENT, unit="station")
    assert web_client(talent).get("/enterprises/").status_code == 403
    assert web_client(talent).get(f"/enterprises/{two.a.pk}/").status_code == 403
    assert api_client(talent).get("/api/v1/enterprises").status_code == 403
