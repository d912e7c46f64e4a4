"""Pages: importing a ZIP file of evidence into a workspace
(see app/evidence/imports.py for what is imported and what is refused)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app, render_template, request
from flask_login import current_user, login_required

from app.accounts.models import User
from app.core import uploads
from app.core.errors import TooLarge, UnsupportedType, ValidationFailed
from app.core.web import csrf
from app.evidence import bp, imports, services
from app.evidence.models import EvidenceItem
from app.evidence.routes import _check_csrf
from app.reviews import queries as review_queries
from app.reviews.models import Workspace


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


def _workspace_for_import(workspace_id: uuid.UUID) -> tuple[User, Workspace]:
    me = _me()
    workspace = review_queries.get_visible_workspace_or_404(me, workspace_id)
    # 403 for a role that may not upload, 409 once the review is closed.
    services._require_may_upload(me, workspace)
    return me, workspace


def _form_page(
    workspace: Workspace, *, problem: str | None = None, status: int = 200
) -> tuple[str, int]:
    limits = imports.ImportLimits.of(current_app)
    html = render_template(
        "evidence/import.html",
        workspace=workspace,
        review=workspace.review,
        limits=limits,
        problem=problem,
    )
    return html, status


@bp.route("/workspaces/<uuid:workspace_id>/import", endpoint="import_form")
@login_required
def import_form(workspace_id: uuid.UUID) -> tuple[str, int]:
    _user, workspace = _workspace_for_import(workspace_id)
    return _form_page(workspace)


@bp.route(
    "/workspaces/<uuid:workspace_id>/import",
    methods=["POST"],
    endpoint="import_zip",
)
@csrf.exempt  # checked from the form's first part, before the file: _check_csrf
@login_required
def import_zip(workspace_id: uuid.UUID) -> tuple[str, int]:
    me, workspace = _workspace_for_import(workspace_id)
    try:
        result = imports.import_archive(
            me,
            workspace,
            uploads.incoming_form(request),
            limits=imports.ImportLimits.of(current_app),
            describe=_describe,
            before_file=_check_csrf,
        )
    except (ValidationFailed, TooLarge, UnsupportedType) as refused:
        # The whole ZIP file (or the form) was refused: nothing was imported.
        fields = getattr(refused, "fields", {})
        problem = "; ".join(dict.fromkeys(fields.values())) or refused.message
        return _form_page(workspace, problem=problem, status=refused.status)
    html = render_template(
        "evidence/import_result.html",
        workspace=workspace,
        review=workspace.review,
        result=result,
        type_label=uploads.type_label,
    )
    return html, 200


def _describe(item: EvidenceItem) -> dict[str, Any]:
    """What the result page shows of an imported item (taken at once)."""
    file = item.current_file
    return {
        "id": item.id,
        "reference": item.reference,
        "title": item.title,
        "classification": item.classification,
        "media_type": file.media_type,
        "size": file.size,
        "path": item.description.partition(": ")[2],
    }
