"""Command line: ``flask --app wsgi <command>``. Scripts depend on these names.

Each feature registers its own commands from a ``cli.py`` beside its
services (as Indico does); this module gathers them, and holds the demo,
which reaches into every feature and so lives at the top, not in
``app/core``."""

from __future__ import annotations

import click
from flask import Flask, current_app

from app.accounts import cli as accounts_cli
from app.audit import cli as audit_cli
from app.core import cli as core_cli
from app.evidence import cli as evidence_cli
from app.intake import cli as intake_cli
from app.jobs import cli as jobs_cli
from app.resumable import cli as resumable_cli
from app.retention import cli as retention_cli
from app.search import cli as search_cli

FEATURES = (
    core_cli,
    accounts_cli,
    audit_cli,
    evidence_cli,
    resumable_cli,
    intake_cli,
    retention_cli,
    jobs_cli,
    search_cli,
)


def register_commands(app: Flask) -> None:
    for feature in FEATURES:
        feature.register_commands(app)

    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Load the demo review, its organisations, users and a few files."""
        from app import demo

        if current_app.config["PORTAL_ENV"] == "production":
            raise click.ClickException(
                "seed-demo adds users with a published password: not in production."
            )
        users = demo.seed_demo(current_app.config["UPLOAD_MAX_BYTES"])
        click.echo(f"Demo review: {demo.REVIEW_TITLE}")
        click.echo(f"Every demo user's password: {demo.DEMO_PASSWORD}")
        for user in users:
            what = (
                "system administrator"
                if user.is_admin
                else (
                    f"{user.role.value.replace('_', ' ')}, {user.organisation}"
                    if user.role
                    else ""
                )
            )
            click.echo(f"  {user.email:<36} {what}")
