"""The index the reading figures count live and withdrawn items from.

Revision ID: a1e0c0de0009
Revises: a1e0c0de0008
Create Date: 2026-12-04 20:05:30.023095
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a1e0c0de0009"
down_revision: str | None = "a1e0c0de0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    with op.batch_alter_table("evidence_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_evidence_items_review_live",
            ["review_id", "withdrawn_at", "workspace_id"],
            unique=False,
        )


def downgrade() -> None:

    with op.batch_alter_table("evidence_items", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_items_review_live")
