"""Signing in: passwords, API tokens, sessions, and who the caller is."""

from flask import Blueprint

from app.core.api import ApiBlueprint

api_bp = ApiBlueprint(
    "auth_api",
    __name__,
    url_prefix="/api/v1",
    description="Tokens and the signed-in user.",
)
bp = Blueprint("auth", __name__, template_folder="templates")
