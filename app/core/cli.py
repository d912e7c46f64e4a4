"""The ground floor's commands: the database schema. Each feature registers
its own commands (its ``cli.py``); ``app/cli.py`` gathers them."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from flask import Flask

from app.core.db import db
from app.core.storage import current_store
from evidence_store import StoreError

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
