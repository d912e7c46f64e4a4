"""The text extracted from each stored evidence file, and its status. Files
stored before this migration start as pending (a type with an extractor) or
no_text; `flask --app wsgi extract-text` queues the pending ones.

Revision ID: a1e0c0de0015
Revises: a1e0c0de0014
Create Date: 2026-12-08 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a1e0c0de0015"
down_revision: str | None = "a1e0c0de0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The extractor's types on the day of this migration (app/search/extract.py).
EXTRACTED = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/rtf",
    "text/csv",
    "text/plain",
)


def upgrade() -> None:
    op.create_table(
        "evidence_texts",
        sa.Column("file_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "indexed", "no_text", "failed",
                name="text_status", native_enum=False, create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("extracted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("file_id", name=op.f("pk_evidence_texts")),
    )  # fmt: skip
    files = sa.table(
        "evidence_files",
        sa.column("id", sa.Uuid()),
        sa.column("media_type", sa.String()),
    )
    texts = sa.table(
        "evidence_texts",
        sa.column("file_id", sa.Uuid()),
        sa.column("status", sa.String()),
    )
    op.execute(
        texts.insert().from_select(
            ["file_id", "status"],
            sa.select(
                files.c.id,
                sa.case(
                    (files.c.media_type.in_(EXTRACTED), sa.literal("pending")),
                    else_=sa.literal("no_text"),
                ),
            ),
        )
    )


def downgrade() -> None:
    op.drop_table("evidence_texts")
