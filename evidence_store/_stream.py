"""Reading a caller's stream in bounded pieces while hashing it."""

from __future__ import annotations

import hashlib
import uuid

from .base import BinaryReadable


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
