"""The hypotheses register: references, statuses with reasons and history,
linked evidence; never seen by a reviewed party, body ones by their body."""

from __future__ import annotations

import pytest

from app.core.db import db
from app.reviews.models import ReviewStatus
from support.api import error_of
from support.world import World

FIELDS = {
    "id", "review_id", "reference", "statement", "statement_cy", "theme",
    "workspace_id", "scope", "organisation_id", "status", "evidence_ids",
    "created_by", "created_at", "updated_at",
}  # fmt: skip
EVERYONE = [
    "lead_officer", "inspector", "observer", "audit_lead", "audit_inspector",
    "nominee", "contributor", "csc_nominee", "non_member", "admin",
]  # fmt: skip
INSPECTING = {"lead_officer", "inspector", "observer", "audit_lead", "audit_inspector"}


def add(api, world: World, who: str = "inspector", **body):
    return api(who).post(f"/reviews/{world.review.id}/hypotheses", json=body)


def made(api, world: World, who: str = "inspector", **body) -> dict:
    body.setdefault("statement", "Regional working improves school leadership.")
    answer = add(api, world, who, **body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def register(api, world: World, who: str, **query) -> list[dict]:
    answer = api(who).get(f"/reviews/{world.review.id}/hypotheses", query_string=query)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["items"]


def seen_by(api, world: World, hypothesis: dict) -> set[str]:
    by_id = {
        w
        for w in EVERYONE
        if api(w).get(f"/hypotheses/{hypothesis['id']}").status_code == 200
    }
    listed = {
        w
        for w in INSPECTING
        if hypothesis["id"] in {h["id"] for h in register(api, world, w)}
    }
    assert by_id == listed
    return by_id


def test_references_count_up_and_fields(world: World, api) -> None:
    first = made(api, world, statement_cy="Mae gweithio rhanbarthol yn gwella.")
    second = made(api, world, "audit_inspector", theme="Value for money")
    assert set(first) == FIELDS
    assert (first["reference"], second["reference"]) == ("H-001", "H-002")
    assert first["status"] == "emerging" and first["scope"] == "joint"
    assert [h["reference"] for h in register(api, world, "observer")] == [
        "H-001",
        "H-002",
    ]


def test_joint_for_the_inspectors_body_for_the_body(world: World, api) -> None:
    joint = made(api, world, workspace_id=str(world.ws.id))
    assert seen_by(api, world, joint) == INSPECTING
    body = made(api, world, "audit_lead", scope="body")
    assert seen_by(api, world, body) == {"audit_lead", "audit_inspector"}


def test_a_reviewed_party_never_sees_the_register(world: World, api) -> None:
    made(api, world, workspace_id=str(world.ws.id))
    for who in ("nominee", "contributor"):
        answer = api(who).get(f"/reviews/{world.review.id}/hypotheses")
        assert answer.status_code == 403, who
    assert (
        api("non_member").get(f"/reviews/{world.review.id}/hypotheses").status_code
        == 404
    )
    assert add(api, world, "nominee", statement="x").status_code == 403
    assert add(api, world, "observer", statement="x").status_code == 403
    refused = add(api, world, statement="x", scope="workspace")
    assert refused.status_code == 400 and "scope" in error_of(refused)["fields"]
    other = add(
        api, world, statement="x", workspace_id="00000000-0000-0000-0000-000000000001"
    )
    assert other.status_code == 400 and "workspace_id" in error_of(other)["fields"]


def test_a_status_change_needs_a_reason_and_is_kept(world: World, api) -> None:
    hypothesis = made(api, world)
    path = f"/hypotheses/{hypothesis['id']}"
    bare = api("inspector").patch(path, json={"status": "supported"})
    assert bare.status_code == 400 and set(error_of(bare)["fields"]) == {"reason"}
    moved = api("audit_inspector").patch(
        path, json={"status": "supported", "reason": "Interviews in all four regions."}
    )
    assert moved.status_code == 200 and moved.get_json()["status"] == "supported"
    reworded = api("inspector").patch(path, json={"statement": "Sharper statement."})
    assert reworded.get_json()["statement"] == "Sharper statement."
    history = api("observer").get(f"{path}/history").get_json()["items"]
    assert [(h["status"], h["reason"]) for h in history] == [
        ("emerging", None),
        ("supported", "Interviews in all four regions."),
        ("supported", None),
    ]
    assert history[1]["by"] == str(world.users["audit_inspector"].id)
    assert history[2]["statement"] == "Sharper statement."
    assert api("observer").patch(path, json={"theme": "x"}).status_code == 403
    assert api("nominee").patch(path, json={"theme": "x"}).status_code == 404


def test_filters(world: World, api) -> None:
    a = made(api, world, theme="Leadership", workspace_id=str(world.ws.id))
    b = made(api, world, theme="Governance")
    api("inspector").patch(
        f"/hypotheses/{b['id']}", json={"status": "set_aside", "reason": "Out of scope"}
    )
    refs = lambda **q: [h["reference"] for h in register(api, world, "inspector", **q)]  # noqa: E731
    assert refs(status="emerging") == [a["reference"]]
    assert refs(status="set_aside") == [b["reference"]]
    assert refs(workspace_id=str(world.ws.id)) == [a["reference"]]
    assert refs(theme="leadership") == [a["reference"]]
    assert (
        api("inspector")
        .get(f"/reviews/{world.review.id}/hypotheses", query_string={"status": "maybe"})
        .status_code
        == 400
    )


def test_linked_evidence(world: World, api) -> None:
    hypothesis = made(api, world)
    item = api("nominee").upload(world.ws.id, b"minutes\n", "minutes.txt").get_json()
    other = api("csc_nominee").upload(world.csc_ws.id, b"plan\n", "plan.txt").get_json()
    path = f"/hypotheses/{hypothesis['id']}/evidence"
    linked = api("inspector").put(
        path, json={"evidence_ids": [item["id"], other["id"]]}
    )
    assert linked.status_code == 200
    assert sorted(linked.get_json()["evidence_ids"]) == sorted(
        [item["id"], other["id"]]
    )
    unknown = api("inspector").put(
        path, json={"evidence_ids": ["00000000-0000-0000-0000-000000000001"]}
    )
    assert unknown.status_code == 400 and "evidence_ids" in error_of(unknown)["fields"]
    # A withdrawn item drops out of the links.
    assert api("nominee").delete(f"/evidence/{item['id']}").status_code == 204
    again = api("inspector").get(f"/hypotheses/{hypothesis['id']}").get_json()
    assert again["evidence_ids"] == [other["id"]]
    withdrawn = api("inspector").put(path, json={"evidence_ids": [item["id"]]})
    assert withdrawn.status_code == 400
    assert (
        api("inspector").put(path, json={"evidence_ids": []}).get_json()["evidence_ids"]
        == []
    )


def test_notes_on_a_hypothesis_stay_within_it(world: World, api) -> None:
    body = made(api, world, scope="body")
    subject = {"type": "hypothesis", "id": body["id"]}
    note = api("inspector").post(
        f"/reviews/{world.review.id}/notes",
        json={
            "body": "Evidence from the interviews",
            "subject": subject,
            "scope": "body",
        },
    )
    assert note.status_code == 201, note.get_json()
    wide = api("inspector").post(
        f"/reviews/{world.review.id}/notes",
        json={"body": "x", "subject": subject, "scope": "joint"},
    )
    assert wide.status_code == 400 and "scope" in error_of(wide)["fields"]
    hidden = api("audit_inspector").post(
        f"/reviews/{world.review.id}/notes", json={"body": "x", "subject": subject}
    )
    assert hidden.status_code == 400 and "subject" in error_of(hidden)["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "statement"),
        ({"statement": ""}, "statement"),
        ({"statement": "x" * 2001}, "statement"),
        ({"statement": "x", "scope": "everyone"}, "scope"),
        ({"statement": "x", "theme": "t" * 201}, "theme"),
    ],
)
def test_bad_hypotheses_are_400(world: World, api, body, field) -> None:
    answer = add(api, world, **body)
    assert answer.status_code == 400 and field in error_of(answer)["fields"]
    assert register(api, world, "inspector") == []


def test_a_closed_review_keeps_its_register(world: World, api) -> None:
    hypothesis = made(api, world)
    world.review.status = ReviewStatus.CLOSED
    db.session.commit()
    assert add(api, world, statement="Late").status_code == 409
    path = f"/hypotheses/{hypothesis['id']}"
    assert api("inspector").patch(path, json={"theme": "x"}).status_code == 409
    assert (
        api("inspector").put(f"{path}/evidence", json={"evidence_ids": []}).status_code
        == 409
    )
    assert len(register(api, world, "observer")) == 1
