"""The talents picker's suggestions (core.pickers, issue 16): Talents in the caller's scope by
name, employer, school or major (never the ID or phone); and the employer picker's
enterprises, those the caller may name as a talent's employer (``validation.employers_for``).

``use_talent_picker`` and ``use_employer_picker`` draw a form's field as those pickers, for
the users who may ask them (else the plain record-number / credit-code box stays).
"""

from __future__ import annotations

import functools

from django import forms
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from zhaoyin.accounts.models import User
from zhaoyin.accounts.request import request_user
from zhaoyin.core.authz import allow
from zhaoyin.core.pickers import (
    PICK_ENTERPRISE,
    PICK_TALENT,
    Suggestion,
    render_suggestions,
    suggestion_terms,
    use_picker,
)
from zhaoyin.core.roles import TALENT_CITY_ROLES, UNIT_ROLES, Role
from zhaoyin.talents import selectors

#: Who may ask the employer picker: the roles that name employers (talent records, a
#: station's leads), each within ``employers_for``.
EMPLOYER_PICKER_ROLES: frozenset[Role] = frozenset(TALENT_CITY_ROLES | UNIT_ROLES)


@allow(*selectors.READER_ROLES)
@require_GET
def pick(request: HttpRequest) -> HttpResponse:
    """The options of a picker's list (at most ten), read through the scoped selector."""
    rows = selectors.talent_suggestions(request_user(request), suggestion_terms(request))
    return render_suggestions(
        request,
        [Suggestion(str(e.pk), e.name, " · ".join(p for p in (e.employer_name, e.org_unit.name) if p)) for e in rows],
    )


@allow(*EMPLOYER_PICKER_ROLES)
@require_GET
def pick_employers(request: HttpRequest) -> HttpResponse:
    """Employers for a picker (at most ten): the value is the credit code (what the talent
    form shows for a stored employer), the detail the code again, no unit (the talent office
    names any employer but reads no 招商 record)."""
    rows = selectors.employer_suggestions(request_user(request), suggestion_terms(request))
    return render_suggestions(request, [Suggestion(e.uscc, e.name, e.uscc) for e in rows])


def use_talent_picker(form: forms.Form, name: str, user: User) -> None:
    """The field ``name`` (a talent's record number) as the talent picker, for a reader of talents."""
    if name in form.fields and user.has_role(*selectors.READER_ROLES):
        use_picker(
            form, name, "talents:pick", labels=functools.partial(selectors.talent_names, user),
            placeholder=str(PICK_TALENT),
        )


def use_employer_picker(form: forms.Form, name: str, user: User) -> None:
    """The field ``name`` (an employer's credit code or id) as the employer picker."""
    if name in form.fields and user.has_role(*EMPLOYER_PICKER_ROLES):
        use_picker(
            form, name, "talents:pick_employers", labels=functools.partial(selectors.employer_names, user),
            placeholder=str(PICK_ENTERPRISE),
        )
