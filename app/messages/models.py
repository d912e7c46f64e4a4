"""Headline messages, what they rest on, and each inspecting body's agreement."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, IdMixin, utcnow

TEXT_MAX = 5000
# Evidence items or hypotheses linked to one message, at most.
LINKS_MAX = 200


class MessageStatus(StrEnum):
    """Computed, never stored: ``agreed`` when every inspecting party of the
    review agrees to the text as it stands."""

    PROPOSED = "proposed"
    AGREED = "agreed"


class HeadlineMessage(IdMixin, Base):
    __tablename__ = "headline_messages"
    __table_args__ = (sa.UniqueConstraint("review_id", "number"),)

    review_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("reviews.id", ondelete="CASCADE")
    )
    # 1, 2, 3, ... in the order made, per review (the unique constraint
    # serves the register's order too).
    number: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    text_cy: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class MessageEvidence(Base):
    __tablename__ = "message_evidence"

    message_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("headline_messages.id", ondelete="CASCADE"), primary_key=True
    )
    evidence_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("evidence_items.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    )


class MessageHypothesis(Base):
    __tablename__ = "message_hypotheses"

    message_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("headline_messages.id", ondelete="CASCADE"), primary_key=True
    )
    hypothesis_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("hypotheses.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    )


class MessageAgreement(Base):
    """One inspecting body's agreement to a message's text as it stood: a
    change of the text removes every one."""

    __tablename__ = "message_agreements"

    message_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("headline_messages.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), primary_key=True
    )
    # The lead officer who agreed for the body.
    by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
