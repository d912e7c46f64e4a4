"""The hypotheses (emerging findings) register of a review: what the
inspecting team tests, with its status, the reasons for each change, and the
evidence behind it. Never seen by a reviewed party."""

from flask import Blueprint

from app.core.api import ApiBlueprint

api_bp = ApiBlueprint(
    "hypotheses_api",
    __name__,
    url_prefix="/api/v1",
    description="Hypotheses and emerging findings, with their history and evidence.",
)
bp = Blueprint("hypotheses", __name__, template_folder="templates")
