"""Reading a caller's stream in bounded pieces while hashing it."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Sequence

from .base import BinaryReadable, HashSink, IncompletePart, UploadedPart


def new_key() -> str:
    """Return a fresh random object key (32 lowercase hex characters)."""
    # Random rather than derived from the content or the filename so that a
    # key reveals nothing about the evidence and cannot be chosen by a client.
    return uuid.uuid4().hex


class HashingReader:
    """Reads a caller's stream, computing SHA-256 and size as bytes pass.

    Exceptions raised by the wrapped stream propagate unchanged: callers use
    them to abort a save and must get their own exception back.
    """

    def __init__(self, stream: BinaryReadable) -> None:
        """Wrap ``stream``."""
        self._stream = stream
        self._digest = hashlib.sha256()
        self._pending = memoryview(b"")
        self._eof = False
        self.size = 0

    @property
    def sha256(self) -> str:
        """Lowercase hex SHA-256 of everything read so far."""
        return self._digest.hexdigest()

    def read(self, n: int) -> bytes | memoryview:
        """Return up to ``n`` (> 0) bytes; empty only at end of stream."""
        if self._pending:
            data, self._pending = self._pending[:n], self._pending[n:]
            return data
        if self._eof:
            return b""
        chunk = self._stream.read(n)
        if not chunk:
            # Some streams (sockets, pipes) block or misbehave when read
            # again after EOF, so remember it.
            self._eof = True
            return b""
        self._digest.update(chunk)
        self.size += len(chunk)
        if len(chunk) > n:
            # A stream ignoring the size hint must not overflow a part
            # buffer; keep the surplus for the next call.
            view = memoryview(chunk)
            self._pending = view[n:]
            return view[:n]
        return chunk

    def readinto(self, buffer: bytearray) -> int:
        """Fill ``buffer`` completely unless the stream ends first; return the count."""
        view = memoryview(buffer)
        filled = 0
        total = len(buffer)
        while filled < total:
            # Bounded reads keep a stream that honours ``n`` from building one
            # huge bytes object in addition to the part buffer.
            data = self.read(min(total - filled, 1 << 20))
            if not data:
                break
            view[filled : filled + len(data)] = data
            filled += len(data)
        return filled


def copy_exactly(
    stream: BinaryReadable,
    length: int,
    write: Callable[[bytes | memoryview], object],
    digest: HashSink | None,
    chunk_size: int,
) -> None:
    """Pass exactly ``length`` bytes of ``stream`` to ``write`` (and ``digest``).

    Asks the stream for no more than what is still missing; raises
    IncompletePart if it ends sooner. The caller's own exceptions propagate.
    """
    remaining = length
    while remaining > 0:
        chunk: bytes | memoryview = stream.read(min(chunk_size, remaining))
        if not chunk:
            raise IncompletePart(
                f"the stream ended {remaining} bytes short of the part's {length}"
            )
        if len(chunk) > remaining:
            # A stream ignoring the size hint: what is past the part is not ours.
            chunk = memoryview(chunk)[:remaining]
        if digest is not None:
            digest.update(chunk)  # type: ignore[arg-type]
        write(chunk)
        remaining -= len(chunk)


def check_part(number: int, length: int, *, max_parts: int, max_size: int) -> None:
    """ValueError unless ``number`` and ``length`` fit a part of this store."""
    for name, value in (("number", number), ("length", length)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"part {name} must be an int, got {value!r}")
    if not 1 <= number <= max_parts:
        raise ValueError(f"part number must be 1..{max_parts}, got {number}")
    if not 1 <= length <= max_size:
        raise ValueError(f"part length must be 1..{max_size} bytes, got {length}")


def check_parts(parts: Sequence[UploadedPart], *, min_part_size: int) -> None:
    """ValueError unless ``parts`` are numbered 1..n in order, each once,
    and every part but the last has at least ``min_part_size`` bytes."""
    if not parts:
        raise ValueError("a multipart object needs at least one part")
    for index, part in enumerate(parts, start=1):
        if part.number != index:
            raise ValueError(
                f"parts must be numbered 1..{len(parts)} in order; "
                f"found {part.number} at position {index}"
            )
        if part.size < 1 or (index < len(parts) and part.size < min_part_size):
            raise ValueError(
                f"part {index} has {part.size} bytes; every part but the last "
                f"needs at least {min_part_size}"
            )
