"""The upload pipeline: the one place every uploaded file passes through.

A ``multipart/form-data`` body is decoded as it arrives (python-multipart's
streaming parser), so a file is never held whole in memory or spooled to a
temporary file: its bytes go straight on to the evidence store, counted on
the way (the store hashes what it writes). Before anything is stored, the
first bytes are sniffed with libmagic and checked against the allow-list,
and the filename is checked. A failure at any step leaves no stored object.

Sniffing is not a security boundary (libmagic calls a PNG header followed
by ``<script>`` an image); what keeps users safe is how files are served
(see ``app/core/files.py``). The allow-list keeps out what should never be
evidence: web pages, scripts, programs and archives.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import magic
from flask import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MAX_BOUNDARY_LENGTH, MultipartParser
from werkzeug.http import parse_options_header
from werkzeug.wsgi import get_input_stream

from app.core.api import check_text
from app.core.errors import PortalError, TooLarge, UnsupportedType, ValidationFailed
from app.core.i18n import _, _l
from evidence_store import EvidenceStore, StoredObject, StoreError

log = logging.getLogger(__name__)

READ_CHUNK = 512 * 1024
# A client's declared SHA-256 digest: hexadecimal, either case.
SHA256_PATTERN = r"^[0-9a-fA-F]{64}$"
SHA256_HEX = re.compile(SHA256_PATTERN)
# How much of a file libmagic sees. Office formats are recognised from the
# names of the first entries of the ZIP container or the OLE directory.
SNIFF_BYTES = 1024 * 1024
# Room in a request for the form's other fields around the file: an upload
# whose declared length exceeds the file limit by more is refused unread.
FORM_OVERHEAD_BYTES = 1024 * 1024
MAX_FORM_PARTS = 20
# A page's multi-file form: its fields before the files (the CSRF token, the
# metadata every file takes) are kept, up to these limits.
MAX_FIELDS_BEFORE_FILES = 12
FIELD_BEFORE_FILES_MAX = 1200
MAX_FILENAME_BYTES = 255
# Bytes read and thrown away after refusing an upload, so that the client
# can read the answer instead of seeing its connection reset.
DRAIN_LIMIT = 4 * FORM_OVERHEAD_BYTES


@dataclass(frozen=True)
class FileType:
    media_type: str
    label: Any  # a (lazily translated) name people know the format by


PDF = FileType("application/pdf", "PDF")
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"
)
XLSX = FileType(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"
)
PPTX = FileType(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "PowerPoint",
)
DOC = FileType("application/msword", _l("Word 97-2003"))
XLS = FileType("application/vnd.ms-excel", _l("Excel 97-2003"))
PPT = FileType("application/vnd.ms-powerpoint", _l("PowerPoint 97-2003"))
ODT = FileType("application/vnd.oasis.opendocument.text", _l("OpenDocument text"))
ODS = FileType(
    "application/vnd.oasis.opendocument.spreadsheet", _l("OpenDocument spreadsheet")
)
ODP = FileType(
    "application/vnd.oasis.opendocument.presentation", _l("OpenDocument presentation")
)
RTF = FileType("application/rtf", "RTF")
CSV = FileType("text/csv", "CSV")
TXT = FileType("text/plain", _l("Plain text"))
PNG = FileType("image/png", "PNG")
JPEG = FileType("image/jpeg", "JPEG")
MP4 = FileType("video/mp4", _l("MP4 video"))
MP3 = FileType("audio/mpeg", _l("MP3 audio"))
M4A = FileType("audio/mp4", _l("M4A audio"))

ACCEPTED_TYPES = (
    PDF, DOCX, XLSX, PPTX, DOC, XLS, PPT, ODT, ODS, ODP,
    RTF, CSV, TXT, PNG, JPEG, MP4, MP3, M4A,
)  # fmt: skip

# What libmagic says -> what we record. Anything not here is refused.
_BY_DETECTED: dict[str, FileType] = {
    **{t.media_type: t for t in ACCEPTED_TYPES},
    "text/rtf": RTF,
    "application/csv": CSV,
    "audio/x-m4a": M4A,
    "audio/mp4": M4A,
}
# OLE2 (legacy Office) files whose directory lies beyond the sniffed bytes
# are only known to libmagic as "a compound document"; the extension then
# says which Office format, and nothing else in OLE2 is accepted.
_OLE2_CONTAINERS = {"application/x-ole-storage", "application/CDFV2"}
_OLE2_BY_EXTENSION = {".doc": DOC, ".dot": DOC, ".xls": XLS, ".ppt": PPT, ".pps": PPT}
# Plain text sent as a .csv file is a CSV file.
_TEXT_BY_EXTENSION = {".csv": CSV}

ACCEPTED_SENTENCE = _l(
    "Accepted: PDF; Word, Excel and PowerPoint; OpenDocument text, "
    "spreadsheet and presentation; RTF; CSV; plain text; PNG; JPEG; "
    "MP4, MP3 and M4A recordings."
)


def type_label(media_type: str) -> str:
    """The name people know a stored file's format by, in their language."""
    file_type = _BY_DETECTED.get(media_type)
    return str(file_type.label) if file_type else media_type


