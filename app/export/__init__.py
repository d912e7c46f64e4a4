"""The close-out export: a review (its lead officers) or a workspace (its
nominees) as one ZIP, streamed as it is built (api-v1-records.md, "Export")."""

from flask import Blueprint

from app.core.api import ApiBlueprint

api_bp = ApiBlueprint(
    "export_api",
    __name__,
    url_prefix="/api/v1",
    description="The close-out export of a review or a workspace.",
)
bp = Blueprint("export", __name__, template_folder="templates")
