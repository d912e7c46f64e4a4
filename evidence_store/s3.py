"""Evidence store on S3 or an S3-compatible server (``s3://BUCKET?...``)."""

from __future__ import annotations

import base64
import contextlib
import datetime
import hashlib
import re
import struct
import threading
import unicodedata
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import (
    ALL_COMPLETED,
    FIRST_COMPLETED,
    Future,
    ThreadPoolExecutor,
    wait,
)
from typing import TYPE_CHECKING, Any, Literal, cast
from urllib.parse import quote, urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
)

from . import sha256state
from ._stream import HashingReader, check_part, check_parts, copy_exactly, new_key
from .base import (
    DEFAULT_CHUNK_SIZE,
    BinaryReadable,
    ByteRange,
    EvidenceStore,
    HashedPrefix,
    HashSink,
    IntegrityError,
    InvalidRange,
    MultipartUpload,
    ObjectInfo,
    ObjectNotFound,
    ObjectReader,
    StoredObject,
    StoreError,
    UploadedPart,
    check_chunk_size,
    check_older_than,
    is_valid_key,
)

if TYPE_CHECKING:
    from botocore.response import StreamingBody
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef

__all__ = ["S3Store", "content_disposition"]

MIN_PART_SIZE = 5 * 1024 * 1024
MAX_PART_SIZE = 5 * 1024 * 1024 * 1024
MAX_PARTS = 10_000
MAX_CONCURRENCY = 64
MAX_PRESIGN_SECONDS = 7 * 24 * 3600
# The smallest part S3 allows: with two parts in flight and one filling,
# a save holds about 15 MiB, whatever the file's size (objects up to ~48 GiB;
# raise part_size for larger ones).
DEFAULT_PART_SIZE = 5 * 1024 * 1024
DEFAULT_CONCURRENCY = 2
CHECKSUMS = ("crc32", "md5")
ADDRESSING_STYLES = ("auto", "path", "virtual")
AddressingStyle = Literal["auto", "path", "virtual"]

_BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_CONTENT_RANGE_RE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")
_TCHARS = r"[A-Za-z0-9!#$&^_.+-]+"
_MEDIA_TYPE_RE = re.compile(
    rf'{_TCHARS}/{_TCHARS}(\s*;\s*{_TCHARS}=({_TCHARS}|"[\x20\x21\x23-\x5b\x5d-\x7e]*"))*'
)
# RFC 5987 attr-char: everything else in filename* is percent-encoded.
_ATTR_CHAR_SAFE = "!#$&+-.^_`|~"
_NOT_FOUND_CODES = frozenset({"NoSuchKey", "NotFound", "404"})
_NO_UPLOAD_CODES = frozenset({"NoSuchUpload", "NoSuchKey", "NotFound", "404"})
_MD5_ETAG_RE = re.compile(r'"?([0-9a-f]{32})"?')
_MULTIPART_ETAG_RE = re.compile(r'"?([0-9a-f]{32})-(\d+)"?')
_DENIED_CODES = frozenset(
    {
        "403",
        "AccessDenied",
        "Forbidden",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "InvalidToken",
        "ExpiredToken",
    }
)


def validate_bucket_name(bucket: str) -> None:
    """Raise ValueError naming ``bucket`` unless it is a valid S3 bucket name."""
    if (
        not isinstance(bucket, str)
        or not _BUCKET_RE.fullmatch(bucket)
        or ".." in bucket
    ):
        raise ValueError(
            "bucket: must be 3-63 characters of lowercase letters, digits, "
            "'.' and '-', starting and ending with a letter or digit"
        )


