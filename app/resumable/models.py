"""Upload sessions: a large file arriving part by part, and its parts."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, IdMixin, str_enum, utcnow
from app.reviews.models import Workspace


class UploadStatus(StrEnum):
    OPEN = "open"  # taking parts
    COMPLETING = "completing"  # being joined and committed: no more parts


class UploadSession(IdMixin, Base):
    """A resumable upload begun by one user into one workspace.

    The bytes live in the evidence store as an unfinished multipart object
    (``storage_key``, ``store_upload_id``); the rows say which parts have
    arrived. Only its owner sees it; it ends when completed, cancelled or
    purged after ``expires_at``.
    """

    __tablename__ = "upload_sessions"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(255))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    # What the client says the whole file's SHA-256 is (lowercase hex).
    sha256: Mapped[str] = mapped_column(sa.String(64))
    part_size: Mapped[int] = mapped_column(sa.BigInteger)
    part_count: Mapped[int]
    # Sniffed from the start of part 1, when it arrives.
    media_type: Mapped[str | None] = mapped_column(sa.String(255))
    storage_key: Mapped[str] = mapped_column(sa.String(32))
    store_upload_id: Mapped[str] = mapped_column(sa.String(1024))
    status: Mapped[UploadStatus] = mapped_column(
        str_enum(UploadStatus, "upload_status"), default=UploadStatus.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)

    workspace: Mapped[Workspace] = relationship()
    parts: Mapped[list[UploadPart]] = relationship(
        order_by="UploadPart.number",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def part_length(self, number: int) -> int:
        """The exact size of part ``number`` (1..part_count)."""
        if number < self.part_count:
            return self.part_size
        return self.size - self.part_size * (self.part_count - 1)

    @property
    def received(self) -> list[int]:
        return sorted(part.number for part in self.parts)


class UploadPart(Base):
    """One part that has arrived (the last one put, if sent again)."""

    __tablename__ = "upload_parts"

    session_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("upload_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    # The store's handle of these bytes, to name the part at completion.
    etag: Mapped[str] = mapped_column(sa.String(1024))
    checksum: Mapped[str] = mapped_column(sa.String(64), default="")
    # The running SHA-256 state after parts 1..number, when they were hashed
    # in order as they arrived (evidence_store.sha256state); None when not.
    sha256_state: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
