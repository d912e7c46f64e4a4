"""A notification: something that happened that one user should know of."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, IdMixin, str_enum, utcnow
from app.core.outbox import OutboxState


class NotificationKind(StrEnum):
    MENTION = "mention"
    REPLY = "reply"  # to your note
    DRAFT_VERSION = "draft_version"
    APPROVAL = "approval"
    AGREED = "agreed"
    ISSUED = "issued"
    ACCURACY_COMMENT = "accuracy_comment"
    PUBLISHED = "published"


class Notification(IdMixin, Base):
    """In the portal until read; by e-mail once (``state`` and the columns
    after it are the outbox's, ``app/core/outbox.py``)."""

    __tablename__ = "notifications"
    __table_args__ = (
        # Once each: the same happening never notifies the same person twice
        # (``occasion`` tells happenings of one kind on one subject apart:
        # a draft's third version from its second).
        sa.UniqueConstraint(
            "user_id", "kind", "subject_type", "subject_id", "occasion"
        ),
        sa.Index("ix_notifications_listing", "user_id", "created_at", "id"),
        sa.Index("ix_notifications_state", "state"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE")
    )
    kind: Mapped[NotificationKind] = mapped_column(
        str_enum(NotificationKind, "notification_kind")
    )
    review_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("reviews.id", ondelete="CASCADE"), index=True
    )
    # "note", "draft", "message" or "review".
    subject_type: Mapped[str] = mapped_column(sa.String(32))
    subject_id: Mapped[uuid.UUID]
    occasion: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    actor_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # Listed and sent from this time, not before (a publication's notice
    # is made when it is agreed, dated at its embargo's end).
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    # The e-mail.
    state: Mapped[OutboxState] = mapped_column(
        str_enum(OutboxState, "notice_state"), default=OutboxState.PENDING
    )
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    sent_at: Mapped[datetime | None]
