"""The audit trail's pages: a review's (its lead officers, administrators),
the whole portal's (administrators), and the CSV of either."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, render_template, request, url_for
from flask_login import current_user, login_required

from app.accounts.models import User
from app.audit import bp, labels, queries
from app.core.errors import ValidationFailed
from app.core.i18n import _
from app.core.web import next_page_url, page_args
from app.reviews import queries as review_queries
from app.reviews.models import Review

WALES = ZoneInfo("Europe/London")


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


def _uuid_arg(name: str) -> uuid.UUID | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise ValidationFailed.field(name, _("Choose one from the list.")) from None


def _day_arg(name: str) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed.field(
            name, _("Enter a date as year-month-day, for example 2026-11-23.")
        ) from None


def _filters(review: Review | None) -> tuple[queries.Filters, dict[str, Any]]:
    """The filters in the query string, as the API takes them, and as the
    form shows them. Days are days in Wales, the last one included."""
    family = (request.args.get("family") or "").strip()
    if family and family not in labels.FAMILIES:
        raise ValidationFailed.field("family", _("Choose one from the list."))
    since, until = _day_arg("from"), _day_arg("to")
    chosen = {
        "family": family,
        "actor_id": _uuid_arg("actor"),
        "workspace_id": _uuid_arg("workspace"),
        "subject_id": _uuid_arg("subject"),
        "review_id": _uuid_arg("review") if review is None else None,
        "from": since,
        "to": until,
    }
    filters = queries.Filters(
        action=f"{family}.*" if family else None,
        actor_id=chosen["actor_id"],
        subject_id=chosen["subject_id"],
        workspace_id=chosen["workspace_id"],
        review_id=chosen["review_id"],
        since=datetime.combine(since, time(), WALES) if since else None,
        until=(
            datetime.combine(until + timedelta(days=1), time(), WALES)
            - timedelta(microseconds=1)
            if until
            else None
        ),
    )
    return filters, chosen


def _page(template: str, stmt: Any, list_name: str, **context: Any) -> str:
    page = queries.list_events(stmt, page_args(), list_name)
    csv_args = {k: v for k, v in request.args.items() if k not in ("cursor", "limit")}
    return render_template(
        template,
        events=page.items,
        action_label=labels.action_label,
        families=labels.FAMILIES,
        next_url=next_page_url(page.next_cursor),
        csv_args=csv_args,
        **context,
    )


def _csv(stmt: Any, filename: str) -> Response:
    return Response(
        queries.csv_stream(stmt),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/reviews/<uuid:review_id>/audit", endpoint="review_trail")
@login_required
def review_trail(review_id: uuid.UUID) -> str:
    review = queries.require_review_trail(_me(), review_id)
    filters, chosen = _filters(review)
    return _page(
        "audit/trail.html",
        queries.trail(filters, review=review),
        f"audit:{review.id}",
        review=review,
        chosen=chosen,
        people=review_queries.members_with_people(review),
        workspaces=review.workspaces,
        csv_url=url_for("audit.review_trail_csv", review_id=review.id),
    )


@bp.route("/reviews/<uuid:review_id>/audit.csv", endpoint="review_trail_csv")
@login_required
def review_trail_csv(review_id: uuid.UUID) -> Response:
    review = queries.require_review_trail(_me(), review_id)
    filters, _chosen = _filters(review)
    return _csv(queries.trail(filters, review=review), f"audit-{review.id}.csv")


@bp.route("/admin/audit", endpoint="all_trail")
@login_required
def all_trail() -> str:
    queries.require_admin_trail(_me())
    filters, chosen = _filters(None)
    return _page(
        "audit/trail.html",
        queries.trail(filters),
        "audit",
        review=None,
        chosen=chosen,
        people=[],
        workspaces=[],
        reviews=review_queries.review_choices(_me()),
        csv_url=url_for("audit.all_trail_csv"),
    )


@bp.route("/admin/audit.csv", endpoint="all_trail_csv")
@login_required
def all_trail_csv() -> Response:
    queries.require_admin_trail(_me())
    filters, _chosen = _filters(None)
    return _csv(queries.trail(filters), "audit.csv")
