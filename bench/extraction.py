"""Benchmark: text extraction for search, format by format.

It writes one document of each extracted format, of about ``--megabytes`` MB
on disk: English and Welsh prose (sentences drawn at random from a few
hundred words of each language, with the Welsh circumflexed letters, so that
it compresses about as real prose does), in headings, paragraphs and tables
for the word processors, slides for the presentations, and a register of
rows for XLSX, ODS and CSV. The library of each format writes it where there
is one (python-docx, openpyxl, python-pptx); PDF, ODF and RTF are written by
hand, as their specifications lay them out.

Each document is then extracted ``--runs`` times through
``app.search.extract.extract_file``, each run a fresh sandboxed child (its
start and imports included), with the default limits except that neither the
characters nor the pages are capped, so that the whole document is read. It
prints per format the file size, the characters extracted, the median wall
time, MB/s (file size over the median) and characters per second.

    python bench/extraction.py [--megabytes 3] [--runs 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.search.extract import (  # noqa: E402
    CSV,
    DEFAULT_LIMITS,
    DOCX,
    ODP,
    ODS,
    ODT,
    PDF,
    PPTX,
    RTF,
    TXT,
    XLSX,
    extract_file,
)

ENGLISH = """
the inspection team visited schools across the region and spoke with pupils
staff governors parents and leaders about teaching learning wellbeing and
attendance most pupils make strong progress in reading writing and numeracy
while a few need more support the local authority has improved its work with
headteachers through regular meetings clear plans and careful use of data
leaders evaluate provision honestly and identify priorities that lead to
improvement many teachers plan interesting lessons that build on what pupils
already know and can do however in a minority of classes tasks do not
challenge the more able pupils well enough safeguarding arrangements meet
requirements and give no cause for concern the council has a sound financial
position although pressures on budgets for additional learning needs continue
to grow officers monitor spending closely and report to members every quarter
the partnership between schools and the consortium supports professional
learning for staff at all levels recommendations include strengthening the
evaluation of the impact of grants and improving the consistency of feedback
""".split()  # noqa: SIM905 (prose reads better than a list)

WELSH = """
aeth y tîm arolygu i ysgolion ar draws y rhanbarth a siarad â disgyblion staff
llywodraethwyr rhieni ac arweinwyr am addysgu dysgu lles a phresenoldeb mae'r
rhan fwyaf o'r disgyblion yn gwneud cynnydd cryf mewn darllen ysgrifennu a
rhifedd tra bod ychydig angen mwy o gymorth mae'r awdurdod lleol wedi gwella ei
waith gyda phenaethiaid trwy gyfarfodydd rheolaidd cynlluniau clir a defnydd
gofalus o ddata mae arweinwyr yn gwerthuso'r ddarpariaeth yn onest Ŵyl
ysgolion Ŷd ŵyr ŷd tŷ dŵr cân môr llên pêl hŷn gŵr sŵn ffôn câr
mae trefniadau diogelu yn bodloni'r gofynion a'r cyngor mewn sefyllfa ariannol
gadarn er bod pwysau ar gyllidebau anghenion dysgu ychwanegol yn parhau i dyfu
mae swyddogion yn monitro gwariant yn ofalus ac yn adrodd i aelodau bob chwarter
mae'r bartneriaeth rhwng ysgolion a'r consortiwm yn cefnogi dysgu proffesiynol
""".split()  # noqa: SIM905 (prose reads better than a list)


def sentences(seed: int) -> Iterator[str]:
    """An endless run of sentences, three English to one Welsh or so."""
    rng = random.Random(seed)
    while True:
        words = rng.choice((ENGLISH, ENGLISH, ENGLISH, WELSH))
        chosen = [rng.choice(words) for _ in range(rng.randint(6, 22))]
        if rng.random() < 0.15:
            chosen.insert(rng.randrange(len(chosen)), str(rng.randint(2, 2030)))
        sentence = " ".join(chosen)
        yield sentence[0].upper() + sentence[1:] + rng.choice(".....?;:")


def paragraphs(seed: int) -> Iterator[str]:
    rng = random.Random(seed)
    said = sentences(seed)
    while True:
        yield " ".join(next(said) for _ in range(rng.randint(2, 7)))


def register(seed: int) -> Iterator[list[object]]:
    """Rows of an evidence register: reference, school, date, score, note."""
    rng = random.Random(seed)
    said = sentences(seed + 1)
    schools = [
        "Ysgol Gynradd Llanŵyl",
        "Ysgol y Graig",
        "Cardiff High School",
        "Ysgol Bro Dŵr",
        "St Mary's Primary",
        "Ysgol Gyfun Tŷ Gwyn",
    ]
    number = 0
    while True:
        number += 1
        yield [
            f"EV-{number:06d}",
            rng.choice(schools),
            f"2027-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            rng.randint(1, 5),
            round(rng.uniform(0, 100), 1),
            next(said),
        ]


# -- writers ------------------------------------------------------------------


def write_txt(path: Path, size: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for paragraph in paragraphs(1):
            out.write(paragraph + "\n\n")
            if out.tell() >= size:
                return


def write_csv(path: Path, size: int) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["Reference", "School", "Date", "Grade", "Score", "Note"])
        for row in register(2):
            writer.writerow(row)
            if out.tell() >= size:
                return


def _rtf_escape(text: str) -> str:
    out = []
    for char in text:
        if char in "\\{}":
            out.append("\\" + char)
        elif ord(char) < 128:
            out.append(char)
        else:
            out.append(f"\\u{ord(char)}?")
    return "".join(out)


def write_rtf(path: Path, size: int) -> None:
    with path.open("w", encoding="ascii") as out:
        out.write(
            "{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fswiss Arial;}}"
            "{\\colortbl;\\red0\\green0\\blue0;}\\f0\\fs22\n"
        )
        for n, paragraph in enumerate(paragraphs(3)):
            if n % 12 == 0:
                out.write(f"{{\\b\\fs28 Section {n // 12 + 1}}}\\par\n")
            # Word wraps RTF source lines; so do we.
            words, line = _rtf_escape(paragraph).split(" "), []
            for word in words:
                line.append(word)
                if sum(map(len, line)) > 200:
                    out.write(" ".join(line) + "\n")
                    line = []
            out.write(" ".join(line) + "\\par\n")
            if out.tell() >= size:
                break
        out.write("}\n")


def write_docx(path: Path, size: int) -> None:
    import docx

    document = docx.Document()
    said = paragraphs(4)
    rows = register(5)
    # About 5 KB on disk per round: write a round, save, measure, repeat.
    while True:
        for _ in range(200):
            document.add_heading(next(said)[:60], level=2)
            for _ in range(4):
                paragraph = document.add_paragraph(next(said))
                paragraph.add_run(" " + next(said)[:40]).bold = True
        table = document.add_table(rows=0, cols=6)
        for _ in range(40):
            cells = table.add_row().cells
            for cell, value in zip(cells, next(rows), strict=True):
                cell.text = str(value)
        document.save(str(path))
        if path.stat().st_size >= size:
            return


def write_xlsx(path: Path, size: int) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    rows = register(6)
    # openpyxl's package takes about 65 bytes a row of this register.
    total, per_sheet = size // 65, 10_000
    for number in range(0, total, per_sheet):
        sheet = book.create_sheet(f"Register {number // per_sheet + 1}")
        sheet.append(["Reference", "School", "Date", "Grade", "Score", "Note"])
        for _ in range(min(per_sheet, total - number)):
            sheet.append(next(rows))
    book.save(path)


def write_pptx(path: Path, size: int) -> None:
    import pptx

    presentation = pptx.Presentation()
    layout = presentation.slide_layouts[1]
    said = sentences(7)
    while True:
        for _ in range(100):
            slide = presentation.slides.add_slide(layout)
            slide.shapes.title.text = next(said)[:50]
            body = slide.placeholders[1].text_frame
            body.text = next(said)
            for _ in range(6):
                body.add_paragraph().text = next(said)
            slide.notes_slide.notes_text_frame.text = next(said) + " " + next(said)
        presentation.save(str(path))
        if path.stat().st_size >= size:
            return


ODF_ROOT = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
    ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"'
    ' xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"'
    ' xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"'
    ' office:version="1.3"><office:body><office:{kind}>'
)


def _odf(
    path: Path, media_type: str, kind: str, parts: Iterator[str], size: int
) -> None:
    """Write content.xml in pieces until the package reaches ``size``; the
    compressed size is known only as it is written, so it is checked as it
    goes (deflate's output grows with its input)."""
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
        ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.3"><manifest:file-entry manifest:full-path="/"'
        f' manifest:media-type="{media_type}"/><manifest:file-entry'
        ' manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("mimetype", media_type, zipfile.ZIP_STORED)
        package.writestr("META-INF/manifest.xml", manifest)
        with package.open("content.xml", "w") as content:
            content.write(ODF_ROOT.format(kind=kind).encode())
            squeeze, packed = zlib.compressobj(6, zlib.DEFLATED, -15), 0
            for part in parts:
                data = part.encode()
                content.write(data)
                packed += len(squeeze.compress(data))
                if packed >= size:
                    break
            content.write(f"</office:{kind}></office:body>".encode())
            content.write(b"</office:document-content>")


def _odt_parts() -> Iterator[str]:
    said = paragraphs(8)
    rows = register(9)
    for n in range(10**9):
        yield f'<text:h text:outline-level="2">{escape(next(said)[:60])}</text:h>'
        for _ in range(4):
            first, second = escape(next(said)), escape(next(said)[:40])
            yield f"<text:p>{first}<text:s/><text:span>{second}</text:span></text:p>"
        if n % 50 == 49:
            yield _table_xml("Table", rows, 40)


def _table_xml(name: str, rows: Iterator[list[object]], count: int) -> str:
    out = [f'<table:table table:name="{name}">']
    for _ in range(count):
        out.append("<table:table-row>")
        for value in next(rows):
            out.append(
                '<table:table-cell office:value-type="string">'
                f"<text:p>{escape(str(value))}</text:p></table:table-cell>"
            )
        out.append("</table:table-row>")
    out.append("</table:table>")
    return "".join(out)


def _ods_parts() -> Iterator[str]:
    rows = register(10)
    for number in range(10**9):
        yield _table_xml(f"Register {number + 1}", rows, 2000)


def _odp_parts() -> Iterator[str]:
    said = sentences(11)
    for number in range(10**9):
        body = "".join(f"<text:p>{escape(next(said))}</text:p>" for _ in range(7))
        yield (
            f'<draw:page draw:name="slide{number}"><draw:frame svg:width="20cm">'
            f"<draw:text-box><text:h>{escape(next(said)[:50])}</text:h>{body}"
            "</draw:text-box></draw:frame></draw:page>"
        )


def write_odt(path: Path, size: int) -> None:
    _odf(path, ODT, "text", _odt_parts(), size)


def write_ods(path: Path, size: int) -> None:
    _odf(path, ODS, "spreadsheet", _ods_parts(), size)


def write_odp(path: Path, size: int) -> None:
    _odf(path, ODP, "presentation", _odp_parts(), size)


# PDF: Helvetica in WinAnsiEncoding, whose gaps at 128-131 take the Welsh
# letters it lacks, as a Differences array names them.
WELSH_CODES = {"Ŵ": 128, "ŵ": 129, "Ŷ": 130, "ŷ": 131}


def _pdf_string(text: str) -> bytes:
    raw = bytes(
        WELSH_CODES[char] if char in WELSH_CODES else ord(char)
        for char in text
        if char in WELSH_CODES or ord(char) < 256
    )
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _pdf_page(lines: list[str]) -> bytes:
    out = [b"BT /F1 10 Tf 12 TL 56 790 Td"]
    for n, line in enumerate(lines):
        if n % 9 == 4:  # some lines kerned, as typesetters write them
            half = len(line) // 2
            out.append(
                b"[(%s) -120 (%s)] TJ T*"
                % (_pdf_string(line[:half]), _pdf_string(line[half:]))
            )
        else:
            out.append(b"(%s) Tj T*" % _pdf_string(line))
    out.append(b"ET")
    return b"\n".join(out)


def _wrapped_lines(width: int = 95) -> Iterator[str]:
    for paragraph in paragraphs(12):
        line = ""
        for word in paragraph.split():
            if len(line) + len(word) >= width:
                yield line
                line = ""
            line = f"{line} {word}" if line else word
        yield line
        yield ""


def write_pdf(path: Path, size: int) -> None:
    objects: list[bytes] = []  # object n is objects[n - 1]

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    add(b"<< /Type /Catalog /Pages 2 0 R >>")
    add(b"")  # the page tree, once the kids are known
    font = add(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding"
        b" << /Type /Encoding /BaseEncoding /WinAnsiEncoding"
        b" /Differences [128 /Wcircumflex /wcircumflex /Ycircumflex /ycircumflex]"
        b" >> >>"
    )
    lines = _wrapped_lines()
    kids: list[int] = []
    written = 0
    while written < size:
        data = zlib.compress(_pdf_page([next(lines) for _ in range(64)]))
        stream = add(
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data)
            + data
            + b"\nendstream"
        )
        kids.append(
            add(
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
                b" /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
                % (font, stream)
            )
        )
        written += len(data) + 200
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids),
        len(kids),
    )
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))


