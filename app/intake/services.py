"""Writes of evidence requests: asking, deciding, and answering with evidence."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

import sqlalchemy as sa

from app.accounts.models import User
from app.audit import services as audit
from app.core.db import begin_write, db, utcnow
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.core.i18n import REQUEST_STATUS_LABELS, _, label
from app.intake import permissions, queries, reminders
from app.intake.models import EvidenceRequest, RequestAssignee, RequestStatus
from app.reviews import queries as review_queries
from app.reviews.models import Review, Workspace

TITLE_MAX = 500
DESCRIPTION_MAX = 20_000
THEME_MAX = 200
REASON_MAX = 5_000


class Decision(StrEnum):
    ACCEPT = "accept"
    RETURN = "return"
    WITHDRAW = "withdraw"


# Which statuses each decision may be taken from, and what it leads to.
TRANSITIONS: dict[Decision, tuple[frozenset[RequestStatus], RequestStatus]] = {
    Decision.ACCEPT: (frozenset({RequestStatus.SUBMITTED}), RequestStatus.ACCEPTED),
    Decision.RETURN: (frozenset({RequestStatus.SUBMITTED}), RequestStatus.RETURNED),
    Decision.WITHDRAW: (
        frozenset(
            {RequestStatus.OPEN, RequestStatus.SUBMITTED, RequestStatus.RETURNED}
        ),
        RequestStatus.WITHDRAWN,
    ),
}


def _require_may_make_requests(actor: User, review_id: uuid.UUID) -> None:
    role = review_queries.role_in(actor, review_id)
    if role is None:
        raise NotFound()
    if not permissions.can_make_requests(role):
        raise Forbidden(
            _("Only the inspecting lead officers and inspectors can do this.")
        )
    _require_open(db.session.get(Review, review_id))


def _require_open(review: Review | None) -> None:
    if review is not None and review.is_closed:
        raise Conflict(_("This review is closed: its requests can no longer change."))


def _require_unfinished(request: EvidenceRequest) -> None:
    if request.status.is_finished:
        raise Conflict(
            _(
                "Request %(ref)s is %(status)s: it takes no more evidence.",
                ref=request.ref,
                status=label(REQUEST_STATUS_LABELS, request.status),
            )
        )


def create_request(
    actor: User,
    workspace: Workspace,
    *,
    title: str,
    title_cy: str | None = None,
    description: str = "",
    theme: str | None = None,
    due_date: date | None = None,
    batch_id: uuid.UUID | None = None,
    commit: bool = True,
) -> EvidenceRequest:
    """Add a request to the end of ``workspace``'s list (the next R-number)."""
    _require_may_make_requests(actor, workspace.review_id)
    # One numberer at a time per workspace: a row lock on PostgreSQL, the
    # database's write lock on SQLite (taken before the number is read).
    if commit:
        begin_write(db.session)
    db.session.execute(
        sa.select(Workspace.id).where(Workspace.id == workspace.id).with_for_update()
    )
    request = EvidenceRequest(
        workspace_id=workspace.id,
        number=queries.next_number(workspace.id),
        batch_id=batch_id,
        title=title,
        title_cy=title_cy or None,
        description=description,
        theme=theme or None,
        due_date=due_date,
        status=RequestStatus.OPEN,
        created_by_id=actor.id,
        created_at=utcnow(),
    )
    db.session.add(request)
    db.session.flush()
    audit.record(
        "request.created",
        actor=actor,
        review_id=workspace.review_id,
        target=request,
        details={"workspace_id": str(workspace.id), "ref": request.ref},
    )
    reminders.record_made([request])  # e-mail to the nominees, sent once
    if commit:
        db.session.commit()
        reminders.deliver_after_commit([request.id])
    return request


def create_for_every_workspace(
    actor: User, review: Review, items: list[dict[str, object]]
) -> list[EvidenceRequest]:
    """Send one list to every workspace of ``review``: each gets its own copy,
    numbered in its own list. All or nothing."""
    _require_may_make_requests(actor, review.id)
    batch_id = uuid.uuid4()
    begin_write(db.session)
    created: list[EvidenceRequest] = []
    try:
        for workspace in review.workspaces:
            for fields in items:
                created.append(
                    create_request(
                        actor,
                        workspace,
                        batch_id=batch_id,
                        commit=False,
                        **fields,  # type: ignore[arg-type]
                    )
                )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    reminders.deliver_after_commit([r.id for r in created])
    return created


