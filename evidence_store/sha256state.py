"""A SHA-256 whose running state can be saved and resumed in another process.

A resumable upload arrives as separate requests, possibly served by different
processes or hosts. To know the SHA-256 of the whole file without reading it
back from the store, each part's bytes are hashed on from the state the
previous part left, and that state is kept with the part (in the database)
between requests. :mod:`hashlib` cannot export its state, so this uses
OpenSSL's ``SHA256_Init``/``SHA256_Update``/``SHA256_Final`` through ctypes
on a ``SHA256_CTX`` the caller owns: a plain C struct, declared in OpenSSL's
public header ``openssl/sha.h`` (eight 32-bit words of chaining value, the
bit count, the pending block and its fill), so it can be copied as bytes.
These functions are deprecated in OpenSSL 3 in favour of EVP, which has no
export, but they are still exported by libcrypto 1.1 and 3.x.

:data:`AVAILABLE` is False where no usable libcrypto is found (or its
self-test fails); callers then fall back to hashing the stored object at the
end. The speed is OpenSSL's (SHA-NI where the CPU has it), and ctypes
releases the GIL during each call.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
from typing import Any

__all__ = ["AVAILABLE", "STATE_SIZE", "Sha256State"]

_SHA_LBLOCK = 16


class _Ctx(ctypes.Structure):
    _fields_ = (
        ("h", ctypes.c_uint32 * 8),
        ("Nl", ctypes.c_uint32),
        ("Nh", ctypes.c_uint32),
        ("data", ctypes.c_uint32 * _SHA_LBLOCK),
        ("num", ctypes.c_uint),
        ("md_len", ctypes.c_uint),
    )


STATE_SIZE = ctypes.sizeof(_Ctx)
"""Bytes of an exported state (112 on every common ABI)."""


def _load() -> Any:
    for name in (ctypes.util.find_library("crypto"), "libcrypto.so.3"):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
            init, update, final = lib.SHA256_Init, lib.SHA256_Update, lib.SHA256_Final
        except (OSError, AttributeError):
            continue
        init.argtypes = (ctypes.POINTER(_Ctx),)
        init.restype = ctypes.c_int
        update.argtypes = (ctypes.POINTER(_Ctx), ctypes.c_void_p, ctypes.c_size_t)
        update.restype = ctypes.c_int
        final.argtypes = (ctypes.c_char_p, ctypes.POINTER(_Ctx))
        final.restype = ctypes.c_int
        return lib
    return None


_LIB = _load()


class Sha256State:
    """SHA-256 with :meth:`export` and :meth:`resume`; hashlib-like otherwise.

    Raises RuntimeError on creation when :data:`AVAILABLE` is False.
    """

    def __init__(self) -> None:
        """Start an empty hash."""
        if _LIB is None:
            raise RuntimeError("libcrypto's SHA256_* functions are not available")
        self._ctx = _Ctx()
        if _LIB.SHA256_Init(ctypes.byref(self._ctx)) != 1:
            raise RuntimeError("SHA256_Init failed")
        self.length = 0
        """Bytes hashed so far (also kept in the exported state)."""

    @classmethod
    def resume(cls, state: bytes) -> Sha256State:
        """The hash as :meth:`export` left it; ValueError if ``state`` is not one."""
        if not isinstance(state, bytes) or len(state) != STATE_SIZE:
            raise ValueError("not an exported SHA-256 state")
        hasher = cls()
        ctypes.memmove(ctypes.byref(hasher._ctx), state, STATE_SIZE)
        ctx = hasher._ctx
        if ctx.md_len != 32 or ctx.num >= 64 or (ctx.Nl & 7):
            raise ValueError("not an exported SHA-256 state")
        hasher.length = ((ctx.Nh << 32) | ctx.Nl) >> 3
        if hasher.length % 64 != ctx.num:
            raise ValueError("not an exported SHA-256 state")
        return hasher

    def export(self) -> bytes:
        """The running state, to :meth:`resume` later (anywhere on this ABI)."""
        return ctypes.string_at(ctypes.byref(self._ctx), STATE_SIZE)

    def update(self, data: bytes | bytearray | memoryview, /) -> None:
        """Add ``data``; large buffers are hashed without copying."""
        view = memoryview(data)
        if not view.c_contiguous:
            view = memoryview(view.tobytes())
        size = view.nbytes
        if size == 0:
            return
        if view.readonly:
            # ctypes can only take the address of writable buffers; for
            # immutable bytes it passes the object's own storage instead.
            source = view.obj if isinstance(view.obj, bytes) else view.tobytes()
            if isinstance(source, bytes) and len(source) != size:
                source = view.tobytes()
            ok = _LIB.SHA256_Update(ctypes.byref(self._ctx), source, size)
        else:
            buffer = (ctypes.c_char * size).from_buffer(view.cast("B"))
            ok = _LIB.SHA256_Update(ctypes.byref(self._ctx), buffer, size)
        if ok != 1:
            raise RuntimeError("SHA256_Update failed")
        self.length += size

    def copy(self) -> Sha256State:
        """An independent hash in the same state."""
        return Sha256State.resume(self.export())

    def hexdigest(self) -> str:
        """The digest of everything so far (the hash can go on afterwards)."""
        ctx = _Ctx.from_buffer_copy(self.export())
        out = ctypes.create_string_buffer(32)
        if _LIB.SHA256_Final(out, ctypes.byref(ctx)) != 1:
            raise RuntimeError("SHA256_Final failed")
        return out.raw.hex()


def _self_test() -> bool:
    if _LIB is None:
        return False
    try:
        data = bytes(range(256)) * 300
        first = Sha256State()
        first.update(data[:1000])
        second = Sha256State.resume(first.export())
        second.update(bytearray(data[1000:50_001]))
        second.update(memoryview(data)[50_001:])
        return second.hexdigest() == hashlib.sha256(data).hexdigest()
    except (RuntimeError, ValueError, OSError):
        return False


AVAILABLE = _self_test()
"""True if SHA-256 states can be exported and resumed on this machine."""
