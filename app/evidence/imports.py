"""ZIP import: many files in one archive, each checked as a single upload.

How an import runs
------------------
1. **Receive.** The uploaded ZIP streams through the upload pipeline
   (``uploads.receive_upload`` with ``uploads.detect_zip``: the same
   multipart parser, name checks and ``UPLOAD_MAX_BYTES`` limit as any
   upload, but a ZIP is the one type it takes) into an anonymous temporary
   file (``TMPDIR``): never into memory and never into the evidence store.
2. **Inspect.** The archive as a whole is checked from its directory
   before any entry is read (below). Nothing is stored yet.
3. **Store.** Each entry is decompressed as a stream (``zipfile``), its
   real bytes counted, straight into ``uploads.store_file``: the same type
   (libmagic allow-list), size and name checks as a single upload. Nothing
   is ever written to disk under a name from the archive, so no name can
   reach outside its place.
4. **Record.** Only when every entry has been read does each stored file
   become an item through ``services.record_new_item`` (its own short
   transaction: reference number, audit record).

What is refused
---------------
The whole archive (nothing is stored; 400 unless said) when it is not a
ZIP (415), larger than ``UPLOAD_MAX_BYTES`` (413), damaged (no readable
directory, overlapping entries, a CRC or length mismatch while reading),
has more than ``IMPORT_MAX_ENTRIES`` entries (413; checked from the end
record before ``zipfile`` reads the directory, so a directory of millions
of entries is never loaded), unpacks to more than
``IMPORT_MAX_UNPACKED_BYTES`` together (413), has an entry of 1 MiB or more
compressed over ``IMPORT_MAX_RATIO``:1 (a zip bomb), an entry that yields
more bytes than its directory declares, any name that is absolute
(``/x``, ``C:x``, ``\\\\server``) or has a ``..`` part (backslashes count as
separators), or no files at all. These say the archive was made to attack
(or is broken), so no part of it is trusted.

One entry (listed in ``rejected`` with the reason; the others import) when
it is a symbolic link, encrypted, compressed by a method ``zipfile`` cannot
read, an archive itself (zip, jar, 7z, rar, gzip, bzip2, xz, tar, cab,
ISO...: by its name or by sniffing its content; never opened), or fails a
single upload's checks (type, size, name, empty). Folders, and the
housekeeping files of macOS and Windows (``__MACOSX/``, ``.DS_Store``,
``Thumbs.db``, ``desktop.ini``), are skipped silently.

Each item takes the entry's base name as its file name and title; its
description records where it came from: ``archive.zip: folder/name.pdf``.

Failures
--------
Until step 4, any failure deletes every blob stored for the import. In
step 4 each item commits on its own (``record_new_item`` commits), so an
import is not all-or-nothing for its rows: if recording fails after some
items were committed, the answer still lists them as imported, and lists
the entries not recorded (their blobs deleted) in ``rejected``; if it fails
before any was committed, the error is raised and nothing is left.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import logging
import lzma
import re
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Generic, TypeVar

import magic
from flask import Flask

from app.accounts.models import User
from app.core import uploads
from app.core.api import check_text
from app.core.db import db
from app.core.errors import PortalError, TooLarge, UnsupportedType, ValidationFailed
from app.core.i18n import _
from app.core.storage import current_store
from app.evidence import metadata as item_metadata
from app.evidence import services
from app.evidence.models import EvidenceItem
from app.reviews.models import Workspace
from evidence_store import StoredObject, StoreError

log = logging.getLogger(__name__)

T = TypeVar("T")

# The compression ratio limit applies to entries at least this large: a
# small file of blank lines compresses far beyond 100:1 and harms no one.
RATIO_APPLIES_FROM = 1024 * 1024
# Room in the central directory per entry allowed: a record is 46 bytes
# plus the name and extras (a few hundred bytes in practice). zipfile reads
# the whole directory at once, so this bounds what it holds in memory.
DIRECTORY_BYTES_PER_ENTRY = 4096
# The multipart fields an import takes besides the file: the metadata
# every imported item gets (classification, personal data, themes, date).
TEXT_FIELDS = {
    name: uploads.TextFieldSpec(limit)
    for name, limit in item_metadata.FORM_FIELD_LIMITS.items()
}

_READABLE_METHODS = {
    zipfile.ZIP_STORED,
    zipfile.ZIP_DEFLATED,
    zipfile.ZIP_BZIP2,
    zipfile.ZIP_LZMA,
}
# Archives and compressed files, as libmagic names them.
_ARCHIVE_TYPES = {
    "application/zip",
    "application/x-zip-compressed",
    "application/java-archive",
    "application/x-7z-compressed",
    "application/x-rar",
    "application/x-rar-compressed",
    "application/vnd.rar",
    "application/gzip",
    "application/x-gzip",
    "application/x-bzip2",
    "application/x-xz",
    "application/x-lzma",
    "application/x-lzip",
    "application/zstd",
    "application/x-compress",
    "application/x-tar",
    "application/x-gtar",
    "application/x-cpio",
    "application/x-archive",
    "application/vnd.ms-cab-compressed",
    "application/x-iso9660-image",
    "application/x-apple-diskimage",
    "application/x-lzh-compressed",
    "application/x-lha",
    "application/x-arj",
    "application/x-stuffit",
    "application/x-xar",
    "application/x-rpm",
    "application/vnd.debian.binary-package",
}
_ARCHIVE_EXTENSIONS = {
    ".zip", ".zipx", ".jar", ".war", ".ear", ".apk", ".7z", ".rar", ".gz",
    ".tgz", ".bz2", ".tbz", ".tbz2", ".xz", ".txz", ".lz", ".lzma", ".zst",
    ".z", ".tar", ".cpio", ".cab", ".iso", ".dmg", ".lzh", ".lha", ".arj",
    ".sit", ".sitx", ".xar", ".rpm", ".deb",
}  # fmt: skip
_SKIPPED_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}
_DRIVE = re.compile(r"^[A-Za-z]:")
_SYMLINK = stat.S_IFLNK
# What reading an entry raises when its data is damaged (bz2 raises OSError).
_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
)


@dataclass(frozen=True)
class ImportLimits:
    max_entries: int
    max_unpacked_bytes: int
    max_ratio: int
    # UPLOAD_MAX_BYTES: the ZIP file itself, and each file in it.
    max_file_bytes: int

    @classmethod
    def of(cls, app: Flask) -> ImportLimits:
        settings = app.extensions["portal_settings"]
        return cls(
            max_entries=settings.import_max_entries,
            max_unpacked_bytes=settings.import_max_unpacked_bytes,
            max_ratio=settings.import_max_ratio,
            max_file_bytes=app.config["UPLOAD_MAX_BYTES"],
        )


@dataclass(frozen=True)
class Rejected:
    name: str  # the entry's path in the archive
    reason: str


@dataclass
class ImportResult(Generic[T]):
    """What an import made: each item as ``describe`` gave it (taken when it
    was committed), and the entries refused with their reasons."""

    archive_name: str
    items: list[T] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def import_archive(
    actor: User,
    workspace: Workspace,
    form: uploads.IncomingForm,
    *,
    limits: ImportLimits,
    describe: Callable[[EvidenceItem], T],
    before_file: Callable[[dict[str, str]], None] | None = None,
) -> ImportResult[T]:
    """Import the ZIP file of ``form`` (field ``file``) into ``workspace``.

    ``describe`` turns each committed item into what the result lists (it
    runs at once, while the item is fresh). ``before_file``, for a page's
    form, sees the fields before the file (its CSRF token) and may refuse
    the form before a byte of the file is read.
    """
    # Raises 403/404/409 before reading the body; again before each commit.
    services._require_may_upload(actor, workspace)
    # A long upload must not hold a database connection idle in a transaction.
    db.session.commit()
    with _Spool() as spool:
        archive_name, fields = _receive(form, spool, limits, before_file)
        metadata = item_metadata.from_form(fields)
        assert spool.file is not None
        stored, rejected = _store_entries(spool.file, archive_name, limits)
    result: ImportResult[T] = ImportResult(archive_name, rejected=rejected)
    _record(actor, workspace, stored, result, metadata, describe)
    return result


# --- 1. receive ------------------------------------------------------------


def _receive(
    form: uploads.IncomingForm,
    spool: _Spool,
    limits: ImportLimits,
    before_file: Callable[[dict[str, str]], None] | None,
) -> tuple[str, dict[str, str]]:
    if before_file is None:
        received = uploads.receive_upload(
            form,
            spool,  # type: ignore[arg-type]  (a store with save and delete)
            max_bytes=limits.max_file_bytes,
            text_fields=TEXT_FIELDS,
            detect=uploads.detect_zip,
        )
        return received.file.filename, received.fields
    fields: dict[str, str] = {}

    def check(before: dict[str, str]) -> None:
        before_file(before)
        fields.update(before)

    outcomes = uploads.receive_uploads(
        form,
        spool,  # type: ignore[arg-type]
        max_bytes=limits.max_file_bytes,
        max_files=1,
        before_files=check,
        detect=uploads.detect_zip,
    )
    if not outcomes:
        raise ValidationFailed.field("file", _("Choose a ZIP file to import."))
    (outcome,) = outcomes
    if outcome.error is not None:
        raise outcome.error
    assert outcome.received is not None
    return outcome.received.filename, fields


class _Spool:
    """Where the uploaded ZIP waits while it is read: an anonymous temporary
    file, gone when closed (and, on Linux, never visible by name at all).
    The upload pipeline stores the ZIP here as it would in the evidence
    store: it only calls ``save`` and ``delete``."""

    KEY = "import-spool"

    def __init__(self) -> None:
        self.file: IO[bytes] | None = None

    def save(self, stream: Any) -> StoredObject:
        digest = hashlib.sha256()
        size = 0
        try:
            # Kept open past this call (until close): no context manager.
            file = tempfile.TemporaryFile(prefix="portal-import-")  # noqa: SIM115
        except OSError as exc:
            raise StoreError(f"no temporary space for an import: {exc}") from exc
        try:
            while chunk := stream.read(uploads.READ_CHUNK):
                digest.update(chunk)
                try:
                    file.write(chunk)
                except OSError as exc:
                    raise StoreError(f"temporary space for an import: {exc}") from exc
                size += len(chunk)
            file.flush()
        except BaseException:
            file.close()
            raise
        self.close()
        self.file = file
        return StoredObject(key=self.KEY, size=size, sha256=digest.hexdigest())

    def delete(self, key: str) -> None:
        self.close()

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- 2. inspect --------------------------------------------------------------


class _Damaged(Exception):
    """An entry could not be read as its directory says: the archive is
    refused whole (not a per-entry refusal, which store_file raises as
    ValidationFailed/UnsupportedType/TooLarge)."""

    def __init__(self, refusal: PortalError) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


def _damaged(name: str | None = None) -> ValidationFailed:
    if name is None:
        message = _(
            "The ZIP file is damaged or incomplete: make it again and import "
            "it again. Nothing was imported."
        )
    else:
        message = _(
            "The ZIP file is damaged: “%(name)s” in it cannot be read. Make the "
            "ZIP file again and import it again. Nothing was imported.",
            name=name,
        )
    return ValidationFailed.field("file", message)


def _too_many(limits: ImportLimits) -> TooLarge:
    return TooLarge(
        _(
            "The ZIP file has more than %(count)d files and folders: import "
            "them in smaller parts. Nothing was imported.",
            count=limits.max_entries,
        )
    )


def _open_archive(file: IO[bytes], limits: ImportLimits) -> zipfile.ZipFile:
    """The archive, its directory checked as a whole."""
    # The end record first (zipfile's own reader, so both read the same
    # record): how many entries and how large a directory zipfile is about
    # to load into memory.
    try:
        end = zipfile._EndRecData(file)  # type: ignore[attr-defined]
    except (OSError, EOFError, ValueError):
        end = None
    if end is None:
        raise _damaged()
    entries = end[zipfile._ECD_ENTRIES_TOTAL]  # type: ignore[attr-defined]
    directory_size = end[zipfile._ECD_SIZE]  # type: ignore[attr-defined]
    if (
        entries > limits.max_entries
        or directory_size > limits.max_entries * DIRECTORY_BYTES_PER_ENTRY
    ):
        raise _too_many(limits)
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, *_READ_ERRORS[1:]):
        raise _damaged() from None
    try:
        _check_directory(archive, file, limits)
    except BaseException:
        archive.close()
        raise
    return archive


def _check_directory(
    archive: zipfile.ZipFile, file: IO[bytes], limits: ImportLimits
) -> None:
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise _too_many(limits)
    file.seek(0, 2)
    archive_size = file.tell()
    total = 0
    for info in infos:
        name = _path(info)
        if _escapes(name):
            raise ValidationFailed.field(
                "file",
                _(
                    "The ZIP file names a file outside its own folders "
                    "(“%(name)s”): such archives are refused. Nothing was "
                    "imported.",
                    name=_shown(name),
                ),
            )
        if info.header_offset + info.compress_size > archive_size:
            raise _damaged(_shown(name))
        total += info.file_size
        if info.file_size >= RATIO_APPLIES_FROM and (
            info.file_size > limits.max_ratio * max(info.compress_size, 1)
        ):
            raise ValidationFailed.field(
                "file",
                _(
                    "“%(name)s” in the ZIP file is compressed more than "
                    "%(ratio)d to 1, as only a deliberately made “zip bomb” "
                    "is: the ZIP file is refused. Nothing was imported.",
                    name=_shown(name),
                    ratio=limits.max_ratio,
                ),
            )
    if total > limits.max_unpacked_bytes:
        raise TooLarge(
            _(
                "The files in the ZIP file add up to more than %(size)s "
                "unpacked: import them in smaller parts. Nothing was imported.",
                size=uploads.format_bytes(limits.max_unpacked_bytes),
            )
        )
    # Entries whose data overlaps another's are how the smallest zip bombs
    # are made (one compressed kernel shared by every entry).
    ordered = sorted(infos, key=lambda i: i.header_offset)
    for first, second in itertools.pairwise(ordered):
        if _data_end(first) > second.header_offset:
            raise _damaged(_shown(_path(second)))
    if not any(not _is_folder(info) for info in infos):
        raise ValidationFailed.field("file", _("The ZIP file has no files in it."))


def _data_end(info: zipfile.ZipInfo) -> int:
    """Where the entry's data ends at the least: its local header (30 bytes
    and the name; the extra field's length is only in the local header)
    and the compressed bytes."""
    encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
    name = info.orig_filename.encode(encoding, errors="replace")
    return info.header_offset + 30 + len(name) + info.compress_size


def _path(info: zipfile.ZipInfo) -> str:
    """The entry's name with ``/`` separators, decoded as its maker meant."""
    name = info.filename
    if not info.flag_bits & 0x800:
        # No UTF-8 flag: zipfile read the name as CP437, but macOS and many
        # tools write UTF-8 without saying so.
        with contextlib.suppress(UnicodeError):
            name = name.encode("cp437").decode("utf-8")
    return name.replace("\\", "/")


