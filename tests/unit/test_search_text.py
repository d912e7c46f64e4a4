"""Words for search: folding, tokens, stems, queries and snippets."""

from __future__ import annotations

import re
import unicodedata

import pytest

from app.search.text import (
    INDEX_BUDGET_BYTES,
    MAX_WORD,
    Query,
    fold,
    index_text,
    parse_query,
    snippet,
    stem,
    stems,
    tokens,
)

WELSH = {
    "ŵ": "w", "ŷ": "y", "â": "a", "ê": "e", "î": "i", "ô": "o", "û": "u",
    "ä": "a", "ë": "e", "ï": "i", "ö": "o", "ü": "u", "ÿ": "y",
    "á": "a", "é": "e", "í": "i", "ó": "o", "ú": "u",
    "à": "a", "è": "e", "ì": "i", "ò": "o", "ù": "u",
}  # fmt: skip


# -- folding ---------------------------------------------------------------


@pytest.mark.parametrize(("letter", "base"), sorted(WELSH.items()))
def test_welsh_letters_fold_to_their_base_letter(letter: str, base: str) -> None:
    assert fold(letter) == base
    assert fold(letter.upper()) == base
    # Decomposed (as some systems write it) folds the same.
    assert fold(unicodedata.normalize("NFD", letter.upper())) == base


def test_folding_ignores_case_and_diacritics_both_ways() -> None:
    assert fold("Ŵyl") == fold("wyl") == fold("WYL") == "wyl"
    assert fold("Gŵyl Dewi") == "gwyl dewi"
    assert fold("Straße") == "strasse"
    assert fold("ﬁle") == "file"


# -- tokens ----------------------------------------------------------------


def test_tokens_keep_offsets_into_the_original() -> None:
    text = "Ŵyl, café_2024 (ysgolion) w\u0302yl"
    found = tokens(text)
    assert [t[2] for t in found] == ["wyl", "cafe", "2024", "ysgolion", "wyl"]
    assert [text[a:b] for a, b, _ in found] == [
        "Ŵyl",
        "café",
        "2024",
        "ysgolion",
        "w\u0302yl",  # the combining mark stays inside the word
    ]


def test_possessive_s_belongs_to_its_word() -> None:
    text = "the school's and the schools’ budget; it's"
    found = tokens(text)
    assert ("school's", "school") in [(text[a:b], w) for a, b, w in found]
    assert stems("school's") == stems("schools") == ["school"]


def test_overlong_words_are_cut_the_same_everywhere() -> None:
    word = "x" * 500
    ((_, end, folded),) = tokens(word)
    assert end == 500 and folded == "x" * MAX_WORD
    assert parse_query(word).terms == tuple(stems(word))


# -- stemming --------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("inspections", "inspection"),
        ("schools", "school"),
        ("inspected", "inspecting"),
        ("organisations", "organisation"),
        ("consortia", "consortia"),
    ],
)
def test_english_forms_share_a_stem(one: str, other: str) -> None:
    assert stem(fold(one)) == stem(fold(other))


def test_welsh_words_are_left_alone_by_the_english_stemmer() -> None:
    assert stems("Ysgolion Gŵyl") == ["ysgolion", "gwyl"]


def test_numbers_are_not_stemmed() -> None:
    assert stems("2024 1990s") == ["2024", "1990s"]


# -- queries ---------------------------------------------------------------


def test_terms_are_stems_without_duplicates() -> None:
    assert parse_query("Inspections, inspection; SCHOOLS!") == Query(
        terms=("inspect", "school")
    )


def test_quoted_words_are_a_phrase() -> None:
    query = parse_query('budget "regional consortia" schools')
    assert query.terms == ("budget", "school")
    assert query.phrases == (("region", "consortia"),)
    assert query.stems == {"budget", "school", "region", "consortia"}


def test_curly_quotes_are_quotes() -> None:
    assert parse_query("“regional consortia”").phrases == (("region", "consortia"),)


def test_an_unbalanced_quote_is_ignored() -> None:
    query = parse_query('"regional consortia" "open ended')
    assert query.phrases == (("region", "consortia"),)
    assert query.terms == ("open", "end")
    assert parse_query('"lonely').terms == ("lone",)


