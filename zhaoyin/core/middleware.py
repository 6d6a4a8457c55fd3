"""Request-wide middleware: the actor context (request id, trusted client IP) and headers."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from zhaoyin.core import context


def client_ip(request: HttpRequest) -> str | None:
    """The client address; X-Forwarded-For is believed only from a trusted proxy (AUD-02)."""
    remote: str | None = request.META.get("REMOTE_ADDR") or None
    if remote and remote in settings.TRUSTED_PROXIES:
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        # The right-most address not itself a trusted proxy is the one our proxy saw.
        for candidate in reversed([p.strip() for p in forwarded.split(",") if p.strip()]):
            if candidate in settings.TRUSTED_PROXIES:
                continue
            try:
                ipaddress.ip_address(candidate)
            except ValueError:
                break
            return candidate
    return remote


#: Headers only a proxy should set; from any other peer they are removed (issue 12).
FORWARDING_HEADERS = (
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
)


class TrustedProxyMiddleware:
    """Believe forwarding headers only from ``ZHAOYIN_TRUSTED_PROXIES`` (the first middleware).

    ``SECURE_PROXY_SSL_HEADER`` makes Django treat a request as HTTPS when it carries
    ``X-Forwarded-Proto: https``; a client that reaches the server around the proxy could
    claim that itself. From a peer not on the list every forwarding header is dropped before
    ``SecurityMiddleware`` (HTTPS redirect, secure cookies) or anything else reads it. The
    proxy itself must overwrite these headers, not append to what the client sent
    (docs/operations.md).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.META.get("REMOTE_ADDR") not in settings.TRUSTED_PROXIES:
            for key in FORWARDING_HEADERS:
                request.META.pop(key, None)
        return self.get_response(request)


class RequestContextMiddleware:
    """Give every request a request id and a trusted client IP for the audit log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        rid = incoming if incoming.isalnum() and len(incoming) <= 64 else None
        with context.acting(channel="web", client_ip=client_ip(request), request_id=rid) as ctx:
            request.request_id = ctx.request_id  # type: ignore[attr-defined]
            response = self.get_response(request)
        response["X-Request-ID"] = ctx.request_id
        return response


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy (no inline script or style) and no caching of pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        if not request.path.startswith(settings.STATIC_URL):
            # Pages may carry personal data (SESS-07): never keep them in shared caches.
            response.setdefault("Cache-Control", "no-store")
        return response