def _escapes(path: str) -> bool:
    """Whether the name would reach outside the archive's own folder if it
    were ever unpacked: absolute, a drive, or a ``..`` part."""
    if not path or path.startswith("/") or _DRIVE.match(path):
        return True
    return ".." in path.split("/")


def _is_folder(info: zipfile.ZipInfo) -> bool:
    return _path(info).endswith("/")


def _shown(path: str) -> str:
    """A name from an archive, safe to show (no control characters)."""
    return "".join("\ufffd" if check_text(ch) else ch for ch in path[:300]) + (
        "…" if len(path) > 300 else ""
    )


# --- 3. store --------------------------------------------------------------


@dataclass
class _StoredEntry:
    path: str
    received: uploads.ReceivedFile


def _store_entries(
    file: IO[bytes], archive_name: str, limits: ImportLimits
) -> tuple[list[_StoredEntry], list[Rejected]]:
    """Every entry checked and stored as a blob (no rows yet); whatever is
    raised, no blob stays."""
    store = current_store()
    stored: list[_StoredEntry] = []
    rejected: list[Rejected] = []
    try:
        with _open_archive(file, limits) as archive:
            for info in archive.infolist():
                path = _path(info)
                if _is_folder(info) or _skipped(path):
                    continue
                reason = _entry_refusal(info, path)
                if reason is None:
                    try:
                        received = _store_entry(archive, info, path, limits)
                    except (ValidationFailed, UnsupportedType, TooLarge) as refused:
                        reason = refused.message
                    except _Damaged as damaged:
                        raise damaged.refusal from None
                    else:
                        if isinstance(received, str):
                            reason = received
                        else:
                            stored.append(_StoredEntry(path, received))
                if reason is not None:
                    rejected.append(Rejected(_shown(path), reason))
    except BaseException:
        for entry in stored:
            uploads.delete_quietly(store, entry.received.stored.key)
        raise
    return stored, rejected