def test_a_quoted_single_word_is_a_term() -> None:
    assert parse_query('"schools"') == Query(terms=("school",))


@pytest.mark.parametrize("q", ["", "   ", "!!! ... ---", '"', '""', "' \\ :* & |"])
def test_punctuation_only_is_an_empty_query(q: str) -> None:
    assert parse_query(q).is_empty


def test_query_syntax_of_either_backend_is_plain_words() -> None:
    query = parse_query('" OR * NEAR( a & b | !c')
    assert query.terms == ("or", "near", "a", "b", "c")
    assert all(w.isalnum() for w in query.stems)


def test_welsh_query_is_folded() -> None:
    assert parse_query("Ŵyl").terms == parse_query("wyl").terms == ("wyl",)


# -- the indexed stream ----------------------------------------------------


def test_index_text_is_the_stems_in_order() -> None:
    assert index_text("Inspections of Schools", "R-12", None, "Ŵyl") == (
        "inspect of school r 12 wyl"
    )


def test_index_text_stops_within_the_tsvector_budget() -> None:
    # 300,000 distinct numbers: more than a tsvector holds.
    huge = " ".join(str(n) for n in range(300_000))
    indexed = index_text(huge).split()
    assert 0 < len(indexed) < 300_000
    assert indexed[:3] == ["0", "1", "2"]
    size = sum(len(w) + (len(w) & 1) + 4 for w in set(indexed))
    assert size <= INDEX_BUDGET_BYTES


# -- snippets --------------------------------------------------------------


def marked(html: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", html)


def test_snippet_escapes_everything_and_marks_only_matches() -> None:
    text = '<script>alert("x")</script> The inspection of <b>schools</b> & more'
    html = snippet(text, parse_query("inspections school"))
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&amp; more" in html
    assert marked(html) == ["inspection", "schools"]
    assert html.count("<") == html.count("<mark>") + html.count("</mark>")


def test_a_match_that_looks_like_markup_is_escaped_inside_the_mark() -> None:
    html = snippet("see <school> here", parse_query("school"))
    assert "&lt;<mark>school</mark>&gt;" in html


@pytest.mark.parametrize(
    ("text", "q", "expected"),
    [
        ("Dathlu Ŵyl Dewi a'r ŵyl fawr", "wyl", ["Ŵyl", "ŵyl"]),
        ("Dathlu Wyl Dewi", "ŵyl", ["Wyl"]),
        ("Gw\u0302yl", "gwyl", ["Gw\u0302yl"]),
    ],
)
def test_welsh_is_marked_whatever_the_accents(
    text: str, q: str, expected: list[str]
) -> None:
    assert marked(snippet(text, parse_query(q))) == expected


def test_phrase_words_are_marked_only_where_they_are_the_phrase() -> None:
    text = "Regional work of consortia. Regional consortia serve schools."
    html = snippet(text, parse_query('"regional consortia"'))
    assert marked(html) == ["Regional", "consortia"]
    assert "Regional work" in html and "<mark>Regional</mark> <mark>consortia" in html


def test_snippet_shows_the_window_with_most_matches_and_cuts_with_ellipses() -> None:
    filler = "lorem ipsum dolor sit amet " * 20
    text = (
        "A school near the start. "
        + filler
        + "school school and schools together. "
        + filler
        + "the end"
    )
    html = snippet(text, parse_query("school"), width=120)
    assert marked(html) == ["school", "school", "schools"]
    assert html.startswith("…") and html.endswith("…")
    plain = re.sub(r"</?mark>", "", html).strip("…")
    assert len(plain) <= 120
    # Cut between words, never through one.
    assert plain.split()[0] in filler.split() and plain.split()[-1] in (
        [*filler.split(), "together."]
    )


def test_short_text_is_whole_and_without_ellipses() -> None:
    assert snippet("Schools  \n\n visited", parse_query("school")) == (
        "<mark>Schools</mark> visited"
    )


def test_no_match_shows_the_start() -> None:
    text = "word " * 100
    html = snippet(text, parse_query("absent"), width=50)
    assert "<mark>" not in html
    assert html.startswith("word") and html.endswith("…")
    assert len(html) <= 51
