"""JSON API: reviews, members and workspaces."""

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma

from app.accounts.models import User
from app.accounts.permissions import admin_required
from app.core.api import (
    ChangeSchema,
    PageArgs,
    ResponseSchema,
    StrictBoolean,
    Text,
    UtcDateTime,
    current_actor,
    page_schema,
    token_required,
)
from app.core.errors import Forbidden
from app.core.i18n import _, _l
from app.core.permissions import Role, Side
from app.reviews import api_bp as bp
from app.reviews import permissions, queries, services
from app.reviews.models import Membership, Review, ReviewStatus, VisitMode

ROLE_FIELD_ERROR = "Must be one of: " + ", ".join(r.value for r in Role) + "."


class NewReviewSchema(ma.Schema):
    title = Text(required=True, min_length=1, max_length=500)
    title_cy = Text(load_default=None, allow_none=True, max_length=500)
    inspecting = ma.fields.List(
        ma.fields.UUID(),
        required=True,
        validate=ma.validate.Length(
            min=1, max=50, error=_l("Name between {min} and {max} organisations.")
        ),
        metadata={"description": "Ids of the inspecting organisations."},
    )
    reviewed = ma.fields.List(
        ma.fields.UUID(),
        required=True,
        validate=ma.validate.Length(
            min=1, max=500, error=_l("Name between {min} and {max} organisations.")
        ),
        metadata={
            "description": "Ids of the reviewed organisations (one workspace each)."
        },
    )


class ReviewSchema(ResponseSchema):
    id = ma.fields.UUID()
    title = ma.fields.String()
    title_cy = ma.fields.String(allow_none=True)
    status = ma.fields.String(metadata={"enum": [s.value for s in ReviewStatus]})
    inspecting = ma.fields.List(ma.fields.UUID())
    reviewed = ma.fields.List(
        ma.fields.UUID(),
        metadata={"description": "A reviewed party's member sees only their own."},
    )
    closed_at = UtcDateTime(allow_none=True)
    retention_days = ma.fields.Integer(
        metadata={
            "description": "Days from closing until its files are deleted (the "
            "deployment's RETENTION_DAYS unless set for this review)."
        }
    )
    legal_hold = ma.fields.Boolean(
        metadata={"description": "While true, nothing of this review is deleted."}
    )


STAGE_ERROR = (
    "Must be one of: "
    + ", ".join(s.value for s in services.STAGE_ORDER if s in services.SETTABLE_STAGES)
    + "."
)


class ReviewChangeSchema(ChangeSchema):
    status = ma.fields.Enum(
        ReviewStatus,
        by_value=True,
        error_messages={"unknown": STAGE_ERROR},
        validate=ma.validate.OneOf(services.SETTABLE_STAGES, error=STAGE_ERROR),
        metadata={
            "type": "string",
            "enum": [
                s.value for s in services.STAGE_ORDER if s in services.SETTABLE_STAGES
            ],
            "description": "Forward only (stages may be skipped); closed is final. "
            "published is set by the agreed publication.",
        },
    )
    title = Text(min_length=1, max_length=500)
    title_cy = Text(allow_none=True, max_length=500)
    retention_days = ma.fields.Integer(
        strict=True,
        validate=ma.validate.Range(
            min=0,
            max=services.RETENTION_DAYS_MAX,
            error=_l("Must be between {min} and {max}."),
        ),
        metadata={
            "description": "Days from closing until its files are deleted; 0 means "
            "at once. Accepted when closed, too."
        },
    )
    legal_hold = StrictBoolean(
        metadata={
            "description": "Stops every deletion while true. Accepted when closed, too."
        }
    )


class MembershipSchema(ResponseSchema):
    user_id = ma.fields.UUID()
    role = ma.fields.String(metadata={"enum": [r.value for r in Role]})
    name = ma.fields.String(attribute="user.name")
    email = ma.fields.String(attribute="user.email")
    organisation_id = ma.fields.UUID(attribute="user.organisation_id", allow_none=True)