def _skipped(path: str) -> bool:
    base = path.rsplit("/", 1)[-1]
    return path.startswith("__MACOSX/") or base.lower() in _SKIPPED_NAMES


def _entry_refusal(info: zipfile.ZipInfo, path: str) -> str | None:
    """Why this entry is not imported, judged from the directory alone."""
    if stat.S_IFMT(info.external_attr >> 16) == _SYMLINK:
        return _("A symbolic link, not a file: not imported.")
    if info.flag_bits & 0x1:
        return _(
            "Encrypted (protected by a password): unpack it and upload it on its own."
        )
    if info.compress_type not in _READABLE_METHODS:
        return _(
            "Compressed in a way the portal cannot read: make the ZIP file "
            "again with ordinary compression."
        )
    if _extension(path) in _ARCHIVE_EXTENSIONS:
        return _nested_reason()
    folder = path.rpartition("/")[0]
    if check_text(folder):
        return _(
            "The folder name contains control characters or direction "
            "overrides: rename the folder and try again."
        )
    return None


def _nested_reason() -> str:
    return _(
        "An archive inside the ZIP file: archives are not imported from "
        "archives. Unpack it and import its files."
    )


def _extension(path: str) -> str:
    base = path.rsplit("/", 1)[-1]
    dot = base.rfind(".")
    return base[dot:].lower() if dot > 0 else ""


