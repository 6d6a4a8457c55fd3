"""The list page and the API list run a constant number of queries whatever the row count
(no N+1 over units, industries, service groups or qualifications)."""

from __future__ import annotations

from collections.abc import Callable

from conftest import MakeUser
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import assert_constant_queries
from zhaoyin.enterprises.inputs import FiguresInput
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.enterprises.tests.conftest import MakeEnterprise, api_client, web_client

UNITS = ("county_a", "park_a")
GROUPS = ("group_1", "group_2", None)
INDUSTRIES = ("it", "coal", "nev")
QUALS = (("高新技术企业",), ("专精特新", "瞪羚企业"), ())


def grower(make_enterprise: MakeEnterprise) -> Callable[[int], None]:
    def grow(n: int) -> None:
        for i in range(Enterprise.objects.count(), n):
            make_enterprise(
                unit=UNITS[i % 2], group=GROUPS[i % 3], industry=INDUSTRIES[i % 3], quals=QUALS[i % 3], employees=i
            )

    return grow


def test_list_page_queries_do_not_grow_with_rows(make_user: MakeUser, make_enterprise: MakeEnterprise) -> None:
    client = web_client(make_user(Role.STAFF, unit="county_a"))
    count = assert_constant_queries(
        grow=grower(make_enterprise),
        run=lambda: client.get("/enterprises/", {"q": "企业", "sort": "-employees", "page_size": "100"}),
        sizes=(5, 50),
    )
    # The page's own reads plus the menu badge's one COUNT per to-do provider (seven since
    # issue 13: matters, payouts, recognition, apartments, talent projects, subsidy applications …).
    assert count < 22


def test_api_list_queries_do_not_grow_with_rows(make_user: MakeUser, make_enterprise: MakeEnterprise) -> None:
    client = api_client(make_user(Role.STAFF, unit="county_a"))
    count = assert_constant_queries(
        grow=grower(make_enterprise),
        run=lambda: client.get("/api/v1/enterprises", {"page_size": "100", "industry": "it"}),
        sizes=(5, 50),
    )
    assert count < 12


def test_detail_page_queries_do_not_grow_with_years_and_history(
    make_user: MakeUser, make_enterprise: MakeEnterprise
) -> None:
    from zhaoyin.enterprises.services import enterprise_figures_set

    staff = make_user(Role.STAFF, unit="county_a")
    e = make_enterprise(quals=("专精特新",))
    client = web_client(staff)

    def grow(n: int) -> None:
        for year in range(2000, 2000 + n):
            enterprise_figures_set(
                acting_user=staff, enterprise=e, data=FiguresInput.parse({"year": year, "tax_wan": year})
            )

    assert_constant_queries(grow=grow, run=lambda: client.get(f"/enterprises/{e.pk}/"), sizes=(2, 15))
