"""Evidence items and the immutable files stored for them."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.db import Base, IdMixin, str_enum, utcnow
from app.reviews.models import Workspace


class Classification(StrEnum):
    """Government Security Classifications marking, shown wherever the item is."""

    OFFICIAL = "OFFICIAL"
    OFFICIAL_SENSITIVE = "OFFICIAL-SENSITIVE"


def reference_prefix(slug: str) -> str:
    """The letters an organisation's evidence references start with
    (``erw`` -> ``ERW``), fixed when each item is numbered."""
    letters = re.sub(r"[^A-Z0-9]", "", slug.upper())[:8]
    return letters or "EV"


class EvidenceItem(IdMixin, Base):
    """A document in a workspace. Its files are versions, never overwritten."""

    __tablename__ = "evidence_items"
    __table_args__ = (
        # The evidence list: newest first within a workspace, keyset-paginated.
        sa.Index(
            "ix_evidence_items_workspace_listing",
            "workspace_id",
            "uploaded_at",
            "id",
        ),
        # The reading figures: a review's live items per workspace, and its
        # few withdrawn ones, each counted from this index alone.
        sa.Index(
            "ix_evidence_items_review_live",
            "review_id",
            "withdrawn_at",
            "workspace_id",
        ),
        # References are cited in notes and reports: unique in the review.
        sa.UniqueConstraint("review_id", "number"),
        sa.UniqueConstraint("review_id", "reference"),
    )

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("workspaces.id", ondelete="RESTRICT")
    )
    # The workspace's review (it never moves): numbering is per review.
    review_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("reviews.id", ondelete="RESTRICT")
    )
    number: Mapped[int]
    # e.g. ERW-014: the uploading party's letters and the review's number.
    reference: Mapped[str] = mapped_column(sa.String(32))
    # When the document was produced (not when it was uploaded).
    effective_date: Mapped[date | None]
    classification: Mapped[Classification] = mapped_column(
        str_enum(Classification, "classification"),
        default=Classification.OFFICIAL,
    )
    personal_data: Mapped[bool] = mapped_column(default=False)
    title: Mapped[str] = mapped_column(sa.String(500))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The request of the workspace's request list that this item answers.
    request_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("evidence_requests.id", ondelete="RESTRICT"), index=True
    )
    # Withdrawn items leave every list but stay for the audit trail.
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    workspace: Mapped[Workspace] = relationship()
    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])
    files: Mapped[list[EvidenceFile]] = relationship(
        back_populates="item", order_by="EvidenceFile.version"
    )
    theme_rows: Mapped[list[EvidenceTheme]] = relationship(
        order_by="EvidenceTheme.theme", cascade="all, delete-orphan"
    )

    @property
    def themes(self) -> list[str]:
        return [row.theme for row in self.theme_rows]

    @property
    def version(self) -> int:
        return self.current_file.version

    def download_name(self, stored_file: EvidenceFile | None = None) -> str:
        """The name a download is saved under: reference, marking, file name
        (``ERW-014 OFFICIAL-SENSITIVE minutes.pdf``)."""
        stored_file = stored_file or self.current_file
        prefix = f"{self.reference} {self.classification.value} "
        name = stored_file.filename
        room = 255 - len(prefix.encode())
        if len(name.encode()) > room:
            stem, dot, extension = name.rpartition(".")
            if not dot or len(extension) > 16:
                stem, extension = name, ""
            tail = f".{extension}" if extension else ""
            keep = room - len(tail.encode())
            stem = stem.encode()[:keep].decode(errors="ignore")
            name = stem + tail
        return prefix + name

    @property
    def current_file(self) -> EvidenceFile:
        return self.files[-1]

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class EvidenceTheme(Base):
    """One theme an item is filed under (e.g. "Leadership", "Safeguarding")."""

    __tablename__ = "evidence_themes"
    __table_args__ = (sa.Index("ix_evidence_themes_theme", "theme"),)

    item_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("evidence_items.id", ondelete="CASCADE"), primary_key=True
    )
    theme: Mapped[str] = mapped_column(sa.String(100), primary_key=True)


class EvidenceFile(IdMixin, Base):
    """One stored file: the bytes live in the evidence store under ``storage_key``."""

    __tablename__ = "evidence_files"
    __table_args__ = (sa.UniqueConstraint("item_id", "version"),)

    item_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("evidence_items.id", ondelete="RESTRICT")
    )
    version: Mapped[int] = mapped_column(default=1)
    # Generated by the store, never derived from what the user sent.
    storage_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The user's name for the file: display metadata only.
    filename: Mapped[str] = mapped_column(sa.String(255))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    media_type: Mapped[str] = mapped_column(sa.String(127))
    claimed_media_type: Mapped[str | None] = mapped_column(sa.String(255))
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the content was deleted under retention: the row stays on record.
    purged_at: Mapped[datetime | None]

    item: Mapped[EvidenceItem] = relationship(back_populates="files")


class EvidenceRead(Base):
    """An inspecting member has opened the item (its page, or any version's
    content): when first. The readers of an item."""

    __tablename__ = "evidence_reads"

    evidence_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("evidence_items.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # The reader's inspecting body when they first read it.
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL")
    )
    first_read_at: Mapped[datetime] = mapped_column(default=utcnow)


class EvidenceBodyRead(Base):
    """At least one member of this inspecting body has read the item: one
    row per (item, body), so "read by Estyn 34 of 50" counts rows of an
    index, however many times each item was read."""

    __tablename__ = "evidence_body_reads"
    __table_args__ = (
        sa.Index(
            "ix_evidence_body_reads_figures",
            "review_id",
            "workspace_id",
            "organisation_id",
        ),
    )

    evidence_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("evidence_items.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    review_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("reviews.id", ondelete="CASCADE")
    )
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("workspaces.id", ondelete="CASCADE")
    )
    first_read_at: Mapped[datetime] = mapped_column(default=utcnow)
