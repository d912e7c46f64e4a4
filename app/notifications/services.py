"""Recording notifications, marking them read, and sending their e-mail.

:func:`notify` is called by a feature in the transaction of the change that
causes the notification, before it commits; :func:`deliver_after_commit`
sends the e-mail just after. Each notification is unique per (recipient,
kind, subject): the same happening never notifies anyone twice. Whatever
cannot be sent at once stays pending in the outbox for the next
``flask --app wsgi send-reminders``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale

from app.accounts.models import User
from app.core import outbox
from app.core.db import begin_write, db, utcnow
from app.core.i18n import _
from app.core.mail import Mail, current_mailer
from app.core.outbox import OutboxState
from app.notifications import queries
from app.notifications.models import Notification, NotificationKind
from app.reviews.models import Review

log = logging.getLogger("app.notifications")


def notify(
    recipients: Iterable[uuid.UUID],
    kind: NotificationKind,
    *,
    review_id: uuid.UUID,
    subject_type: str,
    subject_id: uuid.UUID,
    actor_id: uuid.UUID | None,
    occasion: str = "",
    at: datetime | None = None,
) -> list[uuid.UUID]:
    """Record a notification for each recipient (never the actor), skipping
    any they already have for the same ``occasion``. ``at`` dates it in the
    future: it is neither listed nor sent before then. The caller commits;
    returns the new ids."""
    people = sorted({r for r in recipients if r != actor_id})
    if not people:
        return []
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    now = utcnow()
    rows = [
        {
            "id": uuid.uuid4(),
            "user_id": person,
            "kind": kind,
            "review_id": review_id,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "occasion": occasion,
            "actor_id": actor_id,
            "created_at": at or now,
            "state": OutboxState.PENDING,
            "attempts": 0,
        }
        for person in people
    ]
    result = db.session.execute(
        insert(Notification)
        .values(rows)
        .on_conflict_do_nothing(
            index_elements=["user_id", "kind", "subject_type", "subject_id", "occasion"]
        )
        .returning(Notification.id)
    )
    return list(result.scalars())


def mark_read(user: User, notification_id: uuid.UUID) -> Notification:
    """Its recipient marks it read (once: the first time is kept)."""
    notification = queries.get_own_or_404(user, notification_id)
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.commit()
    return notification


def mark_all_read(user: User) -> int:
    begin_write(db.session)
    done = db.session.execute(
        sa.update(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.read_at.is_(None),
            # Not one dated in the future (a publication's, before its time).
            Notification.created_at <= utcnow(),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return done.rowcount


# -- E-mail ---------------------------------------------------------------------


@dataclass
class Report:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    stopped: str | None = None


def send_pending(
    ids: Sequence[uuid.UUID] | None = None, report: Report | None = None
) -> Report:
    """Send the e-mail of every pending notification (of ``ids`` only, if
    given), each claimed first so that no other sender sends it too."""
    report = report or Report()
    stmt = (
        sa.select(Notification.id)
        .where(
            Notification.state == OutboxState.PENDING,
            Notification.created_at <= utcnow(),
        )
        .order_by(Notification.created_at, Notification.id)
    )
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(ids))
    pending = list(db.session.scalars(stmt))
    db.session.commit()
    if not pending:
        return report
    base_url = current_app.extensions["portal_settings"].public_base_url
    with current_mailer().session() as send:
        for notification_id in pending:
            if not outbox.claim(Notification, notification_id):
                continue
            loaded = db.session.execute(
                sa.select(Notification, User, Review)
                .join(User, User.id == Notification.user_id)
                .join(Review, Review.id == Notification.review_id)
                .where(Notification.id == notification_id)
                .execution_options(populate_existing=True)
            ).one_or_none()
            if loaded is None:
                continue
            notification, user, review = loaded
            # Said only while true: the reader may still see what it is
            # about, and is still someone who signs in.
            if not user.is_active or not queries.subject_visible(user, notification):
                outbox.finish(Notification, notification_id, OutboxState.SKIPPED)
                report.skipped += 1
                continue
            try:
                send(compose(notification, user, review, base_url))
            except Exception as exc:  # any failure leaves it pending
                give_up = notification.attempts >= outbox.MAX_ATTEMPTS
                outbox.finish(
                    Notification,
                    notification_id,
                    OutboxState.FAILED if give_up else OutboxState.PENDING,
                    f"{type(exc).__name__}: {exc}",
                )
                report.failed += 1
                log.warning("Notification e-mail %s not sent: %s", notification_id, exc)
                if isinstance(exc, outbox.CONNECTION_ERRORS):
                    report.stopped = f"{type(exc).__name__}: {exc}"
                    break
                continue
            outbox.finish(Notification, notification_id, OutboxState.SENT)
            report.sent += 1
    return report


def deliver_after_commit(ids: Sequence[uuid.UUID]) -> None:
    """Send these notifications' e-mail now, just after the change that
    caused them committed. Never fails the change."""
    if not ids:
        return
    try:
        send_pending(ids)
    except Exception:
        db.session.rollback()
        log.exception("Notification e-mail %s left for send-reminders", list(ids))


def compose(
    notification: Notification, user: User, review: Review, base_url: str
) -> Mail:
    """The e-mail, in the reader's language, with a link that opens what it
    is about (``/notifications/ID/open``: it marks it read on the way)."""
    actor = (
        db.session.get(User, notification.actor_id) if notification.actor_id else None
    )
    locale = user.locale.value
    with force_locale(locale):
        title = review.title_cy if locale == "cy" and review.title_cy else review.title
        context = {
            "actor": actor.name if actor else _("Someone"),
            "review": title,
        }
        subject = SUBJECTS[notification.kind](context)
        link = f"{base_url.rstrip('/')}/notifications/{notification.id}/open"
        greeting = _("Hello %(name)s,", name=user.name)
        intro = subject
        open_it = _("Open it in the portal:")
        footer = _(
            "This message was sent automatically by the Joint Inspection Room. "
            "Do not reply to it."
        )
        facts = [(_("Review"), title)]
        html = render_template(
            "email/notice.html",
            locale=locale,
            subject=subject,
            greeting=greeting,
            intro=intro,
            reason=None,
            facts=facts,
            open_it=open_it,
            link=link,
            footer=footer,
        )
    text = "\n".join(
        [greeting, "", intro, "", *(f"{k}: {v}" for k, v in facts), "",
         f"{open_it} {link}", "", "-- ", footer, ""]
    )  # fmt: skip
    return Mail(to=user.email, subject=subject, text=text, html=html, language=locale)


SUBJECTS = {
    NotificationKind.MENTION: lambda c: _(
        "%(actor)s mentioned you in a note: %(review)s", **c
    ),
    NotificationKind.REPLY: lambda c: _(
        "%(actor)s replied to your note: %(review)s", **c
    ),
    NotificationKind.DRAFT_VERSION: lambda c: _(
        "A new version of a draft: %(review)s", **c
    ),
    NotificationKind.APPROVAL: lambda c: _("A decision on your draft: %(review)s", **c),
    NotificationKind.AGREED: lambda c: _("Agreed: %(review)s", **c),
    NotificationKind.ISSUED: lambda c: _("Feedback issued to you: %(review)s", **c),
    NotificationKind.ACCURACY_COMMENT: lambda c: _(
        "A factual accuracy comment: %(review)s", **c
    ),
    NotificationKind.PUBLISHED: lambda c: _("Published: %(review)s", **c),
}
