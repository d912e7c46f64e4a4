"""Reminders sent for evidence requests (each once), and the index that
the progress counts read.

Revision ID: a1e0c0de0003
Revises: a1e0c0de0002
Create Date: 2026-11-25 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a1e0c0de0003"
down_revision: str | None = "a1e0c0de0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("evidence_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_evidence_requests_progress",
            ["workspace_id", "status", "due_date"],
            unique=False,
        )
    op.create_table(
        "request_notices",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "made",
                "due_in_5",
                "due_in_2",
                "due_today",
                "overdue",
                "returned",
                name="notice_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("occasion", sa.String(length=40), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "sent",
                "skipped",
                "failed",
                name="notice_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["evidence_requests.id"],
            name=op.f("fk_request_notices_request_id_evidence_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_request_notices_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_notices")),
        sa.UniqueConstraint(
            "request_id",
            "user_id",
            "kind",
            "occasion",
            name=op.f("uq_request_notices_request_id_user_id_kind_occasion"),
        ),
    )
    with op.batch_alter_table("request_notices", schema=None) as batch_op:
        batch_op.create_index("ix_request_notices_state", ["state"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_request_notices_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("request_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_notices_user_id"))
        batch_op.drop_index("ix_request_notices_state")

    op.drop_table("request_notices")
    with op.batch_alter_table("evidence_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_requests_progress")
