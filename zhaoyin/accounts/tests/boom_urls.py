"""A URL map for the CFG-02 tests: the real one plus a view that fails on purpose."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as real_patterns
from zhaoyin.core.authz import public

#: Text of the forced failure; it must never reach the response body.
MARKER = "boom-secret-traceback-marker"


@public
def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(MARKER)


urlpatterns = [path("boom/", boom), *real_patterns]
handler500 = "zhaoyin.accounts.error_views.server_error"