class RoleSchema(ma.Schema):
    role = ma.fields.Enum(
        Role,
        by_value=True,
        required=True,
        error_messages={"unknown": ROLE_FIELD_ERROR},
        metadata={"type": "string"},
    )


class WorkspaceSchema(ResponseSchema):
    id = ma.fields.UUID()
    review_id = ma.fields.UUID()
    organisation_id = ma.fields.UUID()
    name = ma.fields.String()
    name_cy = ma.fields.String(allow_none=True)


MODE_ERROR = "Must be one of: " + ", ".join(m.value for m in VisitMode) + "."


class NewThemeSchema(ma.Schema):
    name = Text(required=True, min_length=1, max_length=200)
    name_cy = Text(allow_none=True, max_length=200)
    period = Text(
        allow_none=True,
        max_length=100,
        metadata={"description": 'Free text: "Spring 2022", "Autumn term".'},
    )
    approach = ma.fields.Enum(
        VisitMode,
        by_value=True,
        allow_none=True,
        error_messages={"unknown": MODE_ERROR},
        metadata={"type": "string", "description": "As a visit's mode."},
    )


class ThemeChangeSchema(NewThemeSchema, ChangeSchema):
    name = Text(min_length=1, max_length=200)


class ThemeSchema(ResponseSchema):
    id = ma.fields.UUID()
    review_id = ma.fields.UUID()
    name = ma.fields.String()
    name_cy = ma.fields.String(allow_none=True)
    period = ma.fields.String(allow_none=True)
    approach = ma.fields.Enum(
        VisitMode, by_value=True, allow_none=True, metadata={"type": "string"}
    )


ReviewPage = page_schema(ReviewSchema, "ReviewPage")
ThemePage = page_schema(ThemeSchema, "ThemePage")
MembershipPage = page_schema(MembershipSchema, "MembershipPage")
WorkspacePage = page_schema(WorkspaceSchema, "WorkspacePage")


def review_view(user: User, review: Review) -> dict[str, Any]:
    """The review as ``user`` may see it.

    A reviewed party never learns which other organisations are under review:
    its members see only their own organisation among the reviewed.
    """
    role = queries.role_in(user, review.id)
    sees_all = user.is_admin or (role is not None and role.side is Side.INSPECTING)
    parties = queries.parties_of(review)
    return {
        "id": review.id,
        "title": review.title,
        "title_cy": review.title_cy,
        "status": review.stage.value,
        "inspecting": [p.organisation_id for p in parties if p.side is Side.INSPECTING],
        "reviewed": [
            p.organisation_id
            for p in parties
            if p.side is Side.REVIEWED
            and (sees_all or p.organisation_id == user.organisation_id)
        ],
        "closed_at": review.closed_at,
        "retention_days": services.retention_days_of(review),
        "legal_hold": review.legal_hold,
    }


@bp.route("/reviews", methods=["POST"], operation_id="create_review")
@token_required
@admin_required
@bp.arguments(NewReviewSchema)
@bp.response(201, ReviewSchema)
@bp.alt_response(400, schema="Error", description="Invalid input")
@bp.alt_response(403, schema="Error", description="Not a system administrator")
def create_review(data: dict[str, Any]) -> Any:
    """Create a review, with one workspace per reviewed organisation."""
    actor = current_actor()
    review = services.create_review(actor, **data)
    return review_view(actor, review)


@bp.route("/reviews", methods=["GET"], operation_id="list_reviews")
@token_required
@bp.arguments(PageArgs, location="query")
@bp.response(200, ReviewPage)
def list_reviews(page: dict[str, Any]) -> Any:
    """The reviews the caller is a member of (every review, for an administrator)."""
    actor = current_actor()
    result = queries.list_reviews(actor, page)
    return {
        "items": [review_view(actor, r) for r in result.items],
        "next_cursor": result.next_cursor,
    }


