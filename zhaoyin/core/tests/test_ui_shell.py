"""The UI shell: navigation by role, strict-CSP markup, language switch, home page, partials
and the template helpers (issue 2 item 9)."""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.core.roles import Role
from zhaoyin.core.templatetags import zhaoyin_ui
from zhaoyin.enterprises.models import Enterprise, Industry

VENDOR = Path(settings.PACKAGE_DIR) / "static" / "vendor"


class Markup(HTMLParser):
    """Collects what a strict CSP cares about: scripts, style attributes and elements."""

    def __init__(self) -> None:
        super().__init__()
        self.inline_scripts: list[dict[str, str | None]] = []
        self.external: list[str] = []
        self.style_attrs: list[str] = []
        self.style_elements = 0
        self.event_handlers: list[str] = []
        self.html_lang: str | None = None
        self.nav_links: list[str] = []
        self._in_sidebar = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "script":
            if a.get("src"):
                self.external.append(a["src"] or "")
            elif a.get("type") != "application/json":
                self.inline_scripts.append(a)
        if tag in ("link", "img") and (a.get("href") or a.get("src")):
            self.external.append(a.get("href") or a.get("src") or "")
        if tag == "style":
            self.style_elements += 1
        for name, _value in attrs:
            if name == "style":
                self.style_attrs.append(tag)
            if name.startswith("on"):
                self.event_handlers.append(f"{tag}[{name}]")
        if tag == "nav" and "zy-sidebar" in (a.get("class") or ""):
            self._in_sidebar = 1
        elif self._in_sidebar and tag == "nav":
            self._in_sidebar += 1
        if self._in_sidebar and tag == "a" and a.get("href"):
            self.nav_links.append(a["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self._in_sidebar:
            self._in_sidebar -= 1


def parse(html: bytes) -> Markup:
    m = Markup()
    m.feed(html.decode())
    return m


def signed_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def industries(db: Any) -> list[Industry]:
    return [
        Industry.objects.create(code=f"UI-T{i}", name=name, emerging=i < 2, sort_order=i)
        for i, name in enumerate(["测试新兴甲", "测试新兴乙", "测试传统丙", "测试传统丁"])
    ]


def add_enterprises(unit: OrgUnit, industries: list[Industry], n: int, start: int = 0) -> None:
    # Rows made directly: these tests are about what the home page counts, not how records
    # are written (the enterprises app tests its own services).
    Enterprise.objects.bulk_create(
        Enterprise(
            name=f"测试企业{start + k}",
            uscc=f"91340400TEST{start + k:06d}",
            org_unit=unit,
            industry=industries[k % len(industries)],
            size_class="above" if k % 3 == 0 else "below",
        )
        for k in range(n)
    )


# ---- navigation ---------------------------------------------------------------------------

def test_AC_01_nav_shows_staff_only_business_modules(client: Client, make_user: Any) -> None:
    staff = make_user(Role.STAFF, "county_a")
    response = signed_in(client, staff).get("/")
    assert response.status_code == 200
    links = parse(response.content).nav_links
    assert "/" in links
    assert "/enterprises/" in links
    assert "/audit/" not in links
    assert "/accounts/users/" not in links
    assert "/calendar/" not in links


def test_AC_05_nav_shows_auditor_only_audit_log(client: Client, make_user: Any) -> None:
    auditor = make_user(Role.AUDITOR)
    response = signed_in(client, auditor).get("/")
    links = parse(response.content).nav_links
    assert "/audit/" in links
    assert "/enterprises/" not in links
    assert "/accounts/users/" not in links
    assert "/calendar/" not in links


@pytest.mark.parametrize("role", [Role.STAFF, Role.CITY_ADMIN, Role.AUDITOR, Role.SECURITY_ADMIN, Role.SYSADMIN])
def test_nav_has_no_dead_links(client: Client, make_user: Any, role: Role) -> None:
    """Every menu entry a user is shown opens for that user (no 403, no 404)."""
    user = make_user(role)
    signed_in(client, user)
    links = parse(client.get("/").content).nav_links
    assert links
    for href in links:
        assert client.get(href).status_code == 200, href


def test_top_bar_names_user_unit_and_role(client: Client, make_user: Any) -> None:
    staff = make_user(Role.STAFF, "county_a", full_name="李四")
    html = signed_in(client, staff).get("/").content.decode()
    assert "李四" in html
    assert "大通区" in html
    assert "zy-role-badge" in html


def test_sign_out_is_a_post_form_with_a_button(client: Client, make_user: Any) -> None:
    html = signed_in(client, make_user(Role.STAFF)).get("/").content.decode()
    assert re.search(r'<form action="/accounts/logout/" method="post"[^>]*>.*?<button', html, re.S)


# ---- strict CSP ------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.STAFF, Role.AUDITOR])
def test_CFG_csp_pages_have_no_inline_script_or_style(
    client: Client, make_user: Any, org_tree: dict[str, OrgUnit], industries: list[Industry], role: Role
) -> None:
    add_enterprises(org_tree["county_a"], industries, 6)
    user = make_user(role, "county_a")
    for response in (client.get("/accounts/login/"), signed_in(client, user).get("/")):
        assert response.status_code == 200
        markup = parse(response.content)
        assert markup.inline_scripts == []
        assert markup.style_attrs == []
        assert markup.style_elements == 0
        assert markup.event_handlers == []
        # No CDN: every script, stylesheet and image comes from our own static files.
        assert markup.external
        assert all(src.startswith(settings.STATIC_URL) for src in markup.external), markup.external


def test_CFG_csp_header_is_strict(client: Client, make_user: Any) -> None:
    for response in (client.get("/accounts/login/"), signed_in(client, make_user(Role.STAFF)).get("/")):
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "style-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "unsafe-eval" not in csp


def test_htmx_configured_to_inject_no_styles(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()
    match = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert match
    assert '"includeIndicatorStyles": false' in match.group(1)


def test_chart_data_is_json_not_script(
    client: Client, make_user: Any, org_tree: dict[str, OrgUnit], industries: list[Industry]
) -> None:
    add_enterprises(org_tree["county_a"], industries, 4)
    html = signed_in(client, make_user(Role.STAFF, "county_a")).get("/").content.decode()
    assert '<script id="zy-home-industry-data" type="application/json">' in html
    assert 'class="zy-chart"' in html
    assert "vendor/echarts/echarts.min.js" in html


# ---- language -------------------------------------------------------------------------------

def test_language_defaults_to_chinese_and_switches_to_english(client: Client, make_user: Any) -> None:
    signed_in(client, make_user(Role.STAFF))
    assert parse(client.get("/").content).html_lang == "zh-CN"
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert parse(client.get("/").content).html_lang == "en"
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert parse(client.get("/").content).html_lang == "zh-CN"


def test_pages_are_chinese_whatever_the_browser_asks(client: Client, make_user: Any) -> None:
    """Chinese by default: an English browser still gets zh-hans until the user switches."""
    assert parse(client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content).html_lang == "zh-CN"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert parse(client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-CN").content).html_lang == "en"


def test_language_switch_works_before_sign_in(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert parse(client.get("/accounts/login/").content).html_lang == "en"


def test_language_switch_refuses_an_offsite_next(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert "evil.example" not in response.get("Location", "")


# ---- home page ------------------------------------------------------------------------------

def test_AC_03_home_counts_only_enterprises_in_scope(
    client: Client, make_user: Any, org_tree: dict[str, OrgUnit], industries: list[Industry]
) -> None:
    add_enterprises(org_tree["county_a"], industries, 5)
    add_enterprises(org_tree["park_a"], industries, 2, start=100)  # below county A
    add_enterprises(org_tree["county_b"], industries, 7, start=200)
    response = signed_in(client, make_user(Role.STAFF, "county_a")).get("/")
    kpis = response.context["home"].kpis
    assert kpis[0].value == 7
    assert kpis[0].url == "/enterprises/"
    chart = response.context["home"].chart
    assert sum(item["value"] for item in chart["items"]) == 7
    first = chart["items"][0]
    industry = Industry.objects.get(name=first["name"])
    assert first["url"] == f"/enterprises/?industry={industry.pk}"


def test_home_city_admin_sees_the_whole_city(
    client: Client, make_user: Any, org_tree: dict[str, OrgUnit], industries: list[Industry]
) -> None:
    add_enterprises(org_tree["county_a"], industries, 3)
    add_enterprises(org_tree["county_b"], industries, 4, start=100)
    response = signed_in(client, make_user(Role.CITY_ADMIN)).get("/")
    assert response.context["home"].kpis[0].value == 7


def test_home_groups_small_industries_as_other(
    client: Client, make_user: Any, org_tree: dict[str, OrgUnit]
) -> None:
    many = [Industry.objects.create(code=f"UI-M{i}", name=f"测试行业{i:02d}") for i in range(15)]
    add_enterprises(org_tree["county_a"], many, 15)
    chart = signed_in(client, make_user(Role.CITY_ADMIN)).get("/").context["home"].chart
    assert len(chart["items"]) == 13
    assert chart["items"][-1]["url"] == ""
    assert sum(item["value"] for item in chart["items"]) == 15


@pytest.mark.parametrize(
    ("role", "own", "others"),
    [
        (Role.SYSADMIN, "/calendar/", ["/accounts/users/", "/audit/", "/enterprises/"]),
        (Role.SECURITY_ADMIN, "/accounts/users/", ["/calendar/", "/audit/", "/enterprises/"]),
        (Role.AUDITOR, "/audit/", ["/calendar/", "/accounts/users/", "/enterprises/"]),
    ],
)
def test_AC_05_home_for_admin_roles_offers_own_functions_only(
    client: Client, make_user: Any, org_tree: dict[str, OrgUnit], industries: list[Industry],
    role: Role, own: str, others: list[str],
) -> None:
    add_enterprises(org_tree["county_a"], industries, 3)
    response = signed_in(client, make_user(role)).get("/")
    home = response.context["home"]
    assert home.kind == "admin"
    assert home.kpis == []
    assert home.chart is None
    assert [s.url for s in home.shortcuts] == [own]
    html = response.content.decode()
    assert "zy-kpi" not in html
    main = html.split('id="zy-content"', 1)[1]
    for url in others:
        assert f'href="{url}"' not in main


def test_home_for_portal_users_has_no_city_figures(
    client: Client, make_user: Any, org_tree: dict[str, OrgUnit], industries: list[Industry]
) -> None:
    add_enterprises(org_tree["county_a"], industries, 3)
    response = signed_in(client, make_user(Role.TALENT, "county_a")).get("/")
    assert response.status_code == 200
    home = response.context["home"]
    assert home.kind == "portal"
    assert home.kpis == []
    assert home.chart is None


def test_home_query_count_is_constant(
    client: Client, make_user: Any, org_tree: dict[str, OrgUnit], industries: list[Industry]
) -> None:
    signed_in(client, make_user(Role.STAFF, "county_a"))
    add_enterprises(org_tree["county_a"], industries[:1], 1)
    client.get("/")  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as small:
        client.get("/")
    more = [Industry.objects.create(code=f"UI-Q{i}", name=f"测试更多行业{i}") for i in range(20)]
    add_enterprises(org_tree["county_a"], industries + more, 300, start=1000)
    with CaptureQueriesContext(connection) as large:
        client.get("/")
    assert len(large) == len(small)


def test_home_with_no_enterprises_shows_empty_state(client: Client, make_user: Any) -> None:
    response = signed_in(client, make_user(Role.STAFF, "county_a")).get("/")
    assert response.context["home"].chart is None
    assert "zy-empty" in response.content.decode()
    assert "echarts" not in response.content.decode()


# ---- vendored assets ------------------------------------------------------------------------

@pytest.mark.parametrize(
    "path",
    [
        "bootstrap/css/bootstrap.min.css",
        "bootstrap/js/bootstrap.bundle.min.js",
        "bootstrap/LICENSE",
        "bootstrap-icons/bootstrap-icons.min.css",
        "bootstrap-icons/fonts/bootstrap-icons.woff2",
        "bootstrap-icons/LICENSE",
        "echarts/echarts.min.js",
        "echarts/LICENSE",
        "echarts/NOTICE",
        "htmx/htmx.min.js",
        "htmx/LICENSE",
    ],
)
def test_vendored_asset_present(path: str) -> None:
    assert (VENDOR / path).is_file()


def test_vendored_versions_are_documented() -> None:
    text = (VENDOR / "VERSIONS.md").read_text(encoding="utf-8")
    for package, version in [
        ("bootstrap", "5.3."), ("bootstrap-icons", "1."), ("echarts", "6."), ("htmx.org", "2."),
    ]:
        assert re.search(rf"\| {re.escape(package)} \| {re.escape(version)}", text), package
    assert "5.3." in (VENDOR / "bootstrap/css/bootstrap.min.css").read_text()[:200]
    assert 'version:"2.' in (VENDOR / "htmx/htmx.min.js").read_text()


def test_no_cdn_in_templates() -> None:
    templates = Path(settings.PACKAGE_DIR) / "templates"
    for path in templates.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(src|href)=\"(https?:)?//", text), path


# ---- template helpers -----------------------------------------------------------------------

rf = RequestFactory()


def test_querystring_replace_replaces_adds_and_removes() -> None:
    request = rf.get("/enterprises/", {"q": "淮南", "industry": ["1", "2"], "page": "4"})
    result = zhaoyin_ui.querystring_replace(request, "page", 5)
    assert result.startswith("?")
    parsed = dict(p.split("=") for p in result[1:].split("&"))
    assert parsed["page"] == "5"
    assert result.count("industry=") == 2  # multi-valued filters survive
    assert "page" not in zhaoyin_ui.querystring_replace(request, "page", None)
    assert "q=" not in zhaoyin_ui.querystring_replace(request, "q", "", "page", 1)
    assert zhaoyin_ui.querystring_replace(rf.get("/"), "page", None) == "?"


def test_querystring_replace_in_a_template_is_escaped() -> None:
    request = rf.get("/x/", {"q": '"><script>'})
    html = Template("{% load zhaoyin_ui %}<a href=\"{% querystring_replace request 'page' 2 %}\">").render(
        Context({"request": request})
    )
    assert "<script>" not in html
    assert "&amp;page=2" in html or "page=2&amp;" in html


def test_querystring_replace_needs_pairs() -> None:
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        zhaoyin_ui.querystring_replace(rf.get("/"), "page")


def test_querystring_hidden_carries_filters_but_not_page() -> None:
    request = rf.get("/x/", {"q": 'a"b', "page": "3", "page_size": "50", "industry": ["1", "2"]})
    html = str(zhaoyin_ui.querystring_hidden(request, exclude="page_size"))
    assert 'name="q" value="a&quot;b"' in html
    assert 'name="page"' not in html
    assert 'name="page_size"' not in html
    assert html.count('name="industry"') == 2


def test_sort_link_toggles_direction_and_resets_page() -> None:
    def link(query: dict[str, str]) -> str:
        request = rf.get("/e/", query)
        return str(zhaoyin_ui.sort_link(Context({"request": request}), "name", "名称"))

    unsorted = link({"page": "3"})
    assert "?sort=name" in unsorted
    assert "page=" not in unsorted
    assert 'aria-sort="none"' in unsorted
    ascending = link({"sort": "name"})
    assert "sort=-name" in ascending
    assert "bi-sort-up" in ascending
    assert 'aria-sort="ascending"' in ascending
    descending = link({"sort": "-name"})
    assert "sort=name" in descending
    assert "sort=-name" not in descending
    assert "bi-sort-down" in descending
    other = link({"sort": "-founded_on"})
    assert "sort=name" in other
    assert 'aria-sort="none"' in other


def test_sort_link_escapes_label() -> None:
    html = str(zhaoyin_ui.sort_link(Context({"request": rf.get("/")}), "name", "<b>x</b>"))
    assert "<b>" not in html
    assert "&lt;b&gt;" in html


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("12345.6"), "12,345.60"),
        (Decimal("0.005"), "0.01"),  # half-up, as finance staff round
        (Decimal("-1234.565"), "-1,234.57"),
        (27800, "27,800.00"),
        ("1,234.5", "1,234.50"),
        (0.1, "0.10"),
        (None, "—"),
        ("", "—"),
        ("abc", "—"),
        (Decimal("NaN"), "—"),
    ],
)
def test_wan_filter(value: Any, expected: str) -> None:
    assert zhaoyin_ui.wan(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("27800"), "2.78"),  # 汉邦日化 二期: 27 800 万元 = 2.78 亿元
        (Decimal("250000"), "25.00"),
        (Decimal("5109300"), "510.93"),
        (Decimal("5"), "0.00"),
        (Decimal("50"), "0.01"),
        (None, "—"),
    ],
)
def test_yi_filter(value: Any, expected: str) -> None:
    assert zhaoyin_ui.yi(value) == expected


