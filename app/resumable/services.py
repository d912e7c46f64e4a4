"""Writes of resumable uploads: begin, receive a part, complete, cancel, purge.

A large file arrives as numbered parts, each its own request, so a dropped
connection costs one part, not the file. The parts go straight into the
evidence store as an unfinished multipart object (S3 multipart upload; part
files on the filesystem store); the database records which have arrived.
Completing joins them in the store (on S3 without any server copying the
file), checks the SHA-256 of the whole against the one declared at the
start, and commits the evidence item through the same code as every other
upload (``record_new_item``). The same checks apply as to any upload: the
name (at the start), the size (at the start, against ``UPLOAD_MAX_BYTES``)
and the type (libmagic on the first bytes of part 1).

The SHA-256 of the whole, on S3: S3 cannot report it, and reading the file
back at completion would cost a second pass over it. So each part is hashed
on its way in, carrying on from the state the previous part left; that
state (``evidence_store.sha256state``, 112 bytes) is kept with the part's
row. When the parts came in order (as the portal's own page sends them)
the hash of the whole is known at completion without reading anything.
A part that begins before the one ahead of it is recorded (a client with
two parts in flight) is hashed once stored, from memory, when that state
appears (it waits up to PREDECESSOR_WAIT_SECONDS). After parts truly out of
order, completion reads back only what follows the last part hashed in
order. A part sent again with different bytes invalidates
the states after it. The filesystem store reads every part once to join
them anyway, so it hashes there and the parts are not hashed on arrival.

Concurrency: a part is streamed to the store outside any transaction, then
recorded under the session's row lock (FOR UPDATE; SQLite's write lock),
together with the hash state it was computed from; completion takes the
same lock to move the session to ``completing``, after which parts are
refused (409). A part sent twice at once: the store keeps each attempt
apart (its own etag) and the row names one, so completion joins exactly
the bytes the row describes.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import User
from app.core import uploads
from app.core.db import begin_write, db, utcnow
from app.core.errors import Conflict, NotFound, TooLarge, ValidationFailed
from app.core.i18n import _
from app.core.storage import current_store
from app.evidence import metadata as item_metadata
from app.evidence import services as evidence_services
from app.evidence.metadata import Metadata
from app.evidence.models import EvidenceFile, EvidenceItem
from app.intake import services as intake_services
from app.resumable import queries
from app.resumable.models import UploadPart, UploadSession, UploadStatus
from app.reviews.models import Workspace
from evidence_store import (
    BinaryReadable,
    EvidenceStore,
    HashedPrefix,
    IncompletePart,
    MultipartUpload,
    ObjectNotFound,
    StoreError,
    UploadedPart,
    sha256state,
)

log = logging.getLogger(__name__)

SESSION_LIFETIME = timedelta(hours=24)
# Sessions one user may have under way at once (each holds stored parts).
MAX_OPEN_SESSIONS = 20


def part_size_setting() -> int:
    """UPLOAD_PART_SIZE: the app's config (tests), else the settings."""
    configured = current_app.config.get("UPLOAD_PART_SIZE")
    if configured:
        return int(configured)
    settings = current_app.extensions.get("portal_settings")
    return int(getattr(settings, "upload_part_size", 16 * 1024**2))


def threshold_setting() -> int:
    """RESUMABLE_UPLOAD_THRESHOLD: files larger go through a session in the
    browser."""
    configured = current_app.config.get("RESUMABLE_UPLOAD_THRESHOLD")
    if configured:
        return int(configured)
    settings = current_app.extensions.get("portal_settings")
    return int(getattr(settings, "resumable_threshold", 50 * 1024**2))


