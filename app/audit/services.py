"""Recording audit events, inside the caller's transaction.

An event is added to the current session and committed with the change it
describes: a change is never committed without its record, nor the record
without the change.
"""

from __future__ import annotations

import uuid
from typing import Any, Protocol

from app.audit.models import AuditEvent
from app.core.db import db


class _HasId(Protocol):
    id: uuid.UUID


def record(
    action: str,
    *,
    actor: _HasId | None,
    review_id: uuid.UUID | None = None,
    target: _HasId | None = None,
    details: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        review_id=review_id,
        target_type=type(target).__name__ if target is not None else None,
        target_id=target.id if target is not None else None,
        details=details or {},
        ip_address=ip_address,
    )
    db.session.add(event)
    return event
