"""``core.forms.bind_form``: a form speaks once (issue 16 item 5) — the form's own checks and
the input model's in one round, one message per box, and no service call unless both pass."""

from __future__ import annotations

from typing import Annotated

from django import forms
from django.http import QueryDict
from django.utils import translation
from pydantic import BeforeValidator

from zhaoyin.core.forms import bind_form, submit_form
from zhaoyin.core.inputs import Input, choice, must, text
from zhaoyin.matters.choices import MatterSource


class Entry(Input):
    """A required title, a required source (a drop-down) and a short code."""

    title: Annotated[str, BeforeValidator(text(10, required=True))]
    source: Annotated[MatterSource, BeforeValidator(must(choice(MatterSource, "未知来源。")))]
    code: Annotated[str, BeforeValidator(text(4))] = ""


class EntryForm(forms.Form):
    title = forms.CharField(required=False)
    source = forms.CharField(required=False, widget=forms.Select())
    #: A check only the form makes (Django's): the model judges the code too.
    code = forms.CharField(required=False, max_length=2)
    count = forms.IntegerField(required=False)


def test_the_forms_and_the_models_refusals_come_in_one_round() -> None:
    form = EntryForm(QueryDict("title=&source=&code=abc&count=x"))
    assert bind_form(Entry, form.data, form) is None
    # Django refused count and code; the model refused title and source — all shown at once.
    assert set(form.errors) == {"title", "source", "code", "count"}


def test_a_box_the_form_refused_keeps_one_message() -> None:
    form = EntryForm(QueryDict("title=ok&source=visit&code=abcdef"))
    assert bind_form(Entry, form.data, form) is None
    assert len(form.errors["code"]) == 1  # Django's; the model's second verdict is not added


def test_an_empty_required_drop_down_says_required_not_unknown() -> None:
    with translation.override("zh-hans"):
        form = EntryForm(QueryDict("title=ok&source="))
        assert bind_form(Entry, form.data, form) is None
        assert form.errors["source"] == ["此项为必填项。"]
        missing = EntryForm(QueryDict("title=ok"))
        assert bind_form(Entry, missing.data, missing) is None
        assert missing.errors["source"] == ["此项为必填项。"]


def test_clean_input_is_bound() -> None:
    form = EntryForm(QueryDict("title=立项&source=visit&code=a"))
    data = bind_form(Entry, form.data, form)
    assert data is not None
    assert (data.title, data.source, data.code) == ("立项", MatterSource.VISIT, "a")


def test_submit_form_speaks_once_and_calls_no_service_on_a_form_refusal() -> None:
    form = EntryForm(QueryDict("title=&source=visit&count=x"))
    posted = submit_form(form, Entry, form.data, lambda data: (_ for _ in ()).throw(AssertionError("called")))
    assert posted.status == 400
    assert set(form.errors) == {"title", "count"}
