"""Evidence intake: the inspectors' request lists for each workspace."""

from flask import Blueprint

from app.core.api import ApiBlueprint

api_bp = ApiBlueprint(
    "intake_api",
    __name__,
    url_prefix="/api/v1",
    description="Evidence requests: ask, answer with evidence, accept or return.",
)
bp = Blueprint("intake", __name__, template_folder="templates")
