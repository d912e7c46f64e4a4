"""Writes of headline messages: writers (lead officers and inspectors) make,
change and delete them; each inspecting body's lead officer agrees for it.

A message is agreed when every inspecting party of the review agrees to its
text as it stands: a change of the text (English or Welsh) removes every
agreement, a change of what it rests on (evidence, hypotheses) does not.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from app.accounts.models import User
from app.audit import services as audit
from app.core.db import begin_write, db, utcnow
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.core.i18n import _
from app.core.permissions import Role
from app.messages import queries
from app.messages.models import (
    HeadlineMessage,
    MessageAgreement,
    MessageEvidence,
    MessageHypothesis,
    MessageStatus,
)
from app.notifications import services as notifications
from app.notifications.models import NotificationKind
from app.reviews.models import Membership, Review
from app.reviews.visibility import Viewer, require_writer


def _review_of(message: HeadlineMessage) -> Review:
    review = db.session.get(Review, message.review_id)
    assert review is not None
    return review


def _lock_message(message: HeadlineMessage) -> None:
    """Serialise the writes of one message (its agreements, its text):
    BEGIN IMMEDIATE on SQLite, the row locked FOR UPDATE on PostgreSQL."""
    begin_write(db.session)
    still_there = db.session.scalar(
        sa.select(HeadlineMessage.id)
        .where(HeadlineMessage.id == message.id)
        .with_for_update()
    )
    if still_there is None:  # deleted by someone else meanwhile
        db.session.rollback()
        raise NotFound()
    db.session.refresh(message)


def _evidence_ids(
    actor: User, review: Review, evidence_ids: Sequence[uuid.UUID]
) -> list[uuid.UUID]:
    """The ids as given (once each), each a live item of this review the
    actor may see: 400 ``fields.evidence_ids`` otherwise."""
    from app.evidence.queries import require_visible_items

    return require_visible_items(actor, review.id, evidence_ids)


def _hypothesis_ids(
    actor: User, review: Review, hypothesis_ids: Sequence[uuid.UUID]
) -> list[uuid.UUID]:
    """The ids as given (once each), each a hypothesis of this review the
    actor may see: 400 ``fields.hypothesis_ids`` otherwise."""
    from app.hypotheses.models import Hypothesis
    from app.hypotheses.queries import visible_hypotheses

    wanted = list(dict.fromkeys(hypothesis_ids))
    found = set(
        db.session.scalars(
            visible_hypotheses(actor)
            .where(Hypothesis.review_id == review.id, Hypothesis.id.in_(wanted))
            .with_only_columns(Hypothesis.id)
        )
    )
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise ValidationFailed.field(
            "hypothesis_ids",
            _(
                "No hypothesis of this review that you can see has the id %(ids)s.",
                ids=", ".join(missing),
            ),
        )
    return wanted


def _visible_links(
    actor: User, message: HeadlineMessage
) -> tuple[set[uuid.UUID], set[uuid.UUID]]:
    """The message's links the actor sees (live evidence, hypotheses in
    their scopes): the sets a change by them replaces."""
    from app.evidence.models import EvidenceItem
    from app.evidence.queries import visible_evidence
    from app.hypotheses.models import Hypothesis
    from app.hypotheses.queries import visible_hypotheses

    evidence = set(
        db.session.scalars(
            sa.select(MessageEvidence.evidence_id).where(
                MessageEvidence.message_id == message.id,
                MessageEvidence.evidence_id.in_(
                    visible_evidence(actor).with_only_columns(EvidenceItem.id)
                ),
            )
        )
    )
    hypotheses = set(
        db.session.scalars(
            sa.select(MessageHypothesis.hypothesis_id).where(
                MessageHypothesis.message_id == message.id,
                MessageHypothesis.hypothesis_id.in_(
                    visible_hypotheses(actor).with_only_columns(Hypothesis.id)
                ),
            )
        )
    )
    return evidence, hypotheses


def _set_links(
    message: HeadlineMessage,
    evidence_ids: list[uuid.UUID] | None,
    hypothesis_ids: list[uuid.UUID] | None,
    *,
    replacing: tuple[set[uuid.UUID], set[uuid.UUID]] = (set(), set()),
) -> None:
    """Replace each set given (``None``: leave that one as it is).

    Only the links in ``replacing`` (those the actor sees) go: a link the
    actor cannot see (another body's own hypothesis, a withdrawn item) is
    not theirs to remove, and they could not have kept it by naming it."""
    evidence_before, hypotheses_before = replacing
    if evidence_ids is not None:
        if evidence_before:
            db.session.execute(
                sa.delete(MessageEvidence).where(
                    MessageEvidence.message_id == message.id,
                    MessageEvidence.evidence_id.in_(evidence_before),
                )
            )
        for evidence_id in evidence_ids:
            db.session.add(
                MessageEvidence(message_id=message.id, evidence_id=evidence_id)
            )
    if hypothesis_ids is not None:
        if hypotheses_before:
            db.session.execute(
                sa.delete(MessageHypothesis).where(
                    MessageHypothesis.message_id == message.id,
                    MessageHypothesis.hypothesis_id.in_(hypotheses_before),
                )
            )
        for hypothesis_id in hypothesis_ids:
            db.session.add(
                MessageHypothesis(message_id=message.id, hypothesis_id=hypothesis_id)
            )


def _text(value: Any) -> str | None:
    return (value or "").strip() or None


def create_message(
    actor: User, review: Review, fields: dict[str, Any]
) -> HeadlineMessage:
    """Add a message to the review: numbered 1, 2, 3, ... in the order made."""
    require_writer(actor, review)
    text = _text(fields.get("text"))
    if text is None:
        raise ValidationFailed.field("text", _("Enter the message."))
    evidence_ids = _evidence_ids(actor, review, fields.get("evidence_ids") or [])
    hypothesis_ids = _hypothesis_ids(actor, review, fields.get("hypothesis_ids") or [])
    # Numbered under a write lock (the review's row, FOR UPDATE on
    # PostgreSQL; BEGIN IMMEDIATE on SQLite): two made at once never share
    # a number.
    begin_write(db.session)
    db.session.execute(
        sa.select(Review.id).where(Review.id == review.id).with_for_update()
    )
    number = (
        db.session.scalar(
            sa.select(sa.func.max(HeadlineMessage.number)).where(
                HeadlineMessage.review_id == review.id
            )
        )
        or 0
    ) + 1
    now = utcnow()
    message = HeadlineMessage(
        review_id=review.id,
        number=number,
        text=text,
        text_cy=_text(fields.get("text_cy")),
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(message)
    db.session.flush()
    _set_links(message, evidence_ids, hypothesis_ids)
    audit.record(
        "message.created",
        actor=actor,
        review_id=review.id,
        target=message,
        details={
            "number": number,
            "evidence_ids": [str(i) for i in evidence_ids],
            "hypothesis_ids": [str(i) for i in hypothesis_ids],
        },
    )
    db.session.commit()
    return message


def update_message(
    actor: User, message: HeadlineMessage, fields: dict[str, Any]
) -> HeadlineMessage:
    """Change the text, the Welsh text or the links (each set given is
    replaced). A change of either text clears every agreement: the bodies
    agreed to the words as they were."""
    review = _review_of(message)
    require_writer(actor, review)
    if "text" in fields and _text(fields["text"]) is None:
        raise ValidationFailed.field("text", _("Enter the message."))
    evidence_ids = (
        _evidence_ids(actor, review, fields["evidence_ids"] or [])
        if "evidence_ids" in fields
        else None
    )
    hypothesis_ids = (
        _hypothesis_ids(actor, review, fields["hypothesis_ids"] or [])
        if "hypothesis_ids" in fields
        else None
    )
    _lock_message(message)
    reworded: list[str] = []
    for name in ("text", "text_cy"):
        if name in fields:
            value = _text(fields[name])
            if value != getattr(message, name):
                setattr(message, name, value)
                reworded.append(name)
    seen = _visible_links(actor, message)
    relinked = (evidence_ids is not None and set(evidence_ids) != seen[0]) or (
        hypothesis_ids is not None and set(hypothesis_ids) != seen[1]
    )
    if not reworded and not relinked:
        db.session.commit()
        return message
    cleared: list[str] = []
    if reworded:
        cleared = [
            str(org)
            for org in db.session.scalars(
                sa.select(MessageAgreement.organisation_id).where(
                    MessageAgreement.message_id == message.id
                )
            )
        ]
        db.session.execute(
            sa.delete(MessageAgreement).where(MessageAgreement.message_id == message.id)
        )
    if relinked:
        _set_links(message, evidence_ids, hypothesis_ids, replacing=seen)
    message.updated_at = utcnow()
    details: dict[str, Any] = {"changed": reworded, "agreements_cleared": cleared}
    if evidence_ids is not None:
        details["evidence_ids"] = [str(i) for i in evidence_ids]
    if hypothesis_ids is not None:
        details["hypothesis_ids"] = [str(i) for i in hypothesis_ids]
    audit.record(
        "message.changed",
        actor=actor,
        review_id=review.id,
        target=message,
        details=details,
    )
    db.session.commit()
    return message


def require_lead(actor: User, review: Review) -> Viewer:
    """The actor as a lead officer of an inspecting body, deciding for it
    (403 for other members), in an open review (409 once closed)."""
    viewer = Viewer.of(actor, review)
    parties = queries.inspecting_parties(review.id)
    if (
        viewer.role is not Role.LEAD_OFFICER
        or actor.organisation_id is None
        or actor.organisation_id not in parties
    ):
        raise Forbidden(
            _("Only a lead officer of an inspecting body agrees for their body.")
        )
    if review.is_closed:
        raise Conflict(_("This review is closed: nothing in it can change."))
    return viewer


def agree(actor: User, message: HeadlineMessage) -> HeadlineMessage:
    """The actor's body agrees to the message's text as it stands (again:
    nothing changes). When that makes every inspecting body agreed, its
    author and the review's inspecting lead officers are told."""
    review = _review_of(message)
    require_lead(actor, review)
    organisation_id = actor.organisation_id
    assert organisation_id is not None
    _lock_message(message)
    already = db.session.get(
        MessageAgreement, (message.id, organisation_id), populate_existing=True
    )
    if already is not None:
        db.session.commit()
        return message
    parties = queries.inspecting_parties(review.id)
    agreed_before = set(
        db.session.scalars(
            sa.select(MessageAgreement.organisation_id).where(
                MessageAgreement.message_id == message.id
            )
        )
    )
    was = queries.status_of(parties, agreed_before)
    now = utcnow()
    db.session.add(
        MessageAgreement(
            message_id=message.id,
            organisation_id=organisation_id,
            by_id=actor.id,
            at=now,
        )
    )
    status = queries.status_of(parties, agreed_before | {organisation_id})
    audit.record(
        "message.agreed",
        actor=actor,
        review_id=review.id,
        target=message,
        details={
            "organisation_id": str(organisation_id),
            "number": message.number,
            "status": status.value,
        },
    )
    raised: list[uuid.UUID] = []
    if status is MessageStatus.AGREED and was is not MessageStatus.AGREED:
        lead_officers = db.session.scalars(
            sa.select(Membership.user_id).where(
                Membership.review_id == review.id,
                Membership.role == Role.LEAD_OFFICER,
            )
        )
        recipients = set(lead_officers)
        if message.created_by_id is not None:
            recipients.add(message.created_by_id)
        raised = notifications.notify(
            recipients,
            NotificationKind.AGREED,
            review_id=review.id,
            subject_type="message",
            subject_id=message.id,
            actor_id=actor.id,
            # Agreed again after a change of its text: told again.
            occasion=message.updated_at.isoformat(),
        )
    db.session.commit()
    notifications.deliver_after_commit(raised)
    return message


def withdraw_agreement(actor: User, message: HeadlineMessage) -> HeadlineMessage:
    """The actor's body withdraws its agreement (none given: nothing changes)."""
    review = _review_of(message)
    require_lead(actor, review)
    _lock_message(message)
    gone = db.session.execute(
        sa.delete(MessageAgreement).where(
            MessageAgreement.message_id == message.id,
            MessageAgreement.organisation_id == actor.organisation_id,
        )
    )
    if gone.rowcount:
        audit.record(
            "message.agreement_withdrawn",
            actor=actor,
            review_id=review.id,
            target=message,
            details={
                "organisation_id": str(actor.organisation_id),
                "number": message.number,
            },
        )
    db.session.commit()
    return message


def delete_message(actor: User, message: HeadlineMessage) -> None:
    """Delete a message not yet agreed (409 once every body agreed: take
    an agreement back first)."""
    review = _review_of(message)
    require_writer(actor, review)
    _lock_message(message)
    parties = queries.inspecting_parties(review.id)
    agreed = set(
        db.session.scalars(
            sa.select(MessageAgreement.organisation_id).where(
                MessageAgreement.message_id == message.id
            )
        )
    )
    if queries.status_of(parties, agreed) is MessageStatus.AGREED:
        db.session.rollback()  # let go of the write lock before answering
        raise Conflict(
            _(
                "Every inspecting body has agreed this message: a lead officer "
                "withdraws their body's agreement before it can be deleted."
            )
        )
    audit.record(
        "message.deleted",
        actor=actor,
        review_id=review.id,
        target=message,
        details={"number": message.number, "text": message.text},
    )
    db.session.delete(message)
    db.session.commit()
