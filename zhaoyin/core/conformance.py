"""The OpenAPI document held to the API's real behaviour (tests).

Two checks, both against the document ``/api/v1/openapi.json`` serves:

- ``example_problems(document)``: every example the document shows (``example`` /
  ``examples`` on a schema, a parameter or a media type) validates against its own schema;
- ``DocumentChecker.response_problems(...)``: an answer of the API is one the document
  declares — its status is listed for the operation, and a JSON body validates against the
  schema declared for that status, with no field the schema does not declare.

The root conftest wraps Django's test client so that every ``/api/v1`` answer of the whole
suite passes through ``response_problems``: a response field dropped, renamed, retyped or
left undeclared, or an error status an operation does not document, fails the test that
produced it. Schemas are JSON Schema 2020-12 (OpenAPI 3.1); the validator is jsonschema-rs,
which schemathesis already brings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs

#: Where the API is served; only answers below it are checked.
API_PREFIX = "/api/v1/"


def _validator(schema: dict[str, Any], document: dict[str, Any]) -> Any:
    """A validator of ``schema`` whose ``#/components/...`` references resolve in ``document``."""
    root = {**schema, "components": document.get("components", {})}
    return jsonschema_rs.Draft202012Validator(root, validate_formats=True)


def _errors(validator: Any, value: Any) -> list[str]:
    return [
        f"{'/'.join(str(p) for p in e.instance_path) or '(root)'}: {e.message}" for e in validator.iter_errors(value)
    ]


#: Keys whose value is a map of names (properties, schemas …), not a schema or an operation.
_NAME_MAPS = frozenset({"properties", "schemas", "$defs", "paths", "responses", "content"})
#: Keys whose value is data (read from the node that holds it), never walked into.
_DATA = frozenset({"example", "examples", "default", "const", "enum"})


def _walk(node: Any, where: str, key: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every mapping in the document that is not a map of names, with the place it sits at."""
    if key in _DATA:
        return
    if isinstance(node, dict):
        if key not in _NAME_MAPS:
            yield where, node
        for k, value in node.items():
            yield from _walk(value, f"{where}/{k}", str(k))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{where}/{i}", key)


def documented_examples(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """``(place, schema, example)`` for every example in the document.

    A schema's ``examples`` (a list) and ``example``; a parameter's or a media type's
    ``example`` and ``examples`` (a map of example objects with a ``value``) judged by the
    ``schema`` beside them.
    """
    for where, node in _walk(document, "#"):
        schema = node.get("schema")
        if isinstance(schema, dict):  # a parameter or a media type
            if "example" in node:
                yield f"{where}/example", schema, node["example"]
            examples = node.get("examples")
            if isinstance(examples, dict):
                for name, example in examples.items():
                    if isinstance(example, dict) and "value" in example:
                        yield f"{where}/examples/{name}", schema, example["value"]
        elif "type" in node or "properties" in node or "anyOf" in node or "$ref" in node:  # a schema
            if "example" in node:
                yield f"{where}/example", node, node["example"]
            examples = node.get("examples")
            if isinstance(examples, list):
                for i, example in enumerate(examples):
                    yield f"{where}/examples/{i}", node, example


def example_problems(document: dict[str, Any]) -> list[str]:
    """What is wrong with the document's examples (empty when every one fits its schema)."""
    problems = []
    for where, schema, example in documented_examples(document):
        bare = {k: v for k, v in schema.items() if k not in ("example", "examples")}
        problems += [f"{where}: {e}" for e in _errors(_validator(bare, document), example)]
    return problems


@dataclass
class _Operation:
    method: str
    path: str
    pattern: re.Pattern[str]
    params: int
    responses: dict[str, Any]
    validators: dict[str, Any] = field(default_factory=dict)


class DocumentChecker:
    """Judges the API's answers against one OpenAPI document."""

    def __init__(self, document: dict[str, Any], *, closed: bool = True) -> None:
        """``closed``: an answer may carry no field its schema does not declare (the checker's
        own copy of the document treats every object schema as ``additionalProperties: false``)."""
        self.document = json.loads(json.dumps(document))
        if closed:
            for _where, node in _walk(self.document, "#"):
                if isinstance(node.get("properties"), dict) and "additionalProperties" not in node:
                    node["additionalProperties"] = False
        document = self.document
        self.operations: list[_Operation] = []
        for path, item in document.get("paths", {}).items():
            regex = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$"
            for method, operation in item.items():
                self.operations.append(
                    _Operation(method.upper(), path, re.compile(regex), path.count("{"), operation.get("responses", {}))
                )
        # A fixed segment wins over a parameter (``/matters/kpis`` before ``/matters/{id}``).
        self.operations.sort(key=lambda o: o.params)

    def operation_for(self, method: str, path: str) -> _Operation | None:
        """The documented operation that serves ``method path`` (None: not a documented one)."""
        for operation in self.operations:
            if operation.method == method.upper() and operation.pattern.match(path):
                return operation
        return None

    def response_problems(self, method: str, path: str, status: int, content_type: str, body: bytes) -> list[str]:
        """What the answer does that the document does not declare (empty: it conforms).

        Paths the document does not serve (Django's own 404, a method ninja answers 405 for)
        are not the document's business and pass.
        """
        operation = self.operation_for(method, path)
        if operation is None:
            return []
        name = f"{method.upper()} {operation.path} → {status}"
        declared = operation.responses.get(str(status))
        if declared is None:
            return [f"{name}: the status is not documented (documented: {sorted(map(str, operation.responses))})"]
        if not content_type.startswith("application/json"):
            return []
        schema = declared.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            return [f"{name}: a JSON body where the document declares none"]
        validator = operation.validators.get(str(status))
        if validator is None:
            validator = operation.validators[str(status)] = _validator(schema, self.document)
        try:
            value = json.loads(body)
        except ValueError:
            return [f"{name}: the body is not JSON"]
        return [f"{name}: {e}" for e in _errors(validator, value)]