def test_wan_and_yi_in_a_template_with_places() -> None:
    html = Template("{% load zhaoyin_ui %}{{ a|wan:0 }}|{{ a|yi:4 }}|{{ b|wan }}").render(
        Context({"a": Decimal("123456.78"), "b": None})
    )
    assert html == "123,457|12.3457|—"


def test_money_filter_picks_the_unit() -> None:
    from django.utils import translation

    with translation.override("en"):
        assert zhaoyin_ui.money(Decimal("27800")) == "2.78 hundred million yuan"
        assert zhaoyin_ui.money(Decimal("9999")) == "9,999.00 ten thousand yuan"
        assert zhaoyin_ui.money(None) == "—"


def test_message_class_maps_error_to_danger() -> None:
    assert zhaoyin_ui.message_class("error") == "danger"
    assert zhaoyin_ui.message_class("success") == "success"
    assert zhaoyin_ui.message_class("debug") == "secondary"


def test_active_class() -> None:
    request = rf.get("/enterprises/12/")
    assert zhaoyin_ui.active_class(request, "/enterprises/") == "active"
    assert zhaoyin_ui.active_class(request, "/") == ""
    assert zhaoyin_ui.active_class(rf.get("/"), "/") == "active"


def test_split_and_getlist_filters() -> None:
    assert zhaoyin_ui.split_ints("20, 50,x,100") == [20, 50, 100]
    assert zhaoyin_ui.split_ints([10, "20"]) == [10, 20]
    assert zhaoyin_ui.split_names("sort, page_size,") == ["sort", "page_size"]
    assert zhaoyin_ui.getlist(rf.get("/", {"a": ["1", "2"]}).GET, "a") == ["1", "2"]
    assert zhaoyin_ui.getlist({}, "a") == []


