"""Form helpers shared by the apps' views."""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.filtering import FilterSet, select_box
from zhaoyin.core.inputs import FORM_CONTEXT, Input
from zhaoyin.core.pickers import is_picker

FS = TypeVar("FS", bound=FilterSet)
F = TypeVar("F")
I = TypeVar("I", bound=Input)  # noqa: E741
R = TypeVar("R")


def add_service_errors(form: forms.Form, exc: InvalidInput) -> None:
    """Show a service's field errors on the form: on the field when the form has it, else on
    the form as a whole — so a message from the shared validators is never lost. A nested
    field (``co_units.1``) lands on its top-level field."""
    for field, messages in exc.by_field().items():
        top = field.split(".", 1)[0]
        for message in messages:
            form.add_error(top if top in form.fields else None, message)


def bind_input(
    model: type[I],
    data: Mapping[str, Any],
    form: forms.Form,
    *,
    names: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
    place: Callable[[InvalidInput], InvalidInput] | None = None,
    user: Any = None,
    skip: Iterable[str] = (),
) -> I | None:
    """Build ``model`` from a page's posted ``data`` (a QueryDict): the model's fields that the
    form shows, a list field with all its values; each refusal goes on its form field (else
    on the form as a whole). None when anything was refused. ``names`` maps a model field to
    the form field posted under another name. ``extra``: values the page gathered itself from
    parts the form does not draw (repeated rows); ``place`` puts the refusals of those parts
    where the page shows them and returns the others (for the form).

    The form only draws the page: the verdict on each value is the model's, as in the API and
    the importers. A field the form does not offer is not read (a portal user's form has no
    lead unit, so posting one changes nothing). ``user`` is the acting user, for the
    references the model looks up within a scope (``core.inputs.scoped_user``). ``skip``: form
    fields whose refusals are not added (the form has already refused them: ``bind_form``)."""
    names = dict(names or {})
    values: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        posted = names.get(field_name, field_name)
        if posted not in form.fields:
            continue
        getlist = getattr(data, "getlist", None)
        widget = form.fields[posted].widget
        if is_picker(widget):
            # A picker posts its hidden value, or the code typed without choosing (core.pickers).
            # No chip left posts nothing: an empty list, as a multiple choice with none chosen.
            picked = widget.value_from_datadict(data, {}, posted)
            if isinstance(picked, list):
                values[field_name] = [str(v) for v in picked]
            elif picked or posted in data:
                values[field_name] = str(picked)
        elif _is_list(info.annotation) and getlist is not None:
            # A multiple choice with nothing chosen posts nothing: that is an empty list.
            values[field_name] = [v for v in getlist(posted) if str(v).strip()]
        elif posted in data:
            values[field_name] = data.get(posted)
    values.update(extra or {})
    try:
        return model.parse(values, context=FORM_CONTEXT, user=user)
    except InvalidInput as exc:
        rest = place(exc) if place is not None else exc
        if rest.errors or place is None:
            rest = rest.renamed(names)
            skipped = set(skip)
            if skipped and rest.errors:
                kept = [e for e in rest.errors if e.get("field", "").split(".", 1)[0] not in skipped]
                rest = InvalidInput(rest.detail, kept)
                if not kept:
                    return None
            add_service_errors(form, rest)
        return None


def bind_form(
    model: type[I],
    data: Mapping[str, Any],
    form: forms.Form,
    **bind: Any,
) -> I | None:
    """The form's own checks and the model's in one round (issue 16: a form speaks once): the
    form is validated, then ``model`` is bound (``bind_input`` with ``bind``'s options) even
    when the form refused something, so one submit shows every bad field — a Django field
    error and the model's verdict on another field together. A field the form already
    refused keeps the form's message only (no second message for one box). None when either
    refused anything; the service, which needs clean data, then is not called."""
    valid = form.is_valid()
    refused = set(form.errors)
    parsed = bind_input(model, data, form, skip=refused, **bind)
    return parsed if valid else None


@dataclass(frozen=True)
class Posted(Generic[R]):
    """What became of a posted form (``submit_form``): ``status`` 200 when the service did it
    (``result`` is what it returned), 400 when the input was refused, 409 on a conflict (a
    stale page, a state that no longer allows it), 403 when the service refused the user
    (only with ``denied=True``). The messages are on the form."""

    status: int
    result: R | None = None

    @property
    def done(self) -> bool:
        return self.status == 200


def submit_form(
    form: forms.Form,
    model: type[I],
    data: Mapping[str, Any],
    call: Callable[[I], R],
    *,
    rename: Mapping[str, str] | None = None,
    denied: bool = False,
    **bind: Any,
) -> Posted[R]:
    """A page's form posted through its service: the form's own checks, ``model`` bound from
    ``data`` (``bind_input``, with ``bind``'s options), then ``call(parsed)`` — the one service
    of the use case. A refusal lands on the form: the service's field errors on their fields
    (``rename``: a service field shown under another form field), a conflict and, with
    ``denied``, a refusal of the user on the form as a whole. The page then renders the form
    again with ``Posted.status``, or redirects when ``done``."""
    parsed = bind_form(model, data, form, **bind)
    if parsed is None:
        return Posted(400)
    try:
        return Posted(200, call(parsed))
    except InvalidInput as exc:
        add_service_errors(form, exc.renamed(dict(rename)) if rename else exc)
        return Posted(400)
    except Conflict as exc:
        form.add_error(None, str(exc))
        return Posted(409)
    except PermissionDenied as exc:
        if not denied:
            raise
        form.add_error(None, str(exc) or _("You do not have permission to do this."))
        return Posted(403)


def _is_list(annotation: Any) -> bool:
    """Whether a field's type is a list (``list[str] | None`` included)."""
    origin = typing.get_origin(annotation)
    if origin is list:
        return True
    if origin is typing.Annotated:
        return _is_list(typing.get_args(annotation)[0])
    return any(_is_list(arg) for arg in typing.get_args(annotation)) if origin is not None else False


class FilterBarForm(forms.Form, Generic[FS]):
    """A list's filter bar, built from the list's ``FilterSet`` (one box per filter that has a
    label, its choices for ``user``). The filter set decides what the request means:
    ``filter`` is the parsed request, or None when it refused a parameter; each refusal goes on
    its box and, with the box's label, into ``problems`` for the page's summary (parameters
    without a box — sort, page — are named there only)."""

    #: Names of the parameters that are not boxes of the bar, for the error summary.
    OTHER_LABELS: dict[str, Any] = {"sort": _("Sort"), "page": _("Page"), "page_size": _("Per page")}

    def __init__(self, data: Mapping[str, Any] | None, *, filters: type[FS], user: Any = None) -> None:
        super().__init__(data)
        self.filter_set = filters
        self.filter: FS | None = None
        self.problems: list[tuple[str, str]] = []
        for declared in filters.filters.values():
            self.fields.update(declared.boxes(user))

    def offer(self, name: str, options: Iterable[tuple[str, Any]]) -> None:
        """Show the box ``name`` as a choice of ``options`` only the page knows (a run's result
        lists): the filter set still judges whatever value is sent."""
        declared = self.filter_set.filters[name]
        self.fields[name] = select_box(declared.label, declared.blank, options)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            self.filter = self.filter_set.parse(self.data)
        except InvalidInput as exc:
            for error in exc.errors:
                name, message = error["field"], error["message"]
                field = self.fields.get(name)
                label = field.label if field is not None else self.OTHER_LABELS.get(name, name)
                self.problems.append((str(label), message))
                if field is not None:
                    self.add_error(name, message)
        return data
