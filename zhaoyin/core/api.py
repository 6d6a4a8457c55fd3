"""Shared API machinery: strict input schemas, the error format, per-operation rules, pages.

Errors follow DESIGN 5.1: ``{"detail": "...", "errors": [{"field": "...", "message": "..."}]}``
with 422 for validation, 401 for missing/invalid credentials, 403 for a forbidden action,
404 for out of scope or missing, 409 for a conflict. Never a 500 for bad input.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
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
        return api.create_response(request, error_body(str(exc), exc.errors), status=409)

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



#: Where the rule-first decorator leaves the operation's rule for the authenticator.
PENDING_RULE_ATTR = "zhaoyin_api_rule"


def rule_before_parsing(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A view-mode decorator (``api.add_decorator(rule_before_parsing, mode="view")``) that
    hands each operation's rule to the authenticator.

    ninja authenticates, then parses and validates the body, then calls the view; a check in
    the view alone would answer a caller without the role with 422 field errors about a body
    it may not send at all. ninja applies view-mode decorators to each bound operation's
    ``run`` (the bound method names its operation); the wrapper leaves the rule on the
    request and ``RuleCheckingBearer`` refuses the caller right after authenticating it, so
    the answer is 403 first. The check in ``api_allow``'s wrapper stays as a second line.
    """
    operation = getattr(run, "__self__", None)
    rule = getattr(getattr(operation, "view_func", None), RULE_ATTR, None)
    if not isinstance(rule, Rule) or rule.public:
        return run

    @functools.wraps(run)
    def run_with_rule(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        setattr(request, PENDING_RULE_ATTR, rule)
        return run(request, **kwargs)

    return run_with_rule


class RuleCheckingBearer(HttpBearer):
    """Bearer authentication that also applies the operation's rule (see ``rule_before_parsing``)."""

    def __call__(self, request: HttpRequest) -> Any:
        user = super().__call__(request)
        rule = getattr(request, PENDING_RULE_ATTR, None)
        if user and isinstance(rule, Rule):
            refuse_unless_allowed(request, user, rule)
        return user


# ---- the OpenAPI document --------------------------------------------------------------------


class FieldErrorOut(Schema):
    field: str = Field(description="The field at fault, dotted for nested ones (body: the whole input)")
    message: str


class ErrorOut(Schema):
    """The error format of every 4xx answer (DESIGN 5.1)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"detail": "Invalid input.", "errors": [{"field": "reason", "message": "This field is required."}]},
                {"detail": "Not found.", "errors": []},
            ]
        }
    )

    detail: str
    errors: list[FieldErrorOut] = Field(description="One entry per field at fault (empty when none is)")


#: The description of each error status in the document.
ERROR_STATUSES: dict[int, str] = {
    400: "The body is not valid JSON",
    401: "No valid credentials",
    403: "The caller's role (or relation to the record) does not allow this",
    404: "Not found, or outside the caller's scope",
    409: "Conflicts with the record's current state or version",
    422: "Invalid input; each field at fault is named",
}

_ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}


def error_statuses(method: str, path: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses an operation can answer, from what the document says about it:
    credentials → 401 and 403; a path parameter → 404; parameters or a body → 422; a body →
    400. 409 is declared by the operations that can conflict (``response={409: ErrorOut}``)."""
    statuses = []
    if operation.get("requestBody"):
        statuses.append(400)
    if operation.get("security"):
        statuses += [401, 403]
    if "{" in path:
        statuses.append(404)
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.append(422)
    return statuses


class DocumentedAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI document also states every operation's error answers, all in
    core's error format (``ErrorOut``)."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        """The document, built once per process, prefix and language (5–8 s to build; the
        routes cannot change while the process runs). It is kept as its JSON text and each
        caller gets its own plain copy (0.1 s), which no caller's change can reach."""
        key = (path_prefix, json.dumps(path_params, sort_keys=True, default=str), translation.get_language())
        text = self._documents.get(key)
        if text is None:
            built = self._build_openapi_schema(path_prefix=path_prefix, path_params=path_params)
            text = self._documents[key] = json.dumps(built)
        return json.loads(text)

    @cached_property
    def _documents(self) -> dict[tuple[str | None, str, str | None], str]:
        return {}

    def _build_openapi_schema(self, *, path_prefix: str | None, path_params: dict[str, Any] | None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(error_schema.pop("$defs", {}))
        components["ErrorOut"] = error_schema
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                for status in error_statuses(method, path, operation):
                    responses.setdefault(status, {"description": ERROR_STATUSES[status]})
                for status, response in responses.items():
                    if int(status) in ERROR_STATUSES:
                        response["description"] = ERROR_STATUSES[int(status)]
                        response["content"] = {"application/json": {"schema": _ERROR_REF}}
        return schema
