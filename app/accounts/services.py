"""Writes of organisations and users. Each checks, writes, audits and commits."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError

from app.accounts import queries
from app.accounts.models import Locale, Organisation, OrganisationKind, User
from app.accounts.permissions import require_admin
from app.audit import services as audit
from app.auth import services as auth_services
from app.auth.queries import normalise_email
from app.core.db import begin_write, db
from app.core.errors import Conflict, ValidationFailed
from app.core.i18n import _


def create_organisation(
    actor: User,
    *,
    slug: str,
    name: str,
    name_cy: str | None,
    kind: OrganisationKind,
) -> Organisation:
    require_admin(actor)
    slug = slug.lower()
    if queries.organisation_slug_taken(slug):
        raise _slug_conflict(slug)
    organisation = Organisation(
        slug=slug, name=name, name_cy=name_cy or None, kind=kind
    )
    db.session.add(organisation)
    db.session.flush()
    audit.record(
        "organisation.created",
        actor=actor,
        target=organisation,
        details={"slug": slug, "kind": kind.value},
    )
    try:
        db.session.commit()
    except IntegrityError:
        # Another request took the slug between our check and our commit.
        db.session.rollback()
        raise _slug_conflict(slug) from None
    return organisation


def _slug_conflict(slug: str) -> Conflict:
    return Conflict(
        _("The short name %(slug)s is taken by another organisation.", slug=slug)
    )


def create_user(
    actor: User | None,
    *,
    email: str,
    name: str,
    organisation_id: uuid.UUID | None,
    password: str,
    is_admin: bool = False,
    locale: Locale = Locale.EN,
) -> User:
    """Create a user. ``actor`` None means the command line (``create-admin``)."""
    if actor is not None:
        require_admin(actor)
    email = normalise_email(email)
    problems: dict[str, str] = {}
    if (
        organisation_id is not None
        and queries.get_organisation(organisation_id) is None
    ):
        problems["organisation_id"] = _("No organisation has this id.")
    weak = auth_services.password_problem(
        password, user_inputs=[email, *email.split("@"), *name.split()]
    )
    if weak:
        problems["password"] = weak
    if problems:
        raise ValidationFailed(fields=problems)
    if queries.email_taken(email):
        raise _email_conflict()
    user = User(
        email=email,
        name=name,
        organisation_id=organisation_id,
        password_hash=auth_services.hash_password(password),
        is_admin=is_admin,
        locale=locale,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.created",
        actor=actor,
        target=user,
        details={"email": email, "is_admin": is_admin},
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise _email_conflict() from None
    return user


def _email_conflict() -> Conflict:
    return Conflict(_("A user with this e-mail address already exists."))


def set_locale(user: User, locale: str) -> None:
    """Record the user's language (the Welsh Language Standards ask for it).
    Called from a GET (the language link): it takes its own write
    transaction (see app/core/db.py)."""
    begin_write(db.session)
    user.locale = Locale(locale)
    db.session.commit()


def end_sessions(user: User) -> None:
    """End every browser session of ``user`` now (sign-out, in every browser)."""
    user.session_version += 1
    audit.record("auth.sign_out", actor=user, target=user)
    db.session.commit()


def set_active(actor: User, user: User, *, active: bool) -> None:
    """Disable (or enable again) a user. Disabling ends their sessions and
    revokes their API tokens at once."""
    require_admin(actor)
    if user.id == actor.id and not active:
        raise Conflict(_("You cannot disable your own account."))
    user.active = active
    if not active:
        user.session_version += 1
        auth_services.revoke_all_tokens(user)
    audit.record(
        "user.enabled" if active else "user.disabled", actor=actor, target=user
    )
    db.session.commit()
