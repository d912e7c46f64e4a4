"""Commands for the evidence store's upkeep: orphan sweeps and fixity checks."""

from __future__ import annotations

import sys
from datetime import timedelta

import click
import sqlalchemy as sa
from flask import Flask

from app.core.db import db
from app.core.storage import current_store
from evidence_store import IntegrityError, ObjectNotFound


def register_commands(app: Flask) -> None:
    @app.cli.command("sweep-storage")
    @click.option(
        "--older-than-hours",
        default=24.0,
        show_default=True,
        help="Leave alone anything younger: it may belong to an upload in progress.",
    )
    @click.option("--dry-run", is_flag=True, help="Report, but delete nothing.")
    def sweep_storage(older_than_hours: float, dry_run: bool) -> None:
        """Remove orphan blobs (stored, but with no evidence row) and stale
        temporary files or unfinished multipart uploads."""
        from app.evidence import services

        report = services.sweep_storage(
            timedelta(hours=older_than_hours), dry_run=dry_run
        )
        verb = "Would remove" if dry_run else "Removed"
        click.echo(f"{verb} {len(report.orphans)} orphan blob(s).")
        for key in report.orphans:
            click.echo(f"  {key}")
        click.echo(f"{verb} {report.incomplete} stale temporary upload(s).")

    @app.cli.command("check-fixity")
    def check_fixity() -> None:
        """Recompute the SHA-256 of every stored file and report any that is
        missing or changed. Exits 1 if any is."""
        from app.evidence.models import EvidenceFile

        store = current_store()
        checked = bad = 0
        rows = db.session.execute(
            sa.select(EvidenceFile.storage_key, EvidenceFile.sha256, EvidenceFile.size)
            # Content deleted under retention is meant to be gone.
            .where(EvidenceFile.purged_at.is_(None))
            .order_by(EvidenceFile.uploaded_at)
        )
        for key, sha256, size in rows:
            checked += 1
            try:
                store.verify(key, sha256, size)
            except ObjectNotFound:
                bad += 1
                click.echo(f"MISSING  {key} (expected sha256 {sha256})")
            except IntegrityError as exc:
                bad += 1
                click.echo(f"CHANGED  {key}: {exc}")
        click.echo(f"Checked {checked} file(s): {bad} problem(s).")
        if bad:
            sys.exit(1)

    @app.cli.command("seed-bench")
    @click.option(
        "--workspace", "workspace_id", required=True, help="The workspace's id."
    )
    @click.option(
        "--items", "count", required=True, type=click.IntRange(1), help="How many."
    )
    @click.option(
        "--size",
        default=4096,
        show_default=True,
        type=click.IntRange(1),
        help="Bytes of text in each item.",
    )
    @click.option(
        "--batch", default=1000, show_default=True, type=click.IntRange(1, 10000)
    )
    @click.option(
        "--seed", default=1, show_default=True, help="The same seed, the same text."
    )
    def seed_bench(
        workspace_id: str, count: int, size: int, batch: int, seed: int
    ) -> None:
        """Fill a workspace with synthetic items of realistic text, in bulk, for
        benchmarks and load tests (refused in production)."""
        import uuid

        from flask import current_app

        from app.evidence import synthetic
        from app.reviews.models import Workspace

        if current_app.config["PORTAL_ENV"] == "production":
            raise click.ClickException(
                "seed-bench adds synthetic evidence: not in production."
            )
        try:
            workspace = db.session.get(Workspace, uuid.UUID(workspace_id))
        except ValueError:
            workspace = None
        if workspace is None:
            raise click.ClickException(f"No workspace has the id {workspace_id}.")
        seeded = synthetic.seed_items(
            workspace, count, size=size, batch=batch, seed=seed
        )
        click.echo(
            f"Added {seeded.items} item(s), {seeded.bytes} bytes: "
            f"{seeded.first_reference} to {seeded.last_reference}."
        )
