"""Retention, trash and legal hold: when a review closed, its retention
period (null: the deployment's RETENTION_DAYS) and legal hold; when a
stored file's content was deleted under retention (its row, size and
SHA-256 stay on record).

Revision ID: a1e0c0de0013
Revises: a1e0c0de0012
Create Date: 2026-12-08 00:55:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "a1e0c0de0013"
down_revision: str | None = "a1e0c0de0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("retention_days", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "legal_hold", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    with op.batch_alter_table("evidence_files", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("draft_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True)
        )
    # A review closed before this migration: its retention counts from now,
    # the earliest moment the portal can vouch for.
    now = datetime.now(UTC)
    bind = op.get_bind()
    reviews = sa.table(
        "reviews",
        sa.column("status", sa.String()),
        sa.column("closed_at", sa.DateTime(timezone=True)),
    )
    bind.execute(
        reviews.update()
        .where(reviews.c.status == "closed")
        .values(
            closed_at=now if bind.dialect.name != "sqlite" else now.replace(tzinfo=None)
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("draft_versions", schema=None) as batch_op:
        batch_op.drop_column("purged_at")
    with op.batch_alter_table("evidence_files", schema=None) as batch_op:
        batch_op.drop_column("purged_at")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_column("legal_hold")
        batch_op.drop_column("retention_days")
        batch_op.drop_column("closed_at")
