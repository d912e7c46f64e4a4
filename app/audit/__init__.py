"""The audit trail of the portal: every change and every reading of
evidence, hash-chained (api-v1-records.md, "Audit trail")."""

from flask import Blueprint

from app.core.api import ApiBlueprint

api_bp = ApiBlueprint(
    "audit_api",
    __name__,
    url_prefix="/api/v1",
    description="The audit trail: who did what, and when, hash-chained.",
)
bp = Blueprint("audit", __name__, template_folder="templates")
