"""Evidence store on a local (or mounted) POSIX filesystem (``fs:PATH``)."""

from __future__ import annotations

import contextlib
import datetime
import errno
import hashlib
import os
import shutil
import stat
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from ._stream import HashingReader, check_part, check_parts, copy_exactly, new_key
from .base import (
    DEFAULT_CHUNK_SIZE,
    BinaryReadable,
    ByteRange,
    EvidenceStore,
    HashedPrefix,
    HashSink,
    IntegrityError,
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

__all__ = ["FilesystemStore"]

TEMP_PREFIX = ".tmp-"
# Parts of unfinished multipart objects: STAGING_DIR/<upload id>/part-NNNNN-<etag>.
STAGING_DIR = ".uploads"
FILE_MODE = 0o640
DIR_MODE = 0o750
_HEX = frozenset("0123456789abcdef")
# O_NOFOLLOW: a symlink planted inside the root must not redirect reads or
# writes to files outside it.
_OPEN_READ = os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW
_OPEN_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW


def _fsync_dir(path: Path) -> None:
    # A rename or unlink is only durable once the directory itself is synced.
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _is_shard(name: str) -> bool:
    return len(name) == 2 and set(name) <= _HEX


def _describe(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


class _FileReader(ObjectReader):
    def __init__(
        self, fd: int, size: int, start: int, stop: int, *, chunk_size: int
    ) -> None:
        super().__init__(size=size, content_length=stop - start, chunk_size=chunk_size)
        self._fd = fd
        self._pos = start

    def _read_raw(self, n: int) -> bytes:
        try:
            # pread keeps the reader independent of the descriptor's offset.
            data = os.pread(self._fd, n, self._pos)
        except OSError as exc:
            raise StoreError(f"reading evidence file failed: {_describe(exc)}") from exc
        self._pos += len(data)
        return data

    def _release(self) -> None:
        os.close(self._fd)


class FilesystemStore(EvidenceStore):
    """Stores each object as ``root/<key[0:2]>/<key[2:4]>/<key>``.

    Writes go to a ``.tmp-<uuid>`` file in the final directory, are fsynced,
    renamed into place atomically and the directory is fsynced, so a crash
    never leaves a partial object under a final name; at worst a ``.tmp-*``
    file remains for :meth:`sweep_incomplete`. Files are created with mode
    0o640 and directories with 0o750 (further restricted by the umask).
    """

    def __init__(
        self, root: str | os.PathLike[str], *, chunk_size: int = DEFAULT_CHUNK_SIZE
    ) -> None:
        """Use ``root`` (relative paths: from the current directory); create it."""
        check_chunk_size(chunk_size)
        self._chunk_size = chunk_size
        # Anchored now so a later chdir() cannot move the store.
        self.root = Path(os.path.abspath(os.fspath(root)))
        try:
            self.root.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create evidence directory {self.root}: {_describe(exc)}"
            ) from exc

    def __repr__(self) -> str:
        """Show the root directory."""
        return f"FilesystemStore({str(self.root)!r})"

    def path_for(self, key: str) -> Path:
        """Return the final path of ``key``; ValueError if the key is malformed."""
        if not is_valid_key(key):
            raise ValueError(f"malformed object key {key!r}")
        return self.root / key[0:2] / key[2:4] / key

    def _make_dirs(self, directory: Path) -> None:
        for level in (directory.parent, directory):
            try:
                os.mkdir(level, DIR_MODE)
            except FileExistsError:
                continue
            except FileNotFoundError as exc:
                # Not mkdir -p: a vanished root usually means an unmounted
                # volume, and recreating it would put evidence on the wrong
                # disk.
                raise StoreError(
                    f"evidence directory {self.root} does not exist"
                ) from exc
            except OSError as exc:
                raise StoreError(
                    f"cannot create directory {level}: {_describe(exc)}"
                ) from exc
            try:
                _fsync_dir(level.parent)
            except OSError as exc:
                raise StoreError(
                    f"cannot sync {level.parent}: {_describe(exc)}"
                ) from exc

    def save(self, stream: BinaryReadable) -> StoredObject:
        """See :meth:`EvidenceStore.save`."""
        key = new_key()
        source = HashingReader(stream)

        def fill(out: BinaryIO) -> None:
            # Only our own I/O is wrapped; the caller's stream errors must
            # reach the caller unchanged.
            while chunk := source.read(self._chunk_size):
                try:
                    out.write(chunk)
                except OSError as exc:
                    raise StoreError(
                        f"writing evidence file failed: {_describe(exc)}"
                    ) from exc

        self._write_new(key, fill)
        return StoredObject(key=key, size=source.size, sha256=source.sha256)

    def _write_new(self, key: str, fill: Callable[[BinaryIO], None]) -> None:
        """Create the file for ``key`` durably: ``fill`` writes it under a
        temporary name, which is synced, renamed into place and its directory
        synced. On any failure nothing is left behind."""
        final = self.path_for(key)
        directory = final.parent
        self._make_dirs(directory)
        temp = directory / f"{TEMP_PREFIX}{uuid.uuid4().hex}"
        try:
            fd = os.open(temp, _OPEN_CREATE, FILE_MODE)
        except OSError as exc:
            raise StoreError(
                f"cannot create a file in {directory}: {_describe(exc)}"
            ) from exc
        renamed = False
        try:
            with open(fd, "wb", closefd=True) as out:
                fill(out)
                try:
                    out.flush()
                    os.fsync(out.fileno())
                    # Closed here so a late write error (NFS reports some on
                    # close) is wrapped like the others.
                    out.close()
                except OSError as exc:
                    raise StoreError(
                        f"syncing evidence file failed: {_describe(exc)}"
                    ) from exc
            try:
                os.replace(temp, final)
                renamed = True
                _fsync_dir(directory)
            except OSError as exc:
                raise StoreError(
                    f"committing evidence file failed: {_describe(exc)}"
                ) from exc
        except BaseException:
            # BaseException too: an interrupted save (KeyboardInterrupt,
            # worker timeout) must not leave data behind either.
            for leftover in (final, temp) if renamed else (temp,):
                with contextlib.suppress(OSError):
                    os.unlink(leftover)
            raise

    # --- multipart ---------------------------------------------------------

    def _staging(self, upload: MultipartUpload) -> Path:
        if not (is_valid_key(upload.upload_id) and is_valid_key(upload.key)):
            raise ObjectNotFound(f"no multipart upload {upload.upload_id!r}")
        return self.root / STAGING_DIR / upload.upload_id

    @staticmethod
    def _part_name(number: int, etag: str) -> str:
        return f"part-{number:05d}-{etag}"

    def begin_multipart(self) -> MultipartUpload:
        """See :meth:`EvidenceStore.begin_multipart`: a staging directory."""
        upload = MultipartUpload(key=new_key(), upload_id=new_key())
        staging = self._staging(upload)
        for level in (staging.parent, staging):
            try:
                os.mkdir(level, DIR_MODE)
            except FileExistsError:
                continue
            except FileNotFoundError as exc:
                raise StoreError(
                    f"evidence directory {self.root} does not exist"
                ) from exc
            except OSError as exc:
                raise StoreError(
                    f"cannot create directory {level}: {_describe(exc)}"
                ) from exc
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
        """See :meth:`EvidenceStore.put_part`: a file, fsynced, named by a
        random etag so that a part put twice at once keeps both attempts
        apart (completion uses the one the caller recorded)."""
        check_part(
            number, length, max_parts=self.max_parts, max_size=self.max_part_size
        )
        staging = self._staging(upload)
        temp = staging / f"{TEMP_PREFIX}{uuid.uuid4().hex}"
        try:
            fd = os.open(temp, _OPEN_CREATE, FILE_MODE)
        except FileNotFoundError as exc:
            raise ObjectNotFound(f"no multipart upload {upload.upload_id!r}") from exc
        except OSError as exc:
            raise StoreError(
                f"cannot create a part file in {staging}: {_describe(exc)}"
            ) from exc
        etag = uuid.uuid4().hex
        try:
            with open(fd, "wb", closefd=True) as out:

                def write(chunk: bytes | memoryview) -> None:
                    try:
                        out.write(chunk)
                    except OSError as exc:
                        raise StoreError(
                            f"writing a part file failed: {_describe(exc)}"
                        ) from exc

                copy_exactly(stream, length, write, digest, self._chunk_size)
                try:
                    out.flush()
                    os.fsync(out.fileno())
                    out.close()
                except OSError as exc:
                    raise StoreError(
                        f"syncing a part file failed: {_describe(exc)}"
                    ) from exc
            try:
                os.replace(temp, staging / self._part_name(number, etag))
                _fsync_dir(staging)
            except FileNotFoundError as exc:
                raise ObjectNotFound(
                    f"no multipart upload {upload.upload_id!r}"
                ) from exc
            except OSError as exc:
                raise StoreError(
                    f"committing a part file failed: {_describe(exc)}"
                ) from exc
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        if on_stored is not None:
            on_stored(self._read_part(staging / self._part_name(number, etag)))
        return UploadedPart(number=number, size=length, etag=etag)

    def _read_part(self, path: Path) -> Iterator[bytes]:
        try:
            fd = os.open(path, _OPEN_READ)
        except OSError as exc:
            raise StoreError(f"cannot read a part file: {_describe(exc)}") from exc
        try:
            while chunk := os.read(fd, self._chunk_size):
                yield chunk
        except OSError as exc:
            raise StoreError(f"reading a part file failed: {_describe(exc)}") from exc
        finally:
            os.close(fd)

    def complete_multipart(
        self,
        upload: MultipartUpload,
        parts: Sequence[UploadedPart],
        *,
        hashed: HashedPrefix | None = None,
    ) -> StoredObject:
        """See :meth:`EvidenceStore.complete_multipart`: the parts are copied
        into the final file in one streaming pass that also hashes them
        (``hashed`` is not needed), which is then committed like a save."""
        check_parts(parts, min_part_size=self.min_part_size)
        staging = self._staging(upload)
        if not staging.is_dir():
            raise ObjectNotFound(f"no multipart upload {upload.upload_id!r}")
        digest = hashlib.sha256()
        size = 0

        def fill(out: BinaryIO) -> None:
            nonlocal size
            for part in parts:
                size += self._append_part(staging, part, out, digest)

        self._write_new(upload.key, fill)
        # The object is durable; the parts are no longer needed.
        self._remove_staging(staging)
        return StoredObject(key=upload.key, size=size, sha256=digest.hexdigest())

    def _append_part(
        self,
        staging: Path,
        part: UploadedPart,
        out: BinaryIO,
        digest: HashSink,
    ) -> int:
        if not is_valid_key(part.etag):
            raise StoreError(f"part {part.number} has a malformed etag")
        path = staging / self._part_name(part.number, part.etag)
        try:
            fd = os.open(path, _OPEN_READ)
        except FileNotFoundError as exc:
            raise StoreError(f"part {part.number} of the upload is missing") from exc
        except OSError as exc:
            raise StoreError(
                f"cannot open part {part.number}: {_describe(exc)}"
            ) from exc
        write = out.write
        copied = 0
        try:
            if os.fstat(fd).st_size != part.size:
                raise IntegrityError(
                    f"part {part.number} has changed size since it was stored"
                )
            while chunk := os.read(fd, self._chunk_size):
                digest.update(chunk)
                write(chunk)
                copied += len(chunk)
        except OSError as exc:
            raise StoreError(
                f"copying part {part.number} failed: {_describe(exc)}"
            ) from exc
        finally:
            os.close(fd)
        if copied != part.size:
            raise IntegrityError(f"part {part.number} changed while it was read")
        return copied

    def _remove_staging(self, staging: Path) -> None:
        # Best effort: what stays is removed by abort_multipart or the sweep.
        with contextlib.suppress(OSError):
            shutil.rmtree(staging)

    def abort_multipart(self, upload: MultipartUpload) -> None:
        """See :meth:`EvidenceStore.abort_multipart`: removes the staging directory."""
        staging = self._staging(upload)
        try:
            shutil.rmtree(staging)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StoreError(
                f"cannot remove the parts of upload {upload.upload_id}: "
                f"{_describe(exc)}"
            ) from exc

    # --- reading ---------------------------------------------------------

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
            fd = os.open(self.path_for(key), _OPEN_READ)
        except FileNotFoundError as exc:
            raise ObjectNotFound(f"no object with key {key!r}") from exc
        except OSError as exc:
            raise StoreError(f"cannot open object {key}: {_describe(exc)}") from exc
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise StoreError(f"object {key} is not a regular file")
            size = info.st_size
            start, stop = (0, size) if byte_range is None else byte_range.resolve(size)
        except OSError as exc:
            os.close(fd)
            raise StoreError(f"cannot stat object {key}: {_describe(exc)}") from exc
        except BaseException:
            os.close(fd)
            raise
        return _FileReader(fd, size, start, stop, chunk_size=chunk_size)

    def delete(self, key: str) -> None:
        """See :meth:`EvidenceStore.delete`."""
        path = self.path_for(key)
        try:
            os.unlink(path)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StoreError(f"cannot delete object {key}: {_describe(exc)}") from exc
        try:
            # Without this a crash could resurrect evidence that was deleted,
            # e.g. on an erasure request.
            _fsync_dir(path.parent)
        except OSError as exc:
            raise StoreError(
                f"cannot sync deletion of {key}: {_describe(exc)}"
            ) from exc

    def exists(self, key: str) -> bool:
        """See :meth:`EvidenceStore.exists`."""
        if not is_valid_key(key):
            return False
        try:
            info = os.lstat(self.path_for(key))
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise StoreError(f"cannot stat object {key}: {_describe(exc)}") from exc
        return stat.S_ISREG(info.st_mode)

    def presigned_url(
        self,
        key: str,
        *,
        filename: str,
        media_type: str,
        expires_in: int = 300,
    ) -> str | None:
        """Return None: files must be streamed through the application."""
        return None

    def _shard_dirs(self) -> Iterator[Path]:
        for first in os.scandir(self.root):
            if _is_shard(first.name) and first.is_dir(follow_symlinks=False):
                for second in os.scandir(first.path):
                    if _is_shard(second.name) and second.is_dir(follow_symlinks=False):
                        yield Path(second.path)

    def iter_objects(self) -> Iterator[ObjectInfo]:
        """See :meth:`EvidenceStore.iter_objects`; other files are ignored.

        ``modified_at`` is the file's mtime.
        """
        try:
            for directory in self._shard_dirs():
                prefix = directory.parent.name + directory.name
                for entry in os.scandir(directory):
                    if not (is_valid_key(entry.name) and entry.name.startswith(prefix)):
                        continue
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except FileNotFoundError:
                        continue  # deleted while listing
                    if stat.S_ISREG(info.st_mode):
                        yield ObjectInfo(
                            key=entry.name,
                            size=info.st_size,
                            modified_at=datetime.datetime.fromtimestamp(
                                info.st_mtime, datetime.UTC
                            ),
                        )
        except OSError as exc:
            raise StoreError(
                f"cannot list evidence directory {self.root}: {_describe(exc)}"
            ) from exc

    def sweep_incomplete(self, older_than: datetime.timedelta) -> int:
        """Delete ``.tmp-*`` files not modified for ``older_than``, and
        multipart staging directories no part was added to for as long;
        return the count.

        A save in progress keeps touching its temp file, so only writers
        stalled for longer than ``older_than`` are affected. (A resumable
        upload idle for longer loses its parts: keep ``older_than`` at least
        as long as the application keeps its upload sessions.)
        """
        check_older_than(older_than)
        cutoff = time.time() - older_than.total_seconds()
        removed = self._sweep_staging(cutoff)
        try:
            for directory in (self.root, *self._shard_dirs()):
                for entry in os.scandir(directory):
                    if not entry.name.startswith(TEMP_PREFIX):
                        continue
                    try:
                        info = entry.stat(follow_symlinks=False)
                        if stat.S_ISREG(info.st_mode) and info.st_mtime < cutoff:
                            os.unlink(entry.path)
                            removed += 1
                    except FileNotFoundError:
                        # Renamed into place or swept concurrently.
                        continue
        except OSError as exc:
            raise StoreError(
                f"cannot sweep evidence directory {self.root}: {_describe(exc)}"
            ) from exc
        return removed

    def _sweep_staging(self, cutoff: float) -> int:
        """Remove multipart staging directories untouched since ``cutoff``
        (every stored part touches its directory)."""
        removed = 0
        try:
            entries = list(os.scandir(self.root / STAGING_DIR))
        except FileNotFoundError:
            return 0
        except OSError as exc:
            raise StoreError(
                f"cannot sweep {self.root / STAGING_DIR}: {_describe(exc)}"
            ) from exc
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISDIR(info.st_mode) and info.st_mtime < cutoff:
                    shutil.rmtree(entry.path)
                    removed += 1
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise StoreError(
                    f"cannot remove stale upload {entry.name}: {_describe(exc)}"
                ) from exc
        return removed

    def check(self) -> None:
        """Check the root is an existing directory we can create files in."""
        try:
            info = os.stat(self.root)
        except FileNotFoundError as exc:
            raise StoreError(f"evidence directory {self.root} does not exist") from exc
        except OSError as exc:
            raise StoreError(
                f"evidence directory {self.root} is not accessible: {_describe(exc)}"
            ) from exc
        if not stat.S_ISDIR(info.st_mode):
            raise StoreError(f"evidence path {self.root} is not a directory")
        # os.access() misses read-only mounts and ACLs; a real write does not.
        probe = self.root / f"{TEMP_PREFIX}check-{uuid.uuid4().hex}"
        try:
            os.close(os.open(probe, _OPEN_CREATE, FILE_MODE))
            os.unlink(probe)
        except OSError as exc:
            reason = (
                "is on a read-only filesystem"
                if exc.errno == errno.EROFS
                else f"is not writable: {_describe(exc)}"
            )
            raise StoreError(f"evidence directory {self.root} {reason}") from exc

    def close(self) -> None:
        """Nothing to release; open readers own their file descriptors."""
