"""Progress of a review's request lists: how many requests are in each state.

Counted in the database, one grouped query per call (no request row is
loaded), for the workspaces the caller may see: every workspace for the
inspecting side, only their own for a reviewed party, whose totals are
then the totals of their own workspace.

The columns:

- ``open``, ``submitted``, ``accepted``, ``returned``: requests in that
  status; ``total`` is their sum (every request still wanted or done);
- ``withdrawn``: requests the inspectors no longer want, counted apart and
  not part of ``total``;
- ``overdue``: requests past their due date (due before today, in Wales)
  that still wait on the reviewed party: open or returned. A submitted
  request is not overdue: its evidence is in, and the next move is the
  inspectors'. ``overdue`` is a subset of ``open`` + ``returned``, not a
  status of its own.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.accounts.models import Organisation, User
from app.core.db import db
from app.core.errors import Forbidden
from app.core.i18n import _
from app.intake.models import EvidenceRequest, RequestStatus
from app.reviews import queries as review_queries
from app.reviews.models import Review, Workspace
from app.reviews.queries import visible_workspaces

WALES = ZoneInfo("Europe/London")
STATUS_COLUMNS = ("open", "submitted", "accepted", "returned")
COLUMNS = (*STATUS_COLUMNS, "overdue", "withdrawn", "total")
# Statuses still waiting on the reviewed party: these can be overdue.
WAITING = (RequestStatus.OPEN, RequestStatus.RETURNED)


def today_in_wales() -> date:
    return datetime.now(WALES).date()


@dataclass
class Counts:
    open: int = 0
    submitted: int = 0
    accepted: int = 0
    returned: int = 0
    overdue: int = 0
    withdrawn: int = 0

    @property
    def total(self) -> int:
        return self.open + self.submitted + self.accepted + self.returned

    def add(self, other: Counts) -> None:
        for name in ("open", "submitted", "accepted", "returned"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.overdue += other.overdue
        self.withdrawn += other.withdrawn

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COLUMNS}


@dataclass
class WorkspaceProgress:
    workspace_id: uuid.UUID
    name: str
    name_cy: str | None
    organisation_id: uuid.UUID
    organisation: str
    organisation_cy: str | None
    counts: Counts


@dataclass
class Progress:
    review_id: uuid.UUID
    as_of: date
    workspaces: list[WorkspaceProgress] = field(default_factory=list)
    totals: Counts = field(default_factory=Counts)


def review_progress(user: User, review: Review, today: date | None = None) -> Progress:
    """The counts of each workspace of ``review`` that ``user`` may see, and
    their totals. The caller has checked that ``user`` is a member."""
    today = today or today_in_wales()
    workspace_ids = (
        visible_workspaces(user)
        .where(Workspace.review_id == review.id)
        .with_only_columns(Workspace.id)
    )
    # Grouped by workspace and status: at most five rows per workspace, read
    # from the index on (workspace_id, status, due_date) alone.
    counts = (
        sa.select(
            EvidenceRequest.workspace_id.label("workspace_id"),
            EvidenceRequest.status.label("status"),
            sa.func.count().label("requests"),
            sa.func.count(sa.case((EvidenceRequest.due_date < today, 1))).label(
                "past_due"
            ),
        )
        .where(EvidenceRequest.workspace_id.in_(workspace_ids))
        .group_by(EvidenceRequest.workspace_id, EvidenceRequest.status)
        .subquery("counts")
    )
    rows = db.session.execute(
        sa.select(
            Workspace.id,
            Workspace.name,
            Workspace.name_cy,
            Organisation.id,
            Organisation.name,
            Organisation.name_cy,
            counts.c.status,
            counts.c.requests,
            counts.c.past_due,
        )
        .join(Organisation, Organisation.id == Workspace.organisation_id)
        .outerjoin(counts, counts.c.workspace_id == Workspace.id)
        .where(Workspace.id.in_(workspace_ids))
        .order_by(Workspace.position, Workspace.id)
    )
    progress = Progress(review_id=review.id, as_of=today)
    by_id: dict[uuid.UUID, WorkspaceProgress] = {}
    for ws_id, name, name_cy, org_id, org_name, org_cy, status, n, past in rows:
        row = by_id.get(ws_id)
        if row is None:
            row = by_id[ws_id] = WorkspaceProgress(
                workspace_id=ws_id,
                name=name,
                name_cy=name_cy,
                organisation_id=org_id,
                organisation=org_name,
                organisation_cy=org_cy,
                counts=Counts(),
            )
            progress.workspaces.append(row)
        if status is None:  # a workspace with no requests
            continue
        status = RequestStatus(status)
        setattr(row.counts, status.value, int(n))
        if status in WAITING:
            row.counts.overdue += int(past)
    for row in progress.workspaces:
        progress.totals.add(row.counts)
    return progress


def visible_progress(user: User, review_id: uuid.UUID) -> tuple[Review, Progress]:
    """The review (404 if hidden) and its progress as ``user`` may see it.
    Members only: an administrator who is not one sees the review exists
    but not its workspaces (403), as with its list of workspaces."""
    review = review_queries.get_visible_review_or_404(user, review_id)
    if review_queries.role_in(user, review.id) is None:
        raise Forbidden(_("Only members of the review see its progress."))
    return review, review_progress(user, review)
