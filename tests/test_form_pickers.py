"""Every form that links a record has a picker (issue 16, item 1; core.pickers).

The walk imports every module of the project, builds every Django form class it finds (as a
city administrator, who may read every kind of record, so every picker a form can show is
shown) and looks at each field whose name or label says it names a record — an enterprise,
talent, project, policy, account, member, firm, investor, employer or org unit, a 编号/代码
or a username. Such a field must not be a plain text or number box: it is a picker (a typed
code is still taken, core.pickers) or a drop-down; a drop-down of org units is grouped by
kind in the official order (``accounts.selectors.grouped_unit_choices``). The exceptions are
listed in ``ALLOWED`` with the reason.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import pytest
from django import forms
from django.utils import translation

import zhaoyin
from conftest import MakeUser
from zhaoyin.core.forms import FilterBarForm
from zhaoyin.core.pickers import is_picker
from zhaoyin.core.roles import Role
from zhaoyin.matters.models import Matter

pytestmark = pytest.mark.django_db

#: Words of a field name that say it links a record.
RECORD_WORDS = frozenset(
    {"enterprise", "talent", "project", "policy", "user", "username", "member", "firm", "investor", "employer",
     "unit", "units", "park"}
)
#: Words of a label (its English text or its Chinese translation) that say it names a record by code.
LABEL_WORDS = ("record number", "credit code", "username", "编号", "代码", "用户名")
#: Words of a field name that say it is an org unit (its drop-down is grouped by kind).
UNIT_WORDS = frozenset({"unit", "units", "park"})

#: ``(form class, field)`` → why it stays a plain box.
ALLOWED: dict[tuple[str, str], str] = {
    ("zhaoyin.accounts.forms.LoginForm", "username"): "signing in: the account's own name, nothing to pick",
    ("zhaoyin.accounts.forms.UserCreateForm", "username"): "a new account's name, not a link to a record",
    ("zhaoyin.audit.forms.AuditSearchForm", "object_id"): "the auditor searches any object type's id as recorded",
    ("zhaoyin.audit.forms.AuditSearchForm", "actor"): "the auditor searches the log's actor text (system, cli…)",
    ("zhaoyin.accounts.forms.UserFilterForm", "q"): "the list's free-text search (username or name)",
    ("zhaoyin.catalog.forms.ItemForm", "contact_unit"): "the contact's unit as printed in the brochure, free text",
    ("zhaoyin.enterprises.forms.EnterpriseForm", "uscc"): "the firm's own credit code, not a link",
    ("zhaoyin.projects.forms.ProjectForm", "investor_name"): "the investor as named (any firm, also not registered)",
    ("zhaoyin.talents.forms.LeadForm", "current_employer"): "where the lead works now, outside the city: free text",
    ("zhaoyin.talents.forms.TalentForm", "employer_name"): "an institution's name when the employer is no enterprise",
    ("zhaoyin.visits.forms.VisitForm", "enterprise_contact"): "the person met at the firm, free text",
    ("zhaoyin.talentprojects.forms.ProgrammeForm", "code"): "a new programme's own code, not a link",
    ("zhaoyin.targets.forms.RankingGroupForm", "code"): "a new ranking group's own code, not a link",
}
#: Form classes the walk leaves out, with the reason.
SKIPPED: dict[str, str] = {}


def _import_everything() -> None:
    for info in pkgutil.walk_packages(zhaoyin.__path__, "zhaoyin."):
        if ".tests" in info.name or ".migrations" in info.name:
            continue
        importlib.import_module(info.name)


def _form_classes() -> list[type[forms.Form]]:
    _import_everything()
    found: list[type[forms.Form]] = []
    stack: list[type[Any]] = [forms.Form]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in found:
                found.append(sub)
                stack.append(sub)
    return sorted(
        (
            c
            for c in found
            if c.__module__.startswith("zhaoyin.")
            and ".tests" not in c.__module__
            # A list's filter bar narrows a list; it links nothing (core.filtering).
            and not issubclass(c, FilterBarForm)
        ),
        key=lambda c: f"{c.__module__}.{c.__qualname__}",
    )


def _build(form_class: type[forms.Form], values: dict[str, Any]) -> forms.Form:
    """The form built with the keyword arguments its ``__init__`` asks for, from ``values``."""
    kwargs: dict[str, Any] = {}
    for name, param in inspect.signature(form_class.__init__).parameters.items():
        if param.kind is not inspect.Parameter.KEYWORD_ONLY:
            continue
        if name in values:
            kwargs[name] = values[name]
        elif param.default is inspect.Parameter.empty:
            pytest.fail(f"{form_class.__qualname__} needs {name!r}: give the walk a value for it")
    return form_class(**kwargs)


def _links_a_record(name: str, field: forms.Field) -> bool:
    if set(name.split("_")) & RECORD_WORDS:
        return True
    label = str(field.label or "")
    with translation.override("zh-hans"):
        chinese = str(field.label or "")
    return any(w in label.lower() or w in chinese for w in LABEL_WORDS)


def _plain_box(widget: forms.Widget) -> bool:
    return isinstance(widget, forms.TextInput | forms.NumberInput) and not is_picker(widget)


def _grouped(choices: Any) -> bool:
    """Whether the drop-down's options are in groups (``(label, [(value, text), …])``)."""
    return any(isinstance(option[1], list | tuple) for option in list(choices))


def _real_options(choices: Any) -> int:
    return sum(1 for option in list(choices) if option[0] not in ("", None))


def test_every_form_that_links_a_record_has_a_picker(make_user: MakeUser) -> None:
    admin = make_user(Role.CITY_ADMIN)
    values: dict[str, Any] = {
        "user": admin, "matter": Matter(version=0), "talents": [], "rounds": [], "portal": False, "targets": [],
    }
    classes = _form_classes()
    assert len(classes) > 40  # the walk found the project's forms
    wrong: list[str] = []
    for form_class in classes:
        key = f"{form_class.__module__}.{form_class.__qualname__}"
        if key in SKIPPED:
            continue
        form = _build(form_class, values)
        for name, field in form.fields.items():
            if (key, name) in ALLOWED or not _links_a_record(name, field):
                continue
            widget = field.widget
            if _plain_box(widget):
                wrong.append(f"{key}.{name}: a plain box, not a picker")
            elif (
                set(name.split("_")) & UNIT_WORDS
                and isinstance(widget, forms.Select)
                and not isinstance(widget, forms.SelectMultiple)
                and _real_options(widget.choices) > 1
                and not _grouped(widget.choices)
            ):
                wrong.append(f"{key}.{name}: org units not grouped by kind")
    assert wrong == [], "\n".join(wrong)


def test_the_allow_list_names_real_fields(make_user: MakeUser) -> None:
    """An entry left after its field was renamed or removed would hide nothing: drop it."""
    admin = make_user(Role.CITY_ADMIN)
    values = {"user": admin, "matter": Matter(version=0), "talents": [], "rounds": [], "portal": False, "targets": []}
    fields = {
        (f"{c.__module__}.{c.__qualname__}", name)
        for c in _form_classes()
        for name in _build(c, values).fields
    }
    assert set(ALLOWED) - fields == set()
