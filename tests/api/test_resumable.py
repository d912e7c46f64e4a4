"""Resumable uploads through the API: a file in parts, byte for byte, and
every refusal leaving nothing behind (run on both stacks)."""

from __future__ import annotations

import hashlib
import os
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app.core.db import db, utcnow
from app.evidence.models import EvidenceFile, EvidenceItem
from app.resumable import services as resumable_services
from app.resumable.models import UploadPart, UploadSession, UploadStatus
from evidence_store import EvidenceStore
from evidence_store.filesystem import STAGING_DIR, FilesystemStore
from evidence_store.memory import MemoryStore
from evidence_store.s3 import S3Store
from support.api import ApiClient, error_of
from support.world import World

FILES = Path(__file__).resolve().parent.parent / "fixtures" / "files"
MAX_BYTES = 16 * 1024 * 1024
# Small parts where the store allows them (S3's minimum is 5 MiB).
PART_SIZE = 256 * 1024


@pytest.fixture(autouse=True)
def limits(app, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", MAX_BYTES)
    monkeypatch.setitem(app.config, "UPLOAD_PART_SIZE", PART_SIZE)


def pdf(size: int) -> bytes:
    return b"%PDF-1.7\n" + os.urandom(size - 9)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def unfinished(store: EvidenceStore) -> list[str]:
    """Multipart uploads (or parts) the store still holds."""
    if isinstance(store, MemoryStore):
        return list(store._uploads)
    if isinstance(store, FilesystemStore):
        staging = store.root / STAGING_DIR
        return [p.name for p in staging.iterdir()] if staging.exists() else []
    assert isinstance(store, S3Store)
    listing = store._client.list_multipart_uploads(
        Bucket=store.bucket, Prefix=store.prefix
    )
    return [u["Key"] for u in listing.get("Uploads", [])]


def counts() -> tuple[int, int, int]:
    """(items, files, sessions) in the database."""
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
        for model in (EvidenceItem, EvidenceFile, UploadSession)
    )


