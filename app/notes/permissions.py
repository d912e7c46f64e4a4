"""Who may change or delete a note (who sees it: ``queries.visible_notes``)."""

from __future__ import annotations

from app.accounts.models import User
from app.core.db import db
from app.core.permissions import Role
from app.notes.models import Note
from app.reviews.visibility import Viewer


def can_edit(user: User, note: Note) -> bool:
    """Its author only."""
    return note.author_id is not None and note.author_id == user.id


def can_delete(user: User, viewer: Viewer, note: Note) -> bool:
    """Its author, or a lead officer of the author's organisation."""
    if can_edit(user, note):
        return True
    if viewer.role is not Role.LEAD_OFFICER or note.author_id is None:
        return False
    author = db.session.get(User, note.author_id)
    return (
        author is not None
        and author.organisation_id is not None
        and author.organisation_id == user.organisation_id
    )
