"""One reviewed party never sees another's workspace, nor that it exists."""

from __future__ import annotations

import uuid

from app.core.permissions import Role
from support.api import ApiClient, error_of
from support.world import World, make_token


def test_reviewed_parties_see_only_their_own(world: World, api) -> None:
    item = api("nominee").upload(world.ws.id, b"ERW evidence", "erw.txt").get_json()
    for who in ("csc_nominee", "csc_contributor"):
        other = api(who)
        listed = other.get(f"/reviews/{world.review.id}/workspaces").get_json()["items"]
        assert [w["id"] for w in listed] == [str(world.csc_ws.id)]
        review = other.get(f"/reviews/{world.review.id}").get_json()
        assert review["reviewed"] == [str(world.csc.id)]
        assert sorted(review["inspecting"]) == sorted(
            [str(world.estyn.id), str(world.audit.id)]
        )
        for path in (
            f"/workspaces/{world.ws.id}",
            f"/workspaces/{world.ws.id}/evidence",
            f"/evidence/{item['id']}",
            f"/evidence/{item['id']}/content",
        ):
            response = other.get(path)
            assert response.status_code == 404, (who, path)
        assert other.upload(world.ws.id, b"x", "x.txt").status_code == 404
        assert other.delete(f"/evidence/{item['id']}").status_code == 404


def test_hidden_looks_exactly_like_absent(world: World, api) -> None:
    item = api("nominee").upload(world.ws.id, b"ERW evidence", "erw.txt").get_json()
    other = api("csc_nominee")
    pairs = [
        (f"/workspaces/{world.ws.id}", f"/workspaces/{uuid.uuid4()}"),
        (f"/evidence/{item['id']}", f"/evidence/{uuid.uuid4()}"),
        (f"/evidence/{item['id']}/content", f"/evidence/{uuid.uuid4()}/content"),
    ]
    for hidden, absent in pairs:
        a, b = other.get(hidden), other.get(absent)
        assert a.status_code == b.status_code == 404
        assert a.get_json() == b.get_json()
        assert error_of(a)["code"] == "not_found"


def test_inspecting_side_of_both_bodies_sees_every_workspace(world: World, api) -> None:
    for who in (
        "lead_officer",
        "inspector",
        "observer",
        "audit_lead",
        "audit_inspector",
    ):
        listed = (
            api(who).get(f"/reviews/{world.review.id}/workspaces").get_json()["items"]
        )
        assert {w["id"] for w in listed} == {str(world.ws.id), str(world.csc_ws.id)}
        review = api(who).get(f"/reviews/{world.review.id}").get_json()
        assert sorted(review["reviewed"]) == sorted(
            [str(world.erw.id), str(world.csc.id)]
        )


def test_administration_is_no_licence_to_read_evidence(world: World, api) -> None:
    item = api("nominee").upload(world.ws.id, b"ERW evidence", "erw.txt").get_json()
    admin = api("admin")
    assert admin.get(f"/reviews/{world.review.id}").status_code == 200
    assert admin.get(f"/workspaces/{world.ws.id}").status_code == 404
    assert admin.get(f"/evidence/{item['id']}").status_code == 404
    assert admin.get(f"/evidence/{item['id']}/content").status_code == 404


def test_admin_who_is_a_member_reads_as_that_member(world: World, api) -> None:
    item = api("nominee").upload(world.ws.id, b"ERW evidence", "erw.txt").get_json()
    # An administrator from Estyn, made an observer of the review.
    factory = world.factory
    admin_user = factory.user(world.estyn, is_admin=True)
    factory.member(world.review, admin_user, Role.OBSERVER)
    response = ApiClient(api("admin").client, make_token(admin_user)).get(
        f"/evidence/{item['id']}/content"
    )
    assert response.status_code == 200 and response.data == b"ERW evidence"


def test_reviews_list_is_filtered(world: World, api, factory) -> None:
    other_review = factory.review([world.estyn], [world.csc], title="Somebody else's")
    listed = api("nominee").get("/reviews").get_json()["items"]
    assert [r["id"] for r in listed] == [str(world.review.id)]
    everything = api("admin").get("/reviews").get_json()["items"]
    assert {r["id"] for r in everything} == {str(world.review.id), str(other_review.id)}
    assert api("nominee").get(f"/reviews/{other_review.id}").status_code == 404