def content_disposition(filename: str) -> str:
    """Return an RFC 6266 ``attachment`` header value for ``filename``.

    Has an ASCII ``filename=`` fallback and a UTF-8 ``filename*=`` form.
    Control and format characters are removed: CR/LF would allow header
    injection and bidi overrides (U+202E) can disguise an extension
    ("cv\\u202efdp.exe" displays as "cvexe.pdf"). Path separators become "_".
    """
    cleaned = "".join(
        "_" if ch in "/\\" else ch
        for ch in filename
        if not unicodedata.category(ch).startswith("C")
    ).strip()
    if not cleaned.strip("."):
        cleaned = "download"
    # '%' is excluded from the fallback because some browsers percent-decode
    # it; '"' and '\\' would end or escape the quoted string.
    fallback = "".join(
        ch if " " <= ch <= "~" and ch not in '"\\%' else "_" for ch in cleaned
    )
    encoded = quote(cleaned, safe=_ATTR_CHAR_SAFE)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _error_status(exc: ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


def _md5_b64(data: bytearray) -> str:
    # Sent as Content-MD5 so the server rejects bytes corrupted in transit;
    # MD5 is a transport checksum here, not a security control.
    digest = hashlib.md5(data, usedforsecurity=False).digest()
    return base64.b64encode(digest).decode("ascii")


def _crc32_b64(data: bytearray) -> str:
    # The same guard as Content-MD5 (x-amz-checksum-crc32, verified by the
    # server), at a quarter of MD5's CPU cost: uploads are CPU-bound.
    return base64.b64encode(struct.pack(">I", zlib.crc32(data) & 0xFFFFFFFF)).decode()


# Between the slices' ETags (and checksums) of a part sent as several S3
# parts: neither quoted hex ETags nor base64 checksums contain it.
_JOIN = "|"
# A part of ours goes to S3 as up to SLICES_PER_PART S3 parts ("slices") of
# at least SLICE_SIZE bytes, numbered SLICES_PER_PART * (n - 1) + 1, ...:
# several are then in flight while the next one arrives.
SLICE_SIZE = 8 * 1024 * 1024
SLICES_PER_PART = 4


def _slices(length: int) -> list[int]:
    """The sizes of the S3 parts a part of ``length`` bytes goes as: as many
    of about SLICE_SIZE as fit (at most SLICES_PER_PART), at least one."""
    count = min(SLICES_PER_PART, max(1, length // SLICE_SIZE))
    base, extra = divmod(length, count)
    return [base + 1] * extra + [base] * (count - extra)


def _fill(stream: BinaryReadable, buffer: bytearray, digest: HashSink | None) -> None:
    view = memoryview(buffer)
    filled = 0

    def write(chunk: bytes | memoryview) -> None:
        nonlocal filled
        view[filled : filled + len(chunk)] = chunk
        filled += len(chunk)

    try:
        copy_exactly(stream, len(buffer), write, digest, DEFAULT_CHUNK_SIZE)
    finally:
        view.release()


def _s3_parts(part: UploadedPart) -> list[CompletedPartTypeDef]:
    """The S3 parts (numbers, ETags, checksums) of one stored part."""
    etags = part.etag.split(_JOIN)
    checksums = part.checksum.split(_JOIN) if part.checksum else [""] * len(etags)
    if len(etags) != len(_slices(part.size)) or len(checksums) != len(etags):
        raise StoreError(f"part {part.number} does not match its stored slices")
    listed: list[CompletedPartTypeDef] = []
    for index, (etag, checksum) in enumerate(zip(etags, checksums, strict=True)):
        entry: CompletedPartTypeDef = {
            "PartNumber": SLICES_PER_PART * (part.number - 1) + 1 + index,
            "ETag": etag,
        }
        if checksum:
            entry["ChecksumCRC32"] = checksum
        listed.append(entry)
    return listed


def _made_of(etag: str, parts: Sequence[CompletedPartTypeDef]) -> bool:
    """True if ``etag`` is the multipart ETag S3 gives an object of exactly
    ``parts`` (the MD5 of their binary MD5s, a dash, their count)."""
    whole = _MULTIPART_ETAG_RE.fullmatch(etag)
    if whole is None or int(whole.group(2)) != len(parts):
        return False
    digests = bytearray()
    for part in parts:
        single = _MD5_ETAG_RE.fullmatch(part["ETag"])
        if single is None:
            return False
        digests += bytes.fromhex(single.group(1))
    expected = hashlib.md5(digests, usedforsecurity=False).hexdigest()
    return whole.group(1) == expected


def _resume(hashed: HashedPrefix, size: int) -> sha256state.Sha256State | None:
    """The hash state of ``hashed``, or None if it cannot be used."""
    if not sha256state.AVAILABLE or not 0 <= hashed.size <= size:
        return None
    try:
        hasher = sha256state.Sha256State.resume(hashed.state)
    except ValueError:
        return None
    return hasher if hasher.length == hashed.size else None


def _unsigned_payload(request: Any, **_kwargs: Any) -> None:
    """Sign the headers, not the body, of object writes (as botocore does over
    HTTPS): hashing every part once more for the signature doubles the CPU
    cost of an upload. Body integrity is the transport checksum's job, and the
    SHA-256 the store computes itself."""
    request.headers["X-Amz-Content-SHA256"] = "UNSIGNED-PAYLOAD"


def _as_body(data: bytearray) -> bytes:
    # botocore accepts bytearray bodies at runtime (its validator allows
    # bytes and bytearray); the stubs are narrower. Passing the buffer itself
    # avoids a copy of every part.
    return cast("bytes", data)


class _S3Reader(ObjectReader):
    def __init__(
        self, body: StreamingBody, size: int, content_length: int, *, chunk_size: int
    ) -> None:
        super().__init__(
            size=size, content_length=content_length, chunk_size=chunk_size
        )
        self._body = body

    def _read_raw(self, n: int) -> bytes:
        # StreamingBody.read(n) is what iter_chunks() calls; using it directly
        # lets read() and iteration share one position.
        try:
            return self._body.read(n)
        except (BotoCoreError, OSError) as exc:
            raise StoreError(f"reading from S3 failed: {exc}") from exc

    def _release(self) -> None:
        self._body.close()


class S3Store(EvidenceStore):
    """Stores each object as ``<prefix><key>`` in an existing S3 bucket.

    Small objects (below ``part_size``) are written with one PutObject; larger
    ones with a multipart upload of ``part_size`` parts, at most
    ``concurrency`` in flight while the next part is read, so memory use is
    about ``(concurrency + 1) * part_size`` per save regardless of object
    size. Every request body carries Content-MD5. Credentials come from the
    standard boto3 chain (environment variables, profile, instance role).
    """

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region_name: str | None = None,
        prefix: str = "",
        addressing_style: str = "auto",
        part_size: int = DEFAULT_PART_SIZE,
        concurrency: int = DEFAULT_CONCURRENCY,
        checksum: str = "crc32",
    ) -> None:
        """Create the client; ValueError naming the parameter for bad settings.

        No network request is made; use :meth:`check` to test connectivity.
        """
        validate_bucket_name(bucket)
        if endpoint_url is not None:
            parts = urlsplit(endpoint_url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError("endpoint_url: must be an http:// or https:// URL")
        if region_name is not None and not re.fullmatch(r"[a-z0-9-]+", region_name):
            raise ValueError("region_name: must look like 'us-east-1'")
        if not isinstance(prefix, str) or prefix.startswith("/") or "\x00" in prefix:
            raise ValueError(
                "prefix: must be a relative key prefix such as 'evidence/'"
            )
        if addressing_style not in ADDRESSING_STYLES:
            raise ValueError(f"addressing_style: must be one of {ADDRESSING_STYLES}")
        if (
            isinstance(part_size, bool)
            or not isinstance(part_size, int)
            or not MIN_PART_SIZE <= part_size <= MAX_PART_SIZE
        ):
            raise ValueError(
                f"part_size: must be between {MIN_PART_SIZE} and {MAX_PART_SIZE} bytes"
            )
        if (
            isinstance(concurrency, bool)
            or not isinstance(concurrency, int)
            or not 1 <= concurrency <= MAX_CONCURRENCY
        ):
            raise ValueError(f"concurrency: must be between 1 and {MAX_CONCURRENCY}")
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint_url = endpoint_url
        self.part_size = part_size
        self.concurrency = concurrency
        if checksum not in CHECKSUMS:
            raise ValueError(f"checksum: must be one of {CHECKSUMS}")
        # crc32: x-amz-checksum-crc32 (AWS S3, SeaweedFS, MinIO, current Ceph);
        # md5: Content-MD5, for older S3-compatible servers.
        self.checksum = checksum
        config = Config(
            # boto3 >= 1.36 adds CRC checksums by default, which some
            # S3-compatible servers reject; we send the one the operator
            # chose (``checksum``) and compute our own SHA-256.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            retries={"max_attempts": 5, "mode": "standard"},
            s3={"addressing_style": cast("AddressingStyle", addressing_style)},
            # Presigned URLs must be SigV4: SigV2 is rejected by AWS in most
            # regions and by current SeaweedFS.
            signature_version="s3v4",
            max_pool_connections=max(concurrency, SLICES_PER_PART) + 2,
            connect_timeout=10,
            read_timeout=60,
        )
        # Part buffers each thread keeps for its next part (put_part).
        self._local = threading.local()
        # A private session: boto3's default session is not thread-safe.
        self._client: S3Client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint_url, region_name=region_name, config=config
        )
        for operation in ("PutObject", "UploadPart"):
            self._client.meta.events.register(
                f"before-sign.s3.{operation}", _unsigned_payload
            )

    def __repr__(self) -> str:
        """Show the location (never credentials)."""
        return (
            f"S3Store(bucket={self.bucket!r}, prefix={self.prefix!r}, "
            f"endpoint_url={self.endpoint_url!r})"
        )

    @property
    def max_object_size(self) -> int:
        """The largest object a save can write: S3 allows 10,000 parts."""
        return self.part_size * MAX_PARTS

    def _name(self, key: str) -> str:
        return self.prefix + key

    def _where(self) -> str:
        endpoint = f" at {self.endpoint_url}" if self.endpoint_url else ""
        return f"S3 bucket {self.bucket!r}{endpoint}"

    def _error(
        self, action: str, exc: ClientError | BotoCoreError, key: str | None = None
    ) -> StoreError:
        """Translate a botocore error into the matching StoreError subclass."""
        target = f" object {key}" if key else ""
        if isinstance(exc, ClientError):
            code = _error_code(exc)
            if key and code in _NOT_FOUND_CODES:
                return ObjectNotFound(f"no object with key {key!r}")
            if code == "InvalidRange" or _error_status(exc) == 416:
                return InvalidRange(f"range start is beyond the end of object {key}")
            if code == "NoSuchBucket":
                return StoreError(f"{self._where()} does not exist")
            message = exc.response.get("Error", {}).get("Message", "")
            return StoreError(f"S3 {action}{target} failed: {code} {message}".rstrip())
        return StoreError(f"S3 {action}{target} failed: {exc}")

    def save(self, stream: BinaryReadable) -> StoredObject:
        """See :meth:`EvidenceStore.save`."""
        key = new_key()
        source = HashingReader(stream)
        first = bytearray(self.part_size)
        filled = source.readinto(first)
        if filled < self.part_size:
            del first[filled:]
            self._put_single(key, first)
        else:
            self._put_multipart(key, source, first)
        return StoredObject(key=key, size=source.size, sha256=source.sha256)

    def _put_single(self, key: str, body: bytearray) -> None:
        try:
            self._client.put_object(
                Bucket=self.bucket,
                Key=self._name(key),
                Body=_as_body(body),
                ContentLength=len(body),
                **self._checksum_args(body),  # type: ignore[arg-type]
            )
        except (ClientError, BotoCoreError) as exc:
            # The PUT may have been applied even though the response was
            # lost (timeout after the final retry).
            self._delete_quietly(key)
            raise self._error("upload", exc, key) from exc

    def _put_multipart(self, key: str, source: HashingReader, first: bytearray) -> None:
        name = self._name(key)
        try:
            if self.checksum == "crc32":
                # Declared up front: AWS refuses part checksums it was not told of.
                started = self._client.create_multipart_upload(
                    Bucket=self.bucket, Key=name, ChecksumAlgorithm="CRC32"
                )
            else:
                started = self._client.create_multipart_upload(
                    Bucket=self.bucket, Key=name
                )
            upload_id = started["UploadId"]
        except (ClientError, BotoCoreError) as exc:
            raise self._error("start multipart upload", exc, key) from exc
        completing = False
        try:
            etags = self._upload_parts(key, upload_id, source, first)
            completing = True
            self._complete(key, upload_id, etags, source.size)
        except BaseException:
            # Our own failures arrive here already wrapped; anything else came
            # from the caller's stream and is re-raised untouched (even a
            # botocore error from a stream that itself reads from S3).
            self._abandon(key, upload_id, completing)
            raise

    def _complete(
        self,
        key: str,
        upload_id: str,
        etags: dict[int, CompletedPartTypeDef],
        size: int,
    ) -> None:
        name = self._name(key)
        try:
            self._client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=name,
                UploadId=upload_id,
                MultipartUpload={"Parts": [etags[n] for n in sorted(etags)]},
            )
            stored = self._client.head_object(Bucket=self.bucket, Key=name)[
                "ContentLength"
            ]
        except (ClientError, BotoCoreError) as exc:
            raise self._error("complete multipart upload", exc, key) from exc
        if stored != size:
            raise IntegrityError(
                f"S3 stored {stored} bytes for object {key}, expected {size}"
            )

    def _abandon(self, key: str, upload_id: str, completing: bool) -> None:
        # Best effort: a failure here must not mask the original error, and
        # sweep_incomplete() catches whatever is left.
        with contextlib.suppress(ClientError, BotoCoreError):
            self._client.abort_multipart_upload(
                Bucket=self.bucket, Key=self._name(key), UploadId=upload_id
            )
        if completing:
            self._delete_quietly(key)

    def _delete_quietly(self, key: str) -> None:
        with contextlib.suppress(ClientError, BotoCoreError):
            self._client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def _upload_parts(
        self, key: str, upload_id: str, source: HashingReader, first: bytearray
    ) -> dict[int, CompletedPartTypeDef]:
        etags: dict[int, CompletedPartTypeDef] = {}
        spare: list[bytearray] = []
        in_flight: dict[Future[CompletedPartTypeDef], tuple[int, bytearray]] = {}

        def collect(block: bool) -> None:
            done, _ = wait(
                in_flight, return_when=FIRST_COMPLETED if block else ALL_COMPLETED
            )
            for future in done:
                number, buffer = in_flight.pop(future)
                etags[number] = future.result()
                spare.append(buffer)

        with ThreadPoolExecutor(
            max_workers=self.concurrency, thread_name_prefix="evidence-s3-part"
        ) as pool:
            try:
                number, buffer = 1, first
                while True:
                    if number > MAX_PARTS:
                        raise StoreError(
                            f"object exceeds {MAX_PARTS} parts of {self.part_size} "
                            "bytes; configure a larger part_size"
                        )
                    # Waiting for a free slot before submitting is what bounds
                    # memory to (concurrency + 1) part buffers.
                    while len(in_flight) >= self.concurrency:
                        collect(block=True)
                    future = pool.submit(
                        self._upload_part, key, upload_id, number, buffer
                    )
                    in_flight[future] = (number, buffer)
                    if len(buffer) < self.part_size:
                        break
                    buffer = spare.pop() if spare else bytearray(self.part_size)
                    filled = source.readinto(buffer)
                    if filled == 0:
                        break
                    if filled < self.part_size:
                        # Shrinks in place; this buffer is never reused.
                        del buffer[filled:]
                    number += 1
                while in_flight:
                    collect(block=False)
            except BaseException:
                for future in in_flight:
                    future.cancel()
                # Leaving the with-block waits for running part uploads, so
                # none can land after the caller aborts the upload.
                raise
        return etags

    def _checksum_args(self, body: bytearray) -> dict[str, str]:
        """The transport checksum of a request body, as upload arguments."""
        if self.checksum == "crc32":
            return {"ChecksumCRC32": _crc32_b64(body)}
        return {"ContentMD5": _md5_b64(body)}

    def _upload_part(
        self, key: str, upload_id: str, number: int, body: bytearray
    ) -> CompletedPartTypeDef:
        checksum = self._checksum_args(body)
        try:
            response = self._client.upload_part(
                Bucket=self.bucket,
                Key=self._name(key),
                UploadId=upload_id,
                PartNumber=number,
                Body=_as_body(body),
                ContentLength=len(body),
                **checksum,  # type: ignore[arg-type]
            )
        except (ClientError, BotoCoreError) as exc:
            raise self._error(f"upload part {number}", exc, key) from exc
        part: CompletedPartTypeDef = {"PartNumber": number, "ETag": response["ETag"]}
        if "ChecksumCRC32" in checksum:
            # AWS checks each part's checksum again when completing the upload.
            part["ChecksumCRC32"] = checksum["ChecksumCRC32"]
        return part

    # --- multipart (resumable) writes ---------------------------------------

    @property
    def min_part_size(self) -> int:
        """S3 refuses parts below 5 MiB, except the last."""
        return MIN_PART_SIZE

    @property
    def max_part_size(self) -> int:
        """S3's largest part: 5 GiB."""
        return MAX_PART_SIZE

    @property
    def max_parts(self) -> int:
        """A quarter of S3's 10,000 parts: each of ours may go as four."""
        return MAX_PARTS // SLICES_PER_PART

    @property
    def wants_hashed_prefix(self) -> bool:
        """S3 joins the parts itself: only a hashed prefix spares a read-back."""
        return True

    def begin_multipart(self) -> MultipartUpload:
        """See :meth:`EvidenceStore.begin_multipart`: an S3 multipart upload."""
        key = new_key()
        name = self._name(key)
        try:
            if self.checksum == "crc32":
                started = self._client.create_multipart_upload(
                    Bucket=self.bucket, Key=name, ChecksumAlgorithm="CRC32"
                )
            else:
                started = self._client.create_multipart_upload(
                    Bucket=self.bucket, Key=name
                )
        except (ClientError, BotoCoreError) as exc:
            raise self._error("start multipart upload", exc, key) from exc
        return MultipartUpload(key=key, upload_id=started["UploadId"])

    def _upload_error(
        self, action: str, exc: ClientError | BotoCoreError, upload: MultipartUpload
    ) -> StoreError:
        if isinstance(exc, ClientError) and _error_code(exc) in _NO_UPLOAD_CODES:
            return ObjectNotFound(f"no multipart upload for object {upload.key}")
        return self._error(action, exc, upload.key)

    def put_part(
        self,
        upload: MultipartUpload,
        number: int,
        stream: BinaryReadable,
        length: int,
        *,
        digest: HashSink | None = None,
        on_stored: Callable[[Iterator[bytes | memoryview]], None] | None = None,
    ) -> UploadedPart:
        """See :meth:`EvidenceStore.put_part`.

        A part goes to S3 as up to four S3 parts ("slices") of about 8 MiB
        each, all of them in flight while the next one arrives (the part is
        buffered whole anyway): a client sending one part at a time still
        keeps S3 busy with several, and the reading overlaps the sending. Each slice is
        read whole into a buffer first (reused by the thread from part to
        part), so nothing reaches S3 unless all of it arrived, its transport
        checksum goes with it and botocore can retry it. ``etag`` and
        ``checksum`` of the result hold every slice's.
        """
        check_part(number, length, max_parts=self.max_parts, max_size=MAX_PART_SIZE)
        if not is_valid_key(upload.key):
            raise ObjectNotFound(f"no multipart upload for object {upload.key!r}")
        first_number = SLICES_PER_PART * (number - 1) + 1
        sent: dict[int, tuple[str, str]] = {}
        taken: list[bytearray] = []
        in_flight: dict[Future[tuple[str, str]], int] = {}
        try:
            with ThreadPoolExecutor(
                max_workers=SLICES_PER_PART, thread_name_prefix="evidence-s3-slice"
            ) as pool:
                try:
                    for index, size in enumerate(_slices(length)):
                        buffer = self._take_buffer(size, len(taken))
                        taken.append(buffer)
                        _fill(stream, buffer, digest)
                        future = pool.submit(
                            self._put_slice, upload, first_number + index, buffer
                        )
                        in_flight[future] = index
                    for future in in_flight:
                        sent[in_flight[future]] = future.result()
                    if on_stored is not None:
                        on_stored(memoryview(buffer) for buffer in taken)
                except BaseException:
                    for future in in_flight:
                        future.cancel()
                    # Leaving the with-block waits for slices being sent,
                    # so none lands after the caller hears of the failure.
                    raise
        finally:
            self._give_back_buffers(taken)
        ordered = [sent[index] for index in sorted(sent)]
        return UploadedPart(
            number=number,
            size=length,
            etag=_JOIN.join(etag for etag, _checksum in ordered),
            checksum=_JOIN.join(checksum for _etag, checksum in ordered),
        )

    def _put_slice(
        self, upload: MultipartUpload, s3_number: int, buffer: bytearray
    ) -> tuple[str, str]:
        checksum = self._checksum_args(buffer)
        try:
            response = self._client.upload_part(
                Bucket=self.bucket,
                Key=self._name(upload.key),
                UploadId=upload.upload_id,
                PartNumber=s3_number,
                Body=_as_body(buffer),
                ContentLength=len(buffer),
                **checksum,  # type: ignore[arg-type]
            )
        except (ClientError, BotoCoreError) as exc:
            raise self._upload_error(f"upload part {s3_number}", exc, upload) from exc
        return response["ETag"], checksum.get("ChecksumCRC32", "")

    def _take_buffer(self, size: int, index: int) -> bytearray:
        """Buffer ``index`` of this thread's part: the one kept from the
        last part if it has the same size (slices of a part differ by a
        byte at most, and most parts are the same size)."""
        spare: list[bytearray | None] = self._local.__dict__.setdefault("spare", [])
        if index < len(spare):
            kept = spare[index]
            if kept is not None and len(kept) == size:
                spare[index] = None
                return kept
        return bytearray(size)

    def _give_back_buffers(self, buffers: list[bytearray]) -> None:
        """Keep this part's buffers for the thread's next part (a worker's
        memory then stays flat), unless it was a smaller (last) part."""
        spare: list[bytearray | None] = self._local.__dict__.setdefault("spare", [])
        kept = sum(len(b) for b in spare if b is not None)
        if sum(len(b) for b in buffers) >= kept:
            spare[:] = list(buffers)

    def complete_multipart(
        self,
        upload: MultipartUpload,
        parts: Sequence[UploadedPart],
        *,
        hashed: HashedPrefix | None = None,
    ) -> StoredObject:
        """See :meth:`EvidenceStore.complete_multipart`.

        S3 joins the parts itself (no byte passes through here for that).
        The SHA-256 of the whole: S3 cannot give it, so it is ``hashed``
        carried on over whatever follows ``hashed.size``, read back with one
        ranged GET (nothing to read when the parts were all hashed as they
        were put). ``hashed`` is trusted only when the object's multipart
        ETag is the MD5 of the given parts' MD5 ETags, which proves the
        object is made of exactly those parts; otherwise (another ETag
        scheme, or no ``hashed``) the whole object is read back.
        """
        check_parts(parts, min_part_size=MIN_PART_SIZE)
        if not is_valid_key(upload.key):
            raise ObjectNotFound(f"no multipart upload for object {upload.key!r}")
        listed = [entry for part in parts for entry in _s3_parts(part)]
        name = self._name(upload.key)
        expected_size = sum(part.size for part in parts)
        try:
            done = self._client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=name,
                UploadId=upload.upload_id,
                MultipartUpload={"Parts": listed},
            )
        except (ClientError, BotoCoreError) as exc:
            raise self._upload_error("complete multipart upload", exc, upload) from exc
        try:
            size = self._client.head_object(Bucket=self.bucket, Key=name)[
                "ContentLength"
            ]
            if size != expected_size:
                raise IntegrityError(
                    f"S3 stored {size} bytes for object {upload.key}, "
                    f"expected {expected_size}"
                )
            start, hasher = 0, None
            if hashed is not None and _made_of(done.get("ETag", ""), listed):
                hasher = _resume(hashed, size)
                if hasher is not None:
                    start = hashed.size
            sha256 = self._hash_from(upload.key, start, size, hasher)
        except (ClientError, BotoCoreError) as exc:
            self._delete_quietly(upload.key)
            raise self._error("check completed upload", exc, upload.key) from exc
        except BaseException:
            self._delete_quietly(upload.key)
            raise
        return StoredObject(key=upload.key, size=size, sha256=sha256)

    def _hash_from(
        self,
        key: str,
        start: int,
        size: int,
        hasher: sha256state.Sha256State | None,
    ) -> str:
        """The SHA-256 of the object: ``hasher`` (the state after ``start``
        bytes) carried on over bytes ``start..size`` read back, or (no
        hasher) the whole object read back."""
        if hasher is None:
            plain = hashlib.sha256()
            with self.open(key) as reader:
                for chunk in reader:
                    plain.update(chunk)
            return plain.hexdigest()
        if start < size:
            with self.open(key, ByteRange(start, size)) as reader:
                for chunk in reader:
                    hasher.update(chunk)
        return hasher.hexdigest()

    def abort_multipart(self, upload: MultipartUpload) -> None:
        """See :meth:`EvidenceStore.abort_multipart`."""
        if not is_valid_key(upload.key):
            return
        try:
            self._client.abort_multipart_upload(
                Bucket=self.bucket,
                Key=self._name(upload.key),
                UploadId=upload.upload_id,
            )
        except ClientError as exc:
            if _error_code(exc) in _NO_UPLOAD_CODES:
                return
            raise self._error("abort multipart upload", exc, upload.key) from exc
        except BotoCoreError as exc:
            raise self._error("abort multipart upload", exc, upload.key) from exc

    def open(
        self,
        key: str,
        byte_range: ByteRange | None = None,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> ObjectReader:
        """See :meth:`EvidenceStore.open`."""
        check_chunk_size(chunk_size)
        if not is_valid_key(key):
            raise ObjectNotFound(f"no object with key {key!r}")
        try:
            if byte_range is None:
                response = self._client.get_object(
                    Bucket=self.bucket, Key=self._name(key)
                )
            else:
                response = self._client.get_object(
                    Bucket=self.bucket,
                    Key=self._name(key),
                    Range=f"bytes={byte_range.start}-{byte_range.stop - 1}",
                )
        except (ClientError, BotoCoreError) as exc:
            raise self._error("read", exc, key) from exc
        body = response["Body"]
        length = response["ContentLength"]
        if byte_range is None:
            return _S3Reader(body, length, length, chunk_size=chunk_size)
        match = _CONTENT_RANGE_RE.fullmatch(response.get("ContentRange", ""))
        if match is None:
            body.close()
            raise StoreError(
                f"{self._where()} ignored the Range request for object {key}"
            )
        size = int(match.group(3))
        try:
            start, stop = byte_range.resolve(size)
        except InvalidRange:
            body.close()
            raise
        if (int(match.group(1)), length) != (start, stop - start):
            body.close()
            raise StoreError(
                f"{self._where()} returned range {response.get('ContentRange')!r} "
                f"for bytes {start}-{stop - 1} of object {key}"
            )
        return _S3Reader(body, size, length, chunk_size=chunk_size)

    def delete(self, key: str) -> None:
        """See :meth:`EvidenceStore.delete`."""
        if not is_valid_key(key):
            raise ValueError(f"malformed object key {key!r}")
        try:
            self._client.delete_object(Bucket=self.bucket, Key=self._name(key))
        except (ClientError, BotoCoreError) as exc:
            raise self._error("delete", exc, key) from exc

    def exists(self, key: str) -> bool:
        """See :meth:`EvidenceStore.exists`."""
        if not is_valid_key(key):
            return False
        try:
            self._client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as exc:
            if _error_code(exc) in _NOT_FOUND_CODES:
                return False
            raise self._error("head", exc, key) from exc
        except BotoCoreError as exc:
            raise self._error("head", exc, key) from exc
        return True

    def presigned_url(
        self,
        key: str,
        *,
        filename: str,
        media_type: str,
        expires_in: int = 300,
    ) -> str:
        """Return a presigned GET URL serving the object as an attachment.

        The response carries ``Content-Disposition: attachment`` (see
        :func:`content_disposition`) and ``Content-Type: media_type``.
        ``media_type`` must be a well-formed media type (ValueError) since it
        is echoed into a response header; ``expires_in`` is 1 s to 7 days.
        """
        if not is_valid_key(key):
            raise ObjectNotFound(f"no object with key {key!r}")
        if not isinstance(media_type, str) or not _MEDIA_TYPE_RE.fullmatch(media_type):
            raise ValueError(f"malformed media type {media_type!r}")
        if (
            isinstance(expires_in, bool)
            or not isinstance(expires_in, int)
            or not 1 <= expires_in <= MAX_PRESIGN_SECONDS
        ):
            raise ValueError(f"expires_in must be 1..{MAX_PRESIGN_SECONDS} seconds")
        try:
            return self._client.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": self._name(key),
                    "ResponseContentDisposition": content_disposition(filename),
                    "ResponseContentType": media_type,
                },
                ExpiresIn=expires_in,
            )
        except (ClientError, BotoCoreError) as exc:
            raise self._error("presign", exc, key) from exc

    def iter_objects(self) -> Iterator[ObjectInfo]:
        """See :meth:`EvidenceStore.iter_objects`; other names are ignored.

        ``modified_at`` is the object's LastModified.
        """
        paginator = self._client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
                for item in page.get("Contents", []):
                    key = item.get("Key", "")[len(self.prefix) :]
                    modified = item.get("LastModified")
                    if is_valid_key(key) and modified is not None:
                        yield ObjectInfo(
                            key=key,
                            size=item.get("Size", 0),
                            modified_at=modified.astimezone(datetime.UTC),
                        )
        except (ClientError, BotoCoreError) as exc:
            raise self._error("list", exc) from exc

    def sweep_incomplete(self, older_than: datetime.timedelta) -> int:
        """Abort multipart uploads of our keys started more than ``older_than`` ago.

        Uploads under the prefix whose names are not store keys are left
        alone, as the bucket may be shared.
        """
        check_older_than(older_than)
        cutoff = datetime.datetime.now(datetime.UTC) - older_than
        stale: list[tuple[str, str]] = []
        paginator = self._client.get_paginator("list_multipart_uploads")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
                for upload in page.get("Uploads", []):
                    name = upload.get("Key", "")
                    initiated = upload.get("Initiated")
                    if (
                        name.startswith(self.prefix)
                        and is_valid_key(name[len(self.prefix) :])
                        and initiated is not None
                        and initiated < cutoff
                    ):
                        stale.append((name, upload["UploadId"]))
        except (ClientError, BotoCoreError) as exc:
            raise self._error("list multipart uploads", exc) from exc
        removed = 0
        for name, upload_id in stale:
            try:
                self._client.abort_multipart_upload(
                    Bucket=self.bucket, Key=name, UploadId=upload_id
                )
            except ClientError as exc:
                if _error_code(exc) == "NoSuchUpload":
                    continue  # completed or aborted meanwhile
                raise self._error("abort multipart upload", exc) from exc
            except BotoCoreError as exc:
                raise self._error("abort multipart upload", exc) from exc
            removed += 1
        return removed

    def check(self) -> None:
        """Confirm the bucket exists and the credentials are accepted (HeadBucket).

        Deliberately read-only: a write probe would pile up versions or be
        refused in versioned / object-locked evidence buckets.
        """
        try:
            self._client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            code, status = _error_code(exc), _error_status(exc)
            if status == 404 or code in ("NoSuchBucket", "NotFound", "404"):
                raise StoreError(
                    f"{self._where()} does not exist (create it first)"
                ) from exc
            if status == 403 or code in _DENIED_CODES:
                raise StoreError(
                    f"{self._where()} refused access: credentials rejected or "
                    f"not permitted ({code or status})"
                ) from exc
            raise StoreError(f"{self._where()} is unusable: {code} ({status})") from exc
        except NoCredentialsError as exc:
            raise StoreError(
                "no S3 credentials found: set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY or configure an AWS profile"
            ) from exc
        except EndpointConnectionError as exc:
            raise StoreError(f"cannot reach {self._where()}: {exc}") from exc
        except BotoCoreError as exc:
            raise StoreError(f"{self._where()} is unusable: {exc}") from exc

    def close(self) -> None:
        """Close the client's connection pool."""
        self._client.close()
