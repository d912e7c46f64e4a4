"""Building the close-out export, streamed as it is built.

zipstream-ng writes the archive as it is read: each entry's bytes are read
from the evidence store in chunks when the client has taken the ones before,
so neither the worker's memory nor a temporary file grows with the export
(ZIP64 past 4 GiB or 65,535 entries, by the library). Entries are stored,
not deflated: evidence is mostly PDF, Office and media, already compressed,
and deflating would cost the CPU the export's speed depends on. The list of
entries (ids, names, sizes: metadata only) is drawn up when the request
starts; every byte is read afterwards.

Order: every version of every live item first; then the manifests, the
requests, what the caller may see of notes, hypotheses,
headline messages and drafts, the audit trail for lead officers, and last
``SHA256SUMS`` over every file before it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
import zipstream
from flask import Flask, Response, current_app, render_template
from flask_babel import force_locale

from app.accounts import queries as account_queries
from app.accounts.models import User
from app.audit import queries as audit_queries
from app.audit import services as audit
from app.core.db import begin_write, db
from app.core.errors import Forbidden, ValidationFailed
from app.core.files import read_ahead
from app.core.i18n import _, current_locale
from app.core.permissions import Capability, has_capability
from app.core.storage import current_store
from app.evidence.models import EvidenceFile, EvidenceItem
from app.evidence.queries import visible_evidence
from app.intake.models import EvidenceRequest
from app.intake.queries import visible_requests
from app.reviews import queries as review_queries
from app.reviews.models import Review, Workspace
from evidence_store import EvidenceStore

CHUNK = 1024 * 1024
NAME_MAX = 120  # characters of a folder or file name in the archive


@dataclass
class Scope:
    """What one caller's export holds: the review, the workspaces, and
    whether they see the inspecting side's work and the audit trail."""

    review: Review
    workspaces: list[Workspace]
    inspecting: bool
    audit: bool


def export_scope(actor: User, review: Review, workspace_id: uuid.UUID | None) -> Scope:
    """The caller's export of ``review`` (one workspace, if asked): lead
    officers export the review or any workspace of it; a nominee their own
    workspace (the default for them); 403 for other members."""
    role = review_queries.role_in(actor, review.id)
    visible = {w.id: w for w in review_queries.workspaces_of(actor, review)}
    if not visible and role is None:
        raise Forbidden(_("Only members of the review export it."))
    if workspace_id is not None and workspace_id not in visible:
        raise ValidationFailed.field(
            "workspace_id", _("No workspace of this review has this id.")
        )
    if has_capability(role, Capability.EXPORT_REVIEW):
        chosen = [visible[workspace_id]] if workspace_id else list(visible.values())
        return Scope(review, chosen, inspecting=True, audit=True)
    if has_capability(role, Capability.EXPORT_OWN_WORKSPACE):
        own = [
            w for w in visible.values() if w.organisation_id == actor.organisation_id
        ]
        if not own or (workspace_id is not None and workspace_id != own[0].id):
            raise Forbidden(_("Nominees export their own workspace."))
        return Scope(review, own, inspecting=False, audit=False)
    raise Forbidden(
        _(
            "Only the review's lead officers, and nominees for their own "
            "workspace, export."
        )
    )


