"""Nothing lost: a failure at any step of an upload leaves no row and no blob.

Each test breaks one step for real (the store's write, its result, the
database commit, the access check after the bytes arrive) and checks the
store and the tables afterwards.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from app.core.db import db
from app.evidence.models import EvidenceFile, EvidenceItem
from evidence_store import EvidenceStore, StoredObject, StoreError
from support.api import error_of
from support.world import World


def counts() -> tuple[int, int]:
    items = db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceItem))
    files = db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceFile))
    return items or 0, files or 0


def blobs(store: EvidenceStore) -> list[str]:
    return sorted(store.iter_keys())


def test_store_failing_mid_write(world: World, api, store, monkeypatch) -> None:
    original = store.save

    def failing_save(stream: Any) -> StoredObject:
        class Cut:
            sent = 0

            def read(self, n: int) -> bytes:
                if Cut.sent > 1000:
                    raise StoreError("the disk is full")
                data = stream.read(min(n, 600))
                Cut.sent += len(data)
                return data

        return original(Cut())

    monkeypatch.setattr(store, "save", failing_save)
    response = api("nominee").upload(world.ws.id, b"x" * 5000, "x.txt")
    assert response.status_code == 503
    error = error_of(response)
    assert error["code"] == "store_unavailable"
    assert "nothing was stored" in error["message"].lower()
    assert counts() == (0, 0)
    assert blobs(store) == []


def test_store_saving_other_bytes_than_it_was_given(
    world: World, api, store, monkeypatch
) -> None:
    original = store.save

    def lying_save(stream: Any) -> StoredObject:
        # A store that lost bytes on the way (or counted wrong).
        real = original(stream)
        return StoredObject(key=real.key, size=real.size - 1, sha256=real.sha256)

    monkeypatch.setattr(store, "save", lying_save)
    response = api("nominee").upload(world.ws.id, b"hello", "x.txt")
    assert response.status_code == 500
    assert counts() == (0, 0)
    assert blobs(store) == []


def test_database_failing_after_the_blob_is_stored(world: World, api, store) -> None:
    def fail_on_evidence_rows(session: Any, context: Any) -> None:
        if any(isinstance(row, EvidenceFile) for row in session.new):
            raise sa.exc.OperationalError("INSERT", {}, Exception("database went away"))

    sa.event.listen(sa.orm.Session, "before_flush", fail_on_evidence_rows)
    try:
        response = api("nominee").upload(world.ws.id, b"hello", "x.txt")
    finally:
        sa.event.remove(sa.orm.Session, "before_flush", fail_on_evidence_rows)
    assert response.status_code == 500
    assert error_of(response)["code"] == "internal_error"
    assert counts() == (0, 0)
    assert blobs(store) == []


def test_access_ending_during_the_upload_stores_nothing(
    world: World, api, store, monkeypatch
) -> None:
    from app.reviews import services as review_services

    original = store.save

    def save_then_remove_member(stream: Any) -> StoredObject:
        stored = original(stream)
        # While the bytes were arriving, the nominee removed the contributor.
        review_services.remove_member(
            world.users["nominee"], world.review, world.users["contributor"].id
        )
        return stored

    monkeypatch.setattr(store, "save", save_then_remove_member)
    response = api("contributor").upload(world.ws.id, b"hello", "x.txt")
    assert response.status_code == 404
    assert counts() == (0, 0)
    assert blobs(store) == []


def test_client_disconnecting_mid_upload(world: World, api, store) -> None:
    class Disconnect(Exception):
        pass

    class HalfBody:
        def __init__(self, data: bytes) -> None:
            self.data = data
            self.pos = 0

        def read(self, n: int = -1) -> bytes:
            if self.pos >= len(self.data) // 2:
                raise Disconnect("client went away")
            chunk = self.data[self.pos : self.pos + min(n, 1000)]
            self.pos += len(chunk)
            return chunk

    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n'
        + b"y" * 20_000
        + b"\r\n--b--\r\n"
    )
    from app.core.uploads import IncomingForm, receive_upload

    with pytest.raises(Disconnect):
        receive_upload(
            IncomingForm(HalfBody(body), "multipart/form-data; boundary=b", len(body)),  # type: ignore[arg-type]
            store,
            max_bytes=100_000,
            text_fields={},
        )
    assert blobs(store) == []
