"""Print views (issue 16 item 2): a matter on an A4 sheet — the print stylesheet, no
navigation, scoped like the detail page (404 out of scope)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhaoyin.matters.flow import State
from zhaoyin.matters.tests.conftest import MakeMatter, People
from zhaoyin.matters.tests.test_views import client_for

pytestmark = pytest.mark.django_db


def is_print_page(body: str) -> None:
    assert "css/print.css" in body
    assert "js/print.js" in body
    assert "data-zy-print" in body
    assert "zy-sidebar" not in body  # no navigation
    assert "zy-topbar" not in body


def test_matter_print_view_renders_and_is_scoped(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ASSIGNED)
    url = reverse("matters:print", args=[matter.pk])
    response = client_for(people.lead).get(url)
    assert response.status_code == 200
    body = response.content.decode()
    is_print_page(body)
    assert matter.code in body
    assert "用地指标协调" in body
    assert 'id="print-timeline"' in body
    assert client_for(people.outsider).get(url).status_code == 404  # another county
    assert client_for(people.other_portal).get(url).status_code == 404
    detail = client_for(people.lead).get(reverse("matters:detail", args=[matter.pk])).content.decode()
    assert f'href="{url}"' in detail
