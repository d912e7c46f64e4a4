"""The export's page: what a lead officer or a nominee may export, and the
download itself (the same archive as the API's)."""

from __future__ import annotations

import uuid

from flask import Response, render_template, request
from flask_login import current_user, login_required

from app.accounts.models import User
from app.core.errors import ValidationFailed
from app.core.i18n import _
from app.export import bp, services
from app.reviews import queries as review_queries


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


def _workspace_arg() -> uuid.UUID | None:
    raw = (request.args.get("workspace") or "").strip()
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise ValidationFailed.field(
            "workspace", _("Choose one from the list.")
        ) from None


@bp.route("/reviews/<uuid:review_id>/export", endpoint="export")
@login_required
def export(review_id: uuid.UUID) -> str:
    me = _me()
    review = review_queries.get_visible_review_or_404(me, review_id)
    scope = services.export_scope(me, review, None)
    return render_template("export/export.html", review=review, scope=scope)


@bp.route("/reviews/<uuid:review_id>/export.zip", endpoint="download")
@login_required
def download(review_id: uuid.UUID) -> Response:
    me = _me()
    review = review_queries.get_visible_review_or_404(me, review_id)
    return services.export_response(me, review, _workspace_arg())
