"""Notifications: in the portal (a count in the header, a page, mark as read)
and by e-mail in the reader's language, once each, through the outbox."""

from flask import Blueprint

from app.core.api import ApiBlueprint

api_bp = ApiBlueprint(
    "notifications_api",
    __name__,
    url_prefix="/api/v1",
    description="The caller's notifications.",
)
bp = Blueprint("notifications", __name__, template_folder="templates")