class Upload:
    """One resumable upload of ``data`` by ``client``."""

    def __init__(self, client: ApiClient, workspace_id: Any, data: bytes, **kw):
        self.client = client
        self.data = data
        body = {"filename": "recording.pdf", "size": len(data), "sha256": sha(data)}
        body.update(kw)
        self.begun = client.post(f"/workspaces/{workspace_id}/uploads", json=body)
        assert self.begun.status_code == 201, self.begun.get_json()
        self.info = self.begun.get_json()
        self.id = self.info["id"]
        self.part_size = self.info["part_size"]
        self.count = -(-len(data) // self.part_size)

    def part(self, n: int) -> bytes:
        return self.data[(n - 1) * self.part_size : n * self.part_size]

    def put(self, n: int, body: bytes | None = None, client: ApiClient | None = None):
        return (client or self.client).put(
            f"/uploads/{self.id}/parts/{n}",
            data=self.part(n) if body is None else body,
            content_type="application/octet-stream",
        )

    def put_all(self, order: list[int] | None = None) -> list[int]:
        received: list[int] = []
        for n in order or range(1, self.count + 1):
            answer = self.put(n)
            assert answer.status_code == 200, answer.get_json()
            received = answer.get_json()["received"]
        return received

    def complete(self, client: ApiClient | None = None, **body: Any):
        return (client or self.client).post(f"/uploads/{self.id}/complete", json=body)

    def get(self, client: ApiClient | None = None):
        return (client or self.client).get(f"/uploads/{self.id}")


@pytest.fixture
def three_parts(store: EvidenceStore) -> bytes:
    """A file of three parts on this store (the last one short)."""
    part = max(PART_SIZE, store.min_part_size)
    return pdf(2 * part + 12345)


def test_whole_flow_byte_for_byte(
    world: World, api, store: EvidenceStore, three_parts: bytes
) -> None:
    client = api("contributor")
    before = utcnow()
    upload = Upload(client, world.ws.id, three_parts)
    assert set(upload.info) >= {"id", "part_size", "expires_at"}
    assert upload.part_size == max(PART_SIZE, store.min_part_size)
    assert upload.info["part_count"] == upload.count == 3
    expires = upload.info["expires_at"]
    assert expires.endswith("Z")
    assert (before + timedelta(hours=23, minutes=59)).strftime("%Y-%m-%dT%H:%M") <= (
        expires[:16]
    )
    assert upload.get().get_json()["received"] == []

    assert upload.put_all() == [1, 2, 3]
    state = upload.get()
    assert state.status_code == 200
    body = state.get_json()
    assert body["received"] == [1, 2, 3]
    assert body["size"] == len(three_parts)
    assert body["expires_at"] == expires

    done = upload.complete(title="Board meeting recording")
    assert done.status_code == 201, done.get_json()
    item = done.get_json()
    assert item["title"] == "Board meeting recording"
    assert item["filename"] == "recording.pdf"
    assert item["media_type"] == "application/pdf"
    assert item["size"] == len(three_parts)
    assert item["sha256"] == sha(three_parts)
    content = client.get(f"/evidence/{item['id']}/content")
    assert content.status_code == 200
    assert content.data == three_parts
    # The session is over, and the store holds the one object, no parts.
    assert upload.get().status_code == 404
    assert counts() == (1, 1, 0)
    assert list(store.iter_keys()) == [
        db.session.scalar(sa.select(EvidenceFile.storage_key))
    ]
    assert unfinished(store) == []


def test_parts_in_any_order(world: World, api, three_parts: bytes) -> None:
    upload = Upload(api("nominee"), world.ws.id, three_parts)
    assert upload.put(3).get_json()["received"] == [3]
    assert upload.put(1).get_json()["received"] == [1, 3]
    assert upload.put(2).get_json()["received"] == [1, 2, 3]
    done = upload.complete()
    assert done.status_code == 201
    assert done.get_json()["sha256"] == sha(three_parts)
    assert done.get_json()["title"] == "recording.pdf"


def test_a_part_sent_again_is_harmless(world: World, api, three_parts: bytes) -> None:
    upload = Upload(api("nominee"), world.ws.id, three_parts)
    upload.put_all([1, 2])
    # Again, the same bytes; then wrong bytes, then the right ones again.
    assert upload.put(2).get_json()["received"] == [1, 2]
    garbled = bytes(b ^ 0xFF for b in upload.part(2))
    assert upload.put(2, garbled).status_code == 200
    assert upload.put(1).status_code == 200
    upload.put_all([3, 2])
    done = upload.complete()
    assert done.status_code == 201, done.get_json()
    assert done.get_json()["sha256"] == sha(three_parts)
    content = upload.client.get(f"/evidence/{done.get_json()['id']}/content")
    assert content.data == three_parts


def test_missing_part_is_400_and_the_session_stays(
    world: World, api, store, three_parts: bytes
) -> None:
    upload = Upload(api("nominee"), world.ws.id, three_parts)
    upload.put_all([1, 3])
    refused = upload.complete()
    assert refused.status_code == 400
    error = error_of(refused)
    assert error["code"] == "validation_error"
    assert "2" in error["fields"]["parts"]
    assert counts() == (0, 0, 1)
    assert list(store.iter_keys()) == []
    assert upload.get().get_json()["received"] == [1, 3]
    upload.put_all([2])
    assert upload.complete().status_code == 201


def test_wrong_sha256_is_400_and_stores_nothing(
    world: World, api, store: EvidenceStore, three_parts: bytes
) -> None:
    upload = Upload(
        api("nominee"), world.ws.id, three_parts, sha256=sha(b"something else")
    )
    upload.put_all()
    refused = upload.complete()
    assert refused.status_code == 400
    error = error_of(refused)
    assert set(error["fields"]) == {"sha256"}
    assert sha(three_parts) in error["message"]
    # Nothing stored: no item, no file, no blob, no parts; the session ended.
    assert counts() == (0, 0, 0)
    assert list(store.iter_keys()) == []
    assert unfinished(store) == []
    assert upload.get().status_code == 404


def test_a_part_changed_after_it_was_hashed_is_caught(
    world: World, api, store: EvidenceStore, three_parts: bytes
) -> None:
    """A client that sends other bytes for part 1 after the right ones: the
    file put together is not the one declared, so nothing is stored."""
    upload = Upload(api("nominee"), world.ws.id, three_parts)
    upload.put_all()
    other = bytearray(upload.part(1))
    other[-1] ^= 1
    assert upload.put(1, bytes(other)).status_code == 200
    refused = upload.complete()
    assert refused.status_code == 400
    assert "sha256" in error_of(refused)["fields"]
    assert counts() == (0, 0, 0)
    assert list(store.iter_keys()) == []


def test_oversize_is_413_before_anything(world: World, api, store) -> None:
    refused = api("nominee").post(
        f"/workspaces/{world.ws.id}/uploads",
        json={"filename": "big.mp4", "size": MAX_BYTES + 1, "sha256": "a" * 64},
    )
    assert refused.status_code == 413
    error = error_of(refused)
    assert error["code"] == "too_large"
    assert str(MAX_BYTES) in error["message"]
    assert counts() == (0, 0, 0)
    assert unfinished(store) == []


def test_exactly_the_limit_is_accepted(world: World, api) -> None:
    answer = api("nominee").post(
        f"/workspaces/{world.ws.id}/uploads",
        json={"filename": "big.mp4", "size": MAX_BYTES, "sha256": "a" * 64},
    )
    assert answer.status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"size": 0}, "size"),
        ({"size": -5}, "size"),
        ({"size": "12"}, "size"),
        ({"size": 1.5}, "size"),
        ({"sha256": "abc"}, "sha256"),
        ({"sha256": "g" * 64}, "sha256"),
        ({"filename": ""}, "filename"),
        ({"filename": "report\u202etxt.exe"}, "filename"),
        ({"filename": "nul\x00.pdf"}, "filename"),
        ({"filename": "../"}, "filename"),
        ({"filename": "a" * 252 + ".pdf"}, "filename"),
    ],
)
def test_bad_beginnings_are_400(
    world: World, api, store, body: dict, field: str
) -> None:
    full = {"filename": "report.pdf", "size": 1000, "sha256": "a" * 64, **body}
    refused = api("nominee").post(f"/workspaces/{world.ws.id}/uploads", json=full)
    assert refused.status_code == 400, refused.get_json()
    assert field in error_of(refused)["fields"]
    assert counts() == (0, 0, 0)
    assert unfinished(store) == []