@bp.route("/reviews/<uuid:review_id>", methods=["GET"], operation_id="get_review")
@token_required
@bp.response(200, ReviewSchema)
@bp.alt_response(404, schema="Error", description="No such review, or not visible")
def get_review(review_id: uuid.UUID) -> Any:
    """One review."""
    actor = current_actor()
    return review_view(actor, queries.get_visible_review_or_404(actor, review_id))


@bp.route("/reviews/<uuid:review_id>", methods=["PATCH"], operation_id="update_review")
@token_required
@bp.arguments(ReviewChangeSchema)
@bp.response(200, ReviewSchema)
@bp.alt_response(400, schema="Error", description="Invalid input")
@bp.alt_response(403, schema="Error", description="Not a lead officer or administrator")
@bp.alt_response(404, schema="Error", description="No such review, or not visible")
@bp.alt_response(
    409, schema="Error", description="A stage backwards, or the review is closed"
)
def update_review(data: dict[str, Any], review_id: uuid.UUID) -> Any:
    """Move the review's stage forward (planning, fieldwork, reporting,
    closed), or change its title."""
    actor = current_actor()
    review = queries.get_visible_review_or_404(actor, review_id)
    return review_view(actor, services.update_review(actor, review, data))


@bp.route(
    "/reviews/<uuid:review_id>/members", methods=["GET"], operation_id="list_members"
)
@token_required
@bp.arguments(PageArgs, location="query")
@bp.response(200, MembershipPage)
@bp.alt_response(
    403, schema="Error", description="Reviewed parties may not list members"
)
@bp.alt_response(404, schema="Error", description="No such review, or not visible")
def list_members(page: dict[str, Any], review_id: uuid.UUID) -> Any:
    """The review's members: for inspecting members and administrators."""
    actor = current_actor()
    review = queries.get_visible_review_or_404(actor, review_id)
    if not permissions.can_view_members(actor, queries.role_in(actor, review.id)):
        raise Forbidden(_("Only the inspecting side may list the members of a review."))
    return queries.list_members(review, page)


@bp.route(
    "/reviews/<uuid:review_id>/members/<uuid:user_id>",
    methods=["PUT"],
    operation_id="set_member_role",
)
@token_required
@bp.arguments(RoleSchema)
@bp.response(200, MembershipSchema)
@bp.alt_response(400, schema="Error", description="The role does not fit the user")
@bp.alt_response(403, schema="Error", description="Not allowed to manage this member")
@bp.alt_response(404, schema="Error", description="No such review or user")
def put_member(
    data: dict[str, Any], review_id: uuid.UUID, user_id: uuid.UUID
) -> Membership:
    """Add a member to the review, or change their role."""
    actor = current_actor()
    review = queries.get_visible_review_or_404(actor, review_id)
    return services.set_member(actor, review, user_id, data["role"])


