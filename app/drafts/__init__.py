"""Agreement: drafts (feedback, each body's report, the joint press release)
in immutable versions, compared and commented on across bodies and approved
by each body's lead officer; feedback issued to its reviewed party with a
factual-accuracy window; and the publication the bodies agree, embargoed to
the second."""

from flask import Blueprint

from app.core.api import ApiBlueprint

api_bp = ApiBlueprint(
    "drafts_api",
    __name__,
    url_prefix="/api/v1",
    description="Drafts, versions, comments, approvals, feedback and publication.",
)
bp = Blueprint("drafts", __name__, template_folder="templates")
