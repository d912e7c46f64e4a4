"""Page: the progress of a review's request lists (its dashboard)."""

from __future__ import annotations

import uuid

from flask import render_template
from flask_babel import format_date
from flask_login import current_user, login_required

from app.intake import bp, progress


@bp.route("/reviews/<uuid:review_id>/progress", endpoint="progress")
@login_required
def review_progress(review_id: uuid.UUID) -> str:
    review, found = progress.visible_progress(
        current_user._get_current_object(), review_id
    )
    return render_template(
        "intake/progress.html",
        review=review,
        progress=found,
        columns=progress.COLUMNS,
        as_of=format_date(found.as_of, "d MMMM yyyy"),
    )