def safe_name(text: str, limit: int = NAME_MAX) -> str:
    """A folder or file name for the archive: NFC, no path separators or
    control characters, no dot-only names, at most ``limit`` characters
    (Welsh letters kept)."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text)
    text = re.sub(r"[\\/:*?\"<>|]+", "-", text).strip(" .")
    return (text or "untitled")[:limit].strip(" .") or "untitled"


@dataclass
class Entry:
    path: str
    item: EvidenceItem
    stored: EvidenceFile


@dataclass
class Built:
    """What the archive holds so far: each file's SHA-256 (the record's for
    evidence, computed as written for the documents)."""

    sums: list[tuple[str, str]] = field(default_factory=list)


def _hashed(path: str, chunks: Iterable[bytes], built: Built) -> Iterator[bytes]:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
        yield chunk
    built.sums.append((path, digest.hexdigest()))


def _blob(store: EvidenceStore, entry: Entry, built: Built) -> Iterator[bytes]:
    # The next chunk is read from the store while this one is sent (as every
    # download does), so the two connections work together. The file is not
    # hashed again: SHA256SUMS carries the SHA-256 on record, which the store
    # checked as it wrote the file and check-fixity checks since, so a file
    # changed in the store fails the archive's own verification. Hashing
    # would cost the worker the CPU the export's speed depends on.
    yield from read_ahead(store.open(entry.stored.storage_key))
    built.sums.append((entry.path, entry.stored.sha256))


def _encoded(texts: Iterable[str]) -> Iterator[bytes]:
    for text in texts:
        yield text.encode("utf-8")


def _text(make: Callable[[], str]) -> Iterator[bytes]:
    yield make().encode("utf-8")


def entries(scope: Scope, actor: User) -> list[Entry]:
    """Every version of every live item the caller may see, in order."""
    found: list[Entry] = []
    for workspace in scope.workspaces:
        folder = safe_name(workspace.name)
        items = db.session.scalars(
            visible_evidence(actor, workspace.id).order_by(EvidenceItem.number)
        )
        for item in items:
            item_folder = safe_name(f"{item.reference} {item.title}")
            for stored in item.files:
                if stored.purged_at is not None:
                    continue
                name = safe_name(f"v{stored.version}-{stored.filename}", 200)
                found.append(Entry(f"{folder}/{item_folder}/{name}", item, stored))
    return found


def build_zip(actor: User, scope: Scope) -> zipstream.ZipStream:
    """The archive, to be iterated by the response (the download is
    recorded before the first byte: ``export.downloaded``)."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    store = current_store()
    listed = entries(scope, actor)
    built = Built()
    zs = zipstream.ZipStream(compress_type=zipstream.ZIP_STORED)
    for entry in listed:
        zs.add(_blob(store, entry, built), entry.path)
    review_id, actor_id = scope.review.id, actor.id
    workspace_ids = [w.id for w in scope.workspaces]
    locale = current_locale()

    def document(
        name: str, make: Callable[[User, Review, list[uuid.UUID]], str]
    ) -> None:
        def run() -> str:
            # A fresh app context for each document: the request's own has
            # ended by the time the client reads this far.
            with app.app_context(), force_locale(locale):
                user = db.session.get(User, actor_id)
                review = db.session.get(Review, review_id)
                assert user is not None and review is not None
                return make(user, review, workspace_ids)

        zs.add(_hashed(name, _text(run), built), name)

    def manifest_rows(
        user: User, review: Review, ids: list[uuid.UUID]
    ) -> list[dict[str, Any]]:
        return _manifest(listed)

    document(
        "manifest.csv", lambda u, r, i: _csv(MANIFEST_COLUMNS, manifest_rows(u, r, i))
    )
    document(
        "manifest.html",
        lambda u, r, i: render_template(
            "export/manifest.html",
            review=r,
            rows=manifest_rows(u, r, i),
            columns=MANIFEST_COLUMNS,
        ),
    )
    document("requests.csv", lambda u, r, i: _csv(REQUEST_COLUMNS, _requests(u, i)))
    if scope.inspecting:
        document("notes.html", _notes_html)
        document("hypotheses.html", _hypotheses_html)
        document("messages.html", _messages_html)
        document("drafts.html", _drafts_html)
    if scope.audit:
        # Streamed in batches as the rest: the trail may be long.
        trail = audit_queries.trail(
            audit_queries.Filters(
                workspace_id=workspace_ids[0] if len(workspace_ids) == 1 else None
            ),
            review=scope.review,
        )
        zs.add(
            _hashed("audit.csv", _encoded(audit_queries.csv_stream(trail)), built),
            "audit.csv",
        )
    zs.add(_sums(built), "SHA256SUMS")
    return zs


def record_export(actor: User, scope: Scope) -> None:
    """The download is an event, written before the first byte is sent."""
    begin_write(db.session)
    audit.record(
        "export.downloaded",
        actor=actor,
        review_id=scope.review.id,
        workspace_id=scope.workspaces[0].id if len(scope.workspaces) == 1 else None,
        target=scope.review,
        details={
            "workspaces": [str(w.id) for w in scope.workspaces],
            "audit": scope.audit,
            "inspecting": scope.inspecting,
        },
    )
    db.session.commit()


def _sums(built: Built) -> Iterator[bytes]:
    # Read when every file before it has been written: their sums are in.
    yield "".join(f"{sha}  {path}\n" for path, sha in built.sums).encode("utf-8")


MANIFEST_COLUMNS = (
    "workspace", "reference", "title", "filename", "version", "size", "sha256",
    "media_type", "uploaded_by", "uploaded_at",
    "effective_date", "classification", "personal_data", "request", "path",
)  # fmt: skip
REQUEST_COLUMNS = (
    "workspace", "reference", "title", "status", "theme", "due_date", "created_at",
    "decided_at", "return_reason",
)  # fmt: skip


