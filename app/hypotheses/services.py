"""Writes of hypotheses: writers only (lead officers and inspectors who see
it), each change of status with its reason, all in the history."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from app.accounts.models import User
from app.audit import services as audit
from app.core.db import begin_write, db, utcnow
from app.core.errors import ValidationFailed
from app.core.i18n import _
from app.hypotheses.models import (
    Hypothesis,
    HypothesisChange,
    HypothesisEvidence,
    HypothesisStatus,
)
from app.reviews.models import Review
from app.reviews.visibility import Scope, require_writer

ALLOWED_SCOPES = frozenset({Scope.JOINT, Scope.BODY})


def create_hypothesis(
    actor: User, review: Review, fields: dict[str, Any]
) -> Hypothesis:
    viewer = require_writer(actor, review)
    scope, workspace_id, organisation_id = viewer.author_scope(
        fields.get("scope"),
        fields.get("workspace_id"),
        default=Scope.JOINT,
        allowed=ALLOWED_SCOPES,
    )
    # Numbered under a write lock: two made at once never share H-00n.
    begin_write(db.session)
    number = (
        db.session.scalar(
            sa.select(sa.func.max(Hypothesis.number)).where(
                Hypothesis.review_id == review.id
            )
        )
        or 0
    ) + 1
    now = utcnow()
    hypothesis = Hypothesis(
        review_id=review.id,
        number=number,
        statement=fields["statement"],
        statement_cy=fields.get("statement_cy") or None,
        theme=fields.get("theme") or None,
        workspace_id=workspace_id,
        scope=scope,
        organisation_id=organisation_id,
        status=HypothesisStatus.EMERGING,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(hypothesis)
    db.session.flush()
    db.session.add(
        HypothesisChange(
            hypothesis_id=hypothesis.id,
            at=now,
            by_id=actor.id,
            status=hypothesis.status,
            statement=hypothesis.statement,
            reason=None,
        )
    )
    audit.record(
        "hypothesis.created",
        actor=actor,
        review_id=review.id,
        target=hypothesis,
        details={"reference": hypothesis.reference, "scope": scope.value},
    )
    db.session.commit()
    return hypothesis


def update_hypothesis(
    actor: User, hypothesis: Hypothesis, fields: dict[str, Any]
) -> Hypothesis:
    """Change its statement, theme or status; a new status needs a reason."""
    review = db.session.get(Review, hypothesis.review_id)
    assert review is not None
    require_writer(actor, review)
    status = fields.get("status")
    reason = (fields.get("reason") or "").strip() or None
    moving = status is not None and status is not hypothesis.status
    if moving and reason is None:
        raise ValidationFailed.field(
            "reason", _("Say why the status changes: the reason is kept.")
        )
    changed = moving
    for name in ("statement", "statement_cy", "theme"):
        if name in fields:
            value = fields[name] or None
            if name == "statement" and value is None:
                raise ValidationFailed.field("statement", _("Enter the statement."))
            if value != getattr(hypothesis, name):
                setattr(hypothesis, name, value)
                changed = True
    if moving:
        hypothesis.status = status
    if not changed:
        return hypothesis
    now = utcnow()
    hypothesis.updated_at = now
    db.session.add(
        HypothesisChange(
            hypothesis_id=hypothesis.id,
            at=now,
            by_id=actor.id,
            status=hypothesis.status,
            statement=hypothesis.statement,
            reason=reason,
        )
    )
    audit.record(
        "hypothesis.changed",
        actor=actor,
        review_id=review.id,
        target=hypothesis,
        details={"status": hypothesis.status.value, "reason": reason},
    )
    db.session.commit()
    return hypothesis


def set_evidence(
    actor: User, hypothesis: Hypothesis, evidence_ids: Sequence[uuid.UUID]
) -> Hypothesis:
    """Replace the evidence linked to the hypothesis: live items of this
    review the actor may see (400 ``fields.evidence_ids`` otherwise)."""
    from app.evidence.queries import require_visible_items

    review = db.session.get(Review, hypothesis.review_id)
    assert review is not None
    require_writer(actor, review)
    wanted = require_visible_items(actor, review.id, evidence_ids)
    db.session.execute(
        sa.delete(HypothesisEvidence).where(
            HypothesisEvidence.hypothesis_id == hypothesis.id
        )
    )
    for evidence_id in wanted:
        db.session.add(
            HypothesisEvidence(hypothesis_id=hypothesis.id, evidence_id=evidence_id)
        )
    hypothesis.updated_at = utcnow()
    audit.record(
        "hypothesis.evidence_set",
        actor=actor,
        review_id=review.id,
        target=hypothesis,
        details={"evidence_ids": [str(i) for i in wanted]},
    )
    db.session.commit()
    return hypothesis
