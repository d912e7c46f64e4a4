"""The EvidenceStore contract, run against the memory, fs and s3 backends."""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import re
import threading
import tracemalloc

import pytest
from botocore.exceptions import ClientError

from evidence_store import (
    ByteRange,
    EvidenceStore,
    IntegrityError,
    InvalidRange,
    ObjectNotFound,
    StoredObject,
)
from support.store_harness import CONCURRENCY, PART_SIZE, Harness
from support.streams import FailingStream, GreedyStream, PatternStream, TrickleStream

MiB = 1 << 20
KEY_RE = re.compile(r"[0-9a-f]{32}")
SIZES = [0, 1, PART_SIZE - 1, PART_SIZE, PART_SIZE + 1, 2 * PART_SIZE + 12345]


class Boom(Exception):
    """Raised by test streams to abort a save."""


def save_bytes(store: EvidenceStore, data: bytes) -> StoredObject:
    return store.save(io.BytesIO(data))


def read_all(
    store: EvidenceStore, key: str, byte_range: ByteRange | None = None
) -> bytes:
    with store.open(key, byte_range) as reader:
        return b"".join(reader)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"size={s}")
def test_round_trip(store: EvidenceStore, size: int) -> None:
    data = os.urandom(size)
    stored = save_bytes(store, data)
    assert KEY_RE.fullmatch(stored.key)
    assert stored.size == size
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert store.exists(stored.key)
    with store.open(stored.key) as reader:
        assert reader.size == size
        assert reader.content_length == size
        assert b"".join(reader) == data
    store.verify(stored.key, stored.sha256, size)
    assert list(store.iter_keys()) == [stored.key]


def test_keys_are_fresh_and_not_derived_from_content(store: EvidenceStore) -> None:
    first = save_bytes(store, b"same content")
    second = save_bytes(store, b"same content")
    assert first.key != second.key
    assert first.sha256 == second.sha256
    assert KEY_RE.fullmatch(first.key) and KEY_RE.fullmatch(second.key)
    assert sorted(store.iter_keys()) == sorted([first.key, second.key])


@pytest.mark.parametrize("stream_type", [TrickleStream, GreedyStream])
def test_irregular_stream_reads(store: EvidenceStore, stream_type: type) -> None:
    data = os.urandom(PART_SIZE + 3 * MiB + 5)
    stored = store.save(stream_type(data))
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert read_all(store, stored.key) == data


def test_ranged_reads(store: EvidenceStore) -> None:
    size = PART_SIZE + 1000
    data = os.urandom(size)
    key = save_bytes(store, data).key
    cases = [
        (0, 10),  # start
        (PART_SIZE - 5, PART_SIZE + 5),  # middle, across an S3 part boundary
        (size - 10, size),  # end
        (size - 10, size + 10**9),  # stop clamped to the size
        (size - 1, size),  # last byte
        (0, size),  # everything
    ]
    for start, stop in cases:
        with store.open(key, ByteRange(start, stop)) as reader:
            assert reader.size == size
            assert reader.content_length == min(stop, size) - start
            assert b"".join(reader) == data[start:stop], (start, stop)


def test_range_starting_at_or_beyond_end_is_invalid(store: EvidenceStore) -> None:
    key = save_bytes(store, b"0123456789").key
    for start in (10, 11, 10**9):
        with pytest.raises(InvalidRange):
            store.open(key, ByteRange(start, start + 5))
    empty = save_bytes(store, b"").key
    with pytest.raises(InvalidRange):
        store.open(empty, ByteRange(0, 1))
    # Unranged reads of an empty object are fine.
    assert read_all(store, empty) == b""


def test_chunked_iteration(store: EvidenceStore) -> None:
    data = os.urandom(10_000)
    key = save_bytes(store, data).key
    with store.open(key, chunk_size=3000) as reader:
        chunks = list(reader)
    assert all(0 < len(chunk) <= 3000 for chunk in chunks)
    assert b"".join(chunks) == data
    with store.open(key, ByteRange(1000, 8000), chunk_size=999) as reader:
        chunks = list(reader)
    assert all(0 < len(chunk) <= 999 for chunk in chunks)
    assert b"".join(chunks) == data[1000:8000]


