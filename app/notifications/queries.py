"""Reads of a user's notifications: only those whose subject they may still see.

Each feature whose things are notified about registers, per subject type,
the SQL of the ids a user may see (:func:`subject_filter`); a notification
of a subject type nobody registered, or whose subject the reader can no
longer see (a deleted note, a review they left), is not listed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from app.accounts.models import User
from app.core.api import Page, paginate
from app.core.db import db, utcnow
from app.notifications.models import Notification

# subject type -> (user -> SELECT of the subject ids the user may see)
SUBJECT_FILTERS: dict[str, Callable[[User], sa.Select[Any]]] = {}


def subject_filter(
    subject_type: str,
) -> Callable[[Callable[[User], sa.Select[Any]]], Callable[[User], sa.Select[Any]]]:
    def register(
        func: Callable[[User], sa.Select[Any]],
    ) -> Callable[[User], sa.Select[Any]]:
        SUBJECT_FILTERS[subject_type] = func
        return func

    return register


def visible_notifications(user: User) -> sa.Select[tuple[Notification]]:
    """The user's own notifications about what they may still see."""
    seen = [
        sa.and_(
            Notification.subject_type == subject_type,
            Notification.subject_id.in_(visible_ids(user)),
        )
        for subject_type, visible_ids in SUBJECT_FILTERS.items()
    ]
    return sa.select(Notification).where(
        Notification.user_id == user.id,
        Notification.created_at <= utcnow(),
        sa.or_(sa.false(), *seen),
    )


def subject_visible(user: User, notification: Notification) -> bool:
    return (
        db.session.scalar(
            visible_notifications(user)
            .where(Notification.id == notification.id)
            .with_only_columns(Notification.id)
        )
        is not None
    )


def list_notifications(user: User, page: dict[str, Any], *, unread: bool) -> Page:
    stmt = visible_notifications(user)
    if unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    return paginate(
        db.session,
        stmt,
        order=[Notification.created_at, Notification.id],
        descending=True,
        page=page,
        list_name=f"notifications:{user.id}:{int(unread)}",
    )


def unread_count(user: User) -> int:
    stmt = visible_notifications(user).where(Notification.read_at.is_(None))
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    )


def get_own_or_404(user: User, notification_id: uuid.UUID) -> Notification:
    from app.core.errors import NotFound

    notification = db.session.scalars(
        visible_notifications(user).where(Notification.id == notification_id)
    ).one_or_none()
    if notification is None:
        raise NotFound()
    return notification
