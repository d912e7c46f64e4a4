"""Search backends, on the stack under test (SQLite's FTS5 or PostgreSQL's
tsvector): matching, filters, sight, replacing, removing, ranking, paging,
and hostile queries.

Documents are written straight through the backend: search documents
have no foreign keys, so random ids stand for the objects and reviews,
except where the real visibility rule is under test.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from app.core.db import db
from app.reviews.visibility import Scope, visible_clause
from app.search.backends import (
    Filters,
    PostgresBackend,
    SearchBackend,
    SqliteBackend,
    backend_for,
)
from app.search.models import SearchDocument
from app.search.text import Query, parse_query
from support.world import Factory, build_world

REVIEW = uuid.uuid4()
EVERYONE = sa.true()
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def backend(app_context: None) -> Iterator[SearchBackend]:
    yield backend_for(db.session.get_bind())


def doc(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "kind": "note",
        "object_id": uuid.uuid4(),
        "review_id": REVIEW,
        "workspace_id": None,
        "scope": Scope.JOINT,
        "organisation_id": None,
        "title": "",
        "reference": None,
        "body": "",
        "themes": [],
        "on_date": None,
    }
    base.update(fields)
    return base


def put(backend: SearchBackend, *docs: dict[str, Any]) -> list[uuid.UUID]:
    backend.upsert(db.session, list(docs))
    db.session.flush()
    return [d["object_id"] for d in docs]


def found(
    backend: SearchBackend,
    q: str | Query,
    visible: sa.ColumnElement[bool] = EVERYONE,
    filters: Filters | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[uuid.UUID], int]:
    query = parse_query(q) if isinstance(q, str) else q
    hits, total = backend.search(
        db.session, query, visible, filters or Filters(), limit, offset
    )
    return [h.object_id for h in hits], total


def as_set(result: tuple[list[uuid.UUID], int]) -> set[uuid.UUID]:
    ids, total = result
    assert total == len(ids)
    return set(ids)


def test_backend_for_names_the_stack(app_context: None) -> None:
    name = db.session.get_bind().dialect.name
    expected = {"sqlite": SqliteBackend, "postgresql": PostgresBackend}[name]
    assert isinstance(backend_for(db.session.get_bind()), expected)
    assert isinstance(backend_for(name), expected)
    with pytest.raises(ValueError, match="mysql"):
        backend_for("mysql")


# -- matching --------------------------------------------------------------


def test_finds_other_english_forms(backend: SearchBackend) -> None:
    (inspected, schools, other) = put(
        backend,
        doc(title="Inspection plan", body="We inspected the work."),
        doc(title="Visits", body="Three schools, one school visit."),
        doc(title="Unrelated", body="Budget figures."),
    )
    assert as_set(found(backend, "inspections")) == {inspected}
    assert as_set(found(backend, "INSPECTING")) == {inspected}
    assert as_set(found(backend, "school")) == {schools}
    assert as_set(found(backend, "schools")) == {schools}
    assert as_set(found(backend, "budgets")) == {other}


def test_welsh_matches_with_or_without_accents(backend: SearchBackend) -> None:
    accented, plain, decomposed = put(
        backend,
        doc(title="Ŵyl Dewi", body="Dathlu’r ŵyl yn yr ysgol"),
        doc(title="Wyl haf", body="gwyl"),
        doc(title="Gw\u0302yl", body=""),
    )
    assert as_set(found(backend, "wyl")) == {accented, plain}
    assert as_set(found(backend, "ŵyl")) == {accented, plain}
    assert as_set(found(backend, "GŴYL")) == {plain, decomposed}
    assert as_set(found(backend, "gwyl")) == {plain, decomposed}


def test_every_term_must_match(backend: SearchBackend) -> None:
    both, budget_only, _ = put(
        backend,
        doc(body="The school budget for 2026"),
        doc(body="The budget for 2026"),
        doc(body="The school"),
    )
    assert as_set(found(backend, "school budget")) == {both}
    assert as_set(found(backend, "budget 2026")) == {both, budget_only}


def test_phrases_match_only_adjacent_words_in_order(backend: SearchBackend) -> None:
    adjacent, apart, reversed_, across = put(
        backend,
        doc(body="The regional consortia met."),
        doc(body="Regional plans and consortia."),
        doc(body="Consortia regional."),
        doc(body="Regional; consortia!"),  # punctuation is no word
    )
    assert as_set(found(backend, '"regional consortia"')) == {adjacent, across}
    assert as_set(found(backend, "regional consortia")) == {
        adjacent,
        apart,
        reversed_,
        across,
    }
    assert as_set(found(backend, '"consortia regional"')) == {reversed_}
    assert as_set(found(backend, '"the regional consortia" met')) == {adjacent}


def test_title_reference_and_body_are_all_searched(backend: SearchBackend) -> None:
    by_title, by_reference, by_body = put(
        backend,
        doc(title="Attendance", body="x"),
        doc(title="y", reference="EV-0042"),
        doc(title="z", body="attendance.xlsx Wellbeing"),
    )
    assert as_set(found(backend, "attendance")) == {by_title, by_body}
    assert as_set(found(backend, "EV-0042")) == {by_reference}
    assert as_set(found(backend, "0042")) == {by_reference}


# -- filters ---------------------------------------------------------------


def test_filters(backend: SearchBackend) -> None:
    ws_a, ws_b = uuid.uuid4(), uuid.uuid4()
    note, evidence, dated, theme_led = put(
        backend,
        doc(kind="note", body="report", workspace_id=ws_a, on_date=date(2026, 3, 1)),
        doc(kind="evidence", body="report", workspace_id=ws_b, on_date=None),
        doc(
            kind="evidence", body="report", workspace_id=ws_a, on_date=date(2026, 3, 31)
        ),
        doc(
            kind="request",
            body="report",
            themes=["Well-being", "Leadership  and Management", "Ysgol Gy\u0302n"],
            on_date=date(2026, 4, 1),
        ),
    )

    def only(**kw: Any) -> set[uuid.UUID]:
        return as_set(found(backend, "reports", filters=Filters(**kw)))

    assert only() == {note, evidence, dated, theme_led}
    assert only(kind="evidence") == {evidence, dated}
    assert only(kind="session") == set()
    assert only(workspace_id=ws_a) == {note, dated}
    assert only(workspace_id=ws_a, kind="evidence") == {dated}
    assert only(theme="WELL-BEING") == {theme_led}
    assert only(theme="leadership and management") == {theme_led}
    assert only(theme="YSGOL GŶN") == {theme_led}
    # One whole theme, not a part of one, and no wildcards.
    assert only(theme="leadership") == set()
    assert only(theme="%") == set()
    assert only(theme="_ell-being") == set()
    assert only(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31)) == {
        note,
        dated,
    }
    assert only(date_from=date(2026, 3, 2)) == {dated, theme_led}
    assert only(date_to=date(2026, 2, 28)) == set()


# -- sight -----------------------------------------------------------------


def test_hidden_documents_are_not_found_counted_or_felt(
    backend: SearchBackend,
) -> None:
    """Two visible notes hold two words in opposite measure. Hidden notes
    full of one of the words are added: they must appear nowhere, and must
    move neither the total nor the visible notes' scores or order (a
    corpus-wide term weight would: see the module docstring)."""
    filler = " ".join(f"w{n}" for n in range(20))
    visible_ids = put(
        backend,
        doc(scope=Scope.JOINT, body=f"audit audit finance {filler}"),
        doc(scope=Scope.JOINT, body=f"audit finance finance {filler}"),
    )
    visible = SearchDocument.scope != Scope.BODY.value

    def page() -> tuple[list[tuple[uuid.UUID, float]], int]:
        hits, total = backend.search(
            db.session, parse_query("audit finance"), visible, Filters(), 10, 0
        )
        return [(h.object_id, h.score) for h in hits], total

    before, before_total = page()
    assert {i for i, _ in before} == set(visible_ids) and before_total == 2

    hidden = put(
        backend,
        *[
            doc(scope=Scope.BODY, organisation_id=uuid.uuid4(), body=body)
            for body in ["audit finance " + "audit " * 30] * 5
            + ["finance"] * 40
            + ["audit finance"]
        ],
    )
    after, after_total = page()
    assert after == before
    assert after_total == 2
    assert not set(hidden) & {i for i, _ in after}
    # The hidden notes are there for whoever sees them.
    assert found(backend, "audit finance")[1] == 2 + 6


def test_visibility_rule_of_the_review(app_context: None) -> None:
    """With the real rule (visible_clause): inspectors see joint and
    workspace documents and their own body's; a reviewed party sees its
    own workspace's only."""
    backend = backend_for(db.session.get_bind())
    world = build_world(Factory())
    review = world.review.id
    joint, erw_ws, csc_ws, estyn_body, audit_body = put(
        backend,
        doc(review_id=review, scope=Scope.JOINT, body="finding"),
        doc(
            review_id=review,
            scope=Scope.WORKSPACE,
            workspace_id=world.ws.id,
            body="finding",
        ),
        doc(
            review_id=review,
            scope=Scope.WORKSPACE,
            workspace_id=world.csc_ws.id,
            body="finding",
        ),
        doc(
            review_id=review,
            scope=Scope.BODY,
            organisation_id=world.estyn.id,
            body="finding",
        ),
        doc(
            review_id=review,
            scope=Scope.BODY,
            organisation_id=world.audit.id,
            body="finding",
        ),
    )

    def seen_by(who: str) -> set[uuid.UUID]:
        clause = visible_clause(
            world.users[who],
            review_id=SearchDocument.review_id,
            scope=SearchDocument.scope,
            workspace_id=SearchDocument.workspace_id,
            organisation_id=SearchDocument.organisation_id,
        )
        return as_set(found(backend, "findings", visible=clause))

    assert seen_by("inspector") == {joint, erw_ws, csc_ws, estyn_body}
    assert seen_by("audit_lead") == {joint, erw_ws, csc_ws, audit_body}
    assert seen_by("nominee") == {erw_ws}
    assert seen_by("csc_contributor") == {csc_ws}
    assert seen_by("non_member") == set()
    assert seen_by("admin") == set()


