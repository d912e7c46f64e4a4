"""Reads of hypotheses, always through :func:`visible_hypotheses`."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from app.accounts.models import User
from app.core.api import Page, paginate
from app.core.db import db
from app.core.errors import NotFound
from app.hypotheses.models import (
    Hypothesis,
    HypothesisChange,
    HypothesisEvidence,
    HypothesisStatus,
)
from app.notes.models import SubjectType
from app.notes.subjects import Subject, resolver
from app.reviews.models import Review
from app.reviews.visibility import Viewer, visible_clause


def visible_hypotheses(user: User) -> sa.Select[tuple[Hypothesis]]:
    """Hypotheses in scopes the user may see (never a reviewed party's:
    a hypothesis is ``joint`` or ``body``)."""
    return sa.select(Hypothesis).where(
        visible_clause(
            user,
            review_id=Hypothesis.review_id,
            scope=Hypothesis.scope,
            workspace_id=Hypothesis.workspace_id,
            organisation_id=Hypothesis.organisation_id,
        )
    )


def get_visible_hypothesis_or_404(user: User, hypothesis_id: uuid.UUID) -> Hypothesis:
    found = db.session.scalars(
        visible_hypotheses(user).where(Hypothesis.id == hypothesis_id)
    ).one_or_none()
    if found is None:
        raise NotFound()
    return found


def list_hypotheses(
    user: User,
    review: Review,
    page: dict[str, Any],
    *,
    status: HypothesisStatus | None = None,
    workspace_id: uuid.UUID | None = None,
    theme: str | None = None,
) -> Page:
    """The register, by reference, filtered."""
    stmt = visible_hypotheses(user).where(Hypothesis.review_id == review.id)
    if status is not None:
        stmt = stmt.where(Hypothesis.status == status)
    if workspace_id is not None:
        stmt = stmt.where(Hypothesis.workspace_id == workspace_id)
    if theme:
        stmt = stmt.where(sa.func.lower(Hypothesis.theme) == theme.strip().lower())
    return paginate(
        db.session,
        stmt,
        order=[Hypothesis.number, Hypothesis.id],
        descending=False,
        page=page,
        list_name=f"hypotheses:{review.id}",
    )


def evidence_ids(
    hypotheses: list[Hypothesis], reader: User
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Each hypothesis' linked evidence the reader may see (live items only)."""
    from app.evidence.models import EvidenceItem
    from app.evidence.queries import visible_evidence

    found: dict[uuid.UUID, list[uuid.UUID]] = {h.id: [] for h in hypotheses}
    if not hypotheses:
        return found
    visible = visible_evidence(reader).with_only_columns(EvidenceItem.id)
    rows = db.session.execute(
        sa.select(HypothesisEvidence.hypothesis_id, HypothesisEvidence.evidence_id)
        .where(
            HypothesisEvidence.hypothesis_id.in_(list(found)),
            HypothesisEvidence.evidence_id.in_(visible),
        )
        .order_by(HypothesisEvidence.hypothesis_id, HypothesisEvidence.evidence_id)
    )
    for hypothesis_id, evidence_id in rows:
        found[hypothesis_id].append(evidence_id)
    return found


def history_of(hypothesis: Hypothesis, page: dict[str, Any]) -> Page:
    return paginate(
        db.session,
        sa.select(HypothesisChange).where(
            HypothesisChange.hypothesis_id == hypothesis.id
        ),
        order=[HypothesisChange.at, HypothesisChange.id],
        descending=False,
        page=page,
        list_name=f"hypothesis-history:{hypothesis.id}",
    )


@resolver(SubjectType.HYPOTHESIS)
def _note_subject(viewer: Viewer, subject_id: uuid.UUID) -> Subject | None:
    """A hypothesis as the subject of a note: its scope bounds the note's."""
    hypothesis = db.session.get(Hypothesis, subject_id)
    if hypothesis is None or hypothesis.review_id != viewer.review_id:
        return None
    if not viewer.sees(
        hypothesis.scope, hypothesis.workspace_id, hypothesis.organisation_id
    ):
        return None
    return Subject(
        SubjectType.HYPOTHESIS,
        hypothesis.id,
        hypothesis.scope,
        hypothesis.workspace_id,
        hypothesis.organisation_id,
    )