def choose_part_size(size: int, store: EvidenceStore) -> int:
    """The configured part size, raised to what the store needs: its
    minimum (5 MiB on S3), and few enough parts for its maximum count."""
    needed_for_count = -(-size // store.max_parts)
    return min(
        max(part_size_setting(), store.min_part_size, needed_for_count),
        store.max_part_size,
    )


def _upload_of(session: UploadSession) -> MultipartUpload:
    return MultipartUpload(key=session.storage_key, upload_id=session.store_upload_id)


def _clean_name(filename: str) -> str:
    try:
        return uploads.clean_filename(filename)
    except ValidationFailed as refused:
        # The same checks as a form upload; here the field is "filename".
        raise ValidationFailed.field("filename", refused.message) from None


# --- begin ---------------------------------------------------------------


def begin(
    actor: User, workspace: Workspace, *, filename: str, size: int, sha256: str
) -> UploadSession:
    """Start a session for a file of ``size`` bytes whose SHA-256 the
    client declares; its parts are then sent one request each."""
    evidence_services.require_may_upload(actor, workspace)
    clean = _clean_name(filename)
    max_bytes = current_app.config["UPLOAD_MAX_BYTES"]
    if size > max_bytes:
        raise TooLarge(
            _(
                "The file is larger than the limit of %(size)s (%(bytes)d bytes).",
                size=uploads.format_bytes(max_bytes),
                bytes=max_bytes,
            )
        )
    if queries.count_open(actor) >= MAX_OPEN_SESSIONS:
        raise Conflict(
            _(
                "You have %(count)d uploads under way: finish or cancel some "
                "before starting another.",
                count=MAX_OPEN_SESSIONS,
            )
        )
    store = current_store()
    part_size = choose_part_size(size, store)
    # No transaction stays open while the store is called.
    db.session.commit()
    upload = store.begin_multipart()
    try:
        now = utcnow()
        session = UploadSession(
            workspace_id=workspace.id,
            user_id=actor.id,
            filename=clean,
            size=size,
            sha256=sha256.lower(),
            part_size=part_size,
            part_count=-(-size // part_size),
            storage_key=upload.key,
            store_upload_id=upload.upload_id,
            status=UploadStatus.OPEN,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
        db.session.add(session)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        _abort_quietly(store, upload)
        raise
    return session


# --- parts -----------------------------------------------------------------


class _Prefixed:
    """``head`` (already read), then the rest of ``stream``."""

    def __init__(self, head: bytes, stream: BinaryReadable) -> None:
        self._head = memoryview(head)
        self._stream = stream

    def read(self, size: int, /) -> bytes:
        if self._head:
            data, self._head = self._head[:size], self._head[size:]
            return bytes(data)
        return self._stream.read(size)


def _read_head(stream: BinaryReadable, want: int) -> bytes:
    head = bytearray()
    while len(head) < want:
        chunk = stream.read(want - len(head))
        if not chunk:
            break
        head += chunk
    return bytes(head)


def _incomplete_part(number: int, expected: int) -> ValidationFailed:
    return ValidationFailed.field(
        "part",
        _(
            "Part %(number)d arrived incomplete (it needs %(bytes)d bytes): "
            "send it again.",
            number=number,
            bytes=expected,
        ),
    )


def _check_part_request(
    session: UploadSession, number: int, content_length: int | None
) -> int:
    """The part's exact length, or ValidationFailed for a bad number or size."""
    if not 1 <= number <= session.part_count:
        raise ValidationFailed.field(
            "part",
            _(
                "Part numbers of this upload run from 1 to %(count)d.",
                count=session.part_count,
            ),
        )
    expected = session.part_length(number)
    if content_length is None:
        raise ValidationFailed.field(
            "part", _("Send the part with a Content-Length header.")
        )
    if content_length != expected:
        raise ValidationFailed.field(
            "part",
            _(
                "Part %(number)d must be exactly %(expected)d bytes, not %(received)d.",
                number=number,
                expected=expected,
                received=content_length,
            ),
        )
    return expected


@dataclass
class _Chain:
    """Where part ``number``'s hashing starts: the state after the parts
    before it (None: cannot be hashed in order now)."""

    start: bytes | None
    hasher: sha256state.Sha256State | None


def _chain_for(session: UploadSession, number: int, store: EvidenceStore) -> _Chain:
    if not (store.wants_hashed_prefix and sha256state.AVAILABLE):
        return _Chain(None, None)
    if number == 1:
        return _Chain(b"", sha256state.Sha256State())
    previous = _part(session.id, number - 1)
    if previous is None or previous.sha256_state is None:
        return _Chain(None, None)
    try:
        hasher = sha256state.Sha256State.resume(previous.sha256_state)
    except ValueError:
        return _Chain(None, None)
    return _Chain(previous.sha256_state, hasher)


# How long a part that arrived before the part ahead of it waits, once
# stored, for that part's hash state (a client sending two parts at once).
PREDECESSOR_WAIT_SECONDS = 2.0


def _hash_when_ready(
    session_id: uuid.UUID, number: int, chain: _Chain
) -> Callable[[Iterator[bytes | memoryview]], None]:
    """For a part whose predecessor had not arrived when it began: once the
    part is stored (and still in memory), wait briefly for the predecessor's
    hash state and hash the part on from it, filling in ``chain``. A
    predecessor that does not come in time leaves the chain broken there
    (completion then reads back from that part on)."""

    def hash_part(chunks: Iterator[bytes | memoryview]) -> None:
        deadline = time.monotonic() + PREDECESSOR_WAIT_SECONDS
        while True:
            db.session.rollback()  # each look sees what has been committed
            previous = _part(session_id, number - 1)
            if previous is not None:
                state = previous.sha256_state
                break
            if time.monotonic() >= deadline:
                return
            time.sleep(0.02)
        db.session.rollback()
        if state is None:
            return  # the chain broke before the predecessor
        try:
            hasher = sha256state.Sha256State.resume(state)
        except ValueError:
            return
        for chunk in chunks:
            hasher.update(chunk)
        chain.start, chain.hasher = state, hasher

    return hash_part


def put_part(
    actor: User,
    session_id: uuid.UUID,
    number: int,
    stream: BinaryReadable,
    content_length: int | None,
) -> dict[str, list[int]]:
    """Store part ``number`` from ``stream`` (exactly its length) and record
    it; sending a part again replaces it. Returns ``{"received": [...]}``."""
    session = queries.get_own_session_or_404(actor, session_id)
    if session.status is not UploadStatus.OPEN:
        raise _completing()
    evidence_services.require_may_upload(actor, session.workspace)
    expected = _check_part_request(session, number, content_length)
    store = current_store()
    chain = _chain_for(session, number, store)
    upload = _upload_of(session)
    filename = session.filename
    # The part streams with no transaction open.
    db.session.commit()

    media_type = None
    if number == 1:
        head = _read_head(stream, min(uploads.SNIFF_BYTES, expected))
        if len(head) < min(uploads.SNIFF_BYTES, expected):
            raise _incomplete_part(number, expected)
        media_type = uploads.detect_file_type(head, filename).media_type
        stream = _Prefixed(head, stream)
        del head
    on_stored = None
    if chain.hasher is None and store.wants_hashed_prefix and sha256state.AVAILABLE:
        on_stored = _hash_when_ready(session_id, number, chain)
    try:
        stored = store.put_part(
            upload,
            number,
            stream,
            expected,
            digest=chain.hasher,
            on_stored=on_stored,
        )
    except IncompletePart:
        raise _incomplete_part(number, expected) from None
    except ObjectNotFound:
        # Completed, cancelled or purged meanwhile: the session is over.
        _end_if_open(actor, session_id)
        raise NotFound() from None
    return _record_part(actor, session_id, stored, chain, media_type)


def _record_part(
    actor: User,
    session_id: uuid.UUID,
    stored: UploadedPart,
    chain: _Chain,
    media_type: str | None,
) -> dict[str, list[int]]:
    begin_write(db.session)
    session = queries.get_own_session_or_404(actor, session_id, lock=True)
    if session.status is not UploadStatus.OPEN:
        # Completion began while this part streamed; it uses the parts it
        # found recorded, and this one's bytes are not among them.
        db.session.rollback()
        raise _completing()
    number = stored.number
    # Only the rows this part touches: a session may have thousands.
    before = _part(session.id, number - 1) if number > 1 else None
    old = _part(session.id, number)
    # Valid only if the part before is still the one hashed from.
    still_valid = number == 1 or (
        before is not None and before.sha256_state == chain.start
    )
    state = chain.hasher.export() if chain.hasher and still_valid else None
    if old is not None and (state is None or old.sha256_state != state):
        # Different (or unknown) bytes: states after it were hashed from
        # the old ones.
        db.session.execute(
            sa.update(UploadPart)
            .where(UploadPart.session_id == session.id, UploadPart.number > number)
            .values(sha256_state=None)
        )
    if old is None:
        db.session.add(
            UploadPart(
                session_id=session.id,
                number=number,
                size=stored.size,
                etag=stored.etag,
                checksum=stored.checksum,
                sha256_state=state,
                received_at=utcnow(),
            )
        )
    else:
        old.size = stored.size
        old.etag = stored.etag
        old.checksum = stored.checksum
        old.sha256_state = state
        old.received_at = utcnow()
    if media_type is not None:
        session.media_type = media_type
    db.session.commit()
    return {"received": received_numbers(session.id)}


def _part(session_id: uuid.UUID, number: int) -> UploadPart | None:
    return db.session.scalar(
        sa.select(UploadPart)
        .where(UploadPart.session_id == session_id, UploadPart.number == number)
        .execution_options(populate_existing=True)
    )


def received_numbers(session_id: uuid.UUID) -> list[int]:
    """The numbers of the parts that have arrived, in order."""
    return list(
        db.session.scalars(
            sa.select(UploadPart.number)
            .where(UploadPart.session_id == session_id)
            .order_by(UploadPart.number)
        )
    )


def _completing() -> Conflict:
    return Conflict(_("This upload is being completed: it takes no more parts."))


# --- complete ----------------------------------------------------------------


def _hashed_prefix(session: UploadSession) -> HashedPrefix | None:
    """The state after the longest run of parts 1..k hashed in order."""
    best: HashedPrefix | None = None
    covered = 0
    ordered = sorted(session.parts, key=lambda part: part.number)
    for expected_number, part in enumerate(ordered, start=1):
        if part.number != expected_number or part.sha256_state is None:
            break
        covered += part.size
        best = HashedPrefix(size=covered, state=part.sha256_state)
    return best


def _precheck(
    actor: User,
    workspace: Workspace,
    request_id: str,
    metadata_fields: Mapping[str, str],
) -> Metadata:
    """Refuse now what committing the item would refuse later (access, a
    closed review, a request that takes no evidence, bad metadata), before
    the parts are joined and can no longer be sent again."""
    try:
        evidence_services.require_may_upload(actor, workspace)
        metadata = item_metadata.from_form(metadata_fields)
        if request_id.strip():
            intake_services.attach_evidence(actor, workspace, request_id)
    finally:
        db.session.rollback()
    return metadata


def complete(
    actor: User,
    session_id: uuid.UUID,
    *,
    title: str = "",
    request_id: str = "",
    metadata_fields: Mapping[str, str] | None = None,
) -> EvidenceItem:
    """Join the parts, check the SHA-256 of the whole and commit the item.

    ``metadata_fields`` are the item's metadata as an upload form sends
    them (classification, personal_data, effective_date, themes).

    400 (``parts``) if any part is missing: the session stays for them. 400
    (``sha256``) if the whole does not match the declared SHA-256: nothing
    is stored and the session ends (its parts are used up in the joining;
    the file must be sent again). Whatever else fails after the joining,
    the session ends too and nothing stays stored.
    """
    session = queries.get_own_session_or_404(actor, session_id)
    workspace = session.workspace
    metadata = _precheck(actor, workspace, request_id, metadata_fields or {})

    begin_write(db.session)
    session = queries.get_own_session_or_404(actor, session_id, lock=True)
    if session.status is not UploadStatus.OPEN:
        db.session.rollback()
        raise _completing()
    received = set(session.received)
    missing = [n for n in range(1, session.part_count + 1) if n not in received]
    if missing or session.media_type is None:
        db.session.rollback()
        shown = ", ".join(str(n) for n in missing[:20])
        more = "…" if len(missing) > 20 else ""
        message = _(
            "Parts still missing: %(parts)s. Send them, then complete again.",
            parts=shown + more,
        )
        raise ValidationFailed(message, fields={"parts": message})
    parts = [
        UploadedPart(number=p.number, size=p.size, etag=p.etag, checksum=p.checksum)
        for p in sorted(session.parts, key=lambda part: part.number)
    ]
    hashed = _hashed_prefix(session)
    upload = _upload_of(session)
    declared = session.sha256
    filename, media_type, size = session.filename, session.media_type, session.size
    session.status = UploadStatus.COMPLETING
    db.session.commit()

    store = current_store()
    try:
        stored = store.complete_multipart(upload, parts, hashed=hashed)
    except ObjectNotFound:
        _end(session_id)
        raise NotFound() from None
    except BaseException:
        # Nothing was made (the store cleans up after itself): the client
        # may try again.
        _reopen(session_id)
        raise
    if stored.sha256 != declared or stored.size != size:
        uploads.delete_quietly(store, stored.key)
        _end(session_id)
        message = _(
            "The file put together from the parts has SHA-256 %(received)s, "
            "not %(expected)s: a part was changed or mixed up on the way. "
            "Nothing was stored; upload the file again.",
            received=stored.sha256,
            expected=declared,
        )
        raise ValidationFailed(message, fields={"sha256": message})
    received_file = uploads.ReceivedFile(
        stored=stored,
        filename=filename,
        media_type=media_type,
        claimed_media_type=None,
    )
    try:
        # Deletes the blob itself if it cannot commit the item.
        item = evidence_services.record_new_item(
            actor,
            workspace,
            received_file,
            title=title,
            description="",
            request_id=request_id,
            metadata=metadata,
        )
    finally:
        _end(session_id)
    return item


def _reopen(session_id: uuid.UUID) -> None:
    try:
        db.session.execute(
            sa.update(UploadSession)
            .where(UploadSession.id == session_id)
            .values(status=UploadStatus.OPEN)
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.warning("could not reopen upload session %s", session_id, exc_info=True)


def _end(session_id: uuid.UUID) -> None:
    """Delete the session's rows (its parts are used up or gone)."""
    try:
        db.session.execute(
            sa.delete(UploadPart).where(UploadPart.session_id == session_id)
        )
        db.session.execute(
            sa.delete(UploadSession).where(UploadSession.id == session_id)
        )
        db.session.commit()
    except Exception:
        # purge-uploads removes it when it expires.
        db.session.rollback()
        log.warning("could not end upload session %s", session_id, exc_info=True)


def _end_if_open(actor: User, session_id: uuid.UUID) -> None:
    """The store no longer knows the session's upload: end the session."""
    db.session.rollback()
    try:
        session = queries.get_own_session_or_404(actor, session_id)
    except NotFound:
        return
    if session.status is UploadStatus.OPEN:
        log.warning("upload session %s lost its stored parts; ending it", session_id)
        _end(session_id)


# --- cancel and purge ----------------------------------------------------------


def cancel(actor: User, session_id: uuid.UUID) -> None:
    """Throw the session and its stored parts away."""
    begin_write(db.session)
    session = queries.get_own_session_or_404(actor, session_id, lock=True)
    if session.status is not UploadStatus.OPEN:
        db.session.rollback()
        raise _completing()
    # The parts first: if the store fails, the session stays to try again.
    current_store().abort_multipart(_upload_of(session))
    db.session.delete(session)
    db.session.commit()


def _abort_quietly(store: EvidenceStore, upload: MultipartUpload) -> None:
    try:
        store.abort_multipart(upload)
    except StoreError:
        log.warning(
            "could not abort multipart upload %s", upload.upload_id, exc_info=True
        )


@dataclass
class PurgeReport:
    sessions: int = 0
    failed: int = 0


def purge_expired(*, batch: int = 200) -> PurgeReport:
    """Remove every expired session with its stored parts (and the blob of
    one that was being completed when its worker died, unless it became an
    evidence file). A session whose parts cannot be removed now is kept
    for the next run."""
    store = current_store()
    report = PurgeReport()
    after: tuple[datetime, uuid.UUID] | None = None
    while True:
        sessions = queries.expired_sessions(batch, after)
        db.session.commit()
        if not sessions:
            return report
        # Once per run each, whatever becomes of it.
        after = (sessions[-1].expires_at, sessions[-1].id)
        for session in sessions:
            upload = _upload_of(session)
            try:
                store.abort_multipart(upload)
                if session.status is UploadStatus.COMPLETING and not _is_evidence(
                    session.storage_key
                ):
                    store.delete(session.storage_key)
            except (StoreError, ValueError):
                log.warning(
                    "could not remove the parts of expired upload %s",
                    session.id,
                    exc_info=True,
                )
                report.failed += 1
                continue
            _end(session.id)
            report.sessions += 1


def _is_evidence(storage_key: str) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(EvidenceFile)
            .where(EvidenceFile.storage_key == storage_key)
        )
        or 0
    ) > 0
