"""Deny by default (AC-01) and no state change by GET or without a CSRF token (AC-08).

Walks every URL pattern of the root URLconf and every operation of the API; whatever is
added later is covered without touching this file.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from tests.urlwalk import ApiOperation, WebRoute, api_operations, web_routes
from tests.world import World
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import NON_BUSINESS_MODELS, db_fingerprint, fingerprint_changes

#: The explicit allow-list of routes reachable without signing in (AC-01). Adding to it is
#: a security decision: say why in the commit.
PUBLIC_WEB = frozenset({"core:healthz", "core:set_language", "accounts:login"})
PUBLIC_API = frozenset({"POST /api/v1/auth/token"})
#: Patterns ninja adds itself: the OpenAPI document (public: it describes, it holds no data)
#: and the API root (always 404).
NINJA_OWN = frozenset({"api:openapi-json", "api:api-root"})

REFUSED = frozenset({302, 401, 403, 404, 405})


@pytest.fixture
def world(shared_world: World) -> World:
    """The tests of this module share one world, built once (tests/conftest.py ``module_world``)."""
    return shared_world


def _api_shape(path: str) -> str:
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", "/" + path.lstrip("/"))


def _operations_by_shape() -> dict[str, list[ApiOperation]]:
    out: dict[str, list[ApiOperation]] = {}
    for op in api_operations():
        out.setdefault(_api_shape(op.path), []).append(op)
    return out


def test_AC_01_every_url_pattern_has_an_authorization_rule() -> None:
    missing = [f"/{r.route} ({r.name or 'unnamed'}, {getattr(r.callback, '__module__', '?')})"
               for r in web_routes() if r.rule is None]
    assert not missing, "URL patterns without @allow/@public (the middleware refuses them):\n  " + "\n  ".join(missing)


def test_AC_01_every_api_operation_has_an_authorization_rule() -> None:
    operations = api_operations()
    assert operations, "no API operations found: the walk is broken"
    missing = [f"{op.key} ({op.view_func.__module__}.{op.view_func.__name__})" for op in operations if op.rule is None]
    assert not missing, "API operations without @api_allow (under the router decorator):\n  " + "\n  ".join(missing)


def test_AC_01_only_api_routes_delegate_their_rule() -> None:
    """A delegated rule outside /api/v1 would be a hole: nothing would check it."""
    shapes = _operations_by_shape()
    wrong = []
    for r in web_routes():
        rule = r.rule
        if rule is not None and rule.delegated_to_api and not r.is_api:
            wrong.append(f"/{r.route} is not an API route but delegates to the API")
        if r.is_api and (rule is None or not rule.delegated_to_api):
            wrong.append(f"/{r.route} is under /api/v1 but not marked delegated_to_api")
        if r.is_api and r.name not in NINJA_OWN and _api_shape(r.route) not in shapes:
            wrong.append(f"/{r.route} is under /api/v1 but is no API operation")
    assert not wrong, "\n".join(wrong)


def test_AC_01_public_routes_are_exactly_the_allow_list() -> None:
    public_web = {r.name or f"/{r.route}" for r in web_routes() if r.rule is not None and r.rule.public}
    public_api = {op.key for op in api_operations() if op.rule is not None and op.rule.public}
    assert public_web == PUBLIC_WEB, f"public web routes changed: {sorted(public_web ^ PUBLIC_WEB)}"
    assert public_api == PUBLIC_API, f"public API operations changed: {sorted(public_api ^ PUBLIC_API)}"


def _protected_requests() -> list[tuple[str, str, str]]:
    """(method, path, label) for every request an anonymous caller must be refused."""
    out: list[tuple[str, str, str]] = []
    shapes = _operations_by_shape()
    for r in web_routes():
        if r.is_api:
            if r.name in NINJA_OWN:
                continue
            ops = shapes.get(_api_shape(r.route), [])
            public_methods = {op.method for op in ops if op.rule is not None and op.rule.public}
            for method in sorted({"GET", "POST"} | {op.method for op in ops}):
                if method not in public_methods:
                    out.append((method, r.sample_path(), f"{method} {r.route}"))
        elif r.rule is None or not r.rule.public:
            for method in ("GET", "POST"):
                out.append((method, r.sample_path(), f"{method} {r.name or r.route}"))
    return out


def test_AC_01_anonymous_requests_to_protected_routes_are_refused(world: World) -> None:
    """Anonymous GET/POST/…: 302 to sign-in, 401, 403, 404 or 405 — never 200 — and no change."""
    login = reverse("accounts:login")
    client = Client()
    before = db_fingerprint(exclude=())
    wrong = []
    requests = _protected_requests()
    assert requests, "nothing to walk"
    for method, path, label in requests:
        response = client.generic(method, path)
        status = response.status_code
        if status not in REFUSED:
            wrong.append(f"{label}: {status}")
        elif status == 302 and urlsplit(response["Location"]).path != login:
            wrong.append(f"{label}: redirects to {response['Location']}, not to sign-in")
    assert not wrong, "anonymous requests not refused:\n  " + "\n  ".join(wrong)
    changes = fingerprint_changes(before, db_fingerprint(exclude=()))
    assert not changes, f"anonymous requests changed the database: {changes}"


def _allowed_persona(rule_roles: frozenset[Role]) -> str:
    """The persona to sign in as: one the rule lets in (the city admin when it can)."""
    for role in (Role.CITY_ADMIN, *sorted(Role)):
        if not rule_roles or role in rule_roles:
            return role.value
    return Role.CITY_ADMIN.value


def _get_targets() -> list[tuple[str, str, bool, str]]:
    """(persona, path, is_api, label) for a GET on every route by a persona allowed there."""
    out = []
    for r in web_routes():
        if r.is_api or r.rule is None:
            continue
        out.append((_allowed_persona(r.rule.roles), r.sample_path(), False, f"GET {r.name or r.route}"))
    for op in api_operations():
        if op.method == "GET" and op.rule is not None:
            out.append((_allowed_persona(op.rule.roles), op.sample_path(), True, op.key))
    return out


def test_AC_08_get_by_a_signed_in_user_changes_no_business_data(world: World) -> None:
    """Every GET, by an account its rule admits (dummy path parameters): no business change, no 5xx."""
    targets = _get_targets()
    for persona, _path, is_api, _label in targets:  # sign in first: that writes sessions/tokens
        world.api_client_for(persona) if is_api else world.client_for(persona)
    before = db_fingerprint()
    wrong = []
    for persona, path, is_api, label in targets:
        client = world.api_client_for(persona) if is_api else world.client_for(persona)
        try:
            status = client.get(path).status_code
        except Exception as exc:  # the test client re-raises view errors: report them all
            wrong.append(f"{label} as {persona}: {type(exc).__name__}: {exc}")
            continue
        if status >= 500:
            wrong.append(f"{label} as {persona}: {status}")
    assert not wrong, "server errors on GET:\n  " + "\n  ".join(wrong)
    changes = fingerprint_changes(before, db_fingerprint())
    assert not changes, f"GET requests changed business data (ignoring {sorted(NON_BUSINESS_MODELS)}): {changes}"


def _web_non_api() -> list[WebRoute]:
    return [r for r in web_routes() if not r.is_api]


def test_AC_08_post_without_csrf_token_is_refused_everywhere(world: World) -> None:
    """With CSRF checks on, a POST without the token is 403 on every web route (no csrf_exempt)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user(Role.CITY_ADMIN), backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    before = db_fingerprint()
    wrong = [f"POST {r.name or r.route}: {status}" for r in _web_non_api()
             if (status := client.post(r.sample_path(), {"language": "en"}).status_code) != 403]
    assert not wrong, "POST without a CSRF token not refused:\n  " + "\n  ".join(wrong)
    assert not fingerprint_changes(before, db_fingerprint())


def test_AC_08_logout_without_csrf_token_keeps_the_session(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user(Role.STAFF), backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    assert client.post(reverse("accounts:logout")).status_code == 403
    assert client.get(reverse("core:home")).status_code == 200
    # With the token the same POST signs out.
    client.get(reverse("accounts:password_change"))
    token = client.cookies["zhaoyin_csrftoken"].value
    response = client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert urlsplit(client.get(reverse("core:home"))["Location"]).path == reverse("accounts:login")


def test_AC_08_sign_in_form_needs_a_csrf_token(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/static/../config/settings.py", "/no-such-page/", "/api/v1/no-such-op"])
def test_AC_01_unknown_paths_are_404_not_200(path: str, db: None) -> None:
    assert Client().get(path).status_code == 404
