"""The sandboxed half of text extraction: a script, never imported by the app.

``app/search/extract.py`` runs this file by path, as
``python -I -B _extract_child.py MEDIA_TYPE LIMITS_JSON``, with the upload on
standard input. ``-I`` keeps the script's folder and the working directory off
``sys.path``, so nothing here can import the ``app`` package (whose
``__init__`` imports Flask and the settings), even by accident; ``-B`` because
the child may write no file at all (RLIMIT_FSIZE is 0), ``.pyc`` caches
included. It imports the standard library and, lazily, only the one parsing
library that the media type needs.

It confines itself first thing, before a parsing library is imported or a byte
of the upload is read: the limits are set here rather than in a ``preexec_fn``
because ``preexec_fn`` is not safe in a parent with threads (a gunicorn
worker may have them), and this file is ours, so nothing hostile runs before.

Standard output is one header line (``indexed``, ``no_text`` or
``failed<TAB>reason``) and then the text as UTF-8. The exit status is 0
whenever a header was written; 3 when a MemoryError left no room even for that.

The libraries, and why:

- PDF: pypdf. Pure Python (no C parser to crash under a memory limit), well
  kept, and it carries its own limits on decompressed stream sizes, page-tree
  size and content-stream parsing work, which turn a bomb into an error.
  pdfminer.six is slower; PyMuPDF is AGPL and a large C library.
- DOCX: lxml directly over the package's XML, streamed with ``iterparse``,
  through a parser that resolves no entities, fetches nothing and keeps
  libxml2's size limits. python-docx (already a dependency) would parse the
  whole body into memory and sees neither text boxes nor footnotes; reading
  the parts ourselves takes headers, footers, notes and comments too.
- XLSX: openpyxl in read-only, values-only mode, which streams each sheet.
  With defusedxml installed openpyxl parses sheets through it, which refuses
  entity declarations outright, and its lxml parser resolves no entities.
- PPTX: python-pptx, whose parser resolves no entities; slides are small, so
  loading the package whole (bounded by the unpacked-size check) is fine, and
  it knows the slide order, notes and group shapes.
- ODT/ODS/ODP: lxml over ``content.xml``, as for DOCX. odfpy has had no
  release since 2020 and builds a full DOM through xml.sax.
- RTF: striprtf, small, pure Python and still released; RTF is 7-bit text, so
  the converter never sees raw bytes.
- CSV and plain text: the standard library.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import zipfile
from collections.abc import Callable, Iterator
from typing import IO, Any

# Zip packages: refused before parsing when they would unpack to more than
# this, or when one big member is compressed more than MAX_RATIO times (a
# deflate bomb of zeros reaches about 1,000; real XML stays well under 100).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 4 * 1024 * 1024
MAX_MEMBERS = 20_000
# Enough for the imports (each file is opened and closed in turn).
MAX_OPEN_FILES = 32
EXIT_OUT_OF_MEMORY = 3


class Full(Exception):
    """The text cap is reached: stop reading and keep what there is."""


class Refused(Exception):
    """The upload is refused before parsing; the message is the reason."""


class Sink:
    """Collects text up to ``max_chars``, then stops the extractor."""

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self.parts: list[str] = []
        self.size = 0

    def add(self, text: str | None) -> None:
        if not text:
            return
        self.parts.append(text)
        self.size += len(text)
        if self.size >= self.max_chars:
            raise Full

    def text(self) -> str:
        text = "".join(self.parts)[: self.max_chars]
        return text.translate(_CONTROLS)


# NUL and the other C0 controls but tab and newlines: PostgreSQL refuses NUL in
# text, and the rest are noise in a search index.
_CONTROLS = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 127])


# -- confinement ------------------------------------------------------------


def _set_limit(which: int, value: int) -> None:
    _soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, value))


def confine(limits: dict[str, Any]) -> None:
    """Set the child's own limits; soft and hard alike, so none can be raised."""
    # Past RLIMIT_FSIZE a write fails with EFBIG instead of killing the child.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    _set_limit(resource.RLIMIT_CORE, 0)
    _set_limit(resource.RLIMIT_FSIZE, 0)
    _set_limit(resource.RLIMIT_NOFILE, MAX_OPEN_FILES)
    cpu = int(limits["cpu_seconds"])
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        cpu = max(1, min(cpu, hard - 1))
    # The soft limit sends SIGXCPU, which the parent reports; the hard one,
    # a second later, is SIGKILL in case anything ever catches it.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    _set_limit(resource.RLIMIT_AS, int(limits["memory_bytes"]))


