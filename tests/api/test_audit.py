"""The audit trail: an event for every change and every reading of evidence,
written with the change or not at all, hash-chained so that an edited,
deleted or inserted event is found, and read by lead officers (their
review's) and administrators (everything)."""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.audit import chain
from app.audit import services as audit
from app.audit.models import AuditEvent
from app.core.db import db
from app.core.permissions import Role
from support.api import ApiClient, error_of
from support.app_fixtures import rolled_back
from support.pages import PageClient
from support.world import PASSWORD, World, make_token
from tests.api.test_drafts import decide, new_draft, propose, version
from tests.api.test_requests import ask

EVENT_FIELDS = {
    "id", "seq", "at", "actor_id", "actor_name", "action", "review_id",
    "workspace_id", "subject", "details", "client_ip", "hash", "prev_hash",
}  # fmt: skip


def all_events(api, who: str = "admin", path: str = "/audit", **query) -> list[dict]:
    """Every event the caller may list, newest first, page by page."""
    events: list[dict] = []
    cursor = None
    while True:
        args = {"limit": 200, **query, **({"cursor": cursor} if cursor else {})}
        answer = api(who).get(path, query_string=args)
        assert answer.status_code == 200, answer.get_json()
        body = answer.get_json()
        events += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return events


def actions(api, **query) -> list[str]:
    return [e["action"] for e in all_events(api, **query)]


def contract_hash(event: dict) -> str:
    """The contract's formula, written out again from api-v1-records.md."""
    without = {k: v for k, v in event.items() if k != "hash"}
    return hashlib.sha256(
        (
            event["prev_hash"]
            + json.dumps(
                without, sort_keys=True, separators=(",", ":"), ensure_ascii=False
            )
        ).encode("utf-8")
    ).hexdigest()


