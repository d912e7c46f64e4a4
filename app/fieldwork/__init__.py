"""Fieldwork: visits to each reviewed party and the sessions in them
(interviews, team meetings, feedback, engagement sessions, observations),
the review's timetable, and each user's calendar feed."""

from flask import Blueprint

from app.core.api import ApiBlueprint

api_bp = ApiBlueprint(
    "fieldwork_api",
    __name__,
    url_prefix="/api/v1",
    description="Visits, sessions and the calendar feed.",
)
bp = Blueprint("fieldwork", __name__, template_folder="templates")
