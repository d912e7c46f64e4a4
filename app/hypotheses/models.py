"""Hypotheses, their history and their evidence."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, IdMixin, str_enum, utcnow
from app.reviews.visibility import Scope

STATEMENT_MAX = 2000
REASON_MAX = 2000
THEME_MAX = 200


class HypothesisStatus(StrEnum):
    EMERGING = "emerging"
    SUPPORTED = "supported"
    PARTLY_SUPPORTED = "partly_supported"
    NOT_SUPPORTED = "not_supported"
    SET_ASIDE = "set_aside"


class Hypothesis(IdMixin, Base):
    __tablename__ = "hypotheses"
    __table_args__ = (
        sa.UniqueConstraint("review_id", "number"),
        sa.Index("ix_hypotheses_register", "review_id", "number"),
    )

    review_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("reviews.id", ondelete="CASCADE")
    )
    # H-001, H-002, ... in the order made, per review.
    number: Mapped[int]
    statement: Mapped[str] = mapped_column(sa.Text)
    statement_cy: Mapped[str | None] = mapped_column(sa.Text)
    theme: Mapped[str | None] = mapped_column(sa.String(THEME_MAX))
    workspace_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("workspaces.id", ondelete="SET NULL"), index=True
    )
    scope: Mapped[Scope] = mapped_column(str_enum(Scope, "artefact_scope"))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    status: Mapped[HypothesisStatus] = mapped_column(
        str_enum(HypothesisStatus, "hypothesis_status"),
        default=HypothesisStatus.EMERGING,
    )
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def reference(self) -> str:
        return f"H-{self.number:03d}"


class HypothesisChange(IdMixin, Base):
    """One entry of a hypothesis' history: its status and statement after a
    change, who made it and why (the first entry is its making)."""

    __tablename__ = "hypothesis_changes"
    __table_args__ = (
        sa.Index("ix_hypothesis_changes_history", "hypothesis_id", "at", "id"),
    )

    hypothesis_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("hypotheses.id", ondelete="CASCADE")
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    status: Mapped[HypothesisStatus] = mapped_column(
        str_enum(HypothesisStatus, "hypothesis_status")
    )
    statement: Mapped[str] = mapped_column(sa.Text)
    reason: Mapped[str | None] = mapped_column(sa.Text)


class HypothesisEvidence(Base):
    __tablename__ = "hypothesis_evidence"

    hypothesis_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("hypotheses.id", ondelete="CASCADE"), primary_key=True
    )
    evidence_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("evidence_items.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    )
