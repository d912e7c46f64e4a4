"""Reads for signing in: always checks expiry, revocation and the user's state."""

from __future__ import annotations

import hashlib
import uuid

import sqlalchemy as sa

from app.accounts.models import User
from app.auth.models import ApiToken
from app.core.db import db, utcnow


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def user_for_token(token: str) -> User | None:
    """The active user holding this unexpired, unrevoked token, or None."""
    if len(token) > 200:
        return None
    stmt = (
        sa.select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == hash_token(token),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > utcnow(),
            User.active.is_(True),
        )
    )
    return db.session.scalars(stmt).one_or_none()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalars(
        sa.select(User).where(User.email == normalise_email(email))
    ).one_or_none()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_for_session(identifier: str) -> User | None:
    """The user a session cookie names (``id:session_version``), if that
    session is still theirs: a bumped version (sign-out anywhere, disabling,
    a new password) ends it though its cookie is still validly signed."""
    user_id, _, version = identifier.partition(":")
    try:
        user = db.session.get(User, uuid.UUID(user_id))
    except ValueError:
        return None
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return user
