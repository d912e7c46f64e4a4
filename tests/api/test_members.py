"""Membership: who may add, re-role and remove whom; removal ends access at once."""

from __future__ import annotations

import uuid

from support.api import error_of
from support.world import World


def put_role(client, world: World, who: str, role: str):
    return client.put(
        f"/reviews/{world.review.id}/members/{world.users[who].id}", json={"role": role}
    )


def test_admin_adds_and_changes_members(world: World, api) -> None:
    admin = api("admin")
    response = put_role(admin, world, "estyn_spare", "observer")
    assert response.status_code == 200
    assert response.get_json()["user_id"] == str(world.users["estyn_spare"].id)
    assert response.get_json()["role"] == "observer"
    assert (
        put_role(admin, world, "estyn_spare", "inspector").get_json()["role"]
        == "inspector"
    )
    members = admin.get(
        f"/reviews/{world.review.id}/members", query_string={"limit": 200}
    )
    roles = {m["user_id"]: m["role"] for m in members.get_json()["items"]}
    assert roles[str(world.users["estyn_spare"].id)] == "inspector"


def test_role_must_fit_the_side(world: World, api) -> None:
    admin = api("admin")
    response = put_role(admin, world, "estyn_spare", "nominee")
    assert response.status_code == 400
    assert "role" in error_of(response)["fields"]
    response = put_role(admin, world, "erw_spare", "inspector")
    assert response.status_code == 400
    assert "role" in error_of(response)["fields"]


def test_unknown_role_is_a_validation_error(world: World, api) -> None:
    for body in ({"role": "king"}, {"role": None}, {}, {"role": 3}):
        response = api("admin").put(
            f"/reviews/{world.review.id}/members/{world.users['estyn_spare'].id}",
            json=body,
        )
        assert response.status_code == 400, body
        assert "role" in error_of(response)["fields"]


def test_user_of_a_non_party_is_refused_with_user_id(world: World, api) -> None:
    response = put_role(api("admin"), world, "non_member", "inspector")
    assert response.status_code == 400
    assert "user_id" in error_of(response)["fields"]


def test_unknown_user_is_not_found(world: World, api) -> None:
    response = api("admin").put(
        f"/reviews/{world.review.id}/members/{uuid.uuid4()}", json={"role": "observer"}
    )
    assert response.status_code == 404


def test_lead_officer_manages_own_body_only(world: World, api) -> None:
    lead = api("lead_officer")
    assert put_role(lead, world, "estyn_spare", "inspector").status_code == 200
    # Another body's user, a reviewed party's user: forbidden.
    for who in ("audit_inspector", "csc_spare", "erw_spare"):
        response = put_role(lead, world, who, "observer")
        assert response.status_code == 403, who
        assert error_of(response)["code"] == "forbidden"
    # Own body, but a reviewed-side role does not fit.
    assert put_role(lead, world, "estyn_spare", "contributor").status_code == 400


def test_nominee_manages_own_contributors_only(world: World, api) -> None:
    nominee = api("nominee")
    assert put_role(nominee, world, "erw_spare", "contributor").status_code == 200
    assert put_role(nominee, world, "erw_spare", "nominee").status_code == 403
    assert put_role(nominee, world, "csc_spare", "contributor").status_code == 403
    assert put_role(nominee, world, "estyn_spare", "observer").status_code == 403
    # A nominee cannot demote their fellow nominee.
    assert put_role(nominee, world, "nominee", "contributor").status_code == 403
    # Nor learn, from the answer, whether an outsider's organisation takes part.
    assert put_role(nominee, world, "non_member", "contributor").status_code == 403


def test_others_may_not_manage_members(world: World, api) -> None:
    for who in ("inspector", "observer", "contributor"):
        response = put_role(api(who), world, "estyn_spare", "observer")
        assert response.status_code == 403, who


def test_non_members_see_no_review(world: World, api) -> None:
    response = put_role(api("non_member"), world, "estyn_spare", "observer")
    assert response.status_code == 404


def test_removed_member_loses_access_at_once(world: World, api) -> None:
    contributor = api("contributor")
    assert contributor.get(f"/workspaces/{world.ws.id}").status_code == 200
    response = api("nominee").delete(
        f"/reviews/{world.review.id}/members/{world.users['contributor'].id}"
    )
    assert response.status_code == 204
    assert contributor.get(f"/workspaces/{world.ws.id}").status_code == 404
    assert contributor.get(f"/reviews/{world.review.id}").status_code == 404
    assert contributor.get("/reviews").get_json()["items"] == []


def test_removing_someone_who_is_not_a_member(world: World, api) -> None:
    response = api("admin").delete(
        f"/reviews/{world.review.id}/members/{world.users['estyn_spare'].id}"
    )
    assert response.status_code == 404


def test_delete_follows_the_same_rules(world: World, api) -> None:
    assert (
        api("lead_officer")
        .delete(
            f"/reviews/{world.review.id}/members/{world.users['audit_inspector'].id}"
        )
        .status_code
        == 403
    )
    assert (
        api("nominee")
        .delete(
            f"/reviews/{world.review.id}/members/{world.users['csc_contributor'].id}"
        )
        .status_code
        == 403
    )
    assert (
        api("lead_officer")
        .delete(f"/reviews/{world.review.id}/members/{world.users['observer'].id}")
        .status_code
        == 204
    )


def test_member_list_is_for_the_inspecting_side(world: World, api) -> None:
    path = f"/reviews/{world.review.id}/members"
    for who in ("lead_officer", "inspector", "observer", "audit_lead", "admin"):
        assert api(who).get(path).status_code == 200, who
    for who in ("nominee", "contributor"):
        response = api(who).get(path)
        assert response.status_code == 403, who
    assert api("non_member").get(path).status_code == 404


def test_member_list_pages(world: World, api) -> None:
    path = f"/reviews/{world.review.id}/members"
    seen: list[str] = []
    cursor = None
    while True:
        query = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = api("lead_officer").get(path, query_string=query).get_json()
        assert len(page["items"]) <= 3
        seen += [m["user_id"] for m in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 9
