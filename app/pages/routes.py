"""Pages about the service, open to everyone."""

from __future__ import annotations

from flask import render_template

from app.pages import bp


@bp.route("/accessibility", endpoint="accessibility")
def accessibility() -> str:
    return render_template("pages/accessibility.html")


@bp.route("/privacy", endpoint="privacy")
def privacy() -> str:
    return render_template("pages/privacy.html")
