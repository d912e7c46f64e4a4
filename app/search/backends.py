"""Search backends: SQLite's FTS5 and PostgreSQL's tsvector, one contract.

Both index the same stream (``SearchDocument.search_text``: folded and
stemmed by :mod:`app.search.text`), answer the same :class:`Query` (every
term, every phrase with its words adjacent) under the same filters, and
page by the same order: score, then ``updated_at`` newest first, then
``id``, so an offset always lands on the same rows.

Sight first. The caller's ``visible`` condition (``visible_clause`` over
the document's columns) is part of the one query that matches, ranks,
counts and pages, so ``total`` and the order are computed over visible
rows only. The score is also a function of the document and the query
alone, never of the rest of the index, because a corpus statistic would
let hidden documents move visible ones: FTS5's ``bm25()`` weighs terms by
how many documents *in the whole table* hold them, so the order of two
visible notes would tell whether hidden notes hold one word more often
than another. So:

- PostgreSQL ranks by ``ts_rank_cd`` (cover density: how many times and
  how close together the words occur in that document, normalised by its
  length), which reads only that document's vector;
- SQLite ranks by BM25's term-frequency part with fixed constants instead
  of the table's statistics: for each query word with ``tf`` occurrences in
  a document of ``dl`` words, ``tf·(k1+1) / (tf + k1·(1 − b + b·dl/L))``,
  ``L`` a fixed typical length; summed over the words. FTS5 still finds
  the matches (and proves phrases); only the score is computed in SQL.

One known difference: a PostgreSQL tsvector keeps at most 256 positions
of a word and counts positions only up to 16,383, so far into a very long
text a phrase may go unfound there that FTS5 finds (the words themselves
are still found).

User input never reaches either query language as syntax: every word is
a stem of letters and digits (:func:`app.search.text.parse_query`), and is
quoted all the same (FTS5 string literals, tsquery quoted lexemes).
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.orm import Session

from app.core.db import utcnow
from app.reviews.visibility import Scope
from app.search.models import FTS_TABLE, KINDS, SearchDocument
from app.search.text import Query, index_text

# Rows written or removed per statement (bound-parameter limits).
CHUNK = 500
# What an upsert may change: all but the keys.
_REPLACED = (
    "review_id",
    "workspace_id",
    "scope",
    "organisation_id",
    "title",
    "reference",
    "body",
    "themes",
    "on_date",
    "search_text",
    "updated_at",
)
_DOCUMENT_KEYS = frozenset(
    {"kind", "object_id", "review_id", "workspace_id", "scope", "organisation_id"}
    | {"title", "reference", "body", "themes", "on_date", "updated_at"}
)


@dataclass(frozen=True)
class Filters:
    """What a search may be narrowed to (``None``: anything)."""

    kind: str | None = None
    workspace_id: uuid.UUID | None = None
    # One of the document's themes, in any case.
    theme: str | None = None
    # Inclusive, on the document's date.
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class Hit:
    id: uuid.UUID
    kind: str
    object_id: uuid.UUID
    review_id: uuid.UUID
    workspace_id: uuid.UUID | None
    # Higher is better; comparable within one search only.
    score: float
    document: SearchDocument


class SearchBackend(Protocol):
    name: str

    def upsert(self, session: Session, docs: Sequence[Mapping[str, Any]]) -> None:
        """Index these documents, replacing any of the same (kind, object_id)."""

    def remove(
        self, session: Session, kind: str, object_ids: Iterable[uuid.UUID]
    ) -> None:
        """Drop these objects' documents (those not indexed: nothing)."""

    def search(
        self,
        session: Session,
        query: Query,
        visible: sa.ColumnElement[bool],
        filters: Filters,
        limit: int,
        offset: int,
    ) -> tuple[list[Hit], int]:
        """One page of the visible documents matching ``query`` under
        ``filters``, best first, and how many there are in all."""


def theme_key(theme: str) -> str:
    """A theme as stored and as filtered: case (and how a letter is
    encoded, or how wide the spaces are) does not count."""
    return " ".join(unicodedata.normalize("NFC", theme).split()).casefold()


