"""The API lists what it serves (issue 16 item 9): every resource with a sub-route
``/x/{id}/…`` has a list ``GET /x``, and ``/x/{id}`` answers ``GET`` where it makes sense, so a
client can learn the id it needs from the API itself (not only from a create's answer)."""

from __future__ import annotations

import re

from config.api import api

#: Prefixes whose sub-routes need no list of their own, and why.
NO_LIST = {
    # A project's 履约 conditions are listed under their project: GET /projects/{id}/mu-conditions.
    "/api/v1/mu-conditions": "listed under GET /projects/{id}/mu-conditions",
}
#: Prefixes whose objects need no GET /x/{id} (everything a client reads is in the list).
NO_DETAIL = {
    "/api/v1/me/benefits": "the list carries every field; the sub-route is an action",
    "/api/v1/me/mu-results": "the list carries every field; the sub-route files an objection",
    "/api/v1/me/subsidy-applications": "the list carries every field; the sub-route is an action",
    "/api/v1/mu-grade-changes": "the list carries every field; the sub-route is the decision",
    "/api/v1/mu-objections": "the list carries every field; the sub-route is the answer",
    "/api/v1/mu-conditions": "listed under their project; DELETE and the matter route act on one",
}
SUB_ROUTE = re.compile(r"^(?P<prefix>.*?)/(?P<id>\{[^}/]+\})/.+$")


def _paths() -> dict[str, dict[str, object]]:
    paths: dict[str, dict[str, object]] = api.get_openapi_schema()["paths"]
    return paths


def test_every_sub_routed_resource_has_a_list() -> None:
    paths = _paths()
    missing = []
    for path in sorted(paths):
        match = SUB_ROUTE.match(path)
        if match is None or "{" in match["prefix"]:
            continue  # a nested resource: its parent's prefix is checked on its own path
        prefix = match["prefix"]
        if prefix not in NO_LIST and "get" not in paths.get(prefix, {}):
            missing.append(f"{path}: no GET {prefix}")
    assert missing == []


def test_every_sub_routed_resource_has_a_detail_or_says_why_not() -> None:
    paths = _paths()
    missing = []
    for path in sorted(paths):
        match = SUB_ROUTE.match(path)
        if match is None or "{" in match["prefix"]:
            continue
        detail = f"{match['prefix']}/{match['id']}"
        if match["prefix"] not in NO_DETAIL and "get" not in paths.get(detail, {}):
            missing.append(f"{path}: no GET {detail}")
    assert missing == []


def test_the_allow_lists_name_only_routes_that_exist() -> None:
    """An entry left behind after its route got a list (or went away) fails here."""
    paths = _paths()
    for prefix in NO_LIST:
        assert "get" not in paths.get(prefix, {}), prefix
        assert any(p.startswith(prefix + "/{") for p in paths), prefix
    for prefix in NO_DETAIL:
        assert not any(re.fullmatch(re.escape(prefix) + r"/\{[^}/]+\}", p) and "get" in paths[p] for p in paths), prefix
        assert any(p.startswith(prefix + "/{") for p in paths), prefix


def test_catalog_editions_are_listed_in_the_document() -> None:
    operation = _paths()["/api/v1/catalog-editions"]["get"]
    assert isinstance(operation, dict)
    names = {p["name"] for p in operation["parameters"]}
    assert {"year", "status", "page", "page_size"} <= names
