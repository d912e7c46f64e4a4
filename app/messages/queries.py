"""Reads of headline messages, always through :func:`visible_messages`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from app.accounts.models import User
from app.core.api import Page, paginate
from app.core.db import db
from app.core.errors import NotFound
from app.core.permissions import Side
from app.messages.models import (
    HeadlineMessage,
    MessageAgreement,
    MessageEvidence,
    MessageHypothesis,
    MessageStatus,
)
from app.notifications.queries import subject_filter
from app.reviews.models import Review, ReviewParty
from app.reviews.visibility import Scope, visible_clause


def visible_messages(user: User) -> sa.Select[tuple[HeadlineMessage]]:
    """Messages of the reviews where the user is an inspecting member.

    A message is always ``joint`` (``app/reviews/visibility.py``): every
    inspecting member of its review sees it, and nobody else does, neither
    a reviewed party nor an administrator who is not a member."""
    return sa.select(HeadlineMessage).where(
        visible_clause(
            user,
            review_id=HeadlineMessage.review_id,
            scope=sa.literal(Scope.JOINT.value),
            workspace_id=sa.null(),
            organisation_id=sa.null(),
        )
    )


@subject_filter("message")
def visible_message_ids(user: User) -> sa.Select[Any]:
    return visible_messages(user).with_only_columns(HeadlineMessage.id)


def get_visible_message_or_404(user: User, message_id: uuid.UUID) -> HeadlineMessage:
    found = db.session.scalars(
        visible_messages(user).where(HeadlineMessage.id == message_id)
    ).one_or_none()
    if found is None:
        raise NotFound()
    return found


def list_messages(user: User, review: Review, page: dict[str, Any]) -> Page:
    """The review's messages, by number."""
    return paginate(
        db.session,
        visible_messages(user).where(HeadlineMessage.review_id == review.id),
        order=[HeadlineMessage.number, HeadlineMessage.id],
        descending=False,
        page=page,
        list_name=f"messages:{review.id}",
    )


def all_messages(user: User, review: Review) -> list[HeadlineMessage]:
    """Every message of the review, by number (a review has a handful)."""
    return list(
        db.session.scalars(
            visible_messages(user)
            .where(HeadlineMessage.review_id == review.id)
            .order_by(HeadlineMessage.number, HeadlineMessage.id)
        )
    )


def inspecting_parties(review_id: uuid.UUID) -> list[uuid.UUID]:
    """The review's inspecting organisations, in the administrator's order:
    each must agree to a message for it to be agreed (any number of them)."""
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


@dataclass
class Standing:
    """Where a message stands: its links the reader sees, and who agreed."""

    evidence_ids: list[uuid.UUID] = field(default_factory=list)
    hypothesis_ids: list[uuid.UUID] = field(default_factory=list)
    agreements: list[MessageAgreement] = field(default_factory=list)
    status: MessageStatus = MessageStatus.PROPOSED

    @property
    def agreed_by(self) -> set[uuid.UUID]:
        return {a.organisation_id for a in self.agreements}


def status_of(parties: list[uuid.UUID], agreed: set[uuid.UUID]) -> MessageStatus:
    if parties and set(parties) <= agreed:
        return MessageStatus.AGREED
    return MessageStatus.PROPOSED


def standings(
    messages: list[HeadlineMessage], reader: User
) -> dict[uuid.UUID, Standing]:
    """Each message's linked evidence and hypotheses that the reader may see
    (live items only), its agreements, and its status."""
    from app.evidence.models import EvidenceItem
    from app.evidence.queries import visible_evidence
    from app.hypotheses.models import Hypothesis
    from app.hypotheses.queries import visible_hypotheses

    found = {m.id: Standing() for m in messages}
    if not messages:
        return found
    ids = list(found)
    visible_items = visible_evidence(reader).with_only_columns(EvidenceItem.id)
    for message_id, evidence_id in db.session.execute(
        sa.select(MessageEvidence.message_id, MessageEvidence.evidence_id)
        .join(EvidenceItem, EvidenceItem.id == MessageEvidence.evidence_id)
        .where(
            MessageEvidence.message_id.in_(ids),
            MessageEvidence.evidence_id.in_(visible_items),
        )
        .order_by(MessageEvidence.message_id, EvidenceItem.number)
    ):
        found[message_id].evidence_ids.append(evidence_id)
    visible_h = visible_hypotheses(reader).with_only_columns(Hypothesis.id)
    for message_id, hypothesis_id in db.session.execute(
        sa.select(MessageHypothesis.message_id, MessageHypothesis.hypothesis_id)
        .join(Hypothesis, Hypothesis.id == MessageHypothesis.hypothesis_id)
        .where(
            MessageHypothesis.message_id.in_(ids),
            MessageHypothesis.hypothesis_id.in_(visible_h),
        )
        .order_by(MessageHypothesis.message_id, Hypothesis.number)
    ):
        found[message_id].hypothesis_ids.append(hypothesis_id)
    for agreement in db.session.scalars(
        sa.select(MessageAgreement)
        .where(MessageAgreement.message_id.in_(ids))
        .order_by(MessageAgreement.at, MessageAgreement.organisation_id)
    ):
        found[agreement.message_id].agreements.append(agreement)
    parties: dict[uuid.UUID, list[uuid.UUID]] = {}
    for message in messages:
        if message.review_id not in parties:
            parties[message.review_id] = inspecting_parties(message.review_id)
        standing = found[message.id]
        standing.status = status_of(parties[message.review_id], standing.agreed_by)
    return found
