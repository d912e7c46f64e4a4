"""Organisations and the people who belong to them."""

from __future__ import annotations

import uuid
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, CreatedMixin, IdMixin, str_enum


class OrganisationKind(StrEnum):
    INSPECTORATE = "inspectorate"
    AUDIT_BODY = "audit_body"
    CONSORTIUM = "consortium"
    LOCAL_AUTHORITY = "local_authority"
    SCHOOL = "school"
    COMMITTEE = "committee"
    OTHER = "other"


class Locale(StrEnum):
    EN = "en"
    CY = "cy"


class Organisation(IdMixin, CreatedMixin, Base):
    __tablename__ = "organisations"

    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    name_cy: Mapped[str | None] = mapped_column(sa.String(200))
    kind: Mapped[OrganisationKind] = mapped_column(
        str_enum(OrganisationKind, "organisation_kind")
    )

    users: Mapped[list[User]] = relationship(back_populates="organisation")


class User(IdMixin, CreatedMixin, Base):
    __tablename__ = "users"

    # Stored lower-cased: e-mail addresses are compared case-insensitively.
    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[Locale] = mapped_column(
        str_enum(Locale, "user_locale"), default=Locale.EN
    )
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on sign-out everywhere, disabling or a password change: every
    # session cookie carrying an older number stops working at once.
    session_version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")

    # Flask-Login's view of a signed-in user.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        # The session names the version too: bumping it ends every session.
        return f"{self.id}:{self.session_version}"
