"""Text extraction for search: each format, the sandbox, and hostile files.

Every document is made here, by the format's own library where there is one
(python-docx, openpyxl, python-pptx) and by hand where the format is simple
enough to write (PDF, ODF, RTF), so no binary fixture is kept.
"""

from __future__ import annotations

import struct
import subprocess
import threading
import time
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import docx
import openpyxl
import pptx
import pytest

from app.search import _extract_child as child
from app.search import extract
from app.search.extract import (
    CSV,
    DOCX,
    EXTRACTED_TYPES,
    ODP,
    ODS,
    ODT,
    PDF,
    PPTX,
    RTF,
    TXT,
    XLSX,
    Extracted,
    Limits,
    extract_file,
    extracts,
)

WORDS = ("Ŵyl", "ysgolion", "inspection")
# Small limits for the hostile files: they must end well inside these.
TIGHT = Limits(seconds=10, cpu_seconds=10, memory_bytes=256 * 1024 * 1024)


# -- documents --------------------------------------------------------------


def make_pdf(contents: list[bytes], *, share_first: bool = False) -> bytes:
    """A PDF of one page per content stream (FlateDecode), Helvetica with Ŵ
    and ŵ at codes 128 and 129. ``share_first``: every page draws the first
    page's content stream."""
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding"
        b" << /Type /Encoding /BaseEncoding /WinAnsiEncoding"
        b" /Differences [128 /Wcircumflex /wcircumflex] >> >>",
    }
    kids = []
    for n, content in enumerate(contents):
        page, stream = 4 + 2 * n, 5 + 2 * n
        if share_first and n:
            stream = 5
        else:
            data = zlib.compress(content)
            objects[stream] = (
                b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data)
                + data
                + b"\nendstream"
            )
        objects[page] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
            b" /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % stream
        )
        kids.append(b"%d 0 R" % page)
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(kids),
        len(kids),
    )
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    size = max(objects) + 1
    offsets = dict.fromkeys(range(size), 0)
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        if number in objects:
            out += b"%010d 00000 n \n" % offsets[number]
        else:
            out += b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        size,
        xref,
    )
    return bytes(out)


def pdf_text(line: bytes) -> bytes:
    return b"BT /F1 12 Tf 72 720 Td (" + line + b") Tj ET"


ODF_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"'
)
ODF_KINDS = {ODT: "text", ODS: "spreadsheet", ODP: "presentation"}


def write_odf(path: Path, media_type: str, body: str, prolog: str = "") -> Path:
    """An OpenDocument package as the specification lays it out: ``mimetype``
    first and stored, then the manifest and ``content.xml``."""
    kind = ODF_KINDS[media_type]
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
        f'<office:document-content {ODF_NAMESPACES} office:version="1.3">'
        f"<office:body><office:{kind}>{body}</office:{kind}></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
        ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.3"><manifest:file-entry manifest:full-path="/"'
        f' manifest:media-type="{media_type}"/><manifest:file-entry'
        ' manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("mimetype", media_type, zipfile.ZIP_STORED)
        package.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        package.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def ods_sheet(name: str, rows: list[list[str]]) -> str:
    cells = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{cell}</text:p>'
            "</table:table-cell>"
            for cell in row
        )
        + "</table:table-row>"
        for row in rows
    )
    return f'<table:table table:name="{name}">{cells}</table:table>'


def odp_slide(text: str) -> str:
    return (
        '<draw:page draw:name="s"><draw:frame><draw:text-box>'
        f"<text:p>{text}</text:p></draw:text-box></draw:frame></draw:page>"
    )


def write_docx(path: Path, paragraphs: list[str]) -> Path:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    document.save(str(path))
    return path


def write_pptx(path: Path, slides: list[str]) -> Path:
    presentation = pptx.Presentation()
    for text in slides:
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        slide.shapes.title.text = text
    presentation.save(str(path))
    return path


