"""The OpenAPI document tells the truth: its examples fit, every answer of the suite fits it
(checked by the root conftest through ``zhaoyin.core.conformance``), every operation states
its errors and required fields, and no field or route DESIGN 5.1 names is missing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.http import HttpResponse, JsonResponse

from config.api import api
from conftest import check_api_response
from zhaoyin.core.conformance import DocumentChecker, documented_examples, example_problems

API = "/api/v1"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(api.get_openapi_schema()))
    return result


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The schema a ``$ref`` (or a nullable ``anyOf`` of one, or a lone ``allOf``) stands for."""
    while True:
        if "$ref" in schema:
            schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        elif "anyOf" in schema:
            schema = next(s for s in schema["anyOf"] if s.get("type") != "null")
        elif "allOf" in schema and len(schema["allOf"]) == 1:
            schema = schema["allOf"][0]
        else:
            return schema


def _response(document: dict[str, Any], method: str, path: str, status: int = 200) -> dict[str, Any]:
    operation = document["paths"][API + path][method]
    return _resolve(document, operation["responses"][str(status)]["content"]["application/json"]["schema"])


def _body(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    operation = document["paths"][API + path][method]
    return _resolve(document, operation["requestBody"]["content"]["application/json"]["schema"])


def _item(document: dict[str, Any], schema: dict[str, Any], name: str = "items") -> dict[str, Any]:
    return _resolve(document, _resolve(document, schema["properties"][name])["items"])


# ---- the machinery ---------------------------------------------------------------------------

TOY: dict[str, Any] = {
    "openapi": "3.1.0",
    "paths": {
        "/api/v1/things/{id}": {
            "get": {
                "responses": {
                    "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                    "404": {"content": {"application/json": {"schema": {"type": "object"}}}},
                }
            }
        },
        "/api/v1/things/special": {
            "get": {"responses": {"200": {"content": {"application/json": {"schema": {"type": "array"}}}}}}
        },
        "/api/v1/things/{id}/file": {"get": {"responses": {"200": {"description": "A file"}}}},
    },
    "components": {
        "schemas": {
            "Thing": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "day": {"type": "string", "format": "date", "examples": ["2026-03-01"]},
                },
                "required": ["id", "day"],
            }
        }
    },
}


def _problems(
    path: str, status: int, body: Any, method: str = "GET", content_type: str = "application/json"
) -> list[str]:
    return DocumentChecker(TOY).response_problems(method, path, status, content_type, json.dumps(body).encode())


def test_a_conforming_answer_passes() -> None:
    assert _problems("/api/v1/things/7", 200, {"id": 7, "day": "2026-03-01"}) == []


@pytest.mark.parametrize(
    ("status", "body", "complaint"),
    [
        (200, {"id": 7}, "day"),  # a field dropped
        (200, {"id": "7", "day": "2026-03-01"}, "integer"),  # retyped
        (200, {"id": 7, "day": "1 March"}, "date"),  # not the documented format
        (409, {"detail": "x"}, "not documented"),  # a status the operation does not declare
        (200, {"id": 7, "day": "2026-03-01", "secret": 1}, "secret"),  # a field the document does not declare
    ],
)
def test_a_nonconforming_answer_is_named(status: int, body: Any, complaint: str) -> None:
    problems = _problems("/api/v1/things/7", status, body)
    assert problems
    assert complaint in " ".join(problems)
    assert problems[0].startswith(f"GET /api/v1/things/{{id}} → {status}")


def test_a_fixed_path_is_judged_by_its_own_operation_not_the_parameter_one() -> None:
    assert _problems("/api/v1/things/special", 200, []) == []
    assert _problems("/api/v1/things/special", 200, {"id": 1, "day": "2026-03-01"})


def test_a_json_body_where_the_document_declares_none_is_refused_and_files_pass() -> None:
    assert _problems("/api/v1/things/7/file", 200, {"x": 1}) == ["GET /api/v1/things/{id}/file → 200: a JSON body "
                                                                  "where the document declares none"]
    assert _problems("/api/v1/things/7/file", 200, "%PDF", content_type="application/pdf") == []


def test_paths_and_methods_the_document_does_not_serve_are_not_judged() -> None:
    assert _problems("/api/v1/unknown", 404, {"detail": "x"}) == []
    assert _problems("/api/v1/things/7", 405, {"detail": "x"}, method="DELETE") == []


def test_examples_are_found_and_a_wrong_one_is_named() -> None:
    assert [where for where, _schema, _value in documented_examples(TOY)] == [
        "#/components/schemas/Thing/properties/day/examples/0"
    ]
    assert example_problems(TOY) == []
    wrong = json.loads(json.dumps(TOY))
    wrong["components"]["schemas"]["Thing"]["properties"]["day"]["examples"] = ["soon"]
    wrong["components"]["schemas"]["Thing"]["example"] = {"id": "x", "day": "2026-03-01"}
    problems = example_problems(wrong)
    assert len(problems) == 2
    assert any(p.startswith("#/components/schemas/Thing/properties/day/examples/0") for p in problems)
    assert any(p.startswith("#/components/schemas/Thing/example: id") for p in problems)