def _iso(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def _manifest(listed: list[Entry]) -> list[dict[str, Any]]:
    uploaders = account_queries.names_of([e.stored.uploaded_by_id for e in listed])
    request_ids = {e.item.request_id for e in listed if e.item.request_id}
    refs = {
        r.id: r.ref
        for r in db.session.scalars(
            sa.select(EvidenceRequest).where(EvidenceRequest.id.in_(request_ids))
        )
    }
    workspaces = {
        w.id: w.name
        for w in db.session.scalars(
            sa.select(Workspace).where(
                Workspace.id.in_({e.item.workspace_id for e in listed})
            )
        )
    }
    return [
        {
            "workspace": workspaces.get(e.item.workspace_id, ""),
            "reference": e.item.reference,
            "title": e.item.title,
            "filename": e.stored.filename,
            "version": e.stored.version,
            "size": e.stored.size,
            "sha256": e.stored.sha256,
            "media_type": e.stored.media_type,
            "uploaded_by": uploaders.get(e.stored.uploaded_by_id, "")
            if e.stored.uploaded_by_id
            else "",
            "uploaded_at": _iso(e.stored.uploaded_at),
            "effective_date": e.item.effective_date.isoformat()
            if e.item.effective_date
            else "",
            "classification": e.item.classification.value,
            "personal_data": "yes" if e.item.personal_data else "no",
            "request": refs.get(e.item.request_id, "") if e.item.request_id else "",
            "path": e.path,
        }
        for e in listed
    ]


def _csv(columns: tuple[str, ...], rows: Iterable[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([audit_queries.csv_cell(row.get(c)) for c in columns])
    return buffer.getvalue()


def _requests(user: User, workspace_ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        visible_requests(user)
        .where(EvidenceRequest.workspace_id.in_(workspace_ids))
        .order_by(EvidenceRequest.workspace_id, EvidenceRequest.number)
    )
    return [
        {
            "workspace": r.workspace.name,
            "reference": r.ref,
            "title": r.title,
            "status": r.status.value,
            "theme": r.theme or "",
            "due_date": r.due_date.isoformat() if r.due_date else "",
            "created_at": _iso(r.created_at),
            "decided_at": _iso(r.decided_at),
            "return_reason": r.return_reason or "",
        }
        for r in rows
    ]


def _notes_html(user: User, review: Review, workspace_ids: list[uuid.UUID]) -> str:
    from app.core.sanitize import render_markdown
    from app.notes.models import Note
    from app.notes.queries import visible_notes

    notes = list(
        db.session.scalars(
            visible_notes(user)
            .where(Note.review_id == review.id)
            .where(
                sa.or_(
                    Note.workspace_id.is_(None), Note.workspace_id.in_(workspace_ids)
                )
            )
            .order_by(Note.created_at, Note.id)
        )
    )
    authors = account_queries.names_of([n.author_id for n in notes])
    return render_template(
        "export/notes.html",
        review=review,
        notes=notes,
        authors=authors,
        render_markdown=render_markdown,
    )


def _hypotheses_html(user: User, review: Review, workspace_ids: list[uuid.UUID]) -> str:
    from app.hypotheses.models import Hypothesis
    from app.hypotheses.queries import visible_hypotheses

    rows = db.session.scalars(
        visible_hypotheses(user)
        .where(Hypothesis.review_id == review.id)
        .order_by(Hypothesis.number)
    )
    return render_template(
        "export/hypotheses.html", review=review, hypotheses=list(rows)
    )


def _messages_html(user: User, review: Review, workspace_ids: list[uuid.UUID]) -> str:
    from app.messages.models import HeadlineMessage
    from app.messages.queries import visible_messages

    rows = db.session.scalars(
        visible_messages(user)
        .where(HeadlineMessage.review_id == review.id)
        .order_by(HeadlineMessage.number)
    )
    return render_template("export/messages.html", review=review, messages=list(rows))


def _drafts_html(user: User, review: Review, workspace_ids: list[uuid.UUID]) -> str:
    from app.drafts.models import Draft, DraftVersion
    from app.drafts.queries import visible_drafts

    drafts = list(
        db.session.scalars(
            visible_drafts(user)
            .where(Draft.review_id == review.id)
            .order_by(Draft.created_at)
        )
    )
    current = {
        v.draft_id: v
        for v in db.session.scalars(
            sa.select(DraftVersion).where(
                DraftVersion.draft_id.in_([d.id for d in drafts]),
            )
        )
        if any(d.id == v.draft_id and d.current_version == v.number for d in drafts)
    }
    return render_template(
        "export/drafts.html", review=review, drafts=drafts, current=current
    )


def export_response(
    actor: User, review: Review, workspace_id: uuid.UUID | None
) -> Response:
    scope = export_scope(actor, review, workspace_id)
    archive = build_zip(actor, scope)
    record_export(actor, scope)
    subject = scope.workspaces[0].name if workspace_id else review.title
    filename = f"{safe_name(subject, 80)} export.zip"
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    return Response(
        iter(archive),
        mimetype="application/zip",
        headers={
            # RFC 6266: an ASCII fallback and the UTF-8 name (Welsh letters).
            "Content-Disposition": (
                f'attachment; filename="{ascii_name.replace(chr(34), "")}"; '
                f"filename*=UTF-8''{quote(filename)}"
            ),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
