"""The migrations build exactly the schema the models describe, and undo cleanly."""

from __future__ import annotations

import json

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


def test_existing_audit_records_move_into_the_chain(app) -> None:
    """Events written before the chain existed are numbered in the order they
    happened, renamed to the contract's actions, and chained: verify-audit
    passes on them."""
    import uuid
    from datetime import UTC, datetime, timedelta

    import sqlalchemy as sa

    from app.audit import chain

    old = sa.table(
        "audit_events",
        sa.column("id", sa.Uuid()),
        sa.column("occurred_at", sa.DateTime(timezone=True)),
        sa.column("actor_id", sa.Uuid()),
        sa.column("action", sa.String()),
        sa.column("review_id", sa.Uuid()),
        sa.column("target_type", sa.String()),
        sa.column("target_id", sa.Uuid()),
        sa.column("details", sa.JSON()),
        sa.column("ip_address", sa.String()),
    )
    start = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    written = [
        ("auth.signed_in", None, None, {"via": "web"}),
        ("request.returned", "EvidenceRequest", uuid.uuid4(), {"ref": "R-001"}),
        ("hypothesis.updated", "Hypothesis", uuid.uuid4(), {}),
        ("evidence.downloaded", "EvidenceItem", uuid.uuid4(), {"version": 1}),
    ]
    with app.app_context():
        with db.engine.begin() as connection:
            command.downgrade(alembic_config(connection), "a1e0c0de0011")
        with db.engine.begin() as connection:
            # Written out of order: the chain follows the times.
            for n, (action, kind, target, details) in reversed(
                list(enumerate(written))
            ):
                connection.execute(
                    old.insert().values(
                        id=uuid.uuid4(), occurred_at=start + timedelta(minutes=n),
                        action=action, target_type=kind, target_id=target,
                        details=details, ip_address="192.0.2.1",
                    )
                )  # fmt: skip
        with db.engine.begin() as connection:
            command.upgrade(alembic_config(connection), "head")
        with db.engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT seq, action, subject_type, details"
                    " FROM audit_events ORDER BY seq"
                )
            ).all()
        assert [(r[0], r[1], r[2]) for r in rows] == [
            (1, "auth.sign_in", None),
            (2, "request.decided", "request"),
            (3, "hypothesis.changed", "hypothesis"),
            (4, "evidence.downloaded", "evidence"),
        ]
        details = rows[1][3]
        assert (json.loads(details) if isinstance(details, str) else details)[
            "outcome"
        ] == "returned"
        with db.sessionmaker() as session:
            verdict = chain.verify(session)
        assert verdict.whole and verdict.checked == 4
        with db.engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM audit_events"))