def upload(api, world: World, who: str = "nominee", name: str = "plan.txt") -> dict:
    answer = api(who).upload(world.ws.id, b"Our business plan.\n", name)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def test_every_action_of_the_contract_is_an_event(world: World, api, app) -> None:
    """Each action the contract names, done once, leaves its event."""
    review = str(world.review.id)
    # The pages: signing in (a failure too) and out.
    browser = PageClient(app.test_client())
    assert (
        browser.sign_in(world.users["inspector"].email, "wrong password!").status_code
        == 200
    )
    assert browser.sign_in(world.users["inspector"].email).status_code == 302
    assert browser.submit("/", {}, "/sign-out").status_code == 302
    # The API's tokens, and a failed sign-in there.
    anonymous = api("nobody")
    assert (
        anonymous.post(
            "/auth/token",
            json={"email": world.users["observer"].email, "password": "nope!"},
        ).status_code
        == 401
    )
    made = anonymous.post(
        "/auth/token",
        json={"email": world.users["observer"].email, "password": PASSWORD},
    )
    assert made.status_code == 201
    assert (
        ApiClient(api("admin").client, made.get_json()["token"])
        .delete("/auth/token")
        .status_code
        == 204
    )
    # Administration.
    org = api("admin").post(
        "/organisations",
        json={"slug": "ysgol-newydd", "name": "Ysgol Newydd", "kind": "school"},
    )
    assert org.status_code == 201
    person = api("admin").post(
        "/users",
        json={"email": "new@example.org", "name": "New Person",
              "organisation_id": str(world.estyn.id),
              "password": "a long new passphrase 42"},
    )  # fmt: skip
    assert person.status_code == 201
    created = api("admin").post(
        "/reviews",
        json={"title": "Another review", "inspecting": [str(world.estyn.id)],
              "reviewed": [str(world.erw.id)]},
    )  # fmt: skip
    assert created.status_code == 201, created.get_json()
    # Members.
    member = f"/reviews/{review}/members/{world.users['estyn_spare'].id}"
    assert api("lead_officer").put(member, json={"role": "observer"}).status_code == 200
    assert (
        api("lead_officer").put(member, json={"role": "inspector"}).status_code == 200
    )
    assert api("lead_officer").delete(member).status_code == 204
    # Evidence.
    item = upload(api, world)
    url = f"/evidence/{item['id']}"
    assert (
        api("nominee")
        .post_file(f"{url}/versions", b"Version two.\n", "plan.txt")
        .status_code
        == 201
    )
    assert api("inspector").get(url).status_code == 200
    assert api("inspector").get(f"{url}/content").status_code == 200
    assert api("nominee").patch(url, json={"title": "Business plan"}).status_code == 200
    assert api("nominee").delete(url).status_code == 204
    # Requests.
    request = ask(api, world)
    assert (
        api("nominee")
        .put(
            f"/requests/{request['id']}/assignees",
            json={"user_ids": [str(world.users["contributor"].id)]},
        )
        .status_code
        == 200
    )
    assert (
        api("lead_officer")
        .post(
            f"/requests/{request['id']}/decision",
            json={"decision": "withdraw", "reason": "Not needed"},
        )
        .status_code
        == 200
    )
    # Notes and hypotheses.
    note = (
        api("inspector")
        .post(f"/reviews/{review}/notes", json={"body": "A note"})
        .get_json()
    )
    assert (
        api("inspector")
        .patch(f"/notes/{note['id']}", json={"body": "An edited note"})
        .status_code
        == 200
    )
    assert api("inspector").delete(f"/notes/{note['id']}").status_code == 204
    hypothesis = (
        api("inspector")
        .post(
            f"/reviews/{review}/hypotheses",
            json={"statement": "Boards challenge officers."},
        )
        .get_json()
    )
    assert (
        api("inspector")
        .patch(
            f"/hypotheses/{hypothesis['id']}",
            json={"status": "supported", "reason": "Minutes"},
        )
        .status_code
        == 200
    )
    # Drafts, messages, publication.
    draft = new_draft(api, world)
    version(api, draft, text="Draft text")
    assert (
        api("inspector")
        .patch(f"/drafts/{draft['id']}", json={"title": "Joint release"})
        .status_code
        == 200
    )
    decide(api, draft, world.estyn, "lead_officer", "approve", 1)
    decide(api, draft, world.audit, "audit_lead", "approve", 1)
    report = new_draft(api, world, "audit_inspector", kind="report", title="Our report")
    version(api, report, "audit_inspector")
    assert (
        api("audit_lead")
        .patch(f"/drafts/{report['id']}", json={"scope": "joint"})
        .status_code
        == 200
    )
    feedback = new_draft(
        api, world, kind="feedback", title="Feedback", workspace_id=str(world.ws.id)
    )
    version(api, feedback, text="Feedback text")
    decide(api, feedback, world.estyn, "lead_officer", "approve", 1)
    decide(api, feedback, world.audit, "audit_lead", "approve", 1)
    assert (
        api("lead_officer").post(f"/drafts/{feedback['id']}/issue").status_code == 200
    )
    message = (
        api("inspector")
        .post(f"/reviews/{review}/messages", json={"text": "Leaders lead."})
        .get_json()
    )
    assert (
        api("inspector")
        .patch(f"/messages/{message['id']}", json={"text": "Leaders lead well."})
        .status_code
        == 200
    )
    assert (
        api("lead_officer").put(f"/messages/{message['id']}/agreement").status_code
        == 200
    )
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    assert (
        propose(api, world, "lead_officer", tomorrow, [draft["id"]]).status_code == 200
    )
    assert (
        api("lead_officer").put(f"/reviews/{review}/publication/agreement").status_code
        == 200
    )
    assert (
        api("lead_officer")
        .patch(f"/reviews/{review}", json={"status": "fieldwork"})
        .status_code
        == 200
    )

    recorded = set(actions(api))
    contract = {
        "auth.sign_in", "auth.sign_out", "auth.sign_in_failed", "auth.token_created",
        "auth.token_revoked", "evidence.uploaded", "evidence.version_added",
        "evidence.viewed", "evidence.downloaded", "evidence.updated",
        "evidence.withdrawn", "request.created", "request.decided", "request.assigned",
        "member.added", "member.role_changed", "member.removed", "note.created",
        "note.edited", "note.deleted", "hypothesis.created", "hypothesis.changed",
        "draft.created", "draft.version_added", "draft.shared", "draft.decided",
        "draft.issued", "message.created", "message.changed", "message.agreed",
        "publication.set", "publication.agreed", "review.updated",
        "organisation.created", "user.created", "review.created",
    }  # fmt: skip
    assert sorted(contract - recorded) == []
    # Two failed sign-ins: the page's and the API's.
    failed = all_events(api, action="auth.sign_in_failed")
    assert sorted(e["details"]["via"] for e in failed) == ["api", "web"]
    assert all(e["actor_id"] is None for e in failed)


