"""Commands for resumable uploads: purging expired sessions."""

from __future__ import annotations

import sys

import click
from flask import Flask


def register_commands(app: Flask) -> None:
    @app.cli.command("purge-uploads")
    def purge_uploads() -> None:
        """Remove expired resumable upload sessions and their stored parts
        (run hourly or daily by cron). Exits 1 if some could not be removed."""
        from app.resumable import services as resumable_services

        report = resumable_services.purge_expired()
        click.echo(f"Removed {report.sessions} expired upload session(s).")
        if report.failed:
            click.echo(f"Could not remove {report.failed}: kept for the next run.")
            sys.exit(1)
