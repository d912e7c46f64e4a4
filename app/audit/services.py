"""Recording audit events, inside the caller's transaction.

An event is written in the same transaction as the change it records: it
is held by the session until the commit seals it into the chain
(:mod:`app.audit.chain`), and dropped if the transaction rolls back. So a
change is never committed without its record, nor a record without the
change. ``details`` says what changed (before and after, for updates) and
never holds a password, a token or file content.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Protocol

from flask import has_request_context, request

from app.audit import chain
from app.audit.models import AuditEvent
from app.core.db import db, utcnow


class _HasId(Protocol):
    id: uuid.UUID


# The subject's type as the API names it; any other model is named in
# snake case (``DraftComment`` -> ``draft_comment``).
SUBJECT_TYPES = {
    "EvidenceItem": "evidence",
    "EvidenceRequest": "request",
    "HeadlineMessage": "message",
    "Session": "session",
}


def subject_type(target: object) -> str:
    name = type(target).__name__
    return SUBJECT_TYPES.get(name) or re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def record(
    action: str,
    *,
    actor: Any | None,
    review_id: uuid.UUID | None = None,
    workspace_id: uuid.UUID | None = None,
    target: _HasId | None = None,
    details: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Record ``action``, to be sealed into the chain when the caller commits.

    The review and workspace default to the target's own, where it has them.
    """
    if review_id is None:
        review_id = getattr(target, "review_id", None)
    if workspace_id is None:
        workspace_id = getattr(target, "workspace_id", None)
    if ip_address is None and has_request_context():
        # The client's address (after ProxyFix, where proxies are trusted):
        # where an action came from is part of what it was.
        ip_address = request.remote_addr
    event = AuditEvent(
        id=uuid.uuid4(),
        occurred_at=utcnow(),
        action=action,
        actor_id=actor.id if actor is not None else None,
        actor_name=getattr(actor, "name", None) if actor is not None else None,
        review_id=review_id,
        workspace_id=workspace_id,
        subject_type=subject_type(target) if target is not None else None,
        subject_id=target.id if target is not None else None,
        details=details or {},
        ip_address=ip_address,
    )
    if not db.session.in_transaction():
        # The event belongs to a transaction: begun now if need be, so that
        # a rollback before any other work drops it too.
        db.session.connection()
    chain.add_pending(db.session, event)
    return event
