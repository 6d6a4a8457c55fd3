"""Enumerate every route the application serves: Django URL patterns and ninja API operations.

Used by the deny-by-default walk (AC-01, AC-08) and the matrix completeness test (AC-02):
whatever is reachable must be listed here, so nothing can ship without a rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from zhaoyin.core.authz import RULE_ATTR, Rule, rule_of

API_PREFIX = "/api/v1"

# Values put into path parameters when a URL is requested without a real object: ids that
# do not exist, so a view that forgets its rule still cannot show data by accident.
DUMMY_BY_CONVERTER = {
    "int": "1",
    "str": "dummy",
    "slug": "dummy",
    "path": "dummy",
    "uuid": "00000000-0000-0000-0000-000000000001",
}


@dataclass(frozen=True)
class WebRoute:
    """One Django URL pattern, with its full route and namespaced name."""

    route: str  # e.g. "enterprises/<int:pk>/"
    name: str | None  # e.g. "enterprises:detail"
    callback: Callable[..., Any]
    regex: bool  # True when some part of the route is a regular expression

    @property
    def rule(self) -> Rule | None:
        return rule_of(self.callback)

    @property
    def is_api(self) -> bool:
        return ("/" + self.route).startswith(API_PREFIX + "/")

    def sample_path(self) -> str:
        """The route with every parameter replaced by a dummy value."""
        return "/" + fill_route(self.route)


@dataclass(frozen=True)
class ApiOperation:
    """One ninja operation: a method on a path, with the view function ninja calls."""

    method: str
    path: str  # e.g. "/api/v1/enterprises/{id}"
    view_func: Callable[..., Any]

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def rule(self) -> Rule | None:
        rule = getattr(self.view_func, RULE_ATTR, None)
        return rule if isinstance(rule, Rule) else None

    def sample_path(self) -> str:
        return re.sub(r"\{[^}]+\}", "1", self.path)


_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


def fill_route(route: str, values: dict[str, Any] | None = None) -> str:
    """Replace ``<conv:name>`` parameters with ``values[name]`` or a dummy for the converter."""
    values = values or {}

    def sub(m: re.Match[str]) -> str:
        name = m.group("name")
        if name in values:
            return str(values[name])
        return DUMMY_BY_CONVERTER.get(m.group("conv") or "str", "dummy")

    return _PARAM.sub(sub, route)


def _route_text(pattern: Any) -> tuple[str, bool]:
    # str() of a pattern is its route (RoutePattern) or its regular expression (RegexPattern).
    if isinstance(pattern, RoutePattern):
        return str(pattern), False
    if isinstance(pattern, RegexPattern):
        return str(pattern).lstrip("^").rstrip("$").replace("\\Z", ""), True
    return str(pattern), True


def web_routes() -> list[WebRoute]:
    """Every URL pattern of the root URLconf, resolved includes flattened."""
    out: list[WebRoute] = []

    def walk(patterns: list[Any], prefix: str, namespace: str, regex: bool) -> None:
        for p in patterns:
            text, is_regex = _route_text(p.pattern)
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}{p.namespace}:"
                walk(p.url_patterns, prefix + text, ns, regex or is_regex)
            elif isinstance(p, URLPattern):
                name = f"{namespace}{p.name}" if p.name else None
                out.append(WebRoute(prefix + text, name, p.callback, regex or is_regex))

    walk(get_resolver().url_patterns, "", "", False)
    return out


def api_operations() -> list[ApiOperation]:
    """Every operation of the NinjaAPI, from the routers config.api mounts (what is served)."""
    from ninja.utils import normalize_path

    from config.api import ROUTERS

    out: list[ApiOperation] = []
    for prefix, router in ROUTERS:
        for path, path_view in router.path_operations.items():
            # The same joining ninja does when it binds a router, so the path is the served one.
            route = normalize_path("/".join(i for i in (prefix, path) if i)).lstrip("/")
            full = f"{API_PREFIX}/{route}"
            for operation in path_view.operations:
                for method in operation.methods:
                    out.append(ApiOperation(method.upper(), full, operation.view_func))
    return out