def write_xlsx(path: Path, sheets: Mapping[str, Sequence[Sequence[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def rewrite_member(
    source: Path, target: Path, name: str, change: Callable[[bytes], bytes]
) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == name:
                data = change(data)
            new.writestr(item, data, zipfile.ZIP_DEFLATED)
    return target


def make_each(kind: str, tmp_path: Path) -> Path:
    """A document of ``kind`` holding WORDS (Welsh diacritics included)."""
    path = tmp_path / f"words.{kind}"
    if kind == "pdf":
        path.write_bytes(
            make_pdf([pdf_text(b"Yr \\200yl ysgolion"), pdf_text(b"inspection")])
        )
    elif kind == "docx":
        document = docx.Document()
        document.add_heading("Yr Ŵyl", level=1)
        table = document.add_table(rows=1, cols=2)
        table.cell(0, 0).text = "ysgolion"
        document.sections[0].header.paragraphs[0].text = "inspection"
        document.save(str(path))
    elif kind == "xlsx":
        write_xlsx(path, {"Data": [["Ŵyl", 2027], [None, "ysgolion inspection"]]})
    elif kind == "pptx":
        presentation = pptx.Presentation()
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        slide.shapes.title.text = "Yr Ŵyl"
        slide.placeholders[1].text = "ysgolion"
        slide.notes_slide.notes_text_frame.text = "inspection"
        presentation.save(str(path))
    elif kind == "odt":
        write_odf(
            path,
            ODT,
            "<text:h>Yr Ŵyl</text:h><text:p>y<text:span>sgol</text:span>ion"
            "<text:s/>inspection</text:p>",
        )
    elif kind == "ods":
        write_odf(path, ODS, ods_sheet("Data", [["Ŵyl", "ysgolion"], ["inspection"]]))
    elif kind == "odp":
        write_odf(path, ODP, odp_slide("Ŵyl ysgolion") + odp_slide("inspection"))
    elif kind == "rtf":
        path.write_text(
            r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Arial;}}"
            r"\f0 Yr \u372?yl ysgolion\par inspection\par}",
            encoding="ascii",
        )
    elif kind == "csv":
        path.write_text('name,note\nŴyl,"ysgolion, inspection"\n', encoding="utf-8")
    else:
        path.write_text("Yr Ŵyl\nysgolion inspection\n", encoding="utf-8")
    return path


KINDS = {
    "pdf": PDF,
    "docx": DOCX,
    "xlsx": XLSX,
    "pptx": PPTX,
    "odt": ODT,
    "ods": ODS,
    "odp": ODP,
    "rtf": RTF,
    "csv": CSV,
    "txt": TXT,
}


# -- every format -----------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_format_comes_back_indexed_with_its_words(
    kind: str, tmp_path: Path
) -> None:
    result = extract_file(make_each(kind, tmp_path), KINDS[kind])
    assert result.status == "indexed", result
    assert result.reason is None
    for word in WORDS:
        assert word in result.text, (word, result.text)


def test_the_types_with_an_extractor() -> None:
    assert {media_type for media_type in KINDS.values() if extracts(media_type)} == (
        EXTRACTED_TYPES
    )
    assert extracts("text/plain; charset=utf-8")
    assert not extracts("image/png")


NO_EXTRACTOR = [
    "image/png",
    "image/jpeg",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/zip",
]


@pytest.mark.parametrize("media_type", NO_EXTRACTOR)
def test_types_without_an_extractor_are_no_text_and_start_no_child(
    media_type: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[object] = []
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: started.append(a))
    path = tmp_path / "upload.bin"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + "Ŵyl ysgolion".encode())
    assert extract_file(path, media_type) == Extracted("no_text", "")
    assert started == []
    assert not extracts(media_type)


