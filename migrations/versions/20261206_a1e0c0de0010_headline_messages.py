"""Headline messages: the messages, their evidence and hypotheses, and each
inspecting body's agreement.

Revision ID: a1e0c0de0010
Revises: a1e0c0de0009
Create Date: 2026-12-06 21:08:41.193719
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a1e0c0de0010"
down_revision: str | None = "a1e0c0de0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "headline_messages",
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_cy", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_headline_messages_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_headline_messages_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_headline_messages")),
        sa.UniqueConstraint(
            "review_id", "number", name=op.f("uq_headline_messages_review_id_number")
        ),
    )
    op.create_table(
        "message_agreements",
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("by_id", sa.Uuid(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_id"],
            ["users.id"],
            name=op.f("fk_message_agreements_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["headline_messages.id"],
            name=op.f("fk_message_agreements_message_id_headline_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_message_agreements_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "message_id", "organisation_id", name=op.f("pk_message_agreements")
        ),
    )
    op.create_table(
        "message_hypotheses",
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("hypothesis_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hypothesis_id"],
            ["hypotheses.id"],
            name=op.f("fk_message_hypotheses_hypothesis_id_hypotheses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["headline_messages.id"],
            name=op.f("fk_message_hypotheses_message_id_headline_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "message_id", "hypothesis_id", name=op.f("pk_message_hypotheses")
        ),
    )
    with op.batch_alter_table("message_hypotheses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_message_hypotheses_hypothesis_id"),
            ["hypothesis_id"],
            unique=False,
        )

    op.create_table(
        "message_evidence",
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("evidence_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["evidence_items.id"],
            name=op.f("fk_message_evidence_evidence_id_evidence_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["headline_messages.id"],
            name=op.f("fk_message_evidence_message_id_headline_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "message_id", "evidence_id", name=op.f("pk_message_evidence")
        ),
    )
    with op.batch_alter_table("message_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_message_evidence_evidence_id"), ["evidence_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("message_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_evidence_evidence_id"))

    op.drop_table("message_evidence")
    with op.batch_alter_table("message_hypotheses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_hypotheses_hypothesis_id"))

    op.drop_table("message_hypotheses")
    op.drop_table("message_agreements")
    op.drop_table("headline_messages")
