"""Reads of reviews, workspaces and members, filtered by what the user may see.

Every list and every lookup by id goes through a ``visible_*`` filter here.
A lookup of something hidden raises the same NotFound as a lookup of
something absent, so a 404 never tells whether a thing exists.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from app.accounts.models import User
from app.core.api import Page, paginate
from app.core.db import db
from app.core.errors import NotFound
from app.core.permissions import Capability, Role, roles_with
from app.reviews.models import Membership, Review, ReviewParty, Theme, Workspace


def role_in(user: User, review_id: uuid.UUID) -> Role | None:
    """The user's role in the review, or None for a non-member."""
    return db.session.scalar(
        sa.select(Membership.role).where(
            Membership.review_id == review_id, Membership.user_id == user.id
        )
    )


def _reviews_with_capability(user: User, capability: Capability) -> sa.Select[Any]:
    return sa.select(Membership.review_id).where(
        Membership.user_id == user.id, Membership.role.in_(roles_with(capability))
    )


def visible_reviews(user: User) -> sa.Select[tuple[Review]]:
    """Reviews the user is a member of; every review for an administrator."""
    stmt = sa.select(Review)
    if user.is_admin:
        return stmt
    return stmt.where(
        Review.id.in_(
            sa.select(Membership.review_id).where(Membership.user_id == user.id)
        )
    )


def visible_workspaces(user: User) -> sa.Select[tuple[Workspace]]:
    """Every workspace of the reviews where the user inspects; their own
    organisation's workspace where they are a reviewed party's member.

    Administration is no licence to read: administrators see workspaces only
    of reviews they are members of.
    """
    all_of = Workspace.review_id.in_(
        _reviews_with_capability(user, Capability.VIEW_ALL_WORKSPACES)
    )
    if user.organisation_id is None:
        return sa.select(Workspace).where(all_of)
    own = sa.and_(
        Workspace.organisation_id == user.organisation_id,
        Workspace.review_id.in_(
            _reviews_with_capability(user, Capability.VIEW_OWN_WORKSPACE)
        ),
    )
    return sa.select(Workspace).where(sa.or_(all_of, own))


def workspaces_of(user: User, review: Review) -> list[Workspace]:
    """The workspaces of ``review`` the user sees, in the review's order."""
    return list(
        db.session.scalars(
            visible_workspaces(user)
            .where(Workspace.review_id == review.id)
            .order_by(Workspace.position)
        )
    )


def review_choices(user: User, limit: int = 500) -> list[Review]:
    """The reviews the user sees, newest first: for a filter's choices."""
    return list(
        db.session.scalars(
            visible_reviews(user).order_by(Review.created_at.desc()).limit(limit)
        )
    )


def get_visible_review_or_404(user: User, review_id: uuid.UUID) -> Review:
    review = db.session.scalars(
        visible_reviews(user).where(Review.id == review_id)
    ).one_or_none()
    if review is None:
        raise NotFound()
    return review


def get_visible_workspace_or_404(user: User, workspace_id: uuid.UUID) -> Workspace:
    workspace = db.session.scalars(
        visible_workspaces(user).where(Workspace.id == workspace_id)
    ).one_or_none()
    if workspace is None:
        raise NotFound()
    return workspace


def list_reviews(user: User, page: dict[str, Any]) -> Page:
    return paginate(
        db.session,
        visible_reviews(user),
        order=[Review.created_at, Review.id],
        descending=False,
        page=page,
        list_name="reviews",
    )


def list_workspaces(user: User, review: Review, page: dict[str, Any]) -> Page:
    return paginate(
        db.session,
        visible_workspaces(user).where(Workspace.review_id == review.id),
        order=[Workspace.position, Workspace.id],
        descending=False,
        page=page,
        list_name=f"workspaces:{review.id}",
    )