def test_an_event_as_the_contract_writes_it(world: World, api) -> None:
    item = upload(api, world)
    api("inspector").get(f"/evidence/{item['id']}/content")
    events = all_events(api)
    assert all(set(e) == EVENT_FIELDS for e in events)
    downloaded = next(e for e in events if e["action"] == "evidence.downloaded")
    assert downloaded["actor_id"] == str(world.users["inspector"].id)
    assert downloaded["actor_name"] == world.users["inspector"].name
    assert downloaded["review_id"] == str(world.review.id)
    assert downloaded["workspace_id"] == str(world.ws.id)
    assert downloaded["subject"] == {"type": "evidence", "id": item["id"]}
    assert downloaded["details"]["version"] == 1
    assert downloaded["at"].endswith("Z")
    datetime.fromisoformat(downloaded["at"])
    # The chain, as a client checks it from the API alone.
    ordered = sorted(events, key=lambda e: e["seq"])
    assert [e["seq"] for e in ordered] == list(range(1, len(ordered) + 1))
    assert ordered[0]["prev_hash"] == "0" * 64
    for before, after in itertools.pairwise(ordered):
        assert after["prev_hash"] == before["hash"]
    assert all(contract_hash(e) == e["hash"] for e in ordered)


def test_a_refused_change_leaves_no_event(world: World, api) -> None:
    item = upload(api, world)
    before = len(all_events(api))
    url = f"/evidence/{item['id']}"
    assert api("observer").patch(url, json={"title": "Mine"}).status_code == 403
    assert api("nominee").patch(url, json={"title": ""}).status_code == 400
    assert api("csc_nominee").delete(url).status_code == 404
    assert api("observer").upload(world.ws.id, b"x", "x.txt").status_code == 403
    assert (
        api("nominee").upload(world.ws.id, b"\x00\x01binary", "x.exe").status_code
        == 415
    )
    member = f"/reviews/{world.review.id}/members/{world.users['observer'].id}"
    # The same role again changes nothing, so records nothing.
    assert api("lead_officer").put(member, json={"role": "observer"}).status_code == 200
    assert len(all_events(api)) == before


def test_a_change_that_rolls_back_leaves_no_event(
    world: World, api, monkeypatch
) -> None:
    """An event recorded before a failure goes with the transaction."""
    from app.intake import services as intake_services
    from app.reviews import services as review_services

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    before = len(all_events(api))
    monkeypatch.setattr(intake_services, "unassign_member", broken)
    with pytest.raises(RuntimeError):
        review_services.remove_member(
            world.users["lead_officer"], world.review, world.users["observer"].id
        )
    db.session.rollback()
    monkeypatch.undo()
    assert len(all_events(api)) == before
    assert "member.removed" not in actions(api)
    # And directly: recorded, rolled back before any other work, then a commit.
    audit.record("test.rolled_back", actor=None)
    db.session.rollback()
    db.session.commit()
    assert "test.rolled_back" not in actions(api)


def test_no_secret_in_any_event(world: World, api, app) -> None:
    PageClient(app.test_client()).sign_in(world.users["inspector"].email)
    PageClient(app.test_client()).sign_in(
        world.users["observer"].email, "my wrong secret passphrase"
    )
    token = (
        api("nobody")
        .post(
            "/auth/token",
            json={"email": world.users["nominee"].email, "password": PASSWORD},
        )
        .get_json()["token"]
    )
    new_password = "correct horse battery staple 9"
    api("admin").post(
        "/users",
        json={"email": "secret@example.org", "name": "Secret Keeper",
              "organisation_id": str(world.estyn.id), "password": new_password},
    )  # fmt: skip
    upload(api, world)
    trail = json.dumps(all_events(api))
    trail += (
        api("admin")
        .get("/audit", query_string={"format": "csv"})
        .get_data(as_text=True)
    )
    for secret in (PASSWORD, "my wrong secret passphrase", new_password, token,
                   *world.tokens.values(), "Our business plan."):  # fmt: skip
        assert secret not in trail
    assert "password" not in trail.lower().replace("password_changed", "")


