"""The search picker (issue 16): one component for every form field that links a record.

A picker is a text box with suggestions (htmx ``hx-get`` on input, with a delay) drawn as a
keyboard-usable listbox (static/js/picker.js: ArrowUp/ArrowDown/Enter/Escape,
``aria-activedescendant``), and a hidden input carrying the chosen record's value (an id, a
code, a username: whatever the field's input model takes). A multiple picker keeps each
chosen value as a removable chip, each chip carrying a hidden input under the field's name.

What is posted stays what the input models already read, so the verdict on a value is still
theirs (an unknown and an out-of-scope id answer alike, AC-03): the picker only helps to find
the value. A user who types a code (档案编号, USCC, username, project code) and submits without
choosing sends that text: ``PickerWidget.value_from_datadict`` reads the typed text when the
hidden input is empty, so the typed code is judged exactly as before.

The suggestions come from one endpoint per kind, each in its own app and each reading through
the kind's scoped selector (an out-of-scope record never appears); ``suggestion_terms`` parses
the query the same way for all of them and ``render_suggestions`` draws the options.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from zhaoyin.core.search import search_fold

#: Rows a suggestion list shows: enough to pick from, few enough to answer at once.
LIMIT = 10
#: The longest query read and the most words (as the list filters: core.filtering.Search).
MAX_QUERY = 100
MAX_TERMS = 5
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: What a record picker finds by (its placeholder); a typed record number is still taken.
PICK_ENTERPRISE = gettext_lazy("Name, pinyin initials, credit code or record number")
PICK_PROJECT = gettext_lazy("Name, code or record number")
PICK_TALENT = gettext_lazy("Name or record number")
PICK_USER = gettext_lazy("Name or username")
#: The typed text beside a picker's hidden input: ``<name>__text``.
TEXT_SUFFIX = "__text"

Labeller = Callable[[list[str]], Mapping[str, str]]


@dataclass(frozen=True)
class Suggestion:
    """One option of a suggestion list: the value the form posts, the text shown (and put in
    the box when chosen), a detail line (USCC, unit) and the group it is listed under."""

    value: str
    label: str
    detail: str = ""
    group: str = ""


def suggestion_terms(request: HttpRequest) -> tuple[str, ...]:
    """The folded words of ``?q=`` (at most ``MAX_TERMS``); none for a blank, over-long or
    control-character query (a picker then offers nothing rather than an error)."""
    text = str(request.GET.get("q", ""))
    if len(text) > MAX_QUERY or _CONTROL.search(text):
        return ()
    return tuple(search_fold(text).split()[:MAX_TERMS])


def terms_q(terms: Iterable[str], column: str = "search_text") -> Q:
    """Rows whose folded ``column`` contains every term (the lists' search, core.filtering)."""
    q = Q()
    for term in terms:
        q &= Q(**{f"{column}__contains": term})
    return q


def record_number(terms: tuple[str, ...]) -> int | None:
    """The record number (档案编号, an id) a query of one all-digit term may be."""
    if len(terms) == 1 and terms[0].isascii() and terms[0].isdigit() and len(terms[0]) < 10:
        return int(terms[0])
    return None


M = TypeVar("M", bound=Model)


def suggestions_from(visible: QuerySet[M], terms: tuple[str, ...], *, order: str, limit: int) -> list[M]:
    """A picker's rows: of the scoped ``visible`` rows, those whose search text holds every
    folded term, or whose record number (档案编号) is the one term; by ``order`` then id, at
    most ``limit``. No terms: none (an empty box suggests nothing rather than the first rows)."""
    if not terms:
        return []
    match = terms_q(terms)
    number = record_number(terms)
    if number is not None:
        match |= Q(pk=number)
    return list(visible.filter(match).order_by(order, "id")[:limit])


def render_suggestions(request: HttpRequest, suggestions: Sequence[Suggestion]) -> HttpResponse:
    """The options of a listbox (templates/includes/picker_options.html), grouped in the order
    the groups first appear."""
    groups: list[tuple[str, list[Suggestion]]] = []
    for s in suggestions:
        if not groups or groups[-1][0] != s.group:
            groups.append((s.group, []))
        groups[-1][1].append(s)
    query = bool(str(request.GET.get("q", "")).strip())
    context = {"groups": groups, "count": len(suggestions), "query": query}
    return render(request, "includes/picker_options.html", context)


class PickedValue(str):
    """A posted value with the text the box showed (re-drawn as it was after a refusal)."""

    text: str = ""


class PickerWidget(forms.Widget):
    """The picker (module docstring). ``source`` names the suggestion endpoint's URL,
    ``params`` its fixed query parameters (``role=service_member``). ``labels`` (set per
    form, with the user: ``use_picker``) names the values a page starts with, read through a
    scoped selector so an out-of-scope value is shown only as what was typed."""

    template_name = "includes/picker.html"

    def __init__(
        self,
        source: str,
        *,
        multiple: bool = False,
        params: Mapping[str, str] | None = None,
        labels: Labeller | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(attrs)
        self.source = source
        self.multiple = multiple
        self.params = dict(params or {})
        self.labels = labels

    def _render(self, template_name: str, context: dict[str, Any], renderer: Any = None) -> SafeString:
        # The project's templates, not the form renderer's (which reads only Django's own).
        return mark_safe(render_to_string(template_name, context))  # noqa: S308 - a rendered template

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        typed = str(data.get(name + TEXT_SUFFIX) or "").strip()
        if self.multiple:
            getlist = getattr(data, "getlist", None)
            chosen = [str(v) for v in (getlist(name) if getlist is not None else data.get(name) or [])]
            return [v for v in chosen if v.strip()] + ([typed] if typed else [])
        value = PickedValue(str(data.get(name) or "").strip() or typed)
        value.text = typed
        return value

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and name + TEXT_SUFFIX not in data

    def format_value(self, value: Any) -> Any:
        if self.multiple:
            return [str(v) for v in (value or []) if str(v)]
        return "" if value is None else str(value)

    def _names(self, values: list[str]) -> Mapping[str, str]:
        return self.labels(values) if self.labels is not None and values else {}

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        values: list[str] = widget["value"] if self.multiple else ([widget["value"]] if widget["value"] else [])
        names = self._names(values)
        url = reverse(self.source)
        if self.params:
            from urllib.parse import urlencode

            url += "?" + urlencode(self.params)
        box_id = widget["attrs"].get("id") or f"id_{name}"
        shown = getattr(value, "text", "") or (names.get(values[0], values[0]) if values and not self.multiple else "")
        widget.update(
            {
                "url": url,
                "multiple": self.multiple,
                "text_name": name + TEXT_SUFFIX,
                "text": "" if self.multiple else shown,
                "chosen": [(v, names.get(v, v)) for v in values] if self.multiple else [],
                "hidden_value": values[0] if values and not self.multiple else "",
                "listbox_id": f"{box_id}_listbox",
            }
        )
        return context


def use_picker(
    form: forms.Form,
    name: str,
    source: str,
    *,
    multiple: bool = False,
    labels: Labeller | None = None,
    params: Mapping[str, str] | None = None,
    placeholder: str = "",
) -> None:
    """Draw the form's field ``name`` as a picker over the endpoint ``source`` (a URL name).
    The field keeps its label and its (absent) checks; only the widget changes."""
    field = form.fields[name]
    attrs = {"placeholder": placeholder} if placeholder else {}
    field.widget = PickerWidget(source, multiple=multiple, params=params, labels=labels, attrs=attrs)


def is_picker(widget: forms.Widget) -> bool:
    """Whether a form field is drawn as a picker (``core.forms.bind_input`` reads it through
    the widget, which falls back to the typed text)."""
    return isinstance(widget, PickerWidget)