def test_the_patched_popen_would_see_an_extracted_type(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check above can fail: the same patch catches a real start."""
    started: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        started.append(args)
        raise OSError("no child in this test")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    with pytest.raises(OSError):
        extract_file(make_each("txt", tmp_path), TXT)
    assert len(started) == 1


def test_a_missing_path_is_the_callers_mistake(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        extract_file(tmp_path / "nowhere.pdf", PDF)
    with pytest.raises(FileNotFoundError):
        extract_file(tmp_path, PDF)
    with pytest.raises(ValueError):
        Limits(seconds=0)


# -- empty documents --------------------------------------------------------


def _empty(kind: str, path: Path) -> None:
    if kind == "pdf":
        path.write_bytes(make_pdf([b""]))
    elif kind == "docx":
        docx.Document().save(str(path))
    elif kind == "xlsx":
        openpyxl.Workbook().save(path)
    elif kind == "pptx":
        presentation = pptx.Presentation()
        presentation.slides.add_slide(presentation.slide_layouts[1])
        presentation.save(str(path))
    elif kind == "odt":
        write_odf(path, ODT, "<text:p/><text:p> </text:p>")
    elif kind == "ods":
        write_odf(path, ODS, ods_sheet("Sheet1", [["", ""]]))
    elif kind == "odp":
        write_odf(path, ODP, odp_slide(""))
    elif kind == "rtf":
        path.write_text(r"{\rtf1\ansi{\fonttbl{\f0 Arial;}}\par}", encoding="ascii")
    elif kind == "csv":
        path.write_text(",,\n , \n", encoding="utf-8")
    else:
        path.write_text(" \n\t\n", encoding="utf-8")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_empty_documents_are_no_text(kind: str, tmp_path: Path) -> None:
    path = tmp_path / f"empty.{kind}"
    _empty(kind, path)
    assert extract_file(path, KINDS[kind]) == Extracted("no_text", "")


def test_an_empty_file_is_no_text(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    assert extract_file(path, PDF) == Extracted("no_text", "")


# -- caps -------------------------------------------------------------------


def test_text_past_max_chars_is_cut_and_still_indexed(tmp_path: Path) -> None:
    text = "".join(f"Ŵyl {n} ysgolion. " for n in range(50_000))
    path = tmp_path / "long.txt"
    path.write_text(text, encoding="utf-8")
    result = extract_file(path, TXT, Limits(max_chars=1000))
    assert result == Extracted("indexed", text[:1000])


def test_a_long_document_stops_at_max_chars(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "long.docx", [f"Ŵyl {n}" for n in range(5000)])
    result = extract_file(path, DOCX, Limits(max_chars=500))
    assert result.status == "indexed"
    assert len(result.text) == 500
    assert result.text.startswith("Ŵyl 0\nŴyl 1\n")


def test_slides_and_sheets_past_max_pages_are_not_read(tmp_path: Path) -> None:
    two = Limits(max_pages=2)
    slides = write_pptx(tmp_path / "s.pptx", ["first", "second", "third"])
    assert extract_file(slides, PPTX, two).text == "first\nsecond\n"
    sheets = {"A": [["first"]], "B": [["second"]], "C": [["third"]]}
    book = write_xlsx(tmp_path / "s.xlsx", sheets)
    assert extract_file(book, XLSX, two).text == "A\nfirst\nB\nsecond\n"
    ods = write_odf(
        tmp_path / "s.ods",
        ODS,
        "".join(ods_sheet(name, rows) for name, rows in sheets.items()),
    )
    assert extract_file(ods, ODS, two).text == "first \nsecond \n"
    odp = write_odf(tmp_path / "s.odp", ODP, "".join(map(odp_slide, "xyz")))
    assert extract_file(odp, ODP, two).text == "x\ny\n"


def test_ten_thousand_pages_end_at_the_page_cap(tmp_path: Path) -> None:
    path = tmp_path / "pages.pdf"
    path.write_bytes(make_pdf([pdf_text(b"page%d" % n) for n in range(10_000)]))
    started = time.monotonic()
    result = extract_file(path, PDF, Limits(seconds=10, max_pages=50))
    assert time.monotonic() - started < 10
    assert result.status == "indexed"
    assert "page0\n" in result.text and "page49\n" in result.text
    assert "page50" not in result.text


# -- hostile files ----------------------------------------------------------


def test_a_corrupt_pdf_fails(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R\n\x00\xff")
    assert extract_file(path, PDF, TIGHT) == Extracted("failed", "", "not a valid PDF")


def gibibyte_of_zeros_deflated() -> bytes:
    """A zlib stream of 1 GiB of zeros (about 1 MB), built without deflating a
    gibibyte: after a full flush the compressor starts afresh, so each MiB of
    zeros comes out the same, and the Adler-32 of n zero bytes is
    (n mod 65521) << 16 | 1."""
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    mebibyte = raw.compress(bytes(1 << 20)) + raw.flush(zlib.Z_FULL_FLUSH)
    checksum = ((1 << 30) % 65521) << 16 | 1
    return b"\x78\xda" + mebibyte * 1024 + raw.flush() + struct.pack(">I", checksum)


def test_the_bomb_is_a_gibibyte() -> None:
    inflate = zlib.decompressobj()
    assert len(inflate.decompress(gibibyte_of_zeros_deflated()[:2000])) > 1 << 20
    # the checksum as zlib reckons it
    assert zlib.adler32(bytes(3 << 20)) == ((3 << 20) % 65521) << 16 | 1


def test_a_pdf_bomb_fails_within_the_limits(tmp_path: Path) -> None:
    """A content stream of 1 GiB of zeros, about 1 MB compressed."""
    bomb = gibibyte_of_zeros_deflated()
    pdf = make_pdf([b"PLACEHOLDER"])
    packed = zlib.compress(b"PLACEHOLDER")
    pdf = pdf.replace(
        b"/Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed,
        b"/Length %d /Filter /FlateDecode >>\nstream\n" % len(bomb) + bomb,
    )
    assert len(pdf) > len(bomb)
    path = tmp_path / "bomb.pdf"
    path.write_bytes(pdf)
    started = time.monotonic()
    result = extract_file(path, PDF, TIGHT)
    assert time.monotonic() - started < TIGHT.seconds
    assert result.status == "failed"
    assert result.reason in {"PDF limit reached", "memory limit"}


def test_running_out_of_memory_is_memory_limit(tmp_path: Path) -> None:
    """One 70 MB string (70 KB compressed) in a child allowed 128 MB."""
    path = tmp_path / "big.pdf"
    path.write_bytes(make_pdf([b"BT /F1 12 Tf (" + b"a" * 70_000_000 + b") Tj ET"]))
    result = extract_file(path, PDF, Limits(memory_bytes=128 * 1024 * 1024))
    assert result == Extracted("failed", "", "memory limit")


def _amplifying_pdf(tmp_path: Path) -> Path:
    """2,000 pages that each draw the same 150,000 operators: 360 KB that
    would take pypdf the best part of an hour."""
    operators = b"BT /F1 12 Tf " + b"1 0 0 1 0 0 Tm " * 150_000 + b"ET"
    path = tmp_path / "slow.pdf"
    path.write_bytes(make_pdf([operators] * 2000, share_first=True))
    return path


def test_a_slow_file_is_timed_out_and_its_child_killed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While it runs, the child is seen confined: its limits, its own process
    group, its environment and its open files."""
    path = _amplifying_pdf(tmp_path)
    children: list[subprocess.Popen[bytes]] = []
    real_popen = subprocess.Popen

    def recording_popen(*args: object, **kwargs: object) -> object:
        started = real_popen(*args, **kwargs)  # type: ignore[call-overload]
        children.append(started)
        return started

    monkeypatch.setattr(subprocess, "Popen", recording_popen)
    results: list[Extracted] = []
    limits = Limits(seconds=3, memory_bytes=300 * 1024 * 1024, cpu_seconds=20)
    worker = threading.Thread(
        target=lambda: results.append(extract_file(path, PDF, limits))
    )
    started = time.monotonic()
    worker.start()
    limits_text = ""
    while time.monotonic() - started < 2.5:
        if children:
            proc = Path(f"/proc/{children[0].pid}")
            limits_text = (proc / "limits").read_text()
            if "Max file size            0" in limits_text:
                break
        time.sleep(0.05)
    pid = children[0].pid
    environ = (proc / "environ").read_bytes().split(b"\0")
    fds = {int(fd.name) for fd in (proc / "fd").iterdir()}
    stat_fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
    worker.join(timeout=10)

    assert results == [Extracted("failed", "", "timed out")]
    assert time.monotonic() - started < limits.seconds + 2
    lines = {line[:26].strip(): line[26:].split() for line in limits_text.splitlines()}
    assert lines["Max file size"][:2] == ["0", "0"]
    assert lines["Max core file size"][:2] == ["0", "0"]
    assert lines["Max open files"][:2] == ["32", "32"]
    assert lines["Max cpu time"][:2] == ["20", "21"]
    assert lines["Max address space"][:2] == [str(300 * 1024 * 1024)] * 2
    assert sorted(filter(None, environ)) == [
        b"LANG=C.UTF-8",
        b"LC_ALL=C.UTF-8",
        b"PATH=/usr/bin:/bin",
    ]
    assert fds <= {0, 1, 2, 3}  # the upload, the two pipes, a file an import reads
    assert int(stat_fields[2]) == pid  # its own process group, killed whole
    assert not Path(f"/proc/{pid}").exists()


def test_the_cpu_limit_ends_a_busy_child(tmp_path: Path) -> None:
    started = time.monotonic()
    result = extract_file(
        _amplifying_pdf(tmp_path), PDF, Limits(seconds=20, cpu_seconds=1)
    )
    assert result == Extracted("failed", "", "timed out (CPU limit)")
    assert time.monotonic() - started < 5


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    + "]>"
)


