"""Words for search: folding, tokens, stems, the query, and snippets.

One pipeline serves the index, the query and the snippet, so whatever is
found is also what gets marked:

1. :func:`tokens` finds the words of the *original* text (letters and
   digits, with any combining marks inside them, and an English possessive
   ``'s``), keeping their offsets so a snippet can mark them where they are;
2. each word is folded (:func:`fold`: NFKD, combining marks dropped,
   case-folded), then reduced to letters and digits and capped at
   :data:`MAX_WORD` characters;
3. :func:`stem` reduces it to its English Snowball stem.

The index stores the stems as one space-separated stream
(:func:`index_text`), which both backends index as it is: SQLite's FTS5 and
PostgreSQL's ``'simple'`` configuration then see the same words in the same
places, and neither needs a stemmer of its own. Every stem is made of
letters and digits only, so neither tokeniser splits it again, and no user
input reaches either query language as syntax.

Underscores, apostrophes and hyphens separate words (``file_name`` is found
by ``file`` and by ``name``), as they do in both tokenisers. There is no
Snowball stemmer for Welsh: Welsh words go through the English one too,
which leaves nearly all of them as they are (``ysgolion`` stays
``ysgolion``), and since the index and the query stem alike, a Welsh word
is found by itself, with or without its accents (not by its mutations or
plurals). Latin plurals are not English ones to Snowball either:
``consortia`` finds ``consortia``, not ``consortium``.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

# Longest word kept, in folded characters: longer ones (hashes, base64 in
# extracted text) are cut, the same way in the index and in the query, so
# they still match each other and never bloat the index.
MAX_WORD = 64

# PostgreSQL refuses a tsvector over 1 MiB (its lexemes, their positions and
# alignment): the stream stops before the budget below, on both backends
# alike, so an upload's huge extracted text is indexed as far as it fits
# rather than failing. Ordinary documents come nowhere near it.
INDEX_BUDGET_BYTES = 1_000_000
_MAX_POSITIONS = 256  # per lexeme, what PostgreSQL keeps

SNIPPET_WIDTH = 200
ELLIPSIS = "…"


def _mark_ranges() -> str:
    """The combining marks (Unicode categories M*) of planes 0 and 1, as a
    regular-expression class body: Python's ``\\w`` does not include them,
    and a decomposed ``ŵ`` (``w`` + U+0302) must stay one word."""
    ranges: list[tuple[int, int]] = []
    for cp in range(0x20000):
        if unicodedata.category(chr(cp)).startswith("M"):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    ranges.append((0xE0100, 0xE01EF))  # variation selectors supplement
    return "".join(
        re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "")
        for a, b in ranges
    )


_MARKS = _mark_ranges()
# A word: letters and digits (not the underscore), with marks inside, and an
# English possessive at its end (folded away below).
_WORD = re.compile(
    rf"[^\W_](?:[^\W_]|[{_MARKS}])*(?:['\u2019][sS](?![^\W_]))?", re.UNICODE
)
_POSSESSIVE = re.compile(r"['\u2019][sS]$")
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"'})
_SPACE = re.compile(r"\s+")

_english = snowballstemmer.stemmer("english")


def _strip_marks(s: str) -> str:
    return "".join(c for c in s if not unicodedata.category(c).startswith("M"))


def fold(s: str) -> str:
    """``s`` without case or diacritics: ``Ŵyl`` → ``wyl``.

    NFKD first (so ``ŵ`` is ``w`` and a combining circumflex, and ``ﬁ`` is
    ``fi``), marks dropped, case folded, and the same again for the few
    letters whose case folding brings a mark back."""
    if s.isascii():
        return s.lower()
    once = _strip_marks(unicodedata.normalize("NFKD", s)).casefold()
    if once.isascii():
        return once
    return _strip_marks(unicodedata.normalize("NFKD", once)).casefold()


@lru_cache(maxsize=200_000)
def _word(raw: str) -> str:
    """One word as found in a text, folded, reduced to letters and digits
    and capped: what is stemmed (empty: not a word after all)."""
    word = _POSSESSIVE.sub("", raw)
    folded = fold(word)
    if not folded.isalnum():
        # NFKD can make punctuation (½ → 1⁄2): keep letters and digits only,
        # which is what both backends' tokenisers treat as one word.
        folded = "".join(c for c in folded if c.isalnum())
    return folded[:MAX_WORD]


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The English Snowball stem of a folded word: ``inspections`` and
    ``inspection`` are both ``inspect``."""
    if word.isdigit():
        return word
    stemmed: str = _english.stemWord(word)
    return stemmed


@lru_cache(maxsize=200_000)
def _stem_of(raw: str) -> str:
    """Stem of a word as found in a text (memoised on the raw form: most
    texts repeat their words, and snippets stem whole documents)."""
    word = _word(raw)
    return stem(word) if word else ""


def _iter_tokens(s: str) -> Iterator[tuple[int, int, str]]:
    for match in _WORD.finditer(s):
        word = _word(match.group())
        if word:
            yield match.start(), match.end(), word


def tokens(s: str) -> list[tuple[int, int, str]]:
    """The words of ``s`` as ``(start, end, folded)``, ``s[start:end]``
    being the word as written (so a snippet can mark it)."""
    return list(_iter_tokens(s))


