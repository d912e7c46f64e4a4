"""The upload pipeline's parts: names, types, and the streaming reader."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from app.core import uploads
from app.core.errors import TooLarge, UnsupportedType, ValidationFailed
from app.core.files import content_disposition
from app.core.uploads import (
    IncomingForm,
    TextFieldSpec,
    clean_filename,
    detect_file_type,
    format_bytes,
    receive_upload,
)
from evidence_store import open_store

FILES = Path(__file__).resolve().parent.parent / "fixtures" / "files"


def test_clean_filename_keeps_letters_and_drops_paths() -> None:
    assert clean_filename("../../x/report.pdf") == "report.pdf"
    assert clean_filename("C:\\Users\\x\\Adroddiad ŵŷ.docx") == "Adroddiad ŵŷ.docx"
    assert clean_filename("  spaced.txt  ") == "spaced.txt"
    # NFC: one code point for ŵ whatever the client sent.
    assert clean_filename("w\u0302.txt") == "\u0175.txt"


@pytest.mark.parametrize(
    "name", ["", "/", "..", "a/..", "x\x00.txt", "\u202ex.txt", "é" * 128]
)
def test_clean_filename_refuses(name: str) -> None:
    with pytest.raises(ValidationFailed):
        clean_filename(name)


def test_legacy_office_needs_the_extension_when_the_directory_is_beyond_the_head() -> (
    None
):
    head = (FILES / "large.doc").read_bytes()[: 1024 * 1024]
    assert detect_file_type(head, "large.doc").media_type == "application/msword"
    assert detect_file_type(head, "large.DOC").media_type == "application/msword"
    # A compound document with any other name is not accepted.
    with pytest.raises(UnsupportedType):
        detect_file_type(head, "large.msi")


def test_csv_by_extension_only_refines_text() -> None:
    assert detect_file_type(b"a;b\n1;2\n", "data.csv").media_type == "text/csv"
    assert detect_file_type(b"a;b\n1;2\n", "data.txt").media_type == "text/plain"
    with pytest.raises(UnsupportedType):
        detect_file_type(b"<html><script>x</script></html>", "data.csv")


def test_one_byte_text_is_text() -> None:
    assert detect_file_type(b"x", "x.txt").media_type == "text/plain"


def test_format_bytes() -> None:
    assert format_bytes(2 * 1024**3) == "2 GiB"
    assert format_bytes(1536) == "1.5 KiB"
    assert format_bytes(100) == "100 bytes"


def test_content_disposition_is_rfc_6266() -> None:
    value = content_disposition('Adroddiad "ŵyl" ; x.pdf')
    assert value.startswith('attachment; filename="Adroddiad _wyl_ _ x.pdf"')
    assert value.endswith("filename*=UTF-8''Adroddiad%20%22%C5%B5yl%22%20%3B%20x.pdf")
    assert content_disposition("تقرير.pdf").startswith('attachment; filename=".pdf"')


def _form(parts: bytes, boundary: str = "b") -> IncomingForm:
    return IncomingForm(
        stream=io.BytesIO(parts),
        content_type=f"multipart/form-data; boundary={boundary}",
        content_length=len(parts),
    )


def _file_part(content: bytes, name: str = "a.txt") -> bytes:
    return (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="'
        + name.encode()
        + b'"\r\n\r\n'
        + content
        + b"\r\n"
    )


class ChunkyStream(io.RawIOBase):
    """Returns at most a few bytes per read, as a slow network would."""

    def __init__(self, data: bytes, step: int) -> None:
        self.data, self.step, self.pos = data, step, 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        chunk = self.data[
            self.pos : self.pos + min(self.step, n if n > 0 else self.step)
        ]
        self.pos += len(chunk)
        return chunk


# Near misses of the delimiter "\r\n--b", and a trailing CR: the bytes a
# parser gets wrong when a network read ends inside a boundary.
TRICKY = b"line\r\n-b --b x\r\r\n\n\r" * 50 + b"\r"


@pytest.mark.parametrize("step", [1, 2, 3, 7, 4096])
def test_parts_split_anywhere_reassemble(step: int) -> None:
    content = TRICKY
    body = (
        b'--b\r\nContent-Disposition: form-data; name="title"\r\n\r\nT\xc5\xb5\r\n'
        + _file_part(content)
        + b"--b--\r\n"
    )
    store = open_store("memory:")
    form = IncomingForm(
        ChunkyStream(body, step), "multipart/form-data; boundary=b", None
    )  # type: ignore[arg-type]
    received = receive_upload(
        form, store, max_bytes=10_000, text_fields={"title": TextFieldSpec(10)}
    )
    assert received.fields == {"title": "Tŵ"}
    assert received.file.stored.sha256 == hashlib.sha256(content).hexdigest()
    with store.open(received.file.stored.key) as reader:
        assert reader.read() == content


class TwoReads(io.RawIOBase):
    def __init__(self, data: bytes, cut: int) -> None:
        self.pieces = [data[:cut], data[cut:]]

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        return self.pieces.pop(0) if self.pieces else b""


def test_a_read_ending_at_any_byte_gives_the_same_file() -> None:
    # Werkzeug 3.1's decoder adds a stray CR at some cuts (werkzeug#3285).
    content = b"x\r" + TRICKY[:60]
    body = _file_part(content) + b"--b--\r\n"
    for cut in range(1, len(body)):
        store = open_store("memory:")
        form = IncomingForm(
            TwoReads(body, cut), "multipart/form-data; boundary=b", None
        )  # type: ignore[arg-type]
        received = receive_upload(form, store, max_bytes=1000, text_fields={})
        with store.open(received.file.stored.key) as reader:
            assert reader.read() == content, cut


def test_limit_is_enforced_while_streaming() -> None:
    store = open_store("memory:")
    body = _file_part(b"a" * 101) + b"--b--\r\n"
    with pytest.raises(TooLarge) as caught:
        receive_upload(_form(body), store, max_bytes=100, text_fields={})
    assert "100 bytes" in caught.value.message
    assert list(store.iter_keys()) == []


def test_a_failing_store_leaves_nothing_and_says_so() -> None:
    class Broken(type(open_store("memory:"))):  # type: ignore[misc]
        def save(self, stream):  # type: ignore[no-untyped-def]
            stream.read(10)
            raise OSError("disk on fire")

    store = Broken()
    with pytest.raises(OSError):
        receive_upload(
            _form(_file_part(b"hello") + b"--b--\r\n"),
            store,
            max_bytes=100,
            text_fields={},
        )
    assert list(store.iter_keys()) == []


def test_a_body_of_unknown_length_is_bounded_too() -> None:
    # Chunked requests carry no Content-Length: the reader still stops.
    filler = (
        b'--b\r\nContent-Disposition: form-data; name="padding"\r\n\r\n'
        + b"p" * 3000
        + b"\r\n"
    )
    body = filler + _file_part(b"hello") + b"--b--\r\n"
    store = open_store("memory:")
    form = IncomingForm(io.BytesIO(body), "multipart/form-data; boundary=b", None)
    with pytest.MonkeyPatch.context() as patch, pytest.raises(TooLarge):
        patch.setattr(uploads, "FORM_OVERHEAD_BYTES", 1000)
        receive_upload(form, store, max_bytes=100, text_fields={})
    assert list(store.iter_keys()) == []
