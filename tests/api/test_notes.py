"""Joint team notes: scopes no one can leak, threads, edits, mentions."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.core.db import db
from app.notifications.models import Notification
from app.reviews.models import ReviewStatus
from support.api import error_of
from support.world import World

FIELDS = {
    "id", "review_id", "author_id", "author_name", "body", "html", "scope",
    "workspace_id", "organisation_id", "subject", "reply_to", "mentions",
    "created_at", "updated_at", "edited",
}  # fmt: skip
EVERYONE = [
    "lead_officer", "inspector", "observer", "audit_lead", "audit_inspector",
    "nominee", "contributor", "csc_nominee", "csc_contributor", "non_member", "admin",
]  # fmt: skip
INSPECTING = {"lead_officer", "inspector", "observer", "audit_lead", "audit_inspector"}


def write(api, world: World, who: str = "inspector", **body):
    return api(who).post(f"/reviews/{world.review.id}/notes", json=body)


def made(api, world: World, who: str = "inspector", **body) -> dict:
    answer = write(api, world, who, **body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def seen_by(api, world: World, note: dict) -> set[str]:
    """Who reads the note by id, and who finds it in the review's list."""
    by_id = {
        w for w in EVERYONE if api(w).get(f"/notes/{note['id']}").status_code == 200
    }
    listed = set()
    for who in EVERYONE:
        answer = api(who).get(f"/reviews/{world.review.id}/notes")
        if answer.status_code == 200 and note["id"] in {
            n["id"] for n in answer.get_json()["items"]
        }:
            listed.add(who)
    assert by_id == listed, (by_id, listed)
    return by_id


def test_a_note_has_the_contract_fields(world: World, api) -> None:
    note = made(api, world, body="First thoughts on **leadership**.")
    assert set(note) == FIELDS
    assert note["scope"] == "joint"
    assert note["subject"] == {"type": "review", "id": str(world.review.id)}
    assert note["author_name"] == world.users["inspector"].name
    assert "<strong>leadership</strong>" in note["html"]
    assert note["edited"] is False and note["reply_to"] is None


def test_joint_notes_are_for_every_inspecting_member(world: World, api) -> None:
    note = made(api, world, body="Joint")
    assert seen_by(api, world, note) == INSPECTING


def test_body_notes_stay_in_the_body(world: World, api) -> None:
    note = made(api, world, body="Estyn only", scope="body")
    assert note["organisation_id"] == str(world.estyn.id)
    assert seen_by(api, world, note) == {"lead_officer", "inspector", "observer"}
    audit = made(api, world, "audit_inspector", body="Audit Wales only", scope="body")
    assert seen_by(api, world, audit) == {"audit_lead", "audit_inspector"}


def test_workspace_notes_reach_that_workspace_only(world: World, api) -> None:
    note = made(
        api, world, body="To ERW", scope="workspace", workspace_id=str(world.ws.id)
    )
    assert seen_by(api, world, note) == INSPECTING | {"nominee", "contributor"}


def test_a_reviewed_party_talks_in_its_own_workspace(world: World, api) -> None:
    note = made(api, world, "contributor", body="We have sent the plan.")
    assert note["scope"] == "workspace" and note["workspace_id"] == str(world.ws.id)
    assert seen_by(api, world, note) == INSPECTING | {"nominee", "contributor"}
    for body in (
        {"scope": "joint"},
        {"scope": "body"},
    ):
        refused = write(api, world, "nominee", body="x", **body)
        assert refused.status_code == 400 and "scope" in error_of(refused)["fields"]
    other = write(api, world, "nominee", body="x", workspace_id=str(world.csc_ws.id))
    assert other.status_code == 400
    assert "workspace_id" in error_of(other)["fields"]