def _iter_stems(s: str) -> Iterator[tuple[int, int, str]]:
    for match in _WORD.finditer(s):
        stemmed = _stem_of(match.group())
        if stemmed:
            yield match.start(), match.end(), stemmed


def stems(s: str) -> list[str]:
    """The stems of the words of ``s``, in order."""
    return [stemmed for _, _, stemmed in _iter_stems(s)]


def index_text(*parts: str | None) -> str:
    """The stream both backends index: the stems of ``parts`` in order,
    space-separated, cut where PostgreSQL's tsvector would overflow."""
    out: list[str] = []
    counts: dict[str, int] = {}
    used = 0
    for part in parts:
        if not part:
            continue
        for _, _, stemmed in _iter_stems(part):
            seen = counts.get(stemmed, 0)
            if seen == 0:
                size = len(stemmed.encode("utf-8"))
                cost = size + (size & 1) + 4  # aligned lexeme, count, 1 position
            else:
                cost = 2 if seen < _MAX_POSITIONS else 0
            if used + cost > INDEX_BUDGET_BYTES:
                return " ".join(out)
            used += cost
            counts[stemmed] = seen + 1
            out.append(stemmed)
    return " ".join(out)


@dataclass(frozen=True)
class Query:
    """What was asked, as stems: every term and every phrase must match
    (phrases: their words adjacent, in that order)."""

    terms: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.terms and not self.phrases

    @property
    def stems(self) -> frozenset[str]:
        return frozenset(self.terms).union(*self.phrases)


def parse_query(q: str) -> Query:
    """A search box's text as a :class:`Query`.

    Words in double quotes (straight or curly) are a phrase; a quote left
    open is ignored; punctuation separates words and is otherwise ignored,
    so nothing typed is ever syntax. A quoted single word is a term. The
    caller limits the length (500 characters in the contract)."""
    parts = q.translate(_QUOTES).split('"')
    if len(parts) % 2 == 0:
        # An odd number of quotes: the last one opens nothing.
        parts[-2:] = [parts[-2] + " " + parts[-1]]
    terms: list[str] = []
    phrases: list[tuple[str, ...]] = []
    for n, part in enumerate(parts):
        words = stems(part)
        if n % 2 == 1 and len(words) > 1:
            phrase = tuple(words)
            if phrase not in phrases:
                phrases.append(phrase)
            continue
        for word in words:
            if word not in terms:
                terms.append(word)
    return Query(tuple(terms), tuple(phrases))


def _matches(text: str, query: Query) -> list[tuple[int, int]]:
    """The spans of ``text`` to mark: every word whose stem is a term, and
    every run of words that is one of the phrases."""
    words = list(_iter_stems(text))
    marked = [stemmed in query.terms for _, _, stemmed in words]
    for phrase in query.phrases:
        size = len(phrase)
        first = phrase[0]
        for i in range(len(words) - size + 1):
            if words[i][2] == first and all(
                words[i + k][2] == phrase[k] for k in range(1, size)
            ):
                for k in range(size):
                    marked[i + k] = True
    return [(start, end) for (start, end, _), m in zip(words, marked, strict=True) if m]


def _best_window(spans: list[tuple[int, int]], width: int) -> tuple[int, int]:
    """The run of spans that fits in ``width`` characters and holds the
    most of them (the earliest such run)."""
    best, best_count = (0, 0), 0
    j = 0
    for i, (start, _) in enumerate(spans):
        j = max(j, i)
        while j + 1 < len(spans) and spans[j + 1][1] - start <= width:
            j += 1
        if j - i + 1 > best_count:
            best, best_count = (i, j), j - i + 1
    return best


def _from_word_start(text: str, at: int, limit: int) -> int:
    """``at``, or if it falls inside a word, the space after that word (a
    cut between words, never through one), but not past ``limit``."""
    while 0 < at < limit and not text[at - 1].isspace():
        at += 1
    return at


def _to_word_end(text: str, at: int, limit: int) -> int:
    """``at``, or if it falls inside a word, the space before that word,
    but not before ``limit``."""
    while limit < at < len(text) and not text[at].isspace():
        at -= 1
    return at


def snippet(text: str, query: Query, width: int = SNIPPET_WIDTH) -> str:
    """About ``width`` characters of ``text`` around its best run of
    matches, as HTML: everything escaped, each matching word in ``<mark>``,
    and ``…`` where the text was cut. Whitespace runs become one space."""
    spans = _matches(text, query)
    if spans:
        i, j = _best_window(spans, width)
        first, last = spans[i][0], spans[j][1]
        # Some context before the first match, the rest after the last.
        spare = max(width - (last - first), 0)
        start = max(first - spare // 3, 0)
        end = min(max(last, start + width), len(text))
        start = min(start, max(end - width, 0))
        start = _from_word_start(text, start, first)
        end = _to_word_end(text, end, last)
    else:
        start, end = 0, min(width, len(text))
        end = _to_word_end(text, end, 0) or end
    pieces: list[str] = []
    if start > 0:
        pieces.append(ELLIPSIS)
    at = start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        pieces.append(_plain(text[at:span_start]))
        pieces.append("<mark>" + html.escape(text[span_start:span_end]) + "</mark>")
        at = span_end
    pieces.append(_plain(text[at:end]))
    if end < len(text):
        pieces.append(ELLIPSIS)
    return "".join(pieces).strip()


def _plain(segment: str) -> str:
    return html.escape(_SPACE.sub(" ", segment))
