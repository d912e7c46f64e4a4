"""JSON API: drafts, their versions, comments and approvals; feedback issued
and its factual-accuracy check; the publication (api-v1-joint.md, "Drafts"
to "Publication and embargo")."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import marshmallow as ma
from flask import current_app, request

from app.accounts.models import User
from app.core import uploads
from app.core.api import (
    ChangeSchema,
    PageArgs,
    ResponseSchema,
    StrictBoolean,
    Text,
    UtcDateTime,
    current_actor,
    enum_field,
    load_json_object,
    page_schema,
    request_body,
    token_required,
)
from app.core.errors import Forbidden, ValidationFailed
from app.core.files import ConditionalRequest
from app.core.i18n import _
from app.core.sanitize import render_markdown
from app.drafts import api_bp as bp
from app.drafts import diff, queries, services
from app.drafts.models import (
    COMMENT_MAX,
    NOTE_MAX,
    QUOTE_MAX,
    TEXT_MAX,
    TITLE_MAX,
    AccuracyComment,
    Decision,
    Draft,
    DraftComment,
    DraftKind,
    DraftStatus,
    DraftVersion,
    Publication,
)
from app.evidence.api import FILE_CONTENT, FILE_CONTENT_DESCRIPTION
from app.notes.queries import reference_links
from app.reviews import queries as review_queries
from app.reviews.models import Review
from app.reviews.visibility import Scope, Viewer, require_inspecting

KIND_ERROR = "Must be one of: " + ", ".join(k.value for k in DraftKind) + "."
DECISION_ERROR = "Must be one of: " + ", ".join(d.value for d in Decision) + "."
SCOPE_ERROR = "Must be one of: joint, body."
SCOPES = ["joint", "body"]


def _scope_field() -> ma.fields.Enum:
    return ma.fields.Enum(
        Scope,
        by_value=True,
        error_messages={"unknown": SCOPE_ERROR},
        validate=ma.validate.OneOf(services.ALLOWED_SCOPES, error=SCOPE_ERROR),
        metadata={"type": "string", "enum": SCOPES},
    )


class NewDraftSchema(ma.Schema):
    kind = enum_field(DraftKind, KIND_ERROR, required=True)
    title = Text(required=True, min_length=1, max_length=TITLE_MAX)
    title_cy = Text(allow_none=True, max_length=TITLE_MAX)
    workspace_id = ma.fields.UUID(
        allow_none=True,
        metadata={"description": "Required for feedback: the workspace it goes to."},
    )
    scope = _scope_field()


class DraftChangeSchema(ChangeSchema):
    title = Text(min_length=1, max_length=TITLE_MAX)
    title_cy = Text(allow_none=True, max_length=TITLE_MAX)
    scope = _scope_field()


class DraftTextVersionSchema(ma.Schema):
    text = Text(required=True, min_length=1, max_length=TEXT_MAX, multiline=True)
    text_cy = Text(allow_none=True, max_length=TEXT_MAX, multiline=True)
    note = Text(allow_none=True, max_length=NOTE_MAX, multiline=True)


class DraftDiffArgs(ma.Schema):
    from_ = ma.fields.Integer(
        data_key="from", required=True, validate=ma.validate.Range(min=1)
    )
    to = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1))


class NewDraftCommentSchema(ma.Schema):
    body = Text(required=True, min_length=1, max_length=COMMENT_MAX, multiline=True)
    version = ma.fields.Integer(
        allow_none=True,
        validate=ma.validate.Range(min=1),
        metadata={"description": "Defaults to the current version."},
    )
    quote = Text(allow_none=True, max_length=QUOTE_MAX, multiline=True)


class DraftCommentListArgs(PageArgs):
    version = ma.fields.Integer(validate=ma.validate.Range(min=1))


class DraftCommentChangeSchema(ma.Schema):
    resolved = StrictBoolean(required=True)


class DraftDecisionSchema(ma.Schema):
    decision = enum_field(Decision, DECISION_ERROR, required=True)
    version = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1))
    comment = Text(allow_none=True, max_length=NOTE_MAX, multiline=True)


class NewAccuracyCommentSchema(ma.Schema):
    body = Text(required=True, min_length=1, max_length=COMMENT_MAX, multiline=True)
    quote = Text(allow_none=True, max_length=QUOTE_MAX, multiline=True)


class PublishAt(ma.fields.Field):
    """A time with its offset, or a date alone (00:01 Wales time that day)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str) or len(value) > 40:
            raise ma.ValidationError(_("Give a date, or a time with its offset."))
        try:
            if len(value) == 10:
                return date.fromisoformat(value)
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ma.ValidationError(
                _("Give a date (2027-06-01) or a time with its offset.")
            ) from None
        if moment.tzinfo is None:
            raise ma.ValidationError(
                _("Give the time with its offset, e.g. 2027-06-01T00:01:00+01:00.")
            )
        return moment


