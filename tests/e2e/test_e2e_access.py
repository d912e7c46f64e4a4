"""Scenarios: isolation between reviewed parties, removal and revocation."""

from __future__ import annotations

import json

import pytest

from e2e_support import (
    People,
    Portal,
    expect_error,
    fixture_bytes,
    staff_review,
)

pytestmark = pytest.mark.slow

CONSORTIA = ["erw", "csc", "eas", "gwe"]


def test_reviewed_parties_are_isolated(portal: Portal, people: People) -> None:
    review = staff_review(portal, people, "Isolation", ["estyn", "wao"], CONSORTIA)
    items = {}
    for consortium in CONSORTIA:
        workspace = review.workspaces[people.org_id(consortium)]
        items[consortium] = (
            people[f"{consortium}/contributor"]
            .client.upload(
                workspace["id"], "chart.png", fixture_bytes("chart.png"), expect=201
            )
            .json()
        )

    png = fixture_bytes("chart.png")
    for consortium in CONSORTIA:
        own_ws = review.workspaces[people.org_id(consortium)]
        others = [c for c in CONSORTIA if c != consortium]
        for role in ("nominee", "contributor"):
            person = people[f"{consortium}/{role}"]
            client = person.client
            listed = client.walk(f"/reviews/{review.id}/workspaces", 50)
            assert [w["id"] for w in listed] == [own_ws["id"]], person.key

            # Neither the review nor the list of reviews reveals the other
            # reviewed parties.
            listed_reviews = client.get("/reviews?limit=200", expect=200).json()
            entry = [r for r in listed_reviews["items"] if r["id"] == review.id]
            assert entry, f"{person.key}: review not listed"
            listed_text = json.dumps(entry)
            for other in others:
                other_org = people.orgs[other]
                for secret in (other_org["id"], other_org["slug"]):
                    assert secret not in listed_text, (
                        f"{person.key} sees {other} in GET /reviews"
                    )
            text = client.get(f"/reviews/{review.id}", expect=200).text
            body = json.loads(text)
            assert set(body["reviewed"]) <= {people.org_id(consortium)}, (
                f"{person.key}: GET /reviews/{{id}} lists reviewed {body['reviewed']}"
            )
            for other in others:
                other_org = people.orgs[other]
                for secret in (other_org["id"], other_org["slug"]):
                    assert secret not in text, f"{person.key} sees {other} in review"

            for other in others:
                workspace = review.workspaces[people.org_id(other)]
                item = items[other]
                for method, path in (
                    ("GET", f"/workspaces/{workspace['id']}"),
                    ("GET", f"/workspaces/{workspace['id']}/evidence"),
                    ("GET", f"/evidence/{item['id']}"),
                    ("GET", f"/evidence/{item['id']}/content"),
                    ("DELETE", f"/evidence/{item['id']}"),
                ):
                    expect_error(client.request(method, path), 404, "not_found")
                resp = client.upload(workspace["id"], "chart.png", png)
                expect_error(resp, 404, "not_found")

    # A user of an organisation that is no party sees nothing.
    outsider = people["outsider/inspector"].client
    item = items["erw"]
    for path in (
        f"/reviews/{review.id}",
        f"/reviews/{review.id}/workspaces",
        f"/workspaces/{item['workspace_id']}",
        f"/workspaces/{item['workspace_id']}/evidence",
        f"/evidence/{item['id']}",
        f"/evidence/{item['id']}/content",
    ):
        expect_error(outsider.get(path), 404, "not_found")
    assert review.id not in {r["id"] for r in outsider.walk("/reviews", 200)}

    # An administrator who is no member of the review reads no evidence.
    admin = portal.admin
    admin.get(f"/reviews/{review.id}", expect=200)
    for consortium in CONSORTIA:
        item = items[consortium]
        for path in (
            f"/workspaces/{item['workspace_id']}/evidence",
            f"/evidence/{item['id']}",
            f"/evidence/{item['id']}/content",
        ):
            expect_error(admin.get(path), 404, "not_found")


def test_removed_member_loses_access_at_once(portal: Portal, people: People) -> None:
    review = staff_review(portal, people, "Removal", ["estyn"], ["erw", "csc"])
    workspace = review.workspaces[people.org_id("erw")]
    item = (
        people["erw/contributor"]
        .client.upload(
            workspace["id"], "attendance.csv", fixture_bytes("attendance.csv")
        )
        .json()
    )
    paths = [
        f"/workspaces/{workspace['id']}",
        f"/workspaces/{workspace['id']}/evidence",
        f"/evidence/{item['id']}",
        f"/evidence/{item['id']}/content",
    ]
    # A role change takes effect at once: an inspector may upload, an observer
    # may not.
    inspector = people["estyn/inspector"]
    png = fixture_bytes("chart.png")
    inspector.client.upload(workspace["id"], "chart.png", png, expect=201)
    lead = people["estyn/lead_officer"]
    portal.set_role(lead.client, review.id, inspector, "observer")
    resp = inspector.client.upload(workspace["id"], "chart.png", png)
    expect_error(resp, 403, "forbidden")
    portal.set_role(lead.client, review.id, inspector, "inspector")
    removals = [
        # (who removes, who is removed)
        ("estyn/lead_officer", "estyn/inspector"),
        ("erw/nominee", "erw/contributor"),
        (None, "erw/nominee"),
    ]
    for remover_key, removed_key in removals:
        removed = people[removed_key]
        remover = portal.admin if remover_key is None else people[remover_key].client
        # Warm up: the member reads everything just before removal.
        for path in paths:
            removed.client.get(path, expect=200)
        resp = remover.delete(f"/reviews/{review.id}/members/{removed.id}")
        assert resp.status_code == 204, f"{remover.label} removing {removed_key}"
        # Two rounds so that both gunicorn workers answer.
        for _ in range(2):
            for path in paths:
                expect_error(removed.client.get(path), 404, "not_found")
            expect_error(removed.client.get(f"/reviews/{review.id}"), 404, "not_found")
            expect_error(
                removed.client.get(f"/reviews/{review.id}/workspaces"),
                404,
                "not_found",
            )
            listed = removed.client.walk("/reviews", 200)
            assert review.id not in {r["id"] for r in listed}, removed_key
        members = people["estyn/lead_officer"].client.walk(
            f"/reviews/{review.id}/members", 200
        )
        assert removed.id not in {m["user_id"] for m in members}, removed_key


def test_revoked_token_answers_401_at_once(portal: Portal, people: People) -> None:
    person = people["gwe/nominee"]
    fresh = portal.sign_in(person.email, "correct horse battery staple 42", "fresh")
    for _ in range(2):
        assert fresh.data("GET", "/me", 200)["id"] == person.id
    resp = fresh.delete("/auth/token")
    assert resp.status_code == 204, resp.text
    for _ in range(4):
        expect_error(fresh.get("/me"), 401, "unauthenticated")
        expect_error(fresh.get("/reviews"), 401, "unauthenticated")
    # Only that token ended: the holder's other token still works.
    assert person.client.data("GET", "/me", 200)["id"] == person.id
