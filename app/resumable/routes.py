"""The page's side of resumable uploads: the same operations as the API,
for the workspace page's script, on the session cookie.

The API takes bearer tokens only, so the page's script calls these instead,
with the page's CSRF token in the ``X-CSRFToken`` header (checked by
Flask-WTF for POST and DELETE; by hand for PUT, whose body is a raw part
larger than the app's limit for form bodies, which Flask-WTF would parse).
Answers are JSON, errors too (``{"error": ...}``), as the script asks for.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any, TypeVar, cast

import marshmallow as ma
from flask import jsonify, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.wrappers import Response
from wtforms.validators import ValidationError

from app.accounts.models import User
from app.core.api import load_json_object
from app.core.errors import (
    Unauthenticated,
    ValidationFailed,
)
from app.core.i18n import _, _l
from app.core.web import csrf
from app.evidence import metadata
from app.evidence.api import EvidenceSchema
from app.resumable import bp, queries, services
from app.resumable.api import (
    NewUploadSchema,
    ReceivedSchema,
    UploadSessionSchema,
    part_stream,
)
from app.reviews import queries as review_queries

F = TypeVar("F", bound=Callable[..., Any])

SIGNED_OUT = _l(
    "You are signed out: sign in again, then choose the file again to carry on "
    "from where the upload stopped."
)


def _signed_in(view: F) -> F:
    """Like login_required, but answers a script: 401 JSON, not a redirect."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            raise Unauthenticated(str(SIGNED_OUT))
        return view(*args, **kwargs)

    return cast(F, wrapper)


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


@bp.route("/workspaces/<uuid:workspace_id>/uploads", methods=["POST"])
@_signed_in
def begin(workspace_id: uuid.UUID) -> tuple[Response, int]:
    me = _me()
    workspace = review_queries.get_visible_workspace_or_404(me, workspace_id)
    session = services.begin(me, workspace, **load_json_object(NewUploadSchema()))
    return jsonify(UploadSessionSchema().dump(session)), 201


@bp.route(
    "/uploads/<uuid:upload_id>/parts/<int:number>",
    methods=["PUT"],
    endpoint="put_part",
)
@csrf.exempt  # checked below from the header: the body is a raw part
@_signed_in
def put_part(upload_id: uuid.UUID, number: int) -> Response:
    try:
        validate_csrf(request.headers.get("X-CSRFToken", ""))
    except ValidationError as refused:
        raise CSRFError(str(refused)) from None
    received = services.put_part(
        _me(), upload_id, number, part_stream(), request.content_length
    )
    return jsonify(ReceivedSchema().dump(received))


@bp.route("/uploads/<uuid:upload_id>", methods=["GET"], endpoint="get")
@_signed_in
def get(upload_id: uuid.UUID) -> Response:
    session = queries.get_own_session_or_404(_me(), upload_id)
    return jsonify(UploadSessionSchema().dump(session))


class PageCompleteSchema(ma.Schema):
    """The upload form's own fields, as the page's script sends them."""

    fields = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.String(), load_default=dict
    )


@bp.route("/uploads/<uuid:upload_id>/complete", methods=["POST"])
@_signed_in
def complete(upload_id: uuid.UUID) -> tuple[Response, int]:
    form = load_json_object(PageCompleteSchema())["fields"]
    limits = {"request_id": 64, **metadata.FORM_FIELD_LIMITS}
    for name, limit in limits.items():
        if len(form.get(name, "")) > limit:
            raise ValidationFailed.field(
                name, _("Must be at most %(count)d characters.", count=limit)
            )
    item = services.complete(
        _me(),
        upload_id,
        request_id=form.get("request_id", ""),
        metadata_fields={
            name: form[name] for name in metadata.FORM_FIELD_LIMITS if name in form
        },
    )
    answer = EvidenceSchema().dump(item)
    answer["url"] = url_for("evidence.item", evidence_id=item.id)
    return jsonify(answer), 201


@bp.route("/uploads/<uuid:upload_id>", methods=["DELETE"], endpoint="cancel")
@_signed_in
def cancel(upload_id: uuid.UUID) -> tuple[str, int]:
    services.cancel(_me(), upload_id)
    return "", 204


_ANY_ID = "00000000-0000-0000-0000-000000000000"


@bp.app_context_processor
def _page_settings() -> dict[str, Any]:
    """For the upload form: which files go through a session, and where."""

    def sessions_url() -> str:
        # "/uploads/": the script appends an upload's id (and /parts/N, ...).
        return url_for("resumable.get", upload_id=_ANY_ID).removesuffix(_ANY_ID)

    return {
        "resumable_threshold": services.threshold_setting,
        "resumable_sessions_url": sessions_url,
    }
