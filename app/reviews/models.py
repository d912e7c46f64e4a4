"""Reviews, their parties, workspaces and memberships."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation, User
from app.core.db import Base, CreatedMixin, IdMixin, str_enum, utcnow
from app.core.permissions import Role, Side


class ReviewStatus(StrEnum):
    PLANNING = "planning"
    FIELDWORK = "fieldwork"
    REPORTING = "reporting"
    PUBLISHED = "published"
    CLOSED = "closed"


class Review(IdMixin, CreatedMixin, Base):
    __tablename__ = "reviews"

    title: Mapped[str] = mapped_column(sa.String(500))
    title_cy: Mapped[str | None] = mapped_column(sa.String(500))
    status: Mapped[ReviewStatus] = mapped_column(
        str_enum(ReviewStatus, "review_status"), default=ReviewStatus.PLANNING
    )
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # The agreed publication's time (app/drafts): from then on the review
    # reads "published" and its published drafts are every member's. Set
    # when every inspecting body agrees, cleared by any change; the embargo
    # is decided against it at each read, never by a job.
    published_from: Mapped[datetime | None]
    # Retention (api-v1-records.md): counted from closing; null days means
    # the deployment's RETENTION_DAYS. A legal hold stops every deletion.
    closed_at: Mapped[datetime | None]
    retention_days: Mapped[int | None]
    legal_hold: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    parties: Mapped[list[ReviewParty]] = relationship(
        back_populates="review", order_by="ReviewParty.position"
    )
    workspaces: Mapped[list[Workspace]] = relationship(
        back_populates="review", order_by="Workspace.position"
    )

    @property
    def is_closed(self) -> bool:
        return self.status is ReviewStatus.CLOSED

    @property
    def is_published(self) -> bool:
        return self.published_from is not None and self.published_from <= utcnow()

    @property
    def stage(self) -> ReviewStatus:
        """The stage as members see it: the stored one, but "published"
        from the agreed publication's time until the review is closed."""
        if self.is_published and not self.is_closed:
            return ReviewStatus.PUBLISHED
        return self.status


class ReviewParty(Base):
    """An organisation taking part in a review, inspecting or reviewed."""

    __tablename__ = "review_parties"

    review_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    )
    side: Mapped[Side] = mapped_column(str_enum(Side, "party_side"))
    # The order the administrator gave, kept for stable display.
    position: Mapped[int] = mapped_column(default=0)

    review: Mapped[Review] = relationship(back_populates="parties")
    organisation: Mapped[Organisation] = relationship()


class Workspace(IdMixin, CreatedMixin, Base):
    """The evidence room of one reviewed party within one review."""

    __tablename__ = "workspaces"
    __table_args__ = (
        sa.UniqueConstraint("review_id", "organisation_id"),
        # A workspace belongs to a reviewed party of its own review.
        sa.ForeignKeyConstraint(
            ["review_id", "organisation_id"],
            ["review_parties.review_id", "review_parties.organisation_id"],
            ondelete="CASCADE",
        ),
    )

    review_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("reviews.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    name_cy: Mapped[str | None] = mapped_column(sa.String(200))
    position: Mapped[int] = mapped_column(default=0)

    review: Mapped[Review] = relationship(back_populates="workspaces")
    organisation: Mapped[Organisation] = relationship()


class Membership(Base):
    """A user's role in one review. Removing the row ends access at once."""

    __tablename__ = "memberships"

    review_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role, "member_role"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    review: Mapped[Review] = relationship()
    user: Mapped[User] = relationship()


class VisitMode(StrEnum):
    """How a visit, a session or a theme's engagement is held."""

    ON_SITE = "on_site"
    REMOTE = "remote"
    COUNCIL_CHAMBER = "council_chamber"
    HYBRID = "hybrid"


class Theme(IdMixin, CreatedMixin, Base):
    """A line of enquiry of a review (a scrutiny committee's termly theme,
    with its period and approach). Every member sees them: the reviewed
    parties are told what the review looks at."""

    __tablename__ = "themes"
    __table_args__ = (sa.UniqueConstraint("review_id", "name"),)

    review_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("reviews.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    name_cy: Mapped[str | None] = mapped_column(sa.String(200))
    period: Mapped[str | None] = mapped_column(sa.String(100))
    approach: Mapped[VisitMode | None] = mapped_column(
        str_enum(VisitMode, "visit_mode")
    )
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