def test_who_reads_the_trail(world: World, api) -> None:
    path = f"/reviews/{world.review.id}/audit"
    for who in ("lead_officer", "audit_lead", "admin"):
        assert api(who).get(path).status_code == 200, who
    for who in (
        "inspector",
        "observer",
        "audit_inspector",
        "nominee",
        "contributor",
        "csc_nominee",
    ):
        answer = api(who).get(path)
        assert answer.status_code == 403, who
        assert error_of(answer)["code"] == "forbidden"
    assert api("non_member").get(path).status_code == 404
    assert api("lead_officer").get(f"/reviews/{uuid.uuid4()}/audit").status_code == 404
    assert api("admin").get("/audit").status_code == 200
    for who in ("lead_officer", "nominee", "non_member"):
        assert api(who).get("/audit").status_code == 403, who


def test_a_review_trail_holds_only_its_review(world: World, api, factory) -> None:
    other = factory.review([world.estyn], [world.csc])
    factory.member(other, world.users["lead_officer"], Role.LEAD_OFFICER)
    upload(api, world)
    api("admin").post(
        "/organisations",
        json={"slug": "elsewhere-2", "name": "Elsewhere", "kind": "school"},
    )
    events = all_events(api, "lead_officer", f"/reviews/{world.review.id}/audit")
    assert events and {e["review_id"] for e in events} == {str(world.review.id)}
    assert "organisation.created" not in {e["action"] for e in events}
    assert "organisation.created" in actions(api)


def test_filters(world: World, api) -> None:
    first = upload(api, world, name="one.txt")
    second = upload(api, world, "contributor", name="two.txt")
    api("inspector").get(f"/evidence/{first['id']}/content")
    path = f"/reviews/{world.review.id}/audit"

    def listed(**query) -> list[dict]:
        return all_events(api, "lead_officer", path, **query)

    assert {e["action"] for e in listed(action="evidence.uploaded")} == {
        "evidence.uploaded"
    }
    family = {e["action"] for e in listed(action="evidence.*")}
    assert family == {"evidence.uploaded", "evidence.downloaded"}
    by_contributor = listed(actor_id=str(world.users["contributor"].id))
    assert [e["subject"]["id"] for e in by_contributor] == [second["id"]]
    about_first = listed(subject_id=first["id"])
    assert [e["action"] for e in about_first] == [
        "evidence.downloaded",
        "evidence.uploaded",
    ]
    assert listed(workspace_id=str(world.csc_ws.id)) == []
    everything = listed()
    assert [e["seq"] for e in everything] == sorted(
        (e["seq"] for e in everything), reverse=True
    )
    newest = datetime.fromisoformat(everything[0]["at"])
    assert listed(**{"from": (newest + timedelta(seconds=1)).isoformat()}) == []
    assert listed(to=(newest - timedelta(days=1)).isoformat()) == []
    assert len(
        listed(**{"from": "2000-01-01T00:00:00Z", "to": "2999-01-01T00:00:00"})
    ) == len(everything)
    # Paging: newest first, no event twice.
    page = api("lead_officer").get(path, query_string={"limit": 2}).get_json()
    rest = (
        api("lead_officer")
        .get(path, query_string={"limit": 200, "cursor": page["next_cursor"]})
        .get_json()
    )
    seqs = [e["seq"] for e in page["items"] + rest["items"]]
    assert seqs == [e["seq"] for e in everything]
    for query, field in (
        ({"action": "x" * 65}, "action"),
        ({"actor_id": "nobody"}, "actor_id"),
        ({"from": "yesterday"}, "from"),
        ({"format": "xml"}, "format"),
        ({"limit": 0}, "limit"),
        ({"cursor": "forged.cursor"}, "cursor"),
    ):
        answer = api("lead_officer").get(path, query_string=query)
        assert answer.status_code == 400 and field in error_of(answer)["fields"], query


def test_the_csv_download(world: World, api, factory) -> None:
    sly = factory.user(world.erw, name="=HYPERLINK(evil)")
    factory.member(world.review, sly, Role.CONTRIBUTOR)
    sly_token = make_token(sly)
    assert (
        ApiClient(api("admin").client, sly_token)
        .upload(world.ws.id, b"hi\n", "hi.txt")
        .status_code
        == 201
    )
    path = f"/reviews/{world.review.id}/audit"
    answer = api("lead_officer").get(path, query_string={"format": "csv"})
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    assert answer.is_streamed
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    events = all_events(api, "lead_officer", path)
    assert [int(r["seq"]) for r in rows] == [e["seq"] for e in events]
    assert [r["hash"] for r in rows] == [e["hash"] for e in events]
    uploaded = next(r for r in rows if r["action"] == "evidence.uploaded")
    # A name a spreadsheet would run as a formula is written as text.
    assert uploaded["actor_name"] == "'=HYPERLINK(evil)"
    assert json.loads(uploaded["details"])["filename"] == "hi.txt"
    filtered = (
        api("lead_officer")
        .get(path, query_string={"format": "csv", "action": "note.created"})
        .get_data(as_text=True)
    )
    assert filtered.splitlines()[0].startswith("seq,at,action,")
    assert len(filtered.splitlines()) == 1


