"""Reviews: their parties, workspaces and members."""

from flask import Blueprint

from app.core.api import ApiBlueprint

api_bp = ApiBlueprint(
    "reviews_api",
    __name__,
    url_prefix="/api/v1",
    description="Reviews, their members and workspaces.",
)
bp = Blueprint("reviews", __name__, template_folder="templates")