def test_missing_fields_are_400(world: World, api) -> None:
    refused = api("nominee").post(f"/workspaces/{world.ws.id}/uploads", json={})
    assert refused.status_code == 400
    assert set(error_of(refused)["fields"]) == {"filename", "size", "sha256"}


def test_a_path_in_the_name_is_dropped(world: World, api) -> None:
    data = pdf(1000)
    upload = Upload(api("nominee"), world.ws.id, data, filename="../../x/report.pdf")
    upload.put_all()
    assert upload.complete().get_json()["filename"] == "report.pdf"


@pytest.mark.parametrize("name", ["page.html", "archive.zip", "program.exe"])
def test_refused_types_are_415_and_keep_nothing(
    world: World, api, store, name: str
) -> None:
    content = (FILES / name).read_bytes()
    upload = Upload(api("nominee"), world.ws.id, content, filename="innocent.pdf")
    refused = upload.put(1)
    assert refused.status_code == 415
    assert error_of(refused)["code"] == "unsupported_type"
    assert upload.get().get_json()["received"] == []
    assert upload.complete().status_code == 400  # part 1 never arrived
    assert counts() == (0, 0, 1)
    assert list(store.iter_keys()) == []


def test_a_real_office_file(world: World, api) -> None:
    content = (FILES / "large.docx").read_bytes()
    upload = Upload(api("nominee"), world.ws.id, content, filename="minutes.docx")
    upload.put_all()
    item = upload.complete().get_json()
    assert item["media_type"].endswith("wordprocessingml.document")
    assert item["sha256"] == sha(content)