def list_members(review: Review, page: dict[str, Any]) -> Page:
    return paginate(
        db.session,
        sa.select(Membership).where(Membership.review_id == review.id),
        order=[Membership.created_at, Membership.user_id],
        descending=False,
        page=page,
        list_name=f"members:{review.id}",
    )


def parties_of(review: Review) -> list[ReviewParty]:
    return list(
        db.session.scalars(
            sa.select(ReviewParty)
            .where(ReviewParty.review_id == review.id)
            .order_by(ReviewParty.position)
        )
    )


def get_membership(review: Review, user_id: uuid.UUID) -> Membership | None:
    return db.session.get(Membership, (review.id, user_id))


def party_side(review: Review, organisation_id: uuid.UUID | None) -> Any:
    if organisation_id is None:
        return None
    return db.session.scalar(
        sa.select(ReviewParty.side).where(
            ReviewParty.review_id == review.id,
            ReviewParty.organisation_id == organisation_id,
        )
    )


def party_organisations(review: Review) -> list[tuple[ReviewParty, Any]]:
    """Each party of the review with its organisation, in the order given."""
    from app.accounts.models import Organisation

    rows = db.session.execute(
        sa.select(ReviewParty, Organisation)
        .join(Organisation, Organisation.id == ReviewParty.organisation_id)
        .where(ReviewParty.review_id == review.id)
        .order_by(ReviewParty.position)
    )
    return [(party, organisation) for party, organisation in rows]


def members_with_people(review: Review) -> list[tuple[Membership, User, Any]]:
    """Every member of the review with their user and organisation."""
    from app.accounts.models import Organisation

    rows = db.session.execute(
        sa.select(Membership, User, Organisation)
        .join(User, User.id == Membership.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(Membership.review_id == review.id)
        .order_by(Organisation.name, User.name)
    )
    return [(m, u, o) for m, u, o in rows]


def member_candidates(actor: User, review: Review) -> list[User]:
    """Active users the actor may add to the review: anyone in a party
    organisation for an administrator, their own organisation's people for a
    lead officer or nominee."""
    parties = sa.select(ReviewParty.organisation_id).where(
        ReviewParty.review_id == review.id
    )
    stmt = sa.select(User).where(
        User.active.is_(True), User.organisation_id.in_(parties)
    )
    if not actor.is_admin:
        stmt = stmt.where(User.organisation_id == actor.organisation_id)
    return list(db.session.scalars(stmt.order_by(User.name)))


def roles_of(user: User, review_ids: list[uuid.UUID]) -> dict[uuid.UUID, Role]:
    if not review_ids:
        return {}
    rows = db.session.execute(
        sa.select(Membership.review_id, Membership.role).where(
            Membership.user_id == user.id, Membership.review_id.in_(review_ids)
        )
    )
    return {review_id: role for review_id, role in rows}


def visible_themes(user: User) -> sa.Select[tuple[Theme]]:
    """Themes of the reviews the user is a member of (either side)."""
    return sa.select(Theme).where(
        Theme.review_id.in_(
            sa.select(Membership.review_id).where(Membership.user_id == user.id)
        )
    )


def get_visible_theme_or_404(user: User, theme_id: uuid.UUID) -> Theme:
    theme = db.session.scalars(
        visible_themes(user).where(Theme.id == theme_id)
    ).one_or_none()
    if theme is None:
        raise NotFound()
    return theme


def list_themes(user: User, review: Review, page: dict[str, Any]) -> Page:
    return paginate(
        db.session,
        visible_themes(user).where(Theme.review_id == review.id),
        order=[Theme.created_at, Theme.id],
        descending=False,
        page=page,
        list_name=f"themes:{review.id}",
    )


def theme_names(review_id: uuid.UUID) -> list[str]:
    """The review's theme names in the order made: the pages' choices."""
    return list(
        db.session.scalars(
            sa.select(Theme.name)
            .where(Theme.review_id == review_id)
            .order_by(Theme.created_at, Theme.id)
        )
    )
