"""Shared API machinery: strict input schemas, the error format, per-operation rules, pages.

Errors follow DESIGN 5.1: ``{"detail": "...", "errors": [{"field": "...", "message": "..."}]}``
with 422 for validation, 401 for missing/invalid credentials, 403 for a forbidden action,
404 for out of scope or missing, 409 for a conflict. Never a 500 for bad input.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ConfigDict

from zhaoyin.core.authz import RULE_ATTR, Rule
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.inputs import field_errors
from zhaoyin.core.roles import Role

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


class StrictSchema(Schema):
    """An input schema that refuses unknown fields (AC-04: no mass assignment)."""

    model_config = ConfigDict(extra="forbid")


class Page(Schema, Generic[T]):
    count: int
    items: list[T]


def refuse_unless_allowed(request: HttpRequest, user: Any, rule: Rule) -> None:
    """403 (audited as denied) when the authenticated ``user`` holds none of ``rule``'s roles."""
    if not rule.allows(user.role_codes):
        from zhaoyin.audit.services import audit_denied

        audit_denied(user=user, action="api.denied", target=request.path)
        raise PermissionDenied


def api_allow(*roles: Role | Iterable[Role], public: bool = False) -> Callable[[F], F]:
    """Declare and enforce who may call an API operation (the API side of ``authz.allow``)."""
    flat: set[Role] = set()
    for r in roles:
        flat.update({r} if isinstance(r, Role) else r)
    rule = Rule(roles=frozenset(flat), public=public)

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not rule.public:
                refuse_unless_allowed(request, request.auth, rule)  # type: ignore[attr-defined]
            return func(request, *args, **kwargs)

        setattr(wrapper, RULE_ATTR, rule)
        # ninja resolves string annotations (``from __future__ import annotations``) in the
        # view's __globals__, which for this wrapper are this module's: hand it the wrapped
        # function's signature with the annotations already evaluated in their own module.
        with contextlib.suppress(NameError):
            wrapper.__signature__ = inspect.signature(func, eval_str=True)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def error_body(detail: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "errors": errors or []}


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(NinjaValidationError)
    def _validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        # Our messages for pydantic's error types, one per value, the field as a dotted path
        # (core.inputs): the same verdicts as a page or an import gets.
        errors = field_errors(exc.errors)
        return api.create_response(request, error_body(_("Invalid input."), errors), status=422)

    @api.exception_handler(InvalidInput)
    def _invalid(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
        return api.create_response(request, exc.api_body(), status=422)

    @api.exception_handler(DjangoValidationError)
    def _django_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return api.create_response(
            request, error_body(_("Invalid input."), InvalidInput.from_django(exc).errors), status=422
        )

    @api.exception_handler(Conflict)
    def _conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
        return api.create_response(request, error_body(str(exc)), status=409)

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, error_body(_("Not found.")), status=404)

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(request, error_body(_("You do not have permission to do this.")), status=403)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(request, error_body(_("Authentication required.")), status=401)

    @api.exception_handler(HttpError)
    def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return api.create_response(request, error_body(str(exc)), status=exc.status_code)



def enforce_rules_before_parsing(api: NinjaAPI) -> None:
    """Run each operation's role check inside ninja's authentication step.

    ninja authenticates, then parses and validates the body, then calls the view; a check in
    the view alone would answer a caller without the role with 422 field errors about a body
    it may not send at all. Wrapping the authentication callbacks makes it 403 first. The
    check in ``api_allow``'s wrapper stays as a second line.
    """
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                rule = getattr(operation.view_func, RULE_ATTR, None)
                if not isinstance(rule, Rule) or rule.public or not operation.auth_callbacks:
                    continue
                operation.auth_callbacks = [_role_checked(cb, rule) for cb in operation.auth_callbacks]


def _role_checked(callback: Callable[[HttpRequest], Any], rule: Rule) -> Callable[[HttpRequest], Any]:
    def authenticate(request: HttpRequest) -> Any:
        user = callback(request)
        if user:
            refuse_unless_allowed(request, user, rule)
        return user

    return authenticate