def _with_laughs(data: bytes, anchor: str) -> bytes:
    """The billion laughs (10^9 "lol"s, 3 GB) declared and used once."""
    text = data.decode("utf-8")
    assert anchor in text
    if text.startswith("<?xml"):
        declaration, rest = text.split("?>", 1)
        declaration += "?>"
    else:
        declaration, rest = "", text
    return (declaration + LAUGHS + rest.replace(anchor, "&lol9;" + anchor, 1)).encode()


@pytest.mark.parametrize(
    ("kind", "member", "anchor"),
    [
        ("docx", "word/document.xml", "Yr Ŵyl"),
        ("xlsx", "xl/worksheets/sheet1.xml", "ysgolion"),
        ("pptx", "ppt/slides/slide1.xml", "ysgolion"),
        ("odt", "content.xml", "Yr Ŵyl"),
    ],
)
def test_billion_laughs_end_bounded(
    kind: str, member: str, anchor: str, tmp_path: Path
) -> None:
    source = make_each(kind, tmp_path)
    path = rewrite_member(
        source,
        tmp_path / f"laughs.{kind}",
        member,
        lambda data: _with_laughs(data, anchor),
    )
    started = time.monotonic()
    result = extract_file(path, KINDS[kind], TIGHT)
    assert time.monotonic() - started < TIGHT.seconds
    assert result.status == "failed" or "lollol" not in result.text, result
    assert len(result.text) < 1000