class DemoFilter(forms.Form):
    q = forms.CharField(label="Search", required=False)
    industry = forms.ChoiceField(label="Industry", required=False, choices=[("", "All"), ("1", "煤炭")])
    emerging = forms.BooleanField(label="Emerging", required=False)


def test_ui_field_adds_bootstrap_classes() -> None:
    form = DemoFilter({"q": "x", "industry": "1"})
    assert 'class="form-control form-control-sm"' in str(zhaoyin_ui.ui_field(form["q"]))
    assert 'placeholder="Search"' in str(zhaoyin_ui.ui_field(form["q"]))
    assert "form-select form-select-sm" in str(zhaoyin_ui.ui_field(form["industry"]))
    assert "form-check-input" in str(zhaoyin_ui.ui_field(form["emerging"]))
    bad = DemoFilter({"industry": "9"})
    bad.is_valid()
    assert "is-invalid" in str(zhaoyin_ui.ui_field(bad["industry"]))


# ---- partials -------------------------------------------------------------------------------

def render(template: str, **context: Any) -> str:
    return Template("{% load i18n %}" + template).render(Context(context))


def test_pagination_partial_shows_pages_count_and_keeps_filters() -> None:
    request = rf.get("/enterprises/", {"q": "淮南", "page": "6"})
    page = Paginator(list(range(1000)), 20).page(6)
    html = render('{% include "includes/pagination.html" %}', request=request, page_obj=page)
    assert "1000" in html
    assert 'aria-current="page"><span class="page-link">6</span>' in html
    assert "…" in html
    assert "?q=%E6%B7%AE%E5%8D%97&amp;page=7" in html
    assert 'name="q" value="淮南"' in html  # the page-size form keeps the filter
    assert '<option value="20" selected>' in html
    assert "style=" not in html


