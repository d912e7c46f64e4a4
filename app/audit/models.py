"""The audit trail: an append-only, hash-chained record of who did what, and when.

Each event carries ``seq`` (1, 2, 3, ... with no gaps), ``prev_hash`` (the
``hash`` of the event before it; 64 zeros for the first) and ``hash``, the
SHA-256 of ``prev_hash`` and the event as the API shows it
(:func:`app.audit.chain.document`). Editing, deleting or inserting a row
breaks the chain from that row on, which ``flask --app wsgi verify-audit``
finds. The columns hold what the API shows, as it was when written (the
actor's name too): nothing is looked up later, so nothing can drift.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, IdMixin, utcnow


class AuditEvent(IdMixin, Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_review_seq", "review_id", "seq"),
        sa.Index("ix_audit_events_subject", "subject_id"),
    )

    # Set when the event is sealed into the chain, at commit: an event is
    # added to the session only then (app/audit/chain.py).
    seq: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    # No foreign keys: the trail outlives the users, reviews and items it names.
    actor_id: Mapped[uuid.UUID | None]
    actor_name: Mapped[str | None] = mapped_column(sa.String(200))
    action: Mapped[str] = mapped_column(sa.String(64))
    review_id: Mapped[uuid.UUID | None]
    workspace_id: Mapped[uuid.UUID | None]
    subject_type: Mapped[str | None] = mapped_column(sa.String(32))
    subject_id: Mapped[uuid.UUID | None]
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))
