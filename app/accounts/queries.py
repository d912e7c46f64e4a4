"""Reads of organisations and users."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from app.accounts.models import Organisation, User
from app.core.api import Page, paginate
from app.core.db import db


def list_organisations(page: dict[str, Any]) -> Page:
    return paginate(
        db.session,
        sa.select(Organisation),
        order=[Organisation.created_at, Organisation.id],
        descending=False,
        page=page,
        list_name="organisations",
    )


def list_users(page: dict[str, Any]) -> Page:
    return paginate(
        db.session,
        sa.select(User),
        order=[User.created_at, User.id],
        descending=False,
        page=page,
        list_name="users",
    )


def get_organisation(organisation_id: uuid.UUID) -> Organisation | None:
    return db.session.get(Organisation, organisation_id)


def get_organisations(ids: list[uuid.UUID]) -> dict[uuid.UUID, Organisation]:
    if not ids:
        return {}
    rows = db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(ids)))
    return {org.id: org for org in rows}


def get_user(user_id: uuid.UUID) -> User | None:
    return db.session.get(User, user_id)


def organisation_slug_taken(slug: str) -> bool:
    return (
        db.session.scalar(sa.select(Organisation.id).where(Organisation.slug == slug))
        is not None
    )


def email_taken(email: str) -> bool:
    return db.session.scalar(sa.select(User.id).where(User.email == email)) is not None


def names_of(user_ids: list[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """Display names of users, by id (for "uploaded by" columns)."""
    wanted = {i for i in user_ids if i is not None}
    if not wanted:
        return {}
    rows = db.session.execute(sa.select(User.id, User.name).where(User.id.in_(wanted)))
    return {user_id: name for user_id, name in rows}
