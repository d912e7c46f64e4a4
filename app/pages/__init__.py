"""Pages about the service: the accessibility statement and the privacy notice."""

from flask import Blueprint

bp = Blueprint("pages", __name__, template_folder="templates")