def test_pagination_partial_single_page_has_no_page_links() -> None:
    page = Paginator([1, 2], 20).page(1)
    html = render('{% include "includes/pagination.html" %}', request=rf.get("/"), page_obj=page)
    assert "page-link" not in html
    assert "2" in html


def test_filter_form_partial() -> None:
    request = rf.get("/enterprises/", {"q": "煤", "sort": "-name", "page": "3"})
    form = DemoFilter(request.GET)
    html = render('{% include "includes/filter_form.html" %}', request=request, form=form)
    assert 'method="get"' in html
    assert 'action="/enterprises/"' in html
    assert 'name="sort" value="-name"' in html
    assert 'name="page"' not in html
    assert 'href="/enterprises/"' in html  # reset
    assert "bi-search" in html
    assert "form-select" in html


def test_table_toolbar_export_keeps_query_without_page() -> None:
    request = rf.get("/enterprises/", {"q": "煤", "page": "3"})
    page = Paginator(list(range(45)), 20).page(3)
    html = render(
        '{% include "includes/table_toolbar.html" with export_url="/enterprises/export/" %}',
        request=request, page_obj=page,
    )
    assert 'href="/enterprises/export/?q=%E7%85%A4"' in html
    assert "45" in html


def test_table_toolbar_without_export_url_has_no_button() -> None:
    html = render('{% include "includes/table_toolbar.html" with count=3 %}', request=rf.get("/"))
    assert "bi-download" not in html
    assert "3" in html


def test_table_toolbar_counts_zero() -> None:
    page: Page[Any] = Paginator([], 20).page(1)
    html = render('{% include "includes/table_toolbar.html" with count=0 %}', request=rf.get("/"), page_obj=page)
    assert "共 0 条记录" in html  # the UI speaks zh-hans by default
    html = render('{% include "includes/table_toolbar.html" %}', request=rf.get("/"), page_obj=page)
    assert "共 0 条记录" in html  # the UI speaks zh-hans by default


def test_record_total() -> None:
    page = Paginator(list(range(7)), 5).page(1)
    assert zhaoyin_ui.record_total(3, page) == 3
    assert zhaoyin_ui.record_total(0, page) == 0
    assert zhaoyin_ui.record_total("", page) == 7
    assert zhaoyin_ui.record_total("", "") == 0


def test_empty_partial() -> None:
    html = render('{% include "includes/empty.html" with message="没有记录" %}')
    assert "没有记录" in html
    assert "bi-inbox" in html
