"""The one place HTML is made from what users type: Markdown, rendered, sanitised.

Notes, comments and anything else written in Markdown are stored as the
text their authors typed and turned into HTML here, for each reader (an
evidence reference becomes a link only for a reader who may see the item).
Two locks, each enough on its own:

1. markdown-it-py in CommonMark mode with raw HTML off: ``<script>`` typed in
   a note is text, shown as typed. Images are off too (a remote image in a
   note would tell its server who read it, and when).
2. nh3 (the Rust ``ammonia`` sanitiser) then keeps only the tags and
   attributes a rendered note uses, only ``http``, ``https`` and ``mailto``
   links, and gives every link ``rel="noopener noreferrer"``: whatever a
   renderer bug or a future option lets through, no ``script``, ``style``,
   ``iframe``, ``object``, ``form``, ``on*`` attribute, ``javascript:`` or
   ``data:`` URL reaches a page.

Nothing else in the portal builds HTML from user text; templates escape.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markupsafe import Markup

# An evidence reference as the portal numbers them (ERW-014, CSC-120).
REFERENCE = re.compile(r"\b([A-Z][A-Z0-9]{0,7}-[0-9]{3,})\b")

# What rendered CommonMark uses, less images.
TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}

# Given a reference, the URL of the item's page for this reader, or None.
LinkReference = Callable[[str], str | None]


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False})
    md.disable(["image", "html_inline", "html_block"])
    md.core.ruler.push("evidence_references", _link_references)
    return md


def _link_references(state: StateCore) -> None:
    """Turn references in plain text (not in code, not inside a link) into
    links, where the reader may see the item."""
    resolve: LinkReference | None = state.env.get("link_reference")
    if resolve is None:
        return
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        in_link = 0
        for token in block.children:
            if token.type == "link_open":
                in_link += 1
            elif token.type == "link_close":
                in_link -= 1
            if token.type != "text" or in_link:
                children.append(token)
                continue
            children.extend(_split(token, resolve))
        block.children = children


def _split(token: Token, resolve: LinkReference) -> list[Token]:
    out: list[Token] = []
    text = token.content
    position = 0
    for match in REFERENCE.finditer(text):
        url = resolve(match.group(1))
        if url is None:
            continue
        if match.start() > position:
            out.append(_text(text[position : match.start()]))
        link = Token("link_open", "a", 1)
        link.attrs = {"href": url, "class": "govuk-link"}
        out.extend([link, _text(match.group(1)), Token("link_close", "a", -1)])
        position = match.end()
    if not out:
        return [token]
    if position < len(text):
        out.append(_text(text[position:]))
    return out


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


_MD = _markdown()


def render_markdown(text: str, link_reference: LinkReference | None = None) -> Markup:
    """``text`` (Markdown) as safe HTML; evidence references linked where
    ``link_reference`` gives a URL."""
    html = _MD.render(text, {"link_reference": link_reference})
    # Safe to mark: this is nh3's output, the sanitised HTML itself.
    return Markup(sanitise_html(html))  # noqa: S704


def sanitise_html(html: str) -> str:
    """Only the tags, attributes and URL schemes of a rendered note survive."""
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        # Only the portal's own link class, on the links it makes.
        allowed_classes={"a": {"govuk-link"}},
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def references_in(text: str) -> set[str]:
    """Every evidence reference in ``text``, for resolving them in one query."""
    return set(REFERENCE.findall(text))
