"""The hypotheses register: hypotheses, their history, their evidence.

Revision ID: a1e0c0de0006
Revises: a1e0c0de0005
Create Date: 2026-12-04 19:29:49.557709
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a1e0c0de0006"
down_revision: str | None = "a1e0c0de0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "hypotheses",
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("statement_cy", sa.Text(), nullable=True),
        sa.Column("theme", sa.String(length=200), nullable=True),
        sa.Column("workspace_id", sa.Uuid(), nullable=True),
        sa.Column(
            "scope",
            sa.Enum(
                "workspace",
                "joint",
                "body",
                name="artefact_scope",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "emerging",
                "supported",
                "partly_supported",
                "not_supported",
                "set_aside",
                name="hypothesis_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_hypotheses_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_hypotheses_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_hypotheses_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_hypotheses_workspace_id_workspaces"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hypotheses")),
        sa.UniqueConstraint(
            "review_id", "number", name=op.f("uq_hypotheses_review_id_number")
        ),
    )
    with op.batch_alter_table("hypotheses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_hypotheses_register", ["review_id", "number"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_hypotheses_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "hypothesis_changes",
        sa.Column("hypothesis_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "emerging",
                "supported",
                "partly_supported",
                "not_supported",
                "set_aside",
                name="hypothesis_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_id"],
            ["users.id"],
            name=op.f("fk_hypothesis_changes_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["hypothesis_id"],
            ["hypotheses.id"],
            name=op.f("fk_hypothesis_changes_hypothesis_id_hypotheses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hypothesis_changes")),
    )
    with op.batch_alter_table("hypothesis_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_hypothesis_changes_history", ["hypothesis_id", "at", "id"], unique=False
        )

    op.create_table(
        "hypothesis_evidence",
        sa.Column("hypothesis_id", sa.Uuid(), nullable=False),
        sa.Column("evidence_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["evidence_items.id"],
            name=op.f("fk_hypothesis_evidence_evidence_id_evidence_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["hypothesis_id"],
            ["hypotheses.id"],
            name=op.f("fk_hypothesis_evidence_hypothesis_id_hypotheses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "hypothesis_id", "evidence_id", name=op.f("pk_hypothesis_evidence")
        ),
    )
    with op.batch_alter_table("hypothesis_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hypothesis_evidence_evidence_id"),
            ["evidence_id"],
            unique=False,
        )


def downgrade() -> None:

    with op.batch_alter_table("hypothesis_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hypothesis_evidence_evidence_id"))

    op.drop_table("hypothesis_evidence")
    with op.batch_alter_table("hypothesis_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_hypothesis_changes_history")

    op.drop_table("hypothesis_changes")
    with op.batch_alter_table("hypotheses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hypotheses_workspace_id"))
        batch_op.drop_index("ix_hypotheses_register")

    op.drop_table("hypotheses")
