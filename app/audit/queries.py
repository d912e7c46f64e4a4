"""Reading the audit trail: a review's (its lead officers, administrators)
and the whole portal's (administrators), filtered, newest first."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import User
from app.audit import chain
from app.audit.models import AuditEvent
from app.core.api import Page, paginate
from app.core.db import db
from app.core.errors import Forbidden
from app.core.i18n import _
from app.core.permissions import Capability, has_capability
from app.reviews import queries as review_queries
from app.reviews.models import Review

# What a reading of an item is: its page or record opened, a version downloaded.
READINGS = ("evidence.viewed", "evidence.downloaded")


def may_view_review_trail(user: User, review: Review) -> bool:
    role = review_queries.role_in(user, review.id)
    return user.is_admin or has_capability(role, Capability.VIEW_AUDIT)


def require_review_trail(user: User, review_id: uuid.UUID) -> Review:
    """The review whose trail ``user`` may read: 404 if they cannot see the
    review, 403 for a member who is not one of its lead officers."""
    review = review_queries.get_visible_review_or_404(user, review_id)
    if not may_view_review_trail(user, review):
        raise Forbidden(_("Only the review's lead officers read its audit trail."))
    return review


def require_admin_trail(user: User) -> None:
    if not user.is_admin:
        raise Forbidden(_("Only administrators read the whole audit trail."))


@dataclass(frozen=True)
class Filters:
    action: str | None = None
    actor_id: uuid.UUID | None = None
    subject_id: uuid.UUID | None = None
    workspace_id: uuid.UUID | None = None
    review_id: uuid.UUID | None = None
    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def of(cls, args: dict[str, Any]) -> Filters:
        return cls(
            action=args.get("action"),
            actor_id=args.get("actor_id"),
            subject_id=args.get("subject_id"),
            workspace_id=args.get("workspace_id"),
            review_id=args.get("review_id"),
            since=_utc(args.get("from")),
            until=_utc(args.get("to")),
        )


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def trail(filters: Filters, *, review: Review | None = None) -> sa.Select[Any]:
    """The events matching ``filters`` (of ``review`` only, if given).

    ``action`` is an action's name, or a family of them: ``evidence.*``."""
    stmt = sa.select(AuditEvent)
    if review is not None:
        stmt = stmt.where(AuditEvent.review_id == review.id)
    elif filters.review_id is not None:
        stmt = stmt.where(AuditEvent.review_id == filters.review_id)
    if filters.action:
        if filters.action.endswith(".*"):
            family = filters.action[:-1]
            stmt = stmt.where(AuditEvent.action.startswith(family, autoescape=True))
        else:
            stmt = stmt.where(AuditEvent.action == filters.action)
    if filters.actor_id is not None:
        stmt = stmt.where(AuditEvent.actor_id == filters.actor_id)
    if filters.subject_id is not None:
        stmt = stmt.where(AuditEvent.subject_id == filters.subject_id)
    if filters.workspace_id is not None:
        stmt = stmt.where(AuditEvent.workspace_id == filters.workspace_id)
    if filters.since is not None:
        stmt = stmt.where(AuditEvent.occurred_at >= filters.since)
    if filters.until is not None:
        stmt = stmt.where(AuditEvent.occurred_at <= filters.until)
    return stmt


def list_events(stmt: sa.Select[Any], page: dict[str, Any], list_name: str) -> Page:
    return paginate(
        db.session,
        stmt,
        order=[AuditEvent.seq],
        descending=True,
        page=page,
        list_name=list_name,
    )


def view(event: AuditEvent) -> dict[str, Any]:
    """The event as the API returns it: what its ``hash`` is over, and the hash."""
    return {**chain.document(event), "hash": event.hash}


CSV_COLUMNS = (
    "seq",
    "at",
    "action",
    "actor_id",
    "actor_name",
    "review_id",
    "workspace_id",
    "subject_type",
    "subject_id",
    "details",
    "client_ip",
    "prev_hash",
    "hash",
)
# A cell a spreadsheet would run as a formula (CSV injection, OWASP).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_stream(stmt: sa.Select[Any], batch: int = 1000) -> Iterator[str]:
    """Every matching event as CSV, newest first, a header row first, read
    in batches (by ``seq``) so memory stays flat however long the trail. A
    response body is sent after the request's context has ended, so each
    batch is read in an app context of its own, entered and left between
    two chunks."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def body() -> Iterator[str]:
        yield _csv_text([CSV_COLUMNS])
        last: int | None = None
        while True:
            with app.app_context():
                rows, last = _csv_batch(stmt, last, batch)
            if not rows:
                return
            yield _csv_text(rows)

    return body()


def _csv_text(rows: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def _csv_batch(
    stmt: sa.Select[Any], last: int | None, batch: int
) -> tuple[list[list[str]], int | None]:
    page = stmt.order_by(AuditEvent.seq.desc()).limit(batch)
    if last is not None:
        page = page.where(AuditEvent.seq < last)
    rows = []
    events = list(db.session.scalars(page))
    for event in events:
        doc = chain.document(event)
        subject = doc["subject"] or {}
        rows.append(
            [
                csv_cell(doc["seq"]),
                csv_cell(doc["at"]),
                csv_cell(doc["action"]),
                csv_cell(doc["actor_id"]),
                csv_cell(doc["actor_name"]),
                csv_cell(doc["review_id"]),
                csv_cell(doc["workspace_id"]),
                csv_cell(subject.get("type")),
                csv_cell(subject.get("id")),
                csv_cell(
                    json.dumps(doc["details"], ensure_ascii=False, sort_keys=True)
                ),
                csv_cell(doc["client_ip"]),
                csv_cell(doc["prev_hash"]),
                csv_cell(event.hash),
            ]
        )
    return rows, (events[-1].seq if events else last)


@dataclass(frozen=True)
class Reading:
    actor_id: uuid.UUID | None
    actor_name: str | None
    views: int
    downloads: int
    last_at: datetime


def readings_of(subject_id: uuid.UUID) -> list[Reading]:
    """Who has viewed and downloaded an item, how often and when last: from
    the trail, so every reader counts (the reviewed side's too)."""
    viewed = sa.func.sum(sa.case((AuditEvent.action == READINGS[0], 1), else_=0))
    downloaded = sa.func.sum(sa.case((AuditEvent.action == READINGS[1], 1), else_=0))
    last = sa.func.max(AuditEvent.occurred_at)
    rows = db.session.execute(
        sa.select(
            AuditEvent.actor_id,
            sa.func.max(AuditEvent.actor_name),
            viewed,
            downloaded,
            last,
        )
        .where(AuditEvent.subject_id == subject_id, AuditEvent.action.in_(READINGS))
        .group_by(AuditEvent.actor_id)
        .order_by(last.desc())
    ).all()
    return [
        Reading(actor_id, name, int(v or 0), int(d or 0), _as_utc(at))
        for actor_id, name, v, d, at in rows
    ]


def _as_utc(value: Any) -> datetime:
    # An aggregate loses the column's type on SQLite: a string, or naive.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
