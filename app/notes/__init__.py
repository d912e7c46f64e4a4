"""Joint team notes (and, with them, the inspectors' hypotheses)."""

from flask import Blueprint

from app.core.api import ApiBlueprint

api_bp = ApiBlueprint(
    "notes_api",
    __name__,
    url_prefix="/api/v1",
    description="Joint team notes: threads, edits with history, mentions.",
)
bp = Blueprint("notes", __name__, template_folder="templates")