def load_magic_database() -> None:
    """Load libmagic's rules now (several MiB), at start-up rather than
    during some user's first upload."""
    magic.from_buffer(b"%PDF-1.7\n", mime=True)


def detect_file_type(head: bytes, filename: str) -> FileType:
    """The accepted type of a file from its first bytes, or UnsupportedType."""
    detected = magic.from_buffer(head, mime=True)
    if len(head) == 1 and head.isascii() and head.decode().isprintable():
        # libmagic gives up on one-byte files ("very short file").
        detected = TXT.media_type
    extension = _extension(filename)
    if detected in _OLE2_CONTAINERS and extension in _OLE2_BY_EXTENSION:
        return _OLE2_BY_EXTENSION[extension]
    file_type = _BY_DETECTED.get(detected)
    if file_type is TXT and extension in _TEXT_BY_EXTENSION:
        return _TEXT_BY_EXTENSION[extension]
    if file_type is None:
        raise UnsupportedType(
            _(
                "Files of type %(type)s are not accepted as evidence. %(accepted)s",
                type=detected,
                accepted=ACCEPTED_SENTENCE,
            )
        )
    return file_type


# How a file's first bytes are judged: the evidence allow-list
# (detect_file_type, the default everywhere), or one endpoint's narrower
# rule (detect_zip, for the ZIP import). Returns the type or raises
# UnsupportedType.
Detector = Callable[[bytes, str], FileType]

ZIP = FileType("application/zip", "ZIP")


def detect_zip(head: bytes, filename: str) -> FileType:
    """Exactly a ZIP archive, or UnsupportedType: what the ZIP import takes
    (its entries then go through detect_file_type one by one). Word, Excel,
    OpenDocument and Java files are ZIP containers too, but libmagic names
    them for what they are, so they are refused here."""
    detected = magic.from_buffer(head, mime=True)
    if detected != ZIP.media_type:
        raise UnsupportedType(
            _(
                "This is not a ZIP file (its content is %(type)s): choose a .zip file.",
                type=detected,
            )
        )
    return ZIP