def test_an_entity_reference_is_left_unexpanded(tmp_path: Path) -> None:
    path = rewrite_member(
        make_each("docx", tmp_path),
        tmp_path / "entity.docx",
        "word/document.xml",
        lambda data: data.replace(
            b"?>", b'?><!DOCTYPE d [<!ENTITY e "EXPANDED">]>', 1
        ).replace("Yr Ŵyl".encode(), "Yr &e;Ŵyl".encode()),
    )
    result = extract_file(path, DOCX, TIGHT)
    assert result.status == "indexed"
    assert "Yr Ŵyl" in result.text and "EXPANDED" not in result.text


@pytest.mark.parametrize(
    ("kind", "member"), [("docx", "word/document.xml"), ("odt", "content.xml")]
)
def test_an_external_entity_reads_no_local_file(
    kind: str, member: str, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("hidden-passphrase")
    declaration = f'<!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>'.encode()
    path = rewrite_member(
        make_each(kind, tmp_path),
        tmp_path / f"xxe.{kind}",
        member,
        lambda data: data.replace(b"?>", b"?>" + declaration, 1).replace(
            "Yr Ŵyl".encode(), "Yr &x;Ŵyl".encode()
        ),
    )
    result = extract_file(path, KINDS[kind], TIGHT)
    assert "hidden-passphrase" not in result.text
    assert result.status == "indexed" and "Ŵyl" in result.text


def _bomb_docx(tmp_path: Path, megabytes: int) -> Path:
    path = write_docx(tmp_path / "bomb.docx", ["Ŵyl"])
    zeros = bytes(1 << 20)
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as package,
        package.open("word/media/zeros.bin", "w") as member,
    ):
        for _ in range(megabytes):
            member.write(zeros)
    return path


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    path = _bomb_docx(tmp_path, 64)  # 64 MB of zeros in about 64 KB
    assert path.stat().st_size < 200_000
    result = extract_file(path, DOCX, TIGHT)
    assert result == Extracted("failed", "", "too large unpacked")


