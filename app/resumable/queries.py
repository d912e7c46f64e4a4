"""Reads of upload sessions: only their owner sees them, and only while
they last and the owner still sees the workspace."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa

from app.accounts.models import User
from app.core.db import db, utcnow
from app.core.errors import NotFound
from app.resumable.models import UploadSession, UploadStatus
from app.reviews.models import Workspace
from app.reviews.queries import visible_workspaces


def own_sessions(user: User) -> sa.Select[tuple[UploadSession]]:
    """The user's unexpired sessions, in workspaces the user still sees."""
    return sa.select(UploadSession).where(
        UploadSession.user_id == user.id,
        UploadSession.expires_at > utcnow(),
        UploadSession.workspace_id.in_(
            visible_workspaces(user).with_only_columns(Workspace.id)
        ),
    )


def get_own_session_or_404(
    user: User, session_id: uuid.UUID, *, lock: bool = False
) -> UploadSession:
    """The session, if ``user`` began it and it has not expired; else 404.

    ``lock``: FOR UPDATE (the caller has begun a write, see begin_write),
    and reload it, so that parts and completion take turns.
    """
    query = own_sessions(user).where(UploadSession.id == session_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    session = db.session.scalar(query)
    if session is None:
        raise NotFound()
    if lock:
        # Its parts as they are now, under the lock, not as loaded before.
        db.session.expire(session, ["parts"])
    return session


def count_open(user: User) -> int:
    """How many unexpired sessions the user has under way."""
    return (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(
                own_sessions(user)
                .where(UploadSession.status == UploadStatus.OPEN)
                .subquery()
            )
        )
        or 0
    )


def expired_sessions(
    limit: int, after: tuple[datetime, uuid.UUID] | None = None
) -> list[UploadSession]:
    """Up to ``limit`` sessions past their expiry (anyone's), oldest first,
    from after ``after`` (the expiry and id of the last one seen)."""
    query = sa.select(UploadSession).where(UploadSession.expires_at <= utcnow())
    if after is not None:
        query = query.where(
            sa.tuple_(UploadSession.expires_at, UploadSession.id) > sa.tuple_(*after)
        )
    return list(
        db.session.scalars(
            query.order_by(UploadSession.expires_at, UploadSession.id).limit(limit)
        )
    )
