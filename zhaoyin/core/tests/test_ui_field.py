"""``ui_field`` writes a select's HTML itself (one template render per option was a fifth of a
list page's time); what it writes must be exactly what Django's widget templates write, for
every kind of select the filter bars and forms use."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms

from zhaoyin.core.templatetags.zhaoyin_ui import ui_field


class _Form(forms.Form):
    plain = forms.ChoiceField(choices=[("", "全部"), ("a", "甲 & <乙>"), ("b", '"引号"')], required=False)
    required = forms.ChoiceField(choices=[("x", "X"), ("y", "Y")], help_text="必选")
    grouped = forms.ChoiceField(
        choices=[("", "—"), ("县区", [("340421", "凤台县"), ("340422", "寿县")]), ("园区", [("p1", "高新区")])],
        required=False,
    )
    several = forms.MultipleChoiceField(choices=[("1", "一"), ("2", "二"), ("3", "三")], required=False)
    flag = forms.NullBooleanField(required=False)
    numbers = forms.TypedChoiceField(choices=[(1, "一"), (2, "二")], coerce=int, required=False)
    with_attrs = forms.ChoiceField(
        choices=[("a", "A")],
        required=False,
        widget=forms.Select(attrs={"class": "zy-x", "data-k": "v", "disabled": True}),
    )


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"plain": "a", "required": "y", "grouped": "340422", "several": ["1", "3"], "flag": "true", "numbers": "2"},
        {"plain": "zz", "required": "", "grouped": "nope", "several": ["9"], "flag": "x", "numbers": "x"},
    ],
    ids=["unbound", "valid", "invalid"],
)
def test_ui_field_select_renders_as_django_does(data: dict[str, Any] | None) -> None:
    form = _Form(data=data) if data is not None else _Form(initial={"plain": "b"})
    if data is not None:
        form.is_valid()
    for name in form.fields:
        ours = str(ui_field(form[name]))
        # What ui_field did before: the same attributes through Django's templates.
        field = form[name]
        widget = field.field.widget
        attrs: dict[str, Any] = {"class": "form-select form-select-sm"}
        if field.errors:
            attrs["class"] += " is-invalid"
            attrs["aria-invalid"] = "true"
        if widget.attrs.get("class"):
            attrs["class"] = f"{widget.attrs['class']} {attrs['class']}"
        assert ours == str(field.as_widget(attrs=attrs)), name
        assert ours.startswith("<select")
