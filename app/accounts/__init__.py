"""Organisations and users: managed by system administrators."""

from app.core.api import ApiBlueprint

api_bp = ApiBlueprint(
    "accounts_api",
    __name__,
    url_prefix="/api/v1",
    description="Organisations and users (system administrators only).",
)
