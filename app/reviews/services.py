"""Writes of reviews and memberships. Each checks, writes, audits and commits."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.accounts import queries as account_queries
from app.accounts.models import User
from app.accounts.permissions import require_admin
from app.audit import services as audit
from app.core.db import db, utcnow
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.i18n import ROLE_LABELS, SIDE_LABELS, STATUS_LABELS, _, label
from app.core.permissions import Role, Side
from app.intake import services as intake_services
from app.reviews import permissions, queries
from app.reviews.models import (
    Membership,
    Review,
    ReviewParty,
    ReviewStatus,
    Theme,
    Workspace,
)
from app.reviews.visibility import require_writer


def create_review(
    actor: User,
    *,
    title: str,
    title_cy: str | None,
    inspecting: list[uuid.UUID],
    reviewed: list[uuid.UUID],
) -> Review:
    """A review with its parties, and one workspace per reviewed organisation.

    Any number of inspecting and reviewed organisations (at least one each):
    two inspectorates and four consortia, or one committee and many schools.
    """
    require_admin(actor)
    problems: dict[str, str] = {}
    organisations = account_queries.get_organisations(list({*inspecting, *reviewed}))
    for name, ids in (("inspecting", inspecting), ("reviewed", reviewed)):
        if len(set(ids)) != len(ids):
            problems[name] = _("Name each organisation once.")
        missing = [str(i) for i in ids if i not in organisations]
        if missing:
            problems[name] = _(
                "No organisation has the id %(ids)s.", ids=", ".join(missing)
            )
    both = set(inspecting) & set(reviewed)
    if both and "reviewed" not in problems:
        problems["reviewed"] = _(
            "An organisation cannot both inspect and be reviewed: %(ids)s.",
            ids=", ".join(sorted(str(i) for i in both)),
        )
    if problems:
        raise ValidationFailed(fields=problems)

    review = Review(title=title, title_cy=title_cy or None, created_by_id=actor.id)
    db.session.add(review)
    db.session.flush()
    for position, org_id in enumerate(inspecting):
        db.session.add(
            ReviewParty(
                review_id=review.id,
                organisation_id=org_id,
                side=Side.INSPECTING,
                position=position,
            )
        )
    for position, org_id in enumerate(reviewed):
        db.session.add(
            ReviewParty(
                review_id=review.id,
                organisation_id=org_id,
                side=Side.REVIEWED,
                position=len(inspecting) + position,
            )
        )
    db.session.flush()
    for position, org_id in enumerate(reviewed):
        organisation = organisations[org_id]
        db.session.add(
            Workspace(
                review_id=review.id,
                organisation_id=org_id,
                name=organisation.name,
                name_cy=organisation.name_cy,
                position=position,
            )
        )
    audit.record(
        "review.created",
        actor=actor,
        review_id=review.id,
        target=review,
        details={
            "inspecting": [str(i) for i in inspecting],
            "reviewed": [str(i) for i in reviewed],
        },
    )
    db.session.commit()
    return review


def set_member(
    actor: User, review: Review, user_id: uuid.UUID, role: Role
) -> Membership:
    """Give ``user_id`` the ``role`` in ``review`` (adding them if need be)."""
    actor_role = queries.role_in(actor, review.id)
    permissions.require_may_manage_members(actor, actor_role)
    target = account_queries.get_user(user_id)
    if target is None:
        raise NotFound(_("No user has this id."))
    # Before any check that could tell a reviewed party which other
    # organisations take part in the review.
    permissions.require_own_organisation(actor, target)
    membership = queries.get_membership(review, target.id)
    current_role = membership.role if membership else None
    side = queries.party_side(review, target.organisation_id)
    if side is None:
        raise ValidationFailed.field(
            "user_id", _("This user's organisation is not a party to this review.")
        )
    if role.side is not side:
        raise ValidationFailed.field(
            "role",
            _(
                "The role %(role)s is for the %(role_side)s side; this user's "
                "organisation is on the %(side)s side of this review.",
                role=label(ROLE_LABELS, role),
                role_side=label(SIDE_LABELS, role.side),
                side=label(SIDE_LABELS, side),
            ),
        )
    permissions.require_may_grant(
        actor, actor_role, current_role=current_role, new_role=role
    )
    _require_open_for(actor, review)
    if membership is None:
        membership = Membership(review_id=review.id, user_id=target.id, role=role)
        db.session.add(membership)
        action = "member.added"
    elif membership.role is role:
        # Nothing changes, so nothing is recorded.
        return membership
    else:
        action = "member.role_changed"
        membership.role = role
        membership.updated_at = utcnow()
    audit.record(
        action,
        actor=actor,
        review_id=review.id,
        target=target,
        details={
            "role": role.value,
            "previous_role": current_role.value if current_role else None,
        },
    )
    db.session.commit()
    return membership


def remove_member(actor: User, review: Review, user_id: uuid.UUID) -> None:
    """Take ``user_id`` out of ``review``: their access ends with this commit."""
    actor_role = queries.role_in(actor, review.id)
    permissions.require_may_manage_members(actor, actor_role)
    membership = queries.get_membership(review, user_id)
    if membership is None:
        raise NotFound(_("This user is not a member of this review."))
    permissions.require_own_organisation(actor, membership.user)
    permissions.require_may_grant(
        actor, actor_role, current_role=membership.role, new_role=None
    )
    _require_open_for(actor, review)
    audit.record(
        "member.removed",
        actor=actor,
        review_id=review.id,
        target=membership.user,
        details={"role": membership.role.value},
    )
    intake_services.unassign_member(review.id, membership.user_id)
    db.session.delete(membership)
    db.session.commit()


def _require_open_for(actor: User, review: Review) -> None:
    # Closed reviews are read-only; an administrator may still grant read
    # access during the retention period.
    if review.is_closed and not actor.is_admin:
        raise Conflict(_("This review is closed: its members can no longer change."))


# The stages in their order. ``published`` is reached by the publication
# (the agreement feature), never set by hand; ``closed`` may follow any
# stage (not every review publishes) and is final.
STAGE_ORDER = [
    ReviewStatus.PLANNING,
    ReviewStatus.FIELDWORK,
    ReviewStatus.REPORTING,
    ReviewStatus.PUBLISHED,
    ReviewStatus.CLOSED,
]
SETTABLE_STAGES = frozenset(STAGE_ORDER) - {ReviewStatus.PUBLISHED}
# The only changes a closed review takes (api-v1-records.md).
RETENTION_FIELDS = frozenset({"retention_days", "legal_hold"})
RETENTION_DAYS_MAX = 36525  # a century


def retention_days_of(review: Review) -> int:
    """The review's retention period: its own, or the deployment's."""
    if review.retention_days is not None:
        return review.retention_days
    days: int = current_app.extensions["portal_settings"].retention_days
    return days


def update_review(
    actor: User,
    review: Review,
    changes: dict[str, Any],
) -> Review:
    """Move the review's stage forward and/or retitle it.

    Inspecting lead officers and administrators only (403 for other members).
    A stage moves only forward, stages may be skipped; the same stage again
    changes nothing; once closed only the retention period and the legal
    hold change (anything else: 409).
    """
    role = queries.role_in(actor, review.id)
    permissions.require_may_steer(actor, role)
    if review.is_closed and set(changes) - RETENTION_FIELDS:
        raise Conflict(
            _(
                "This review is closed: only its retention period and legal hold "
                "can change."
            )
        )
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name in sorted(RETENTION_FIELDS & set(changes)):
        value = changes[name]
        current = (
            retention_days_of(review) if name == "retention_days" else review.legal_hold
        )
        if value != current:
            before[name], after[name] = current, value
            setattr(review, name, value)
    status = changes.get("status")
    if status is not None and status is not review.status:
        if status not in SETTABLE_STAGES:
            raise ValidationFailed.field(
                "status",
                _("A review is published by its agreed publication, not by hand."),
            )
        if STAGE_ORDER.index(status) < STAGE_ORDER.index(review.status):
            raise Conflict(
                _(
                    "A review's stage only moves forward: it is at %(current)s.",
                    current=label(STATUS_LABELS, review.status),
                )
            )
        before["status"], after["status"] = review.status.value, status.value
        review.status = status
        if status is ReviewStatus.CLOSED:
            # Retention counts from this moment.
            review.closed_at = utcnow()
    for name in ("title", "title_cy"):
        if name in changes:
            value = changes[name] or None
            if name == "title" and value is None:
                raise ValidationFailed.field("title", _("Enter a title."))
            if value != getattr(review, name):
                before[name], after[name] = getattr(review, name), value
                setattr(review, name, value)
    if after:
        audit.record(
            "review.updated",
            actor=actor,
            review_id=review.id,
            target=review,
            details={"before": before, "after": after},
        )
    db.session.commit()
    return review


# --- themes --------------------------------------------------------------------

THEME_FIELDS = ("name", "name_cy", "period", "approach")


def _require_new_theme_name(
    review: Review, name: str, keep: uuid.UUID | None = None
) -> None:
    # Case and surrounding space do not make a new theme ("Leadership" and
    # "leadership" are the same line of enquiry).
    clash = db.session.scalar(
        sa.select(Theme.id).where(
            Theme.review_id == review.id,
            sa.func.lower(Theme.name) == name.lower(),
            Theme.id != keep if keep is not None else sa.true(),
        )
    )
    if clash is not None:
        raise Conflict(_("This review already has a theme of that name."))


def create_theme(actor: User, review: Review, fields: dict[str, Any]) -> Theme:
    """A theme of the review (writers; 409 for a name it already has)."""
    require_writer(actor, review)
    _require_new_theme_name(review, fields["name"])
    theme = Theme(
        review_id=review.id,
        created_by_id=actor.id,
        **{name: fields.get(name) or None for name in THEME_FIELDS},
    )
    db.session.add(theme)
    db.session.flush()
    audit.record(
        "theme.created",
        actor=actor,
        review_id=review.id,
        target=theme,
        details={"name": theme.name},
    )
    db.session.commit()
    return theme


def update_theme(actor: User, theme: Theme, fields: dict[str, Any]) -> Theme:
    review = db.session.get(Review, theme.review_id)
    assert review is not None
    require_writer(actor, review)
    if "name" in fields:
        _require_new_theme_name(review, fields["name"], keep=theme.id)
    before: dict[str, Any] = {}
    for name in THEME_FIELDS:
        if name in fields:
            value = fields[name] or None
            if value != getattr(theme, name):
                before[name] = getattr(theme, name)
                setattr(theme, name, value)
    if before:
        audit.record(
            "theme.updated",
            actor=actor,
            review_id=review.id,
            target=theme,
            details={"before": {k: str(v) if v else v for k, v in before.items()}},
        )
    db.session.commit()
    return theme


def delete_theme(actor: User, theme: Theme) -> None:
    """Remove a theme from the review's choices. What was filed under it
    keeps the text it was given (themes of items are free text)."""
    review = db.session.get(Review, theme.review_id)
    assert review is not None
    require_writer(actor, review)
    audit.record(
        "theme.deleted",
        actor=actor,
        review_id=review.id,
        target=theme,
        details={"name": theme.name},
    )
    db.session.delete(theme)
    db.session.commit()
