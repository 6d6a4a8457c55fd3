"""Chinese everywhere (issue 16 item 3): every page, as every demo role, in zh-hans.

The demo is loaded, each demo account signs in, and a crawler starting from the home page and
from every route without parameters the account's role may open follows the links and the
htmx fragments it finds (one page per route and set of query keys, two per route at most), so
each route is reached with ids the account really sees. Every page's visible text — and the
attributes people read: title, placeholder, aria-label, alt, a button's value — must hold no
internal identifier: no snake_case or dotted codes, no ``type#id``, no kebab-case unit codes,
no p25 / p75 or n= and no untranslated actor words.

What is data is not judged: text inside an element marked ``translate="no"`` (the HTML way of
saying "this is a value, not wording": usernames, credit codes, project codes, file names in
the templates that show them) and the values the demo's records hold as data (usernames).
The tokens people know as they are (USCC, PDF, Excel …) are allowed.
"""

from __future__ import annotations

import re
import time
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from conftest import LoadDemo
from tests.urlwalk import web_routes
from zhaoyin.accounts.models import User
from zhaoyin.core.roles import Role
from zhaoyin.demo.accounts import DEMO_ACCOUNTS

YEAR = 2026

#: Routes not followed: downloads (files, exports, documents) are not pages, and signing out
#: or switching the language would end the walk.
SKIP_ROUTE = re.compile(
    r"(export|pdf|docx|xlsx|file|evidence|template|errors|download|logout|set_language|reveal|healthz|"
    r"supervision_order|bulletin|flowchart|chart_data|_data$)"
)
#: Pages per route name, and per (route name, query keys).
PER_ROUTE = 2

#: Identifier-like tokens that are wording people know (kept as they are in Chinese offices).
#: ``sg-01`` is the example of a service group's code in the import notes: what the workbook's
#: column takes.
ALLOWED = frozenset({"e-mail", "x-axis", "utf-8", "wi-fi", "sg-01"})
#: Words of an untranslated actor or value (the change histories' "anonymous", "cli" …).
ENGLISH_LEFTOVERS = re.compile(r"\b(anonymous|cli|system|none|true|false|null)\b")
IDENTIFIER = re.compile(
    r"(?<![\w./@-])("
    r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+"  # snake_case
    r"|[a-z][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+(?:#\d+)?"  # dotted.codes, accounts.user#11
    r"|[a-z][a-z0-9_]*#\d+"  # user#11
    r"|[a-z]+(?:-[a-z0-9]+)+"  # kebab codes: park-gxq, dept-zsfw
    r")(?![\w@-])"
)
STATISTICS = re.compile(r"\bp(?:10|25|50|75|90)\b|\bn\s*=\s*\d")
FILE_EXTENSIONS = ("pdf", "docx", "doc", "xlsx", "xls", "png", "jpg", "jpeg", "ofd", "wps", "et", "ppt", "pptx", "zip")
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
#: Not read as wording: code, and a text area's content, which is a value being edited (a
#: rule tree's JSON) like an input's value.
SKIP_ELEMENTS = frozenset({"script", "style", "template", "svg", "noscript", "textarea"})
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