# -- XML and zip helpers ----------------------------------------------------


def _xml_options() -> dict[str, Any]:
    """libxml2 options for untrusted XML: no entity expansion (billion
    laughs), no DTD loading or network (XXE), and its default size and depth
    limits kept (``huge_tree`` off)."""
    return {
        "resolve_entities": False,
        "no_network": True,
        "huge_tree": False,
        "load_dtd": False,
        "dtd_validation": False,
        "remove_comments": True,
        "remove_pis": True,
    }


def _parse_small(data: bytes) -> Any:
    from lxml import etree

    return etree.fromstring(data, etree.XMLParser(**_xml_options()))


def check_zip(source: IO[bytes]) -> zipfile.ZipFile:
    """Open a zip package, refusing a bomb by its declared sizes.

    The declared sizes are what bound the inflation: Python's zipfile stops
    reading a member at its declared size (and then fails its CRC check), so
    a member that lies about its size cannot inflate past what is checked here.
    """
    archive = zipfile.ZipFile(source)
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise Refused("too many parts")
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > RATIO_FLOOR_BYTES and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise Refused("too large unpacked")
    if total > MAX_UNPACKED_BYTES:
        raise Refused("too large unpacked")
    return archive


def _read_member(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        return archive.read(name)
    except KeyError:
        return None


def _stream_elements(stream: IO[bytes], tags: list[str]) -> Iterator[tuple[str, Any]]:
    from lxml import etree

    yield from etree.iterparse(
        stream, events=("start", "end"), tag=tags, **_xml_options()
    )


def _forget(element: Any) -> None:
    """Free a handled element and the siblings before it (streaming)."""
    element.clear(keep_tail=True)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


# -- DOCX -------------------------------------------------------------------

_W_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # Strict OOXML
)
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_FALLBACK = _MC + "Fallback"  # a copy of an mc:Choice's text box: skip
_W_P = {f"{{{ns}}}p" for ns in _W_NAMESPACES}
_W_T = {f"{{{ns}}}t" for ns in _W_NAMESPACES}
_W_TAB = {f"{{{ns}}}tab" for ns in _W_NAMESPACES}
_W_BREAK = {f"{{{ns}}}{name}" for ns in _W_NAMESPACES for name in ("br", "cr")}
_W_HYPHEN = {f"{{{ns}}}noBreakHyphen" for ns in _W_NAMESPACES}
_W_TR = {f"{{{ns}}}tr" for ns in _W_NAMESPACES}
_W_TBL = {f"{{{ns}}}tbl" for ns in _W_NAMESPACES}
_W_SKIP = {_FALLBACK} | {
    f"{{{ns}}}{name}"
    for ns in _W_NAMESPACES
    for name in ("pPr", "rPr", "sectPr", "instrText", "delText")
}
_WORD_PARTS = ("header", "footer", "footnotes", "endnotes", "comments")


def _word_runs(element: Any, out: list[str]) -> None:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _W_SKIP:
            continue
        if tag in _W_T:
            if child.text:
                out.append(child.text)
            # Text after an unresolved entity reference is that node's tail.
            out.extend(node.tail for node in child if node.tail)
        elif tag in _W_TAB:
            out.append("\t")
        elif tag in _W_BREAK:
            out.append("\n")
        elif tag in _W_HYPHEN:
            out.append("-")
        elif tag in _W_P:  # a paragraph in a text box inside this one
            _word_runs(child, out)
            out.append("\n")
        else:
            _word_runs(child, out)


