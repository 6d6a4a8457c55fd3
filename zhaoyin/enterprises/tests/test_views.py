"""The enterprise pages: list (filters, sort, paging, bad parameters), detail (figures,
history), register and change forms (shared validator messages, CONC-01 conflict)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse

from conftest import MakeUser
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import assert_fingerprint_unchanged, db_fingerprint
from zhaoyin.enterprises.inputs import EnterpriseUpdateInput
from zhaoyin.enterprises.models import Enterprise, EnterpriseFigure
from zhaoyin.enterprises.services import enterprise_update
from zhaoyin.enterprises.tests.conftest import MakeEnterprise, uscc_for, web_client
from zhaoyin.enterprises.validation import clean_enterprise


def wrong_check_char(code: str) -> str:
    return code[:17] + ("1" if code[17] != "1" else "2")


def html(response: Any) -> str:
    return str(response.content.decode())


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "淮南智造装备有限公司",
        "uscc": uscc_for(77, "340402"),
        "org_unit": "340402",
        "industry": "equipment",
        "size_class": "below",
        "legal_representative": "王五",
        "address": "大通区工业园1号",
        "founded_on": "2018-03-01",
        "employees": "45",
        "land_mu": "12.5",
        "service_group": "",
        "qualifications": ["科技型中小企业"],
    }
    data.update(overrides)
    return data


# ---- list ------------------------------------------------------------------------------------


def test_list_shows_the_columns_and_links_rows_to_detail(make_user: MakeUser, make_enterprise: MakeEnterprise) -> None:
    e = make_enterprise("淮南光电子材料有限公司", employees=88, quals=("高新技术企业",), size_class="above")
    body = html(web_client(make_user(Role.STAFF, unit="county_a")).get("/enterprises/"))
    assert f'href="/enterprises/{e.pk}/"' in body
    for text in (e.uscc, "大通区", "新一代信息技术", "88", "高新技术企业"):
        assert text in body
    # The browser test relies on these names.
    assert 'name="q"' in body
    assert 'name="industry"' in body
    assert '<option value="it">新一代信息技术</option>' in body


def test_list_filters_by_search_and_industry(make_user: MakeUser, make_enterprise: MakeEnterprise) -> None:
    make_enterprise("淮南光电子材料有限公司", industry="it")
    make_enterprise("安徽电子科技公司", industry="new_materials")
    make_enterprise("淮南煤业", industry="coal")
    client = web_client(make_user(Role.CITY_ADMIN))
    response = client.get("/enterprises/", {"q": "电子", "industry": "it"})
    assert [e.name for e in response.context["page_obj"].object_list] == ["淮南光电子材料有限公司"]
    assert 'value="电子"' in html(response)  # the filter bar keeps the input


def test_VAL_01_bad_filter_value_shows_a_message_naming_the_field(make_user: MakeUser) -> None:
    client = web_client(make_user(Role.CITY_ADMIN))
    response = client.get("/enterprises/", {"industry": "astrology", "page_size": "5000"})
    assert response.status_code == 400
    body = html(response)
    problems = response.context["form"].problems
    assert len(problems) == 2
    for label, message in problems:
        assert label in body
        assert message in body
    assert response.context["page_obj"] is None  # no unfiltered list pretending to be filtered


def test_list_sorting_and_paging(make_user: MakeUser, make_enterprise: MakeEnterprise) -> None:
    for i in range(25):
        make_enterprise(f"企业{i:02d}", employees=i)
    client = web_client(make_user(Role.CITY_ADMIN))
    response = client.get("/enterprises/", {"sort": "-employees", "page_size": "10", "page": "2"})
    names = [e.name for e in response.context["page_obj"].object_list]
    assert names == [f"企业{i:02d}" for i in range(14, 4, -1)]
    body = html(response)
    assert "page=3" in body  # a link to the next page keeps the sort
    assert "sort=-employees" in body
    assert "25" in body  # the total count
    # A page past the end shows the last page.
    last = client.get("/enterprises/", {"page_size": "10", "page": "99"})
    assert last.context["page_obj"].number == 3


def test_list_export_and_import_buttons_only_where_they_exist(
    make_user: MakeUser, make_enterprise: MakeEnterprise
) -> None:
    make_enterprise()
    staff_body = html(web_client(make_user(Role.STAFF, unit="county_a")).get("/enterprises/", {"q": "企业"}))
    leader_body = html(web_client(make_user(Role.LEADER)).get("/enterprises/"))
    assert reverse("enterprises:create") in staff_body
    assert reverse("enterprises:create") not in leader_body
    try:
        export_url = reverse("enterprises:export")
    except NoReverseMatch:
        export_url = None
    if export_url:
        assert export_url + "?q=" in staff_body  # with the current filter
    try:
        import_url = reverse("enterprises:import")
    except NoReverseMatch:
        import_url = None
    if import_url:
        assert import_url in staff_body
        assert import_url not in leader_body


def test_VAL_04_names_are_escaped(make_user: MakeUser, make_enterprise: MakeEnterprise) -> None:
    e = make_enterprise("<script>alert(1)</script>有限公司")
    client = web_client(make_user(Role.CITY_ADMIN))
    for url in ("/enterprises/", f"/enterprises/{e.pk}/"):
        body = html(client.get(url))
        assert "<script>alert(1)" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


# ---- detail ----------------------------------------------------------------------------------


def test_detail_shows_profile_figures_and_history(make_user: MakeUser, make_enterprise: MakeEnterprise) -> None:
    staff = make_user(Role.STAFF, unit="county_a")
    e = make_enterprise("淮南光电子材料有限公司", legal_representative="赵六", quals=("专精特新",))
    enterprise_update(acting_user=staff, enterprise=e, data=EnterpriseUpdateInput.parse({"employees": 150}))
    client = web_client(staff)
    client.post(f"/enterprises/{e.pk}/figures/", {"year": "2025", "revenue_wan": "12345.6", "source": "statistics"})
    response = client.get(f"/enterprises/{e.pk}/")
    body = html(response)
    assert response.status_code == 200
    for text in (e.uscc, "赵六", "专精特新", "12,345.60", "2025"):
        assert text in body
    trail = response.context["trail"]
    assert [row.record.action for row in trail] == ["enterprise.figures", "enterprise.update"]
    # The history names the changed field; its value lives in the profile above, not in the
    # audit log the history is read from (issue 12 D4).
    assert [(before, after) for _label, before, after in trail[1].changes] == [("", "已修改")]
    assert "***" not in body
    assert not any("150" in after for _label, _before, after in trail[1].changes)
    assert reverse("enterprises:edit", args=[e.pk]) in body
    assert 'id="figures-form"' in body


def test_detail_for_readers_has_no_edit_controls(make_user: MakeUser, make_enterprise: MakeEnterprise) -> None:
    e = make_enterprise()
    body = html(web_client(make_user(Role.LEADER)).get(f"/enterprises/{e.pk}/"))
    assert reverse("enterprises:edit", args=[e.pk]) not in body
    assert 'id="figures-form"' not in body


def test_figures_form_prefills_a_stored_year_and_reports_errors(
    make_user: MakeUser, make_enterprise: MakeEnterprise
) -> None:
    staff = make_user(Role.STAFF, unit="county_a")
    e = make_enterprise()
    client = web_client(staff)
    assert client.post(f"/enterprises/{e.pk}/figures/", {"year": "2024", "tax_wan": "7.5"}).status_code == 302
    body = html(client.get(f"/enterprises/{e.pk}/", {"year": "2024"}))
    assert 'value="7.50"' in body
    before = db_fingerprint()
    response = client.post(f"/enterprises/{e.pk}/figures/", {"year": "2024", "tax_wan": "七点五"})
    assert response.status_code == 400
    assert response.context["figures_form"].errors["tax_wan"]
    assert_fingerprint_unchanged(before, db_fingerprint())
    assert 'name="editing" value="2024"' in body
    # Typing a stored year into a blank form adds to it: empty boxes clear nothing …
    client.post(f"/enterprises/{e.pk}/figures/", {"year": "2024", "tax_wan": "", "rd_wan": "2"})
    stored = EnterpriseFigure.objects.get(enterprise=e, year=2024)
    assert (stored.tax_wan, stored.rd_wan) == (Decimal("7.50"), Decimal("2.00"))
    # … while in the form filled with that year's values an emptied box clears the figure.
    client.post(f"/enterprises/{e.pk}/figures/", {"year": "2024", "editing": "2024", "tax_wan": "", "rd_wan": "2"})
    assert EnterpriseFigure.objects.get(enterprise=e, year=2024).tax_wan is None


def test_blank_figures_form_proposes_a_year_without_figures(
    make_user: MakeUser, make_enterprise: MakeEnterprise
) -> None:
    from django.utils import timezone

    staff = make_user(Role.STAFF, unit="county_a")
    e = make_enterprise()
    client = web_client(staff)
    last_year = timezone.localdate().year - 1
    assert client.get(f"/enterprises/{e.pk}/").context["editing_year"] == str(last_year)
    client.post(f"/enterprises/{e.pk}/figures/", {"year": str(last_year), "tax_wan": "1"})
    assert client.get(f"/enterprises/{e.pk}/").context["editing_year"] == str(last_year + 1)


# ---- create / edit ---------------------------------------------------------------------------


def test_create_registers_and_redirects_to_detail(make_user: MakeUser) -> None:
    client = web_client(make_user(Role.STAFF, unit="county_a"))
    page = html(client.get("/enterprises/new/"))
    assert 'value="340403"' not in page  # county B is not offered to county A's staff
    response = client.post("/enterprises/new/", form_data())
    e = Enterprise.objects.get(name="淮南智造装备有限公司")
    assert response.status_code == 302
    assert response["Location"] == f"/enterprises/{e.pk}/"
    assert [q.name for q in e.qualifications.all()] == ["科技型中小企业"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"uscc": wrong_check_char(uscc_for(77, "340402"))}, "uscc"),
        ({"founded_on": "2020-13-01"}, "founded_on"),
        ({"org_unit": "nowhere"}, "org_unit"),
        ({"land_mu": "十亩"}, "land_mu"),
        ({"name": ""}, "name"),
    ],
)
def test_VAL_01_form_shows_the_shared_validators_message(
    make_user: MakeUser, overrides: dict[str, Any], field: str
) -> None:
    client = web_client(make_user(Role.STAFF, unit="county_a"))
    before = db_fingerprint()
    response = client.post("/enterprises/new/", form_data(**overrides))
    assert response.status_code == 400
    assert_fingerprint_unchanged(before, db_fingerprint())
    form_errors = response.context["form"].errors[field]
    # Exactly the message the API and the import give for the same value.
    from zhaoyin.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as exc:
        clean_enterprise({k: v for k, v in form_data(**overrides).items()})
    shared = [e["message"] for e in exc.value.errors if e["field"] == field]
    assert list(form_errors) == shared
    assert shared[0] in html(response)


def test_VAL_01_duplicate_credit_code_on_the_form(make_user: MakeUser, make_enterprise: MakeEnterprise) -> None:
    existing = make_enterprise(unit="county_b")
    client = web_client(make_user(Role.STAFF, unit="county_a"))
    response = client.post("/enterprises/new/", form_data(uscc=existing.uscc))
    assert response.status_code == 400
    assert response.context["form"].errors["uscc"]


def test_edit_saves_and_records_version(make_user: MakeUser, make_enterprise: MakeEnterprise) -> None:
    e = make_enterprise("旧名")
    client = web_client(make_user(Role.STAFF, unit="county_a"))
    page = html(client.get(f"/enterprises/{e.pk}/edit/"))
    assert re.search(r'name="version" value="1"', page)
    response = client.post(f"/enterprises/{e.pk}/edit/", form_data(name="新名", uscc=e.uscc, version="1"))
    assert response.status_code == 302
    e.refresh_from_db()
    assert (e.name, e.version, e.industry.code) == ("新名", 2, "equipment")


def test_CONC_01_conflict_keeps_the_input_and_names_what_changed(
    make_user: MakeUser, make_enterprise: MakeEnterprise
) -> None:
    staff = make_user(Role.STAFF, unit="county_a")
    e = make_enterprise("旧名", address="旧地址")
    client = web_client(staff)
    # Someone else saves first.
    enterprise_update(
        acting_user=make_user(Role.CITY_ADMIN),
        enterprise=e,
        data=EnterpriseUpdateInput.parse({"address": "别人改的地址"}),
    )
    response = client.post(
        f"/enterprises/{e.pk}/edit/", form_data(name="我的新名", uscc=e.uscc, address="旧地址", version="1")
    )
    assert response.status_code == 409
    body = html(response)
    assert 'value="我的新名"' in body  # the user's input is kept
    assert response.context["differences"]["address"] == "别人改的地址"
    assert 'name="version" value="2"' in body  # saving again is a deliberate overwrite
    e.refresh_from_db()
    assert (e.name, e.address) == ("旧名", "别人改的地址")
    again = client.post(
        f"/enterprises/{e.pk}/edit/", form_data(name="我的新名", uscc=e.uscc, address="别人改的地址", version="2")
    )
    assert again.status_code == 302
    e.refresh_from_db()
    assert (e.name, e.address, e.version) == ("我的新名", "别人改的地址", 3)


def test_edit_without_version_is_refused(make_user: MakeUser, make_enterprise: MakeEnterprise) -> None:
    e = make_enterprise("旧名")
    client = web_client(make_user(Role.STAFF, unit="county_a"))
    response = client.post(f"/enterprises/{e.pk}/edit/", form_data(name="新名", uscc=e.uscc))
    assert response.status_code == 400
    e.refresh_from_db()
    assert e.name == "旧名"


def test_AC_04_extra_posted_fields_are_ignored(make_user: MakeUser, make_enterprise: MakeEnterprise) -> None:
    e = make_enterprise("旧名")
    client = web_client(make_user(Role.STAFF, unit="county_a"))
    client.post(
        f"/enterprises/{e.pk}/edit/",
        form_data(name="新名", uscc=e.uscc, version="1", search_text="x", created_at="2000-01-01", id="999"),
    )
    e.refresh_from_db()
    assert e.pk != 999
    assert e.search_text.startswith("新名")