def test_notes_on_evidence_take_its_workspace(world: World, api) -> None:
    item = api("nominee").upload(world.ws.id, b"minutes\n", "minutes.txt").get_json()
    subject = {"type": "evidence", "id": item["id"]}
    joint = made(api, world, body="Strong minutes", subject=subject)
    assert joint["workspace_id"] == str(world.ws.id) and joint["scope"] == "joint"
    assert seen_by(api, world, joint) == INSPECTING
    shared = made(api, world, body="Thanks", subject=subject, scope="workspace")
    assert seen_by(api, world, shared) == INSPECTING | {"nominee", "contributor"}
    # Never wider than the subject: not shared with another workspace.
    wider = write(
        api, world, body="x", subject=subject, scope="workspace",
        workspace_id=str(world.csc_ws.id),
    )  # fmt: skip
    assert wider.status_code == 400 and "scope" in error_of(wider)["fields"]
    # Another consortium cannot even name it.
    hidden = write(api, world, "csc_nominee", body="x", subject=subject)
    assert hidden.status_code == 400 and "subject" in error_of(hidden)["fields"]


@pytest.mark.parametrize(
    "subject",
    [
        {"type": "evidence", "id": "00000000-0000-0000-0000-000000000001"},
        {"type": "workspace", "id": "00000000-0000-0000-0000-000000000001"},
        {"type": "review", "id": "00000000-0000-0000-0000-000000000001"},
        {"type": "planet", "id": "00000000-0000-0000-0000-000000000001"},
        {"type": "review"},
    ],
)
def test_a_subject_not_in_this_review_is_400(world: World, api, subject) -> None:
    answer = write(api, world, body="x", subject=subject)
    assert answer.status_code == 400
    assert "subject" in error_of(answer)["fields"]


def test_threads_keep_their_parents_scope(world: World, api) -> None:
    parent = made(api, world, body="Estyn only", scope="body")
    reply = made(api, world, "lead_officer", body="Agreed", reply_to=parent["id"])
    assert reply["scope"] == "body" and reply["reply_to"] == parent["id"]
    assert reply["subject"] == parent["subject"]
    changed = write(
        api, world, "lead_officer", body="x", reply_to=parent["id"], scope="joint"
    )
    assert changed.status_code == 400 and "scope" in error_of(changed)["fields"]
    # Audit Wales cannot see the parent, so cannot reply to it.
    unseen = write(api, world, "audit_lead", body="x", reply_to=parent["id"])
    assert unseen.status_code == 400 and "reply_to" in error_of(unseen)["fields"]
    # The parent's author hears of the reply.
    kinds = db.session.scalars(
        sa.select(Notification.kind).where(
            Notification.user_id == world.users["inspector"].id
        )
    ).all()
    assert [k.value for k in kinds] == ["reply"]


def test_mentions_notify_and_must_see_the_note(world: World, api) -> None:
    lead = str(world.users["audit_lead"].id)
    note = made(api, world, body="@Audit lead: see this", mentions=[lead])
    assert note["mentions"] == [lead]
    listed = api("audit_lead").get("/me/notifications").get_json()["items"]
    assert [(n["kind"], n["subject"]) for n in listed] == [
        ("mention", {"type": "note", "id": note["id"]})
    ]
    nominee = str(world.users["nominee"].id)
    refused = write(api, world, body="joint", mentions=[nominee])
    assert refused.status_code == 400 and "mentions" in error_of(refused)["fields"]
    outsider = str(world.users["non_member"].id)
    assert write(api, world, body="x", mentions=[outsider]).status_code == 400


def test_edits_keep_the_history(world: World, api) -> None:
    note = made(api, world, body="First")
    path = f"/notes/{note['id']}"
    assert api("lead_officer").patch(path, json={"body": "Mine now"}).status_code == 403
    changed = api("inspector").patch(path, json={"body": "Second"})
    assert changed.status_code == 200 and changed.get_json()["edited"] is True
    versions = api("observer").get(f"{path}/versions").get_json()["items"]
    assert [v["body"] for v in versions] == ["First", "Second"]
    assert api("inspector").patch(path, json={"body": ""}).status_code == 400
    assert api("nominee").get(f"{path}/versions").status_code == 404


