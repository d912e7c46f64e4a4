"""The migrations build exactly the schema the models describe, and undo cleanly."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.core.cli import alembic_config
from app.core.db import Base, db
from app.models import import_all_models


def test_models_and_migrations_agree(app) -> None:
    import_all_models()
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_to_nothing_and_back(app, database_url) -> None:
    with app.app_context():
        with db.engine.begin() as connection:
            command.downgrade(alembic_config(connection), "base")
        with db.engine.connect() as connection:
            tables = db.engine.dialect.get_table_names(connection)
            assert set(tables) <= {"alembic_version"}
        with db.engine.begin() as connection:
            command.upgrade(alembic_config(connection), "head")
        with db.engine.connect() as connection:
            tables = set(db.engine.dialect.get_table_names(connection))
        assert {
            "users",
            "reviews",
            "workspaces",
            "evidence_items",
            "evidence_files",
        } <= tables
