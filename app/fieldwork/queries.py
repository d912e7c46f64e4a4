"""Reads of visits and sessions, through the scopes' rule (visible_*)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.accounts.models import User
from app.core.api import Page, paginate
from app.core.db import db
from app.core.errors import NotFound
from app.fieldwork.models import Session, Visit
from app.notes.models import SubjectType
from app.notes.subjects import Subject, resolver
from app.reviews.models import Review
from app.reviews.visibility import Scope, Viewer, visible_clause

WALES = ZoneInfo("Europe/London")


def visible_visits(user: User) -> sa.Select[tuple[Visit]]:
    """Visits the user may see: every visit for the inspecting members, the
    visits to their own workspace for a reviewed party's members (a visit is
    always ``workspace`` scope: its hosts see it)."""
    return sa.select(Visit).where(
        visible_clause(
            user,
            review_id=Visit.review_id,
            scope=sa.literal(Scope.WORKSPACE.value),
            workspace_id=Visit.workspace_id,
            organisation_id=sa.null(),
        )
    )


def visible_sessions(user: User) -> sa.Select[tuple[Session]]:
    return sa.select(Session).where(
        visible_clause(
            user,
            review_id=Session.review_id,
            scope=Session.scope,
            workspace_id=Session.workspace_id,
            organisation_id=Session.organisation_id,
        )
    )


def get_visible_visit_or_404(user: User, visit_id: uuid.UUID) -> Visit:
    found = db.session.scalars(
        visible_visits(user).where(Visit.id == visit_id)
    ).one_or_none()
    if found is None:
        raise NotFound()
    return found


def get_visible_session_or_404(user: User, session_id: uuid.UUID) -> Session:
    found = db.session.scalars(
        visible_sessions(user).where(Session.id == session_id)
    ).one_or_none()
    if found is None:
        raise NotFound()
    return found


def list_visits(user: User, review: Review, page: dict[str, Any]) -> Page:
    return paginate(
        db.session,
        visible_visits(user).where(Visit.review_id == review.id),
        order=[Visit.starts_on, Visit.id],
        descending=False,
        page=page,
        list_name=f"visits:{review.id}",
    )


def day_start(day: date) -> datetime:
    """The first instant of ``day`` in Wales, as UTC."""
    return datetime.combine(day, time.min, WALES).astimezone(ZoneInfo("UTC"))


def list_sessions(
    user: User,
    review: Review,
    page: dict[str, Any],
    *,
    starts_from: date | None = None,
    until: date | None = None,
    workspace_id: uuid.UUID | None = None,
) -> Page:
    """The review's sessions the user may see, by start; ``from`` and ``to``
    are days in Wales, both included."""
    stmt = visible_sessions(user).where(Session.review_id == review.id)
    if starts_from is not None:
        stmt = stmt.where(Session.starts_at >= day_start(starts_from))
    if until is not None:
        stmt = stmt.where(Session.starts_at < day_start(until + timedelta(days=1)))
    if workspace_id is not None:
        stmt = stmt.where(Session.workspace_id == workspace_id)
    return paginate(
        db.session,
        stmt,
        order=[Session.starts_at, Session.id],
        descending=False,
        page=page,
        list_name=f"sessions:{review.id}",
    )


def calendar_sessions(user: User, limit: int = 5000) -> list[Session]:
    """Every session the user may see, in every review: their feed."""
    return list(
        db.session.scalars(
            visible_sessions(user).order_by(Session.starts_at, Session.id).limit(limit)
        )
    )


@resolver(SubjectType.SESSION)
def _note_subject(viewer: Viewer, subject_id: uuid.UUID) -> Subject | None:
    """A session as the subject of a note (session notes)."""
    session = db.session.get(Session, subject_id)
    if session is None or session.review_id != viewer.review_id:
        return None
    if not viewer.sees(session.scope, session.workspace_id, session.organisation_id):
        return None
    return Subject(
        SubjectType.SESSION,
        session.id,
        session.scope,
        session.workspace_id,
        session.organisation_id,
    )
