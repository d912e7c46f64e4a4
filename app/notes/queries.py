"""Reads of notes, always through :func:`visible_notes` (the scopes' rule)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from flask import url_for

from app.accounts import queries as account_queries
from app.accounts.models import User
from app.core.api import Page, paginate
from app.core.db import db
from app.core.errors import NotFound
from app.core.sanitize import references_in, render_markdown
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


def note_views(reader: User, notes: list[Note]) -> list[dict[str, Any]]:
    """The notes as ``reader`` sees them: evidence references linked only
    where the reader may open the item (one query for the whole list)."""
    if not notes:
        return []
    links: dict[str, str] = {}
    for review_id in {n.review_id for n in notes}:
        links.update(
            reference_links(
                reader, review_id, [n.body for n in notes if n.review_id == review_id]
            )
        )
    names = account_queries.names_of([n.author_id for n in notes])
    mentions = mentions_of(notes)
    return [
        {
            "id": n.id,
            "review_id": n.review_id,
            "author_id": n.author_id,
            "author_name": names.get(n.author_id, "") if n.author_id else "",
            "body": n.body,
            # Markup: safe to put on a page as it is (sanitised for this reader).
            "html": render_markdown(n.body, links.get),
            "scope": n.scope.value,
            "workspace_id": n.workspace_id,
            "organisation_id": n.organisation_id,
            "subject": {"type": n.subject_type.value, "id": n.subject_id},
            "reply_to": n.reply_to_id,
            "mentions": mentions[n.id],
            "created_at": n.created_at,
            "updated_at": n.updated_at,
            "edited": n.edited,
        }
        for n in notes
    ]
