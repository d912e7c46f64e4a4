"""Scenario: the served OpenAPI document describes every contract endpoint."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from e2e_support import API, Portal

pytestmark = pytest.mark.slow

# Every endpoint of docs/api-v1.md, relative to the base path.
CONTRACT = [
    ("post", "/auth/token"),
    ("delete", "/auth/token"),
    ("get", "/me"),
    ("post", "/organisations"),
    ("get", "/organisations"),
    ("post", "/users"),
    ("get", "/users"),
    ("post", "/reviews"),
    ("get", "/reviews"),
    ("get", "/reviews/{}"),
    ("put", "/reviews/{}/members/{}"),
    ("get", "/reviews/{}/members"),
    ("delete", "/reviews/{}/members/{}"),
    ("get", "/reviews/{}/workspaces"),
    ("get", "/workspaces/{}"),
    ("post", "/workspaces/{}/evidence"),
    ("get", "/workspaces/{}/evidence"),
    ("get", "/evidence/{}"),
    ("get", "/evidence/{}/content"),
    ("delete", "/evidence/{}"),
]


def test_openapi_describes_every_endpoint(portal: Portal) -> None:
    document = portal.admin.data("GET", "/openapi.json", 200)
    assert str(document.get("openapi", "")).startswith("3."), document.get("openapi")
    # Paths may be written relative to a server URL ending in the base path.
    prefixes = {""}
    for server in document.get("servers") or []:
        prefixes.add(urlparse(server.get("url", "")).path.rstrip("/"))
    described: set[tuple[str, str]] = set()
    for path, operations in document.get("paths", {}).items():
        shape = re.sub(r"\{[^}]+\}", "{}", path)
        for prefix in prefixes:
            full = prefix + shape
            if full.startswith(API + "/"):
                for method, operation in operations.items():
                    if isinstance(operation, dict) and "responses" in operation:
                        described.add((method.lower(), full[len(API) :]))
    missing = [f"{m.upper()} {p}" for m, p in CONTRACT if (m, p) not in described]
    assert not missing, f"OpenAPI document lacks: {missing}"