class Page(HTMLParser):
    """The text a person reads on a page, and the links (and htmx fragments) it leads to."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self._stack: list[tuple[str, bool]] = []  # (tag, hidden: skipped or data)

    @property
    def _hidden(self) -> bool:
        return bool(self._stack) and self._stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for key in ("href", "hx-get"):
            if a.get(key, "").startswith("/"):
                self.links.append(a[key])
        hidden = self._hidden or tag in SKIP_ELEMENTS or a.get("translate") == "no"
        if not self._hidden and a.get("translate") != "no":  # a text area's placeholder is read
            self.texts.extend(a[k] for k in READ_ATTRIBUTES if a.get(k))
            # A submit input shows its value; a <button>'s value is sent, not shown.
            if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
                self.texts.append(a["value"])
        if tag not in VOID:
            self._stack.append((tag, hidden))

    def handle_endtag(self, tag: str) -> None:
        # Pop to the matching tag: pages are well formed, but be lenient with stray end tags.
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.texts.append(data)


def identifiers(text: str, allowed: frozenset[str]) -> list[str]:
    """The internal identifiers in a piece of visible text (data and allowed tokens left out)."""
    found = []
    for m in IDENTIFIER.finditer(text):
        token = m.group(1)
        if token in allowed or token.lower() in ALLOWED:
            continue
        if "." in token and token.rsplit(".", 1)[1] in FILE_EXTENSIONS:
            continue  # a file's name is data
        found.append(token)
    found += [m.group(0) for m in STATISTICS.finditer(text)]
    found += [m.group(0) for m in ENGLISH_LEFTOVERS.finditer(text)]
    return found


def test_identifier_finder_tells_codes_from_wording() -> None:
    """The finder itself: it flags the issue's examples and leaves Chinese, numbers and data alone."""
    allowed = frozenset({"demo_staff"})
    for bad in ("external_funds", "signed_100m", "auth.login", "accounts.user#11", "dept-zsfw", "park-gxq",
                "p25 / p75", "n=1", "由 anonymous 修改", "cli"):
        assert identifiers(bad, allowed), bad
    for fine in ("2026年12月7日", "USCC 91340400MA2N0XYZ1K", "合同.pdf", "demo_staff", "PDF", "Excel", "TOTP",
                 "2026-12-07", "第 3 页", "110.5 亿元", "E-mail"):
        assert not identifiers(fine, allowed), fine


def _route_key(path: str) -> tuple[str, str] | None:
    parts = urlsplit(path)
    if parts.path.startswith(("/static/", "/api/", "/media/")):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    name = match.view_name
    if SKIP_ROUTE.search(name):
        return None
    keys = ",".join(sorted({k for k, _v in parse_qsl(parts.query, keep_blank_values=True)} - {"page"}))
    return name, keys


def _seeds(role: Role) -> list[str]:
    out = ["/"]
    for r in web_routes():
        rule = r.rule
        if r.is_api or rule is None or rule.public or "<" in r.route or r.regex:
            continue
        if rule.roles and role not in rule.roles:
            continue
        out.append("/" + r.route)
    return out


def walk(client: Client, role: Role, allowed: frozenset[str]) -> tuple[dict[str, list[str]], int]:
    """Crawl as one signed-in account: {page: identifiers found}, and how many pages were read."""
    queue = deque(_seeds(role))
    per_name: dict[str, int] = {}
    seen_keys: set[tuple[str, str]] = set()
    seen_paths: set[str] = set()
    problems: dict[str, list[str]] = {}
    read = 0
    while queue:
        path = queue.popleft()
        key = _route_key(path)
        if key is None or path in seen_paths or key in seen_keys or per_name.get(key[0], 0) >= PER_ROUTE:
            continue
        seen_paths.add(path)
        seen_keys.add(key)
        per_name[key[0]] = per_name.get(key[0], 0) + 1
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        read += 1
        page = Page()
        page.feed(response.content.decode())
        found = sorted({token for text in page.texts for token in identifiers(text, allowed)})
        if found:
            problems[path] = found
        queue.extend(page.links)
    return problems, read


@pytest.mark.one_pass("sqlite", reason="what a page says does not depend on the database; the walk is slow")
@pytest.mark.django_db
def test_every_page_for_every_demo_role_speaks_chinese(load_demo: LoadDemo) -> None:
    """Issue 16 item 3 acceptance: no untranslated identifier on any page for any demo role."""
    load_demo(YEAR)
    started = time.monotonic()
    # Usernames are what people type to sign in: data, shown as they are.
    allowed = frozenset(User.objects.values_list("username", flat=True))
    report = []
    total = 0
    for account in DEMO_ACCOUNTS:
        client = Client()
        client.force_login(User.objects.get(username=account.username),
                           backend="zhaoyin.accounts.backends.ZhaoyinBackend")
        problems, read = walk(client, account.role, allowed)
        total += read
        assert read >= 3, f"{account.username}: only {read} pages read; the walk is broken"
        report += [f"{account.username} {path}: {', '.join(tokens)}" for path, tokens in sorted(problems.items())]
    assert not report, f"internal identifiers on {len(report)} pages ({total} read):\n  " + "\n  ".join(report)
    # About 650 pages in a minute of CPU; the bound only catches a walk that ran away.
    assert time.monotonic() - started < 600