@pytest.mark.parametrize("number", [0, 4, 99])
def test_part_numbers_outside_the_file_are_400(
    world: World, api, three_parts: bytes, number: int
) -> None:
    upload = Upload(api("nominee"), world.ws.id, three_parts)
    refused = upload.put(number, b"%PDF-1.7\n" + b"x" * 100)
    assert refused.status_code == 400
    assert "part" in error_of(refused)["fields"]
    assert upload.get().get_json()["received"] == []


def test_negative_or_non_numeric_parts_are_404(
    world: World, api, three_parts: bytes
) -> None:
    upload = Upload(api("nominee"), world.ws.id, three_parts)
    for path in ("-1", "one", "1.0"):
        answer = upload.client.put(f"/uploads/{upload.id}/parts/{path}", data=b"x")
        assert answer.status_code == 404, path


def test_parts_of_the_wrong_size_are_400(world: World, api, three_parts) -> None:
    upload = Upload(api("nominee"), world.ws.id, three_parts)
    for n, body in [(1, upload.part(1)[:-1]), (1, upload.part(1) + b"x")]:
        refused = upload.put(n, body)
        assert refused.status_code == 400
        assert "part" in error_of(refused)["fields"]
    # The last part is the rest of the file, not a whole part.
    refused = upload.put(3, upload.part(2))
    assert refused.status_code == 400
    assert upload.get().get_json()["received"] == []


