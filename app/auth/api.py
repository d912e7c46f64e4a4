"""JSON API: tokens and the signed-in user."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import current_app, g, request
from flask_limiter.util import get_remote_address

from app.accounts.api import UserSchema
from app.accounts.models import User
from app.auth import api_bp as bp
from app.auth import services
from app.core.api import ResponseSchema, UtcDateTime, current_actor, token_required
from app.core.i18n import _l
from app.core.limiter import limiter


class CredentialsSchema(ma.Schema):
    email = ma.fields.String(
        required=True,
        validate=ma.validate.Length(
            max=320, error=_l("Must be at most {max} characters.")
        ),
    )
    password = ma.fields.String(
        required=True,
        load_only=True,
        validate=ma.validate.Length(
            max=1000, error=_l("Must be at most {max} characters.")
        ),
    )


class TokenSchema(ResponseSchema):
    token = ma.fields.String(required=True)
    expires_at = UtcDateTime(required=True)


def _sign_in_limit() -> str:
    return str(current_app.config["SIGN_IN_RATE_LIMIT"])


def _account_key() -> str:
    # Per account as well as per address: a spread-out guessing attack on one
    # account is slowed down too.
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    return f"account:{str(email).strip().lower()[:320]}" if email else "account:-"


def _failed(response: Any) -> bool:
    return bool(response.status_code == 401)


@bp.route("/auth/token", methods=["POST"], operation_id="create_token")
@limiter.limit(_sign_in_limit, key_func=get_remote_address, deduct_when=_failed)
@limiter.limit(_sign_in_limit, key_func=_account_key, deduct_when=_failed)
@bp.arguments(CredentialsSchema)
@bp.response(201, TokenSchema)
@bp.alt_response(400, schema="Error", description="Invalid input")
@bp.alt_response(401, schema="Error", description="Wrong e-mail address or password")
@bp.alt_response(429, schema="Error", description="Too many failed attempts")
@bp.doc(security=[])
def create_token(data: dict[str, Any]) -> Any:
    """Exchange an e-mail address and password for an API token."""
    issued = services.issue_token(
        data["email"], data["password"], ip_address=request.remote_addr
    )
    return {"token": issued.token, "expires_at": issued.expires_at}


@bp.route("/auth/token", methods=["DELETE"], operation_id="revoke_token")
@token_required
@bp.response(204)
@bp.alt_response(401, schema="Error", description="No valid token")
def delete_token() -> None:
    """Revoke the token this request was made with."""
    services.revoke_token(g.api_token, actor=current_actor())


@bp.route("/me", methods=["GET"], operation_id="get_me")
@token_required
@bp.response(200, UserSchema)
@bp.alt_response(401, schema="Error", description="No valid token")
def me() -> User:
    """The signed-in user."""
    user: User = current_actor()
    return user
