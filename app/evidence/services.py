"""Writes of evidence: uploads, withdrawals, and audited downloads.

Nothing lost: an upload is acknowledged only after its bytes are durably
stored, their SHA-256 checked and the row committed. The order is always
blob first (under a fresh key), then the row; a failure in between deletes
the blob, and a crash leaves at worst an orphan blob for the sweeper, never
a row without its data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Response

from app.accounts.models import User
from app.audit import services as audit
from app.core import uploads
from app.core.db import db, utcnow
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.core.files import ConditionalRequest, StoredFileInfo, stream_file
from app.core.i18n import _
from app.core.storage import current_store
from app.evidence import permissions
from app.evidence.models import EvidenceFile, EvidenceItem
from app.intake import services as intake_services
from app.reviews import queries as review_queries
from app.reviews.models import Review, Workspace

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
}


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
    return record_new_item(
        actor,
        workspace,
        received.file,
        title=received.fields.get("title", ""),
        description=received.fields.get("description", ""),
        expected_sha256=received.fields.get("sha256", ""),
        request_id=received.fields.get("request_id", ""),
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
    does not stop the others."""
    _require_may_upload(actor, workspace)
    db.session.commit()
    outcomes = uploads.receive_uploads(
        form,
        current_store(),
        max_bytes=max_bytes,
        max_files=max_files,
        before_files=before_files,
    )
    results: list[UploadResult] = []
    for index, outcome in enumerate(outcomes):
        if outcome.received is None:
            problem = outcome.error.message if outcome.error else None
            results.append(UploadResult(outcome.filename, problem=problem))
            continue
        try:
            item = record_new_item(
                actor, workspace, outcome.received, title="", description=""
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
    expected_sha256: str = "",
    request_id: str = "",
) -> EvidenceItem:
    """Commit the rows for a stored file, or delete the blob: never half of it."""
    stored = received.stored
    store = current_store()
    try:
        expected = expected_sha256.strip().lower()
        if expected and expected != stored.sha256:
            raise ValidationFailed.field(
                "sha256",
                _(
                    "The file received has SHA-256 %(received)s, not %(expected)s: "
                    "it was changed or cut short on the way. Nothing was stored.",
                    received=stored.sha256,
                    expected=expected,
                ),
            )
        # Access is checked again: it may have ended while the bytes arrived.
        _require_may_upload(actor, workspace)
        answers = (
            intake_services.attach_evidence(actor, workspace, request_id)
            if request_id.strip()
            else None
        )
        now = utcnow()
        item = EvidenceItem(
            workspace_id=workspace.id,
            request_id=answers,
            title=title or received.filename,
            description=description,
            uploaded_by_id=actor.id,
            uploaded_at=now,
        )
        db.session.add(item)
        db.session.flush()
        db.session.add(
            EvidenceFile(
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
        )
        audit.record(
            "evidence.uploaded",
            actor=actor,
            review_id=workspace.review_id,
            target=item,
            details={
                "workspace_id": str(workspace.id),
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
    db.session.refresh(item)
    return item


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


def send_evidence(
    item: EvidenceItem,
    *,
    actor: User,
    conditional: ConditionalRequest,
    record_download: bool = True,
) -> Response:
    """Stream the item's current file with safe headers, and audit who read it."""
    stored_file = item.current_file
    response = stream_file(
        current_store(),
        StoredFileInfo(
            key=stored_file.storage_key,
            size=stored_file.size,
            sha256=stored_file.sha256,
            media_type=stored_file.media_type,
            filename=stored_file.filename,
        ),
        conditional,
    )
    # One record per download, not per range request of a media player.
    first_bytes = response.status_code == 200 or (
        response.status_code == 206
        and response.headers.get("Content-Range", "").startswith("bytes 0-")
    )
    if record_download and first_bytes:
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
