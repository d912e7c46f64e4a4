"""Commands for search: ``flask --app wsgi extract-text``."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask, current_app


def register_commands(app: Flask) -> None:
    @app.cli.command("extract-text")
    @click.option("--failed", is_flag=True, help="Try the failed ones again too.")
    def extract_text(failed: bool) -> None:
        """Queue text extraction for every stored file still pending (after an
        upgrade, or a worker lost), and with --failed for those that failed."""
        from app.core.db import db
        from app.jobs import services as jobs
        from app.search.models import EvidenceText, TextStatus

        wanted = [TextStatus.PENDING, *([TextStatus.FAILED] if failed else [])]
        ids = list(
            db.session.scalars(
                sa.select(EvidenceText.file_id).where(EvidenceText.status.in_(wanted))
            )
        )
        for file_id in ids:
            jobs.after_commit(db.session, "extract_text", str(file_id))
        db.session.commit()
        jobs.runner(current_app).drain(timeout=3600)
        click.echo(f"Queued text extraction for {len(ids)} file(s).")
