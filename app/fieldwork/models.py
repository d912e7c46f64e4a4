"""Visits, sessions, and the private key of each user's calendar feed."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, IdMixin, str_enum, utcnow
from app.reviews.models import VisitMode
from app.reviews.visibility import Scope

TITLE_MAX = 300
LOCATION_MAX = 300


class SessionKind(StrEnum):
    INTERVIEW = "interview"
    TEAM_MEETING = "team_meeting"  # the inspectors' own: never the reviewed party's
    FEEDBACK = "feedback"
    ENGAGEMENT = "engagement"  # a scrutiny committee's school engagement session
    OBSERVATION = "observation"
    OTHER = "other"


class Visit(IdMixin, Base):
    """A fieldwork period at one reviewed party: seen by the inspecting
    members and by that workspace's members (they host it)."""

    __tablename__ = "visits"
    __table_args__ = (sa.Index("ix_visits_review", "review_id", "starts_on", "id"),)

    review_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("reviews.id", ondelete="CASCADE")
    )
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    mode: Mapped[VisitMode] = mapped_column(str_enum(VisitMode, "visit_mode"))
    title: Mapped[str | None] = mapped_column(sa.String(TITLE_MAX))
    title_cy: Mapped[str | None] = mapped_column(sa.String(TITLE_MAX))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Session(IdMixin, Base):
    __tablename__ = "sessions"
    __table_args__ = (
        # The timetable: a review's sessions by start, keyset-paginated.
        sa.Index("ix_sessions_timetable", "review_id", "starts_at", "id"),
    )

    visit_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("visits.id", ondelete="CASCADE"), index=True
    )
    review_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("reviews.id", ondelete="CASCADE")
    )
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[SessionKind] = mapped_column(str_enum(SessionKind, "session_kind"))
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    title_cy: Mapped[str | None] = mapped_column(sa.String(TITLE_MAX))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    mode: Mapped[VisitMode | None] = mapped_column(str_enum(VisitMode, "visit_mode"))
    location: Mapped[str | None] = mapped_column(sa.String(LOCATION_MAX))
    # [{"name", "role", "user_id"}]: the people who attend (a managing
    # director, a cabinet member for education), members or not.
    attendees: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    themes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    scope: Mapped[Scope] = mapped_column(str_enum(Scope, "artefact_scope"))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarKey(Base):
    """The private address of a user's calendar feed. The address itself is
    derived (HMAC of the app's secret, the user and ``nonce``) and only its
    SHA-256 stored, for the lookup; a reset draws a new nonce, and the old
    address stops working at once."""

    __tablename__ = "calendar_keys"

    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    nonce: Mapped[str] = mapped_column(sa.String(64))
    token_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
