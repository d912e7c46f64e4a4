"""Drafts and their versions, comments and approvals; the factual-accuracy
comments on issued feedback; a review's publication (the embargo).

A draft is a series of immutable versions. An approval is one inspecting
body's decision on one version: the decisions on the current version are
the draft's ``approvals``, so a new version clears them by being new (the
earlier decisions stay, as the record of what was decided on what).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, IdMixin, str_enum, utcnow
from app.reviews.visibility import Scope

TITLE_MAX = 500
TEXT_MAX = 200_000
NOTE_MAX = 2000
COMMENT_MAX = 20_000
QUOTE_MAX = 2000


class DraftKind(StrEnum):
    FEEDBACK = "feedback"  # to one reviewed party
    REPORT = "report"  # one inspecting body's own report
    PRESS_RELEASE = "press_release"
    OTHER = "other"


class DraftStatus(StrEnum):
    DRAFTING = "drafting"
    AGREED = "agreed"
    ISSUED = "issued"
    # Never stored: a draft reads "published" from its publication's time.
    PUBLISHED = "published"


class Decision(StrEnum):
    APPROVE = "approve"
    NO_OBJECTION = "no_objection"
    CHANGES_REQUESTED = "changes_requested"


class Draft(IdMixin, Base):
    __tablename__ = "drafts"
    __table_args__ = (sa.Index("ix_drafts_listing", "review_id", "created_at", "id"),)

    review_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("reviews.id", ondelete="CASCADE")
    )
    kind: Mapped[DraftKind] = mapped_column(str_enum(DraftKind, "draft_kind"))
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    title_cy: Mapped[str | None] = mapped_column(sa.String(TITLE_MAX))
    # Feedback: the reviewed party's workspace it goes to.
    workspace_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    # The owning inspecting body (its author's).
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    scope: Mapped[Scope] = mapped_column(str_enum(Scope, "artefact_scope"))
    status: Mapped[DraftStatus] = mapped_column(
        str_enum(DraftStatus, "draft_status"), default=DraftStatus.DRAFTING
    )
    current_version: Mapped[int | None]
    agreed_at: Mapped[datetime | None]
    issued_at: Mapped[datetime | None]
    issued_version: Mapped[int | None]
    factual_accuracy_due: Mapped[date | None]
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class DraftVersion(IdMixin, Base):
    """One version: Markdown text (English, Welsh), a stored file, or both."""

    __tablename__ = "draft_versions"
    __table_args__ = (sa.UniqueConstraint("draft_id", "number"),)

    draft_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("drafts.id", ondelete="CASCADE")
    )
    number: Mapped[int]
    text: Mapped[str | None] = mapped_column(sa.Text)
    text_cy: Mapped[str | None] = mapped_column(sa.Text)
    note: Mapped[str | None] = mapped_column(sa.String(NOTE_MAX))
    # The file, in the evidence store (immutable, as evidence versions are).
    file_key: Mapped[str | None] = mapped_column(sa.String(500))
    filename: Mapped[str | None] = mapped_column(sa.String(255))
    media_type: Mapped[str | None] = mapped_column(sa.String(255))
    size: Mapped[int | None] = mapped_column(sa.BigInteger)
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the file was deleted under retention (the text and SHA-256 stay).
    purged_at: Mapped[datetime | None]


class DraftDecision(Base):
    """An inspecting body's decision on one version of a draft."""

    __tablename__ = "draft_decisions"

    draft_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("drafts.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    decision: Mapped[Decision] = mapped_column(str_enum(Decision, "draft_decision"))
    comment: Mapped[str | None] = mapped_column(sa.String(NOTE_MAX))
    by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)


class DraftComment(IdMixin, Base):
    __tablename__ = "draft_comments"
    __table_args__ = (
        sa.Index("ix_draft_comments_listing", "draft_id", "created_at", "id"),
    )

    draft_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("drafts.id", ondelete="CASCADE")
    )
    version: Mapped[int]
    body: Mapped[str] = mapped_column(sa.Text)
    quote: Mapped[str | None] = mapped_column(sa.String(QUOTE_MAX))
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved: Mapped[bool] = mapped_column(default=False)
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    resolved_at: Mapped[datetime | None]


class AccuracyComment(IdMixin, Base):
    """A reviewed party's nominee on the factual accuracy of issued feedback."""

    __tablename__ = "accuracy_comments"
    __table_args__ = (
        sa.Index("ix_accuracy_comments_listing", "draft_id", "created_at", "id"),
    )

    draft_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("drafts.id", ondelete="CASCADE")
    )
    body: Mapped[str] = mapped_column(sa.Text)
    quote: Mapped[str | None] = mapped_column(sa.String(QUOTE_MAX))
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Publication(Base):
    """The review's proposed (then agreed) publication: when, and which
    drafts. ``Review.published_from`` holds its time once every inspecting
    body agrees: the embargo is decided against it at each read."""

    __tablename__ = "publications"

    review_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    publish_at: Mapped[datetime]
    proposed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    agreed_at: Mapped[datetime | None]


class PublicationDraft(Base):
    __tablename__ = "publication_drafts"

    review_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("publications.review_id", ondelete="CASCADE"), primary_key=True
    )
    draft_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("drafts.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class PublicationAgreement(Base):
    __tablename__ = "publication_agreements"

    review_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("publications.review_id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