def _extension(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower() if dot > 0 else ""


# --- filenames ---------------------------------------------------------------

# C0/C1 controls and NUL break headers, logs and file systems; bidirectional
# overrides and isolates disguise a name: "report\u202efdp.exe" (U+202E, the
# right-to-left override) displays as "reportexe.pdf".
_FORBIDDEN_IN_FILENAME = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean_filename(raw: str) -> str:
    """The display name to keep for an uploaded file, or ValidationFailed.

    NFC-normalised, so a name typed on a Mac and on Windows compares equal,
    keeping every letter (ŵ, ŷ, Arabic): Werkzeug's secure_filename would
    mangle them. Any path is dropped and its last part kept.
    """
    name = unicodedata.normalize("NFC", raw)
    if _FORBIDDEN_IN_FILENAME.search(name):
        raise ValidationFailed.field(
            "file",
            _(
                "The file name contains control characters or direction "
                "overrides: rename the file and try again."
            ),
        )
    name = re.split(r"[\\/]", name)[-1].strip()
    if name in {"", ".", ".."}:
        raise ValidationFailed.field("file", _("The file has no name."))
    if len(name.encode("utf-8")) > MAX_FILENAME_BYTES:
        raise ValidationFailed.field(
            "file",
            _(
                "The file name is longer than %(count)d bytes: shorten it and "
                "try again.",
                count=MAX_FILENAME_BYTES,
            ),
        )
    return name


# --- the form ----------------------------------------------------------------


@dataclass(frozen=True)
class TextFieldSpec:
    max_length: int
    multiline: bool = False


@dataclass
class IncomingForm:
    """A ``multipart/form-data`` request body, not yet read."""

    stream: BinaryIO
    content_type: str
    content_length: int | None


def incoming_form(request: Request) -> IncomingForm:
    """The upload request's body as an :class:`IncomingForm`, unread."""
    # Not request.stream: that applies the app's small limit for JSON bodies.
    # With no limit, a server that ends the body itself (gunicorn) hands its
    # stream over unwrapped; the form reader counts and bounds the body.
    return IncomingForm(
        stream=get_input_stream(request.environ, max_content_length=None),
        content_type=request.headers.get("Content-Type", ""),
        content_length=request.content_length,
    )


@dataclass(frozen=True)
class ReceivedFile:
    stored: StoredObject
    filename: str
    media_type: str
    claimed_media_type: str | None


@dataclass
class ReceivedUpload:
    file: ReceivedFile
    fields: dict[str, str] = field(default_factory=dict)


def receive_upload(
    form: IncomingForm,
    store: EvidenceStore,
    *,
    max_bytes: int,
    text_fields: Mapping[str, TextFieldSpec],
    file_field: str = "file",
    detect: Detector = detect_file_type,
) -> ReceivedUpload:
    """Stream one file (and small text fields) from ``form`` into ``store``.

    Raises ValidationFailed (400), TooLarge (413) or UnsupportedType (415);
    whatever it raises, nothing stays in the store. A body declared larger
    than the file limit allows is refused before a byte of it is read. The
    caller must delete ``result.file.stored.key`` if it fails later (e.g.
    committing the row). ``detect`` judges the file's type (see Detector);
    ``store`` may be anything with the store's ``save`` and ``delete``.
    """
    boundary = _boundary(form.content_type)
    if form.content_length is not None and (
        form.content_length > max_bytes + FORM_OVERHEAD_BYTES
    ):
        raise _too_large(max_bytes)
    reader = _FormReader(
        form.stream, boundary, max_body=max_bytes + FORM_OVERHEAD_BYTES
    )
    try:
        return _read_form(reader, store, max_bytes, text_fields, file_field, detect)
    except Exception:
        reader.drain(DRAIN_LIMIT)
        raise


@dataclass
class FileOutcome:
    """One file of a multi-file form: stored, or refused with a reason."""

    filename: str
    received: ReceivedFile | None = None
    error: PortalError | None = None


def receive_uploads(
    form: IncomingForm,
    store: EvidenceStore,
    *,
    max_bytes: int,
    max_files: int,
    before_files: Callable[[dict[str, str]], None],
    file_field: str = "file",
    detect: Detector = detect_file_type,
) -> list[FileOutcome]:
    """Stream several files from one form into ``store``, each on its own.

    A file that is refused (its type, name or size) does not stop the
    others: its outcome carries the error. ``before_files`` sees the form's
    text fields that came before the first file (the CSRF token of a page's
    form) and may raise to refuse the whole form before anything is stored.
    Storage failures stop everything; whatever is raised, the files stored
    so far are deleted.
    """
    boundary = _boundary(form.content_type)
    max_body = max_files * max_bytes + FORM_OVERHEAD_BYTES
    if form.content_length is not None and form.content_length > max_body:
        raise TooLarge(
            _(
                "Upload at most %(count)d files of up to %(size)s each at once.",
                count=max_files,
                size=format_bytes(max_bytes),
            )
        )
    reader = _FormReader(
        form.stream, boundary, max_body=max_body, max_parts=max_files + MAX_FORM_PARTS
    )
    outcomes: list[FileOutcome] = []
    fields: dict[str, str] = {}
    checked = False
    try:
        for part in reader.parts():
            if part.filename is None:
                if not checked and len(fields) < MAX_FIELDS_BEFORE_FILES:
                    fields[part.name] = _read_text(
                        reader, part.name, TextFieldSpec(FIELD_BEFORE_FILES_MAX)
                    )
                continue
            if not checked:
                before_files(fields)
                checked = True
            if part.name != file_field or not part.filename:
                continue
            if len(outcomes) >= max_files:
                raise ValidationFailed.field(
                    file_field,
                    _("Upload at most %(count)d files at once.", count=max_files),
                )
            outcome = FileOutcome(filename=part.filename)
            try:
                outcome.received = _receive_file(reader, part, store, max_bytes, detect)
                outcome.filename = outcome.received.filename
            except (ValidationFailed, UnsupportedType, TooLarge) as refused:
                outcome.error = refused
            outcomes.append(outcome)
        if not checked:
            before_files(fields)
        return outcomes
    except BaseException as failure:
        for outcome in outcomes:
            if outcome.received is not None:
                delete_quietly(store, outcome.received.stored.key)
        if isinstance(failure, Exception):
            reader.drain(DRAIN_LIMIT)
        raise


def _read_form(
    reader: _FormReader,
    store: EvidenceStore,
    max_bytes: int,
    text_fields: Mapping[str, TextFieldSpec],
    file_field: str,
    detect: Detector,
) -> ReceivedUpload:
    fields: dict[str, str] = {}
    received: ReceivedFile | None = None
    try:
        for part in reader.parts():
            if part.filename is not None and part.name == file_field:
                if received is not None:
                    raise ValidationFailed.field(
                        file_field, _("Send one file per request.")
                    )
                received = _receive_file(reader, part, store, max_bytes, detect)
            elif part.filename is None and part.name in text_fields:
                fields[part.name] = _read_text(
                    reader, part.name, text_fields[part.name]
                )
            else:
                # Unknown parts are skipped; the whole body is bounded.
                for _chunk in reader.part_data():
                    pass
        if received is None:
            raise ValidationFailed.field(
                file_field, _("Choose a file to upload: the form had no file.")
            )
        return ReceivedUpload(file=received, fields=fields)
    except BaseException:
        if received is not None:
            delete_quietly(store, received.stored.key)
        raise


def _receive_file(
    reader: _FormReader,
    part: _Part,
    store: EvidenceStore,
    max_bytes: int,
    detect: Detector,
) -> ReceivedFile:
    return store_file(
        reader.part_data(),
        filename=part.filename or "",
        claimed_media_type=part.content_type,
        store=store,
        max_bytes=max_bytes,
        detect=detect,
    )


def store_file(
    chunks: Iterator[bytes | memoryview],
    *,
    filename: str,
    claimed_media_type: str | None,
    store: EvidenceStore,
    max_bytes: int,
    detect: Detector = detect_file_type,
) -> ReceivedFile:
    """Check and store one file arriving as ``chunks``: every upload path's core.

    The name is checked and the type sniffed (by ``detect``: the evidence
    allow-list unless told otherwise) before anything is stored; the size
    is counted as the bytes pass, and reading stops past ``max_bytes``.
    Whatever it raises, nothing stays in the store.
    """
    clean_name = clean_filename(filename)
    claimed = claimed_media_type
    if claimed and (len(claimed) > 255 or _FORBIDDEN_IN_FILENAME.search(claimed)):
        claimed = None
    stream = _FileStream(chunks, max_bytes)
    head = stream.peek(SNIFF_BYTES)
    if not head:
        raise ValidationFailed.field("file", _("The file is empty."))
    file_type = detect(head, clean_name)
    del head  # a MiB not to hold while the whole file streams past
    stored = store.save(stream)
    if stored.size != stream.count:
        # The store wrote something other than what passed through here.
        delete_quietly(store, stored.key)
        raise RuntimeError("evidence store saved different bytes than it was given")
    return ReceivedFile(
        stored=stored,
        filename=clean_name,
        media_type=file_type.media_type,
        claimed_media_type=claimed,
    )


def delete_quietly(store: EvidenceStore, key: str) -> None:
    """Delete a blob while another error is on its way: a second failure
    must not hide the first. What cannot be deleted now, sweep-storage will."""
    try:
        store.delete(key)
    except StoreError:
        log.warning("could not delete blob %s of a failed upload", key, exc_info=True)


def _read_text(reader: _FormReader, name: str, spec: TextFieldSpec) -> str:
    limit = spec.max_length * 4  # UTF-8 takes at most four bytes a character
    buffer = bytearray()
    for chunk in reader.part_data():
        buffer.extend(chunk)
        if len(buffer) > limit:
            raise ValidationFailed.field(
                name, _("Must be at most %(count)d characters.", count=spec.max_length)
            )
    try:
        text = buffer.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed.field(name, _("Must be UTF-8 text.")) from None
    if len(text) > spec.max_length:
        raise ValidationFailed.field(
            name, _("Must be at most %(count)d characters.", count=spec.max_length)
        )
    problem = check_text(text, multiline=spec.multiline)
    if problem:
        raise ValidationFailed.field(name, problem)
    return text.strip()


def _boundary(content_type: str) -> bytes:
    mimetype, options = parse_options_header(content_type or "")
    boundary = options.get("boundary", "")
    if mimetype != "multipart/form-data" or not boundary:
        raise ValidationFailed.field(
            "file",
            _("Send the file as multipart/form-data, in a part named 'file'."),
        )
    if len(boundary) > MAX_BOUNDARY_LENGTH or not boundary.isascii():
        raise ValidationFailed.field("file", _("The multipart boundary is not valid."))
    return boundary.encode("ascii")


def _too_large(max_bytes: int) -> TooLarge:
    return TooLarge(
        _(
            "The file is larger than the limit of %(size)s (%(bytes)d bytes).",
            size=format_bytes(max_bytes),
            bytes=max_bytes,
        )
    )


def format_bytes(size: int) -> str:
    """``2147483648`` as ``2 GiB``, ``1536`` as ``1.5 KiB``."""
    amount = float(size)
    units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
    while amount >= 1024 and len(units) > 1:
        amount /= 1024
        units.pop(0)
    unit = units[0]
    return f"{amount:.0f} {unit}" if amount == int(amount) else f"{amount:.1f} {unit}"


@dataclass(frozen=True)
class _Part:
    """The start of one part of the form: its name, filename and headers."""

    name: str
    filename: str | None
    content_type: str | None


class _FormReader:
    """Pulls bytes from the request as the parser needs them.

    python-multipart's parser is push-based (callbacks); this turns it into
    a pull: :meth:`parts` yields each part's start, :meth:`part_data` its
    bytes, reading from the request only when the parser needs more.
    (Werkzeug's sans-IO decoder was the first choice, but 3.1 still emits a
    stray byte when a network read ends inside a boundary: werkzeug#3285.)
    """

    def __init__(
        self,
        stream: BinaryIO,
        boundary: bytes,
        *,
        max_body: int,
        max_parts: int = MAX_FORM_PARTS,
    ) -> None:
        self._stream = stream
        self._max_parts = max_parts
        self._max_body = max_body
        self._body_read = 0
        self._events: deque[_Part | bytes | _End | None] = deque()
        self._header_field = bytearray()
        self._header_value = bytearray()
        self._headers: dict[str, str] = {}
        self._parts = 0
        self._eof = False
        self._ended = False
        self._in_part = False
        self._parser = MultipartParser(
            boundary,
            callbacks={
                "on_part_begin": self._on_part_begin,
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
                "on_part_data": self._on_part_data,
                "on_part_end": self._on_part_end,
                "on_end": self._on_end,
            },
        )

    # -- parser callbacks --

    def _on_part_begin(self) -> None:
        self._parts += 1
        if self._parts > self._max_parts:
            raise ValidationFailed.field(
                "file",
                _("The form has more than %(count)d parts.", count=self._max_parts),
            )
        self._headers = {}

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        try:
            name = self._header_field.decode("ascii").strip().lower()
            value = self._header_value.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise ValidationFailed.field(
                "file", _("A part header of the form is not valid UTF-8.")
            ) from None
        self._headers[name] = value
        self._header_field.clear()
        self._header_value.clear()

    def _on_headers_finished(self) -> None:
        disposition, options = parse_options_header(
            self._headers.get("content-disposition", "")
        )
        if disposition != "form-data" or "name" not in options:
            raise ValidationFailed.field(
                "file", _("A part of the form has no Content-Disposition name.")
            )
        self._events.append(
            _Part(
                name=options["name"],
                filename=options.get("filename"),
                content_type=self._headers.get("content-type"),
            )
        )

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        if end > start:
            # A view, not a copy: ``data`` is the immutable chunk just read.
            self._events.append(memoryview(data)[start:end])

    def _on_part_end(self) -> None:
        self._events.append(None)

    def _on_end(self) -> None:
        self._events.append(_END)

    # -- pulling --

    def _next_event(self) -> _Part | bytes | _End | None:
        while not self._events:
            if self._eof:
                # The body ended before the closing boundary.
                raise ValidationFailed.field(
                    "file",
                    _("The upload is incomplete or not valid multipart/form-data."),
                )
            chunk = self._stream.read(READ_CHUNK)
            if not chunk:
                self._eof = True
                continue
            self._body_read += len(chunk)
            if self._body_read > self._max_body:
                # Whatever its parts, no body may be longer than this.
                raise TooLarge(
                    _(
                        "The upload is larger than the limit of %(size)s.",
                        size=format_bytes(self._max_body),
                    )
                )
            try:
                self._parser.write(chunk)
            except MultipartParseError:
                raise ValidationFailed.field(
                    "file", _("The upload is not valid multipart/form-data.")
                ) from None
        return self._events.popleft()

    def parts(self) -> Iterator[_Part]:
        """Each part's start; read its data with :meth:`part_data`."""
        while not self._ended:
            event = self._next_event()
            if isinstance(event, _End):
                self._ended = True
                return
            if not isinstance(event, _Part):
                raise ValidationFailed.field(
                    "file", _("The multipart form is malformed.")
                )
            self._in_part = True
            yield event
            for _chunk in self.part_data():  # whatever the consumer left unread
                pass

    def part_data(self) -> Iterator[memoryview]:
        while self._in_part:
            event = self._next_event()
            if event is None:
                self._in_part = False
            elif isinstance(event, memoryview):
                yield event
            else:
                raise ValidationFailed.field(
                    "file", _("The multipart form is malformed.")
                )

    def drain(self, limit: int) -> None:
        """Read and discard up to ``limit`` more bytes of the body."""
        remaining = limit
        try:
            while remaining > 0 and not self._eof:
                chunk = self._stream.read(min(READ_CHUNK, remaining))
                if not chunk:
                    return
                remaining -= len(chunk)
        except Exception:  # the client went away: nothing more to read
            return


class _End:
    """The closing boundary has been read."""


_END = _End()


class _FileStream:
    """A file part as a readable stream that counts and stops at the limit.

    Chunks pass through without copying where they can: the store hashes
    what it writes (one SHA-256 pass per upload, not two), and the size
    counted here is checked against what the store reports.
    """

    def __init__(self, chunks: Iterator[bytes | memoryview], max_bytes: int) -> None:
        self._chunks = chunks
        self._max_bytes = max_bytes
        self._head = bytearray()  # bytes peeked at, not yet read
        self._rest: memoryview | None = None  # a chunk larger than a read asked
        self.count = 0

    def _next_chunk(self) -> memoryview | None:
        chunk = next(self._chunks, None)
        if chunk is None:
            return None
        self.count += len(chunk)
        if self.count > self._max_bytes:
            # Stop reading at the limit: never store (or read) more.
            raise _too_large(self._max_bytes)
        return memoryview(chunk)

    def peek(self, size: int) -> bytes:
        """Up to ``size`` bytes from the start, without consuming them."""
        while len(self._head) < size:
            chunk = self._next_chunk()
            if chunk is None:
                break
            self._head += chunk
        return bytes(self._head[:size])

    def read(self, size: int = -1) -> bytes | memoryview:
        """Up to ``size`` bytes (fewer is not the end); empty only at the end."""
        if self._head:
            data = bytes(self._head)
            self._head.clear()
            return data
        chunk = self._rest if self._rest is not None else self._next_chunk()
        self._rest = None
        if chunk is None:
            return b""
        if 0 <= size < len(chunk):
            chunk, self._rest = chunk[:size], chunk[size:]
        return chunk


# --- a page's form with long text fields, then an optional file --------------------


class _Recording:
    """The request body as it is read, kept to be read again from its start."""

    def __init__(self, stream: BinaryIO, limit: int) -> None:
        self.stream = stream
        self.limit = limit
        self.kept = bytearray()

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size)
        self.kept.extend(chunk)
        if len(self.kept) > self.limit:
            raise TooLarge(_("The text sent with the file is too long."))
        return chunk


