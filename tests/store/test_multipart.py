"""The multipart (resumable) half of the store contract, on every backend.

Parts are put in any order, any number of times, by separate calls (as the
requests of a resumable upload arrive); completion joins the ones the
caller lists and reports the SHA-256 of the whole.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from evidence_store import (
    EvidenceStore,
    HashedPrefix,
    IncompletePart,
    MultipartUpload,
    ObjectNotFound,
    StoreError,
    UploadedPart,
)
from evidence_store.filesystem import STAGING_DIR
from evidence_store.sha256state import Sha256State
from support.store_harness import FsHarness, Harness, MemoryHarness, S3Harness

MiB = 1 << 20


def part_size(store: EvidenceStore) -> int:
    """Small parts where the backend allows them (S3: 5 MiB)."""
    return max(store.min_part_size, 256 * 1024)


def split(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def put(
    store: EvidenceStore, upload: MultipartUpload, number: int, data: bytes, **kw
) -> UploadedPart:
    return store.put_part(upload, number, io.BytesIO(data), len(data), **kw)


def read_all(store: EvidenceStore, key: str) -> bytes:
    with store.open(key) as reader:
        return b"".join(reader)


def unfinished(harness: Harness) -> list[str]:
    """Multipart uploads (or their parts) still held by the backend."""
    if isinstance(harness, MemoryHarness):
        return list(harness.store._uploads)
    if isinstance(harness, FsHarness):
        staging = harness.root / STAGING_DIR
        return [p.name for p in staging.iterdir()] if staging.exists() else []
    assert isinstance(harness, S3Harness)
    return harness.leftovers()


@pytest.fixture
def data(store: EvidenceStore) -> bytes:
    return os.urandom(2 * part_size(store) + 12345)


def test_parts_in_any_order_make_the_object(harness: Harness, data: bytes) -> None:
    store = harness.store
    pieces = split(data, part_size(store))
    upload = store.begin_multipart()
    assert not store.exists(upload.key)
    parts = {n: put(store, upload, n, pieces[n - 1]) for n in (3, 1, 2)}
    assert [parts[n].size for n in (1, 2, 3)] == [len(p) for p in pieces]
    assert list(store.iter_keys()) == []  # nothing until completed
    stored = store.complete_multipart(upload, [parts[n] for n in (1, 2, 3)])
    assert stored.key == upload.key
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert read_all(store, stored.key) == data
    assert list(store.iter_keys()) == [stored.key]
    store.verify(stored.key, stored.sha256, stored.size)
    assert unfinished(harness) == []


def test_single_small_part(store: EvidenceStore) -> None:
    upload = store.begin_multipart()
    part = put(store, upload, 1, b"only part")
    stored = store.complete_multipart(upload, [part])
    assert read_all(store, stored.key) == b"only part"
    assert stored.sha256 == hashlib.sha256(b"only part").hexdigest()


def test_digest_sees_exactly_the_part(store: EvidenceStore, data: bytes) -> None:
    upload = store.begin_multipart()
    digest = hashlib.sha256()
    put(store, upload, 1, data[: part_size(store)], digest=digest)
    assert digest.hexdigest() == hashlib.sha256(data[: part_size(store)]).hexdigest()
    store.abort_multipart(upload)


def test_a_part_put_again_replaces_the_first(harness: Harness, data: bytes) -> None:
    store = harness.store
    size = part_size(store)
    first, second = split(data, size)[:2]
    upload = store.begin_multipart()
    put(store, upload, 1, os.urandom(size))
    again = put(store, upload, 1, first)
    tail = put(store, upload, 2, second)
    stored = store.complete_multipart(upload, [again, tail])
    assert read_all(store, stored.key) == first + second
    assert unfinished(harness) == []


def test_a_stream_ending_early_keeps_nothing(harness: Harness, data: bytes) -> None:
    store = harness.store
    size = part_size(store)
    upload = store.begin_multipart()
    with pytest.raises(IncompletePart):
        store.put_part(upload, 1, io.BytesIO(data[: size - 1]), size)
    if isinstance(harness, FsHarness):
        staging = harness.root / STAGING_DIR / upload.upload_id
        assert list(staging.iterdir()) == []  # not even a temporary file
    part = put(store, upload, 1, data[:size])
    stored = store.complete_multipart(upload, [part])
    assert read_all(store, stored.key) == data[:size]


def test_reads_no_more_than_the_length(store: EvidenceStore) -> None:
    stream = io.BytesIO(b"abcdefXYZ")
    upload = store.begin_multipart()
    part = store.put_part(upload, 1, stream, 6)
    assert stream.read() == b"XYZ"
    assert read_all(store, store.complete_multipart(upload, [part]).key) == b"abcdef"


def test_abort_removes_the_parts(harness: Harness, data: bytes) -> None:
    store = harness.store
    upload = store.begin_multipart()
    part = put(store, upload, 1, data[: part_size(store)])
    assert unfinished(harness) != []
    store.abort_multipart(upload)
    assert unfinished(harness) == []
    store.abort_multipart(upload)  # twice is harmless
    with pytest.raises(ObjectNotFound):
        put(store, upload, 2, b"late")
    with pytest.raises(ObjectNotFound):
        store.complete_multipart(upload, [part])
    assert list(store.iter_keys()) == []


def test_completing_with_a_part_never_put_fails_and_leaves_no_object(
    harness: Harness, data: bytes
) -> None:
    store = harness.store
    size = part_size(store)
    upload = store.begin_multipart()
    first = put(store, upload, 1, data[:size])
    ghost = UploadedPart(number=2, size=100, etag=first.etag)
    with pytest.raises(StoreError):
        store.complete_multipart(upload, [first, ghost])
    assert not store.exists(upload.key)
    assert list(store.iter_keys()) == []
    store.abort_multipart(upload)
    assert unfinished(harness) == []


@pytest.mark.parametrize(
    "numbers",
    [[], [2], [1, 3], [2, 1], [1, 1]],
    ids=["none", "no-first", "gap", "unordered", "twice"],
)
def test_completion_needs_parts_one_to_n(store: EvidenceStore, numbers) -> None:
    upload = store.begin_multipart()
    parts = [UploadedPart(number=n, size=part_size(store), etag="x") for n in numbers]
    with pytest.raises(ValueError):
        store.complete_multipart(upload, parts)
    store.abort_multipart(upload)


def test_short_parts_only_last(store: EvidenceStore) -> None:
    if store.min_part_size <= 1:
        pytest.skip("no minimum part size on this backend")
    upload = store.begin_multipart()
    short = put(store, upload, 1, b"too short")
    last = put(store, upload, 2, b"last")
    with pytest.raises(ValueError):
        store.complete_multipart(upload, [short, last])
    store.abort_multipart(upload)


@pytest.mark.parametrize(
    ("number", "length"), [(0, 1), (10_001, 1), (1, 0), (True, 1), (1, -5)]
)
def test_bad_part_arguments(store: EvidenceStore, number, length) -> None:
    upload = store.begin_multipart()
    with pytest.raises((ValueError, TypeError)):
        store.put_part(upload, number, io.BytesIO(b"x"), length)
    store.abort_multipart(upload)


def test_the_same_part_twice_at_once(store: EvidenceStore, data: bytes) -> None:
    size = part_size(store)
    upload = store.begin_multipart()
    results: list[UploadedPart] = []
    errors: list[BaseException] = []

    def send() -> None:
        try:
            results.append(put(store, upload, 1, data[:size]))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(results) == 3
    tail = put(store, upload, 2, data[size:])
    stored = store.complete_multipart(upload, [results[-1], tail])
    assert read_all(store, stored.key) == data


def prefix_state(data: bytes, size: int) -> HashedPrefix:
    hasher = Sha256State()
    hasher.update(data[:size])
    return HashedPrefix(size=size, state=hasher.export())


@pytest.mark.parametrize("hashed_parts", [0, 1, 3])
def test_hashed_prefix_gives_the_sha256_of_the_whole(
    store: EvidenceStore, data: bytes, hashed_parts: int
) -> None:
    size = part_size(store)
    pieces = split(data, size)
    upload = store.begin_multipart()
    parts = [put(store, upload, n, piece) for n, piece in enumerate(pieces, 1)]
    covered = min(len(data), hashed_parts * size)
    stored = store.complete_multipart(upload, parts, hashed=prefix_state(data, covered))
    assert stored.sha256 == hashlib.sha256(data).hexdigest()


def test_a_hashed_prefix_that_does_not_fit_is_not_used(
    store: EvidenceStore, data: bytes
) -> None:
    upload = store.begin_multipart()
    parts = [put(store, upload, 1, data)]
    # A state of 10 bytes claimed to cover 20: ignored, the object is read.
    wrong = HashedPrefix(size=20, state=prefix_state(data, 10).state)
    stored = store.complete_multipart(upload, parts, hashed=wrong)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()


@pytest.fixture
def get_calls(s3_harness: S3Harness) -> Iterator[list[str]]:
    """The GetObject requests the S3 store sends (its reads of objects)."""
    calls: list[str] = []

    def count(params, **_kw) -> None:
        calls.append(params.get("headers", {}).get("Range", "whole"))

    events = s3_harness.store._client.meta.events
    events.register("before-call.s3.GetObject", count)
    yield calls
    events.unregister("before-call.s3.GetObject", count)


def test_s3_reads_back_only_what_was_not_hashed(
    s3_harness: S3Harness, get_calls: list[str]
) -> None:
    store = s3_harness.store
    size = store.min_part_size
    data = os.urandom(2 * size + 1000)
    pieces = split(data, size)

    def complete(hashed: HashedPrefix | None) -> str:
        upload = store.begin_multipart()
        parts = [put(store, upload, n, p) for n, p in enumerate(pieces, 1)]
        return store.complete_multipart(upload, parts, hashed=hashed).sha256

    expected = hashlib.sha256(data).hexdigest()
    assert complete(prefix_state(data, len(data))) == expected
    assert get_calls == []  # every part was hashed on its way in: no read
    assert complete(prefix_state(data, 2 * size)) == expected
    assert get_calls == [f"bytes={2 * size}-{len(data) - 1}"]
    get_calls.clear()
    assert complete(None) == expected
    assert get_calls == ["whole"]


def test_s3_trusts_a_prefix_only_for_the_listed_parts() -> None:
    """The hashed prefix is used only when the object's multipart ETag
    proves it is made of exactly the listed parts (MD5 of their MD5s)."""
    from evidence_store.s3 import _made_of

    md5s = [hashlib.md5(p, usedforsecurity=False).hexdigest() for p in (b"a", b"b")]
    parts = [{"PartNumber": n, "ETag": f'"{m}"'} for n, m in enumerate(md5s, 1)]
    joined = b"".join(bytes.fromhex(m) for m in md5s)
    whole = hashlib.md5(joined, usedforsecurity=False).hexdigest()
    assert _made_of(f'"{whole}-2"', parts)
    assert not _made_of(f'"{whole}-3"', parts)  # another count
    assert not _made_of(f'"{whole}-2"', parts[::-1])  # another order
    assert not _made_of(f'"{md5s[0]}"', parts)  # not a multipart ETag
    kms = [{"PartNumber": 1, "ETag": '"not-an-md5"'}, parts[1]]
    assert not _made_of(f'"{whole}-2"', kms)


def test_s3_large_parts_go_as_several_slices(
    s3_harness: S3Harness, get_calls: list[str]
) -> None:
    """A part of 16 MiB or more is sent as several S3 parts (slices) at
    once; the object and its SHA-256 are the same, and a fully hashed one
    is not read back."""
    from evidence_store.s3 import SLICE_SIZE, _slices

    assert _slices(5 * MiB) == [5 * MiB]
    assert _slices(2 * SLICE_SIZE + 1) == [SLICE_SIZE + 1, SLICE_SIZE]
    assert len(_slices(100 * SLICE_SIZE)) == 4
    store = s3_harness.store
    size = 3 * SLICE_SIZE + 4321
    data = os.urandom(2 * size + 100)
    upload = store.begin_multipart()
    pieces = split(data, size)
    parts = [put(store, upload, n, p) for n, p in enumerate(pieces, 1)]
    assert [part.etag.count("|") for part in parts] == [2, 2, 0]
    again = put(store, upload, 2, pieces[1])  # sent again: every slice replaced
    stored = store.complete_multipart(
        upload, [parts[0], again, parts[2]], hashed=prefix_state(data, len(data))
    )
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert get_calls == []  # the slices' ETags proved the parts: no read-back
    assert read_all(store, stored.key) == data
    listed = s3_harness.server.client().list_multipart_uploads(
        Bucket=s3_harness.bucket, Prefix=s3_harness.prefix
    )
    assert listed.get("Uploads", []) == []


def test_s3_a_slice_that_does_not_arrive_keeps_nothing(s3_harness: S3Harness) -> None:
    from evidence_store.s3 import SLICE_SIZE

    store = s3_harness.store
    size = 2 * SLICE_SIZE
    data = os.urandom(size)
    upload = store.begin_multipart()
    with pytest.raises(IncompletePart):
        store.put_part(upload, 1, io.BytesIO(data[: size - 10]), size)
    part = put(store, upload, 1, data)
    assert read_all(store, store.complete_multipart(upload, [part]).key) == data


def test_s3_multipart_etag_of_seaweedfs_proves_the_parts(
    s3_harness: S3Harness, get_calls: list[str]
) -> None:
    """SeaweedFS gives the AWS-style multipart ETag, so a fully hashed
    upload is never read back (the benchmark depends on it)."""
    store = s3_harness.store
    data = os.urandom(store.min_part_size + 10)
    upload = store.begin_multipart()
    parts = [put(store, upload, n, p) for n, p in enumerate(split(data, 5 * MiB), 1)]
    stored = store.complete_multipart(
        upload, parts, hashed=prefix_state(data, len(data))
    )
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert get_calls == []


def test_sweep_removes_stale_unfinished_uploads(harness: Harness) -> None:
    store = harness.store
    upload = store.begin_multipart()
    put(store, upload, 1, b"abandoned")
    # A fresh one is kept...
    assert store.sweep_incomplete(datetime.timedelta(hours=1)) == 0
    assert unfinished(harness) != [] or isinstance(harness, MemoryHarness)
    if isinstance(harness, FsHarness):
        staging = harness.root / STAGING_DIR / upload.upload_id
        old = staging.stat().st_mtime - 7200
        os.utime(staging, (old, old))
        assert store.sweep_incomplete(datetime.timedelta(hours=1)) == 1
    elif isinstance(harness, S3Harness):
        assert store.sweep_incomplete(datetime.timedelta(0)) == 1
    assert unfinished(harness) == [] or isinstance(harness, MemoryHarness)


def test_fs_staging_is_not_listed_as_objects(tmp_path: Path) -> None:
    harness = FsHarness(tmp_path / "evidence")
    store = harness.store
    upload = store.begin_multipart()
    put(store, upload, 1, b"part")
    assert list(store.iter_objects()) == []
    store.check()
    with pytest.raises(ObjectNotFound):
        # A forged upload id cannot reach outside the staging directory.
        store.put_part(
            MultipartUpload(key=upload.key, upload_id="../../etc"),
            1,
            io.BytesIO(b"x"),
            1,
        )


def test_sha256_state_resumes_anywhere() -> None:
    from evidence_store import sha256state

    assert sha256state.AVAILABLE  # libcrypto is on every supported machine
    data = os.urandom(200_001)
    for cut in (0, 1, 63, 64, 65, 100_000, 200_001):
        first = Sha256State()
        first.update(data[:cut])
        saved = first.export()
        assert len(saved) == sha256state.STATE_SIZE
        resumed = Sha256State.resume(saved)
        assert resumed.length == cut
        resumed.update(bytearray(data[cut:]))
        assert resumed.hexdigest() == hashlib.sha256(data).hexdigest()
        # hexdigest does not end the hash; export does not change it.
        assert first.hexdigest() == hashlib.sha256(data[:cut]).hexdigest()
        first.update(memoryview(data)[cut:])
        assert first.hexdigest() == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    "state",
    [b"", b"\0" * 111, b"\0" * 113, b"\0" * 112, "text"],
    ids=["empty", "short", "long", "zeros", "str"],
)
def test_sha256_state_refuses_what_is_not_a_state(state) -> None:
    with pytest.raises(ValueError):
        Sha256State.resume(state)


def test_on_stored_sees_the_part_after_it_is_stored(
    store: EvidenceStore, data: bytes
) -> None:
    size = part_size(store)
    upload = store.begin_multipart()
    seen: list[bytes] = []

    def look(chunks) -> None:
        seen.append(b"".join(bytes(chunk) for chunk in chunks))

    part = put(store, upload, 1, data[:size], on_stored=look)
    assert seen == [data[:size]]
    tail = put(store, upload, 2, data[size:])
    assert read_all(store, store.complete_multipart(upload, [part, tail]).key) == data
