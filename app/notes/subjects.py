"""What a note can be about, and how widely the thing it is about is seen.

A note may not be seen more widely than its subject: a ``workspace`` note on
a joint hypothesis would show the reviewed party what they may not see. Each
subject type resolves, for its author, to a :class:`Subject` saying where
it lives; the subject types of later features (sessions, hypotheses) add
their resolver to :data:`RESOLVERS` when they are imported.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from app.core.db import db
from app.core.errors import ValidationFailed
from app.core.i18n import _
from app.notes.models import SubjectType
from app.reviews.models import Workspace
from app.reviews.visibility import Scope, Viewer


@dataclass(frozen=True)
class Subject:
    type: SubjectType
    id: uuid.UUID
    # How widely the subject is seen: None for the review itself (every
    # member), else its scope and the workspace or body it carries.
    scope: Scope | None
    workspace_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None


Resolver = Callable[[Viewer, uuid.UUID], Subject | None]
RESOLVERS: dict[SubjectType, Resolver] = {}


def resolver(subject_type: SubjectType) -> Callable[[Resolver], Resolver]:
    def register(func: Resolver) -> Resolver:
        RESOLVERS[subject_type] = func
        return func

    return register


def unknown_subject() -> ValidationFailed:
    return ValidationFailed.field(
        "subject", _("Nothing in this review that you can see has this id.")
    )


def resolve(
    viewer: Viewer, subject_type: SubjectType, subject_id: uuid.UUID
) -> Subject:
    """The subject as ``viewer`` sees it, or 400 ``fields.subject`` for one
    that is not in this review, is hidden from them, or does not exist."""
    found = RESOLVERS.get(subject_type)
    subject = found(viewer, subject_id) if found else None
    if subject is None:
        raise unknown_subject()
    return subject


def fits(
    subject: Subject,
    scope: Scope,
    workspace_id: uuid.UUID | None,
    organisation_id: uuid.UUID | None,
) -> bool:
    """Whether a note of that scope is seen by no one its subject is not."""
    if subject.scope is None:
        return True
    if subject.scope is Scope.WORKSPACE:
        return scope is not Scope.WORKSPACE or workspace_id == subject.workspace_id
    if subject.scope is Scope.JOINT:
        return scope is not Scope.WORKSPACE
    return scope is Scope.BODY and organisation_id == subject.organisation_id


@resolver(SubjectType.REVIEW)
def _review(viewer: Viewer, subject_id: uuid.UUID) -> Subject | None:
    if subject_id != viewer.review_id:
        return None
    return Subject(SubjectType.REVIEW, subject_id, None)


@resolver(SubjectType.WORKSPACE)
def _workspace(viewer: Viewer, subject_id: uuid.UUID) -> Subject | None:
    workspace = db.session.get(Workspace, subject_id)
    if workspace is None or workspace.review_id != viewer.review_id:
        return None
    if not viewer.sees(Scope.WORKSPACE, workspace.id, None):
        return None
    return Subject(SubjectType.WORKSPACE, subject_id, Scope.WORKSPACE, workspace.id)


@resolver(SubjectType.EVIDENCE)
def _evidence(viewer: Viewer, subject_id: uuid.UUID) -> Subject | None:
    from app.evidence.models import EvidenceItem

    workspace_id = db.session.scalar(
        sa.select(EvidenceItem.workspace_id).where(
            EvidenceItem.id == subject_id,
            EvidenceItem.review_id == viewer.review_id,
            EvidenceItem.withdrawn_at.is_(None),
        )
    )
    if workspace_id is None or not viewer.sees(Scope.WORKSPACE, workspace_id, None):
        return None
    return Subject(SubjectType.EVIDENCE, subject_id, Scope.WORKSPACE, workspace_id)


@resolver(SubjectType.REQUEST)
def _request(viewer: Viewer, subject_id: uuid.UUID) -> Subject | None:
    from app.intake.models import EvidenceRequest

    workspace_id = db.session.scalar(
        sa.select(EvidenceRequest.workspace_id)
        .join(Workspace, Workspace.id == EvidenceRequest.workspace_id)
        .where(
            EvidenceRequest.id == subject_id,
            Workspace.review_id == viewer.review_id,
        )
    )
    if workspace_id is None or not viewer.sees(Scope.WORKSPACE, workspace_id, None):
        return None
    return Subject(SubjectType.REQUEST, subject_id, Scope.WORKSPACE, workspace_id)