def test_read_n(store: EvidenceStore) -> None:
    data = os.urandom(10_000)
    key = save_bytes(store, data).key
    reader = store.open(key, chunk_size=1024)
    assert reader.read(0) == b""
    assert reader.read(4000) == data[:4000]
    assert reader.read(4000) == data[4000:8000]
    assert reader.read(4000) == data[8000:]
    assert reader.read(4000) == b""
    assert reader.read() == b""
    reader.close()
    reader.close()  # idempotent
    with pytest.raises(ValueError):
        reader.read(1)
    with store.open(key, ByteRange(100, 200)) as ranged:
        assert ranged.read(50) == data[100:150]
        assert b"".join(ranged) == data[150:200]  # iteration continues from read()
    with store.open(key) as whole:
        assert whole.read() == data
        assert whole.read(-1) == b""


def test_delete_and_exists(store: EvidenceStore) -> None:
    key = save_bytes(store, b"evidence").key
    other = save_bytes(store, b"other").key
    assert store.exists(key)
    store.delete(key)
    assert not store.exists(key)
    store.delete(key)  # idempotent
    store.delete("0" * 32)  # never existed
    with pytest.raises(ObjectNotFound):
        store.open(key)
    assert list(store.iter_keys()) == [other]


def test_verify(harness: Harness) -> None:
    store = harness.store
    data = os.urandom(100_000)
    stored = save_bytes(store, data)
    store.verify(stored.key, stored.sha256)
    store.verify(stored.key, stored.sha256, stored.size)
    store.verify(stored.key, stored.sha256.upper(), stored.size)
    with pytest.raises(IntegrityError):
        store.verify(stored.key, hashlib.sha256(b"other").hexdigest())
    with pytest.raises(IntegrityError):
        store.verify(stored.key, stored.sha256, stored.size + 1)
    with pytest.raises(ValueError):
        store.verify(stored.key, "not-a-digest")

    # Same size, one flipped byte: only the hash can catch it.
    tampered = bytearray(data)
    tampered[50_000] ^= 0xFF
    harness.tamper(stored.key, bytes(tampered))
    with pytest.raises(IntegrityError):
        store.verify(stored.key, stored.sha256, stored.size)
    with pytest.raises(IntegrityError):
        store.verify(stored.key, stored.sha256)
    harness.tamper(stored.key, data[:-1])
    with pytest.raises(IntegrityError):
        store.verify(stored.key, stored.sha256, stored.size)

    store.delete(stored.key)
    with pytest.raises(ObjectNotFound):
        store.verify(stored.key, stored.sha256, stored.size)


MALFORMED_KEYS = [
    "../x",
    "ab/cd",
    "../" + "a" * 32,
    "A" * 32,
    "a" * 31,
    "a" * 33,
    "a" * 32 + "\n",
    "g" * 32,
    "",
    ".",
]


@pytest.mark.parametrize("bad_key", MALFORMED_KEYS, ids=repr)
def test_malformed_keys_are_rejected(harness: Harness, bad_key: str) -> None:
    store = harness.store
    with pytest.raises(ObjectNotFound):
        store.open(bad_key)
    with pytest.raises(ObjectNotFound):
        store.verify(bad_key, "0" * 64)
    assert store.exists(bad_key) is False
    with pytest.raises(ValueError):
        store.delete(bad_key)


def test_uppercase_variant_of_existing_key_is_not_found(store: EvidenceStore) -> None:
    key = save_bytes(store, b"x").key
    upper = key.upper()
    if upper == key:  # all digits; astronomically unlikely
        pytest.skip("key has no letters")
    assert not store.exists(upper)
    with pytest.raises(ObjectNotFound):
        store.open(upper)


def _errors() -> list[BaseException]:
    # OSError and ClientError are what backends wrap for their own failures;
    # raised by the caller's stream they must still come back unchanged.
    return [
        Boom("client went away"),
        OSError(104, "Connection reset by peer"),
        ClientError({"Error": {"Code": "SlowDown", "Message": "x"}}, "GetObject"),
    ]


