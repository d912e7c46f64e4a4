"""Resumable uploads: large files sent part by part, surviving dropped
connections, then committed as evidence items."""

from flask import Blueprint

from app.core.api import ApiBlueprint

api_bp = ApiBlueprint(
    "resumable_api",
    __name__,
    url_prefix="/api/v1",
    description="Resumable uploads: large files in parts, resumed after a "
    "dropped connection.",
)
bp = Blueprint("resumable", __name__)
