"""The e-mail outbox: rows that say a message is owed, each sent once.

Reminders about requests (``app/intake``) and notifications
(``app/notifications``) are both rows with an :class:`OutboxState`, a claim
lease and a count of attempts, recorded in the same transaction as the
change that owes them. A sender *claims* a row (a conditional UPDATE: one
winner) before sending, then *finishes* it; two senders at once never send a
row twice, and a row whose sending failed stays pending for the next run of
``flask --app wsgi send-reminders``.
"""

from __future__ import annotations

import smtplib
import uuid
from datetime import timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from app.core.db import begin_write, db, utcnow

CLAIM_LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 8
# Failures of the connection itself: the rest of the run would fail alike.
CONNECTION_ERRORS = (
    OSError,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPHeloError,
    smtplib.SMTPNotSupportedError,
)


class OutboxState(StrEnum):
    PENDING = "pending"  # to send (again, after a failed attempt)
    SENT = "sent"
    SKIPPED = "skipped"  # no longer wanted: the reader left the review, ...
    FAILED = "failed"  # gave up after too many attempts


def claim(model: Any, row_id: uuid.UUID) -> bool:
    """Take the row for this sender; False if another has it or it is done.

    ``model`` has the outbox columns: ``state``, ``claimed_until``,
    ``attempts``, ``sent_at`` and ``last_error``."""
    now = utcnow()
    begin_write(db.session)
    claimed = db.session.execute(
        sa.update(model)
        .where(
            model.id == row_id,
            model.state == OutboxState.PENDING,
            sa.or_(model.claimed_until.is_(None), model.claimed_until < now),
        )
        .values(claimed_until=now + CLAIM_LEASE, attempts=model.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return claimed.rowcount == 1


def finish(
    model: Any, row_id: uuid.UUID, state: OutboxState, error: str | None = None
) -> None:
    """Record how a claimed row ended, and release the claim."""
    values: dict[str, Any] = {"state": state, "claimed_until": None}
    if state is OutboxState.SENT:
        values["sent_at"] = utcnow()
    if error is not None:
        values["last_error"] = error[:500]
    begin_write(db.session)
    db.session.execute(
        sa.update(model)
        .where(model.id == row_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
