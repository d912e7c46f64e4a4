"""Evidence requests: what the inspectors ask each reviewed party for."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.db import Base, IdMixin, str_enum, utcnow
from app.evidence.models import EvidenceItem
from app.reviews.models import Workspace


class RequestStatus(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"  # evidence attached, waiting for the inspectors
    ACCEPTED = "accepted"
    RETURNED = "returned"  # sent back with a reason: open again
    WITHDRAWN = "withdrawn"  # no longer wanted

    @property
    def is_finished(self) -> bool:
        """Accepted or withdrawn: no more evidence, no more changes."""
        return self in (RequestStatus.ACCEPTED, RequestStatus.WITHDRAWN)


class RequestAssignee(Base):
    """A member of the reviewed party given a request to answer."""

    __tablename__ = "request_assignees"

    request_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("evidence_requests.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )


class EvidenceRequest(IdMixin, Base):
    """One item of a workspace's request list, numbered R-001, R-002, ..."""

    __tablename__ = "evidence_requests"
    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "number"),
        # Progress counts (app/intake/progress.py) read only this index.
        sa.Index("ix_evidence_requests_progress", "workspace_id", "status", "due_date"),
    )

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("workspaces.id", ondelete="RESTRICT")
    )
    number: Mapped[int]
    # Requests sent to every workspace of a review at once share a batch.
    batch_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    title_cy: Mapped[str | None] = mapped_column(sa.String(500))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    theme: Mapped[str | None] = mapped_column(sa.String(200))
    due_date: Mapped[date | None]
    status: Mapped[RequestStatus] = mapped_column(
        str_enum(RequestStatus, "request_status"), default=RequestStatus.OPEN
    )
    # Why it was last returned (kept when it is submitted again).
    return_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None]

    workspace: Mapped[Workspace] = relationship()
    # The evidence that answers it (withdrawn items left out).
    evidence: Mapped[list[EvidenceItem]] = relationship(
        primaryjoin="and_(EvidenceItem.request_id == EvidenceRequest.id, "
        "EvidenceItem.withdrawn_at.is_(None))",
        order_by="EvidenceItem.uploaded_at",
        viewonly=True,
    )

    assignees: Mapped[list[User]] = relationship(
        secondary="request_assignees",
        primaryjoin="EvidenceRequest.id == RequestAssignee.request_id",
        secondaryjoin="User.id == RequestAssignee.user_id",
        order_by="User.name",
        viewonly=True,
    )

    @property
    def assignee_ids(self) -> list[uuid.UUID]:
        return [user.id for user in self.assignees]

    @property
    def evidence_ids(self) -> list[uuid.UUID]:
        return [item.id for item in self.evidence]

    @property
    def ref(self) -> str:
        return f"R-{self.number:03d}"
