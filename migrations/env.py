"""Alembic environment: migrates the database the portal is configured for."""

from __future__ import annotations

from alembic import context

from app.core.db import Base

# Import every model so autogenerate sees the whole schema.
from app.models import import_all_models

import_all_models()
target_metadata = Base.metadata
config = context.config


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    # Render our UTC type as the plain DateTime it stores.
    from app.core.db import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # Run from the `alembic` command line: build the app to find the database.
    from app import create_app
    from app.core.db import db

    app = create_app()
    with app.app_context(), db.engine.connect() as connection:
        _run(connection)
        connection.commit()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        render_item=_render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported.")
run_migrations()
