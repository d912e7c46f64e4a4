"""Input streams with controlled behaviour for storage tests."""

from __future__ import annotations

import hashlib
import os


class PatternStream:
    """Yields ``size`` deterministic, incompressible bytes without holding them.

    Each 1 MiB block is a fixed random block stamped with its index, so the
    whole stream never exists in memory at once (needed for memory-bound
    tests) while :meth:`expected_sha256` can still recompute the digest.
    """

    BLOCK = 1 << 20

    def __init__(self, size: int, *, seed_block: bytes | None = None) -> None:
        """Prepare a stream of ``size`` bytes."""
        self.size = size
        self._base = seed_block if seed_block is not None else os.urandom(self.BLOCK)
        self._pos = 0

    def _block(self, index: int) -> bytes:
        return index.to_bytes(8, "big") + self._base[8:]

    def read(self, n: int = -1) -> bytes:
        """Return up to ``n`` bytes (at most one block)."""
        remaining = self.size - self._pos
        if n < 0 or n > remaining:
            n = remaining
        if n == 0:
            return b""
        index, offset = divmod(self._pos, self.BLOCK)
        n = min(n, self.BLOCK - offset)
        data = self._block(index)[offset : offset + n]
        self._pos += n
        return data

    def expected_sha256(self) -> str:
        """Digest of the full stream, computed block by block."""
        digest = hashlib.sha256()
        full, rest = divmod(self.size, self.BLOCK)
        for index in range(full):
            digest.update(self._block(index))
        if rest:
            digest.update(self._block(full)[:rest])
        return digest.hexdigest()


class FailingStream:
    """Serves ``data`` but raises ``error`` once ``fail_at`` bytes were read."""

    def __init__(self, data: bytes, fail_at: int, error: BaseException) -> None:
        """Fail with ``error`` at offset ``fail_at``."""
        self._data = memoryview(data)
        self._fail_at = fail_at
        self._pos = 0
        self.error = error
        self.bytes_read = 0

    def read(self, n: int = -1) -> bytes:
        """Return up to ``n`` bytes, or raise once the failure point is reached."""
        if self._pos >= self._fail_at:
            raise self.error
        end = len(self._data) if n < 0 else min(self._pos + n, self._fail_at)
        chunk = bytes(self._data[self._pos : end])
        self._pos += len(chunk)
        self.bytes_read = self._pos
        return chunk


class TrickleStream:
    """Returns short reads of varying size (like a slow network upload)."""

    def __init__(
        self, data: bytes, sizes: tuple[int, ...] = (1, 7, 4096, 65537)
    ) -> None:
        """Serve ``data`` in reads cycling through ``sizes``."""
        self._data = data
        self._sizes = sizes
        self._pos = 0
        self._turn = 0

    def read(self, n: int = -1) -> bytes:
        """Return fewer bytes than asked for, but never more."""
        size = self._sizes[self._turn % len(self._sizes)]
        self._turn += 1
        if n >= 0:
            size = min(size, n)
        chunk = self._data[self._pos : self._pos + size]
        self._pos += len(chunk)
        return chunk


class GreedyStream:
    """Ignores the size hint and returns ``block`` bytes per read."""

    def __init__(self, data: bytes, block: int = 3 * (1 << 20) + 17) -> None:
        """Serve ``data`` in over-sized reads."""
        self._data = data
        self._block = block
        self._pos = 0

    def read(self, n: int = -1) -> bytes:
        """Return up to ``block`` bytes regardless of ``n``."""
        chunk = self._data[self._pos : self._pos + self._block]
        self._pos += len(chunk)
        return chunk
