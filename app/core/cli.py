"""Command line: ``flask --app wsgi <command>``. Scripts depend on these names."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import click
import sqlalchemy as sa
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app

from app.core.db import db
from app.core.errors import PortalError
from app.core.storage import current_store
from evidence_store import IntegrityError, ObjectNotFound, StoreError

MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"
# An advisory-lock number: app servers starting together migrate one at a time.
MIGRATION_LOCK_ID = 0x70_6F_72_74


def alembic_config(connection: sa.Connection) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade_database() -> None:
    """Create or upgrade the schema to the newest migration (safe to repeat)."""
    engine = db.engine
    if engine.dialect.name == "sqlite" and engine.url.database:
        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(
                sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID}
            )
        alembic_command.upgrade(alembic_config(connection), "head")


def register_commands(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db() -> None:
        """Create or upgrade the database schema; safe to run twice."""
        upgrade_database()
        click.echo(
            f"Database ready: {db.engine.url.render_as_string(hide_password=True)}"
        )
        try:
            current_store().check()
        except StoreError as exc:
            raise click.ClickException(
                f"The evidence store is not usable: {exc}"
            ) from exc
        click.echo("Evidence store ready.")

    @app.cli.command("create-admin")
    @click.argument("email")
    @click.option("--name", required=True, help="The administrator's full name.")
    @click.option(
        "--password",
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="At least 12 characters, hard to guess.",
    )
    def create_admin(email: str, name: str, password: str) -> None:
        """Create a system administrator (with no organisation)."""
        from app.accounts import services

        try:
            user = services.create_user(
                None,
                email=email,
                name=name,
                organisation_id=None,
                password=password,
                is_admin=True,
            )
        except PortalError as exc:
            details = getattr(exc, "fields", {})
            raise click.ClickException(
                " ".join([exc.message, *details.values()]).strip()
            ) from exc
        click.echo(f"Administrator {user.email} created (id {user.id}).")

    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Load the demo review, its organisations, users and a few files."""
        from app.core import demo

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
            sa.select(
                EvidenceFile.storage_key, EvidenceFile.sha256, EvidenceFile.size
            ).order_by(EvidenceFile.uploaded_at)
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

    @app.cli.command("send-reminders")
    @click.option(
        "--today",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="Act as if it were this day (YYYY-MM-DD), for testing.",
    )
    def send_reminders(today: object) -> None:
        """E-mail the request reminders due today (5 and 2 days before, on
        the day, overdue), and retry any e-mail that failed before: reminders
        and notifications alike (the outbox). Run daily; each message goes
        out once however often this runs. Exits 1 if a message failed (it
        stays pending and is tried again next time)."""
        from app.intake import reminders
        from app.notifications import services as notifications

        day = today.date() if today is not None else None  # type: ignore[attr-defined]
        report = reminders.send_reminders(day)
        click.echo(
            f"Reminders: {report.recorded} new, {report.sent} sent, "
            f"{report.skipped} no longer needed, {report.failed} failed."
        )
        stopped = report.stopped
        failed = report.failed
        if not stopped:
            told = notifications.send_pending()
            click.echo(
                f"Notifications: {told.sent} sent, {told.skipped} no longer "
                f"needed, {told.failed} failed."
            )
            stopped, failed = told.stopped, failed + told.failed
        if stopped:
            click.echo(f"The mail server could not be reached: {stopped}")
        if stopped or failed:
            sys.exit(1)
