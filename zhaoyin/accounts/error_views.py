"""The server-error handler (CFG-02): a generic page naming the request id, no traceback.

Django's own handler renders 500.html without any context; this one adds the request id so
that a person can quote it and an operator can find the logged traceback. It is wired as
``handler500`` in config/urls.py. 403 and 404 use Django's handlers with our templates.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

from zhaoyin.core import context
from zhaoyin.core.authz import public


@public
def server_error(request: HttpRequest) -> HttpResponse:
    """Render 500.html with the request id; fall back to plain text if even that fails."""
    request_id = getattr(request, "request_id", "") or context.current().request_id
    try:
        body = loader.get_template("500.html").render({"request_id": request_id})
    except Exception:
        body = f"Server error. Request ID: {request_id}"
        return HttpResponseServerError(body, content_type="text/plain; charset=utf-8")
    return HttpResponseServerError(body)