def _declare_size(path: Path, member: str, size: int) -> None:
    """Rewrite a member's declared uncompressed size, in both its headers."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, size_at, name_at in (
        (b"PK\x03\x04", 22, 30),
        (b"PK\x01\x02", 24, 46),
    ):
        at = data.find(signature)
        while at != -1:
            if data[at + name_at : at + name_at + len(name)] == name:
                struct.pack_into("<I", data, at + size_at, size)
            at = data.find(signature, at + 1)
    path.write_bytes(bytes(data))


def test_a_package_declaring_a_huge_size_is_refused(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "huge.docx", ["Ŵyl ysgolion"])
    _declare_size(path, "word/document.xml", 300 * 1024 * 1024)
    assert zipfile.ZipFile(path).getinfo("word/document.xml").file_size > 2**28
    assert extract_file(path, DOCX, TIGHT) == Extracted(
        "failed", "", "too large unpacked"
    )


def test_a_member_lying_about_its_size_is_read_no_further(tmp_path: Path) -> None:
    """document.xml padded with 64 MB of spaces, declaring 1,000 bytes: the
    size check passes, reading stops at the declared size, and the package
    then fails its CRC check (or the cut XML fails to parse)."""
    path = rewrite_member(
        write_docx(tmp_path / "small.docx", ["Ŵyl"]),
        tmp_path / "lying.docx",
        "word/document.xml",
        lambda data: data + b" " * (64 << 20),
    )
    _declare_size(path, "word/document.xml", 1000)
    result = extract_file(path, DOCX, TIGHT)
    assert result.status == "failed"
    assert result.reason in {"not a valid zip package", "malformed XML"}


def test_not_a_package_at_all_fails(tmp_path: Path) -> None:
    path = tmp_path / "fake.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    assert extract_file(path, DOCX, TIGHT) == Extracted(
        "failed", "", "not a valid zip package"
    )


# -- the child itself -------------------------------------------------------


def test_the_child_imports_no_flask(tmp_path: Path) -> None:
    """The exact command, with the interpreter's import log switched on."""
    command = extract.child_command(DOCX, Limits())
    assert command[1:3] == ["-I", "-B"] and command[3] == str(extract.CHILD)
    with make_each("docx", tmp_path).open("rb") as upload:
        done = subprocess.run(
            [command[0], "-X", "importtime", *command[1:]],
            stdin=upload,
            capture_output=True,
            env=extract.CHILD_ENV,
            check=False,
            timeout=30,
        )
    assert done.stdout.startswith(b"indexed\n"), done
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.decode().splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "lxml.etree" in imported and "zipfile" in imported  # the log is read
    unwanted = {"flask", "werkzeug", "sqlalchemy", "app", "config", "jinja2"}
    assert {name.split(".")[0] for name in imported} & unwanted == set()
    assert "pypdf" not in imported  # only what the type needs


def test_text_is_decoded_as_utf8_else_windows_1252() -> None:
    assert child.decode_text("\ufeffŴyl".encode(), True) == "Ŵyl"
    assert child.decode_text("Caf\xe9 ysgol".encode("cp1252"), True) == "Café ysgol"
    assert child.decode_text("Ŵyl".encode("utf-16"), True) == "Ŵyl"
    # Cut inside a character: that character is dropped, not the encoding.
    assert child.decode_text("ab Ŵ".encode()[:-1], False) == "ab "


def test_the_sink_strips_controls_that_postgresql_refuses() -> None:
    sink = child.Sink(100)
    sink.add("Ŵyl\x00 ysgol\x07ion\tx\n")
    assert sink.text() == "Ŵyl ysgolion\tx\n"
