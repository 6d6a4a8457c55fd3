"""The projects picker's suggestions (core.pickers, issue 16): Projects in the caller's scope by
code, name, 拼音首字母 or investor.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from zhaoyin.accounts.request import request_user
from zhaoyin.core.authz import allow
from zhaoyin.core.pickers import Suggestion, render_suggestions, suggestion_terms
from zhaoyin.projects import selectors


@allow(*selectors.READER_ROLES)
@require_GET
def pick(request: HttpRequest) -> HttpResponse:
    """The options of a picker's list (at most ten), read through the scoped selector."""
    rows = selectors.project_suggestions(request_user(request), suggestion_terms(request))
    return render_suggestions(request, [Suggestion(str(e.pk), e.name, f"{e.code} · {e.org_unit.name}") for e in rows])
