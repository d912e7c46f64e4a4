"""Bad input gets a clear 4xx with the contract's error body: never a 500."""

from __future__ import annotations

import pytest

from support.api import error_of
from support.world import World


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b'{"title": "x",}', "application/json"),
        (b"\xff\xfe\x00garbage", "application/json"),
        (b'{"title": "x"}', "text/plain"),
        (b"title=x", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_json(body: bytes, content_type: str, world: World, api) -> None:
    response = api("admin").post("/reviews", data=body, content_type=content_type)
    assert response.status_code == 400
    assert error_of(response)["code"] == "validation_error"


@pytest.mark.parametrize("body", [[], "a string", 42, None, [{"title": "x"}]])
def test_json_that_is_not_an_object(body, world: World, api) -> None:
    response = api("admin").post("/organisations", json=body)
    assert response.status_code == 400
    assert error_of(response)["code"] == "validation_error"


def test_empty_body(world: World, api) -> None:
    response = api("admin").post(
        "/organisations", data=b"", content_type="application/json"
    )
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) >= {"slug", "name", "kind"}


@pytest.mark.parametrize(
    "body",
    [
        {"slug": 1, "name": "x", "kind": "school"},
        {"slug": ["a"], "name": "x", "kind": "school"},
        {"slug": "ok", "name": {"en": "x"}, "kind": "school"},
        {"slug": "ok", "name": "x", "kind": True},
        {"slug": "ok", "name": "x", "kind": "school", "name_cy": 7},
        {"slug": "ok", "name": "x", "kind": "school", "unexpected": "field"},
    ],
)
def test_wrong_types(body, world: World, api) -> None:
    response = api("admin").post("/organisations", json=body)
    assert response.status_code == 400
    assert error_of(response)["fields"], body


@pytest.mark.parametrize("size", [501, 10_000, 1_000_000])
def test_huge_strings_are_400_not_413(size: int, world: World, api) -> None:
    response = api("admin").post(
        "/reviews",
        json={
            "title": "x" * size,
            "inspecting": [str(world.estyn.id)],
            "reviewed": [str(world.erw.id)],
        },
    )
    assert response.status_code == 400
    assert "title" in error_of(response)["fields"]


def test_body_over_the_json_limit_is_413(world: World, api) -> None:
    response = api("admin").post(
        "/organisations",
        data=b'{"slug": "' + b"x" * (11 * 1024 * 1024) + b'"}',
        content_type="application/json",
    )
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"


@pytest.mark.parametrize(
    "path",
    [
        "/reviews/not-a-uuid",
        "/reviews/123",
        "/reviews/%00",
        "/reviews/00000000-0000-0000-0000-00000000000g",
        "/workspaces/../../etc/passwd",
        "/workspaces/x/evidence",
        "/evidence/'; DROP TABLE users;--",
        "/evidence/1e3/content",
        "/reviews/x/members/y",
    ],
)
def test_ids_that_are_not_uuids_are_404(path: str, world: World, api) -> None:
    response = api("inspector").get(path)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": -1}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "eyJ0IjoxfQ.forged"}, "cursor"),
        ({"cursor": "x" * 5000}, "cursor"),
    ],
)
def test_bad_list_parameters(query, field: str, world: World, api) -> None:
    for path in ("/reviews", f"/workspaces/{world.ws.id}/evidence", "/organisations"):
        who = "admin" if path == "/organisations" else "inspector"
        response = api(who).get(path, query_string=query)
        assert response.status_code == 400, (path, query)
        assert field in error_of(response)["fields"]


def test_limits_at_the_edges_are_accepted(world: World, api) -> None:
    for limit in (1, 200):
        assert (
            api("inspector").get("/reviews", query_string={"limit": limit}).status_code
            == 200
        )


def test_unknown_paths_and_methods(world: World, api) -> None:
    response = api("inspector").get("/no/such/thing")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    response = api("inspector").request("PATCH", "/me")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


def test_nul_and_controls_in_json_strings(world: World, api) -> None:
    for title in ("a\x00b", "a\x1bb", "a\u202eb"):
        response = api("admin").post(
            "/reviews",
            json={
                "title": title,
                "inspecting": [str(world.estyn.id)],
                "reviewed": [str(world.erw.id)],
            },
        )
        assert response.status_code == 400, repr(title)
        assert "title" in error_of(response)["fields"]


def test_every_response_says_nosniff(world: World, api, client) -> None:
    for response in (
        client.get("/api/v1/me"),
        api("inspector").get("/me"),
        api("inspector").get("/nowhere"),
        client.get("/api/v1/openapi.json"),
    ):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
