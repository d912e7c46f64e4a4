"""Pages: a workspace's evidence, uploading, an item, download and withdrawal."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from flask import (
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.wrappers import Response
from wtforms.validators import ValidationError

from app.accounts import queries as account_queries
from app.accounts.models import User
from app.audit import queries as audit_queries
from app.core import uploads
from app.core.db import db, utcnow
from app.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PortalError,
    ValidationFailed,
)
from app.core.files import ConditionalRequest
from app.core.i18n import _
from app.core.permissions import Side
from app.core.web import csrf, next_page_url, page_args
from app.evidence import bp, permissions, queries, services
from app.evidence.forms import EditEvidenceForm, RestoreForm, WithdrawForm
from app.evidence.models import Classification
from app.notes.models import SubjectType
from app.notes.routes import panel as notes_panel
from app.reviews import queries as review_queries

# Files in one upload form (each up to UPLOAD_MAX_BYTES).
MAX_FILES_PER_FORM = 20


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


@bp.route("/workspaces/<uuid:workspace_id>", endpoint="workspace")
@login_required
def workspace(workspace_id: uuid.UUID) -> str:
    me = _me()
    item = review_queries.get_visible_workspace_or_404(me, workspace_id)
    review = item.review
    role = review_queries.role_in(me, review.id)
    inspecting = role is not None and role.side is Side.INSPECTING
    filters = _evidence_filters() if inspecting else None
    page = queries.list_workspace_evidence(me, item, page_args(), filters)
    names = account_queries.names_of([e.uploaded_by_id for e in page.items])
    reading = None
    if inspecting:
        reading = next(
            (
                w
                for w in queries.reading_figures(review.id)
                if w.workspace_id == item.id
            ),
            None,
        )
    return render_template(
        "evidence/workspace.html",
        workspace=item,
        review=review,
        evidence=page.items,
        names=names,
        next_url=next_page_url(page.next_cursor),
        inspecting=inspecting,
        filters=filters,
        filter_choices=_filter_choices(item) if inspecting else None,
        read=queries.read_by(me, [e.id for e in page.items]) if inspecting else set(),
        reading=reading,
        body_names=_body_names(reading),
        can_upload=permissions.can_upload(me, role, item) and not review.is_closed,
        can_withdraw=permissions.can_withdraw(me, role, item),
        notes=notes_panel(me, review, SubjectType.WORKSPACE, item.id, item),
        max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
        max_files=MAX_FILES_PER_FORM,
        type_label=uploads.type_label,
    )


def _evidence_filters() -> queries.EvidenceFilters:
    """The evidence list's filters from the query string; a value that is
    not one of the choices is a 400 naming it, never a silent empty list."""
    args = request.args
    filters = queries.EvidenceFilters(
        search=(args.get("q") or "").strip()[:200] or None,
        theme=(args.get("theme") or "").strip()[:100] or None,
    )
    wanted_request = args.get("request") or None
    if wanted_request:
        try:
            filters.request_id = uuid.UUID(wanted_request)
        except ValueError:
            raise ValidationFailed.field(
                "request", _("Choose a request from the list.")
            ) from None
    media_type = args.get("type") or None
    if media_type:
        if media_type not in {t.media_type for t in uploads.ACCEPTED_TYPES}:
            raise ValidationFailed.field("type", _("Choose a type from the list."))
        filters.media_type = media_type
    classification = args.get("classification") or None
    if classification:
        try:
            filters.classification = Classification(classification)
        except ValueError:
            raise ValidationFailed.field(
                "classification", _("Choose a classification from the list.")
            ) from None
    read = args.get("read") or None
    if read not in (None, "read", "unread"):
        raise ValidationFailed.field("read", _("Choose read or unread."))
    filters.read = None if read is None else read == "read"
    return filters


def _filter_choices(workspace: Any) -> dict[str, Any]:
    from app.intake.models import EvidenceRequest

    requests_ = db.session.execute(
        sa.select(EvidenceRequest.id, EvidenceRequest.number, EvidenceRequest.title)
        .where(EvidenceRequest.workspace_id == workspace.id)
        .order_by(EvidenceRequest.number)
    ).all()
    return {
        "requests": [(str(r.id), f"R-{r.number:03d} {r.title}") for r in requests_],
        "themes": review_queries.theme_names(workspace.review_id),
        "types": [
            (t.media_type, uploads.type_label(t.media_type))
            for t in uploads.ACCEPTED_TYPES
        ],
        "classifications": [c.value for c in Classification],
    }


def _body_names(reading: Any) -> dict[Any, str]:
    return _organisation_names(list(reading.read) if reading is not None else [])


def _organisation_names(ids: list[Any]) -> dict[Any, str]:
    from app.accounts.models import Organisation

    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return dict(
        db.session.execute(
            sa.select(Organisation.id, Organisation.name).where(
                Organisation.id.in_(wanted)
            )
        ).all()
    )


@bp.route("/workspaces/<uuid:workspace_id>/upload", methods=["POST"], endpoint="upload")
@csrf.exempt  # checked below, from the form's first part: see _check_csrf
@login_required
def upload(workspace_id: uuid.UUID) -> Response:
    me = _me()
    item = review_queries.get_visible_workspace_or_404(me, workspace_id)
    back = _BackFromUpload(item)
    try:
        results = services.upload_many(
            me,
            item,
            uploads.incoming_form(request),
            max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
            max_files=MAX_FILES_PER_FORM,
            before_files=back.check_csrf,
        )
    except (ValidationFailed, Conflict) as refused:
        # The form's details (not a file) were wrong, or the request it
        # answers takes no more evidence: nothing was stored.
        if _wants_json() or (isinstance(refused, Conflict) and not back.request_id):
            raise
        problems = getattr(refused, "fields", {}).values() or [refused.message]
        for problem in problems:
            flash(_("Nothing was uploaded. %(problem)s", problem=problem), "error")
        return redirect(back.url())
    if _wants_json():
        return jsonify({"files": [_result_json(r) for r in results]})
    stored = [r for r in results if r.item is not None]
    refused = [r for r in results if r.item is None]
    if stored:
        flash(
            _("Uploaded: %(names)s.", names=", ".join(r.filename for r in stored)),
            "success",
        )
    for result in refused:
        flash(
            _(
                "Not uploaded: %(name)s. %(problem)s",
                name=result.filename,
                problem=result.problem,
            ),
            "error",
        )
    if not results:
        flash(_("Choose one or more files to upload."), "error")
    return redirect(back.url())


class _BackFromUpload:
    """Where a page's upload returns: to the request it answers (the form's
    ``request_id``, read with the CSRF token before the files), else to the
    workspace."""

    def __init__(self, workspace: Any) -> None:
        self.workspace = workspace
        self.request_id: uuid.UUID | None = None

    def check_csrf(self, fields: dict[str, str]) -> None:
        _check_csrf(fields)
        try:
            self.request_id = uuid.UUID(fields.get("request_id", "").strip())
        except ValueError:
            self.request_id = None

    def url(self) -> str:
        if self.request_id is None:
            return url_for("evidence.workspace", workspace_id=self.workspace.id)
        return url_for("intake.request", request_id=self.request_id)


def _check_csrf(fields: dict[str, str]) -> None:
    """The upload form streams, so Flask-WTF cannot read its token before
    the files: the token comes first in the form (or in a header from the
    page's script) and is checked before any file is stored."""
    token = fields.get("csrf_token") or request.headers.get("X-CSRFToken", "")
    try:
        validate_csrf(token)
    except ValidationError as refused:
        raise CSRFError(str(refused)) from None


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json"


def _result_json(result: services.UploadResult) -> dict[str, Any]:
    if result.item is None:
        return {"name": result.filename, "ok": False, "problem": result.problem}
    return {
        "name": result.filename,
        "ok": True,
        "url": url_for("evidence.item", evidence_id=result.item.id),
    }


@bp.route("/evidence/<uuid:evidence_id>", endpoint="item")
@login_required
def item(evidence_id: uuid.UUID) -> str:
    me = _me()
    evidence = queries.get_visible_evidence_or_404(me, evidence_id)
    workspace = evidence.workspace
    role = review_queries.role_in(me, workspace.review_id)
    # Opening the item's page counts as reading it (for inspecting members).
    services.view(me, evidence, via="page")
    readers = None
    if role is not None and role.side is Side.INSPECTING:
        readers = queries.list_readers(evidence, {"limit": 200, "cursor": None}).items
    names = account_queries.names_of(
        [evidence.uploaded_by_id, *(f.uploaded_by_id for f in evidence.files)]
    )
    open_review = not workspace.review.is_closed
    return render_template(
        "evidence/item.html",
        item=evidence,
        file=evidence.current_file,
        workspace=workspace,
        names=names,
        uploader=names.get(evidence.uploaded_by_id) if evidence.uploaded_by_id else "",
        can_withdraw=permissions.can_withdraw(me, role, workspace) and open_review,
        can_edit=permissions.can_upload(me, role, workspace) and open_review,
        max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
        type_label=uploads.type_label,
        notes=notes_panel(
            me, workspace.review, SubjectType.EVIDENCE, evidence.id, workspace
        ),
        readers=readers,
        # From the audit trail, for those who read it (the lead officers).
        readings=audit_queries.readings_of(evidence.id)
        if audit_queries.may_view_review_trail(me, workspace.review)
        else None,
        reader_bodies=_organisation_names(
            [row.organisation_id for row, _name in readers or []]
        ),
    )


@bp.route(
    "/evidence/<uuid:evidence_id>/versions", methods=["POST"], endpoint="add_version"
)
@csrf.exempt  # checked from the form's first part, before the file is stored
@login_required
def add_version(evidence_id: uuid.UUID) -> Response:
    me = _me()
    evidence = queries.get_visible_evidence_or_404(me, evidence_id)
    back = redirect(url_for("evidence.item", evidence_id=evidence.id))
    try:
        updated = services.add_version(
            me,
            evidence,
            uploads.incoming_form(request),
            max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
            before_file=_check_csrf,
        )
    except (Forbidden, CSRFError):
        raise
    except PortalError as refused:
        if refused.status == 404:
            raise
        # Too big, a refused type or name, a finished request: nothing stored.
        flash(
            _("The new version was not uploaded. %(problem)s", problem=refused.message),
            "error",
        )
        return back
    flash(
        _(
            "Version %(number)d of %(reference)s was uploaded.",
            number=updated.version,
            reference=updated.reference,
        ),
        "success",
    )
    return back


@bp.route("/evidence/<uuid:evidence_id>/edit", methods=["GET", "POST"], endpoint="edit")
@login_required
def edit(evidence_id: uuid.UUID) -> str | Response:
    me = _me()
    evidence = queries.get_visible_evidence_or_404(me, evidence_id)
    workspace = evidence.workspace
    role = review_queries.role_in(me, workspace.review_id)
    if not permissions.can_upload(me, role, workspace):
        raise Forbidden(_("Your role in this review does not allow changing evidence."))
    form = EditEvidenceForm(
        data={
            "title": evidence.title,
            "description": evidence.description,
            "effective_date": evidence.effective_date,
            "themes": ", ".join(evidence.themes),
            "classification": evidence.classification.value,
            "personal_data": evidence.personal_data,
        }
        if request.method == "GET"
        else None
    )
    if form.validate_on_submit():
        services.update_metadata(me, evidence, form.changes())
        flash(
            _("The details of %(reference)s were saved.", reference=evidence.reference),
            "success",
        )
        return redirect(url_for("evidence.item", evidence_id=evidence.id))
    return render_template(
        "evidence/edit.html", item=evidence, workspace=workspace, form=form
    )


@bp.route("/evidence/<uuid:evidence_id>/download", endpoint="download")
@login_required
def download(evidence_id: uuid.UUID) -> Response:
    me = _me()
    evidence = queries.get_visible_evidence_or_404(me, evidence_id)
    version = request.args.get("version", type=int)
    if "version" in request.args and (version is None or version < 1):
        raise NotFound()
    return services.send_evidence(
        evidence,
        actor=me,
        conditional=ConditionalRequest.from_headers(request.headers),
        record_download=request.method == "GET",
        version=version,
    )


@bp.route(
    "/evidence/<uuid:evidence_id>/withdraw",
    methods=["GET", "POST"],
    endpoint="withdraw",
)
@login_required
def withdraw(evidence_id: uuid.UUID) -> str | Response:
    me = _me()
    evidence = queries.get_visible_evidence_or_404(me, evidence_id)
    workspace = evidence.workspace
    role = review_queries.role_in(me, workspace.review_id)
    if not permissions.can_withdraw(me, role, workspace):
        raise Forbidden(
            _("Your role in this review does not allow withdrawing evidence.")
        )
    form = WithdrawForm()
    if form.validate_on_submit():
        services.withdraw_evidence(me, evidence)
        flash(_("“%(title)s” was withdrawn.", title=evidence.title), "success")
        return redirect(url_for("evidence.workspace", workspace_id=workspace.id))
    return render_template(
        "evidence/withdraw.html",
        item=evidence,
        workspace=workspace,
        form=form,
        trash_days=services.trash_days(),
    )


@bp.route("/workspaces/<uuid:workspace_id>/withdrawn", endpoint="trash")
@login_required
def trash(workspace_id: uuid.UUID) -> str:
    """What was withdrawn here, for whoever may withdraw (and restore) it."""
    me = _me()
    workspace = review_queries.get_visible_workspace_or_404(me, workspace_id)
    page = queries.list_withdrawn(me, workspace, page_args())
    now = utcnow()
    return render_template(
        "evidence/trash.html",
        workspace=workspace,
        review=workspace.review,
        items=page.items,
        names=account_queries.names_of([i.withdrawn_by_id for i in page.items]),
        restorable={
            i.id
            for i in page.items
            if now <= services.restorable_until(i)
            and not any(f.purged_at for f in i.files)
            and not workspace.review.is_closed
        },
        until={i.id: services.restorable_until(i).date() for i in page.items},
        form=RestoreForm(),
        trash_days=services.trash_days(),
        next_url=next_page_url(page.next_cursor),
    )


@bp.route("/evidence/<uuid:evidence_id>/restore", methods=["POST"], endpoint="restore")
@login_required
def restore(evidence_id: uuid.UUID) -> Response:
    me = _me()
    item = queries.get_withdrawn_evidence_or_404(me, evidence_id)
    form = RestoreForm()
    if not form.validate_on_submit():
        raise ValidationFailed.field("csrf_token", _("The form has expired."))
    services.restore_evidence(me, item)
    flash(_("“%(title)s” was restored.", title=item.title), "success")
    return redirect(url_for("evidence.item", evidence_id=item.id))
