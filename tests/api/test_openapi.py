"""The served OpenAPI document: valid, generated from the code, complete."""

from __future__ import annotations

from openapi_spec_validator import validate

CONTRACT = {
    ("post", "/auth/token"),
    ("delete", "/auth/token"),
    ("get", "/me"),
    ("post", "/organisations"),
    ("get", "/organisations"),
    ("post", "/users"),
    ("get", "/users"),
    ("post", "/reviews"),
    ("get", "/reviews"),
    ("get", "/reviews/{review_id}"),
    ("put", "/reviews/{review_id}/members/{user_id}"),
    ("get", "/reviews/{review_id}/members"),
    ("delete", "/reviews/{review_id}/members/{user_id}"),
    ("get", "/reviews/{review_id}/workspaces"),
    ("get", "/workspaces/{workspace_id}"),
    ("post", "/workspaces/{workspace_id}/evidence"),
    ("get", "/workspaces/{workspace_id}/evidence"),
    ("get", "/evidence/{evidence_id}"),
    ("get", "/evidence/{evidence_id}/content"),
    ("delete", "/evidence/{evidence_id}"),
    # Evidence intake (issue 4): request lists.
    ("post", "/workspaces/{workspace_id}/requests"),
    ("get", "/workspaces/{workspace_id}/requests"),
    ("post", "/reviews/{review_id}/requests"),
    ("get", "/requests/{request_id}"),
    ("post", "/requests/{request_id}/decision"),
    ("put", "/requests/{request_id}/assignees"),
    ("get", "/reviews/{review_id}/progress"),
    # Evidence metadata and versions (issue 4).
    ("patch", "/evidence/{evidence_id}"),
    ("post", "/evidence/{evidence_id}/versions"),
    ("get", "/evidence/{evidence_id}/versions"),
    # Bulk upload (issue 4): ZIP import.
    ("post", "/workspaces/{workspace_id}/imports"),
    # Resumable uploads (issue 4).
    ("post", "/workspaces/{workspace_id}/uploads"),
    ("put", "/uploads/{upload_id}/parts/{number}"),
    ("get", "/uploads/{upload_id}"),
    ("post", "/uploads/{upload_id}/complete"),
    ("delete", "/uploads/{upload_id}"),
}


def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    return response.get_json()


def test_document_is_valid_openapi(client) -> None:
    validate(spec(client))


def test_document_describes_the_whole_contract(client) -> None:
    document = spec(client)
    described = {
        (method, path.removeprefix("/api/v1"))
        for path, operations in document["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert described == CONTRACT


def test_operations_have_schemas_and_security(client) -> None:
    document = spec(client)
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert {"error"} == set(document["components"]["schemas"]["Error"]["properties"])
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "delete"}:
                continue
            assert operation.get("summary"), (method, path)
            for status, answer in operation["responses"].items():
                if status.startswith(("4", "5")):
                    if "$ref" in answer:
                        name = answer["$ref"].rsplit("/", 1)[1]
                        answer = document["components"]["responses"][name]
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (
                        method,
                        path,
                    )
    token = document["paths"]["/api/v1/auth/token"]["post"]
    assert token["security"] == []
    upload = document["paths"]["/api/v1/workspaces/{workspace_id}/evidence"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    item = document["components"]["schemas"]["Evidence"]["properties"]
    assert set(item) >= {
        "id", "workspace_id", "title", "description", "filename", "media_type",
        "size", "sha256", "uploaded_by", "uploaded_at",
    }  # fmt: skip