# -- writing ---------------------------------------------------------------


def test_upsert_replaces_the_document(backend: SearchBackend) -> None:
    (object_id,) = put(backend, doc(kind="evidence", title="Alpha draft"))
    first = db.session.scalars(
        sa.select(SearchDocument).where(SearchDocument.object_id == object_id)
    ).one()
    first_id = first.id
    # Another kind of object may share the id (ids are per table).
    put(backend, doc(kind="note", object_id=object_id, title="Gamma"))
    put(
        backend,
        doc(kind="evidence", object_id=object_id, title="Beta final", themes=["X"]),
    )
    db.session.expire_all()
    rows = db.session.scalars(
        sa.select(SearchDocument).where(SearchDocument.object_id == object_id)
    ).all()
    assert sorted(r.kind for r in rows) == ["evidence", "note"]
    evidence = next(r for r in rows if r.kind == "evidence")
    assert evidence.id == first_id and evidence.title == "Beta final"
    assert evidence.themes == "x"
    assert found(backend, "alpha") == ([], 0)
    assert found(backend, "beta") == ([object_id], 1)
    assert found(backend, "final", filters=Filters(kind="evidence")) == ([object_id], 1)
    assert found(backend, "gamma", filters=Filters(kind="note")) == ([object_id], 1)


def test_the_last_of_one_object_in_a_batch_wins(backend: SearchBackend) -> None:
    object_id = uuid.uuid4()
    put(
        backend,
        doc(object_id=object_id, body="first"),
        doc(object_id=object_id, body="second"),
    )
    assert found(backend, "first") == ([], 0)
    assert found(backend, "second") == ([object_id], 1)