def _store_entry(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: str, limits: ImportLimits
) -> uploads.ReceivedFile | str:
    """The entry stored through the single-upload checks, or why not (a
    nested archive). Per-entry refusals are raised by store_file; _Damaged
    refuses the archive."""
    chunks = _entry_chunks(archive, info, path)
    try:
        head = bytearray()
        taken: list[bytes] = []
        for chunk in chunks:
            taken.append(chunk)
            head += chunk
            if len(head) >= uploads.SNIFF_BYTES:
                break
        sniffed = bytes(head[: uploads.SNIFF_BYTES])
        del head
        if sniffed and magic.from_buffer(sniffed, mime=True) in _ARCHIVE_TYPES:
            return _nested_reason()
        return uploads.store_file(
            itertools.chain(taken, chunks),
            filename=path.rsplit("/", 1)[-1],
            claimed_media_type=None,
            store=current_store(),
            max_bytes=limits.max_file_bytes,
        )
    finally:
        chunks.close()


def _entry_chunks(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: str
) -> Iterator[bytes]:
    """The entry's bytes as zipfile decompresses them, counted: never more
    than its directory declares (an entry that gives more is a lie and
    refuses the archive), and exactly that many."""
    declared = info.file_size
    count = 0
    try:
        with archive.open(info) as source:
            while True:
                chunk = source.read(uploads.READ_CHUNK)
                if not chunk:
                    break
                count += len(chunk)
                if count > declared:
                    raise _Damaged(
                        ValidationFailed.field(
                            "file",
                            _(
                                "“%(name)s” in the ZIP file holds more than "
                                "the size its directory gives: the ZIP file "
                                "is refused. Nothing was imported.",
                                name=_shown(path),
                            ),
                        )
                    )
                yield chunk
    except _READ_ERRORS:
        raise _Damaged(_damaged(_shown(path))) from None
    if count != declared:
        raise _Damaged(_damaged(_shown(path)))


