"""Evidence references, effective dates, themes, classification, personal data; versions.

Revision ID: a1e0c0de0001
Revises: 506013f9979e
Create Date: 2026-11-25 09:00:00
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a1e0c0de0001"
down_revision: str | None = "506013f9979e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


CLASSIFICATION = sa.Enum(
    "OFFICIAL",
    "OFFICIAL-SENSITIVE",
    name="classification",
    native_enum=False,
    create_constraint=True,
    length=32,
)


def _prefix(slug: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", slug.upper())[:8] or "EV"


def upgrade() -> None:
    with op.batch_alter_table("evidence_items") as batch:
        batch.add_column(sa.Column("review_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("number", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("reference", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("effective_date", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column(
                "classification",
                CLASSIFICATION,
                nullable=False,
                server_default="OFFICIAL",
            )
        )
        batch.add_column(
            sa.Column(
                "personal_data", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )

    # Number the items already stored, in upload order within each review.
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT i.id, w.review_id, o.slug FROM evidence_items i "
            "JOIN workspaces w ON w.id = i.workspace_id "
            "JOIN organisations o ON o.id = w.organisation_id "
            "ORDER BY w.review_id, i.uploaded_at, i.id"
        )
    ).all()
    numbers: dict[object, int] = {}
    for item_id, review_id, slug in rows:
        numbers[review_id] = numbers.get(review_id, 0) + 1
        number = numbers[review_id]
        connection.execute(
            sa.text(
                "UPDATE evidence_items SET review_id = :review, number = :number, "
                "reference = :reference WHERE id = :id"
            ),
            {
                "review": review_id,
                "number": number,
                "reference": f"{_prefix(slug)}-{number:03d}",
                "id": item_id,
            },
        )

    with op.batch_alter_table("evidence_items") as batch:
        batch.alter_column("review_id", existing_type=sa.Uuid(), nullable=False)
        batch.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch.alter_column(
            "reference", existing_type=sa.String(length=32), nullable=False
        )
        batch.alter_column("classification", server_default=None)
        batch.alter_column("personal_data", server_default=None)
        batch.create_foreign_key(
            op.f("fk_evidence_items_review_id_reviews"),
            "reviews",
            ["review_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch.create_unique_constraint(
            op.f("uq_evidence_items_review_id_number"), ["review_id", "number"]
        )
        batch.create_unique_constraint(
            op.f("uq_evidence_items_review_id_reference"), ["review_id", "reference"]
        )

    op.create_table(
        "evidence_themes",
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("theme", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["evidence_items.id"],
            name=op.f("fk_evidence_themes_item_id_evidence_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", "theme", name=op.f("pk_evidence_themes")),
    )
    op.create_index("ix_evidence_themes_theme", "evidence_themes", ["theme"])


def downgrade() -> None:
    op.drop_index("ix_evidence_themes_theme", table_name="evidence_themes")
    op.drop_table("evidence_themes")
    with op.batch_alter_table("evidence_items") as batch:
        batch.drop_constraint(
            op.f("uq_evidence_items_review_id_reference"), type_="unique"
        )
        batch.drop_constraint(
            op.f("uq_evidence_items_review_id_number"), type_="unique"
        )
        batch.drop_constraint(
            op.f("fk_evidence_items_review_id_reviews"), type_="foreignkey"
        )
        batch.drop_column("personal_data")
        batch.drop_constraint(op.f("ck_evidence_items_classification"), type_="check")
        batch.drop_column("classification")
        batch.drop_column("effective_date")
        batch.drop_column("reference")
        batch.drop_column("number")
        batch.drop_column("review_id")
