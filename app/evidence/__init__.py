"""Evidence: items in workspaces, their stored files, uploads and downloads."""

from flask import Blueprint

from app.core.api import ApiBlueprint

api_bp = ApiBlueprint(
    "evidence_api",
    __name__,
    url_prefix="/api/v1",
    description="Evidence items: upload, list, download, withdraw.",
)
bp = Blueprint("evidence", __name__, template_folder="templates")