# --- 4. record -------------------------------------------------------------


def _record(
    actor: User,
    workspace: Workspace,
    stored: list[_StoredEntry],
    result: ImportResult[T],
    metadata: item_metadata.Metadata,
    describe: Callable[[EvidenceItem], T],
) -> None:
    """Each stored entry as an item, in archive order. A failure after some
    were committed is reported, not raised (see the module's docstring)."""
    store = current_store()
    # Blobs from here on are still the import's to delete: each one passes
    # to record_new_item, which commits its row or deletes it.
    owned_from = 0
    try:
        for index, entry in enumerate(stored):
            owned_from = index + 1
            try:
                item = services.record_new_item(
                    actor,
                    workspace,
                    entry.received,
                    title="",
                    description=_description(result.archive_name, entry.path),
                    metadata=metadata,
                )
            except Exception as failure:
                if not result.items:
                    raise  # nothing committed: the import simply failed
                log.exception(
                    "ZIP import into workspace %s stopped after %d items",
                    workspace.id,
                    len(result.items),
                )
                db.session.rollback()
                reason = (
                    failure.message
                    if isinstance(failure, PortalError)
                    else _(
                        "Not imported: the portal could not save it. Import it again."
                    )
                )
                result.rejected.extend(
                    Rejected(_shown(later.path), reason) for later in stored[index:]
                )
                return
            result.items.append(describe(item))
    finally:
        for later in stored[owned_from:]:
            uploads.delete_quietly(store, later.received.stored.key)


def _description(archive_name: str, path: str) -> str:
    return f"{archive_name}: {path}"[: services.DESCRIPTION_MAX]
