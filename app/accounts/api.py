"""JSON API: organisations and users (system administrators only)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from app.accounts import api_bp as bp
from app.accounts import queries, services
from app.accounts.models import Locale, Organisation, OrganisationKind, User
from app.accounts.permissions import admin_required
from app.core.api import (
    PageArgs,
    ResponseSchema,
    StrictBoolean,
    Text,
    current_actor,
    page_schema,
    token_required,
)
from app.core.i18n import _l

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class NewOrganisationSchema(ma.Schema):
    slug = ma.fields.String(
        required=True,
        validate=[
            ma.validate.Length(
                min=2, max=64, error=_l("Must be {min} to {max} characters.")
            ),
            ma.validate.Regexp(
                SLUG_PATTERN,
                error=_l(
                    "Use lower-case letters, digits and single hyphens, "
                    "e.g. 'audit-wales'."
                ),
            ),
        ],
    )
    name = Text(required=True, min_length=1, max_length=200)
    name_cy = Text(load_default=None, allow_none=True, max_length=200)
    kind = ma.fields.Enum(
        OrganisationKind, by_value=True, required=True, metadata={"type": "string"}
    )


class OrganisationSchema(ResponseSchema):
    id = ma.fields.UUID()
    slug = ma.fields.String()
    name = ma.fields.String()
    name_cy = ma.fields.String(allow_none=True)
    kind = ma.fields.Enum(OrganisationKind, by_value=True, metadata={"type": "string"})


class UserSchema(ResponseSchema):
    """A user as the API shows it: never the password or its hash."""

    id = ma.fields.UUID()
    email = ma.fields.String(metadata={"format": "email"})
    name = ma.fields.String()
    organisation_id = ma.fields.UUID(
        allow_none=True,
        metadata={"description": "Null for an administrator of no organisation."},
    )
    is_admin = ma.fields.Boolean()
    locale = ma.fields.Enum(Locale, by_value=True, metadata={"type": "string"})


class NewUserSchema(ma.Schema):
    email = ma.fields.Email(
        required=True,
        validate=ma.validate.Length(
            max=320, error=_l("Must be at most {max} characters.")
        ),
    )
    name = Text(required=True, min_length=1, max_length=200)
    organisation_id = ma.fields.UUID(required=True, allow_none=False)
    is_admin = StrictBoolean(load_default=False)
    locale = ma.fields.Enum(
        Locale, by_value=True, load_default=Locale.EN, metadata={"type": "string"}
    )
    password = ma.fields.String(
        required=True,
        load_only=True,
        validate=ma.validate.Length(
            max=1000, error=_l("Must be at most {max} characters.")
        ),
    )


OrganisationPage = page_schema(OrganisationSchema, "OrganisationPage")
UserPage = page_schema(UserSchema, "UserPage")


@bp.route("/organisations", methods=["POST"], operation_id="create_organisation")
@token_required
@admin_required
@bp.arguments(NewOrganisationSchema)
@bp.response(201, OrganisationSchema)
@bp.alt_response(400, schema="Error", description="Invalid input")
@bp.alt_response(403, schema="Error", description="Not a system administrator")
@bp.alt_response(409, schema="Error", description="The slug is taken")
def create_organisation(data: dict[str, Any]) -> Organisation:
    """Create an organisation."""
    return services.create_organisation(current_actor(), **data)


@bp.route("/organisations", methods=["GET"], operation_id="list_organisations")
@token_required
@admin_required
@bp.arguments(PageArgs, location="query")
@bp.response(200, OrganisationPage)
@bp.alt_response(403, schema="Error", description="Not a system administrator")
def list_organisations(page: dict[str, Any]) -> Any:
    """List organisations, oldest first."""
    return queries.list_organisations(page)


@bp.route("/users", methods=["POST"], operation_id="create_user")
@token_required
@admin_required
@bp.arguments(NewUserSchema)
@bp.response(201, UserSchema)
@bp.alt_response(400, schema="Error", description="Invalid input or a weak password")
@bp.alt_response(403, schema="Error", description="Not a system administrator")
@bp.alt_response(409, schema="Error", description="The e-mail address is taken")
def create_user(data: dict[str, Any]) -> User:
    """Create a user in an organisation."""
    return services.create_user(current_actor(), **data)


@bp.route("/users", methods=["GET"], operation_id="list_users")
@token_required
@admin_required
@bp.arguments(PageArgs, location="query")
@bp.response(200, UserPage)
@bp.alt_response(403, schema="Error", description="Not a system administrator")
def list_users(page: dict[str, Any]) -> Any:
    """List users, oldest first."""
    return queries.list_users(page)
