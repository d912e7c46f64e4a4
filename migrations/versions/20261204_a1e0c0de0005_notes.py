"""Joint team notes (with their versions and mentions) and notifications.

Revision ID: a1e0c0de0005
Revises: a1e0c0de0004
Create Date: 2026-12-04 19:04:17.950317
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a1e0c0de0005"
down_revision: str | None = "a1e0c0de0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "notifications",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "mention",
                "reply",
                "draft_version",
                "approval",
                "agreed",
                "issued",
                "accuracy_comment",
                "published",
                name="notification_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_notifications_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_notifications_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notifications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint(
            "user_id",
            "kind",
            "subject_type",
            "subject_id",
            name=op.f("uq_notifications_user_id_kind_subject_type_subject_id"),
        ),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notifications_listing", ["user_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_notifications_review_id"), ["review_id"], unique=False
        )
        batch_op.create_index("ix_notifications_state", ["state"], unique=False)

    op.create_table(
        "notes",
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
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
        sa.Column("workspace_id", sa.Uuid(), nullable=True),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column(
            "subject_type",
            sa.Enum(
                "review",
                "workspace",
                "evidence",
                "request",
                "session",
                "hypothesis",
                name="note_subject",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("reply_to_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_notes_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"],
            ["users.id"],
            name=op.f("fk_notes_deleted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_notes_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reply_to_id"],
            ["notes.id"],
            name=op.f("fk_notes_reply_to_id_notes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_notes_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_notes_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
    )
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notes_reply_to_id"), ["reply_to_id"], unique=False
        )
        batch_op.create_index(
            "ix_notes_review_listing", ["review_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_notes_subject",
            ["review_id", "subject_type", "subject_id", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_notes_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "note_mentions",
        sa.Column("note_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["notes.id"],
            name=op.f("fk_note_mentions_note_id_notes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_note_mentions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("note_id", "user_id", name=op.f("pk_note_mentions")),
    )
    with op.batch_alter_table("note_mentions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_note_mentions_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "note_versions",
        sa.Column("note_id", sa.Uuid(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["notes.id"],
            name=op.f("fk_note_versions_note_id_notes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_versions")),
    )
    with op.batch_alter_table("note_versions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_note_versions_note", ["note_id", "at", "id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("note_versions", schema=None) as batch_op:
        batch_op.drop_index("ix_note_versions_note")

    op.drop_table("note_versions")
    with op.batch_alter_table("note_mentions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_note_mentions_user_id"))

    op.drop_table("note_mentions")
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notes_workspace_id"))
        batch_op.drop_index("ix_notes_subject")
        batch_op.drop_index("ix_notes_review_listing")
        batch_op.drop_index(batch_op.f("ix_notes_reply_to_id"))

    op.drop_table("notes")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_state")
        batch_op.drop_index(batch_op.f("ix_notifications_review_id"))
        batch_op.drop_index("ix_notifications_listing")

    op.drop_table("notifications")
