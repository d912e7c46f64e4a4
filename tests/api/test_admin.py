"""Administration: organisations, users and reviews (administrators only)."""

from __future__ import annotations

import uuid

from app.core.db import db
from app.core.permissions import Role
from app.reviews.models import Review
from support.api import ApiClient, error_of
from support.world import World, ids, make_token


def test_create_and_list_organisations(world: World, api) -> None:
    admin = api("admin")
    response = admin.post(
        "/organisations",
        json={
            "slug": "ysgol-y-dderi",
            "name": "Ysgol y Dderi",
            "name_cy": "Ysgol y Dderi",
            "kind": "school",
        },
    )
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"id", "slug", "name", "name_cy", "kind"}
    assert body["slug"] == "ysgol-y-dderi" and body["kind"] == "school"
    uuid.UUID(body["id"])

    listed = admin.get("/organisations", query_string={"limit": 200}).get_json()
    assert body in listed["items"]
    assert listed["next_cursor"] is None


def test_taken_slug_is_a_conflict(world: World, api) -> None:
    response = api("admin").post(
        "/organisations",
        json={"slug": "estyn", "name": "Estyn again", "kind": "inspectorate"},
    )
    assert response.status_code == 409
    assert error_of(response)["code"] == "conflict"


def test_organisation_validation(world: World, api) -> None:
    admin = api("admin")
    bad = [
        ({"slug": "Has Spaces", "name": "x", "kind": "school"}, "slug"),
        ({"slug": "ok-slug", "name": "x", "kind": "castle"}, "kind"),
        ({"slug": "ok-slug", "name": "", "kind": "school"}, "name"),
        ({"slug": "ok-slug", "name": "x" * 201, "kind": "school"}, "name"),
        ({"slug": "ok-slug", "name": "bad\x00name", "kind": "school"}, "name"),
        ({"slug": "ok-slug", "kind": "school"}, "name"),
    ]
    for body, field in bad:
        response = admin.post("/organisations", json=body)
        assert response.status_code == 400, body
        assert field in error_of(response)["fields"], body


def test_create_user_and_list(world: World, api) -> None:
    admin = api("admin")
    response = admin.post(
        "/users",
        json={
            "email": "Dewi.Sant@Example.org",
            "name": "Dewi Sant",
            "organisation_id": str(world.erw.id),
            "password": "llanddewi brefi cathedral 589",
            "locale": "cy",
        },
    )
    assert response.status_code == 201, response.get_json()
    user = response.get_json()
    assert set(user) == {"id", "email", "name", "organisation_id", "is_admin", "locale"}
    assert user["email"] == "dewi.sant@example.org"
    assert user["locale"] == "cy" and user["is_admin"] is False
    listed = admin.get("/users", query_string={"limit": 200}).get_json()["items"]
    assert user in listed
    assert all("password" not in u and "password_hash" not in u for u in listed)


def test_taken_email_is_a_conflict_whatever_its_case(world: World, api) -> None:
    response = api("admin").post(
        "/users",
        json={
            "email": world.users["nominee"].email.upper(),
            "name": "Twin",
            "organisation_id": str(world.erw.id),
            "password": "a perfectly strong passphrase 7",
        },
    )
    assert response.status_code == 409


def test_weak_passwords_are_refused(world: World, api) -> None:
    for password in (
        "short",
        "password1234",
        "aaaaaaaaaaaaaaaa",
        "dewi.sant@example.org",
    ):
        response = api("admin").post(
            "/users",
            json={
                "email": "dewi.sant@example.org",
                "name": "Dewi Sant",
                "organisation_id": str(world.erw.id),
                "password": password,
            },
        )
        assert response.status_code == 400, password
        assert "password" in error_of(response)["fields"]


