"""The search index: one row per searchable object, rebuilt from it.

A :class:`SearchDocument` copies what search needs of an evidence item,
request, note, ... (its review, who sees it, its words), so a search reads
one table and never joins the features' own. It has no foreign keys on
purpose: it is derived data, written by whoever indexes the object and
removed with it (``backends.SearchBackend.remove``), and rebuilt from the
objects whenever in doubt.

Keys. SQLite's FTS5 external-content table is keyed by an integer rowid,
and a rowid is only stable (across ``VACUUM`` and table copies) when it is
an ``INTEGER PRIMARY KEY`` column. So the primary key is ``doc_rowid``: an
``INTEGER PRIMARY KEY`` on SQLite (the rowid itself: the FTS join is a
rowid lookup) and a ``BIGINT`` identity on PostgreSQL. The UUID ``id``
(unique, random, as everywhere else) is what the application shows; the
object itself is named by ``(kind, object_id)``, unique, which is what an
upsert replaces.

The words. ``search_text`` is the folded, stemmed stream of the title,
reference and body (:func:`app.search.text.index_text`): both backends
index it as it is. On PostgreSQL ``search_vector`` is a stored generated
``tsvector`` over it (``'simple'``: no stemming or stop words of its own),
with a GIN index. SQLite has no tsvector: the same column there is a
generated column that is always NULL (a byte a row), and the index is a
partial one that never holds a row. That keeps one model for
both backends, which the migration builds and autogenerate agrees with;
SQLite's search goes through the FTS5 table ``search_fts`` instead, which
no model describes (a virtual table and its shadow tables): see
:func:`_leave_fts_tables_alone`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, str_enum, utcnow

KINDS = ("evidence", "request", "note", "hypothesis", "message", "draft", "session")

# The FTS5 table over search_documents (SQLite only), made by the migration,
# and the shadow tables FTS5 keeps for it.
FTS_TABLE = "search_fts"
FTS_TABLES = frozenset(
    {FTS_TABLE} | {f"{FTS_TABLE}_{s}" for s in ("config", "data", "docsize", "idx")}
)


class _SearchVectorExpression(sa.sql.expression.ColumnElement[Any]):
    """What ``search_vector`` is generated from, per backend."""

    inherit_cache = True
    type = sa.Text()


@compiles(_SearchVectorExpression)
def _no_vector(element: Any, compiler: Any, **kw: Any) -> str:
    return "NULL"


@compiles(_SearchVectorExpression, "postgresql")
def _pg_vector(element: Any, compiler: Any, **kw: Any) -> str:
    # As PostgreSQL reflects it back, so autogenerate sees no change.
    return "to_tsvector('simple'::regconfig, search_text)"


class SearchDocument(Base):
    __tablename__ = "search_documents"
    __table_args__ = (
        sa.UniqueConstraint("kind", "object_id"),
        sa.Index(
            "ix_search_documents_search_vector",
            "search_vector",
            postgresql_using="gin",
            sqlite_where=sa.text("search_vector IS NOT NULL"),
        ),
    )

    doc_rowid: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        sa.Identity(),
        primary_key=True,
    )
    id: Mapped[uuid.UUID] = mapped_column(unique=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(sa.String(16))
    object_id: Mapped[uuid.UUID]
    # Who sees it (app.reviews.visibility): the columns visible_clause reads.
    review_id: Mapped[uuid.UUID] = mapped_column(index=True)
    workspace_id: Mapped[uuid.UUID | None]
    scope: Mapped[str] = mapped_column(sa.String(16))
    organisation_id: Mapped[uuid.UUID | None]
    title: Mapped[str] = mapped_column(sa.Text)
    reference: Mapped[str | None] = mapped_column(sa.String(64))
    # The original words (description, filename, themes, extracted text...),
    # for snippets: loaded with the row, as every hit shows one.
    body: Mapped[str] = mapped_column(sa.Text)
    # The themes, case-folded, one a line: for the theme filter only.
    themes: Mapped[str] = mapped_column(sa.Text, default="")
    on_date: Mapped[date | None]
    # What is indexed; never needed once a row is found, so not loaded.
    search_text: Mapped[str] = mapped_column(sa.Text, deferred=True)
    search_vector: Mapped[Any | None] = mapped_column(
        sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql"),
        sa.Computed(_SearchVectorExpression(), persisted=True),
        deferred=True,
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class TextStatus(StrEnum):
    PENDING = "pending"
    INDEXED = "indexed"
    NO_TEXT = "no_text"
    FAILED = "failed"


class EvidenceText(Base):
    """The text extracted from one stored file (app/search/indexing.py)."""

    __tablename__ = "evidence_texts"

    # No foreign key: derived data, like the search documents.
    file_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    status: Mapped[TextStatus] = mapped_column(str_enum(TextStatus, "text_status"))
    text: Mapped[str | None] = mapped_column(sa.Text, deferred=True)
    # Why it failed, for the logs and administrators (English).
    reason: Mapped[str | None] = mapped_column(sa.String(200))
    extracted_at: Mapped[datetime | None]


def _leave_fts_tables_alone() -> None:
    """Tell Alembic's autogenerate (``alembic revision --autogenerate`` and
    the models-and-migrations test alike) that the FTS5 tables are not
    strays to drop: they belong to ``search_documents``, made and dropped
    by its migration. A hook on Alembic's global comparators, because
    autogenerate is run with no ``include_name`` filter of ours; it only
    ever removes the drop of these tables, on SQLite."""
    from alembic.autogenerate import comparators
    from alembic.operations import ops
    from alembic.util import DispatchPriority, PriorityDispatchResult

    @comparators.dispatch_for(
        "schema", qualifier="sqlite", priority=DispatchPriority.LAST
    )
    def _keep_fts(
        autogen_context: Any, upgrade_ops: ops.UpgradeOps, schemas: Any
    ) -> PriorityDispatchResult:
        upgrade_ops.ops[:] = [
            op
            for op in upgrade_ops.ops
            if not (isinstance(op, ops.DropTableOp) and op.table_name in FTS_TABLES)
        ]
        return PriorityDispatchResult.CONTINUE


_leave_fts_tables_alone()
