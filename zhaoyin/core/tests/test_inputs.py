"""The one error type, the one collector, typed input models and the page adapter
(zhaoyin.core.errors, zhaoyin.core.inputs, zhaoyin.core.forms.bind_input)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import pytest
from django import forms
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext as _
from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from zhaoyin.core.errors import Errors, InvalidInput
from zhaoyin.core.forms import bind_input
from zhaoyin.core.inputs import Input, choice, day, must, text, whole_number
from zhaoyin.matters.choices import Rating


class Line(Input):
    """A nested value, to see the dotted path."""

    amount: Annotated[int | None, BeforeValidator(whole_number)] = None


class Sample(Input):
    """Every kind of field the cleaners offer."""

    title: Annotated[str, BeforeValidator(text(10, required=True))]
    note: Annotated[str, BeforeValidator(text(20))] = ""
    on: Annotated[dt.date | None, BeforeValidator(day)] = None
    count: Annotated[int | None, BeforeValidator(whole_number)] = None
    rating: Annotated[Rating, BeforeValidator(must(choice(Rating)))] = Field(default=Rating.SATISFIED)
    tags: list[str] | None = None
    lines: list[Line] = []


def refusal(**values: object) -> InvalidInput:
    with pytest.raises(InvalidInput) as exc:
        Sample.of(**values)
    return exc.value


def test_the_collector_gathers_every_field_and_raises_once() -> None:
    errors = Errors()
    errors.raise_if_any()  # nothing collected: nothing raised
    errors.add("title", "missing")
    errors.capture(InvalidInput.field("on", "bad date"))
    errors.fail("page", "too far")  # the list parsers' name for add
    assert errors.has("on")
    assert not errors.has("note")
    with pytest.raises(InvalidInput) as exc:
        errors.raise_if_any()
    assert exc.value.by_field() == {"title": ["missing"], "on": ["bad date"], "page": ["too far"]}
    assert str(exc.value.detail) == "title: missing"
    body = exc.value.api_body()
    assert body["detail"] == "title: missing"
    assert body["errors"][1] == {"field": "on", "message": "bad date"}
    assert exc.value.renamed({"on": "date"}).by_field()["date"] == ["bad date"]


def test_a_model_names_each_bad_value_once_with_our_message() -> None:
    with translation.override("en"):
        exc = refusal(title="  ", on="31/12/2026", count=True, rating="ok", colour="red")
    assert exc.by_field() == {
        "title": ["This field is required."],
        "on": ["Enter a date as YYYY-MM-DD."],
        "count": ["Enter a whole number."],
        "rating": ["Choose one of: satisfied, basically_satisfied, dissatisfied."],
        "colour": ["Unknown field."],
    }


def test_nested_values_are_named_by_their_dotted_path() -> None:
    with translation.override("en"):
        exc = refusal(title="x", lines=[{"amount": 1}, {"amount": "2.5"}], tags="a")
    assert exc.by_field() == {"lines.1.amount": ["Enter a whole number."], "tags": ["Give a list."]}


def test_pydantic_english_never_reaches_a_chinese_page() -> None:
    with translation.override("zh-hans"):
        exc = refusal(note=["not text"], tags=[1])
    messages = [m for ms in exc.by_field().values() for m in ms]
    assert exc.by_field()["title"] == ["此项为必填项。"]
    assert all(not any("a" <= ch.lower() <= "z" for ch in m) for m in messages), messages


def test_clean_values_come_out_typed() -> None:
    sample = Sample.of(title=" 标题 ", on="2026-12-01", count="12", rating="dissatisfied", tags=["a"])
    assert (sample.title, sample.on, sample.count) == ("标题", dt.date(2026, 12, 1), 12)
    assert sample.rating == Rating.DISSATISFIED
    assert sample.given() == {"title", "on", "count", "rating", "tags"}


class SampleForm(forms.Form):
    """A page's form: it draws the boxes; the model decides."""

    title = forms.CharField(required=False)
    count = forms.CharField(required=False)
    tags = forms.MultipleChoiceField(required=False)


def test_bind_input_puts_each_refusal_on_its_box() -> None:
    data = QueryDict("title=&count=abc&note=ignored")
    form = SampleForm(data)
    assert form.is_valid()
    with translation.override("en"):
        assert bind_input(Sample, data, form) is None
    assert form.errors["title"] == ["This field is required."]
    assert form.errors["count"] == ["Enter a whole number."]


def test_bind_input_reads_only_the_forms_boxes_and_lists_whole() -> None:
    data = QueryDict("title=x&tags=a&tags=b&note=not-on-this-form")
    form = SampleForm(data)
    form.is_valid()
    sample = bind_input(Sample, data, form)
    assert sample is not None
    assert (sample.tags, sample.note) == (["a", "b"], "")
    # A multiple choice with nothing chosen posts nothing: an empty list, not "not given".
    empty = QueryDict("title=x")
    form = SampleForm(empty)
    form.is_valid()
    bound = bind_input(Sample, empty, form)
    assert bound is not None
    assert bound.tags == []


def test_an_error_the_form_has_no_box_for_goes_on_the_form() -> None:
    data = QueryDict("title=x")
    form = SampleForm(data)
    form.is_valid()

    class Strict(Input):
        """A model whose refusal names a field the form does not show."""

        title: str
        hidden: int

    assert bind_input(Strict, data, form) is None
    assert form.non_field_errors()


@pytest.mark.parametrize(
    ("given", "expected"), [(2, 2), (2.0, 2), ("2", 2), (" -7 ", -7), ("", None), (None, None)]
)
def test_whole_number_takes_what_json_schema_calls_an_integer(given: object, expected: int | None) -> None:
    """``2.0`` is an ``integer`` to JSON Schema (the API document's type), so it is taken as 2
    (the API fuzz test sent one as a ``version``)."""
    assert whole_number(given) == expected


@pytest.mark.parametrize("given", [2.5, True, "2.0", "٣", 1e12, float("nan")])
def test_whole_number_refuses_fractions_booleans_and_the_rest(given: object) -> None:
    with pytest.raises(PydanticCustomError) as refused:
        whole_number(given)
    assert refused.value.context == {"message": str(_("Enter a whole number."))}