def test_the_test_client_wrapper_fails_on_an_answer_the_document_does_not_declare(document: dict[str, Any]) -> None:
    request = {"PATH_INFO": "/api/v1/me", "REQUEST_METHOD": "GET"}
    with pytest.raises(AssertionError, match="roles"):
        check_api_response(request, JsonResponse({"username": "x", "org_unit": None}))
    with pytest.raises(AssertionError, match="not documented"):
        check_api_response(request, JsonResponse({"detail": "x", "errors": []}, status=409))
    check_api_response(request, JsonResponse({"username": "x", "roles": [], "org_unit": None}))
    # Outside the API nothing is judged.
    check_api_response({"PATH_INFO": "/enterprises/", "REQUEST_METHOD": "GET"}, HttpResponse("<html>"))


# ---- the document ----------------------------------------------------------------------------


def test_every_documented_example_fits_its_schema(document: dict[str, Any]) -> None:
    examples = list(documented_examples(document))
    assert len(examples) >= 20  # the value types and the error format carry examples
    assert example_problems(document) == []


def test_every_operation_documents_its_errors_in_the_error_format(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            name = f"{method.upper()} {path}"
            if operation.get("security"):
                assert {"401", "403"} <= set(responses), name
            if "{" in path:
                assert "404" in responses, name
            if operation.get("parameters") or operation.get("requestBody"):
                assert "422" in responses, name
            for status, response in responses.items():
                if int(status) >= 400:
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (name, status)
    error = document["components"]["schemas"]["ErrorOut"]
    assert set(error["required"]) == {"detail", "errors"}
    assert set(_item(document, error, "errors")["required"]) == {"field", "message"}


def test_writes_that_can_conflict_document_409(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "patch" or (method == "post" and "/actions/" in path and not path.endswith("{action}")):
                assert "409" in operation["responses"], f"{method.upper()} {path}"
    assert "409" in document["paths"][API + "/policies/{id}/actions/{action}"]["post"]["responses"]
    assert "401" in document["paths"][API + "/auth/token"]["post"]["responses"]


def test_required_fields_are_required_and_no_description_says_so_instead(document: dict[str, Any]) -> None:
    assert "(required)" not in json.dumps(document).lower()
    required = {
        "return": {"reason", "suggested_unit"},
        "report": {"summary"},
        "reject": {"reason"},
        "reopen": {"reason"},
        "extend": {"reason"},
        "cancel": {"reason"},
        "progress": {"note"},
        "reassign": {"lead_unit"},
        "rate": {"rating"},
        "assign": set(),
        "accept": set(),
    }
    for action, names in required.items():
        body = _body(document, "post", f"/matters/{{id}}/actions/{action}")
        assert set(body.get("required", [])) == names, action
    assert set(_body(document, "post", "/enterprises")["required"]) == {"name", "uscc", "org_unit", "industry"}


def test_every_answer_field_is_required_in_the_document(document: dict[str, Any]) -> None:
    """The API always sends every field of an answer (null where allowed): the document says so."""
    for name in ("EnterpriseOut", "ProjectDetailOut", "MatterDetailOut", "MatterPageOut", "PolicyDetailOut",
                 "PayoutOut", "VisitOut", "ItemOut", "MeOut"):
        schema = document["components"]["schemas"][name]
        assert set(schema["required"]) == set(schema["properties"]), name


# ---- DESIGN 5.1: no route renamed, no field dropped ----------------------------------------------

#: The routes DESIGN 5.1 names that the platform serves today (method, path).
DESIGN_ROUTES = [
    ("post", "/auth/token"), ("get", "/me"), ("get", "/org-units"), ("get", "/calendar/add-workdays"),
    ("get", "/enterprises"), ("post", "/enterprises"), ("get", "/enterprises/{id}"), ("patch", "/enterprises/{id}"),
    ("post", "/enterprises/{id}/figures"), ("get", "/enterprises/{id}/policy-matches"),
    ("get", "/enterprises/{id}/policy-list.pdf"), ("get", "/enterprises/{id}/policy-list.docx"),
    ("get", "/projects"), ("post", "/projects"), ("get", "/projects/{id}"), ("patch", "/projects/{id}"),
    ("post", "/projects/{id}/stages"), ("post", "/projects/{id}/funds"),
    ("get", "/matters"), ("post", "/matters"), ("get", "/matters/{id}"), ("patch", "/matters/{id}"),
    ("get", "/matters/flowchart.svg"), ("get", "/matters/kpis"), ("get", "/matters/{id}/notices"),
    ("get", "/policies"), ("post", "/policies"), ("get", "/policies/{id}"), ("patch", "/policies/{id}"),
    ("get", "/policies/{id}/eligible-enterprises"), ("get", "/targets/progress"),
    ("get", "/catalog-items"), ("post", "/catalog-items"), ("get", "/catalog-items/{id}"),
    ("patch", "/catalog-items/{id}"), ("get", "/catalog-editions/{id}/pdf"), ("get", "/catalog-editions/{id}/xlsx"),
    ("get", "/visits"), ("post", "/visits"),
] + [("post", f"/matters/{{id}}/actions/{a}") for a in (
    "assign", "accept", "return", "report", "approve", "reject", "rate", "reopen", "cancel", "extend",
    "extend_approve", "extend_refuse",
)]


@pytest.mark.parametrize(("method", "path"), DESIGN_ROUTES)
def test_design_routes_are_served(document: dict[str, Any], method: str, path: str) -> None:
    assert method in document["paths"].get(API + path, {}), f"{method.upper()} {API}{path}"


def test_design_answer_fields_are_all_in_the_document(document: dict[str, Any]) -> None:
    def has(schema: dict[str, Any], names: str) -> None:
        missing = set(names.split()) - set(schema["properties"])
        assert not missing, (schema.get("title"), missing)

    has(_response(document, "post", "/auth/token"), "token")
    me = _response(document, "get", "/me")
    has(me, "username roles org_unit")
    has(_resolve(document, me["properties"]["org_unit"]), "id code name kind")
    units = _response(document, "get", "/org-units")
    has(_resolve(document, units["items"]), "id code name kind parent_id")
    has(_response(document, "get", "/calendar/add-workdays"), "date provisional")
    for collection in ("enterprises", "projects", "matters", "policies", "catalog-items", "visits", "payouts"):
        has(_response(document, "get", f"/{collection}"), "count items")
    has(_response(document, "get", "/enterprises/{id}"), "size_class qualifications land_mu")
    matter = _response(document, "get", "/matters/{id}")
    has(matter, "status sign_due handle_due alert provisional events")
    for action in ("assign", "return", "rate", "cancel"):
        assert _response(document, "post", f"/matters/{{id}}/actions/{action}") == matter
    progress = _response(document, "get", "/targets/progress")
    has(progress, "year indicator unit time_progress city items")
    has(_item(document, progress), "org_unit target actual completion gap rank")
    has(_item(document, _response(document, "get", "/matters/kpis")),
        "assigned signed_on_time closed_on_time satisfaction returned mean_workdays rank")
    has(_item(document, _response(document, "get", "/matters/{id}/notices")), "kind")
    match = _item(document, _response(document, "get", "/enterprises/{id}/policy-matches"))
    has(match, "policy verdict conditions")
    has(_item(document, match, "conditions"), "condition result reason")
    error = document["components"]["schemas"]["ErrorOut"]
    has(error, "detail errors")


def test_design_request_fields_are_all_accepted(document: dict[str, Any]) -> None:
    bodies = {
        ("post", "/enterprises"): "name uscc org_unit industry",
        ("post", "/enterprises/{id}/figures"): "year revenue_wan tax_wan output_wan value_added_wan energy_tce "
                                               "emissions_t rd_wan employees electricity_kwh",
        ("post", "/projects"): "name investor_name org_unit industry source_region total_investment_wan",
        ("post", "/projects/{id}/stages"): "stage date note",
        ("post", "/projects/{id}/funds"): "month amount_wan source",
        ("post", "/matters"): "title description kind source lead_unit co_units",
        ("post", "/matters/{id}/actions/assign"): "lead_unit co_units handle_days",
        ("post", "/matters/{id}/actions/return"): "reason suggested_unit",
        ("post", "/matters/{id}/actions/report"): "summary",
        ("post", "/matters/{id}/actions/reject"): "reason",
        ("post", "/matters/{id}/actions/rate"): "rating comment",
        ("post", "/matters/{id}/actions/extend"): "days reason",
        ("post", "/matters/{id}/actions/cancel"): "reason",
        ("post", "/policies"): "title issuer level doc_no valid_from valid_to category benefits eligibility",
        ("post", "/visits"): "enterprise date notes demands",
        ("post", "/auth/token"): "username password otp",
    }
    for (method, path), names in bodies.items():
        missing = set(names.split()) - set(_body(document, method, path)["properties"])
        assert not missing, (path, missing)


def test_no_two_schemas_of_the_api_share_a_name_with_different_shapes(document: dict[str, Any]) -> None:
    """The document keys schemas by class name: two different classes of one name would leave
    one of them described by the other's fields (/me's org unit once lost its ``kind``)."""
    from pydantic import BaseModel

    def subclasses(cls: type[BaseModel]) -> list[type[BaseModel]]:
        return [s for c in cls.__subclasses__() for s in (c, *subclasses(c))]

    shapes: dict[str, set[str]] = {}
    for cls in set(subclasses(BaseModel)):
        if cls.__module__.startswith(("zhaoyin.", "config.")) and cls.__name__ in document["components"]["schemas"]:
            shape = json.dumps(cls.model_json_schema(mode="serialization"), sort_keys=True)
            shapes.setdefault(cls.__name__, set()).add(shape)
    assert shapes
    assert {name for name, found in shapes.items() if len(found) > 1} == set()