@bp.route(
    "/reviews/<uuid:review_id>/members/<uuid:user_id>",
    methods=["DELETE"],
    operation_id="remove_member",
)
@token_required
@bp.response(204)
@bp.alt_response(403, schema="Error", description="Not allowed to manage this member")
@bp.alt_response(404, schema="Error", description="No such review or member")
def delete_member(review_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """Remove a member: their access ends at once."""
    actor = current_actor()
    review = queries.get_visible_review_or_404(actor, review_id)
    services.remove_member(actor, review, user_id)


@bp.route(
    "/reviews/<uuid:review_id>/workspaces",
    methods=["GET"],
    operation_id="list_workspaces",
)
@token_required
@bp.arguments(PageArgs, location="query")
@bp.response(200, WorkspacePage)
@bp.alt_response(403, schema="Error", description="Administrators who are not members")
@bp.alt_response(404, schema="Error", description="No such review, or not visible")
def list_workspaces(page: dict[str, Any], review_id: uuid.UUID) -> Any:
    """The review's workspaces the caller may see: all of them for the
    inspecting side, only their own for a reviewed party."""
    actor = current_actor()
    review = queries.get_visible_review_or_404(actor, review_id)
    if not permissions.can_list_workspaces(actor, queries.role_in(actor, review.id)):
        raise Forbidden(_("Only members of the review see its workspaces."))
    return queries.list_workspaces(actor, review, page)


@bp.route(
    "/workspaces/<uuid:workspace_id>", methods=["GET"], operation_id="get_workspace"
)
@token_required
@bp.response(200, WorkspaceSchema)
@bp.alt_response(404, schema="Error", description="No such workspace, or not visible")
def get_workspace(workspace_id: uuid.UUID) -> Any:
    """One workspace."""
    return queries.get_visible_workspace_or_404(current_actor(), workspace_id)


# --- themes --------------------------------------------------------------------


@bp.route(
    "/reviews/<uuid:review_id>/themes", methods=["POST"], operation_id="create_theme"
)
@token_required
@bp.arguments(NewThemeSchema)
@bp.response(201, ThemeSchema)
@bp.alt_response(400, schema="Error", description="Invalid input")
@bp.alt_response(403, schema="Error", description="Not an inspector or lead officer")
@bp.alt_response(404, schema="Error", description="No such review, or not visible")
@bp.alt_response(
    409, schema="Error", description="A name the review has, or the review is closed"
)
def create_theme(data: dict[str, Any], review_id: uuid.UUID) -> Any:
    """Add a theme (a line of enquiry) to the review."""
    actor = current_actor()
    review = queries.get_visible_review_or_404(actor, review_id)
    return services.create_theme(actor, review, data)


@bp.route(
    "/reviews/<uuid:review_id>/themes", methods=["GET"], operation_id="list_themes"
)
@token_required
@bp.arguments(PageArgs, location="query")
@bp.response(200, ThemePage)
@bp.alt_response(403, schema="Error", description="Administrators who are not members")
@bp.alt_response(404, schema="Error", description="No such review, or not visible")
def list_themes(page: dict[str, Any], review_id: uuid.UUID) -> Any:
    """The review's themes, in the order they were made (every member)."""
    actor = current_actor()
    review = queries.get_visible_review_or_404(actor, review_id)
    if queries.role_in(actor, review.id) is None:
        raise Forbidden(_("Only members of the review see its themes."))
    result = queries.list_themes(actor, review, page)
    return {"items": result.items, "next_cursor": result.next_cursor}


@bp.route("/themes/<uuid:theme_id>", methods=["PATCH"], operation_id="update_theme")
@token_required
@bp.arguments(ThemeChangeSchema)
@bp.response(200, ThemeSchema)
@bp.alt_response(400, schema="Error", description="Invalid input")
@bp.alt_response(403, schema="Error", description="Not an inspector or lead officer")
@bp.alt_response(404, schema="Error", description="No such theme, or not visible")
@bp.alt_response(
    409, schema="Error", description="A name the review has, or the review is closed"
)
def update_theme(data: dict[str, Any], theme_id: uuid.UUID) -> Any:
    """Rename a theme, or change its period or approach."""
    actor = current_actor()
    theme = queries.get_visible_theme_or_404(actor, theme_id)
    return services.update_theme(actor, theme, data)


@bp.route("/themes/<uuid:theme_id>", methods=["DELETE"], operation_id="delete_theme")
@token_required
@bp.response(204)
@bp.alt_response(403, schema="Error", description="Not an inspector or lead officer")
@bp.alt_response(404, schema="Error", description="No such theme, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
def delete_theme(theme_id: uuid.UUID) -> None:
    """Remove a theme from the review's choices (what was filed under it
    keeps its text)."""
    actor = current_actor()
    services.delete_theme(actor, queries.get_visible_theme_or_404(actor, theme_id))
