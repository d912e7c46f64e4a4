"""E-mail about evidence requests: when made or given out, before and on the
due date, when overdue, and when returned; each once, in each reader's
language.

**Who.** A request's assignees; while nobody is assigned, the nominees of
its workspace. Only active users who are still members of the review, in
the reviewed party whose workspace it is, ever receive anything: this is
checked when a notice is recorded and again when it is sent.

**What, and when.**

- ``made``: when a request is made (to the workspace's nominees, since a
  new request has no assignees yet), and when it is given to someone who
  has not had a ``made`` notice for it: once per request and person.
- ``due_in_5`` (3 to 5 days left), ``due_in_2`` (1 or 2 days left),
  ``due_today`` and ``overdue`` (once, the first run after the due date):
  by ``flask --app wsgi send-reminders``, run daily. A window rather than
  an exact day, so a missed run is made up by the next; the most urgent
  applicable kind is the one sent. Only requests still waiting on the
  reviewed party (open or returned) in a review that is not closed: a
  submitted request waits on the inspectors, and a finished one (accepted,
  withdrawn) on nobody. If the due date moves, the reminders are due again
  for the new date.
- ``returned``: when the inspectors return the evidence, with their reason.

**Once.** Every notice is a row of ``request_notices`` whose unique key
(request, person, kind, occasion) is claimed before anything is sent; see
``app/intake/notices.py``. Event notices are recorded in the same
transaction as the change that causes them and sent just after it commits;
if the mail server fails, the notice stays pending and the next
``send-reminders`` sends it. A sender claims a notice (a conditional
UPDATE: one winner) before sending it, so two runs at once never send one
notice twice. A sender that dies after sending but before recording it
would let the claim lapse (after ``CLAIM_LEASE``) and the next run send it
again: at least once, never twice otherwise.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale, format_date

from app.accounts.models import User
from app.core import outbox
from app.core.db import begin_write, db, utcnow
from app.core.i18n import _
from app.core.mail import Mail, current_mailer
from app.core.permissions import REVIEWED_ROLES, Role
from app.intake.models import EvidenceRequest, RequestAssignee, RequestStatus
from app.intake.notices import NoticeKind, NoticeState, RequestNotice
from app.intake.progress import WAITING, today_in_wales
from app.reviews.models import Membership, Review, ReviewStatus, Workspace

log = logging.getLogger("app.reminders")

CHUNK = 500
CONNECTION_ERRORS = outbox.CONNECTION_ERRORS
MAX_ATTEMPTS = outbox.MAX_ATTEMPTS


def dated_kind(due: date, today: date) -> NoticeKind | None:
    """Which reminder a request due on ``due`` calls for ``today``."""
    days_left = (due - today).days
    if days_left < 0:
        return NoticeKind.OVERDUE
    if days_left == 0:
        return NoticeKind.DUE_TODAY
    if days_left <= 2:
        return NoticeKind.DUE_IN_2
    if days_left <= 5:
        return NoticeKind.DUE_IN_5
    return None


# -- Who --------------------------------------------------------------------


def _eligible_people(
    workspace_ids: Iterable[uuid.UUID],
) -> dict[uuid.UUID, list[tuple[User, Role]]]:
    """For each workspace: the active members of its review from its own
    organisation (the reviewed party), with their roles."""
    found: dict[uuid.UUID, list[tuple[User, Role]]] = defaultdict(list)
    ids = list(set(workspace_ids))
    for start in range(0, len(ids), CHUNK):
        rows = db.session.execute(
            sa.select(Workspace.id, User, Membership.role)
            .join(
                Membership,
                sa.and_(
                    Membership.review_id == Workspace.review_id,
                    Membership.role.in_(REVIEWED_ROLES),
                ),
            )
            .join(
                User,
                sa.and_(
                    User.id == Membership.user_id,
                    User.organisation_id == Workspace.organisation_id,
                    User.active.is_(True),
                ),
            )
            .where(Workspace.id.in_(ids[start : start + CHUNK]))
            .order_by(User.name, User.id)
        )
        for workspace_id, user, role in rows:
            found[workspace_id].append((user, role))
    return found


def _assignee_ids(request_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, set[uuid.UUID]]:
    found: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for start in range(0, len(request_ids), CHUNK):
        rows = db.session.execute(
            sa.select(RequestAssignee.request_id, RequestAssignee.user_id).where(
                RequestAssignee.request_id.in_(request_ids[start : start + CHUNK])
            )
        )
        for request_id, user_id in rows:
            found[request_id].add(user_id)
    return found


def recipients(
    requests: Sequence[tuple[uuid.UUID, uuid.UUID]],
) -> dict[uuid.UUID, list[User]]:
    """For each (request id, workspace id): who hears about it. Its
    assignees who may still see it; while it has none, the nominees."""
    people = _eligible_people(ws for _r, ws in requests)
    assigned = _assignee_ids([r for r, _ws in requests])
    found: dict[uuid.UUID, list[User]] = {}
    for request_id, workspace_id in requests:
        eligible = people.get(workspace_id, [])
        chosen = [u for u, _role in eligible if u.id in assigned.get(request_id, ())]
        if not chosen:
            chosen = [u for u, role in eligible if role is Role.NOMINEE]
        found[request_id] = chosen
    return found


# -- Recording --------------------------------------------------------------


def _record(rows: list[tuple[uuid.UUID, uuid.UUID, NoticeKind, str]]) -> int:
    """Insert notices, skipping any already recorded (the unique key). The
    caller commits. Returns how many were new."""
    if not rows:
        return 0
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    now = utcnow()
    added = 0
    for start in range(0, len(rows), CHUNK):
        values = [
            {
                "id": uuid.uuid4(),
                "request_id": request_id,
                "user_id": user_id,
                "kind": kind,
                "occasion": occasion,
                "state": NoticeState.PENDING,
                "created_at": now,
                "attempts": 0,
            }
            for request_id, user_id, kind, occasion in rows[start : start + CHUNK]
        ]
        result = db.session.execute(
            insert(RequestNotice)
            .values(values)
            .on_conflict_do_nothing(
                index_elements=["request_id", "user_id", "kind", "occasion"]
            )
            .returning(RequestNotice.id)
        )
        added += len(result.all())
    return added


def record_made(
    requests: Sequence[EvidenceRequest], only: Iterable[uuid.UUID] | None = None
) -> int:
    """``made`` notices for new requests (to the nominees) or for people
    just given a request (``only``: those people). The caller commits."""
    wanted = set(only) if only is not None else None
    pairs = [(r.id, r.workspace_id) for r in requests]
    if wanted is not None:
        people = _eligible_people(ws for _r, ws in pairs)
        to = {
            r: [u for u, _role in people.get(ws, []) if u.id in wanted]
            for r, ws in pairs
        }
    else:
        to = recipients(pairs)
    return _record(
        [(r, u.id, NoticeKind.MADE, "") for r, users in to.items() for u in users]
    )


def record_returned(request: EvidenceRequest) -> int:
    """``returned`` notices, one per return (the caller commits)."""
    occasion = (request.decided_at or utcnow()).isoformat()
    to = recipients([(request.id, request.workspace_id)])
    return _record(
        [(request.id, u.id, NoticeKind.RETURNED, occasion) for u in to[request.id]]
    )


def record_dated(today: date) -> int:
    """The date-based reminders due ``today``, for every review that is not
    closed. Commits."""
    rows = db.session.execute(
        sa.select(
            EvidenceRequest.id, EvidenceRequest.workspace_id, EvidenceRequest.due_date
        )
        .join(Workspace, Workspace.id == EvidenceRequest.workspace_id)
        .join(Review, Review.id == Workspace.review_id)
        .where(
            EvidenceRequest.status.in_(WAITING),
            EvidenceRequest.due_date.is_not(None),
            EvidenceRequest.due_date <= today + timedelta(days=5),
            Review.status != ReviewStatus.CLOSED,
        )
        .order_by(EvidenceRequest.due_date, EvidenceRequest.id)
    ).all()
    added = 0
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        to = recipients([(r.id, r.workspace_id) for r in chunk])
        notices = []
        for row in chunk:
            kind = dated_kind(row.due_date, today)
            if kind is None:
                continue
            for user in to[row.id]:
                notices.append((row.id, user.id, kind, row.due_date.isoformat()))
        begin_write(db.session)
        added += _record(notices)
        db.session.commit()
    return added


# -- Sending ----------------------------------------------------------------


@dataclass
class Report:
    recorded: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    # The mail server could not be reached: the rest waits for the next run.
    stopped: str | None = None


def _claim(notice_id: uuid.UUID) -> bool:
    """Take the notice for this sender; False if another has it or it is done."""
    return outbox.claim(RequestNotice, notice_id)


def _finish(notice_id: uuid.UUID, state: NoticeState, error: str | None = None) -> None:
    outbox.finish(RequestNotice, notice_id, state, error)


def _still_wanted(
    notice: RequestNotice, request: EvidenceRequest, review: Review, today: date
) -> bool:
    """Whether the notice still says something true to someone who may read it."""
    if notice.kind is NoticeKind.MADE:
        people = _eligible_people([request.workspace_id])[request.workspace_id]
        return not request.status.is_finished and any(
            u.id == notice.user_id for u, _role in people
        )
    to = recipients([(request.id, request.workspace_id)])[request.id]
    if not any(u.id == notice.user_id for u in to):
        return False
    if notice.kind is NoticeKind.RETURNED:
        return request.status is RequestStatus.RETURNED
    return (
        request.status in WAITING
        and review.status is not ReviewStatus.CLOSED
        and request.due_date is not None
        and request.due_date.isoformat() == notice.occasion
        and dated_kind(request.due_date, today) is notice.kind
    )


def _pending_ids(request_ids: Sequence[uuid.UUID] | None) -> list[uuid.UUID]:
    stmt = (
        sa.select(RequestNotice.id)
        .where(RequestNotice.state == NoticeState.PENDING)
        .order_by(RequestNotice.created_at, RequestNotice.id)
    )
    if request_ids is not None:
        stmt = stmt.where(RequestNotice.request_id.in_(request_ids))
    ids = list(db.session.scalars(stmt))
    db.session.commit()  # end the read: each claim is its own transaction
    return ids


def _load(
    notice_id: uuid.UUID,
) -> tuple[RequestNotice, EvidenceRequest, User, Workspace, Review] | None:
    """The notice and what it is about, fresh from the database."""
    row = db.session.execute(
        sa.select(RequestNotice, EvidenceRequest, User, Workspace, Review)
        .join(EvidenceRequest, EvidenceRequest.id == RequestNotice.request_id)
        .join(User, User.id == RequestNotice.user_id)
        .join(Workspace, Workspace.id == EvidenceRequest.workspace_id)
        .join(Review, Review.id == Workspace.review_id)
        .where(RequestNotice.id == notice_id)
        .execution_options(populate_existing=True)
    ).one_or_none()
    return None if row is None else tuple(row)  # type: ignore[return-value]


def send_pending(
    request_ids: Sequence[uuid.UUID] | None = None,
    *,
    today: date | None = None,
    report: Report | None = None,
) -> Report:
    """Send every pending notice (of ``request_ids`` only, if given), each
    claimed first so no other sender sends it too."""
    today = today or today_in_wales()
    report = report or Report()
    ids = _pending_ids(request_ids)
    if not ids:
        return report
    base_url = current_app.extensions["portal_settings"].public_base_url
    with current_mailer().session() as send:
        for notice_id in ids:
            if not _claim(notice_id):
                continue
            loaded = _load(notice_id)
            if loaded is None:
                continue
            notice, request, user, workspace, review = loaded
            if not _still_wanted(notice, request, review, today):
                _finish(notice_id, NoticeState.SKIPPED)
                report.skipped += 1
                continue
            mail = compose(notice, request, user, workspace, review, base_url)
            try:
                send(mail)
            except Exception as exc:  # any failure leaves it pending
                give_up = notice.attempts >= MAX_ATTEMPTS
                _finish(
                    notice_id,
                    NoticeState.FAILED if give_up else NoticeState.PENDING,
                    f"{type(exc).__name__}: {exc}",
                )
                report.failed += 1
                log.warning(
                    "E-mail %s (%s of request %s to user %s) not sent: %s",
                    notice_id,
                    notice.kind.value,
                    request.id,
                    user.id,
                    exc,
                )
                if isinstance(exc, CONNECTION_ERRORS):
                    report.stopped = f"{type(exc).__name__}: {exc}"
                    break
                continue
            _finish(notice_id, NoticeState.SENT)
            report.sent += 1
    return report


def send_reminders(today: date | None = None) -> Report:
    """The daily run: record the reminders due today, then send everything
    pending (including event notices an earlier failure left behind)."""
    today = today or today_in_wales()
    report = Report(recorded=record_dated(today))
    return send_pending(today=today, report=report)


def deliver_after_commit(request_ids: Sequence[uuid.UUID]) -> None:
    """Send the pending notices of these requests now, just after the change
    that caused them committed. Never fails the change: whatever cannot be
    sent stays pending for ``send-reminders``."""
    try:
        send_pending(request_ids)
    except Exception:
        db.session.rollback()
        log.exception("E-mail about requests %s left for send-reminders", request_ids)


# -- What it says -------------------------------------------------------------


def compose(
    notice: RequestNotice,
    request: EvidenceRequest,
    user: User,
    workspace: Workspace,
    review: Review,
    base_url: str,
) -> Mail:
    """The message, in the reader's language."""
    locale = getattr(user.locale, "value", user.locale) or "en"
    with force_locale(locale):
        welsh = locale == "cy"
        title = request.title_cy if welsh and request.title_cy else request.title
        context = {
            "ref": request.ref,
            "title": title,
            "review": (review.title_cy if welsh and review.title_cy else review.title),
            "workspace": (
                workspace.name_cy if welsh and workspace.name_cy else workspace.name
            ),
            "due": (
                format_date(request.due_date, "d MMMM yyyy")
                if request.due_date
                else None
            ),
            "reason": request.return_reason,
            "link": f"{base_url}/requests/{request.id}?lang={locale}",
        }
        subject = _subject(notice.kind, context)
        intro = _introduction(notice.kind, context)
        facts = [
            (_("Review"), context["review"]),
            (_("Workspace"), context["workspace"]),
            (_("Request"), f"{context['ref']} {context['title']}"),
        ]
        if context["due"]:
            facts.append((_("Due date"), context["due"]))
        open_it = _("Open the request:")
        footer = _(
            "This message was sent automatically by the Joint Inspection Room. "
            "Do not reply to it."
        )
        greeting = _("Hello %(name)s,", name=user.name)
        reason = context["reason"] if notice.kind is NoticeKind.RETURNED else None
    text_lines = [greeting, "", intro]
    if reason:
        text_lines += ["", *(f"    {line}" for line in reason.splitlines())]
    text_lines += ["", *(f"{key}: {value}" for key, value in facts)]
    text_lines += ["", f"{open_it} {context['link']}", "", "-- ", footer, ""]
    html = render_template(
        "email/notice.html",
        locale=locale,
        subject=subject,
        greeting=greeting,
        intro=intro,
        reason=reason,
        facts=facts,
        open_it=open_it,
        link=context["link"],
        footer=footer,
    )
    text = "\n".join(text_lines)
    return Mail(to=user.email, subject=subject, text=text, html=html, language=locale)


