"""Writes of visits and sessions (writers only; a closed review: 409), and the
calendar feed's private key."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import User
from app.audit import services as audit
from app.core.db import db, utcnow
from app.core.errors import ValidationFailed
from app.core.i18n import _
from app.fieldwork.models import CalendarKey, Session, SessionKind, Visit
from app.fieldwork.queries import WALES, day_start
from app.reviews.models import Membership, Review
from app.reviews.visibility import Scope, Viewer, require_writer

VISIT_FIELDS = ("starts_on", "ends_on", "mode", "title", "title_cy")
SESSION_FIELDS = (
    "kind", "title", "title_cy", "starts_at", "ends_at", "mode", "location",
    "attendees", "themes",
)  # fmt: skip


def _review_of(review_id: uuid.UUID) -> Review:
    review = db.session.get(Review, review_id)
    assert review is not None
    return review


def _check_visit_days(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise ValidationFailed.field(
            "ends_on", _("The last day must be on or after the first day.")
        )


def create_visit(actor: User, review: Review, fields: dict[str, Any]) -> Visit:
    viewer = require_writer(actor, review)
    workspace = viewer.require_workspace(fields["workspace_id"])
    _check_visit_days(fields["starts_on"], fields["ends_on"])
    visit = Visit(
        review_id=review.id,
        workspace_id=workspace.id,
        starts_on=fields["starts_on"],
        ends_on=fields["ends_on"],
        mode=fields["mode"],
        title=fields.get("title") or None,
        title_cy=fields.get("title_cy") or None,
        created_by_id=actor.id,
    )
    db.session.add(visit)
    db.session.flush()
    audit.record("visit.created", actor=actor, review_id=review.id, target=visit)
    db.session.commit()
    return visit


def update_visit(actor: User, visit: Visit, fields: dict[str, Any]) -> Visit:
    review = _review_of(visit.review_id)
    require_writer(actor, review)
    for name in VISIT_FIELDS:
        if name in fields:
            value = fields[name]
            setattr(visit, name, value or None if name.startswith("title") else value)
    _check_visit_days(visit.starts_on, visit.ends_on)
    # Its sessions must still lie within its days.
    outside = db.session.scalar(
        sa.select(sa.func.count()).where(
            Session.visit_id == visit.id,
            sa.or_(
                Session.starts_at < _day_start(visit.starts_on),
                Session.ends_at > _day_end(visit.ends_on),
            ),
        )
    )
    if outside:
        raise ValidationFailed.field(
            "starts_on",
            _(
                "%(count)d of the visit's sessions would fall outside its days: "
                "move them first.",
                count=outside,
            ),
        )
    audit.record("visit.updated", actor=actor, review_id=review.id, target=visit)
    db.session.commit()
    return visit


def delete_visit(actor: User, visit: Visit) -> None:
    """The visit and its sessions go (their notes stay, unlisted)."""
    review = _review_of(visit.review_id)
    require_writer(actor, review)
    audit.record("visit.deleted", actor=actor, review_id=review.id, target=visit)
    db.session.execute(sa.delete(Session).where(Session.visit_id == visit.id))
    db.session.delete(visit)
    db.session.commit()


def _day_start(day: date) -> datetime:
    return day_start(day)


def _day_end(day: date) -> datetime:
    return day_start(day + timedelta(days=1))


def _check_session(visit: Visit, session: Session) -> None:
    starts_day = session.starts_at.astimezone(WALES).date()
    if not visit.starts_on <= starts_day <= visit.ends_on:
        raise ValidationFailed.field(
            "starts_at",
            _(
                "A session lies within its visit's days: %(first)s to %(last)s.",
                first=visit.starts_on.isoformat(),
                last=visit.ends_on.isoformat(),
            ),
        )
    if session.ends_at <= session.starts_at:
        raise ValidationFailed.field("ends_at", _("It must end after it starts."))
    if session.ends_at > _day_end(visit.ends_on):
        raise ValidationFailed.field(
            "ends_at", _("A session ends by the end of its visit's last day.")
        )


def _attendees(values: list[dict[str, Any]], review: Review) -> list[dict[str, Any]]:
    """Attendees as stored: a user id, if given, must be a member."""
    people = []
    for index, person in enumerate(values):
        user_id = person.get("user_id")
        if user_id is not None and (
            db.session.get(Membership, (review.id, user_id)) is None
        ):
            raise ValidationFailed.field(
                "attendees",
                _("Attendee %(n)d is not a member of this review.", n=index + 1),
            )
        people.append(
            {
                "name": person["name"],
                "role": person.get("role") or None,
                "user_id": str(user_id) if user_id else None,
            }
        )
    return people


def _session_scope(
    viewer: Viewer, visit: Visit, kind: SessionKind, requested: Scope | None
) -> tuple[Scope, uuid.UUID | None]:
    """A team meeting is the inspectors' own; the rest are shared with the
    visit's hosts unless the author chooses otherwise."""
    default = Scope.JOINT if kind is SessionKind.TEAM_MEETING else Scope.WORKSPACE
    scope = requested or default
    if kind is SessionKind.TEAM_MEETING and scope is Scope.WORKSPACE:
        raise ValidationFailed.field(
            "scope", _("A team meeting is never shown to the organisation visited.")
        )
    scope, _workspace, organisation_id = viewer.author_scope(
        scope, visit.workspace_id, default=default
    )
    return scope, organisation_id


