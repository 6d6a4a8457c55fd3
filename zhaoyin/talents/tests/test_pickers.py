"""The talent and employer pickers (issue 16, core.pickers) on the forms that name a talent or
an employer: a picked value and a typed code are both taken; an out-of-scope one gets exactly
the unknown one's field error (AC-03) and changes nothing; the employer picker answers within
``employers_for``; the portal-account picker finds talent accounts for the talent office."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.apartments.models import Application
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.talents.models import Talent, TalentLead
from zhaoyin.talents.selectors import employer_suggestions
from zhaoyin.talents.testing import make_talent
from zhaoyin.talents.tests.conftest import rid, web_client

pytestmark = pytest.mark.django_db

UNKNOWN_USCC = "91340400MA0000000X"


def _talent_post(employer: dict[str, str], n: int) -> dict[str, str]:
    return {
        "name": f"选择器人才{n}", "id_type": "resident", "id_number": rid(700 + n), "org_unit": "county-a",
        "education": "master", "title": "none", "channel": "employer", **employer,
    }


def _unit_code(org_tree: dict[str, OrgUnit], key: str) -> str:
    return org_tree[key].code


def _create_talent(client: Client, org_tree: dict[str, OrgUnit], employer: dict[str, str], n: int) -> int:
    data = {**_talent_post(employer, n), "org_unit": _unit_code(org_tree, "county_a")}
    return client.post(reverse("talents:create"), data).status_code


# ---- the employer picker -----------------------------------------------------------------------


def test_AC_03_employer_suggestions_keep_to_employers_for(
    people: dict[str, User], employer: Enterprise, employer_b: Enterprise
) -> None:
    assert employer_suggestions(people["office"], ("淮南星辰",)) == [employer]  # the office names any firm
    assert employer_suggestions(people["office"], (employer_b.uscc,)) == [employer_b]
    assert employer_suggestions(people["staff_a"], (employer_b.uscc,)) == []  # county B's firm
    # A record number also matches digits inside a credit code: never county B's firm.
    assert employer_b not in employer_suggestions(people["staff_a"], (str(employer_b.pk),))
    assert employer in employer_suggestions(people["staff_a"], (str(employer.pk),))
    body = web_client(people["office"]).get(reverse("talents:pick_employers"), {"q": "远航"}).content.decode()
    assert employer_b.uscc in body
    assert employer_b.name in body
    assert employer_b.name not in web_client(people["staff_a"]).get(
        reverse("talents:pick_employers"), {"q": "远航"}
    ).content.decode()


def test_the_talent_form_draws_the_employer_picker(people: dict[str, User], employer: Enterprise) -> None:
    body = web_client(people["office"]).get(reverse("talents:create")).content.decode()
    assert reverse("talents:pick_employers") in body
    assert 'name="employer__text"' in body


@pytest.mark.parametrize(
    "posted",
    [
        lambda e: {"employer": e.uscc},  # picked: the option's value is the credit code
        lambda e: {"employer": "", "employer__text": e.uscc},  # typed without picking
        lambda e: {"employer": "", "employer__text": str(e.pk)},  # the record number typed
    ],
    ids=["picked", "typed-uscc", "typed-id"],
)
def test_a_picked_or_typed_employer_is_taken(
    people: dict[str, User], employer: Enterprise, org_tree: dict[str, OrgUnit], posted: object
) -> None:
    client = web_client(people["staff_a"])
    assert callable(posted)
    assert _create_talent(client, org_tree, posted(employer), 1) == 302
    assert Talent.objects.get(name="选择器人才1").employer == employer


def test_AC_03_an_out_of_scope_employer_answers_like_an_unknown_one(
    people: dict[str, User], employer_b: Enterprise, org_tree: dict[str, OrgUnit]
) -> None:
    client = web_client(people["staff_a"])
    errors = []
    for n, ref in enumerate((employer_b.uscc, UNKNOWN_USCC), start=2):
        data = {**_talent_post({"employer": ref}, n), "org_unit": _unit_code(org_tree, "county_a")}
        response = client.post(reverse("talents:create"), data)
        assert response.status_code == 400
        errors.append(response.context["form"].errors["employer"])
    assert errors[0] == errors[1]
    assert not Talent.objects.filter(name__startswith="选择器人才").exists()


def test_an_employer_typed_as_a_non_decimal_digit_is_refused_not_a_500(
    people: dict[str, User], org_tree: dict[str, OrgUnit]
) -> None:
    """"²" passes str.isdigit but not int(): read as a credit code, it names no firm."""
    client = web_client(people["staff_a"])
    data = {**_talent_post({"employer": "", "employer__text": "²"}, 9), "org_unit": _unit_code(org_tree, "county_a")}
    response = client.post(reverse("talents:create"), data)
    assert response.status_code == 400
    assert response.context["form"].errors["employer"]
    assert not Talent.objects.filter(name__startswith="选择器人才").exists()


def test_a_leads_target_employer_is_picked(
    people: dict[str, User], employer: Enterprise, employer_b: Enterprise, org_tree: dict[str, OrgUnit]
) -> None:
    station = org_tree["station"]
    client = web_client(people["office"])
    url = reverse("talents:lead_create", args=[station.pk])
    assert reverse("talents:pick_employers") in client.get(url).content.decode()
    data = {"name": "选择器线索", "education": "master", "contacted_on": "2025-04-01", "target_employer": ""}
    assert client.post(url, {**data, "target_employer__text": employer_b.uscc}).status_code == 302
    assert TalentLead.objects.get(name="选择器线索").target_employer == employer_b


# ---- the talent picker on the apartment and talent-project applications ------------------------


def test_apartment_application_takes_a_picked_or_typed_talent(
    people: dict[str, User], org_tree: dict[str, OrgUnit]
) -> None:
    talent = make_talent(org_unit=org_tree["county_a"], name="选择器住房甲")
    client = web_client(people["staff_a"])
    url = reverse("apartments:application_create")
    assert reverse("talents:pick") in client.get(url).content.decode()
    assert client.post(url, {"talent": str(talent.pk), "reason": "picked"}).status_code == 302
    other = make_talent(org_unit=org_tree["county_a"], name="选择器住房乙")
    assert client.post(url, {"talent": "", "talent__text": str(other.pk), "reason": "typed"}).status_code == 302
    assert set(Application.objects.values_list("talent__name", flat=True)) == {"选择器住房甲", "选择器住房乙"}


def test_AC_03_apartment_application_out_of_scope_talent_like_unknown(
    people: dict[str, User], org_tree: dict[str, OrgUnit]
) -> None:
    theirs = make_talent(org_unit=org_tree["county_b"], name="选择器住房丙")
    client = web_client(people["staff_a"])
    url = reverse("apartments:application_create")
    errors = []
    for ref in (str(theirs.pk), "99999999"):
        response = client.post(url, {"talent": ref, "reason": "x"})
        assert response.status_code == 400
        errors.append(response.context["form"].errors["talent"])
    assert errors[0] == errors[1]
    assert not Application.objects.exists()


# ---- the portal account -------------------------------------------------------------------------


def test_the_talent_office_finds_talent_accounts_to_link(people: dict[str, User], make_user: MakeUser) -> None:
    client = web_client(people["office"])
    found = client.get(reverse("accounts:pick_users"), {"q": "talent", "role": "talent"})
    assert found.status_code == 200
    assert "talent1" in found.content.decode()
    # Without role=talent the office is offered no account.
    assert "talent1" not in client.get(reverse("accounts:pick_users"), {"q": "talent"}).content.decode()
