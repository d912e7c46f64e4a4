"""Writes of evidence: uploads, withdrawals, and audited downloads.

Nothing lost: an upload is acknowledged only after its bytes are durably
stored, their SHA-256 checked and the row committed. The order is always
blob first (under a fresh key), then the row; a failure in between deletes
the blob, and a crash leaves at worst an orphan blob for the sweeper, never
a row without its data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app

from app.accounts.models import User
from app.audit import services as audit
from app.core import uploads
from app.core.db import begin_write, db, utcnow
from app.core.errors import Conflict, Forbidden, Gone, NotFound, ValidationFailed
from app.core.files import ConditionalRequest, StoredFileInfo, stream_file
from app.core.i18n import _, format_day
from app.core.permissions import Side
from app.core.storage import current_store
from app.evidence import metadata as item_metadata
from app.evidence import permissions
from app.evidence.metadata import Metadata
from app.evidence.models import (
    EvidenceBodyRead,
    EvidenceFile,
    EvidenceItem,
    EvidenceRead,
    EvidenceTheme,
    reference_prefix,
)
from app.intake import services as intake_services
from app.reviews import queries as review_queries
from app.reviews.models import Review, Workspace
from app.search import indexing

log = logging.getLogger(__name__)

TITLE_MAX = 500
DESCRIPTION_MAX = 20_000

UPLOAD_TEXT_FIELDS = {
    "title": uploads.TextFieldSpec(TITLE_MAX),
    "description": uploads.TextFieldSpec(DESCRIPTION_MAX, multiline=True),
    # Optional: the client's SHA-256 of the file, checked end to end.
    "sha256": uploads.TextFieldSpec(64),
    # Optional: the workspace's request this file answers.
    "request_id": uploads.TextFieldSpec(64),
    **{
        name: uploads.TextFieldSpec(limit)
        for name, limit in item_metadata.FORM_FIELD_LIMITS.items()
    },
}
VERSION_TEXT_FIELDS = {"sha256": uploads.TextFieldSpec(64)}


def _require_may_upload(actor: User, workspace: Workspace) -> None:
    role = review_queries.role_in(actor, workspace.review_id)
    if role is None:
        # Membership ended (e.g. during a long upload): the workspace is hidden.
        raise NotFound()
    if not permissions.can_upload(actor, role, workspace):
        raise Forbidden(
            _("Your role in this review does not allow uploading evidence.")
        )
    review = db.session.get(Review, workspace.review_id)
    if review is not None and review.is_closed:
        raise Conflict(_("This review is closed: no more evidence can be added."))


# Public for the other upload paths (app/resumable).
require_may_upload = _require_may_upload


def upload_evidence(
    actor: User,
    workspace: Workspace,
    form: uploads.IncomingForm,
    *,
    max_bytes: int,
) -> EvidenceItem:
    """Store one uploaded file (a multipart form) as a new item in ``workspace``."""
    _require_may_upload(actor, workspace)
    # A long upload must not hold a database connection idle in a transaction.
    db.session.commit()
    received = uploads.receive_upload(
        form, current_store(), max_bytes=max_bytes, text_fields=UPLOAD_TEXT_FIELDS
    )
    try:
        metadata = item_metadata.from_form(received.fields)
    except BaseException:
        uploads.delete_quietly(current_store(), received.file.stored.key)
        raise
    return record_new_item(
        actor,
        workspace,
        received.file,
        title=received.fields.get("title", ""),
        description=received.fields.get("description", ""),
        expected_sha256=received.fields.get("sha256"),
        request_id=received.fields.get("request_id", ""),
        metadata=metadata,
    )


@dataclass
class UploadResult:
    """What became of one file of a multi-file upload."""

    filename: str
    item: EvidenceItem | None = None
    problem: str | None = None


def upload_many(
    actor: User,
    workspace: Workspace,
    form: uploads.IncomingForm,
    *,
    max_bytes: int,
    max_files: int,
    before_files: Callable[[dict[str, str]], None],
) -> list[UploadResult]:
    """Store each file of a page's upload form as a new item; a refused file
    does not stop the others. The form's fields before its files (metadata,
    the request answered) apply to every file; bad ones refuse the whole
    form before anything is stored."""
    _require_may_upload(actor, workspace)
    db.session.commit()
    shared: dict[str, str] = {}
    metadata = Metadata()

    def check_fields(fields: dict[str, str]) -> None:
        nonlocal metadata
        before_files(fields)
        metadata = item_metadata.from_form(fields)
        shared.update(fields)

    outcomes = uploads.receive_uploads(
        form,
        current_store(),
        max_bytes=max_bytes,
        max_files=max_files,
        before_files=check_fields,
    )
    results: list[UploadResult] = []
    for index, outcome in enumerate(outcomes):
        if outcome.received is None:
            problem = outcome.error.message if outcome.error else None
            results.append(UploadResult(outcome.filename, problem=problem))
            continue
        try:
            item = record_new_item(
                actor,
                workspace,
                outcome.received,
                title="",
                description="",
                request_id=shared.get("request_id", ""),
                metadata=metadata,
            )
        except BaseException:
            # This file's blob is gone already; the later ones must go too.
            for later in outcomes[index + 1 :]:
                if later.received is not None:
                    uploads.delete_quietly(current_store(), later.received.stored.key)
            raise
        results.append(UploadResult(outcome.filename, item=item))
    return results


def add_local_file(
    actor: User,
    workspace: Workspace,
    path: Path,
    *,
    title: str = "",
    description: str = "",
    max_bytes: int,
) -> EvidenceItem:
    """Store a file from the server's disk as a new item (demo data, imports),
    through the same checks as an upload."""
    _require_may_upload(actor, workspace)
    db.session.commit()
    with path.open("rb") as handle:
        received = uploads.store_file(
            iter(lambda: handle.read(uploads.READ_CHUNK), b""),
            filename=path.name,
            claimed_media_type=None,
            store=current_store(),
            max_bytes=max_bytes,
        )
    return record_new_item(
        actor, workspace, received, title=title, description=description
    )


def record_new_item(
    actor: User,
    workspace: Workspace,
    received: uploads.ReceivedFile,
    *,
    title: str,
    description: str,
    expected_sha256: str | None = None,
    request_id: str = "",
    metadata: Metadata | None = None,
) -> EvidenceItem:
    """Commit the rows for a stored file, or delete the blob: never half of it.

    The item takes the next reference of its review (``ERW-014``)."""
    stored = received.stored
    store = current_store()
    metadata = metadata or Metadata()
    try:
        _check_sha256(stored.sha256, expected_sha256)
        # One numberer at a time per review: the review's row lock on
        # PostgreSQL, the write lock on SQLite (taken before reading).
        begin_write(db.session)
        db.session.execute(
            sa.select(Review.id)
            .where(Review.id == workspace.review_id)
            .with_for_update()
        )
        # Access is checked again: it may have ended while the bytes arrived.
        _require_may_upload(actor, workspace)
        answers = (
            intake_services.attach_evidence(actor, workspace, request_id)
            if request_id.strip()
            else None
        )
        number = _next_number(workspace.review_id)
        now = utcnow()
        item = EvidenceItem(
            workspace_id=workspace.id,
            review_id=workspace.review_id,
            number=number,
            reference=f"{reference_prefix(workspace.organisation.slug)}-{number:03d}",
            request_id=answers,
            title=title or received.filename,
            description=description,
            effective_date=metadata.effective_date,
            classification=metadata.classification,
            personal_data=metadata.personal_data,
            uploaded_by_id=actor.id,
            uploaded_at=now,
        )
        item.theme_rows = [EvidenceTheme(theme=theme) for theme in metadata.themes]
        db.session.add(item)
        db.session.flush()
        first = EvidenceFile(
            item_id=item.id,
            version=1,
            storage_key=stored.key,
            filename=received.filename,
            size=stored.size,
            sha256=stored.sha256,
            media_type=received.media_type,
            claimed_media_type=received.claimed_media_type,
            uploaded_by_id=actor.id,
            uploaded_at=now,
        )
        db.session.add(first)
        indexing.queue_extraction(first)
        audit.record(
            "evidence.uploaded",
            actor=actor,
            review_id=workspace.review_id,
            target=item,
            details={
                "workspace_id": str(workspace.id),
                "reference": item.reference,
                "filename": received.filename,
                "size": stored.size,
                "sha256": stored.sha256,
                "media_type": received.media_type,
                "classification": item.classification.value,
                "personal_data": item.personal_data,
            },
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        uploads.delete_quietly(store, stored.key)
        raise
    db.session.refresh(item)
    return item


def _check_sha256(received: str, expected: str | None) -> None:
    """The client's declared digest, if it sent one, must be the file's. A
    field sent empty or not 64 hexadecimal digits is refused too: it is a
    client's mistake, never a way to say "no digest"."""
    if expected is None:
        return
    expected = expected.strip().lower()
    if not uploads.SHA256_HEX.fullmatch(expected):
        raise ValidationFailed.field(
            "sha256",
            _(
                "The SHA-256 must be 64 hexadecimal digits (or leave the field "
                "out). Nothing was stored."
            ),
        )
    if expected != received:
        raise ValidationFailed.field(
            "sha256",
            _(
                "The file received has SHA-256 %(received)s, not %(expected)s: "
                "it was changed or cut short on the way. Nothing was stored.",
                received=received,
                expected=expected,
            ),
        )


