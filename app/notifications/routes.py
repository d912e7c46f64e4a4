"""Pages: my notifications, opening one, and the count in the header."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import flash, has_request_context, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from werkzeug.wrappers import Response
from wtforms import SubmitField

from app.accounts import queries as account_queries
from app.accounts.models import User
from app.core.db import db
from app.core.i18n import _, _l
from app.core.web import next_page_url, page_args
from app.notifications import bp, queries, services
from app.notifications.models import NotificationKind
from app.reviews.models import Review

# subject type -> (subject id -> the page that shows it); each feature adds its own.
SUBJECT_URLS: dict[str, Callable[[uuid.UUID], str]] = {}

KIND_TEXT = {
    NotificationKind.MENTION: _l("%(actor)s mentioned you in a note"),
    NotificationKind.REPLY: _l("%(actor)s replied to your note"),
    NotificationKind.DRAFT_VERSION: _l("%(actor)s added a version of a draft"),
    NotificationKind.APPROVAL: _l("%(actor)s decided on your draft"),
    NotificationKind.AGREED: _l("Agreed by every body"),
    NotificationKind.ISSUED: _l("Feedback was issued to you"),
    NotificationKind.ACCURACY_COMMENT: _l("%(actor)s commented on factual accuracy"),
    NotificationKind.PUBLISHED: _l("Published"),
}


class ReadAllForm(FlaskForm):
    submit = SubmitField(_l("Mark all as read"), widget=GovSubmitInput())


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


@bp.app_context_processor
def unread_notifications() -> dict[str, Any]:
    """The count in the header, for a signed-in user."""
    # E-mail is rendered outside any request (send-reminders): no one there.
    if not has_request_context() or not getattr(
        current_user, "is_authenticated", False
    ):
        return {"unread_notifications": 0}
    return {"unread_notifications": queries.unread_count(_me())}


@bp.route("/notifications", endpoint="index")
@login_required
def index() -> str:
    me = _me()
    page = queries.list_notifications(me, page_args(), unread=False)
    actors = account_queries.names_of([n.actor_id for n in page.items])
    reviews = {
        r.id: r
        for r in db.session.scalars(
            sa.select(Review).where(Review.id.in_({n.review_id for n in page.items}))
        )
    }
    someone = _("Someone")
    rows = [
        {
            "id": n.id,
            "text": str(KIND_TEXT[n.kind]) % {"actor": actors.get(n.actor_id, someone)},
            "review": reviews.get(n.review_id),
            "created_at": n.created_at,
            "read": n.read_at is not None,
        }
        for n in page.items
    ]
    return render_template(
        "notifications/index.html",
        rows=rows,
        form=ReadAllForm(),
        next_url=next_page_url(page.next_cursor),
    )


@bp.route("/notifications/<uuid:notification_id>/open", endpoint="open")
@login_required
def open_notification(notification_id: uuid.UUID) -> Response:
    """Mark it read and go to what it is about (the e-mail's link)."""
    notification = services.mark_read(_me(), notification_id)
    target = SUBJECT_URLS.get(notification.subject_type)
    if target is None:
        return redirect(url_for("notifications.index"))
    return redirect(target(notification.subject_id))


@bp.route("/notifications/read", methods=["POST"], endpoint="read_all")
@login_required
def read_all() -> Response:
    if ReadAllForm().validate_on_submit():
        services.mark_all_read(_me())
        flash(_("All your notifications are marked as read."), "success")
    return redirect(url_for("notifications.index"))
