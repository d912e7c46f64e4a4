"""Trash, retention and legal hold: a withdrawn item restored within
TRASH_DAYS; apply-retention deleting exactly the files past their time and
nothing under legal hold, keeping the record; the content then 410."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.db import db, utcnow
from app.evidence.models import EvidenceFile, EvidenceItem
from app.retention import services as retention
from app.reviews.models import Review
from support.api import error_of
from support.world import World
from tests.api.test_audit import all_events
from tests.api.test_drafts import new_draft


def upload(api, world: World, who: str = "nominee", ws=None, name="plan.txt") -> dict:
    answer = api(who).upload((ws or world.ws).id, f"Content of {name}\n".encode(), name)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def withdraw(api, item: dict, who: str = "nominee") -> None:
    assert api(who).delete(f"/evidence/{item['id']}").status_code == 204


def age_withdrawal(item: dict, days: float) -> None:
    row = db.session.get(EvidenceItem, uuid.UUID(item["id"]))
    row.withdrawn_at = utcnow() - timedelta(days=days)
    db.session.commit()


def close(api, world: World, **retention_fields) -> None:
    answer = api("lead_officer").patch(
        f"/reviews/{world.review.id}", json={"status": "closed", **retention_fields}
    )
    assert answer.status_code == 200, answer.get_json()


def age_closing(world: World, days: float) -> None:
    review = db.session.get(Review, world.review.id)
    review.closed_at = utcnow() - timedelta(days=days)
    db.session.commit()


def content_status(api, item: dict, who: str = "lead_officer") -> int:
    return api(who).get(f"/evidence/{item['id']}/content").status_code


def test_the_trash_and_restoring(world: World, api) -> None:
    item = upload(api, world)
    withdraw(api, item)
    url = f"/workspaces/{world.ws.id}/evidence"
    assert item["id"] not in [
        i["id"] for i in api("nominee").get(url).get_json()["items"]
    ]
    trash = (
        api("nominee").get(url, query_string={"withdrawn": "true"}).get_json()["items"]
    )
    assert [i["id"] for i in trash] == [item["id"]]
    assert trash[0]["withdrawn_by"] == str(world.users["nominee"].id)
    assert trash[0]["withdrawn_at"]
    assert (
        api("lead_officer").get(url, query_string={"withdrawn": "true"}).status_code
        == 200
    )
    for who in ("contributor", "inspector", "observer"):
        answer = api(who).get(url, query_string={"withdrawn": "true"})
        assert answer.status_code == 403, who
        # Hidden from them: restoring is 404, as for any hidden thing.
        assert api(who).post(f"/evidence/{item['id']}/restore").status_code == 404, who
    assert api("csc_nominee").post(f"/evidence/{item['id']}/restore").status_code == 404
    restored = api("nominee").post(f"/evidence/{item['id']}/restore")
    assert restored.status_code == 200
    assert restored.get_json()["withdrawn_at"] is None
    assert restored.get_json()["withdrawn_by"] is None
    assert item["id"] in [i["id"] for i in api("nominee").get(url).get_json()["items"]]
    # A live item is not in the trash: nothing to restore.
    assert api("nominee").post(f"/evidence/{item['id']}/restore").status_code == 404
    events = all_events(api, action="evidence.restored", subject_id=item["id"])
    assert len(events) == 1 and events[0]["details"]["by"] == str(
        world.users["nominee"].id
    )


def test_restoring_is_for_trash_days_only(world: World, api) -> None:
    item = upload(api, world)
    withdraw(api, item)
    age_withdrawal(item, 31)
    late = api("nominee").post(f"/evidence/{item['id']}/restore")
    assert late.status_code == 409
    assert "30 days" in error_of(late)["message"]


def test_apply_retention_empties_the_trash_after_trash_days(
    world: World, api, store
) -> None:
    young = upload(api, world, name="young.txt")
    old = upload(api, world, name="old.txt")
    api("nominee").post_file(f"/evidence/{old['id']}/versions", b"v2\n", "old.txt")
    live = upload(api, world, name="live.txt")
    for item in (young, old):
        withdraw(api, item)
    age_withdrawal(young, 29)
    age_withdrawal(old, 30.01)
    keys = {
        f.item_id: f.storage_key for f in db.session.scalars(sa.select(EvidenceFile))
    }
    dry = retention.apply_retention(dry_run=True)
    assert dry.files == 2
    assert all(store.exists(k) for k in keys.values())
    done = retention.apply_retention()
    assert done.files == 2 and done.failed == 0
    files = list(db.session.scalars(sa.select(EvidenceFile)))
    for stored in files:
        gone = str(stored.item_id) == old["id"]
        assert (stored.purged_at is not None) is gone
        assert store.exists(stored.storage_key) is not gone
        # What was held stays on record.
        assert stored.sha256 and stored.size
    assert content_status(api, live) == 200
    # The text read out of the deleted files goes too; the live one's stays.
    from app.search.models import EvidenceText

    texts = {
        t.file_id: t
        for t in db.session.scalars(
            sa.select(EvidenceText).execution_options(populate_existing=True)
        )
    }
    for stored in files:
        gone = str(stored.item_id) == old["id"]
        assert (texts[stored.id].text is None) is gone
    # The deleted item's record: restoring says its files are gone.
    gone = api("nominee").post(f"/evidence/{old['id']}/restore")
    assert gone.status_code == 410 and error_of(gone)["code"] == "gone"
    assert retention.apply_retention().files == 0  # nothing twice
    events = all_events(api, action="retention.applied")
    assert len(events) == 1
    assert events[0]["details"]["reason"] == "trash"
    assert events[0]["details"]["evidence_files"] == 2
    assert events[0]["details"]["items"] == [old["id"]]


def test_a_closed_review_past_its_retention_loses_every_file(
    world: World, api, store
) -> None:
    live = upload(api, world)
    other = upload(api, world, ws=world.csc_ws, who="csc_nominee", name="csc.txt")
    draft = new_draft(api, world)
    added = api("inspector").post_file(
        f"/drafts/{draft['id']}/versions", b"Draft file text", "draft.txt"
    )
    assert added.status_code == 201, added.get_json()
    close(api, world, retention_days=10)
    age_closing(world, 9)
    assert retention.apply_retention().files == 0
    age_closing(world, 10.01)
    done = retention.apply_retention()
    assert done.files == 3, [(d.reason, d.count) for d in done.deleted]
    for item in (live, other):
        answer = api("lead_officer").get(f"/evidence/{item['id']}/content")
        assert answer.status_code == 410 and error_of(answer)["code"] == "gone"
        # Its record stays.
        record = api("lead_officer").get(f"/evidence/{item['id']}")
        assert (
            record.status_code == 200 and record.get_json()["sha256"] == item["sha256"]
        )
    file_version = api("lead_officer").get(f"/drafts/{draft['id']}/versions/1/content")
    assert file_version.status_code == 410
    assert not any(
        store.exists(f.storage_key) for f in db.session.scalars(sa.select(EvidenceFile))
    )


def test_nothing_under_legal_hold_is_deleted(world: World, api, store) -> None:
    item = upload(api, world)
    trashed = upload(api, world, name="trashed.txt")
    withdraw(api, trashed)
    age_withdrawal(trashed, 100)
    close(api, world, retention_days=0, legal_hold=True)
    report = retention.apply_retention()
    assert report.files == 0 and [d.review_id for d in report.held] == [world.review.id]
    assert content_status(api, item) == 200
    assert all(
        store.exists(f.storage_key) for f in db.session.scalars(sa.select(EvidenceFile))
    )
    # The hold lifted, even on a closed review: then it goes.
    lifted = api("lead_officer").patch(
        f"/reviews/{world.review.id}", json={"legal_hold": False}
    )
    assert lifted.status_code == 200 and lifted.get_json()["legal_hold"] is False
    assert retention.apply_retention().files == 2
    assert content_status(api, item) == 410


def test_retention_fields_on_the_review(world: World, api, app) -> None:
    url = f"/reviews/{world.review.id}"
    review = api("lead_officer").get(url).get_json()
    assert review["retention_days"] == app.extensions["portal_settings"].retention_days
    assert review["legal_hold"] is False and review["closed_at"] is None
    for who in ("inspector", "nominee"):
        assert api(who).patch(url, json={"legal_hold": True}).status_code == 403, who
    assert api("non_member").patch(url, json={"legal_hold": True}).status_code == 404
    for body, field in (
        ({"retention_days": -1}, "retention_days"),
        ({"retention_days": "ten"}, "retention_days"),
        ({"retention_days": 10**6}, "retention_days"),
        ({"legal_hold": "yes"}, "legal_hold"),
        ({"legal_hold": 1}, "legal_hold"),
    ):
        answer = api("lead_officer").patch(url, json=body)
        assert answer.status_code == 400 and field in error_of(answer)["fields"], body
    changed = api("admin").patch(url, json={"retention_days": 365, "legal_hold": True})
    assert changed.status_code == 200
    assert changed.get_json()["retention_days"] == 365
    close(api, world)
    closed = api("lead_officer").get(url).get_json()
    assert closed["status"] == "closed" and closed["closed_at"]
    # Closed: only these two change.
    assert (
        api("lead_officer").patch(url, json={"retention_days": 30}).status_code == 200
    )
    refused = api("lead_officer").patch(url, json={"title": "New title"})
    assert refused.status_code == 409
    both = api("lead_officer").patch(url, json={"title": "New", "legal_hold": False})
    assert both.status_code == 409
    assert api("lead_officer").get(url).get_json()["legal_hold"] is True
    changes = all_events(api, action="review.updated", subject_id=str(world.review.id))
    assert {"before": {"retention_days": 365}, "after": {"retention_days": 30}} in [
        e["details"] for e in changes
    ]


def test_the_command(world: World, api, app) -> None:
    item = upload(api, world)
    withdraw(api, item)
    age_withdrawal(item, 40)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["apply-retention", "--dry-run"])
    assert dry.exit_code == 0 and "Would delete 1 file(s)" in dry.output
    assert content_status(api, item) == 404  # withdrawn: hidden, not yet gone
    done = runner.invoke(args=["apply-retention"])
    assert done.exit_code == 0 and "Deleted 1 file(s)" in done.output, done.output
    stored = db.session.scalars(
        sa.select(EvidenceFile).where(EvidenceFile.item_id == uuid.UUID(item["id"]))
    ).one()
    db.session.refresh(stored)
    assert stored.purged_at is not None


@pytest.mark.parametrize("who", ["nominee", "lead_officer"])
def test_a_store_failure_keeps_the_files_on_record(
    world: World, api, who, monkeypatch
) -> None:
    from app.core import storage

    item = upload(api, world)
    withdraw(api, item, who)
    age_withdrawal(item, 40)
    real = storage.current_store()

    class Refusing:
        def __getattr__(self, name):
            return getattr(real, name)

        def delete(self, key: str) -> None:
            from evidence_store import StoreError

            raise StoreError("the store is down")

    monkeypatch.setattr("app.retention.services.current_store", lambda: Refusing())
    report = retention.apply_retention()
    assert report.failed == 1 and report.files == 0
    stored = db.session.scalars(
        sa.select(EvidenceFile).where(EvidenceFile.item_id == uuid.UUID(item["id"]))
    ).one()
    assert stored.purged_at is None and real.exists(stored.storage_key)
    assert all_events(api, action="retention.applied") == []


def test_what_changed_since_the_list_was_drawn_up_is_obeyed(
    world: World, api, store
) -> None:
    """Restored, or given a longer retention, between the list and the
    deletion: kept."""
    item = upload(api, world)
    withdraw(api, item)
    # The list drawn up as if a month had passed; the item restored today.
    later = utcnow() + timedelta(days=31)
    (found,) = list(retention.due(later))
    assert api("nominee").post(f"/evidence/{item['id']}/restore").status_code == 200
    assert retention._delete(found, later) == "nothing"
    assert content_status(api, item) == 200
    close(api, world, retention_days=0)
    (found,) = list(retention.due())
    lengthened = api("lead_officer").patch(
        f"/reviews/{world.review.id}", json={"retention_days": 3650}
    )
    assert lengthened.status_code == 200
    assert retention._delete(found, utcnow()) == "nothing"
    assert content_status(api, item) == 200
    assert all_events(api, action="retention.applied") == []


def test_files_go_a_batch_at_a_time(world: World, api, store, monkeypatch) -> None:
    monkeypatch.setattr(retention, "BATCH", 2)
    for n in range(5):
        upload(api, world, name=f"file-{n}.txt")
    close(api, world, retention_days=0)
    report = retention.apply_retention()
    assert report.files == 5 and len(report.deleted) == 1
    events = all_events(api, action="retention.applied")
    assert sorted(e["details"]["evidence_files"] for e in events) == [1, 2, 2]
    assert not any(
        store.exists(f.storage_key) for f in db.session.scalars(sa.select(EvidenceFile))
    )