def test_viewing_an_item_is_an_event(world: World, api, app) -> None:
    item = upload(api, world)
    api("contributor").get(f"/evidence/{item['id']}")
    browser = PageClient(app.test_client())
    browser.sign_in(world.users["inspector"].email)
    assert browser.get(f"/evidence/{item['id']}").status_code == 200
    viewed = all_events(api, action="evidence.viewed", subject_id=item["id"])
    assert [(e["actor_name"], e["details"]["via"]) for e in viewed] == [
        (world.users["inspector"].name, "page"),
        (world.users["contributor"].name, "api"),
    ]
    # Not found, not seen: no event.
    assert api("csc_nominee").get(f"/evidence/{item['id']}").status_code == 404
    assert len(all_events(api, action="evidence.viewed")) == 2


def verify(app) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["verify-audit"])
    return result.exit_code, result.output


def test_verify_audit_finds_an_edited_a_deleted_and_an_inserted_event(
    world: World, api, app
) -> None:
    for n in range(3):
        upload(api, world, name=f"file-{n}.txt")
    code, output = verify(app)
    assert code == 0 and "whole" in output, output
    events = {e.seq: e for e in db.session.scalars(sa.select(AuditEvent))}
    last = max(events)
    middle = last - 2
    table = AuditEvent.__table__

    with rolled_back():
        db.session.execute(
            table.update()
            .where(table.c.seq == middle)
            .values(details={"filename": "other.txt"})
        )
        code, output = verify(app)
        assert code == 1 and f"seq {middle}" in output, output
    with rolled_back():
        db.session.execute(
            table.update().where(table.c.seq == middle).values(actor_name="Someone")
        )
        assert verify(app)[0] == 1
    with rolled_back():
        db.session.execute(table.delete().where(table.c.seq == middle))
        code, output = verify(app)
        assert code == 1 and f"seq {middle}" in output, output
    with rolled_back():
        # Deleting the event and renumbering the rest to close the gap.
        db.session.execute(table.delete().where(table.c.seq == middle))
        for seq in range(middle + 1, last + 1):
            db.session.execute(
                table.update().where(table.c.seq == seq).values(seq=seq - 1)
            )
        code, output = verify(app)
        assert code == 1 and f"seq {middle}" in output, output
    with rolled_back():
        # An event slipped in: the later ones moved up to make room.
        for seq in range(last, middle - 1, -1):
            db.session.execute(
                table.update().where(table.c.seq == seq).values(seq=seq + 1)
            )
        forged = AuditEvent(
            id=uuid.uuid4(), seq=middle, occurred_at=events[middle].occurred_at,
            action="evidence.withdrawn", details={}, prev_hash=events[middle].prev_hash,
        )  # fmt: skip
        forged.hash = chain.event_hash(forged.prev_hash, chain.document(forged))
        db.session.execute(table.insert().values(
            id=forged.id, seq=forged.seq, occurred_at=forged.occurred_at,
            action=forged.action, details={}, prev_hash=forged.prev_hash,
            hash=forged.hash,
        ))  # fmt: skip
        code, output = verify(app)
        assert code == 1 and f"seq {middle + 1}" in output, output
    assert verify(app)[0] == 0


def test_events_written_at_once_keep_one_chain(world: World, api) -> None:
    """Several events in one transaction take consecutive numbers after the
    tail, in the order recorded."""
    tail = db.session.scalar(sa.select(sa.func.max(AuditEvent.seq))) or 0
    for n in range(3):
        audit.record(f"test.event_{n}", actor=world.users["inspector"])
    db.session.commit()
    made = list(
        db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.seq > tail).order_by(AuditEvent.seq)
        )
    )
    assert [(e.seq, e.action) for e in made] == [
        (tail + 1, "test.event_0"), (tail + 2, "test.event_1"),
        (tail + 3, "test.event_2"),
    ]  # fmt: skip
    assert chain.verify(db.session).whole
