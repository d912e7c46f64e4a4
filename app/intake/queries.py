"""Reads of evidence requests, filtered by what the user may see.

A request has its workspace's scope: the workspace's own members and every
inspecting member of the review see it; nobody else learns it exists.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.core.api import Page, paginate
from app.core.db import db
from app.core.errors import NotFound
from app.core.permissions import REVIEWED_ROLES
from app.intake.models import EvidenceRequest, RequestStatus
from app.reviews.models import Membership, Workspace
from app.reviews.queries import visible_workspaces


def visible_requests(user: User) -> sa.Select[tuple[EvidenceRequest]]:
    return (
        sa.select(EvidenceRequest)
        .where(
            EvidenceRequest.workspace_id.in_(
                visible_workspaces(user).with_only_columns(Workspace.id)
            )
        )
        .options(
            selectinload(EvidenceRequest.evidence),
            selectinload(EvidenceRequest.assignees),
        )
    )


def get_visible_request_or_404(user: User, request_id: uuid.UUID) -> EvidenceRequest:
    found = db.session.scalars(
        visible_requests(user).where(EvidenceRequest.id == request_id)
    ).one_or_none()
    if found is None:
        raise NotFound()
    return found


def find_visible_request(
    user: User, request_id: uuid.UUID, workspace_id: uuid.UUID
) -> EvidenceRequest | None:
    """A request of ``workspace_id`` that ``user`` may see, locked for update
    where the database can (an upload moving it to submitted)."""
    return db.session.scalars(
        visible_requests(user)
        .where(
            EvidenceRequest.id == request_id,
            EvidenceRequest.workspace_id == workspace_id,
        )
        .with_for_update(of=EvidenceRequest)
    ).one_or_none()


def list_workspace_requests(
    user: User,
    workspace: Workspace,
    page: dict[str, Any],
    status: RequestStatus | None = None,
) -> Page:
    """The workspace's request list in reference order (R-001 first),
    optionally only those in one ``status``."""
    stmt = visible_requests(user).where(EvidenceRequest.workspace_id == workspace.id)
    if status is not None:
        stmt = stmt.where(EvidenceRequest.status == status)
    return paginate(
        db.session,
        stmt,
        order=[EvidenceRequest.number, EvidenceRequest.id],
        descending=False,
        page=page,
        list_name=f"requests:{workspace.id}",
    )


def count_by_status(user: User, workspace: Workspace) -> dict[RequestStatus, int]:
    """How many of the workspace's requests are in each status (for its page)."""
    rows = db.session.execute(
        sa.select(EvidenceRequest.status, sa.func.count())
        .where(
            EvidenceRequest.workspace_id == workspace.id,
            EvidenceRequest.workspace_id.in_(
                visible_workspaces(user).with_only_columns(Workspace.id)
            ),
        )
        .group_by(EvidenceRequest.status)
    )
    return {RequestStatus(status): count for status, count in rows}


def next_number(workspace_id: uuid.UUID) -> int:
    highest = db.session.scalar(
        sa.select(sa.func.max(EvidenceRequest.number)).where(
            EvidenceRequest.workspace_id == workspace_id
        )
    )
    return (highest or 0) + 1


def assignable_people(workspace: Workspace) -> sa.Select[tuple[User]]:
    """Who may be given the workspace's requests: its own organisation's
    members of the review (nominees and contributors), still active."""
    return (
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.review_id == workspace.review_id,
            Membership.role.in_(REVIEWED_ROLES),
            User.organisation_id == workspace.organisation_id,
            User.active.is_(True),
        )
        .order_by(User.name, User.id)
    )