def _introduction(kind: NoticeKind, c: dict[str, Any]) -> str:
    if kind is NoticeKind.MADE:
        return _(
            "The inspectors have asked for evidence, and you are one of the "
            "people who can provide it."
        )
    if kind in (NoticeKind.DUE_IN_5, NoticeKind.DUE_IN_2):
        return _("This request for evidence is due on %(date)s.", date=c["due"])
    if kind is NoticeKind.DUE_TODAY:
        return _("This request for evidence is due today.")
    if kind is NoticeKind.OVERDUE:
        return _(
            "This request for evidence was due on %(date)s and is now overdue.",
            date=c["due"],
        )
    return _(
        "The inspectors have returned the evidence sent for this request, "
        "so that it can be put right. Their reason:"
    )


def _subject(kind: NoticeKind, c: dict[str, Any]) -> str:
    if kind is NoticeKind.MADE:
        text = _(
            "Evidence requested: %(ref)s %(title)s", ref=c["ref"], title=c["title"]
        )
    elif kind in (NoticeKind.DUE_IN_5, NoticeKind.DUE_IN_2):
        text = _(
            "Reminder: %(ref)s %(title)s is due on %(date)s",
            ref=c["ref"],
            title=c["title"],
            date=c["due"],
        )
    elif kind is NoticeKind.DUE_TODAY:
        text = _("Due today: %(ref)s %(title)s", ref=c["ref"], title=c["title"])
    elif kind is NoticeKind.OVERDUE:
        text = _("Overdue: %(ref)s %(title)s", ref=c["ref"], title=c["title"])
    else:
        text = _("Evidence returned: %(ref)s %(title)s", ref=c["ref"], title=c["title"])
    return f"{text} – {c['review']}"