@pytest.mark.parametrize(
    "fail_at",
    [0, 1000, 2 * PART_SIZE + 100],
    ids=["first-read", "mid-first-part", "after-two-parts"],
)
@pytest.mark.parametrize(
    "error_index", [0, 1, 2], ids=["Boom", "OSError", "ClientError"]
)
def test_failing_stream_reraises_and_leaves_nothing(
    harness: Harness, fail_at: int, error_index: int
) -> None:
    error = _errors()[error_index]
    stream = FailingStream(os.urandom(3 * PART_SIZE), fail_at, error)
    with pytest.raises(type(error)) as caught:
        harness.store.save(stream)
    assert caught.value is error
    assert stream.bytes_read == fail_at
    assert list(harness.store.iter_keys()) == []
    assert harness.raw_objects() == []
    assert harness.leftovers() == []


def test_interrupt_during_save_leaves_nothing(harness: Harness) -> None:
    stream = FailingStream(
        os.urandom(2 * PART_SIZE), PART_SIZE + 1, KeyboardInterrupt()
    )
    with pytest.raises(KeyboardInterrupt):
        harness.store.save(stream)
    assert harness.raw_objects() == []
    assert harness.leftovers() == []


def test_sweep_on_clean_store_removes_nothing(store: EvidenceStore) -> None:
    key = save_bytes(store, b"keep me").key
    assert store.sweep_incomplete(datetime.timedelta(0)) == 0
    assert store.exists(key)
    with pytest.raises(ValueError):
        store.sweep_incomplete(datetime.timedelta(seconds=-1))


def test_check_passes_on_a_good_store(store: EvidenceStore) -> None:
    store.check()


def test_concurrent_saves(store: EvidenceStore) -> None:
    results: list[StoredObject] = []
    payloads = [os.urandom(300_000 + i) for i in range(4)]

    def worker(data: bytes) -> None:
        results.append(save_bytes(store, data))

    threads = [threading.Thread(target=worker, args=(p,)) for p in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({r.key for r in results}) == len(payloads)
    for stored in results:
        store.verify(stored.key, stored.sha256, stored.size)
    assert sorted(store.iter_keys()) == sorted(r.key for r in results)


def test_presigned_url_only_for_s3(harness: Harness) -> None:
    key = save_bytes(harness.store, b"x").key
    url = harness.store.presigned_url(
        key, filename="a.pdf", media_type="application/pdf"
    )
    if harness.name == "s3":
        assert url is not None and url.startswith("http")
    else:
        assert url is None


# Budget for the stream's own 1 MiB chunks, the hash state and library overhead.
SLACK = 4 * MiB


@pytest.mark.parametrize("harness", ["fs", "s3"], indirect=True)
def test_memory_stays_bounded(harness: Harness) -> None:
    store = harness.store
    save_bytes(store, os.urandom(PART_SIZE + 1))  # warm up lazy imports and pools
    stream = PatternStream(64 * MiB)
    tracemalloc.start()
    try:
        stored = store.save(stream)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # fs holds one chunk at a time; s3 holds (concurrency + 1) part buffers.
    bound = (CONCURRENCY + 2) * PART_SIZE + SLACK if harness.name == "s3" else 8 * MiB
    assert peak < bound, f"peak {peak / MiB:.1f} MiB >= {bound / MiB:.1f} MiB"
    assert stored.size == 64 * MiB
    assert stored.sha256 == stream.expected_sha256()
    store.verify(stored.key, stored.sha256, stored.size)


def test_iter_objects_reports_size_and_write_time(store: EvidenceStore) -> None:
    before = datetime.datetime.now(datetime.UTC)
    small = save_bytes(store, b"abc")
    large = save_bytes(store, os.urandom(PART_SIZE + 1))
    after = datetime.datetime.now(datetime.UTC)
    infos = {info.key: info for info in store.iter_objects()}
    assert set(infos) == {small.key, large.key}
    assert infos[small.key].size == 3
    assert infos[large.key].size == PART_SIZE + 1
    # S3 reports LastModified with one-second resolution.
    slack = datetime.timedelta(seconds=2)
    for info in infos.values():
        assert info.modified_at.tzinfo is not None
        assert before - slack <= info.modified_at <= after + slack
