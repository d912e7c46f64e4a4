"""Headline messages: numbered per review, resting on evidence and
hypotheses, agreed by every inspecting body (however many there are), a
change of text clearing the agreements; never seen by a reviewed party."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.core.db import db
from app.core.permissions import Role, Side
from app.notifications.models import Notification
from app.reviews.models import ReviewParty, ReviewStatus
from support.api import error_of
from support.world import World, make_token

FIELDS = {
    "id", "review_id", "number", "text", "text_cy", "evidence_ids",
    "hypothesis_ids", "status", "agreements", "created_by", "created_at",
    "updated_at",
}  # fmt: skip
INSPECTING = ["lead_officer", "inspector", "observer", "audit_lead", "audit_inspector"]
OUTSIDE = ["nominee", "contributor", "csc_nominee", "non_member", "admin"]
MISSING = "00000000-0000-0000-0000-000000000001"


def add(api, world: World, who: str = "inspector", **body):
    return api(who).post(f"/reviews/{world.review.id}/messages", json=body)


def made(api, world: World, who: str = "inspector", **body) -> dict:
    body.setdefault("text", "Regional working has improved school leadership.")
    answer = add(api, world, who, **body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def listed(api, world: World, who: str = "inspector", **query) -> list[dict]:
    answer = api(who).get(f"/reviews/{world.review.id}/messages", query_string=query)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["items"]


def agree(api, who: str, message: dict):
    return api(who).put(f"/messages/{message['id']}/agreement")


def withdraw(api, who: str, message: dict):
    return api(who).delete(f"/messages/{message['id']}/agreement")


def hypothesis(api, world: World, **body) -> dict:
    body.setdefault("statement", "Boards challenge the consortia's officers.")
    answer = api("inspector").post(f"/reviews/{world.review.id}/hypotheses", json=body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def actions(message: dict) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.subject_id == uuid.UUID(message["id"]))
            .order_by(AuditEvent.seq)
        )
    )


def test_made_numbered_listed_and_read(world: World, api) -> None:
    first = made(api, world, text_cy="Mae gweithio rhanbarthol wedi gwella.")
    second = made(api, world, "audit_lead", text="Value for money is not shown.")
    assert set(first) == FIELDS
    assert (first["number"], second["number"]) == (1, 2)
    assert first["status"] == "proposed" and first["agreements"] == []
    assert first["text_cy"] == "Mae gweithio rhanbarthol wedi gwella."
    assert first["created_by"] == str(world.users["inspector"].id)
    assert first["review_id"] == str(world.review.id)
    for who in INSPECTING:
        assert [m["number"] for m in listed(api, world, who)] == [1, 2], who
        again = api(who).get(f"/messages/{first['id']}")
        assert again.status_code == 200 and again.get_json() == first
    page = listed(api, world, limit=1)
    assert [m["number"] for m in page] == [1]
    assert (
        api("inspector")
        .get(f"/reviews/{world.review.id}/messages", query_string={"limit": 0})
        .status_code
        == 400
    )


def test_numbers_are_per_review(world: World, api, factory) -> None:
    made(api, world)
    other = factory.review([world.estyn], [world.erw], title="Another review")
    factory.member(other, world.users["inspector"], Role.INSPECTOR)
    answer = api("inspector").post(
        f"/reviews/{other.id}/messages", json={"text": "Elsewhere"}
    )
    assert answer.status_code == 201 and answer.get_json()["number"] == 1
    assert [m["number"] for m in listed(api, world)] == [1]


def test_only_inspecting_members_see_them(world: World, api) -> None:
    message = made(api, world)
    for who in OUTSIDE:
        assert api(who).get(f"/messages/{message['id']}").status_code == 404, who
    for who in ("nominee", "contributor", "csc_nominee", "admin"):
        answer = api(who).get(f"/reviews/{world.review.id}/messages")
        assert answer.status_code == 403, who
    assert (
        api("non_member").get(f"/reviews/{world.review.id}/messages").status_code == 404
    )
    # Nor may they act on one: it is not there for them.
    for who in OUTSIDE:
        path = f"/messages/{message['id']}"
        assert api(who).patch(path, json={"text": "x"}).status_code == 404, who
        assert api(who).put(f"{path}/agreement").status_code == 404, who
        assert api(who).delete(f"{path}/agreement").status_code == 404, who
        assert api(who).delete(path).status_code == 404, who
    assert api("non_member").get(f"/messages/{MISSING}").status_code == 404
    assert api("inspector").get(f"/messages/{MISSING}").status_code == 404


def test_writers_write_observers_and_reviewed_parties_do_not(world: World, api) -> None:
    assert add(api, world, "observer", text="x").status_code == 403
    assert add(api, world, "nominee", text="x").status_code == 403
    assert add(api, world, "admin", text="x").status_code == 403
    assert add(api, world, "non_member", text="x").status_code == 404
    message = made(api, world, "audit_inspector")
    path = f"/messages/{message['id']}"
    assert api("observer").patch(path, json={"text": "x"}).status_code == 403
    assert api("observer").delete(path).status_code == 403
    assert listed(api, world, "observer")[0]["text"] == message["text"]


def test_every_body_agreeing_makes_it_agreed(world: World, api) -> None:
    message = made(api, world)
    first = agree(api, "lead_officer", message)
    assert first.status_code == 200
    body = first.get_json()
    assert body["status"] == "proposed"
    assert [(a["organisation_id"], a["by"]) for a in body["agreements"]] == [
        (str(world.estyn.id), str(world.users["lead_officer"].id))
    ]
    # Agreeing again changes nothing.
    again = agree(api, "lead_officer", message).get_json()
    assert again["agreements"] == body["agreements"]
    both = agree(api, "audit_lead", message).get_json()
    assert both["status"] == "agreed"
    assert {a["organisation_id"] for a in both["agreements"]} == {
        str(world.estyn.id),
        str(world.audit.id),
    }
    assert api("observer").get(f"/messages/{message['id']}").get_json() == both
    # Withdrawn: proposed again; withdrawn twice: still 200, no change.
    taken_back = withdraw(api, "audit_lead", message)
    assert taken_back.status_code == 200
    assert taken_back.get_json()["status"] == "proposed"
    assert withdraw(api, "audit_lead", message).get_json() == taken_back.get_json()
    assert actions(message) == [
        "message.created",
        "message.agreed",
        "message.agreed",
        "message.agreement_withdrawn",
    ]


def test_only_lead_officers_agree(world: World, api) -> None:
    message = made(api, world)
    for who in ("inspector", "audit_inspector", "observer"):
        assert agree(api, who, message).status_code == 403, who
        assert withdraw(api, who, message).status_code == 403, who
    assert (
        api("inspector").get(f"/messages/{message['id']}").get_json()["agreements"]
        == []
    )


def test_a_change_of_text_clears_the_agreements(world: World, api) -> None:
    item = api("nominee").upload(world.ws.id, b"minutes\n", "minutes.txt").get_json()
    message = made(api, world)
    agree(api, "lead_officer", message)
    agree(api, "audit_lead", message)
    path = f"/messages/{message['id']}"
    linked = api("inspector").patch(path, json={"evidence_ids": [item["id"]]})
    assert linked.status_code == 200
    assert linked.get_json()["status"] == "agreed"
    assert linked.get_json()["evidence_ids"] == [item["id"]]
    # The same text again is no change.
    same = api("inspector").patch(path, json={"text": message["text"]})
    assert same.get_json()["status"] == "agreed"
    reworded = api("audit_inspector").patch(path, json={"text": "Sharper."})
    assert reworded.status_code == 200
    body = reworded.get_json()
    assert body["text"] == "Sharper." and body["status"] == "proposed"
    assert body["agreements"] == [] and body["evidence_ids"] == [item["id"]]
    agree(api, "lead_officer", message)
    agree(api, "audit_lead", message)
    welsh = api("inspector").patch(path, json={"text_cy": "Yn fwy miniog."})
    assert welsh.get_json()["agreements"] == []
    assert welsh.get_json()["text_cy"] == "Yn fwy miniog."
    assert actions(message).count("message.changed") == 3


def test_delete(world: World, api) -> None:
    message = made(api, world)
    agree(api, "lead_officer", message)
    path = f"/messages/{message['id']}"
    # One body's agreement alone does not keep it.
    assert api("inspector").delete(path).status_code == 204
    assert api("inspector").get(path).status_code == 404
    assert listed(api, world) == []
    agreed = made(api, world, text="Kept")
    agree(api, "lead_officer", agreed)
    agree(api, "audit_lead", agreed)
    refused = api("inspector").delete(f"/messages/{agreed['id']}")
    assert refused.status_code == 409
    assert [m["id"] for m in listed(api, world)] == [agreed["id"]]
    withdraw(api, "audit_lead", agreed)
    assert api("lead_officer").delete(f"/messages/{agreed['id']}").status_code == 204
    events = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action == "message.deleted")
    ).all()
    assert len(events) == 2


def test_a_third_body_must_agree_too(world: World, api, factory) -> None:
    wao = factory.organisation("care-inspectorate")
    db.session.add(
        ReviewParty(
            review_id=world.review.id,
            organisation_id=wao.id,
            side=Side.INSPECTING,
            position=9,
        )
    )
    db.session.commit()
    third = factory.user(wao, name="third_lead")
    factory.member(world.review, third, Role.LEAD_OFFICER)
    world.tokens["third_lead"] = make_token(third)
    message = made(api, world)
    agree(api, "lead_officer", message)
    assert agree(api, "audit_lead", message).get_json()["status"] == "proposed"
    done = agree(api, "third_lead", message).get_json()
    assert done["status"] == "agreed" and len(done["agreements"]) == 3
    assert agree(api, "lead_officer", made(api, world)).get_json()["status"] == (
        "proposed"
    )


def test_agreed_notifies_the_author_and_the_lead_officers(world: World, api) -> None:
    message = made(api, world, "audit_inspector")
    agree(api, "lead_officer", message)
    assert db.session.scalars(sa.select(Notification)).all() == []
    agree(api, "audit_lead", message)
    rows = db.session.scalars(sa.select(Notification)).all()
    assert {r.user_id for r in rows} == {
        world.users["audit_inspector"].id,
        world.users["lead_officer"].id,
    }
    assert {(r.kind.value, r.subject_type) for r in rows} == {("agreed", "message")}
    listed_for = api("audit_inspector").get("/me/notifications").get_json()["items"]
    assert [(n["kind"], n["subject"]) for n in listed_for] == [
        ("agreed", {"type": "message", "id": message["id"]})
    ]
    assert listed_for[0]["actor_id"] == str(world.users["audit_lead"].id)
    # Agreeing again, by the same body, notifies nobody again.
    agree(api, "audit_lead", message)
    assert len(db.session.scalars(sa.select(Notification)).all()) == 2
    # A message deleted is no longer listed to anyone.
    withdraw(api, "audit_lead", message)
    api("inspector").delete(f"/messages/{message['id']}")
    assert api("audit_inspector").get("/me/notifications").get_json()["items"] == []


def test_links_to_evidence_and_hypotheses(world: World, api) -> None:
    item = api("nominee").upload(world.ws.id, b"minutes\n", "minutes.txt").get_json()
    other = api("csc_nominee").upload(world.csc_ws.id, b"plan\n", "plan.txt").get_json()
    joint = hypothesis(api, world)
    body = hypothesis(api, world, scope="body")  # Estyn's own
    message = made(
        api,
        world,
        evidence_ids=[item["id"], other["id"], item["id"]],
        hypothesis_ids=[joint["id"], body["id"]],
    )
    assert sorted(message["evidence_ids"]) == sorted([item["id"], other["id"]])
    assert sorted(message["hypothesis_ids"]) == sorted([joint["id"], body["id"]])
    # Audit Wales does not see Estyn's body-only hypothesis, so not its link.
    seen = api("audit_inspector").get(f"/messages/{message['id']}").get_json()
    assert seen["hypothesis_ids"] == [joint["id"]]
    # A withdrawn item drops out of the links.
    assert api("nominee").delete(f"/evidence/{item['id']}").status_code == 204
    again = api("inspector").get(f"/messages/{message['id']}").get_json()
    assert again["evidence_ids"] == [other["id"]]
    path = f"/messages/{message['id']}"
    withdrawn = api("inspector").patch(path, json={"evidence_ids": [item["id"]]})
    assert withdrawn.status_code == 400
    assert "evidence_ids" in error_of(withdrawn)["fields"]
    # Audit Wales replaces the links it sees; Estyn's own one stays.
    theirs = api("audit_inspector").patch(path, json={"hypothesis_ids": []})
    assert theirs.status_code == 200 and theirs.get_json()["hypothesis_ids"] == []
    ours = api("inspector").get(path).get_json()
    assert ours["hypothesis_ids"] == [body["id"]]
    cleared = api("inspector").patch(path, json={"hypothesis_ids": []}).get_json()
    assert cleared["hypothesis_ids"] == [] and cleared["evidence_ids"] == [other["id"]]
    hidden = api("audit_inspector").patch(path, json={"hypothesis_ids": [body["id"]]})
    assert hidden.status_code == 400 and "hypothesis_ids" in error_of(hidden)["fields"]


def test_links_of_another_review_are_400(world: World, api, factory) -> None:
    other = factory.review([world.estyn, world.audit], [world.erw], title="Other")
    factory.member(other, world.users["inspector"], Role.INSPECTOR)
    factory.member(other, world.users["nominee"], Role.NOMINEE)
    other_ws = other.workspaces[0]
    item = api("nominee").upload(other_ws.id, b"x\n", "x.txt").get_json()
    elsewhere = api("inspector").post(
        f"/reviews/{other.id}/hypotheses", json={"statement": "Elsewhere"}
    )
    assert elsewhere.status_code == 201
    wrong_item = add(api, world, text="x", evidence_ids=[item["id"]])
    assert wrong_item.status_code == 400
    assert set(error_of(wrong_item)["fields"]) == {"evidence_ids"}
    wrong_h = add(api, world, text="x", hypothesis_ids=[elsewhere.get_json()["id"]])
    assert wrong_h.status_code == 400
    assert set(error_of(wrong_h)["fields"]) == {"hypothesis_ids"}
    assert listed(api, world) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"text": "x", "text_cy": "y" * 5001}, "text_cy"),
        ({"text": "bad\x00text"}, "text"),
        ({"text": "x", "evidence_ids": [MISSING]}, "evidence_ids"),
        ({"text": "x", "evidence_ids": ["not-an-id"]}, "evidence_ids"),
        ({"text": "x", "evidence_ids": [MISSING] * 201}, "evidence_ids"),
        ({"text": "x", "hypothesis_ids": [MISSING]}, "hypothesis_ids"),
        ({"text": "x", "hypothesis_ids": "H-001"}, "hypothesis_ids"),
    ],
)
def test_bad_messages_are_400(world: World, api, body, field) -> None:
    answer = add(api, world, **body)
    assert answer.status_code == 400 and field in error_of(answer)["fields"]
    assert listed(api, world) == []


def test_bad_changes_are_400(world: World, api) -> None:
    message = made(api, world)
    path = f"/messages/{message['id']}"
    empty = api("inspector").patch(path, json={})
    assert empty.status_code == 400
    bare = api("inspector").patch(path)
    assert bare.status_code == 400
    for body, field in (
        ({"text": ""}, "text"),
        ({"text": None}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"hypothesis_ids": [MISSING]}, "hypothesis_ids"),
    ):
        answer = api("inspector").patch(path, json=body)
        assert answer.status_code == 400, body
        assert field in error_of(answer)["fields"], body
    assert api("inspector").get(path).get_json() == message


def test_a_closed_review_keeps_its_messages(world: World, api) -> None:
    message = made(api, world)
    agree(api, "lead_officer", message)
    world.review.status = ReviewStatus.CLOSED
    db.session.commit()
    path = f"/messages/{message['id']}"
    assert add(api, world, text="Late").status_code == 409
    assert api("inspector").patch(path, json={"text": "x"}).status_code == 409
    assert agree(api, "audit_lead", message).status_code == 409
    assert withdraw(api, "lead_officer", message).status_code == 409
    assert api("inspector").delete(path).status_code == 409
    # Still 403 before 409 for those who may never do it.
    assert agree(api, "inspector", message).status_code == 403
    kept = listed(api, world, "observer")
    assert [m["text"] for m in kept] == [message["text"]]
    assert len(kept[0]["agreements"]) == 1