def document_row(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The ``search_documents`` row for one document as a feature gives it:
    ``kind``, ``object_id``, ``review_id``, ``workspace_id``, ``scope``,
    ``organisation_id``, ``title``, ``reference``, ``body``, ``themes`` (a
    list of names), ``on_date`` and ``updated_at`` (default: now)."""
    unknown = set(doc) - _DOCUMENT_KEYS
    if unknown:
        raise ValueError(f"unknown search document fields: {sorted(unknown)}")
    kind = doc["kind"]
    if kind not in KINDS:
        raise ValueError(f"unknown search document kind {kind!r}")
    scope = Scope(doc["scope"])
    themes = doc.get("themes") or ()
    if isinstance(themes, str):
        raise ValueError("themes: a list of names, not one string")
    # NUL is no text to PostgreSQL; dropped on both backends alike.
    title = _text(doc["title"])
    reference = _text(doc.get("reference")) or None
    body = _text(doc.get("body"))
    updated_at: datetime = doc.get("updated_at") or utcnow()
    return {
        "id": uuid.uuid4(),  # kept by an upsert that replaces
        "kind": kind,
        "object_id": doc["object_id"],
        "review_id": doc["review_id"],
        "workspace_id": doc.get("workspace_id"),
        "scope": scope.value,
        "organisation_id": doc.get("organisation_id"),
        "title": title,
        "reference": reference,
        "body": body,
        "themes": "\n".join(k for k in (theme_key(t) for t in themes) if k),
        "on_date": doc.get("on_date"),
        "search_text": index_text(title, reference, body),
        "updated_at": updated_at,
    }


def _text(value: str | None) -> str:
    return (value or "").replace("\x00", "")


def _filtered(filters: Filters) -> list[sa.ColumnElement[bool]]:
    doc = SearchDocument
    conditions: list[sa.ColumnElement[bool]] = []
    if filters.kind is not None:
        conditions.append(doc.kind == filters.kind)
    if filters.workspace_id is not None:
        conditions.append(doc.workspace_id == filters.workspace_id)
    if filters.theme is not None:
        lines = sa.literal("\n") + doc.themes + sa.literal("\n")
        conditions.append(
            lines.contains("\n" + theme_key(filters.theme) + "\n", autoescape=True)
        )
    if filters.date_from is not None:
        conditions.append(doc.on_date >= filters.date_from)
    if filters.date_to is not None:
        conditions.append(doc.on_date <= filters.date_to)
    return conditions


class _Backend:
    """What both share: the upsert, the removal, the paging."""

    name = ""
    _insert: Any = None

    def upsert(self, session: Session, docs: Sequence[Mapping[str, Any]]) -> None:
        # One row per object, the last given winning (PostgreSQL refuses a
        # statement that would update the same row twice).
        latest: dict[tuple[str, uuid.UUID], dict[str, Any]] = {}
        for doc in docs:
            row = document_row(doc)
            latest[row["kind"], row["object_id"]] = row
        rows = list(latest.values())
        table = SearchDocument.__table__
        for n in range(0, len(rows), CHUNK):
            stmt = self._insert(table)
            stmt = stmt.on_conflict_do_update(
                index_elements=["kind", "object_id"],
                set_={name: stmt.excluded[name] for name in _REPLACED},
            )
            session.execute(stmt, rows[n : n + CHUNK])

    def remove(
        self, session: Session, kind: str, object_ids: Iterable[uuid.UUID]
    ) -> None:
        ids = list(object_ids)
        for n in range(0, len(ids), CHUNK):
            session.execute(
                sa.delete(SearchDocument).where(
                    SearchDocument.kind == kind,
                    SearchDocument.object_id.in_(ids[n : n + CHUNK]),
                )
            )

    def _match(self, query: Query) -> sa.ColumnElement[bool]:
        raise NotImplementedError

    def _score(self, query: Query) -> sa.ColumnElement[float]:
        raise NotImplementedError

    def search(
        self,
        session: Session,
        query: Query,
        visible: sa.ColumnElement[bool],
        filters: Filters,
        limit: int,
        offset: int,
    ) -> tuple[list[Hit], int]:
        if limit < 1 or offset < 0:
            raise ValueError("limit must be positive and offset not negative")
        if query.is_empty or not all(word.isalnum() for word in query.stems):
            # A word that is not letters and digits is not one parse_query
            # makes, and could be indexed by neither backend: it matches
            # nothing (PostgreSQL would drop it and match more).
            return [], 0
        where = [self._match(query), visible, *_filtered(filters)]
        total = session.scalar(
            sa.select(sa.func.count()).select_from(SearchDocument).where(*where)
        )
        if not total or offset >= total:
            return [], total or 0
        score = self._score(query).label("score")
        rows = session.execute(
            sa.select(SearchDocument, score)
            .where(*where)
            .order_by(score.desc(), SearchDocument.updated_at.desc(), SearchDocument.id)
            .limit(limit)
            .offset(offset)
        ).all()
        hits = [
            Hit(
                id=doc.id,
                kind=doc.kind,
                object_id=doc.object_id,
                review_id=doc.review_id,
                workspace_id=doc.workspace_id,
                score=float(value),
                document=doc,
            )
            for doc, value in rows
        ]
        return hits, total


def fts5_string(word: str) -> str:
    """An FTS5 string literal: the word in double quotes, any inside
    doubled, so it is only ever a string."""
    return '"' + word.replace('"', '""') + '"'


def fts5_match(query: Query) -> str:
    """The MATCH expression: every term and every phrase, ANDed."""
    parts = [fts5_string(term) for term in query.terms]
    parts += [" + ".join(fts5_string(w) for w in phrase) for phrase in query.phrases]
    return " AND ".join(parts)


class SqliteBackend(_Backend):
    """FTS5 over ``search_documents`` (external content, kept in step by the
    migration's triggers), queried by rowid."""

    name = "sqlite"
    _insert = staticmethod(sqlite.insert)
    # BM25's usual constants, and a fixed length standing in for the
    # corpus average (a short document of the portal: a note, a request).
    K1 = 1.2
    B = 0.75
    TYPICAL_WORDS = 400

    def _match(self, query: Query) -> sa.ColumnElement[bool]:
        fts = sa.table(FTS_TABLE, sa.column("rowid"))
        matching = (
            sa.select(fts.c.rowid)
            .where(sa.literal_column(FTS_TABLE).op("MATCH")(fts5_match(query)))
            .scalar_subquery()
        )
        return SearchDocument.doc_rowid.in_(matching)

    def _score(self, query: Query) -> sa.ColumnElement[float]:
        text = SearchDocument.search_text
        # Each word between two spaces of its own, so that counting
        # " word " by replace() finds every occurrence, adjacent ones too.
        padded = sa.literal(" ") + sa.func.replace(text, " ", "  ") + " "
        words = (
            sa.func.length(text) - sa.func.length(sa.func.replace(text, " ", "")) + 1
        )
        norm = self.K1 * (1 - self.B + self.B * words / float(self.TYPICAL_WORDS))
        score: sa.ColumnElement[float] = sa.literal(0.0)
        for word in sorted(query.stems):
            needle = f" {word} "
            tf = (
                sa.func.length(padded)
                - sa.func.length(sa.func.replace(padded, needle, ""))
            ) / float(len(needle))
            score = score + tf * (self.K1 + 1) / (tf + norm)
        return score

    def rebuild(self, session: Session) -> None:
        """Rebuild the FTS5 index from ``search_documents`` (after a bulk
        change made around the triggers)."""
        session.execute(
            sa.text("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
        )


def tsquery_lexeme(word: str) -> str:
    """A tsquery quoted lexeme: the word in single quotes, quotes doubled
    and backslashes escaped, so it is only ever a lexeme."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery_text(query: Query) -> str:
    """Terms ANDed, each phrase's words followed by ``<->``."""
    parts = [tsquery_lexeme(term) for term in query.terms]
    parts += [
        "(" + " <-> ".join(tsquery_lexeme(w) for w in phrase) + ")"
        for phrase in query.phrases
    ]
    return " & ".join(parts)


class PostgresBackend(_Backend):
    """The stored ``search_vector`` (``to_tsvector('simple', search_text)``)
    and its GIN index."""

    name = "postgresql"
    _insert = staticmethod(postgresql.insert)
    # ts_rank_cd normalisation 1: divide by 1 + log(document length), so a
    # long upload does not outrank a note for saying more of everything.
    NORMALISATION = 1

    def _tsquery(self, query: Query) -> sa.ColumnElement[Any]:
        return sa.func.to_tsquery(
            sa.literal_column("'simple'::regconfig"),
            sa.cast(sa.literal(tsquery_text(query)), sa.Text),
        )

    def _match(self, query: Query) -> sa.ColumnElement[bool]:
        return SearchDocument.search_vector.op("@@")(self._tsquery(query))

    def _score(self, query: Query) -> sa.ColumnElement[float]:
        return sa.func.ts_rank_cd(
            SearchDocument.search_vector, self._tsquery(query), self.NORMALISATION
        )


_BACKENDS: dict[str, type[_Backend]] = {
    "sqlite": SqliteBackend,
    "postgresql": PostgresBackend,
}


def backend_for(bind: Engine | Connection | Dialect | str) -> SearchBackend:
    """The backend for a database: an engine, a connection, a dialect or
    its name."""
    if isinstance(bind, str):
        name = bind
    elif isinstance(bind, Dialect):
        name = bind.name
    else:
        name = bind.dialect.name
    try:
        return _BACKENDS[name]()
    except KeyError:
        raise ValueError(f"no search backend for {name!r}") from None