def test_a_part_cut_short_on_the_way_is_400_and_not_kept(
    world: World, api, client, three_parts: bytes
) -> None:
    upload = Upload(api("nominee"), world.ws.id, three_parts)
    whole = upload.part(2)
    # The body ends before the length its header declared (a dropped line).
    answer = client.put(
        f"/api/v1/uploads/{upload.id}/parts/2",
        data=whole[: len(whole) // 2],
        headers={"Authorization": f"Bearer {world.tokens['nominee']}"},
        environ_overrides={"CONTENT_LENGTH": str(len(whole))},
    )
    assert answer.status_code == 400
    assert "incomplete" in error_of(answer)["message"]
    assert upload.get().get_json()["received"] == []
    upload.put_all()
    assert upload.complete().status_code == 201


def test_other_users_get_404_for_everything(
    world: World, api, three_parts: bytes
) -> None:
    upload = Upload(api("nominee"), world.ws.id, three_parts)
    upload.put_all([1])
    # Even those who may upload to the same workspace see only their own.
    for who in ("contributor", "inspector", "lead_officer", "csc_nominee", "admin"):
        other = api(who)
        assert upload.get(other).status_code == 404, who
        assert error_of(upload.put(2, client=other))["code"] == "not_found"
        assert upload.complete(client=other).status_code == 404
        assert other.delete(f"/uploads/{upload.id}").status_code == 404
    assert upload.get().get_json()["received"] == [1]
    assert api("anonymous").get(f"/uploads/{upload.id}").status_code == 401
    assert api("nominee").get(f"/uploads/{uuid.uuid4()}").status_code == 404


def test_who_may_begin(world: World, api) -> None:
    body = {"filename": "a.pdf", "size": 10, "sha256": "a" * 64}
    path = f"/workspaces/{world.ws.id}/uploads"
    assert api("observer").post(path, json=body).status_code == 403
    assert api("non_member").post(path, json=body).status_code == 404
    assert api("admin").post(path, json=body).status_code == 404
    assert api("csc_nominee").post(path, json=body).status_code == 404
    assert api("inspector").post(path, json=body).status_code == 201
    assert api("anonymous").post(path, json=body).status_code == 401


def test_leaving_the_review_hides_the_session(
    world: World, api, factory, three_parts: bytes
) -> None:
    from app.reviews import services as review_services

    upload = Upload(api("contributor"), world.ws.id, three_parts)
    review_services.remove_member(
        world.factory.admin, world.review, world.users["contributor"].id
    )
    assert upload.get().status_code == 404


def expire(upload: Upload) -> None:
    db.session.execute(
        sa.update(UploadSession)
        .where(UploadSession.id == uuid.UUID(upload.id))
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def test_expired_sessions_are_404_and_purged(
    world: World, api, store: EvidenceStore, three_parts: bytes, app
) -> None:
    upload = Upload(api("nominee"), world.ws.id, three_parts)
    upload.put_all([1, 2])
    keep = Upload(api("nominee"), world.ws.id, three_parts)
    keep.put_all([1])
    assert len(unfinished(store)) == 2
    expire(upload)
    assert upload.get().status_code == 404
    assert upload.put(3).status_code == 404
    assert upload.complete().status_code == 404
    assert api("nominee").delete(f"/uploads/{upload.id}").status_code == 404

    report = app.test_cli_runner().invoke(args=["purge-uploads"])
    assert report.exit_code == 0, report.output
    assert "Removed 1 expired upload session" in report.output
    assert counts() == (0, 0, 1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UploadPart)) == 1
    assert len(unfinished(store)) == 1  # only the live one's parts
    assert keep.get().get_json()["received"] == [1]
    again = app.test_cli_runner().invoke(args=["purge-uploads"])
    assert "Removed 0 expired upload session" in again.output


def test_purge_removes_the_blob_of_a_crashed_completion(
    world: World, api, store: EvidenceStore, three_parts: bytes
) -> None:
    """A worker that died while completing: the joined object exists but no
    item does; purging the expired session removes the blob too."""
    upload = Upload(api("nominee"), world.ws.id, three_parts)
    upload.put_all()
    session = db.session.get(UploadSession, uuid.UUID(upload.id))
    from evidence_store import MultipartUpload, UploadedPart

    store.complete_multipart(
        MultipartUpload(session.storage_key, session.store_upload_id),
        [UploadedPart(p.number, p.size, p.etag, p.checksum) for p in session.parts],
    )
    session.status = UploadStatus.COMPLETING
    db.session.commit()
    assert store.exists(session.storage_key)
    expire(upload)
    assert resumable_services.purge_expired().sessions == 1
    assert not store.exists(session.storage_key)
    assert counts() == (0, 0, 0)


def test_delete_is_204_and_the_parts_go(
    world: World, api, store: EvidenceStore, three_parts: bytes
) -> None:
    upload = Upload(api("nominee"), world.ws.id, three_parts)
    upload.put_all([1, 2])
    assert unfinished(store) != []
    deleted = upload.client.delete(f"/uploads/{upload.id}")
    assert deleted.status_code == 204
    assert deleted.data == b""
    assert unfinished(store) == []
    assert counts() == (0, 0, 0)
    assert upload.get().status_code == 404
    assert upload.put(3).status_code == 404
    assert upload.client.delete(f"/uploads/{upload.id}").status_code == 404


def test_request_id_passes_through(world: World, api, three_parts: bytes) -> None:
    asked = api("inspector").post(
        f"/workspaces/{world.ws.id}/requests", json={"title": "Board recordings"}
    )
    request_id = asked.get_json()["id"]
    upload = Upload(api("nominee"), world.ws.id, three_parts)
    upload.put_all()
    done = upload.complete(request_id=request_id)
    assert done.status_code == 201, done.get_json()
    assert done.get_json()["request_id"] == request_id
    answered = api("inspector").get(f"/requests/{request_id}").get_json()
    assert answered["status"] == "submitted"
    assert answered["evidence_ids"] == [done.get_json()["id"]]


def test_a_bad_request_id_is_refused_before_the_parts_are_joined(
    world: World, api, store, three_parts: bytes
) -> None:
    upload = Upload(api("nominee"), world.ws.id, three_parts)
    upload.put_all()
    refused = upload.complete(request_id=str(uuid.uuid4()))
    assert refused.status_code == 400
    assert "request_id" in error_of(refused)["fields"]
    # Nothing was joined: the same session completes with a good body.
    assert list(store.iter_keys()) == []
    assert upload.get().get_json()["received"] == [1, 2, 3]
    assert upload.complete().status_code == 201


def test_completing_twice_or_late_parts(world: World, api, three_parts) -> None:
    upload = Upload(api("nominee"), world.ws.id, three_parts)
    upload.put_all()
    session = db.session.get(UploadSession, uuid.UUID(upload.id))
    session.status = UploadStatus.COMPLETING  # as while another request joins it
    db.session.commit()
    assert upload.put(1).status_code == 409
    assert upload.complete().status_code == 409
    assert upload.client.delete(f"/uploads/{upload.id}").status_code == 409
    session.status = UploadStatus.OPEN
    db.session.commit()
    assert upload.complete().status_code == 201
    assert upload.complete().status_code == 404
    assert upload.put(1).status_code == 404


def test_too_many_uploads_under_way(world: World, api, monkeypatch) -> None:
    monkeypatch.setattr(resumable_services, "MAX_OPEN_SESSIONS", 2)
    body = {"filename": "a.pdf", "size": 10, "sha256": "a" * 64}
    path = f"/workspaces/{world.ws.id}/uploads"
    client = api("nominee")
    first = client.post(path, json=body)
    assert client.post(path, json=body).status_code == 201
    refused = client.post(path, json=body)
    assert refused.status_code == 409
    assert client.delete(f"/uploads/{first.get_json()['id']}").status_code == 204
    assert client.post(path, json=body).status_code == 201
    assert api("contributor").post(path, json=body).status_code == 201


def test_a_closed_review_refuses_completion(
    world: World, api, store, three_parts: bytes
) -> None:
    upload = Upload(api("nominee"), world.ws.id, three_parts)
    upload.put_all()
    world.review.status = type(world.review.status)("closed")
    db.session.commit()
    refused = upload.complete()
    assert refused.status_code == 409
    assert list(store.iter_keys()) == []


def test_s3_sequential_parts_are_never_read_back(
    world: World, api, store: EvidenceStore, monkeypatch
) -> None:
    """Parts sent in order are hashed as they arrive: completion reads
    nothing back from S3; out of order, only the tail is read. (The text
    extraction it queues reads the file later, in the background: held
    back here, so that only completion's own reads are counted.)"""
    if not isinstance(store, S3Store):
        pytest.skip("S3 only")
    from app.jobs import services as jobs

    queued: list[str] = []
    monkeypatch.setattr(
        jobs.InlineRunner, "submit", lambda self, name, args: queued.append(name)
    )
    reads: list[str] = []

    def count(params, **_kw) -> None:
        reads.append(params.get("headers", {}).get("Range", "whole"))

    store._client.meta.events.register("before-call.s3.GetObject", count)
    data = pdf(2 * store.min_part_size + 5000)
    upload = Upload(api("nominee"), world.ws.id, data)
    upload.put_all()
    assert upload.complete().get_json()["sha256"] == sha(data)
    assert reads == []
    shuffled = Upload(api("nominee"), world.ws.id, data)
    shuffled.put_all([1, 3, 2])
    assert shuffled.complete().get_json()["sha256"] == sha(data)
    # Part 3 came before part 2 (so could not be hashed on from it): only
    # part 3 is read back.
    assert reads == [f"bytes={2 * store.min_part_size}-{len(data) - 1}"]
    assert queued == ["extract_text", "extract_text"]


def test_metadata_passes_through(world: World, api, three_parts: bytes) -> None:
    upload = Upload(api("nominee"), world.ws.id, three_parts)
    upload.put_all()
    refused = upload.complete(classification="SECRET", themes=["x" * 500])
    assert refused.status_code == 400
    assert {"classification", "themes"} <= set(error_of(refused)["fields"])
    done = upload.complete(
        classification="OFFICIAL-SENSITIVE",
        personal_data=True,
        effective_date="2026-03-27",
        themes=["Leadership"],
    )
    assert done.status_code == 201, done.get_json()
    item = done.get_json()
    assert item["classification"] == "OFFICIAL-SENSITIVE"
    assert item["personal_data"] is True
    assert item["effective_date"] == "2026-03-27"
    assert item["themes"] == ["Leadership"]
