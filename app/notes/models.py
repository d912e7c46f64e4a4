"""Notes: Markdown written by the inspectors (and, in their workspace, the
reviewed party), on the review or on one thing in it, in a visibility scope."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, IdMixin, str_enum, utcnow
from app.reviews.visibility import Scope

BODY_MAX = 20_000


class SubjectType(StrEnum):
    """What a note is about (``{"type", "id"}`` in the API)."""

    REVIEW = "review"
    WORKSPACE = "workspace"
    EVIDENCE = "evidence"
    REQUEST = "request"
    SESSION = "session"
    HYPOTHESIS = "hypothesis"


class Note(IdMixin, Base):
    __tablename__ = "notes"
    __table_args__ = (
        # A subject's notes, oldest first, keyset-paginated.
        sa.Index(
            "ix_notes_subject",
            "review_id",
            "subject_type",
            "subject_id",
            "created_at",
            "id",
        ),
        sa.Index("ix_notes_review_listing", "review_id", "created_at", "id"),
    )

    review_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("reviews.id", ondelete="CASCADE")
    )
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(sa.Text)
    scope: Mapped[Scope] = mapped_column(str_enum(Scope, "artefact_scope"))
    workspace_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    # The author's inspecting organisation, for scope ``body``.
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    subject_type: Mapped[SubjectType] = mapped_column(
        str_enum(SubjectType, "note_subject")
    )
    subject_id: Mapped[uuid.UUID]
    reply_to_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("notes.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited: Mapped[bool] = mapped_column(default=False)
    # Deleted notes answer 404 to everyone; the row stays for the audit
    # trail and so that replies keep their place in the thread.
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )


class NoteVersion(IdMixin, Base):
    """Every text a note has had, the first included (its history)."""

    __tablename__ = "note_versions"
    __table_args__ = (sa.Index("ix_note_versions_note", "note_id", "at", "id"),)

    note_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("notes.id", ondelete="CASCADE")
    )
    body: Mapped[str] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class NoteMention(Base):
    __tablename__ = "note_mentions"

    note_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