def test_remove(backend: SearchBackend) -> None:
    a, b, c = put(backend, *[doc(kind="hypothesis", body="pupil") for _ in range(3)])
    put(backend, doc(kind="message", object_id=a, body="pupil"))
    backend.remove(db.session, "hypothesis", [a, b, uuid.uuid4()])
    db.session.flush()
    assert as_set(found(backend, "pupils")) == {a, c}
    assert found(backend, "pupils", filters=Filters(kind="hypothesis")) == ([c], 1)
    backend.remove(db.session, "hypothesis", [])
    # And written again after removal: found again, once.
    put(backend, doc(kind="hypothesis", object_id=b, body="pupil"))
    assert found(backend, "pupil", filters=Filters(kind="hypothesis"))[1] == 2


def test_rejects_what_is_not_a_document(backend: SearchBackend) -> None:
    with pytest.raises(ValueError, match="kind"):
        backend.upsert(db.session, [doc(kind="widget")])
    with pytest.raises(ValueError):
        backend.upsert(db.session, [doc(scope="everyone")])
    with pytest.raises(ValueError, match="themes"):
        backend.upsert(db.session, [doc(themes="one string")])
    with pytest.raises(ValueError, match="unknown"):
        backend.upsert(db.session, [doc(search_text="forged")])


def test_a_huge_text_is_indexed_as_far_as_it_fits(backend: SearchBackend) -> None:
    # 300,000 distinct numbers: more than a PostgreSQL tsvector holds.
    body = "opening " + " ".join(str(n) for n in range(300_000))
    (object_id,) = put(backend, doc(kind="evidence", body=body))
    assert found(backend, "opening") == ([object_id], 1)
    assert found(backend, "1234") == ([object_id], 1)


# -- ranking and paging ----------------------------------------------------


def test_more_occurrences_rank_higher(backend: SearchBackend) -> None:
    once, many, twice = put(
        backend,
        doc(body="inspection a b c d e f g h"),
        doc(body="inspection inspection inspection inspection inspections"),
        doc(body="inspection a b c inspection e f g h"),
    )
    hits, total = backend.search(
        db.session, parse_query("inspection"), EVERYONE, Filters(), 10, 0
    )
    assert [h.object_id for h in hits] == [many, twice, once]
    assert hits[0].score > hits[1].score > hits[2].score > 0
    assert total == 3
    assert hits[0].document.body.startswith("inspection inspection")


