"""The scheme pages: the list, a scheme in words, the editor (a round trip keeps the definition;
a refusal lands on the input that is wrong and saves nothing; add / remove rows), and the
project page's 亩均 conditions section."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from zhaoyin.matters.models import Matter
from zhaoyin.mujun.models import MuCondition, MuScheme
from zhaoyin.mujun.scheme_data_templates import anhui_template
from zhaoyin.mujun.tests.schemes_support import SchemeWorld, make_project, project_of, publish_run, scheme_world

pytestmark = pytest.mark.django_db
__all__ = ["make_project", "scheme_world"]

_INPUT = re.compile(r"<input\b[^>]*>", re.S)
_SELECT = re.compile(r"<select\b[^>]*\bname=\"([^\"]+)\"[^>]*>(.*?)</select>", re.S)
_ATTR = re.compile(r'(\w+)="([^"]*)"')


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    return client


def form_data(html: str) -> dict[str, list[str]]:
    """What a browser would post from the editor as drawn (enabled inputs, checked boxes,
    each select's chosen option), without any button."""
    form = html[html.index('id="scheme-form"'):]
    form = form[:form.index("</form>")]
    data: dict[str, list[str]] = {}
    for tag in _INPUT.findall(form):
        attrs = dict(_ATTR.findall(tag))
        name = attrs.get("name")
        if not name or " disabled" in tag or attrs.get("type") == "submit":
            continue
        if attrs.get("type") == "checkbox" and " checked" not in tag:
            continue
        data.setdefault(unescape(name), []).append(unescape(attrs.get("value", "")))
    for name, body in _SELECT.findall(form):
        chosen = (re.search(r'<option value="([^"]*)"[^>]*\bselected', body)
                  or re.search(r'<option value="([^"]*)"', body))
        data.setdefault(unescape(name), []).append(unescape(chosen.group(1)) if chosen else "")
    return data


def test_the_list_and_a_scheme_in_words(scheme_world: SchemeWorld) -> None:
    w = scheme_world
    page = client_for(w.admin_a).get(reverse("mujun:scheme_list"))
    assert page.status_code == 200
    assert w.scheme.name in page.content.decode()
    detail = client_for(w.leader).get(reverse("mujun:scheme_detail", args=[w.scheme.pk])).content.decode()
    assert "亩均税收 = 实缴税金 ÷ 用地面积" in detail
    assert "单位电耗税收 = 实缴税金 ÷ 用电量" in detail
    assert "scheme-edit" not in detail  # the leader reads only


def test_the_new_scheme_page_is_the_template_and_posting_it_back_stores_the_same_definition(
    scheme_world: SchemeWorld,
) -> None:
    w = scheme_world
    client = client_for(w.office)
    page = client.get(reverse("mujun:scheme_create"))
    assert page.status_code == 200
    data = form_data(page.content.decode())
    assert data["lists[0].indicators[5].kind"] == ["rd_intensity"]
    answer = client.post(reverse("mujun:scheme_create"), data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    created = MuScheme.objects.exclude(pk=w.scheme.pk).get()
    assert created.definition == anhui_template(created.year)
    # And the edit page of the stored scheme round-trips too.
    edit = client.get(reverse("mujun:scheme_edit", args=[created.pk]))
    again = client.post(reverse("mujun:scheme_edit", args=[created.pk]), form_data(edit.content.decode()))
    assert again.status_code == 302
    created.refresh_from_db()
    assert created.definition == anhui_template(created.year)
    assert created.version == 2


def test_a_refusal_lands_on_the_input_that_is_wrong_and_nothing_is_saved(scheme_world: SchemeWorld) -> None:
    w = scheme_world
    client = client_for(w.office)
    data = form_data(client.get(reverse("mujun:scheme_edit", args=[w.scheme.pk])).content.decode())
    data["lists[0].indicators[1].bench_mode"] = ["fixed"]
    data["lists[0].indicators[1].benchmark"] = ["0"]
    data["lists[1].indicators[0].weight"] = ["60"]
    answer = client.post(reverse("mujun:scheme_edit", args=[w.scheme.pk]), data)
    assert answer.status_code == 400
    html = answer.content.decode()
    row = html[html.index('id="lists[0].indicators[1]"'):]
    row = row[:row.index("</tr>")]
    assert 'name="lists[0].indicators[1].benchmark" value="0"' in row
    assert "is-invalid" in row
    assert 'id="lists[1].indicators-error"' in html
    assert "110" in html
    w.scheme.refresh_from_db()
    assert w.scheme.definition == anhui_template(2025)
    assert w.scheme.version == 1


def test_rows_and_lists_are_added_and_removed_without_saving(scheme_world: SchemeWorld) -> None:
    w = scheme_world
    client = client_for(w.office)
    url = reverse("mujun:scheme_edit", args=[w.scheme.pk])
    data = form_data(client.get(url).content.decode())
    added = client.post(url, data | {"edit": ["add_indicator:1"]}).content.decode()
    assert 'id="lists[1].indicators[2]"' in added
    removed = client.post(url, data | {"edit": ["remove_list:0"]}).content.decode()
    assert 'id="lists[1]"' not in removed
    assert 'value="below_3mu"' in removed
    w.scheme.refresh_from_db()
    assert w.scheme.version == 1


def test_a_frozen_scheme_is_not_edited_409(scheme_world: SchemeWorld) -> None:
    w = scheme_world
    client = client_for(w.office)
    data = form_data(client.get(reverse("mujun:scheme_edit", args=[w.scheme.pk])).content.decode())
    MuScheme.objects.filter(pk=w.scheme.pk).update(status="frozen")
    data["name"] = ["改名"]
    answer = client.post(reverse("mujun:scheme_edit", args=[w.scheme.pk]), data)
    assert answer.status_code == 409
    assert MuScheme.objects.get(pk=w.scheme.pk).name == w.scheme.name


def test_the_project_page_shows_its_conditions_and_a_breach_becomes_a_matter(
    scheme_world: SchemeWorld, make_project: Any
) -> None:
    w = scheme_world
    project = project_of(make_project, w.firm)
    client = client_for(w.admin_a)
    added = client.post(reverse("mujun:condition_add", args=[project.pk]),
                        {"indicator": "tax_per_mu", "threshold": "30", "from_year": "2024", "note": "第八条"})
    assert added.status_code == 302
    bad = client.post(reverse("mujun:condition_add", args=[project.pk]),
                      {"indicator": "", "formula": "tax / acres", "name": "x", "threshold": "1", "from_year": "2024"})
    assert bad.status_code == 400
    assert "formula" in bad.content.decode()
    assert MuCondition.objects.count() == 1
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'id="mu-conditions"' in page
    assert "第八条" in page
    publish_run(w.scheme, 2025, w.firm, {"tax": "250", "land_mu": "10"}, by=w.office)
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "zy-mu-breached" in page
    assert "25 / 约定 30（2025 年）" in page
    condition = MuCondition.objects.get()
    raised = client.post(reverse("mujun:condition_matter", args=[condition.pk]))
    assert raised.status_code == 302
    assert Matter.objects.count() == 1
    again = client.post(reverse("mujun:condition_matter", args=[condition.pk]))
    assert again.status_code == 302
    assert Matter.objects.count() == 1
    # A reader of the project sees the section without the buttons.
    leader_page = client_for(w.leader).get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'id="mu-conditions"' in leader_page
    assert "mu-condition-form" not in leader_page