class PublicationProposalSchema(ma.Schema):
    publish_at = PublishAt(
        required=True,
        metadata={
            "type": "string",
            "maxLength": 40,
            "description": "A time with offset (RFC 3339), or a date alone: "
            "00:01 Europe/London on that day. In the future.",
            "example": "2027-06-01T00:01:00+01:00",
        },
    )
    draft_ids = ma.fields.List(
        ma.fields.UUID(),
        required=True,
        validate=ma.validate.Length(min=1, max=50),
    )


# --- answers -------------------------------------------------------------------


class DraftApprovalSchema(ResponseSchema):
    organisation_id = ma.fields.UUID()
    decision = ma.fields.String(
        allow_none=True, metadata={"enum": [d.value for d in Decision]}
    )
    version = ma.fields.Integer(allow_none=True)
    by = ma.fields.UUID(allow_none=True)
    at = UtcDateTime(allow_none=True)
    comment = ma.fields.String(allow_none=True)


class DraftSchema(ResponseSchema):
    id = ma.fields.UUID()
    review_id = ma.fields.UUID()
    kind = ma.fields.String(metadata={"enum": [k.value for k in DraftKind]})
    title = ma.fields.String()
    title_cy = ma.fields.String(allow_none=True)
    workspace_id = ma.fields.UUID(allow_none=True)
    organisation_id = ma.fields.UUID()
    scope = ma.fields.String(metadata={"enum": SCOPES})
    status = ma.fields.String(metadata={"enum": [s.value for s in DraftStatus]})
    current_version = ma.fields.Integer(allow_none=True)
    approvals = ma.fields.List(ma.fields.Nested(DraftApprovalSchema))
    agreed_at = UtcDateTime(allow_none=True)
    issued_at = UtcDateTime(allow_none=True)
    factual_accuracy_due = ma.fields.Date(allow_none=True)
    created_by = ma.fields.UUID(allow_none=True)
    created_at = UtcDateTime()


class DraftFileSchema(ResponseSchema):
    filename = ma.fields.String()
    media_type = ma.fields.String()
    size = ma.fields.Integer()
    sha256 = ma.fields.String()


class DraftVersionSchema(ResponseSchema):
    number = ma.fields.Integer()
    text = ma.fields.String(allow_none=True)
    text_cy = ma.fields.String(allow_none=True)
    html = ma.fields.String(
        allow_none=True,
        metadata={"description": "The text rendered and sanitised for the caller."},
    )
    html_cy = ma.fields.String(allow_none=True)
    file = ma.fields.Nested(DraftFileSchema, allow_none=True)
    note = ma.fields.String(allow_none=True)
    created_by = ma.fields.UUID(allow_none=True)
    created_at = UtcDateTime()


class DraftDiffSchema(ResponseSchema):
    from_ = ma.fields.Integer(data_key="from")
    to = ma.fields.Integer()
    unified = ma.fields.String()
    unified_cy = ma.fields.String()


class DraftCommentSchema(ResponseSchema):
    id = ma.fields.UUID()
    draft_id = ma.fields.UUID()
    version = ma.fields.Integer()
    body = ma.fields.String()
    html = ma.fields.String()
    quote = ma.fields.String(allow_none=True)
    author_id = ma.fields.UUID(allow_none=True)
    organisation_id = ma.fields.UUID(allow_none=True)
    created_at = UtcDateTime()
    resolved = ma.fields.Boolean()


class AccuracyCommentSchema(ResponseSchema):
    id = ma.fields.UUID()
    body = ma.fields.String()
    quote = ma.fields.String(allow_none=True)
    author_id = ma.fields.UUID(allow_none=True)
    created_at = UtcDateTime()