def decide(
    actor: User, request: EvidenceRequest, decision: Decision, reason: str | None
) -> EvidenceRequest:
    """Accept or return submitted evidence, or withdraw the request."""
    _require_may_make_requests(actor, request.workspace.review_id)
    reason = (reason or "").strip() or None
    if decision is Decision.RETURN and not reason:
        raise ValidationFailed.field(
            "reason", _("Say why the evidence is returned, so it can be put right.")
        )
    # Two inspectors deciding at once: the second sees the first's outcome
    # (SQLite: the write lock first; PostgreSQL: the request's row).
    begin_write(db.session)
    db.session.refresh(request, with_for_update=True)
    allowed_from, outcome = TRANSITIONS[decision]
    if request.status not in allowed_from:
        raise Conflict(
            _(
                "Request %(ref)s is %(status)s, so this decision cannot be made now.",
                ref=request.ref,
                status=label(REQUEST_STATUS_LABELS, request.status),
            )
        )
    previous = request.status
    request.status = outcome
    request.decided_by_id = actor.id
    request.decided_at = utcnow()
    if decision is Decision.RETURN:
        request.return_reason = reason
        reminders.record_returned(request)
    audit.record(
        "request.decided",
        actor=actor,
        review_id=request.workspace.review_id,
        target=request,
        details={
            "ref": request.ref,
            "outcome": outcome.value,
            "from": previous.value,
            **({"reason": reason} if reason else {}),
        },
    )
    db.session.commit()
    db.session.refresh(request)
    if decision is Decision.RETURN:
        reminders.deliver_after_commit([request.id])
    return request


def attach_evidence(actor: User, workspace: Workspace, request_id: str) -> uuid.UUID:
    """Check that an upload may answer ``request_id`` (a request of the same
    workspace that still wants evidence) and move it to submitted. The
    caller commits (with the new item) or rolls back."""
    try:
        wanted = uuid.UUID(request_id.strip())
    except ValueError:
        raise ValidationFailed.field(
            "request_id", _("Must be the id of a request of this workspace.")
        ) from None
    request = queries.find_visible_request(actor, wanted, workspace.id)
    if request is None:
        raise ValidationFailed.field(
            "request_id", _("Must be the id of a request of this workspace.")
        )
    _require_unfinished(request)
    if request.status is not RequestStatus.SUBMITTED:
        audit.record(
            "request.submitted",
            actor=actor,
            review_id=workspace.review_id,
            target=request,
            details={"ref": request.ref, "from": request.status.value},
        )
        request.status = RequestStatus.SUBMITTED
    return request.id


ASSIGNEES_MAX = 50


def assign(
    actor: User, request: EvidenceRequest, user_ids: list[uuid.UUID]
) -> EvidenceRequest:
    """Give the request to these people of the reviewed party (replacing
    whoever had it)."""
    workspace = request.workspace
    role = review_queries.role_in(actor, workspace.review_id)
    if role is None:
        raise NotFound()
    if not permissions.can_assign(actor, role, workspace):
        raise Forbidden(
            _("Only nominees of this workspace and inspectors can share requests out.")
        )
    _require_open(workspace.review)
    _require_unfinished(request)
    wanted = list(dict.fromkeys(user_ids))
    found = set(
        db.session.scalars(
            queries.assignable_people(workspace)
            .with_only_columns(User.id)
            .where(User.id.in_(wanted))
        )
    )
    if found != set(wanted):
        raise ValidationFailed.field(
            "user_ids",
            _(
                "Requests can be given only to members of the review from the "
                "organisation whose workspace it is."
            ),
        )
    previous = set(request.assignee_ids)
    db.session.execute(
        sa.delete(RequestAssignee).where(RequestAssignee.request_id == request.id)
    )
    now = utcnow()
    for user_id in wanted:
        db.session.add(
            RequestAssignee(
                request_id=request.id,
                user_id=user_id,
                assigned_at=now,
                assigned_by_id=actor.id,
            )
        )
    audit.record(
        "request.assigned",
        actor=actor,
        review_id=workspace.review_id,
        target=request,
        details={
            "ref": request.ref,
            "added": sorted(str(u) for u in set(wanted) - previous),
            "removed": sorted(str(u) for u in previous - set(wanted)),
        },
    )
    # "made" e-mail to whoever is new to it (once per request and person).
    reminders.record_made([request], only=set(wanted) - previous)
    db.session.commit()
    reminders.deliver_after_commit([request.id])
    db.session.expire(request)
    return queries.get_visible_request_or_404(actor, request.id)


def unassign_member(review_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """A member leaving the review leaves its requests too (the caller
    commits)."""
    in_review = sa.select(EvidenceRequest.id).where(
        EvidenceRequest.workspace_id.in_(
            sa.select(Workspace.id).where(Workspace.review_id == review_id)
        )
    )
    db.session.execute(
        sa.delete(RequestAssignee).where(
            RequestAssignee.user_id == user_id,
            RequestAssignee.request_id.in_(in_review),
        )
    )
