"""Reads of drafts, always through :func:`visible_drafts`, and of what a
reader may see of one (:func:`access_of`).

Who sees a draft:

- inspecting members, by its scope (``joint``: every inspecting member;
  ``body``: the owning body's), through ``visible_clause``: everything
  about it (every version, the comments, the decisions);
- the members of the workspace feedback was issued to: the issued version
  only;
- every member of the review, once its publication's time has come (decided
  at the read, against ``Review.published_from``): the published version.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.accounts.models import User
from app.core.api import Page, paginate
from app.core.db import db, utcnow
from app.core.errors import Forbidden, NotFound
from app.core.i18n import _
from app.core.permissions import REVIEWED_ROLES, Side
from app.drafts.models import (
    AccuracyComment,
    Draft,
    DraftComment,
    DraftDecision,
    DraftKind,
    DraftStatus,
    DraftVersion,
    Publication,
    PublicationAgreement,
    PublicationDraft,
)
from app.notifications.queries import subject_filter
from app.reviews.models import Membership, Review, ReviewParty, Workspace
from app.reviews.visibility import Viewer, visible_clause


def _own_workspaces(user: User) -> sa.Select[Any]:
    """The workspaces ``user`` belongs to as a reviewed party's member."""
    return (
        sa.select(Workspace.id)
        .join(Membership, Membership.review_id == Workspace.review_id)
        .where(
            Membership.user_id == user.id,
            Membership.role.in_(REVIEWED_ROLES),
            Workspace.organisation_id == user.organisation_id,
        )
    )


def _published_drafts(now: datetime) -> sa.Select[Any]:
    return (
        sa.select(PublicationDraft.draft_id)
        .join(Review, Review.id == PublicationDraft.review_id)
        .where(Review.published_from.is_not(None), Review.published_from <= now)
    )


def visible_drafts(user: User, now: datetime | None = None) -> sa.Select[tuple[Draft]]:
    now = now or utcnow()
    member_reviews = sa.select(Membership.review_id).where(
        Membership.user_id == user.id
    )
    seen = [
        visible_clause(
            user,
            review_id=Draft.review_id,
            scope=Draft.scope,
            workspace_id=Draft.workspace_id,
            organisation_id=Draft.organisation_id,
        ),
        sa.and_(
            Draft.review_id.in_(member_reviews), Draft.id.in_(_published_drafts(now))
        ),
    ]
    if user.organisation_id is not None:
        seen.append(
            sa.and_(
                Draft.issued_at.is_not(None),
                Draft.workspace_id.in_(_own_workspaces(user)),
            )
        )
    return sa.select(Draft).where(sa.or_(*seen))


def get_visible_draft_or_404(user: User, draft_id: uuid.UUID) -> Draft:
    found = db.session.scalars(
        visible_drafts(user).where(Draft.id == draft_id)
    ).one_or_none()
    if found is None:
        raise NotFound()
    return found


def is_published(draft: Draft, now: datetime | None = None) -> bool:
    return (
        db.session.scalar(
            _published_drafts(now or utcnow()).where(
                PublicationDraft.draft_id == draft.id
            )
        )
        is not None
    )


def in_publication(draft: Draft) -> bool:
    """Listed in its review's publication (proposed, agreed or published):
    it changes no more until the publication is changed."""
    return db.session.get(PublicationDraft, (draft.review_id, draft.id)) is not None


@dataclass(frozen=True)
class Access:
    """What one reader may see of one draft they can see at all."""

    viewer: Viewer
    # Every version, the comments and the decisions (the inspecting side).
    full: bool
    # Otherwise the one version shown: issued feedback's, or the published.
    shown_version: int | None

    def may_see_version(self, number: int) -> bool:
        return self.full or number == self.shown_version

    def require_full(self) -> None:
        if not self.full:
            raise Forbidden(_("Only the inspecting bodies see this of a draft."))


def access_of(user: User, draft: Draft, viewer: Viewer | None = None) -> Access:
    """``viewer``: the user in the draft's review, if the caller has it."""
    viewer = viewer or Viewer.of(user, draft.review_id)
    if viewer.sees(draft.scope, draft.workspace_id, draft.organisation_id):
        return Access(viewer, True, draft.current_version)
    if draft.issued_at is not None and draft.workspace_id == viewer.own_workspace_id:
        return Access(viewer, False, draft.issued_version)
    return Access(viewer, False, draft.current_version)


def status_of(draft: Draft, published: set[uuid.UUID] | None = None) -> DraftStatus:
    if published is None:
        published = {draft.id} if is_published(draft) else set()
    return DraftStatus.PUBLISHED if draft.id in published else draft.status


def published_among(drafts: list[Draft]) -> set[uuid.UUID]:
    if not drafts:
        return set()
    return set(
        db.session.scalars(
            _published_drafts(utcnow()).where(
                PublicationDraft.draft_id.in_([d.id for d in drafts])
            )
        )
    )


