"""Value types, helpers and the reader base class."""

from __future__ import annotations

import io

import pytest

from evidence_store import (
    ByteRange,
    InvalidRange,
    ObjectNotFound,
    StoredObject,
    StoreError,
)
from evidence_store._stream import HashingReader
from evidence_store.base import ObjectReader
from evidence_store.s3 import content_disposition
from support.streams import GreedyStream


def test_byte_range_validation() -> None:
    assert ByteRange(0, 1).resolve(10) == (0, 1)
    assert ByteRange(5, 100).resolve(10) == (5, 10)
    for start, stop in [(5, 5), (6, 5), (-1, 3)]:
        with pytest.raises(ValueError):
            ByteRange(start, stop)
    with pytest.raises(TypeError):
        ByteRange(True, 3)
    with pytest.raises(InvalidRange):
        ByteRange(10, 11).resolve(10)
    with pytest.raises(InvalidRange):
        ByteRange(0, 1).resolve(0)


def test_value_types_are_frozen() -> None:
    stored = StoredObject(key="a" * 32, size=1, sha256="0" * 64)
    with pytest.raises(AttributeError):
        stored.size = 2  # type: ignore[misc]
    assert issubclass(ObjectNotFound, StoreError)


class _ShortReader(ObjectReader):
    """Promises more bytes than its source has, like a truncated download."""

    def __init__(self, data: bytes, promised: int) -> None:
        super().__init__(size=promised, content_length=promised, chunk_size=4)
        self._source = io.BytesIO(data)

    def _read_raw(self, n: int) -> bytes:
        return self._source.read(n)

    def _release(self) -> None:
        self._source.close()


def test_truncated_source_raises_instead_of_returning_short_body() -> None:
    with (
        _ShortReader(b"abcdef", 10) as reader,
        pytest.raises(StoreError, match="early"),
    ):
        b"".join(reader)
    with _ShortReader(b"abcdef", 10) as reader, pytest.raises(StoreError):
        reader.read()


def test_hashing_reader_splits_oversized_reads() -> None:
    data = bytes(range(256)) * 40_000
    source = HashingReader(GreedyStream(data, block=1_000_003))
    buffer = bytearray(700_000)
    pieces = []
    while filled := source.readinto(buffer):
        pieces.append(bytes(buffer[:filled]))
    assert b"".join(pieces) == data
    assert source.size == len(data)


@pytest.mark.parametrize(
    ("filename", "fallback", "encoded"),
    [
        ("report.pdf", "report.pdf", "report.pdf"),
        ("Adroddiad ŵyl.pdf", "Adroddiad _yl.pdf", "Adroddiad%20%C5%B5yl.pdf"),
        ('a"b\\c.pdf', "a_b_c.pdf", "a%22b_c.pdf"),
        (
            "x\r\nSet-Cookie: a=b.pdf",
            "xSet-Cookie: a=b.pdf",
            "xSet-Cookie%3A%20a%3Db.pdf",
        ),
        ("cv\u202efdp.exe", "cvfdp.exe", "cvfdp.exe"),
        ("../../etc/passwd", ".._.._etc_passwd", ".._.._etc_passwd"),
        ("100%.pdf", "100_.pdf", "100%25.pdf"),
        ("", "download", "download"),
        ("\r\n", "download", "download"),
        ("..", "download", "download"),
    ],
)
def test_content_disposition(filename: str, fallback: str, encoded: str) -> None:
    header = content_disposition(filename)
    assert header == f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
    assert "\r" not in header and "\n" not in header
    assert header.isascii()