def test_user_needs_a_real_organisation(world: World, api) -> None:
    for org_id, status in ((str(uuid.uuid4()), 400), ("not-a-uuid", 400), (None, 400)):
        response = api("admin").post(
            "/users",
            json={
                "email": "x@example.org",
                "name": "X",
                "organisation_id": org_id,
                "password": "a perfectly strong passphrase 7",
            },
        )
        assert response.status_code == status
        assert "organisation_id" in error_of(response)["fields"]


def test_is_admin_must_be_a_boolean(world: World, api) -> None:
    response = api("admin").post(
        "/users",
        json={
            "email": "x@example.org",
            "name": "X",
            "organisation_id": str(world.erw.id),
            "password": "a perfectly strong passphrase 7",
            "is_admin": "yes",
        },
    )
    assert response.status_code == 400
    assert "is_admin" in error_of(response)["fields"]


def test_create_review_makes_one_workspace_per_reviewed_party(
    world: World, api, factory
) -> None:
    schools = [factory.organisation(f"school-{n}") for n in range(7)]
    committee = factory.organisation("scrutiny-committee")
    response = api("admin").post(
        "/reviews",
        json={
            "title": "School engagement sessions: ALN transformation",
            "title_cy": "Sesiynau ymgysylltu ag ysgolion: trawsnewid ADY",
            "inspecting": ids(committee),
            "reviewed": ids(*schools),
        },
    )
    assert response.status_code == 201
    review = response.get_json()
    assert review["inspecting"] == ids(committee)
    assert review["reviewed"] == ids(*schools)
    assert review["status"] == "planning"
    assert review["title_cy"].startswith("Sesiynau")
    assert api("admin").get(f"/reviews/{review['id']}").status_code == 200
    # The committee's member pages through the seven schools' workspaces.
    clerk = factory.user(committee)
    made = db.session.get(Review, uuid.UUID(review["id"]))
    factory.member(made, clerk, Role.INSPECTOR)
    client = ApiClient(api("admin").client, make_token(clerk))
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"/reviews/{review['id']}/workspaces", query_string=query)
        assert page.status_code == 200, page.get_json()
        seen += [w["organisation_id"] for w in page.get_json()["items"]]
        cursor = page.get_json()["next_cursor"]
        if cursor is None:
            break
    assert seen == ids(*schools)


def test_review_validation(world: World, api) -> None:
    admin = api("admin")
    estyn, erw = str(world.estyn.id), str(world.erw.id)
    cases = [
        ({"title": "T", "inspecting": [], "reviewed": [erw]}, "inspecting"),
        ({"title": "T", "inspecting": [estyn], "reviewed": []}, "reviewed"),
        ({"title": "T", "inspecting": [estyn], "reviewed": [estyn]}, "reviewed"),
        ({"title": "T", "inspecting": [estyn, estyn], "reviewed": [erw]}, "inspecting"),
        (
            {"title": "T", "inspecting": [str(uuid.uuid4())], "reviewed": [erw]},
            "inspecting",
        ),
        ({"title": "T", "inspecting": ["nope"], "reviewed": [erw]}, "inspecting"),
        ({"title": "T", "inspecting": estyn, "reviewed": [erw]}, "inspecting"),
        ({"title": "x" * 501, "inspecting": [estyn], "reviewed": [erw]}, "title"),
        ({"inspecting": [estyn], "reviewed": [erw]}, "title"),
    ]
    for body, field in cases:
        response = admin.post("/reviews", json=body)
        assert response.status_code == 400, body
        assert field in error_of(response)["fields"], (body, error_of(response))


def test_administration_is_for_administrators(world: World, api) -> None:
    for who in ("lead_officer", "inspector", "nominee", "non_member"):
        client = api(who)
        for method, path, body in (
            ("GET", "/organisations", None),
            ("GET", "/users", None),
            ("POST", "/organisations", {"slug": "zz", "name": "Z", "kind": "other"}),
            ("POST", "/reviews", {"title": "T", "inspecting": [], "reviewed": []}),
        ):
            response = client.request(method, path, json=body)
            assert response.status_code == 403, (who, method, path)
            assert error_of(response)["code"] == "forbidden"
