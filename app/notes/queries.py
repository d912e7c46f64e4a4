"""Reads of notes, always through :func:`visible_notes` (the scopes' rule)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from flask import url_for

from app.accounts.models import User
from app.core.api import Page, paginate
from app.core.db import db
from app.core.errors import NotFound
from app.core.sanitize import references_in
from app.notes.models import Note, NoteMention, NoteVersion, SubjectType
from app.notifications.queries import subject_filter
from app.reviews.models import Review
from app.reviews.visibility import Scope, visible_clause


def visible_notes(user: User) -> sa.Select[tuple[Note]]:
    """Notes not deleted, in scopes the user may see."""
    return sa.select(Note).where(
        Note.deleted_at.is_(None),
        visible_clause(
            user,
            review_id=Note.review_id,
            scope=Note.scope,
            workspace_id=Note.workspace_id,
            organisation_id=Note.organisation_id,
        ),
    )


@subject_filter("note")
def visible_note_ids(user: User) -> sa.Select[Any]:
    return visible_notes(user).with_only_columns(Note.id)


def get_visible_note_or_404(user: User, note_id: uuid.UUID) -> Note:
    note = db.session.scalars(
        visible_notes(user).where(Note.id == note_id)
    ).one_or_none()
    if note is None:
        raise NotFound()
    return note


def list_notes(
    user: User,
    review: Review,
    page: dict[str, Any],
    *,
    subject_type: SubjectType | None = None,
    subject_id: uuid.UUID | None = None,
    scope: Scope | None = None,
    workspace_id: uuid.UUID | None = None,
) -> Page:
    """The review's notes the user may see, oldest first, filtered."""
    stmt = visible_notes(user).where(Note.review_id == review.id)
    if subject_type is not None:
        stmt = stmt.where(Note.subject_type == subject_type)
    if subject_id is not None:
        stmt = stmt.where(Note.subject_id == subject_id)
    if scope is not None:
        stmt = stmt.where(Note.scope == scope)
    if workspace_id is not None:
        stmt = stmt.where(Note.workspace_id == workspace_id)
    return paginate(
        db.session,
        stmt,
        order=[Note.created_at, Note.id],
        descending=False,
        page=page,
        list_name=f"notes:{review.id}",
    )


def versions_of(note: Note) -> list[NoteVersion]:
    return list(
        db.session.scalars(
            sa.select(NoteVersion)
            .where(NoteVersion.note_id == note.id)
            .order_by(NoteVersion.at, NoteVersion.id)
        )
    )


def mentions_of(notes: list[Note]) -> dict[uuid.UUID, list[uuid.UUID]]:
    found: dict[uuid.UUID, list[uuid.UUID]] = {n.id: [] for n in notes}
    if notes:
        rows = db.session.execute(
            sa.select(NoteMention.note_id, NoteMention.user_id)
            .where(NoteMention.note_id.in_(list(found)))
            .order_by(NoteMention.note_id, NoteMention.user_id)
        )
        for note_id, user_id in rows:
            found[note_id].append(user_id)
    return found


def reference_links(
    reader: User, review_id: uuid.UUID, texts: list[str]
) -> dict[str, str]:
    """Evidence references in ``texts`` that ``reader`` may open: reference
    -> the item's page. One query for a whole list of notes."""
    from app.evidence.models import EvidenceItem
    from app.evidence.queries import visible_evidence

    wanted = set().union(*(references_in(t) for t in texts)) if texts else set()
    if not wanted:
        return {}
    rows = db.session.execute(
        visible_evidence(reader)
        .where(
            EvidenceItem.review_id == review_id,
            EvidenceItem.reference.in_(sorted(wanted)),
        )
        .with_only_columns(EvidenceItem.reference, EvidenceItem.id)
    )
    return {
        reference: url_for("evidence.item", evidence_id=item_id)
        for reference, item_id in rows
    }
