"""The headline messages of a review: the key messages the inspecting bodies
agree together, each body's lead officer agreeing for it, with the evidence
and hypotheses behind each. Never seen by a reviewed party."""

from flask import Blueprint

from app.core.api import ApiBlueprint

api_bp = ApiBlueprint(
    "messages_api",
    __name__,
    url_prefix="/api/v1",
    description="Headline messages, agreed by every inspecting body.",
)
bp = Blueprint("messages", __name__, template_folder="templates")