def _word_part(stream: IO[bytes], sink: Sink) -> None:
    depth = 0  # open paragraphs: a text box's paragraphs sit inside another
    skipping = 0
    tags = [*_W_P, *_W_TR, *_W_TBL, _FALLBACK]
    for event, element in _stream_elements(stream, tags):
        tag = element.tag
        if tag == _FALLBACK:
            skipping += 1 if event == "start" else -1
            continue
        if event == "start":
            if tag in _W_P:
                depth += 1
            continue
        if tag in _W_P:
            depth -= 1
            if not depth and not skipping:
                out: list[str] = []
                _word_runs(element, out)
                out.append("\n")
                sink.add("".join(out))
        if not depth:  # inside a paragraph, all of it is walked at its end
            _forget(element)


def _relationships(archive: zipfile.ZipFile, part: str) -> list[tuple[str, str]]:
    """(type, part name) of a part's internal relationships, in order."""
    import posixpath

    folder, name = posixpath.split(part)
    data = _read_member(archive, posixpath.join(folder, "_rels", name + ".rels"))
    if data is None:
        return []
    found = []
    for rel in _parse_small(data):
        target = rel.get("Target")
        if not target or rel.get("TargetMode") == "External":
            continue
        if target.startswith("/"):
            path = target.lstrip("/")
        else:
            path = posixpath.normpath(posixpath.join(folder, target))
        found.append((rel.get("Type") or "", path))
    return found


def extract_docx(source: IO[bytes], sink: Sink, limits: dict[str, Any]) -> None:
    archive = check_zip(source)
    main = next(
        (
            path
            for kind, path in _relationships(archive, "")
            if kind.endswith("/officeDocument")
        ),
        "word/document.xml",
    )
    parts = [main]
    related = _relationships(archive, main)
    for wanted in _WORD_PARTS:
        parts += [path for kind, path in related if kind.endswith("/" + wanted)]
    names = set(archive.namelist())
    if main not in names:
        raise Refused("not a valid Word document")
    for part in dict.fromkeys(parts):  # a header used twice is read once
        if part in names:
            with archive.open(part) as stream:
                _word_part(stream, sink)


# -- XLSX -------------------------------------------------------------------


def extract_xlsx(source: IO[bytes], sink: Sink, limits: dict[str, Any]) -> None:
    check_zip(source)
    source.seek(0)
    import openpyxl

    book = openpyxl.load_workbook(
        source, read_only=True, data_only=True, keep_links=False
    )
    try:
        for sheet in book.worksheets[: limits["max_pages"]]:
            # The sheet's own <dimension> is not to be trusted: without this
            # openpyxl pads every row out to it.
            sheet.reset_dimensions()
            title: str | None = sheet.title
            for row in sheet.iter_rows(values_only=True):
                cells = [str(value) for value in row if value is not None]
                line = " ".join(cell for cell in cells if cell.strip())
                if line:
                    if title:  # a sheet's name is worth finding, once it has text
                        sink.add(title + "\n")
                        title = None
                    sink.add(line + "\n")
    finally:
        book.close()


# -- PPTX -------------------------------------------------------------------


def _slide_shapes(shapes: Any, sink: Sink) -> None:
    from pptx.shapes.group import GroupShape

    for shape in shapes:
        if isinstance(shape, GroupShape):
            _slide_shapes(shape.shapes, sink)
        elif shape.has_text_frame:
            text = shape.text_frame.text
            if text.strip():  # an empty placeholder has an empty frame
                sink.add(text + "\n")
        elif shape.has_table:
            for row in shape.table.rows:
                sink.add(" ".join(cell.text for cell in row.cells) + "\n")


def extract_pptx(source: IO[bytes], sink: Sink, limits: dict[str, Any]) -> None:
    check_zip(source)
    source.seek(0)
    from pptx import Presentation

    presentation = Presentation(source)
    for number, slide in enumerate(presentation.slides):
        if number >= limits["max_pages"]:
            break
        _slide_shapes(slide.shapes, sink)
        if slide.has_notes_slide:
            notes = slide.notes_slide.notes_text_frame
            if notes is not None and notes.text.strip():
                sink.add(notes.text + "\n")


# -- ODF --------------------------------------------------------------------

