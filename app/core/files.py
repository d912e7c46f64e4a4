"""Safe file responses: evidence streamed out with headers that keep users safe.

Evidence is whatever a user uploaded; sniffing at upload cannot prove a
file harmless. So every file leaves as an attachment with its type pinned
(``nosniff``), in a sandbox with no permissions (CSP), and is never cached.
Downloads stream from the store: memory does not grow with file size.
"""

from __future__ import annotations

import contextlib
import queue
import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

from flask import Response
from werkzeug.datastructures import ETags, Range
from werkzeug.http import parse_etags, parse_range_header

from app.core.errors import RangeNotSatisfiable
from evidence_store import ByteRange, EvidenceStore, ObjectReader

STREAM_CHUNK = 4 * 1024 * 1024
PREFETCH_CHUNKS = 2

SAFE_FILE_HEADERS = {
    # never inline: served HTML or SVG would run in our origin
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "X-Content-Type-Options": "nosniff",
    # evidence can hold personal data: no copies in shared or browser caches
    "Cache-Control": "no-store",
    "Cross-Origin-Resource-Policy": "same-origin",
}


@dataclass(frozen=True)
class ConditionalRequest:
    """The request headers that shape a file response (read by the view)."""

    range: str | None = None
    if_range: str | None = None
    if_none_match: str | None = None

    @classmethod
    def from_headers(cls, headers: object) -> ConditionalRequest:
        get = headers.get
        return cls(
            range=get("Range"),
            if_range=get("If-Range"),
            if_none_match=get("If-None-Match"),
        )


@dataclass(frozen=True)
class StoredFileInfo:
    key: str
    size: int
    sha256: str
    media_type: str
    filename: str


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the exact UTF-8 name (RFC 6266)."""
    ascii_name = (
        unicodedata.normalize("NFKD", filename)
        .encode("ascii", "ignore")
        .decode("ascii")
    )
    # Quotes, backslashes and separators would end or bend the quoted string.
    ascii_name = re.sub(r'[\x00-\x1f\x7f"\\;]', "_", ascii_name).strip() or "download"
    encoded = quote(filename, safe="")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"


def stream_file(
    store: EvidenceStore, info: StoredFileInfo, conditional: ConditionalRequest
) -> Response:
    """The file's bytes (or the one range asked for), streamed with safe headers."""
    etag = info.sha256
    headers = {
        **SAFE_FILE_HEADERS,
        "Content-Disposition": content_disposition(info.filename),
        "Accept-Ranges": "bytes",
    }
    if conditional.if_none_match and _etag_matches(conditional.if_none_match, etag):
        response = Response(status=304, headers=headers)
        response.set_etag(etag)
        return response

    byte_range = _wanted_range(conditional, info.size, etag)
    reader: ObjectReader = store.open(
        info.key,
        ByteRange(byte_range[0], byte_range[1]) if byte_range else None,
        chunk_size=STREAM_CHUNK,
    )
    response = Response(
        read_ahead(reader),
        status=206 if byte_range else 200,
        headers=headers,
        mimetype=None,
        content_type=info.media_type,
        direct_passthrough=True,
    )
    response.content_length = reader.content_length
    if byte_range:
        response.headers["Content-Range"] = (
            f"bytes {byte_range[0]}-{byte_range[1] - 1}/{info.size}"
        )
    response.set_etag(etag)
    response.call_on_close(reader.close)
    return response


def read_ahead(reader: ObjectReader) -> Iterator[bytes]:
    """The reader's chunks, read one or two ahead on another thread.

    Reading the next chunk from the store while the last one is written to
    the client keeps both connections busy instead of taking turns; memory
    stays bounded at PREFETCH_CHUNKS chunks.
    """
    chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(PREFETCH_CHUNKS)
    stop = threading.Event()

    def fetch() -> None:
        try:
            for chunk in reader:
                while not stop.is_set():
                    try:
                        chunks.put(chunk, timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            chunks.put(None)
        except BaseException as exc:  # handed to the response thread to raise
            chunks.put(exc)

    fetcher = threading.Thread(target=fetch, name="evidence-prefetch", daemon=True)
    fetcher.start()
    try:
        while True:
            item = chunks.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        # The client may have gone: stop the fetcher before closing its reader.
        stop.set()
        while fetcher.is_alive():
            with contextlib.suppress(queue.Empty):
                chunks.get_nowait()
            fetcher.join(timeout=0.1)
        reader.close()


def _etag_matches(header: str, etag: str) -> bool:
    etags: ETags = parse_etags(header)
    return etags.contains_weak(etag) or etags.star_tag


def _wanted_range(
    conditional: ConditionalRequest, size: int, etag: str
) -> tuple[int, int] | None:
    """The one byte range to send as [start, stop), or None for the whole file.

    Several ranges in one request are answered with the whole file (allowed
    by RFC 9110); a range that starts beyond the end answers 416.
    """
    if not conditional.range:
        return None
    # Send a range only of the version the client already holds (a weak tag
    # never matches: a range needs the exact bytes).
    if_range = conditional.if_range
    if if_range and (if_range.startswith("W/") or not _etag_matches(if_range, etag)):
        return None
    parsed: Range | None = parse_range_header(conditional.range)
    if parsed is None or parsed.units != "bytes" or len(parsed.ranges) != 1:
        return None
    bounds = parsed.range_for_length(size)
    if bounds is None:
        raise RangeNotSatisfiable(
            f"The file has {size} bytes; the range asked for is outside it.",
            headers={"Content-Range": f"bytes */{size}"},
        )
    return bounds
