"""Form helpers shared by the apps' views."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.filtering import FilterSet

FS = TypeVar("FS", bound=FilterSet)


def add_service_errors(form: forms.Form, exc: InvalidInput) -> None:
    """Show a service's field errors on the form: on the field when the form has it, else on
    the form as a whole — so a message from the shared validators is never lost."""
    for err in exc.errors or [{"field": "", "message": str(exc.detail)}]:
        field = err.get("field", "")
        form.add_error(field if field in form.fields else None, err["message"])


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
