"""E-mail notices about evidence requests: one row per message, sent once.

A notice is recorded before it is sent, in the same transaction as whatever
caused it (a request made or returned) or by ``send-reminders`` (the
date-based reminders). Its unique key, (request, recipient, kind,
occasion), is what makes every reminder go out once:

- ``made``: occasion ``""``: once per request and person, whether they
  heard of it as a nominee when it was made or when it was given to them;
- ``due_in_5``, ``due_in_2``, ``due_today``, ``overdue``: the due date
  (ISO): if the due date moves, the reminders for the new date go again;
- ``returned``: the moment of the return, so every return is told once.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, IdMixin, str_enum, utcnow
from app.core.outbox import OutboxState


class NoticeKind(StrEnum):
    MADE = "made"  # a new request, or newly given to someone
    DUE_IN_5 = "due_in_5"  # due in 3 to 5 days
    DUE_IN_2 = "due_in_2"  # due in 1 or 2 days
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"  # once, the first run after the due date
    RETURNED = "returned"  # with the inspectors' reason

    @property
    def is_dated(self) -> bool:
        return self in DATED_KINDS


DATED_KINDS = frozenset(
    {
        NoticeKind.DUE_IN_5,
        NoticeKind.DUE_IN_2,
        NoticeKind.DUE_TODAY,
        NoticeKind.OVERDUE,
    }
)


# The outbox's states, shared with notifications (app/core/outbox.py).
NoticeState = OutboxState


class RequestNotice(IdMixin, Base):
    __tablename__ = "request_notices"
    __table_args__ = (
        sa.UniqueConstraint("request_id", "user_id", "kind", "occasion"),
        sa.Index("ix_request_notices_state", "state"),
    )

    request_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("evidence_requests.id", ondelete="CASCADE")
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[NoticeKind] = mapped_column(str_enum(NoticeKind, "notice_kind"))
    # What makes this notice different from an earlier one of the same kind
    # (see the module's doc): "" , a due date, or the moment of a return.
    occasion: Mapped[str] = mapped_column(sa.String(40), default="")
    state: Mapped[NoticeState] = mapped_column(
        str_enum(NoticeState, "notice_state"), default=NoticeState.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A sender owns the notice until then (two runs never send one twice).
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    sent_at: Mapped[datetime | None]