def _next_number(review_id: object) -> int:
    highest = db.session.scalar(
        sa.select(sa.func.max(EvidenceItem.number)).where(
            EvidenceItem.review_id == review_id
        )
    )
    return (highest or 0) + 1


def add_version(
    actor: User,
    item: EvidenceItem,
    form: uploads.IncomingForm,
    *,
    max_bytes: int,
    before_file: Callable[[dict[str, str]], None] | None = None,
) -> EvidenceItem:
    """Store a new file for ``item`` as its next version; every earlier
    version stays. An item that answers a request resubmits it (a returned
    request goes back to the inspectors); one whose request was accepted or
    withdrawn can no longer change.

    ``before_file`` (a page's form) sees the fields before the file and may
    refuse the form (its CSRF token) before anything is stored."""
    workspace = item.workspace
    _require_may_upload(actor, workspace)
    db.session.commit()
    if before_file is None:
        received = uploads.receive_upload(
            form, current_store(), max_bytes=max_bytes, text_fields=VERSION_TEXT_FIELDS
        )
        return record_new_version(
            actor,
            item,
            received.file,
            expected_sha256=received.fields.get("sha256"),
        )
    outcomes = uploads.receive_uploads(
        form,
        current_store(),
        max_bytes=max_bytes,
        max_files=1,
        before_files=before_file,
    )
    if not outcomes:
        raise ValidationFailed.field(
            "file", _("Choose a file to upload: the form had no file.")
        )
    outcome = outcomes[0]
    if outcome.received is None:
        assert outcome.error is not None
        raise outcome.error
    return record_new_version(actor, item, outcome.received)


