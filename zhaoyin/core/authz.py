"""Deny-by-default routing (AC-01, AC-02).

Every view carries an authorization ``Rule``: public, or the set of roles that may call it.
``AuthorizationMiddleware`` refuses any view without a rule (fail closed) and enforces the
rule before the view runs. Object scope (AC-03) is the selectors' job: they return 404.
The API (django-ninja) declares its rules per operation with ``api_rule``; its URL patterns
are marked as delegated here and checked there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden

from zhaoyin.core.roles import Role

logger = logging.getLogger("zhaoyin.authz")

F = TypeVar("F", bound=Callable[..., Any])

RULE_ATTR = "zhaoyin_rule"


@dataclass(frozen=True)
class Rule:
    """Who may reach a view: anyone (``public``), or a signed-in user holding one of ``roles``."""

    roles: frozenset[Role] = frozenset()
    public: bool = False
    delegated_to_api: bool = False
    description: str = ""

    def allows(self, user_roles: Iterable[str]) -> bool:
        if self.public:
            return True
        return bool(self.roles & {Role(r) for r in user_roles})


def _attach(view: F, rule: Rule) -> F:
    setattr(view, RULE_ATTR, rule)
    return view


def allow(*roles: Role | Iterable[Role], description: str = "") -> Callable[[F], F]:
    """Allow signed-in users holding any of ``roles`` (role groups may be passed as sets)."""
    flat: set[Role] = set()
    for r in roles:
        if isinstance(r, Role):
            flat.add(r)
        else:
            flat.update(r)
    if not flat:
        raise ValueError("allow() needs at least one role")
    rule = Rule(roles=frozenset(flat), description=description)
    return lambda view: _attach(view, rule)


def public(view: F) -> F:
    """Reachable without signing in (login page, health check, language switch)."""
    return _attach(view, Rule(public=True))


def delegated_to_api(view: F) -> F:
    return _attach(view, Rule(delegated_to_api=True))


def rule_of(view: Callable[..., Any]) -> Rule | None:
    rule = getattr(view, RULE_ATTR, None)
    if rule is None and hasattr(view, "view_class"):
        rule = getattr(view.view_class, RULE_ATTR, None)
    return rule if isinstance(rule, Rule) else None


def user_roles(request: HttpRequest) -> frozenset[str]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return frozenset()
    roles: frozenset[str] = user.role_codes
    return roles


class AuthorizationMiddleware:
    """Enforce each view's ``Rule``; a view without one is refused (fail closed)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        rule = rule_of(view_func)
        if rule is None:
            # Static files in development are the only framework views allowed through.
            if settings.DEBUG and getattr(view_func, "__module__", "").startswith(
                "django.contrib.staticfiles"
            ):
                return None
            logger.error("view without an authorization rule refused: %s", request.path)
            return HttpResponseForbidden(b"no authorization rule")
        if rule.public or rule.delegated_to_api:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not rule.allows(user_roles(request)):
            from zhaoyin.audit.services import audit_denied

            audit_denied(user=request.user, action="http.denied", target=request.path)
            raise PermissionDenied
        return None