_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_ODF_P = {_TEXT + "p", _TEXT + "h"}
_ODF_SKIP = {
    _TEXT + "tracked-changes",  # deleted text
    _DC + "creator",  # a comment's author and date
    _DC + "date",
}
_ODF_SKIP_REGION = _TEXT + "tracked-changes"
_SPACE, _TAB, _LINE_BREAK = _TEXT + "s", _TEXT + "tab", _TEXT + "line-break"
_CELL, _ROW = _TABLE + "table-cell", _TABLE + "table-row"
_SHEET, _SLIDE = _TABLE + "table", _DRAW + "page"
_SPREADSHEET = _OFFICE + "spreadsheet"


def _odf_runs(element: Any, out: list[str]) -> None:
    if element.text:
        out.append(element.text)
    for child in element:
        tag = child.tag
        if isinstance(tag, str) and tag not in _ODF_SKIP:
            if tag == _SPACE:
                count = child.get(_TEXT + "c") or "1"
                spaces = int(count) if count.isascii() and count.isdigit() else 1
                out.append(" " * min(spaces, 64))
            elif tag == _TAB:
                out.append("\t")
            elif tag == _LINE_BREAK:
                out.append("\n")
            elif tag in _ODF_P:
                _odf_runs(child, out)
                out.append("\n")
            else:
                _odf_runs(child, out)
        if child.tail:
            out.append(child.tail)


def extract_odf(source: IO[bytes], sink: Sink, limits: dict[str, Any]) -> None:
    archive = check_zip(source)
    manifest = _read_member(archive, "META-INF/manifest.xml") or b""
    if b"encryption-data" in manifest:
        raise Refused("encrypted")
    depth = skipping = cells = pages = 0
    tags = [*_ODF_P, _ODF_SKIP_REGION, _CELL, _ROW, _SHEET, _SLIDE]
    with archive.open("content.xml") as stream:
        for event, element in _stream_elements(stream, tags):
            tag = element.tag
            if tag == _ODF_SKIP_REGION:
                skipping += 1 if event == "start" else -1
                continue
            if event == "start":
                if tag in _ODF_P:
                    depth += 1
                elif depth:
                    pass
                elif tag == _CELL:
                    cells += 1
                elif tag == _SLIDE or (
                    tag == _SHEET and element.getparent().tag == _SPREADSHEET
                ):
                    pages += 1
                    if pages > limits["max_pages"]:
                        return
                continue
            if tag in _ODF_P:
                depth -= 1
                if depth:
                    continue
                if not skipping:
                    out: list[str] = []
                    _odf_runs(element, out)
                    # The cells of a row on one line, as for CSV.
                    out.append(" " if cells else "\n")
                    sink.add("".join(out))
            elif depth:
                continue
            elif tag == _CELL:
                cells -= 1
            elif tag == _ROW:
                sink.add("\n")
            _forget(element)


# -- PDF --------------------------------------------------------------------


class Encrypted(Exception):
    """A PDF that the empty password does not open."""


_INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
MAX_PAGE_TREE_DEPTH = 100
MAX_PAGE_TREE_NODES = 200_000


