"""Every API answer the tests see, checked against the served OpenAPI document.

The document is what other organisations generate their clients from, so it
must say what the API does: each answer's status is one the operation
documents (5xx excepted: ``default`` covers those), its Content-Type is one
documented for that status, and its JSON body validates against the
documented schema (schemathesis' own response check: nullable, required,
formats, enums). All the API tests go through :class:`support.api.ApiClient`,
which calls :func:`check_answer`, so hundreds of real answers in every
state (an administrator with no organisation, an item with no date, a
finished request) are checked, not only the ones a fuzzer finds.
"""

from __future__ import annotations

import weakref
from typing import Any

import schemathesis
from flask import Flask
from werkzeug.test import TestResponse

_documents: weakref.WeakKeyDictionary[Flask, Any] = weakref.WeakKeyDictionary()


def served_schema(app: Flask) -> Any:
    schema = _documents.get(app)
    if schema is None:
        response = app.test_client().get("/api/v1/openapi.json")
        assert response.status_code == 200
        schema = schemathesis.openapi.from_dict(response.get_json())
        _documents[app] = schema
    return schema


def _documented_types(answer: dict[str, Any]) -> set[str]:
    return set((answer.get("content") or {}).keys())


def check_answer(
    app: Flask, method: str, path: str, response: TestResponse
) -> str | None:
    """Fail if ``response`` to ``method path`` is not what the document says;
    return the operationId it answered for (None: no such operation)."""
    if path.endswith("/openapi.json"):
        return None
    schema = served_schema(app)
    operation = schema.find_operation_by_path(method.upper(), path.split("?")[0])
    if operation is None:
        return None  # a test of a path or method that isn't there
    responses = operation.definition.raw["responses"]
    status = str(response.status_code)
    where = f"{method.upper()} {path} answered {status}"
    if status not in responses:
        assert response.status_code >= 500, (
            f"{where}, which {operation.label} does not document "
            f"(documented: {sorted(responses)})"
        )
        answer = responses["default"]
    else:
        answer = responses[status]
    if "$ref" in answer:
        name = answer["$ref"].rsplit("/", 1)[1]
        answer = schema.raw_schema["components"]["responses"][name]
    documented = _documented_types(answer)
    if not documented:
        assert not response.get_data(), f"{where} with a body it does not document"
    else:
        media_type = response.mimetype
        assert media_type in documented or "*/*" in documented, (
            f"{where} as {media_type}; documented: {sorted(documented)}"
        )
        if media_type == "application/json":
            operation.validate_response(response)
    operation_id: str = operation.definition.raw["operationId"]
    return operation_id