FORMATS: list[tuple[str, str, Callable[[Path, int], None]]] = [
    ("pdf", PDF, write_pdf),
    ("docx", DOCX, write_docx),
    ("xlsx", XLSX, write_xlsx),
    ("pptx", PPTX, write_pptx),
    ("odt", ODT, write_odt),
    ("ods", ODS, write_ods),
    ("odp", ODP, write_odp),
    ("rtf", RTF, write_rtf),
    ("csv", CSV, write_csv),
    ("txt", TXT, write_txt),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=float, default=3.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the documents here")
    args = parser.parse_args()
    size = int(args.megabytes * 1_000_000)
    limits = replace(
        DEFAULT_LIMITS,
        seconds=600.0,
        cpu_seconds=600,
        max_chars=10**9,
        max_pages=10**7,
    )
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        print(
            f"{'format':<7}{'file MB':>9}{'chars':>12}{'median s':>10}"
            f"{'MB/s':>8}{'chars/s':>12}",
            flush=True,
        )
        for name, media_type, write in FORMATS:
            path = folder / f"bench.{name}"
            write(path, size)
            megabytes = path.stat().st_size / 1_000_000
            times, chars, status = [], 0, ""
            for _ in range(args.runs):
                started = time.perf_counter()
                result = extract_file(path, media_type, limits)
                times.append(time.perf_counter() - started)
                chars, status = len(result.text), result.status
                if result.status != "indexed":
                    break
            median = statistics.median(times)
            note = "" if status == "indexed" else f"  {status}: {result.reason}"
            print(
                f"{name:<7}{megabytes:>9.2f}{chars:>12,}{median:>10.2f}"
                f"{megabytes / median:>8.2f}{chars / median:>12,.0f}{note}",
                flush=True,
            )


if __name__ == "__main__":
    main()
