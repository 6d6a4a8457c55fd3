"""A bad filter value is refused naming its field on every channel of every list: the page
answers 400 with the box's label in its summary and the error on the box, the API 422 in
core.errors' format, the export sends the user back with the reason and writes nothing."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from conftest import MakeUser
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.roles import Role

#: (page route, API path, export route or None, a bad parameter, its value)
LISTS = [
    ("enterprises:list", "/api/v1/enterprises", "enterprises:export", "size_class", "huge"),
    ("projects:list", "/api/v1/projects", "projects:export", "stage", "nowhere"),
    ("matters:list", "/api/v1/matters", None, "state", "open"),
    ("policies:list", "/api/v1/policies", "policies:export", "status", "nope"),
    ("payouts:list", "/api/v1/payouts", "payouts:export", "status", "nope"),
    ("visits:visit_list", "/api/v1/visits", None, "quarter", "2026-Q9"),
    ("catalog:item_list", "/api/v1/catalog-items", None, "industry", "nope"),
]


@pytest.fixture
def admin_client(make_user: MakeUser) -> tuple[Client, Client]:
    user = make_user(Role.CITY_ADMIN)
    web = Client()
    web.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    return web, Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})


@pytest.mark.parametrize(("page", "api", "export", "name", "value"), LISTS)
def test_VAL_01_the_page_names_the_bad_filter(
    admin_client: tuple[Client, Client], page: str, api: str, export: str | None, name: str, value: str
) -> None:
    response = admin_client[0].get(reverse(page), {name: value})
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == [name]
    label = str(form.fields[name].label)
    assert [problem_label for problem_label, _message in form.problems] == [label]
    assert label in response.content.decode()


@pytest.mark.parametrize(("page", "api", "export", "name", "value"), LISTS)
def test_VAL_01_the_api_names_the_bad_filter(
    admin_client: tuple[Client, Client], page: str, api: str, export: str | None, name: str, value: str
) -> None:
    response = admin_client[1].get(api, {name: value})
    assert response.status_code == 422
    body = response.json()
    assert [e["field"] for e in body["errors"]] == [name]
    assert body["errors"][0]["message"]
    assert body["detail"].startswith(f"{name}: ")


@pytest.mark.parametrize(("page", "api", "export", "name", "value"), [row for row in LISTS if row[2]])
def test_VAL_01_the_export_names_the_bad_filter(
    admin_client: tuple[Client, Client], page: str, api: str, export: str, name: str, value: str
) -> None:
    response = admin_client[0].get(reverse(export), {name: value})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(page))
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(texts) == 1
    assert f"{name}: " in texts[0]
    assert not AuditRecord.objects.filter(action__endswith=".export").exists()


def test_the_api_documents_the_parameters_it_reads(admin_client: tuple[Client, Client]) -> None:
    doc = admin_client[1].get("/api/v1/openapi.json").json()
    for _page, api, _export, name, _value in LISTS:
        operation = doc["paths"][api]["get"]
        names = [p["name"] for p in operation["parameters"]]
        assert name in names
        assert "page" in names
        assert len(names) == len(set(names))