class _Replay:
    """The bytes already read, then the rest of the body."""

    def __init__(self, kept: bytes, stream: BinaryIO) -> None:
        self.kept = kept
        self.offset = 0
        self.stream = stream

    def read(self, size: int = -1) -> bytes:
        if self.offset < len(self.kept):
            end = len(self.kept) if size < 0 else self.offset + size
            piece = self.kept[self.offset : end]
            self.offset += len(piece)
            return piece
        return self.stream.read(size)


@dataclass
class FieldsBeforeFile:
    """A form as sent: its text fields, and (if a file was chosen) the whole
    body again, unread from the file on, to hand to :func:`receive_upload`."""

    fields: dict[str, str] = field(default_factory=dict)
    document: IncomingForm | None = None


def read_fields_before_file(
    incoming: IncomingForm,
    text_fields: Mapping[str, TextFieldSpec],
    *,
    check_token: Callable[[str], None],
    max_bytes: int,
    fields_max_bytes: int,
    token_field: str = "csrf_token",  # noqa: S107 (a field name)
    file_field: str = "file",
) -> FieldsBeforeFile:
    """A page's form whose text fields may be long (a draft's text) and whose
    file is optional: the token (its first part, checked by ``check_token``
    before anything else is read), the text fields, and whether a file
    follows. A chosen file is left unread: what was read (at most
    ``fields_max_bytes``) is kept and replayed, then the rest of the body,
    so the upload reads the form whole and no byte of the file is stored
    before the token is checked. An empty file input means no file."""
    recording = _Recording(incoming.stream, fields_max_bytes + READ_CHUNK)
    reader = _FormReader(
        recording,  # type: ignore[arg-type]  (read is all it uses)
        _boundary(incoming.content_type),
        max_body=max_bytes + fields_max_bytes + FORM_OVERHEAD_BYTES,
    )
    sent = FieldsBeforeFile()
    checked = False
    try:
        for part in reader.parts():
            if not checked:
                token = ""
                if part.name == token_field and part.filename is None:
                    try:
                        token = _read_text(reader, part.name, TextFieldSpec(1000))
                    except ValidationFailed:
                        token = ""
                check_token(token)
                checked = True
                continue
            if part.filename is not None:
                if part.name == file_field and part.filename:
                    sent.document = IncomingForm(
                        stream=_Replay(bytes(recording.kept), incoming.stream),  # type: ignore[arg-type]
                        content_type=incoming.content_type,
                        content_length=incoming.content_length,
                    )
                    return sent
                continue  # an empty file input: no file was chosen
            if part.name in text_fields:
                sent.fields[part.name] = _read_text(
                    reader, part.name, text_fields[part.name]
                )
        if not checked:
            check_token("")
    except Exception:
        reader.drain(DRAIN_LIMIT)
        raise
    return sent