def _pdf_pages(reader: Any, max_pages: int) -> Iterator[Any]:
    """The first ``max_pages`` pages, walking the page tree lazily.

    ``reader.pages`` first reads every page dictionary of the file (about two
    seconds for 10,000 pages): that is work the page cap is meant to spare.
    Like pypdf's own walk this copies inherited attributes down to each page;
    a node met twice (a cycle, or a page listed twice) is skipped.
    """
    from pypdf import PageObject
    from pypdf.errors import LimitReachedError, PdfReadError
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    tree = reader.trailer["/Root"].get_object().get("/Pages")
    tree = tree.get_object() if tree is not None else None
    if not isinstance(tree, DictionaryObject):
        raise PdfReadError("no page tree")
    seen: set[object] = set()
    stack: list[tuple[Iterator[Any], dict[str, Any], int]] = [(iter([tree]), {}, 0)]
    pages = nodes = 0
    while stack and pages < max_pages and nodes < MAX_PAGE_TREE_NODES:
        kids, inherited, depth = stack[-1]
        kid = next(kids, None)
        if kid is None:
            stack.pop()
            continue
        nodes += 1
        key = (
            (kid.idnum, kid.generation) if isinstance(kid, IndirectObject) else id(kid)
        )
        if key in seen:
            continue
        seen.add(key)
        node = kid.get_object()
        if not isinstance(node, DictionaryObject) or not node:
            continue
        kind = node.get("/Type")
        if kind == "/Pages" or (kind is None and "/Kids" in node):
            if depth >= MAX_PAGE_TREE_DEPTH:
                raise LimitReachedError("page tree too deep")
            passed_on = dict(inherited)
            passed_on.update((name, node[name]) for name in _INHERITED if name in node)
            grandchildren = node.get("/Kids")
            grandchildren = (
                grandchildren.get_object() if grandchildren is not None else None
            )
            if isinstance(grandchildren, ArrayObject):
                stack.append((iter(grandchildren), passed_on, depth + 1))
            continue
        page = PageObject(reader, kid if isinstance(kid, IndirectObject) else None)
        if not isinstance(kid, IndirectObject):
            page.update(node)
        for name, value in inherited.items():
            if name not in page:
                page[NameObject(name)] = value
        pages += 1
        yield page


def extract_pdf(source: IO[bytes], sink: Sink, limits: dict[str, Any]) -> None:
    import logging
    import warnings

    import pypdf
    from pypdf.errors import LimitReachedError

    # pypdf warns freely about damaged files; the parent discards stderr, but
    # writing thousands of lines to it still costs time.
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")
    # Never call out to an external jbig2dec, whatever is on PATH.
    pypdf.overwrite_configuration(jbig2dec_binary=None)
    reader = pypdf.PdfReader(source, strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise Encrypted
    first_error: Exception | None = None
    for page in _pdf_pages(reader, limits["max_pages"]):
        try:
            text = page.extract_text()
        except (LimitReachedError, MemoryError, RecursionError):
            raise
        except Exception as exc:  # one damaged page: keep the others' text
            first_error = first_error or exc
            continue
        sink.add(text)
        sink.add("\n")
    if first_error is not None and not sink.size:
        raise first_error


# -- RTF, CSV, plain text ---------------------------------------------------


def _read_capped(source: IO[bytes], limits: dict[str, Any]) -> tuple[bytes, bool]:
    """At most what ``max_chars`` characters can take; and whether that is all."""
    cap = limits["max_chars"] * 4 + 4
    # Not read(cap) alone: that would allocate the whole cap up front.
    wanted = min(cap, os.fstat(source.fileno()).st_size + 1)
    data = source.read(wanted)
    return data, len(data) < wanted or not source.read(1)


def decode_text(data: bytes, complete: bool) -> str:
    """UTF-8 (with or without a BOM), UTF-16 by its BOM, else Windows-1252."""
    import codecs

    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        decoder = codecs.getincrementaldecoder("utf-16")(errors="replace")
        return decoder.decode(data, final=complete)
    try:
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        # Not final when cut short: a character split at the cut is dropped.
        return decoder.decode(data, final=complete)
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def extract_text(source: IO[bytes], sink: Sink, limits: dict[str, Any]) -> None:
    sink.add(decode_text(*_read_capped(source, limits)))


def extract_csv(source: IO[bytes], sink: Sink, limits: dict[str, Any]) -> None:
    import csv
    import io

    text = decode_text(*_read_capped(source, limits))
    csv.field_size_limit(len(text) + 1)
    out: list[str] = []
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            line = " ".join(cell for cell in row if cell.strip())
            if line:
                out.append(line + "\n")
    except csv.Error:  # ill-formed CSV is still text worth finding
        sink.add(text)
        return
    sink.add("".join(out))


def extract_rtf(source: IO[bytes], sink: Sink, limits: dict[str, Any]) -> None:
    from striprtf.striprtf import rtf_to_text

    # RTF is 7-bit by its specification; stray 8-bit bytes are most likely
    # Windows-1252. Escaped characters are decoded by striprtf itself.
    rtf = source.read().decode("cp1252", errors="replace")
    if not rtf.lstrip().startswith("{\\rtf"):
        raise Refused("not a valid RTF document")
    sink.add(rtf_to_text(rtf, errors="replace"))  # type: ignore[no-untyped-call]


EXTRACTORS: dict[str, Callable[[IO[bytes], Sink, dict[str, Any]], None]] = {
    "application/pdf": extract_pdf,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        extract_docx
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (extract_xlsx),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        extract_pptx
    ),
    "application/vnd.oasis.opendocument.text": extract_odf,
    "application/vnd.oasis.opendocument.spreadsheet": extract_odf,
    "application/vnd.oasis.opendocument.presentation": extract_odf,
    "application/rtf": extract_rtf,
    "text/csv": extract_csv,
    "text/plain": extract_text,
}