class PublicationAgreementSchema(ResponseSchema):
    organisation_id = ma.fields.UUID()
    by = ma.fields.UUID(allow_none=True)
    at = UtcDateTime()


class PublicationSchema(ResponseSchema):
    publish_at = UtcDateTime()
    draft_ids = ma.fields.List(ma.fields.UUID())
    agreements = ma.fields.List(ma.fields.Nested(PublicationAgreementSchema))
    status = ma.fields.String(metadata={"enum": ["proposed", "agreed", "published"]})


class DraftListArgs(PageArgs):
    kind = enum_field(DraftKind, KIND_ERROR)


DraftPage = page_schema(DraftSchema, "DraftPage")
VersionPage = page_schema(DraftVersionSchema, "DraftVersionPage")
CommentPage = page_schema(DraftCommentSchema, "DraftCommentPage")
AccuracyPage = page_schema(AccuracyCommentSchema, "AccuracyCommentPage")


def draft_views(reader: User, drafts: list[Draft]) -> list[dict[str, Any]]:
    """The drafts as ``reader`` sees them: a reviewed party (or anyone who
    sees a draft only as issued or published) sees the version shown to
    them and nothing of the decisions."""
    published = queries.published_among(drafts)
    decided = queries.decisions_of(drafts)
    # Once per review, not per draft: a page of 200 drafts is three queries.
    viewers: dict[uuid.UUID, Viewer] = {}
    parties: dict[uuid.UUID, list[uuid.UUID]] = {}
    for review_id in {d.review_id for d in drafts}:
        viewers[review_id] = Viewer.of(reader, review_id)
        parties[review_id] = queries.inspecting_parties(review_id)
    views = []
    for draft in drafts:
        access = queries.access_of(reader, draft, viewers[draft.review_id])
        approvals = []
        if access.full:
            by_org = {d.organisation_id: d for d in decided[draft.id]}
            for org in parties[draft.review_id]:
                d = by_org.get(org)
                approvals.append(
                    {
                        "organisation_id": org,
                        "decision": d.decision.value if d else None,
                        "version": d.version if d else None,
                        "by": d.by_id if d else None,
                        "at": d.at if d else None,
                        "comment": d.comment if d else None,
                    }
                )
        views.append(
            {
                "id": draft.id,
                "review_id": draft.review_id,
                "kind": draft.kind.value,
                "title": draft.title,
                "title_cy": draft.title_cy,
                "workspace_id": draft.workspace_id,
                "organisation_id": draft.organisation_id,
                "scope": draft.scope.value,
                "status": queries.status_of(draft, published).value,
                "current_version": access.shown_version,
                "approvals": approvals,
                "agreed_at": draft.agreed_at if access.full else None,
                "issued_at": draft.issued_at,
                "factual_accuracy_due": draft.factual_accuracy_due,
                "created_by": draft.created_by_id,
                "created_at": draft.created_at,
            }
        )
    return views


def version_views(
    reader: User, draft: Draft, versions: list[DraftVersion]
) -> list[dict[str, Any]]:
    links = reference_links(
        reader,
        draft.review_id,
        [t for v in versions for t in (v.text, v.text_cy) if t],
    )
    return [
        {
            "number": v.number,
            "text": v.text,
            "text_cy": v.text_cy,
            "html": render_markdown(v.text, links.get) if v.text else None,
            "html_cy": render_markdown(v.text_cy, links.get) if v.text_cy else None,
            "file": {
                "filename": v.filename,
                "media_type": v.media_type,
                "size": v.size,
                "sha256": v.sha256,
            }
            if v.file_key
            else None,
            "note": v.note,
            "created_by": v.created_by_id,
            "created_at": v.created_at,
        }
        for v in versions
    ]


def comment_views(
    reader: User, draft: Draft, comments: list[DraftComment]
) -> list[dict[str, Any]]:
    links = reference_links(reader, draft.review_id, [c.body for c in comments])
    return [
        {
            "id": c.id,
            "draft_id": c.draft_id,
            "version": c.version,
            "body": c.body,
            "html": render_markdown(c.body, links.get),
            "quote": c.quote,
            "author_id": c.author_id,
            "organisation_id": c.organisation_id,
            "created_at": c.created_at,
            "resolved": c.resolved,
        }
        for c in comments
    ]


