"""In-process evidence store for tests (``memory:``)."""

from __future__ import annotations

import datetime
import hashlib
import threading
from collections.abc import Callable, Iterator, Sequence

from ._stream import HashingReader, check_part, check_parts, copy_exactly, new_key
from .base import (
    DEFAULT_CHUNK_SIZE,
    BinaryReadable,
    ByteRange,
    EvidenceStore,
    HashedPrefix,
    HashSink,
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

__all__ = ["MemoryStore"]


class _MemoryReader(ObjectReader):
    def __init__(self, data: bytes, start: int, stop: int, *, chunk_size: int) -> None:
        super().__init__(
            size=len(data), content_length=stop - start, chunk_size=chunk_size
        )
        # A view, not a slice: a ranged read of a large object copies only
        # the chunks actually handed out.
        self._view: memoryview | None = memoryview(data)[start:stop]
        self._pos = 0

    def _read_raw(self, n: int) -> bytes:
        assert self._view is not None
        data = bytes(self._view[self._pos : self._pos + n])
        self._pos += len(data)
        return data

    def _release(self) -> None:
        if self._view is not None:
            self._view.release()
            self._view = None


class MemoryStore(EvidenceStore):
    """Keeps objects in a dict guarded by a lock; for tests only.

    Saves still read the stream in bounded chunks and hash it, so callers
    exercise the same code paths as with the persistent backends. Objects
    are lost when the process exits.
    """

    def __init__(self, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        """Create an empty store that reads input in ``chunk_size`` pieces."""
        check_chunk_size(chunk_size)
        self._chunk_size = chunk_size
        self._lock = threading.Lock()
        self._objects: dict[str, bytes] = {}
        self._saved_at: dict[str, datetime.datetime] = {}
        # upload_id -> {etag: (part number, bytes)}
        self._uploads: dict[str, dict[str, tuple[int, bytes]]] = {}

    def __repr__(self) -> str:
        """Describe the store without its contents."""
        return "MemoryStore()"

    def save(self, stream: BinaryReadable) -> StoredObject:
        """See :meth:`EvidenceStore.save`."""
        source = HashingReader(stream)
        buffer = bytearray()
        while chunk := source.read(self._chunk_size):
            buffer += chunk
        key = new_key()
        with self._lock:
            self._objects[key] = bytes(buffer)
            self._saved_at[key] = datetime.datetime.now(datetime.UTC)
        return StoredObject(key=key, size=source.size, sha256=source.sha256)

    def begin_multipart(self) -> MultipartUpload:
        """See :meth:`EvidenceStore.begin_multipart`."""
        upload = MultipartUpload(key=new_key(), upload_id=new_key())
        with self._lock:
            self._uploads[upload.upload_id] = {}
        return upload

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
        """See :meth:`EvidenceStore.put_part`."""
        check_part(
            number, length, max_parts=self.max_parts, max_size=self.max_part_size
        )
        with self._lock:
            known = upload.upload_id in self._uploads
        if not known:
            raise ObjectNotFound(f"no multipart upload {upload.upload_id!r}")
        buffer = bytearray()
        copy_exactly(stream, length, buffer.extend, digest, self._chunk_size)
        etag = new_key()
        with self._lock:
            parts = self._uploads.get(upload.upload_id)
            if parts is None:
                raise ObjectNotFound(f"no multipart upload {upload.upload_id!r}")
            parts[etag] = (number, bytes(buffer))
        if on_stored is not None:
            on_stored(iter([memoryview(buffer)]))
        return UploadedPart(number=number, size=length, etag=etag)

    def complete_multipart(
        self,
        upload: MultipartUpload,
        parts: Sequence[UploadedPart],
        *,
        hashed: HashedPrefix | None = None,
    ) -> StoredObject:
        """See :meth:`EvidenceStore.complete_multipart`; ``hashed`` is ignored."""
        check_parts(parts, min_part_size=self.min_part_size)
        with self._lock:
            stored = self._uploads.get(upload.upload_id)
            if stored is None:
                raise ObjectNotFound(f"no multipart upload {upload.upload_id!r}")
            pieces: list[bytes] = []
            for part in parts:
                number, data = stored.get(part.etag, (0, b""))
                if number != part.number or len(data) != part.size:
                    raise StoreError(f"part {part.number} of the upload is missing")
                pieces.append(data)
            whole = b"".join(pieces)
            del self._uploads[upload.upload_id]
            self._objects[upload.key] = whole
            self._saved_at[upload.key] = datetime.datetime.now(datetime.UTC)
        return StoredObject(
            key=upload.key, size=len(whole), sha256=hashlib.sha256(whole).hexdigest()
        )

    def abort_multipart(self, upload: MultipartUpload) -> None:
        """See :meth:`EvidenceStore.abort_multipart`."""
        with self._lock:
            self._uploads.pop(upload.upload_id, None)

    def _get(self, key: str) -> bytes:
        if not is_valid_key(key):
            raise ObjectNotFound(f"no object with key {key!r}")
        with self._lock:
            data = self._objects.get(key)
        if data is None:
            raise ObjectNotFound(f"no object with key {key!r}")
        return data

    def open(
        self,
        key: str,
        byte_range: ByteRange | None = None,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> ObjectReader:
        """See :meth:`EvidenceStore.open`."""
        check_chunk_size(chunk_size)
        data = self._get(key)
        start, stop = (
            (0, len(data)) if byte_range is None else byte_range.resolve(len(data))
        )
        return _MemoryReader(data, start, stop, chunk_size=chunk_size)

    def delete(self, key: str) -> None:
        """See :meth:`EvidenceStore.delete`."""
        if not is_valid_key(key):
            raise ValueError(f"malformed object key {key!r}")
        with self._lock:
            self._objects.pop(key, None)
            self._saved_at.pop(key, None)

    def exists(self, key: str) -> bool:
        """See :meth:`EvidenceStore.exists`."""
        if not is_valid_key(key):
            return False
        with self._lock:
            return key in self._objects

    def presigned_url(
        self,
        key: str,
        *,
        filename: str,
        media_type: str,
        expires_in: int = 300,
    ) -> str | None:
        """Return None: objects in memory have no URL."""
        return None

    def iter_objects(self) -> Iterator[ObjectInfo]:
        """See :meth:`EvidenceStore.iter_objects`; iterates over a snapshot."""
        with self._lock:
            infos = [
                ObjectInfo(key=key, size=len(data), modified_at=self._saved_at[key])
                for key, data in self._objects.items()
            ]
        return iter(infos)

    def sweep_incomplete(self, older_than: datetime.timedelta) -> int:
        """Return 0: a failed save never leaves anything in memory."""
        check_older_than(older_than)
        return 0

    def check(self) -> None:
        """Always usable."""

    def close(self) -> None:
        """Nothing to release; objects stay readable until the store is dropped."""
