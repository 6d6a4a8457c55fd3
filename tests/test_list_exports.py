"""Every list page exports (issue 16 item 2): the list pages are found by their templates,
each is in ``core.export_pages.LIST_EXPORTS`` (or listed with a reason), its export route
exists and the page links it, opened as a persona the authorization matrix lets in."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.authz_matrix import MATRIX, Row, discover_rows
from tests.world import PERSONAS, World
from zhaoyin.core.export_pages import EXPORT_PENDING, LIST_EXPORTS, NO_EXPORT

discover_rows()
TEMPLATES = Path(__file__).resolve().parent.parent / "zhaoyin" / "templates"
#: What makes a template a list page: the list layout, the filtered list body or a filter bar.
LIST_MARKS = ('extends "includes/list_page.html"', "includes/filtered_list.html", "includes/filter_form.html")
#: Routes that render a list template only to show refused parameters (400): not list pages.
ERROR_PAGE_ONLY = frozenset({"targets:print", "targets:bulletin"})


@pytest.fixture
def world(shared_world: World) -> World:
    return shared_world


def _routes(resolver: URLResolver, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p, f"{namespace}{p.namespace}:" if p.namespace else namespace)
        elif p.name:
            yield namespace + p.name, p


def _is_list_template(name: str) -> bool:
    path = TEMPLATES / name
    return path.is_file() and any(mark in path.read_text(encoding="utf-8") for mark in LIST_MARKS)


def list_pages() -> set[str]:
    """URL names whose view renders a list page template (read from the view's source)."""
    found = set()
    for name, pattern in _routes(get_resolver()):
        try:
            source = inspect.getsource(inspect.unwrap(pattern.callback))
        except (OSError, TypeError):
            continue
        if any(_is_list_template(t) for t in re.findall(r'"([\w/]+\.html)"', source)):
            found.add(name)
    return found


def test_every_list_page_is_decided() -> None:
    pages = list_pages() - ERROR_PAGE_ONLY - set(LIST_EXPORTS.values())
    assert {"matters:list", "projects:list", "apartments:units"} <= pages  # the finder finds
    decided = LIST_EXPORTS.keys() | NO_EXPORT.keys() | EXPORT_PENDING.keys()
    assert not pages - decided, f"list pages with no export decision: {sorted(pages - decided)}"
    assert not LIST_EXPORTS.keys() & (NO_EXPORT.keys() | EXPORT_PENDING.keys())
    assert all(reason.strip() for reason in (*NO_EXPORT.values(), *EXPORT_PENDING.values()))


def _page_row(name: str) -> tuple[Row, str]:
    """The page's first matrix row a persona is let into (200), and that persona."""
    for row in MATRIX:
        if row.target == name and row.method == "GET":
            for persona in PERSONAS:
                if row.expected(persona) == 200:
                    return row, persona
    raise AssertionError(f"{name}: no matrix row lets a persona read it")


@pytest.mark.parametrize("page", sorted(LIST_EXPORTS))
def test_list_page_has_its_export_route_and_links_it(page: str, world: World) -> None:
    export = LIST_EXPORTS[page]
    row, persona = _page_row(page)
    kwargs = dict(row.kwargs(world)) if row.kwargs else {}
    export_path = reverse(export, kwargs=kwargs or None)
    assert any(r.target == export and r.method == "GET" for r in MATRIX), f"{export}: no matrix row"
    response = world.client_for(persona).get(row.url(world))
    assert response.status_code == 200, (page, persona, response.status_code)
    body = response.content.decode()
    assert f'href="{export_path}' in body, f"{page} as {persona}: no link to {export_path}"
