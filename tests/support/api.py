"""A small JSON API client over Flask's test client, signed in as one user."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from support.conformance import check_answer

API = "/api/v1"


class ApiClient:
    """Calls ``/api/v1`` paths with this client's bearer token (if any)."""

    def __init__(self, client: FlaskClient, token: str | None = None) -> None:
        self.client = client
        self.token = token

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        headers.update(extra or {})
        return headers

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
        content_type: str | None = None,
        query_string: dict[str, Any] | None = None,
    ) -> TestResponse:
        kwargs: dict[str, Any] = {"headers": self.headers(headers)}
        if json is not None:
            kwargs["json"] = json
        if data is not None:
            kwargs["data"] = data
        if content_type is not None:
            kwargs["content_type"] = content_type
        if query_string is not None:
            kwargs["query_string"] = query_string
        response = self.client.open(API + path, method=method, **kwargs)
        # Which operation answered: tests/api/test_openapi_statuses.py checks
        # each provocation reaches the operation it is meant for.
        self.client.last_operation_id = check_answer(  # type: ignore[attr-defined]
            self.client.application, method, API + path, response
        )
        return response

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("DELETE", path, **kwargs)

    def upload(
        self,
        workspace_id: Any,
        content: bytes,
        filename: str,
        *,
        content_type: str = "application/octet-stream",
        fields: dict[str, str] | None = None,
    ) -> TestResponse:
        """POST a multipart upload, built by hand so odd filenames go through
        exactly as given (the test client would tidy them)."""
        return self.post_file(
            f"/workspaces/{workspace_id}/evidence",
            content,
            filename,
            content_type=content_type,
            fields=fields,
        )

    def post_file(
        self,
        path: str,
        content: bytes,
        filename: str,
        *,
        content_type: str = "application/octet-stream",
        fields: dict[str, str] | None = None,
    ) -> TestResponse:
        """POST one file (and text fields before it) as multipart to ``path``."""
        boundary = "----portal-test-boundary-7MA4YWxkTrZu0gW"
        body = bytearray()
        for name, value in (fields or {}).items():
            body += (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            ).encode()
            body += value.encode("utf-8") + b"\r\n"
        quoted = filename.replace("\\", "\\\\").replace('"', '\\"')
        body += (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{quoted}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        body += content + f"\r\n--{boundary}--\r\n".encode()
        return self.post(
            path,
            data=bytes(body),
            content_type=f"multipart/form-data; boundary={boundary}",
        )


def error_of(response: TestResponse) -> dict[str, Any]:
    """The contract's error body, checked for shape."""
    body = response.get_json()
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error.get("code"), str) and isinstance(error.get("message"), str)
    assert error["message"], "an error must say what went wrong"
    return error
