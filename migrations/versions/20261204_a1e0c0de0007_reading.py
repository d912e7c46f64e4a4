"""Reading: who of the inspecting bodies has opened each evidence item.

Revision ID: a1e0c0de0007
Revises: a1e0c0de0006
Create Date: 2026-12-04 19:36:37.484816
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a1e0c0de0007"
down_revision: str | None = "a1e0c0de0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "evidence_body_reads",
        sa.Column("evidence_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("first_read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["evidence_items.id"],
            name=op.f("fk_evidence_body_reads_evidence_id_evidence_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_evidence_body_reads_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_evidence_body_reads_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_evidence_body_reads_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "evidence_id", "organisation_id", name=op.f("pk_evidence_body_reads")
        ),
    )
    with op.batch_alter_table("evidence_body_reads", schema=None) as batch_op:
        batch_op.create_index(
            "ix_evidence_body_reads_figures",
            ["review_id", "workspace_id", "organisation_id"],
            unique=False,
        )

    op.create_table(
        "evidence_reads",
        sa.Column("evidence_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("first_read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["evidence_items.id"],
            name=op.f("fk_evidence_reads_evidence_id_evidence_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_evidence_reads_organisation_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_evidence_reads_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "evidence_id", "user_id", name=op.f("pk_evidence_reads")
        ),
    )
    with op.batch_alter_table("evidence_reads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_reads_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("evidence_reads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_reads_user_id"))

    op.drop_table("evidence_reads")
    with op.batch_alter_table("evidence_body_reads", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_body_reads_figures")

    op.drop_table("evidence_body_reads")
