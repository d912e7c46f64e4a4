"""Writes for signing in: password hashing, issuing and revoking API tokens."""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn

from app.accounts.models import User
from app.audit import services as audit
from app.auth import queries
from app.auth.models import ApiToken
from app.core.db import db, utcnow
from app.core.errors import Unauthenticated
from app.core.i18n import _

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
# zxcvbn's scale: 3 is "safely unguessable: moderate protection from an
# offline slow-hash scenario".
MIN_PASSWORD_SCORE = 3


def password_hasher() -> PasswordHasher:
    """Argon2id with RFC 9106's low-memory profile (tests may ask for a cheap one)."""
    hasher: PasswordHasher | None = current_app.extensions.get("password_hasher")
    if hasher is None:
        profile = (
            profiles.CHEAPEST
            if current_app.config.get("PASSWORD_HASH_CHEAP")
            else profiles.RFC_9106_LOW_MEMORY
        )
        hasher = PasswordHasher.from_parameters(profile)
        current_app.extensions["password_hasher"] = hasher
        # Verified against for unknown e-mail addresses, so that they take as
        # long to refuse as a wrong password (no account enumeration by timing).
        current_app.extensions["dummy_password_hash"] = hasher.hash(
            secrets.token_urlsafe(16)
        )
    return hasher


def hash_password(password: str) -> str:
    return password_hasher().hash(password)


def password_problem(password: str, *, user_inputs: list[str]) -> str | None:
    """Why a new password is too weak, or None when it will do."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Use at least %(count)d characters.", count=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("Use at most %(count)d characters.", count=MAX_PASSWORD_LENGTH)
    # zxcvbn is slow on very long input; past 100 characters length is strength.
    result = zxcvbn(password[:100], user_inputs=[u for u in user_inputs if u])
    if result["score"] < MIN_PASSWORD_SCORE:
        return _(
            "This password is too easy to guess: use a longer phrase of unrelated "
            "words, not names, dates or your e-mail address."
        )
    return None


def check_password(user: User | None, password: str) -> bool:
    """Whether ``password`` is the user's; the same work whether or not they exist."""
    hasher = password_hasher()
    if user is None or not user.active:
        with contextlib.suppress(VerificationError):
            hasher.verify(current_app.extensions["dummy_password_hash"], password)
        return False
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime
    user: User


def authenticate(
    email: str, password: str, *, ip_address: str | None, via: str
) -> User:
    """The active user with these credentials, or Unauthenticated.

    An unknown e-mail address, a wrong password and a disabled account all
    get the same answer, after the same amount of work.
    """
    user = queries.find_user_by_email(email)
    if not check_password(user, password):
        # Whoever tried is not known: the account tried is the subject.
        audit.record(
            "auth.sign_in_failed",
            actor=None,
            target=user,
            details={"email": queries.normalise_email(email)[:320], "via": via},
            ip_address=ip_address,
        )
        db.session.commit()
        raise Unauthenticated(_("The e-mail address or password is not right."))
    assert user is not None
    if via != "api":
        # The API's own record of a success is auth.token_created.
        audit.record(
            "auth.sign_in", actor=user, details={"via": via}, ip_address=ip_address
        )
        db.session.commit()
    return user


def issue_token(email: str, password: str, *, ip_address: str | None) -> IssuedToken:
    """A new API token for the holder of these credentials; Unauthenticated if wrong."""
    user = authenticate(email, password, ip_address=ip_address, via="api")
    token = secrets.token_urlsafe(32)
    ttl = timedelta(seconds=current_app.config["API_TOKEN_TTL_SECONDS"])
    expires_at = (utcnow() + ttl).replace(microsecond=0)
    db.session.add(
        ApiToken(
            user_id=user.id,
            token_hash=queries.hash_token(token),
            expires_at=expires_at,
        )
    )
    audit.record("auth.token_created", actor=user, ip_address=ip_address)
    db.session.commit()
    return IssuedToken(token=token, expires_at=expires_at, user=user)


def revoke_token(token: str, *, actor: User) -> None:
    """End this token now: it will not work again."""
    revoked = db.session.execute(
        sa.update(ApiToken)
        .where(
            ApiToken.token_hash == queries.hash_token(token),
            ApiToken.user_id == actor.id,
            ApiToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    if revoked.rowcount:  # type: ignore[attr-defined]
        audit.record("auth.token_revoked", actor=actor)
    db.session.commit()


def revoke_all_tokens(user: User) -> None:
    """Every token of ``user`` stops working (on disabling the account)."""
    db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
