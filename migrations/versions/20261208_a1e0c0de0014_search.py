"""Full-text search: the search_documents index, and what each backend
searches it with. PostgreSQL: a stored generated tsvector over search_text
('simple': the text is already folded and stemmed) and its GIN index.
SQLite: the FTS5 table search_fts over search_text (external content, keyed
by doc_rowid, the table's rowid), kept in step by triggers; the tsvector
column is there too but always NULL, its index partial and empty, so one
model describes both (app/search/models.py).

Triggers rather than writes of the backend's own: whatever deletes or
updates a row (an upsert, a removal, a review purged under retention) keeps
the FTS5 index exact, and the 'delete' command FTS5 needs is given the old
text, which only the trigger still has. A later migration that copies this
table on SQLite (batch mode) drops the triggers and cannot copy the
generated column: drop and recreate the table and its FTS5 parts instead,
then reindex (the rows are derived data).

Revision ID: a1e0c0de0014
Revises: a1e0c0de0013
Create Date: 2026-12-08 01:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "a1e0c0de0014"
down_revision: str | None = "a1e0c0de0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "search_text, content='search_documents', content_rowid='doc_rowid',"
    " tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_documents_fts_insert AFTER INSERT ON search_documents"
    " BEGIN"
    " INSERT INTO search_fts(rowid, search_text)"
    " VALUES (new.doc_rowid, new.search_text);"
    " END",
    "CREATE TRIGGER search_documents_fts_delete AFTER DELETE ON search_documents"
    " BEGIN"
    " INSERT INTO search_fts(search_fts, rowid, search_text)"
    " VALUES ('delete', old.doc_rowid, old.search_text);"
    " END",
    "CREATE TRIGGER search_documents_fts_update AFTER UPDATE ON search_documents"
    " BEGIN"
    " INSERT INTO search_fts(search_fts, rowid, search_text)"
    " VALUES ('delete', old.doc_rowid, old.search_text);"
    " INSERT INTO search_fts(rowid, search_text)"
    " VALUES (new.doc_rowid, new.search_text);"
    " END",
]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        vector = sa.Column(
            "search_vector", sa.Text(), sa.Computed("NULL", persisted=True)
        )
    else:
        vector = sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed(
                "to_tsvector('simple'::regconfig, search_text)", persisted=True
            ),
        )
    op.create_table(
        "search_documents",
        sa.Column(
            "doc_rowid",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("object_id", sa.Uuid(), nullable=False),
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=True),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("themes", sa.Text(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        vector,
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("doc_rowid", name=op.f("pk_search_documents")),
        sa.UniqueConstraint("id", name=op.f("uq_search_documents_id")),
        sa.UniqueConstraint(
            "kind", "object_id", name=op.f("uq_search_documents_kind_object_id")
        ),
    )
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_search_documents_review_id"), ["review_id"], unique=False
        )
    if sqlite:
        op.create_index(
            "ix_search_documents_search_vector",
            "search_documents",
            ["search_vector"],
            sqlite_where=sa.text("search_vector IS NOT NULL"),
        )
        for statement in SQLITE_FTS:
            op.execute(statement)
    else:
        op.create_index(
            "ix_search_documents_search_vector",
            "search_documents",
            ["search_vector"],
            postgresql_using="gin",
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS search_documents_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_index("ix_search_documents_search_vector", table_name="search_documents")
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_documents_review_id"))
    op.drop_table("search_documents")