def list_drafts(
    user: User, review: Review, page: dict[str, Any], *, kind: DraftKind | None
) -> Page:
    stmt = visible_drafts(user).where(Draft.review_id == review.id)
    if kind is not None:
        stmt = stmt.where(Draft.kind == kind)
    return paginate(
        db.session,
        stmt,
        order=[Draft.created_at, Draft.id],
        descending=False,
        page=page,
        list_name=f"drafts:{review.id}",
    )


def inspecting_parties(review_id: uuid.UUID) -> list[uuid.UUID]:
    """The inspecting organisations of the review, in the review's order."""
    return list(
        db.session.scalars(
            sa.select(ReviewParty.organisation_id)
            .where(
                ReviewParty.review_id == review_id,
                ReviewParty.side == Side.INSPECTING,
            )
            .order_by(ReviewParty.position, ReviewParty.organisation_id)
        )
    )


def decisions_on(draft: Draft, version: int | None) -> dict[uuid.UUID, DraftDecision]:
    if version is None:
        return {}
    return {
        d.organisation_id: d
        for d in db.session.scalars(
            sa.select(DraftDecision).where(
                DraftDecision.draft_id == draft.id, DraftDecision.version == version
            )
        )
    }


def decisions_of(drafts: list[Draft]) -> dict[uuid.UUID, list[DraftDecision]]:
    """The decisions on each draft's current version (one query)."""
    found: dict[uuid.UUID, list[DraftDecision]] = {d.id: [] for d in drafts}
    current = [d.id for d in drafts if d.current_version]
    if not current:
        return found
    rows = db.session.scalars(
        sa.select(DraftDecision)
        .join(
            Draft,
            sa.and_(
                Draft.id == DraftDecision.draft_id,
                Draft.current_version == DraftDecision.version,
            ),
        )
        .where(Draft.id.in_(current))
    )
    for decision in rows:
        found[decision.draft_id].append(decision)
    return found


def version_of(draft: Draft, number: int) -> DraftVersion | None:
    return db.session.scalars(
        sa.select(DraftVersion).where(
            DraftVersion.draft_id == draft.id, DraftVersion.number == number
        )
    ).one_or_none()


def get_version_or_404(access: Access, draft: Draft, number: int) -> DraftVersion:
    version = version_of(draft, number) if access.may_see_version(number) else None
    if version is None:
        raise NotFound()
    return version


def versions_seen(access: Access, draft: Draft) -> list[DraftVersion]:
    stmt = sa.select(DraftVersion).where(DraftVersion.draft_id == draft.id)
    if not access.full:
        stmt = stmt.where(DraftVersion.number == (access.shown_version or -1))
    return list(db.session.scalars(stmt.order_by(DraftVersion.number)))


def list_comments(draft: Draft, page: dict[str, Any], *, version: int | None) -> Page:
    stmt = sa.select(DraftComment).where(DraftComment.draft_id == draft.id)
    if version is not None:
        stmt = stmt.where(DraftComment.version == version)
    return paginate(
        db.session,
        stmt,
        order=[DraftComment.created_at, DraftComment.id],
        descending=False,
        page=page,
        list_name=f"draft-comments:{draft.id}",
    )


def get_visible_comment_or_404(user: User, comment_id: uuid.UUID) -> DraftComment:
    comment = db.session.get(DraftComment, comment_id)
    if comment is None:
        raise NotFound()
    draft = get_visible_draft_or_404(user, comment.draft_id)
    if not access_of(user, draft).full:
        raise NotFound()
    return comment


def list_accuracy(draft: Draft, page: dict[str, Any]) -> Page:
    return paginate(
        db.session,
        sa.select(AccuracyComment).where(AccuracyComment.draft_id == draft.id),
        order=[AccuracyComment.created_at, AccuracyComment.id],
        descending=False,
        page=page,
        list_name=f"accuracy:{draft.id}",
    )


def publication_of(review: Review) -> Publication | None:
    return db.session.get(Publication, review.id)


def publication_drafts(review: Review) -> list[uuid.UUID]:
    return list(
        db.session.scalars(
            sa.select(PublicationDraft.draft_id)
            .join(Draft, Draft.id == PublicationDraft.draft_id)
            .where(PublicationDraft.review_id == review.id)
            .order_by(Draft.created_at, Draft.id)
        )
    )


def publication_agreements(review: Review) -> list[PublicationAgreement]:
    return list(
        db.session.scalars(
            sa.select(PublicationAgreement)
            .where(PublicationAgreement.review_id == review.id)
            .order_by(PublicationAgreement.at, PublicationAgreement.organisation_id)
        )
    )


@subject_filter("draft")
def _visible_draft_ids(user: User) -> sa.Select[Any]:
    return visible_drafts(user).with_only_columns(Draft.id)


@subject_filter("review")
def _member_review_ids(user: User) -> sa.Select[Any]:
    return sa.select(Membership.review_id).where(Membership.user_id == user.id)
