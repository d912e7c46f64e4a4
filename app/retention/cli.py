"""Commands for retention: ``flask --app wsgi apply-retention [--dry-run]``."""

from __future__ import annotations

import sys

import click
from flask import Flask


def register_commands(app: Flask) -> None:
    @app.cli.command("apply-retention")
    @click.option("--dry-run", is_flag=True, help="Say what would go; delete nothing.")
    def apply_retention(dry_run: bool) -> None:
        """Delete the files of withdrawn evidence past TRASH_DAYS and of
        closed reviews past their retention, unless under legal hold (run
        daily). Rows, references, SHA-256s and the audit trail stay; the
        content then answers 410. Exits 1 if the store refused a deletion
        (tried again next run)."""
        from app.retention import services

        report = services.apply_retention(dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        for found in report.deleted:
            click.echo(
                f"{verb} {found.count} file(s), {found.size} bytes, of review "
                f"{found.review_id} ({found.reason})."
            )
        for found in report.held:
            click.echo(
                f"Kept {found.count} file(s) of review {found.review_id}: "
                "under legal hold."
            )
        click.echo(
            f"{verb} {report.files} file(s) in all; {len(report.held)} review(s) "
            "under legal hold kept."
        )
        if report.failed:
            click.echo(
                f"The store refused deletions for {report.failed} review(s): "
                "kept for the next run.",
                err=True,
            )
            sys.exit(1)
