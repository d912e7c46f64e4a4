"""Themes of a review: lines of enquiry, a committee's termly themes.

Revision ID: a1e0c0de0004
Revises: a1e0c0de0003
Create Date: 2026-12-04 18:55:11.691640
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a1e0c0de0004"
down_revision: str | None = "a1e0c0de0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "themes",
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_cy", sa.String(length=200), nullable=True),
        sa.Column("period", sa.String(length=100), nullable=True),
        sa.Column(
            "approach",
            sa.Enum(
                "on_site",
                "remote",
                "council_chamber",
                "hybrid",
                name="visit_mode",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_themes_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_themes_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_themes")),
        sa.UniqueConstraint("review_id", "name", name=op.f("uq_themes_review_id_name")),
    )
    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_themes_review_id"), ["review_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_themes_review_id"))

    op.drop_table("themes")