def record_new_version(
    actor: User,
    item: EvidenceItem,
    received: uploads.ReceivedFile,
    *,
    expected_sha256: str | None = None,
) -> EvidenceItem:
    """Commit a stored file as ``item``'s next version, or delete the blob."""
    stored = received.stored
    store = current_store()
    workspace = item.workspace
    try:
        _check_sha256(stored.sha256, expected_sha256)
        # One new version at a time per item (the item's row lock; SQLite's
        # write lock), so version numbers never clash.
        begin_write(db.session)
        locked = db.session.scalars(
            sa.select(EvidenceItem)
            .where(EvidenceItem.id == item.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        _require_may_upload(actor, workspace)
        if locked.is_withdrawn:
            raise NotFound()
        if locked.request_id is not None:
            intake_services.attach_evidence(actor, workspace, str(locked.request_id))
        version = (
            db.session.scalar(
                sa.select(sa.func.max(EvidenceFile.version)).where(
                    EvidenceFile.item_id == locked.id
                )
            )
            or 0
        ) + 1
        added = EvidenceFile(
            item_id=locked.id,
            version=version,
            storage_key=stored.key,
            filename=received.filename,
            size=stored.size,
            sha256=stored.sha256,
            media_type=received.media_type,
            claimed_media_type=received.claimed_media_type,
            uploaded_by_id=actor.id,
            uploaded_at=utcnow(),
        )
        db.session.add(added)
        indexing.queue_extraction(added)
        audit.record(
            "evidence.version_added",
            actor=actor,
            review_id=workspace.review_id,
            target=locked,
            details={
                "reference": locked.reference,
                "version": version,
                "filename": received.filename,
                "size": stored.size,
                "sha256": stored.sha256,
                "media_type": received.media_type,
            },
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        uploads.delete_quietly(store, stored.key)
        raise
    db.session.refresh(locked)
    db.session.refresh(locked, ["files"])
    return locked


def update_metadata(
    actor: User, item: EvidenceItem, changes: Mapping[str, Any]
) -> EvidenceItem:
    """Change an item's title, description or metadata (audited, with the
    values before and after). ``changes`` holds only the fields to change:
    title, description, effective_date, themes, classification,
    personal_data (already checked)."""
    workspace = item.workspace
    _require_may_upload(actor, workspace)
    if workspace.review.is_closed:
        raise Conflict(_("This review is closed: its evidence can no longer change."))
    before = _metadata_snapshot(item)
    for name in ("title", "description", "effective_date", "personal_data"):
        if name in changes:
            setattr(item, name, changes[name])
    if "classification" in changes:
        item.classification = changes["classification"]
    if "themes" in changes:
        wanted = list(changes["themes"])
        if [t.casefold() for t in item.themes] != [t.casefold() for t in wanted]:
            item.theme_rows = [EvidenceTheme(theme=theme) for theme in wanted]
    db.session.flush()
    after = _metadata_snapshot(item)
    changed = {
        name: {"from": before[name], "to": after[name]}
        for name in before
        if before[name] != after[name]
    }
    if changed:
        audit.record(
            "evidence.updated",
            actor=actor,
            review_id=workspace.review_id,
            target=item,
            details={"reference": item.reference, "changes": changed},
        )
    db.session.commit()
    db.session.refresh(item)
    return item


def _metadata_snapshot(item: EvidenceItem) -> dict[str, Any]:
    return {
        "title": item.title,
        "description": item.description,
        "effective_date": item.effective_date.isoformat()
        if item.effective_date
        else None,
        "themes": sorted(item.themes),
        "classification": item.classification.value,
        "personal_data": item.personal_data,
    }


def withdraw_evidence(actor: User, item: EvidenceItem) -> None:
    """Hide an item from every list; it stays stored for the audit trail."""
    workspace = item.workspace
    role = review_queries.role_in(actor, workspace.review_id)
    if not permissions.can_withdraw(actor, role, workspace):
        raise Forbidden(
            _("Your role in this review does not allow withdrawing evidence.")
        )
    if workspace.review.is_closed:
        raise Conflict(_("This review is closed: its evidence can no longer change."))
    item.withdrawn_at = utcnow()
    item.withdrawn_by_id = actor.id
    audit.record(
        "evidence.withdrawn",
        actor=actor,
        review_id=workspace.review_id,
        target=item,
        details={"workspace_id": str(workspace.id)},
    )
    db.session.commit()


def trash_days() -> int:
    """How long a withdrawn item can be restored (TRASH_DAYS)."""
    days: int = current_app.extensions["portal_settings"].trash_days
    return days


def restorable_until(item: EvidenceItem) -> datetime:
    """When a withdrawn item's time in the trash ends."""
    assert item.withdrawn_at is not None
    return item.withdrawn_at + timedelta(days=trash_days())


def restore_evidence(actor: User, item: EvidenceItem) -> EvidenceItem:
    """Bring a withdrawn item back, within TRASH_DAYS of its withdrawal and
    while its files are kept (the caller found it through
    ``get_withdrawn_evidence_or_404``: it may restore it)."""
    if item.workspace.review.is_closed:
        raise Conflict(_("This review is closed: its evidence can no longer change."))
    # Locked and read afresh: apply-retention may be deleting its files now
    # (it locks the same row), and what it did must be seen here.
    begin_write(db.session)
    db.session.refresh(item, with_for_update=True)
    for stored in item.files:
        db.session.refresh(stored)
    if item.withdrawn_at is None:
        raise NotFound()
    if any(f.purged_at is not None for f in item.files):
        raise Gone(_("Its files were deleted: it cannot be restored."))
    assert item.withdrawn_at is not None
    days = trash_days()
    if utcnow() > restorable_until(item):
        raise Conflict(
            _(
                "Withdrawn items can be restored for %(days)d days; this one was "
                "withdrawn on %(day)s.",
                days=days,
                day=format_day(item.withdrawn_at.date()),
            )
        )
    withdrawn = {
        "withdrawn_at": item.withdrawn_at.isoformat(),
        "by": str(item.withdrawn_by_id),
    }
    item.withdrawn_at = None
    item.withdrawn_by_id = None
    audit.record("evidence.restored", actor=actor, target=item, details=withdrawn)
    db.session.commit()
    return item


def send_evidence(
    item: EvidenceItem,
    *,
    actor: User,
    conditional: ConditionalRequest,
    record_download: bool = True,
    version: int | None = None,
) -> Response:
    """Stream the item's current file (or ``version``) with safe headers, and
    audit who read it. The download is named with the item's reference and
    security classification."""
    stored_file = item.current_file
    if version is not None:
        stored_file = next((f for f in item.files if f.version == version), None)
        if stored_file is None:
            raise NotFound()
    if stored_file.purged_at is not None:
        raise Gone()
    response = stream_file(
        current_store(),
        StoredFileInfo(
            key=stored_file.storage_key,
            size=stored_file.size,
            sha256=stored_file.sha256,
            media_type=stored_file.media_type,
            filename=item.download_name(stored_file),
        ),
        conditional,
    )
    # One record per download, not per range request of a media player.
    first_bytes = response.status_code == 200 or (
        response.status_code == 206
        and response.headers.get("Content-Range", "").startswith("bytes 0-")
    )
    if record_download and first_bytes:
        # A GET that writes: its own write transaction (see app/core/db.py).
        begin_write(db.session)
        record_read(actor, item)
        audit.record(
            "evidence.downloaded",
            actor=actor,
            review_id=item.workspace.review_id,
            target=item,
            details={"version": stored_file.version, "status": response.status_code},
        )
    # Also ends the read transaction before the (possibly long) stream starts.
    db.session.commit()
    return response


@dataclass
class SweepReport:
    orphans: list[str] = field(default_factory=list)
    incomplete: int = 0


def sweep_storage(older_than: timedelta, *, dry_run: bool = False) -> SweepReport:
    """Delete blobs no evidence row refers to, and stale partial uploads.

    Only what is older than ``older_than`` goes: a younger blob may belong to
    an upload whose row is about to be committed.
    """
    store = current_store()
    cutoff = utcnow() - older_than
    report = SweepReport()
    batch: list[str] = []

    def flush() -> None:
        known = set(
            db.session.scalars(
                sa.select(EvidenceFile.storage_key).where(
                    EvidenceFile.storage_key.in_(batch)
                )
            )
        )
        for key in batch:
            if key not in known:
                report.orphans.append(key)
                if not dry_run:
                    store.delete(key)
                    log.warning("sweeper removed orphan blob %s", key)
        batch.clear()

    for stored in store.iter_objects():
        if stored.modified_at < cutoff:
            batch.append(stored.key)
            if len(batch) >= 500:
                flush()
    if batch:
        flush()
    if not dry_run:
        report.incomplete = store.sweep_incomplete(older_than)
    return report


# --- reading -------------------------------------------------------------------


def view(actor: User, item: EvidenceItem, *, via: str) -> None:
    """``actor`` opened ``item`` (its page, or its record by the API): an
    ``evidence.viewed`` event, and, on its page, a read by an inspecting
    member (see :func:`record_read`)."""
    begin_write(db.session)  # a GET that writes (see app/core/db.py)
    if via == "page":
        record_read(actor, item)
    audit.record("evidence.viewed", actor=actor, target=item, details={"via": via})
    db.session.commit()


def record_read(actor: User, item: EvidenceItem) -> None:
    """Count ``actor`` as having read ``item``, if they inspect its review
    (a reviewed party's reads are not counted). Idempotent: the first read
    is the one kept. The caller commits."""
    role = review_queries.role_in(actor, item.review_id)
    if role is None or role.side is not Side.INSPECTING:
        return
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    now = utcnow()
    begin_write(db.session)
    db.session.execute(
        insert(EvidenceRead)
        .values(
            evidence_id=item.id,
            user_id=actor.id,
            organisation_id=actor.organisation_id,
            first_read_at=now,
        )
        .on_conflict_do_nothing(index_elements=["evidence_id", "user_id"])
    )
    if actor.organisation_id is not None:
        db.session.execute(
            insert(EvidenceBodyRead)
            .values(
                evidence_id=item.id,
                organisation_id=actor.organisation_id,
                review_id=item.review_id,
                workspace_id=item.workspace_id,
                first_read_at=now,
            )
            .on_conflict_do_nothing(index_elements=["evidence_id", "organisation_id"])
        )