# -- reasons and the protocol -----------------------------------------------


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 10:
        yield current
        seen += 1
        current = current.__cause__ or current.__context__


def reason_for(exc: BaseException) -> str:
    """A short English reason for the logs; never the file's own text.

    Libraries wrap the parser's error (openpyxl raises a ValueError "from"
    defusedxml's), so the whole chain is asked before the generic reason.
    """
    for link in _chain(exc):
        reason = _specific_reason(link)
        if reason:
            return reason
    if isinstance(exc, UnicodeError):
        return "undecodable text"
    return f"could not be read ({type(exc).__name__})"


def _specific_reason(exc: BaseException) -> str | None:
    name = type(exc).__name__
    module = type(exc).__module__ or ""
    message = str(exc).lower()
    if isinstance(exc, MemoryError) or "cannot allocate memory" in message:
        return "memory limit"
    if isinstance(exc, Refused):
        return str(exc)
    if isinstance(exc, Encrypted) or name in {
        "FileNotDecryptedError",
        "WrongPasswordError",
    }:
        return "encrypted"
    if isinstance(exc, RecursionError):
        return "too deeply nested"
    if module.startswith("pypdf"):
        if name == "LimitReachedError":
            return "PDF limit reached"
        if name == "DependencyError":
            return "encrypted"  # AES needs a library the child does not load
        return "not a valid PDF"
    if isinstance(exc, zipfile.BadZipFile | zipfile.LargeZipFile):
        return "not a valid zip package"
    if module.startswith("defusedxml"):
        return "XML entity declarations refused"
    if name == "XMLSyntaxError":
        if "memory" in message:
            return "memory limit"
        if "amplification" in message or "entity" in message:
            return "XML entity expansion refused"
        return "malformed XML"
    if name == "ParseError" and module.startswith("xml."):
        return "malformed XML"
    if module.startswith(("pptx", "docx", "openpyxl")):
        return "not a valid Office document"
    if isinstance(exc, KeyError):
        return "a required part is missing"
    return None


def run(media_type: str, limits: dict[str, Any], source: IO[bytes]) -> bytes:
    """Extract and return the whole reply: the header line, then the text."""
    sink = Sink(int(limits["max_chars"]))
    try:
        EXTRACTORS[media_type](source, sink, limits)
    except Full:
        pass
    except Exception as exc:
        sink.parts.clear()  # the text may be what used the memory up
        return f"failed\t{reason_for(exc)}\n".encode()
    text = sink.text()
    sink.parts.clear()
    if not text.strip():
        return b"no_text\n"
    try:
        body = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates, e.g. from RTF's \u escapes
        body = (
            text.encode("utf-16", "surrogatepass")
            .decode("utf-16", "replace")
            .encode("utf-8", "replace")
        )
    return b"indexed\n" + body


def main(argv: list[str]) -> int:
    media_type, limits = argv[1], json.loads(argv[2])
    confine(limits)
    try:
        with os.fdopen(0, "rb", closefd=False) as source:
            reply = run(media_type, limits, source)
        sys.stdout.buffer.write(reply)
        sys.stdout.buffer.flush()
    except MemoryError:
        os._exit(EXIT_OUT_OF_MEMORY)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
