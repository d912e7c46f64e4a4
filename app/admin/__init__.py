"""Administration pages: organisations, users and reviews (administrators only)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
