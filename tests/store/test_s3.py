"""S3-backend specifics against a real SeaweedFS server.

Fault injection wraps methods of the store's real boto3 client; every request
that is not deliberately failed still goes to the server.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import threading
import time
import uuid
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from evidence_store import IntegrityError, ObjectNotFound, StoreError, open_store
from evidence_store.s3 import S3Store
from support.seaweed import SeaweedFS
from support.store_harness import CONCURRENCY, PART_SIZE, S3Harness
from support.streams import FailingStream


class Boom(Exception):
    pass


def test_client_config(s3_harness: S3Harness) -> None:
    config = s3_harness.store._client.meta.config
    assert config.request_checksum_calculation == "when_required"
    assert config.response_checksum_validation == "when_required"
    # botocore normalises {"max_attempts": 5} to 5 retries = 6 attempts.
    assert config.retries == {"mode": "standard", "total_max_attempts": 6}
    assert config.s3 == {"addressing_style": "path"}
    assert config.max_pool_connections >= CONCURRENCY + 2


def test_objects_live_under_the_prefix(s3_harness: S3Harness) -> None:
    client = s3_harness.server.client()
    key = s3_harness.store.save(io.BytesIO(b"x")).key
    assert s3_harness.raw_objects() == [s3_harness.prefix + key]
    # Objects outside the prefix, or not shaped like keys, are not ours.
    client.put_object(Bucket=s3_harness.bucket, Key="a" * 32, Body=b"foreign")
    client.put_object(
        Bucket=s3_harness.bucket, Key=s3_harness.prefix + "notes.txt", Body=b"x"
    )
    assert list(s3_harness.store.iter_keys()) == [key]
    client.delete_object(Bucket=s3_harness.bucket, Key="a" * 32)


def test_requests_carry_a_checksum_and_parts_are_exact(
    s3_harness: S3Harness,
) -> None:
    sent: list[tuple[str, int, str | None]] = []
    in_flight = 0
    max_in_flight = 0
    lock = threading.Lock()

    def before_send(request: Any, **kwargs: Any) -> None:
        nonlocal in_flight, max_in_flight
        operation = kwargs["event_name"].rsplit(".", 1)[-1]
        if operation in ("PutObject", "UploadPart"):
            with lock:
                sent.append(
                    (
                        operation,
                        int(request.headers["Content-Length"]),
                        request.headers.get("x-amz-checksum-crc32"),
                    )
                )
                if operation == "UploadPart":
                    in_flight += 1
                    max_in_flight = max(max_in_flight, in_flight)

    def after_call(**kwargs: Any) -> None:
        nonlocal in_flight
        with lock:
            in_flight -= 1

    events = s3_harness.store._client.meta.events
    events.register("before-send.s3.*", before_send)
    events.register("after-call.s3.UploadPart", after_call)
    small = os.urandom(1000)
    large = os.urandom(4 * PART_SIZE + 777)
    s3_harness.store.save(io.BytesIO(small))
    s3_harness.store.save(io.BytesIO(large))

    assert sent[0][0] == "PutObject"
    assert sent[0][1] == len(small)
    parts = sent[1:]
    assert [op for op, _, _ in parts] == ["UploadPart"] * 5
    assert sorted(length for _, length, _ in parts) == [777] + [PART_SIZE] * 4
    assert all(checksum for _, _, checksum in sent)
    assert max_in_flight <= CONCURRENCY


@pytest.mark.parametrize("checksum", ["crc32", "md5"])
def test_bytes_corrupted_in_transit_are_refused(
    checksum: str, seaweedfs: Any, contract_bucket: str
) -> None:
    """The server checks each request body against its checksum: a flipped
    byte after the checksum was computed fails the save, and nothing stays."""
    from evidence_store import open_store

    store = open_store(
        f"s3://{contract_bucket}?endpoint_url={seaweedfs.endpoint_url}"
        f"&prefix=corrupt-{checksum}/&part_size={PART_SIZE}&checksum={checksum}"
    )

    def flip_a_byte(request: Any, **kwargs: Any) -> None:
        if isinstance(request.body, bytearray) and request.body:
            request.body[0] ^= 0xFF

    store._client.meta.events.register("before-send.s3.UploadPart", flip_a_byte)  # type: ignore[attr-defined]
    store._client.meta.events.register("before-send.s3.PutObject", flip_a_byte)  # type: ignore[attr-defined]
    for size in (1000, 2 * PART_SIZE):
        with pytest.raises(StoreError):
            store.save(io.BytesIO(os.urandom(size)))
    assert list(store.iter_keys()) == []
    store.close()


def test_part_upload_failure_aborts_the_upload(
    s3_harness: S3Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = s3_harness.store._client
    real_upload_part = client.upload_part
    calls = 0

    def flaky_upload_part(**kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if kwargs["PartNumber"] == 2:
            raise ClientError(
                {"Error": {"Code": "InternalError", "Message": "injected"}},
                "UploadPart",
            )
        return real_upload_part(**kwargs)

    monkeypatch.setattr(client, "upload_part", flaky_upload_part)
    with pytest.raises(StoreError) as caught:
        s3_harness.store.save(io.BytesIO(os.urandom(4 * PART_SIZE)))
    assert isinstance(caught.value.__cause__, ClientError)
    assert "injected" in str(caught.value)
    assert s3_harness.leftovers() == []
    assert s3_harness.raw_objects() == []


def test_size_mismatch_after_completion_deletes_the_object(
    s3_harness: S3Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = s3_harness.store._client
    real_head = client.head_object

    def lying_head(**kwargs: Any) -> Any:
        response = real_head(**kwargs)
        response["ContentLength"] -= 1
        return response

    monkeypatch.setattr(client, "head_object", lying_head)
    with pytest.raises(IntegrityError):
        s3_harness.store.save(io.BytesIO(os.urandom(PART_SIZE + 10)))
    assert s3_harness.raw_objects() == []
    assert s3_harness.leftovers() == []


def test_failing_stream_after_parts_uploaded_aborts(s3_harness: S3Harness) -> None:
    aborted: list[str] = []
    s3_harness.store._client.meta.events.register(
        "after-call.s3.AbortMultipartUpload",
        lambda **kwargs: aborted.append(kwargs["event_name"]),
    )
    error = Boom()
    stream = FailingStream(os.urandom(4 * PART_SIZE), 3 * PART_SIZE + 1, error)
    with pytest.raises(Boom) as caught:
        s3_harness.store.save(stream)
    assert caught.value is error
    assert len(aborted) == 1
    assert s3_harness.leftovers() == []
    assert s3_harness.raw_objects() == []


def test_sweep_aborts_old_abandoned_uploads_only(s3_harness: S3Harness) -> None:
    client = s3_harness.server.client()
    bucket, prefix = s3_harness.bucket, s3_harness.prefix

    def start_upload(name: str) -> str:
        upload_id = client.create_multipart_upload(Bucket=bucket, Key=name)["UploadId"]
        client.upload_part(
            Bucket=bucket, Key=name, UploadId=upload_id, PartNumber=1, Body=b"x" * 100
        )
        return upload_id

    old_key = prefix + uuid.uuid4().hex
    start_upload(old_key)
    foreign = prefix + "not-a-key"
    start_upload(foreign)
    # The server records Initiated with one-second resolution.
    time.sleep(3)
    fresh_key = prefix + uuid.uuid4().hex
    start_upload(fresh_key)

    removed = s3_harness.store.sweep_incomplete(datetime.timedelta(seconds=1.5))
    assert removed == 1
    assert sorted(s3_harness.leftovers()) == sorted([foreign, fresh_key])
    for upload in client.list_multipart_uploads(Bucket=bucket, Prefix=prefix)[
        "Uploads"
    ]:
        client.abort_multipart_upload(
            Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"]
        )


def test_presigned_url_downloads_exact_bytes_as_attachment(
    s3_harness: S3Harness,
) -> None:
    data = os.urandom(PART_SIZE + 100)
    key = s3_harness.store.save(io.BytesIO(data)).key
    url = s3_harness.store.presigned_url(
        key,
        filename='Adroddiad ŵyl "terfynol".pdf',
        media_type="application/pdf",
        expires_in=60,
    )
    assert url is not None
    response = requests.get(url, timeout=30)
    assert response.status_code == 200
    assert response.content == data
    assert (
        hashlib.sha256(response.content).hexdigest() == hashlib.sha256(data).hexdigest()
    )
    assert response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Adroddiad%20%C5%B5yl%20%22terfynol%22.pdf" in disposition
    assert 'filename="Adroddiad _yl _terfynol_.pdf"' in disposition


def test_presigned_url_validation(s3_harness: S3Harness) -> None:
    store = s3_harness.store
    key = "a" * 32
    with pytest.raises(ObjectNotFound):
        store.presigned_url("../x", filename="a", media_type="text/plain")
    for bad_type in ["text/plain\r\nX-Evil: 1", "nonsense", ""]:
        with pytest.raises(ValueError):
            store.presigned_url(key, filename="a", media_type=bad_type)
    for bad_expiry in [0, -1, 8 * 24 * 3600]:
        with pytest.raises(ValueError):
            store.presigned_url(
                key, filename="a", media_type="text/plain", expires_in=bad_expiry
            )
    assert store.presigned_url(
        key, filename="a", media_type="text/plain; charset=utf-8"
    )


def test_check_reports_missing_bucket(seaweedfs: SeaweedFS) -> None:
    store = open_store(
        f"s3://missing-{uuid.uuid4().hex[:12]}?endpoint_url={seaweedfs.endpoint_url}"
        "&region_name=us-east-1&addressing_style=path"
    )
    with pytest.raises(StoreError, match="does not exist"):
        store.check()
    store.close()


def test_check_reports_refused_credentials(
    seaweedfs: SeaweedFS, contract_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "wrong-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong-secret")
    store = open_store(
        f"s3://{contract_bucket}?endpoint_url={seaweedfs.endpoint_url}"
        "&region_name=us-east-1&addressing_style=path"
    )
    with pytest.raises(StoreError, match="refused access"):
        store.check()
    store.close()


def test_check_reports_unreachable_endpoint() -> None:
    # Port 9 (discard) on loopback is essentially never served.
    store = S3Store(
        "some-bucket", endpoint_url="http://127.0.0.1:9", region_name="us-east-1"
    )
    started = time.monotonic()
    with pytest.raises(StoreError, match="cannot reach"):
        store.check()
    assert time.monotonic() - started < 60
    store.close()


def test_missing_object(s3_harness: S3Harness) -> None:
    store = s3_harness.store
    missing = uuid.uuid4().hex
    with pytest.raises(ObjectNotFound):
        store.open(missing)
    assert not store.exists(missing)
    store.delete(missing)


def test_closing_a_partly_read_reader_closes_the_response(
    s3_harness: S3Harness,
) -> None:
    data = os.urandom(3 * PART_SIZE)
    key = s3_harness.store.save(io.BytesIO(data)).key
    for _ in range(3 * (CONCURRENCY + 2)):
        reader = s3_harness.store.open(key, chunk_size=64 * 1024)
        assert next(iter(reader)) == data[: 64 * 1024]
        reader.close()
        assert reader._body._raw_stream.closed  # type: ignore[attr-defined]
    assert s3_harness.store.exists(key)