def test_delete_hides_it_from_everyone_and_replies_stay(world: World, api) -> None:
    parent = made(api, world, body="Parent")
    reply = made(api, world, "audit_inspector", body="Reply", reply_to=parent["id"])
    assert api("audit_lead").delete(f"/notes/{parent['id']}").status_code == 403
    assert api("observer").delete(f"/notes/{parent['id']}").status_code == 403
    # A lead officer of the author's own body may.
    assert api("lead_officer").delete(f"/notes/{parent['id']}").status_code == 204
    assert seen_by(api, world, parent) == set()
    assert seen_by(api, world, reply) == INSPECTING
    assert api("inspector").delete(f"/notes/{parent['id']}").status_code == 404
    # The reply's notification to the parent's author outlives nothing hidden.
    assert api("audit_inspector").delete(f"/notes/{reply['id']}").status_code == 204


def test_who_may_not_write(world: World, api) -> None:
    assert write(api, world, "observer", body="x").status_code == 403
    assert write(api, world, "admin", body="x").status_code == 403
    assert write(api, world, "non_member", body="x").status_code == 404
    assert api("admin").get(f"/reviews/{world.review.id}/notes").status_code == 403
    assert api("non_member").get(f"/reviews/{world.review.id}/notes").status_code == 404


def test_filters(world: World, api) -> None:
    item = api("nominee").upload(world.ws.id, b"minutes\n", "minutes.txt").get_json()
    on_item = made(
        api, world, body="On item", subject={"type": "evidence", "id": item["id"]}
    )
    made(api, world, body="On review")
    body = made(api, world, body="Body", scope="body")
    path = f"/reviews/{world.review.id}/notes"
    by_subject = (
        api("inspector")
        .get(path, query_string={"subject_type": "evidence", "subject_id": item["id"]})
        .get_json()["items"]
    )
    assert [n["id"] for n in by_subject] == [on_item["id"]]
    by_scope = api("inspector").get(path, query_string={"scope": "body"}).get_json()
    assert [n["id"] for n in by_scope["items"]] == [body["id"]]
    by_ws = api("inspector").get(path, query_string={"workspace_id": str(world.ws.id)})
    assert [n["id"] for n in by_ws.get_json()["items"]] == [on_item["id"]]
    assert api("inspector").get(path, query_string={"scope": "nope"}).status_code == 400


def test_references_link_for_readers_who_may_see_the_item(world: World, api) -> None:
    item = api("nominee").upload(world.ws.id, b"minutes\n", "minutes.txt").get_json()
    note = made(
        api, world, "lead_officer", body=f"See {item['reference']}.",
        scope="workspace", workspace_id=str(world.ws.id),
    )  # fmt: skip
    assert f"/evidence/{item['id']}" in note["html"]
    assert (
        f"/evidence/{item['id']}"
        in api("contributor").get(f"/notes/{note['id']}").get_json()["html"]
    )
    # The nominee withdraws it: the reference is plain text from then on.
    assert api("nominee").delete(f"/evidence/{item['id']}").status_code == 204
    html = api("inspector").get(f"/notes/{note['id']}").get_json()["html"]
    assert item["reference"] in html and f"/evidence/{item['id']}" not in html


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"body": ""}, "body"),
        ({"body": "x" * 20_001}, "body"),
        ({"body": "x", "scope": "everyone"}, "scope"),
        ({"body": "x", "scope": "workspace"}, "workspace_id"),
        ({"body": "x", "mentions": ["not-a-uuid"]}, "mentions"),
        ({"body": "x", "reply_to": "00000000-0000-0000-0000-000000000001"}, "reply_to"),
        ({"body": "x", "colour": "red"}, "colour"),
    ],
)
def test_bad_notes_are_400_naming_the_field(world: World, api, body, field) -> None:
    answer = write(api, world, **body)
    assert answer.status_code == 400
    assert field in error_of(answer)["fields"], error_of(answer)
    assert (
        api("inspector").get(f"/reviews/{world.review.id}/notes").get_json()["items"]
        == []
    )


def test_a_closed_review_is_read_only(world: World, api) -> None:
    note = made(api, world, body="Before")
    world.review.status = ReviewStatus.CLOSED
    db.session.commit()
    assert write(api, world, body="After").status_code == 409
    assert (
        api("inspector").patch(f"/notes/{note['id']}", json={"body": "x"}).status_code
        == 409
    )
    assert api("inspector").delete(f"/notes/{note['id']}").status_code == 409
    assert api("observer").get(f"/notes/{note['id']}").status_code == 200
