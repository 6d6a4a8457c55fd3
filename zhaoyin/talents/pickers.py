"""The talents picker's suggestions (core.pickers, issue 16): Talents in the caller's scope by
name, employer, school or major (never the ID or phone).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from zhaoyin.accounts.request import request_user
from zhaoyin.core.authz import allow
from zhaoyin.core.pickers import Suggestion, render_suggestions, suggestion_terms
from zhaoyin.talents import selectors


@allow(*selectors.READER_ROLES)
@require_GET
def pick(request: HttpRequest) -> HttpResponse:
    """The options of a picker's list (at most ten), read through the scoped selector."""
    rows = selectors.talent_suggestions(request_user(request), suggestion_terms(request))
    return render_suggestions(
        request,
        [Suggestion(str(e.pk), e.name, " · ".join(p for p in (e.employer_name, e.org_unit.name) if p)) for e in rows],
    )
