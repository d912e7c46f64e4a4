"""The hash chain: sealing events into it at commit, and checking it.

``hash = sha256(prev_hash + canonical JSON of the event without hash)``,
over the event exactly as the API returns it (``api-v1-records.md``), so
anyone holding an export of the trail can check it without the portal.

Events are sealed in the session's ``before_commit``: the chain's tail is
locked (a transaction-level advisory lock on PostgreSQL; SQLite's single
writer lock, which every writing transaction holds, does it there), read,
and the pending events are numbered and hashed after it. The lock is held
only from then until the commit, so concurrent writers queue for
milliseconds, not for their whole transaction. An event recorded in a
transaction that rolls back is dropped with it: it never reaches the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent

GENESIS = "0" * 64
PENDING = "portal_audit_pending"
# An advisory-lock number for the chain's tail (the migrations use another).
CHAIN_LOCK_ID = 0x61_75_64_74


def format_time(value: datetime) -> str:
    """An event's time as the API writes it: UTC, to the microsecond."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _id(value: Any) -> str | None:
    return str(value) if value is not None else None


def document(event: AuditEvent) -> dict[str, Any]:
    """The event as the API returns it, without ``hash``: what is hashed."""
    return {
        "id": str(event.id),
        "seq": event.seq,
        "at": format_time(event.occurred_at),
        "actor_id": _id(event.actor_id),
        "actor_name": event.actor_name,
        "action": event.action,
        "review_id": _id(event.review_id),
        "workspace_id": _id(event.workspace_id),
        "subject": (
            {"type": event.subject_type, "id": _id(event.subject_id)}
            if event.subject_type is not None
            else None
        ),
        "details": event.details or {},
        "client_ip": event.ip_address,
        "prev_hash": event.prev_hash,
    }


def event_hash(prev_hash: str, doc: dict[str, Any]) -> str:
    canonical = json.dumps(
        doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def add_pending(session: Session, event: AuditEvent) -> None:
    session.info.setdefault(PENDING, []).append(event)


def _tail(session: Session) -> tuple[int, str]:
    row = session.execute(
        sa.select(AuditEvent.seq, AuditEvent.hash)
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row is not None else (0, GENESIS)


def seal(session: Session) -> None:
    """Number, chain and add the events recorded in this transaction."""
    pending: list[AuditEvent] = session.info.pop(PENDING, [])
    if not pending:
        return
    # Everything else of the transaction is written first, so that its row
    # locks are all taken before the chain's lock: a transaction waiting for
    # the chain then never holds a row another needs to reach it (deadlock).
    session.flush()
    bind = session.connection()
    if bind.dialect.name == "postgresql":
        bind.execute(
            sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": CHAIN_LOCK_ID}
        )
    seq, prev = _tail(session)
    for event in pending:
        seq += 1
        event.seq = seq
        event.prev_hash = prev
        event.details = _plain(event.details or {})
        event.hash = prev = event_hash(prev, document(event))
        session.add(event)


def _plain(details: dict[str, Any]) -> dict[str, Any]:
    # What the JSON column gives back: the hash is over what is stored.
    loaded: dict[str, Any] = json.loads(json.dumps(details, default=str))
    return loaded


def _drop_pending(session: Session, *_args: Any) -> None:
    session.info.pop(PENDING, None)


def install(session_class: type[Session] = Session) -> None:
    """Seal on every commit, drop on every rollback (once per process)."""
    if not sa.event.contains(session_class, "before_commit", seal):
        sa.event.listen(session_class, "before_commit", seal)
        sa.event.listen(session_class, "after_soft_rollback", _drop_pending)


@dataclass(frozen=True)
class Verdict:
    checked: int
    first_bad_seq: int | None
    head_hash: str
    reason: str | None = None

    @property
    def whole(self) -> bool:
        return self.first_bad_seq is None


def verify(session: Session, batch: int = 5000) -> Verdict:
    """Recompute the chain from the first event, in ``seq`` order.

    An edited event fails its own hash; a deleted one leaves a gap in
    ``seq`` (or, renumbered, a ``prev_hash`` that no longer matches); an
    inserted one cannot take a used ``seq`` (unique) and breaks the links
    around it however it is numbered.
    """
    expected_seq, prev, checked = 1, GENESIS, 0
    for event in _in_order(session, batch):
        checked += 1
        if event.seq != expected_seq:
            return Verdict(checked, expected_seq, prev, "missing event")
        if event.prev_hash != prev:
            return Verdict(checked, event.seq, prev, "prev_hash does not match")
        if event.hash != event_hash(prev, document(event)):
            return Verdict(checked, event.seq, prev, "hash does not match")
        prev = event.hash
        expected_seq += 1
    return Verdict(checked, None, prev)


def _in_order(session: Session, batch: int) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = list(
            session.scalars(
                sa.select(AuditEvent)
                .where(AuditEvent.seq > last)
                .order_by(AuditEvent.seq)
                .limit(batch)
                # What the database holds now, never a copy the session kept.
                .execution_options(populate_existing=True)
            )
        )
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
