"""``core.forms.submit_form``: a page's form through its one service, every way it can end."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from django import forms
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from pydantic import BeforeValidator

from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.forms import submit_form
from zhaoyin.core.inputs import Input, text


class Note(Input):
    """One required text of at most 10 characters."""

    title: Annotated[str, BeforeValidator(text(10, required=True))]


class NoteForm(forms.Form):
    title = forms.CharField(required=False)
    documents = forms.CharField(required=False)


def _form(query: str) -> NoteForm:
    return NoteForm(QueryDict(query))


def test_done_returns_what_the_service_returned() -> None:
    calls: list[str] = []

    def service(data: Note) -> int:
        calls.append(data.title)
        return 7

    form = _form("title=立项")
    posted = submit_form(form, Note, form.data, service)
    assert (posted.status, posted.result, posted.done) == (200, 7, True)
    assert calls == ["立项"]


def test_input_the_model_refuses_never_reaches_the_service() -> None:
    form = _form("title=" + "长" * 11)
    posted = submit_form(form, Note, form.data, lambda data: pytest.fail("called"))
    assert (posted.status, posted.done, posted.result) == (400, False, None)
    assert "title" in form.errors


def test_a_service_refusal_lands_on_its_field_or_the_renamed_one() -> None:
    def refuse(data: Note) -> None:
        raise InvalidInput.field("files", "不是 PDF。")

    form = _form("title=x")
    assert submit_form(form, Note, form.data, refuse, rename={"files": "documents"}).status == 400
    assert form.errors["documents"] == ["不是 PDF。"]
    plain = _form("title=x")
    submit_form(plain, Note, plain.data, refuse)
    assert plain.errors["__all__"] == ["不是 PDF。"]  # no box called files: on the form


def test_a_conflict_is_409_on_the_form_as_a_whole() -> None:
    def stale(data: Note) -> None:
        raise Conflict("已被他人修改。")

    form = _form("title=x")
    assert submit_form(form, Note, form.data, stale).status == 409
    assert form.errors["__all__"] == ["已被他人修改。"]


def test_a_refused_user_is_403_only_when_the_page_asks_for_it() -> None:
    def deny(data: Any) -> None:
        raise PermissionDenied("无权办理。")

    form = _form("title=x")
    with pytest.raises(PermissionDenied):
        submit_form(form, Note, form.data, deny)
    form = _form("title=x")
    assert submit_form(form, Note, form.data, deny, denied=True).status == 403
    assert form.errors["__all__"] == ["无权办理。"]