def test_paging_is_stable_and_complete(backend: SearchBackend) -> None:
    # Equal scores: the order falls to updated_at (newest first), then id.
    docs = [
        doc(body="visit", updated_at=T0 + timedelta(minutes=n % 4)) for n in range(23)
    ]
    random.Random(7).shuffle(docs)
    put(backend, *docs)
    pages = []
    for offset in range(0, 30, 5):
        ids, total = found(backend, "visits", limit=5, offset=offset)
        assert total == 23
        pages.append(ids)
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3, 0]
    flat = [i for p in pages for i in p]
    assert len(set(flat)) == 23
    rows = {
        r.object_id: (-r.updated_at.timestamp(), r.id)
        for r in db.session.scalars(sa.select(SearchDocument))
    }
    assert [rows[i] for i in flat] == sorted(rows[i] for i in flat)
    assert found(backend, "visit", limit=50) == (flat, 23)


def test_limit_and_offset_are_checked(backend: SearchBackend) -> None:
    for limit, offset in [(0, 0), (5, -1)]:
        with pytest.raises(ValueError):
            backend.search(
                db.session, parse_query("x"), EVERYONE, Filters(), limit, offset
            )


# -- hostile queries -------------------------------------------------------


HOSTILE = [
    '" OR *',
    "NEAR(",
    "NEAR(a b, 2)",
    "a & b | !c",
    "'",
    "\\",
    ":*",
    "a:* | b:*",
    "search_text:secret",
    "x' OR '1'='1",
    '"; DROP TABLE search_documents; --',
    "(((",
    "^a",
    "-secret",
    "ÿ̶̢͎ ̵ŵ\u200b\u202e\U0001f600 𝕒𝕓𝕔",
    "\x00\x01\x7f",
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_are_plain_words(backend: SearchBackend, q: str) -> None:
    near, a_b_c, secret, or_else = put(
        backend,
        doc(body="near the school"),
        doc(body="a b c"),
        doc(body="secret search text"),
        doc(body="or else"),
    )
    ids, total = found(backend, q)
    # Exactly the documents holding every word of the query, as words.
    expected = {
        "NEAR(": {near},
        "a & b | !c": {a_b_c},
        "search_text:secret": {secret},
        "-secret": {secret},
        '" OR *': {or_else},
    }
    if q in expected:
        assert set(ids) == expected[q] and total == len(ids)
    words = parse_query(q).stems
    everything = {near, a_b_c, secret, or_else}
    assert set(ids) <= everything
    for object_id in ids:
        text = db.session.scalars(
            sa.select(SearchDocument.search_text).where(
                SearchDocument.object_id == object_id
            )
        ).one()
        assert words <= set(text.split())
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchDocument))


def test_long_random_queries_give_no_error(backend: SearchBackend) -> None:
    put(backend, doc(body="ordinary words"))
    rng = random.Random(500)
    alphabet = "aŵ\"'\\:*&|!()<->-+^ NEARORAND\u0302\u00a0\t\n0123456789"
    for _ in range(25):
        q = "".join(rng.choice(alphabet) for _ in range(500))
        ids, total = found(backend, q)
        assert total == len(ids)
    assert found(backend, "ordinary " * 55) == (found(backend, "ordinary")[0], 1)


def test_words_that_no_parser_makes_match_nothing(backend: SearchBackend) -> None:
    put(backend, doc(body="a b"))
    for query in [
        Query(terms=("'",)),
        Query(terms=('"', "a")),
        Query(terms=("a'b",)),
        Query(phrases=(("a", "\\"),)),
    ]:
        assert found(backend, query) == ([], 0)
    assert found(backend, Query(terms=("a",))) == found(backend, "a")


def test_nul_characters_are_dropped(backend: SearchBackend) -> None:
    (object_id,) = put(backend, doc(title="nul\x00l", body="in\x00side"))
    assert found(backend, "null inside") == ([object_id], 1)


def test_fts5_index_stays_exact(backend: SearchBackend) -> None:
    """SQLite: after inserts, replacements and removals (the migration's
    triggers at work), FTS5's own check finds the index and the table in
    agreement, and a rebuild changes no answer."""
    if not isinstance(backend, SqliteBackend):
        pytest.skip("FTS5 is SQLite's")
    ids = put(backend, *[doc(body=f"word{n % 3} common") for n in range(12)])
    put(backend, *[doc(object_id=i, body="replaced common") for i in ids[:4]])
    backend.remove(db.session, "note", ids[4:6])

    def check() -> None:
        db.session.execute(
            sa.text(
                "INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)"
            )
        )

    check()
    before = [found(backend, q) for q in ("common", "replaced", "word0", "word2")]
    assert [total for _, total in before] == [10, 4, 2, 2]
    backend.rebuild(db.session)
    check()
    assert [found(backend, q) for q in ("common", "replaced", "word0", "word2")] == (
        before
    )