def create_session(actor: User, visit: Visit, fields: dict[str, Any]) -> Session:
    review = _review_of(visit.review_id)
    viewer = require_writer(actor, review)
    kind = fields["kind"]
    scope, organisation_id = _session_scope(viewer, visit, kind, fields.get("scope"))
    session = Session(
        visit_id=visit.id,
        review_id=review.id,
        workspace_id=visit.workspace_id,
        kind=kind,
        title=fields["title"],
        title_cy=fields.get("title_cy") or None,
        starts_at=fields["starts_at"],
        ends_at=fields["ends_at"],
        mode=fields.get("mode"),
        location=fields.get("location") or None,
        attendees=_attendees(fields.get("attendees") or [], review),
        themes=list(dict.fromkeys(fields.get("themes") or [])),
        scope=scope,
        organisation_id=organisation_id,
        created_by_id=actor.id,
    )
    _check_session(visit, session)
    db.session.add(session)
    db.session.flush()
    audit.record("session.created", actor=actor, review_id=review.id, target=session)
    db.session.commit()
    return session


def update_session(actor: User, session: Session, fields: dict[str, Any]) -> Session:
    review = _review_of(session.review_id)
    viewer = require_writer(actor, review)
    visit = db.session.get(Visit, session.visit_id)
    assert visit is not None
    for name in SESSION_FIELDS:
        if name not in fields:
            continue
        value = fields[name]
        if name == "attendees":
            value = _attendees(value or [], review)
        elif name == "themes":
            value = list(dict.fromkeys(value or []))
        elif name in ("title_cy", "location"):
            value = value or None
        setattr(session, name, value)
    if "scope" in fields or "kind" in fields:
        session.scope, session.organisation_id = _session_scope(
            viewer, visit, session.kind, fields.get("scope") or session.scope
        )
    _check_session(visit, session)
    audit.record("session.updated", actor=actor, review_id=review.id, target=session)
    db.session.commit()
    return session


def delete_session(actor: User, session: Session) -> None:
    review = _review_of(session.review_id)
    require_writer(actor, review)
    audit.record("session.deleted", actor=actor, review_id=review.id, target=session)
    db.session.delete(session)
    db.session.commit()


# --- the calendar feed's private address -------------------------------------


def _derive(user_id: uuid.UUID, nonce: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(secret, f"calendar:{user_id}:{nonce}".encode(), hashlib.sha256)
    return digest.hexdigest()


def calendar_token(user: User, *, reset: bool = False) -> str:
    """The token of ``user``'s private calendar address (made on first use;
    ``reset`` draws a new one, and the old address stops working)."""
    key = db.session.get(CalendarKey, user.id)
    if key is None or reset:
        nonce = secrets.token_urlsafe(24)
        token = _derive(user.id, nonce)
        if key is None:
            key = CalendarKey(user_id=user.id, nonce=nonce, created_at=utcnow())
            db.session.add(key)
        key.nonce = nonce
        key.token_sha256 = hashlib.sha256(token.encode()).hexdigest()
        key.created_at = utcnow()
        if reset:
            audit.record("calendar.reset", actor=user, target=user)
        db.session.commit()
        return token
    return _derive(user.id, key.nonce)


def user_of_calendar_token(token: str) -> User | None:
    """Whose feed this token opens (None: no one's, or a disabled user)."""
    if len(token) != 64:
        return None
    key = db.session.scalar(
        sa.select(CalendarKey).where(
            CalendarKey.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
        )
    )
    if key is None:
        return None
    user = db.session.get(User, key.user_id)
    return user if user is not None and user.is_active else None