def accuracy_view(comment: AccuracyComment) -> dict[str, Any]:
    return {
        "id": comment.id,
        "body": comment.body,
        "quote": comment.quote,
        "author_id": comment.author_id,
        "created_at": comment.created_at,
    }


def publication_view(review: Review, publication: Publication) -> dict[str, Any]:
    return {
        "publish_at": publication.publish_at,
        "draft_ids": queries.publication_drafts(review),
        "agreements": [
            {"organisation_id": a.organisation_id, "by": a.by_id, "at": a.at}
            for a in queries.publication_agreements(review)
        ],
        "status": services.publication_status(review, publication),
    }


def _one(actor: User, draft: Draft) -> dict[str, Any]:
    return draft_views(actor, [draft])[0]


# --- drafts --------------------------------------------------------------------


@bp.route(
    "/reviews/<uuid:review_id>/drafts", methods=["POST"], operation_id="create_draft"
)
@token_required
@bp.arguments(NewDraftSchema)
@bp.response(201, DraftSchema)
@bp.alt_response(400, schema="Error", description="Invalid input")
@bp.alt_response(403, schema="Error", description="Not an inspector or lead officer")
@bp.alt_response(404, schema="Error", description="No such review, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
def create_draft(data: dict[str, Any], review_id: uuid.UUID) -> Any:
    """Start a draft: feedback to a reviewed party, a body's report, a joint
    press release or another document (its versions come next)."""
    actor = current_actor()
    review = review_queries.get_visible_review_or_404(actor, review_id)
    return _one(actor, services.create_draft(actor, review, data))


@bp.route(
    "/reviews/<uuid:review_id>/drafts", methods=["GET"], operation_id="list_drafts"
)
@token_required
@bp.arguments(DraftListArgs, location="query")
@bp.response(200, DraftPage)
@bp.alt_response(403, schema="Error", description="Not a member of the review")
@bp.alt_response(404, schema="Error", description="No such review, or not visible")
def list_drafts(args: dict[str, Any], review_id: uuid.UUID) -> Any:
    """The drafts the caller may see, oldest first (a reviewed party's
    members: the feedback issued to them, and what is published)."""
    actor = current_actor()
    review = review_queries.get_visible_review_or_404(actor, review_id)
    if not Viewer.of(actor, review).is_member:
        raise Forbidden(_("Only members of the review see its drafts."))
    result = queries.list_drafts(
        actor,
        review,
        {"limit": args["limit"], "cursor": args.get("cursor")},
        kind=args.get("kind"),
    )
    return {
        "items": draft_views(actor, result.items),
        "next_cursor": result.next_cursor,
    }


@bp.route("/drafts/<uuid:draft_id>", methods=["GET"], operation_id="get_draft")
@token_required
@bp.response(200, DraftSchema)
@bp.alt_response(404, schema="Error", description="No such draft, or not visible")
def get_draft(draft_id: uuid.UUID) -> Any:
    """One draft, with where each inspecting body stands on its version."""
    actor = current_actor()
    return _one(actor, queries.get_visible_draft_or_404(actor, draft_id))


@bp.route("/drafts/<uuid:draft_id>", methods=["PATCH"], operation_id="update_draft")
@token_required
@bp.arguments(DraftChangeSchema)
@bp.response(200, DraftSchema)
@bp.alt_response(400, schema="Error", description="Invalid input")
@bp.alt_response(403, schema="Error", description="Not a writer of the owning body")
@bp.alt_response(404, schema="Error", description="No such draft, or not visible")
@bp.alt_response(409, schema="Error", description="Unsharing, or the review closed")
def update_draft(data: dict[str, Any], draft_id: uuid.UUID) -> Any:
    """Rename it, or share a body's draft with the other bodies
    (``scope: joint``; never back)."""
    actor = current_actor()
    draft = queries.get_visible_draft_or_404(actor, draft_id)
    return _one(actor, services.update_draft(actor, draft, data))


def _full_draft(actor: User, draft_id: uuid.UUID) -> Draft:
    """A draft the caller sees as the inspecting side does (403 for one
    seen only as issued or published; 404 for one not seen)."""
    draft = queries.get_visible_draft_or_404(actor, draft_id)
    queries.access_of(actor, draft).require_full()
    return draft


# --- versions ------------------------------------------------------------------

VERSION_BODY = request_body(
    "DraftTextVersion",
    "application/json",
    {
        "type": "object",
        "required": ["text"],
        "properties": {
            "text": {"type": "string", "minLength": 1, "maxLength": TEXT_MAX},
            "text_cy": {"type": "string", "maxLength": TEXT_MAX, "nullable": True},
            "note": {"type": "string", "maxLength": NOTE_MAX, "nullable": True},
        },
    },
    description="Markdown text (JSON), or an uploaded document (multipart).",
)
# Required in truth (no body is 400), but stated as optional: a required
# body of two content types makes openapi-python-client (0.29) write code
# that does not import (openapi-generators/openapi-python-client#1451).
VERSION_BODY["required"] = False
VERSION_BODY["content"].update(
    request_body(
        "DraftFileVersion",
        "multipart/form-data",
        {
            "type": "object",
            "required": ["file"],
            "properties": {
                "file": {"type": "string", "format": "binary"},
                "text": {"type": "string", "maxLength": TEXT_MAX},
                "text_cy": {"type": "string", "maxLength": TEXT_MAX},
                "note": {"type": "string", "maxLength": NOTE_MAX},
            },
        },
    )["content"]
)


@bp.route(
    "/drafts/<uuid:draft_id>/versions",
    methods=["POST"],
    operation_id="add_draft_version",
)
@token_required
@bp.doc(requestBody=VERSION_BODY)
@bp.response(201, DraftVersionSchema)
@bp.alt_response(400, schema="Error", description="Invalid input")
@bp.alt_response(403, schema="Error", description="Not an inspector or lead officer")
@bp.alt_response(404, schema="Error", description="No such draft, or not visible")
@bp.alt_response(409, schema="Error", description="Issued, listed, or closed")
@bp.alt_response(413, schema="Error", description="The file is too large")
@bp.alt_response(415, schema="Error", description="A type of file not accepted")
def add_version(draft_id: uuid.UUID) -> Any:
    """A new version (every decision on the draft is cleared)."""
    actor = current_actor()
    draft = _full_draft(actor, draft_id)
    if request.mimetype == "multipart/form-data":
        version = services.add_file_version(
            actor,
            draft,
            uploads.incoming_form(request),
            max_bytes=current_app.extensions["portal_settings"].upload_max_bytes,
        )
    else:
        version = services.add_text_version(
            actor, draft, _json(DraftTextVersionSchema())
        )
    return version_views(actor, draft, [version])[0]


def _json(schema: ma.Schema) -> dict[str, Any]:
    if request.mimetype != "application/json":
        raise ValidationFailed(
            _("Send the version as JSON text, or as a multipart form with a file.")
        )
    return load_json_object(schema)


@bp.route(
    "/drafts/<uuid:draft_id>/versions",
    methods=["GET"],
    operation_id="list_draft_versions",
)
@token_required
@bp.response(200, VersionPage)
@bp.alt_response(404, schema="Error", description="No such draft, or not visible")
def list_versions(draft_id: uuid.UUID) -> Any:
    """Its versions, oldest first (a reviewed party: the issued one only)."""
    actor = current_actor()
    draft = queries.get_visible_draft_or_404(actor, draft_id)
    access = queries.access_of(actor, draft)
    versions = queries.versions_seen(access, draft)
    return {"items": version_views(actor, draft, versions), "next_cursor": None}


@bp.route(
    "/drafts/<uuid:draft_id>/versions/<int:number>",
    methods=["GET"],
    operation_id="get_draft_version",
)
@token_required
@bp.response(200, DraftVersionSchema)
@bp.alt_response(404, schema="Error", description="No such version, or not visible")
def get_version(draft_id: uuid.UUID, number: int) -> Any:
    """One version (a reviewed party: the issued or published one only)."""
    actor = current_actor()
    draft = queries.get_visible_draft_or_404(actor, draft_id)
    version = queries.get_version_or_404(queries.access_of(actor, draft), draft, number)
    return version_views(actor, draft, [version])[0]


@bp.route(
    "/drafts/<uuid:draft_id>/versions/<int:number>/content",
    methods=["GET"],
    operation_id="download_draft_version",
)
@token_required
@bp.response(
    200, FILE_CONTENT, content_type="*/*", description=FILE_CONTENT_DESCRIPTION
)
@bp.alt_response(
    206,
    schema=FILE_CONTENT,
    content_type="*/*",
    description="One byte range of the file (a Range request), same headers",
)
@bp.alt_response(304, description="Not modified (If-None-Match)")
@bp.alt_response(
    404, schema="Error", description="No such version or file, or not visible"
)
@bp.alt_response(
    410, schema="Error", description="The file was deleted under retention (gone)"
)
@bp.alt_response(416, schema="Error", description="Range outside the file")
def download_version(draft_id: uuid.UUID, number: int) -> Any:
    """A file version's document, with the same headers as evidence content
    (404 for a text version)."""

    actor = current_actor()
    draft = queries.get_visible_draft_or_404(actor, draft_id)
    version = queries.get_version_or_404(queries.access_of(actor, draft), draft, number)
    return services.send_version_file(
        version, ConditionalRequest.from_headers(request.headers)
    )


@bp.route("/drafts/<uuid:draft_id>/diff", methods=["GET"], operation_id="diff_draft")
@token_required
@bp.arguments(DraftDiffArgs, location="query")
@bp.response(200, DraftDiffSchema)
@bp.alt_response(400, schema="Error", description="A version missing or not given")
@bp.alt_response(403, schema="Error", description="Not on the inspecting side")
@bp.alt_response(404, schema="Error", description="No such draft, or not visible")
def diff_versions(args: dict[str, Any], draft_id: uuid.UUID) -> Any:
    """Unified diffs of two versions' text, English and Welsh (a DOCX
    version without text: its document's text)."""
    actor = current_actor()
    draft = _full_draft(actor, draft_id)
    pair = []
    for name, number in (("from", args["from_"]), ("to", args["to"])):
        version = queries.version_of(draft, number)
        if version is None:
            raise ValidationFailed.field(
                name, _("The draft has no version %(n)d.", n=number)
            )
        pair.append(version)
    old, new = pair
    return {
        "from_": old.number,
        "to": new.number,
        "unified": diff.unified(
            diff.version_text(old),
            diff.version_text(new),
            f"version {old.number}",
            f"version {new.number}",
        ),
        "unified_cy": diff.unified(
            diff.version_text(old, welsh=True),
            diff.version_text(new, welsh=True),
            f"version {old.number}",
            f"version {new.number}",
        ),
    }


# --- comments ------------------------------------------------------------------


@bp.route(
    "/drafts/<uuid:draft_id>/comments",
    methods=["POST"],
    operation_id="comment_on_draft",
)
@token_required
@bp.arguments(NewDraftCommentSchema)
@bp.response(201, DraftCommentSchema)
@bp.alt_response(400, schema="Error", description="Invalid input, or no such version")
@bp.alt_response(403, schema="Error", description="Not an inspector or lead officer")
@bp.alt_response(404, schema="Error", description="No such draft, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
def add_comment(data: dict[str, Any], draft_id: uuid.UUID) -> Any:
    """A comment on a version (the current one unless ``version`` is given),
    optionally quoting the passage it is about."""
    actor = current_actor()
    draft = _full_draft(actor, draft_id)
    comment = services.add_comment(actor, draft, data)
    return comment_views(actor, draft, [comment])[0]


@bp.route(
    "/drafts/<uuid:draft_id>/comments",
    methods=["GET"],
    operation_id="list_draft_comments",
)
@token_required
@bp.arguments(DraftCommentListArgs, location="query")
@bp.response(200, CommentPage)
@bp.alt_response(403, schema="Error", description="Not on the inspecting side")
@bp.alt_response(404, schema="Error", description="No such draft, or not visible")
def list_comments(args: dict[str, Any], draft_id: uuid.UUID) -> Any:
    """The comments on the draft (on one version with ``?version=N``),
    oldest first: the inspecting side's only."""
    actor = current_actor()
    draft = _full_draft(actor, draft_id)
    result = queries.list_comments(
        draft,
        {"limit": args["limit"], "cursor": args.get("cursor")},
        version=args.get("version"),
    )
    return {
        "items": comment_views(actor, draft, result.items),
        "next_cursor": result.next_cursor,
    }


@bp.route(
    "/draft-comments/<uuid:comment_id>",
    methods=["PATCH"],
    operation_id="resolve_draft_comment",
)
@token_required
@bp.arguments(DraftCommentChangeSchema)
@bp.response(200, DraftCommentSchema)
@bp.alt_response(400, schema="Error", description="Invalid input")
@bp.alt_response(403, schema="Error", description="Not an inspector or lead officer")
@bp.alt_response(404, schema="Error", description="No such comment, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
def resolve_comment(data: dict[str, Any], comment_id: uuid.UUID) -> Any:
    """Mark a comment resolved (or open again)."""
    actor = current_actor()
    comment = queries.get_visible_comment_or_404(actor, comment_id)
    draft = queries.get_visible_draft_or_404(actor, comment.draft_id)
    comment = services.resolve_comment(actor, comment, data["resolved"])
    return comment_views(actor, draft, [comment])[0]


# --- approvals -----------------------------------------------------------------


@bp.route(
    "/drafts/<uuid:draft_id>/approvals/<uuid:organisation_id>",
    methods=["PUT"],
    operation_id="decide_on_draft",
)
@token_required
@bp.arguments(DraftDecisionSchema)
@bp.response(200, DraftSchema)
@bp.alt_response(400, schema="Error", description="Invalid input")
@bp.alt_response(403, schema="Error", description="Not that body's lead officer")
@bp.alt_response(
    404, schema="Error", description="No such draft or inspecting party, or not visible"
)
@bp.alt_response(409, schema="Error", description="Not the current version, or fixed")
def decide(
    data: dict[str, Any], draft_id: uuid.UUID, organisation_id: uuid.UUID
) -> Any:
    """That body's decision on the current version: approve, no objection,
    or changes requested."""
    actor = current_actor()
    draft = _full_draft_or_404(actor, draft_id)
    return _one(actor, services.decide(actor, draft, organisation_id, data))


@bp.route(
    "/drafts/<uuid:draft_id>/approvals/<uuid:organisation_id>",
    methods=["DELETE"],
    operation_id="withdraw_draft_decision",
)
@token_required
@bp.response(200, DraftSchema)
@bp.alt_response(403, schema="Error", description="Not that body's lead officer")
@bp.alt_response(
    404, schema="Error", description="No such draft or inspecting party, or not visible"
)
@bp.alt_response(409, schema="Error", description="Issued, listed, or closed")
def withdraw_decision(draft_id: uuid.UUID, organisation_id: uuid.UUID) -> Any:
    """Withdraw that body's decision on the current version."""
    actor = current_actor()
    draft = _full_draft_or_404(actor, draft_id)
    return _one(actor, services.withdraw_decision(actor, draft, organisation_id))


def _full_draft_or_404(actor: User, draft_id: uuid.UUID) -> Draft:
    """Decisions are the inspecting side's: to anyone else the draft's
    approvals are not there at all."""
    from app.core.errors import NotFound

    draft = queries.get_visible_draft_or_404(actor, draft_id)
    if not queries.access_of(actor, draft).full:
        raise NotFound()
    return draft


# --- feedback ------------------------------------------------------------------


@bp.route(
    "/drafts/<uuid:draft_id>/issue", methods=["POST"], operation_id="issue_feedback"
)
@token_required
@bp.response(200, DraftSchema)
@bp.alt_response(403, schema="Error", description="Not an inspecting lead officer")
@bp.alt_response(404, schema="Error", description="No such draft, or not visible")
@bp.alt_response(409, schema="Error", description="Not agreed feedback, or closed")
def issue(draft_id: uuid.UUID) -> Any:
    """Issue agreed feedback to its reviewed party: its members see this
    version; its nominees have the factual-accuracy window to comment."""
    actor = current_actor()
    draft = _full_draft_or_404(actor, draft_id)
    return _one(actor, services.issue(actor, draft))


@bp.route(
    "/drafts/<uuid:draft_id>/accuracy",
    methods=["POST"],
    operation_id="comment_on_accuracy",
)
@token_required
@bp.arguments(NewAccuracyCommentSchema)
@bp.response(201, AccuracyCommentSchema)
@bp.alt_response(400, schema="Error", description="Invalid input")
@bp.alt_response(403, schema="Error", description="Not the workspace's nominee")
@bp.alt_response(404, schema="Error", description="No such draft, or not visible")
@bp.alt_response(409, schema="Error", description="The window has closed")
def add_accuracy(data: dict[str, Any], draft_id: uuid.UUID) -> Any:
    """A nominee's comment on the factual accuracy of issued feedback."""
    actor = current_actor()
    draft = queries.get_visible_draft_or_404(actor, draft_id)
    return accuracy_view(services.add_accuracy_comment(actor, draft, data))


@bp.route(
    "/drafts/<uuid:draft_id>/accuracy",
    methods=["GET"],
    operation_id="list_accuracy_comments",
)
@token_required
@bp.arguments(PageArgs, location="query")
@bp.response(200, AccuracyPage)
@bp.alt_response(403, schema="Error", description="Not a member who may see them")
@bp.alt_response(404, schema="Error", description="No such draft, or not visible")
def list_accuracy(page: dict[str, Any], draft_id: uuid.UUID) -> Any:
    """The factual-accuracy comments, oldest first: for the inspecting side
    and the workspace's members."""
    actor = current_actor()
    draft = queries.get_visible_draft_or_404(actor, draft_id)
    access = queries.access_of(actor, draft)
    if not (
        access.full
        or (
            draft.workspace_id is not None
            and access.viewer.own_workspace_id == draft.workspace_id
        )
    ):
        raise Forbidden(
            _("Only the inspecting bodies and the reviewed party see these.")
        )
    result = queries.list_accuracy(draft, page)
    return {
        "items": [accuracy_view(c) for c in result.items],
        "next_cursor": result.next_cursor,
    }


# --- publication ---------------------------------------------------------------


def _inspecting_review(actor: User, review_id: uuid.UUID) -> Review:
    review = review_queries.get_visible_review_or_404(actor, review_id)
    require_inspecting(
        actor, review, _("The publication is the inspecting bodies' to agree.")
    )
    return review


@bp.route(
    "/reviews/<uuid:review_id>/publication",
    methods=["PUT"],
    operation_id="propose_publication",
)
@token_required
@bp.arguments(PublicationProposalSchema)
@bp.response(200, PublicationSchema)
@bp.alt_response(400, schema="Error", description="Invalid input, or not the future")
@bp.alt_response(403, schema="Error", description="Not an inspecting lead officer")
@bp.alt_response(404, schema="Error", description="No such review, or not visible")
@bp.alt_response(409, schema="Error", description="A draft not agreed, or published")
def propose_publication(data: dict[str, Any], review_id: uuid.UUID) -> Any:
    """Propose when the agreed reports and press release are published, and
    which: any change clears every body's agreement."""
    actor = current_actor()
    review = _inspecting_review(actor, review_id)
    publication = services.propose_publication(actor, review, data)
    return publication_view(review, publication)


@bp.route(
    "/reviews/<uuid:review_id>/publication",
    methods=["GET"],
    operation_id="get_publication",
)
@token_required
@bp.response(200, PublicationSchema)
@bp.alt_response(403, schema="Error", description="Not an inspecting member")
@bp.alt_response(404, schema="Error", description="None proposed, or not visible")
def get_publication(review_id: uuid.UUID) -> Any:
    """The proposed publication: when, which drafts, who agreed, and its
    status (published from its time, once every body agreed)."""
    from app.core.errors import NotFound

    actor = current_actor()
    review = _inspecting_review(actor, review_id)
    publication = queries.publication_of(review)
    if publication is None:
        raise NotFound(_("No publication has been proposed yet."))
    return publication_view(review, publication)


@bp.route(
    "/reviews/<uuid:review_id>/publication/agreement",
    methods=["PUT"],
    operation_id="agree_publication",
)
@token_required
@bp.response(200, PublicationSchema)
@bp.alt_response(403, schema="Error", description="Not an inspecting lead officer")
@bp.alt_response(404, schema="Error", description="None proposed, or not visible")
@bp.alt_response(409, schema="Error", description="Its time passed, or published")
def agree_publication(review_id: uuid.UUID) -> Any:
    """The caller's body agrees to the date, time and drafts."""
    actor = current_actor()
    review = _inspecting_review(actor, review_id)
    publication = services.agree_publication(actor, review)
    return publication_view(review, publication)
