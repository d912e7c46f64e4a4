"""Text of uploaded evidence for full-text search, extracted in a sandbox.

Parsers of PDF and Office formats are large and the uploads are untrusted, so
every extraction runs in a fresh child process (``_extract_child.py``, run by
path so that it never imports the app, Flask or the database) with limits on
its memory, CPU time, open files and file writes, and a wall-clock deadline
after which its whole process group is killed. A fork of the app process is
avoided on purpose: it would copy the app's memory and its database
connections. Which library reads which format, and why, is in the child's
docstring.

A bad file never raises here: it comes back as ``failed`` with a short reason
for the logs. Only mistakes of the caller's (a path that is not a file, limits
that make no sense) raise.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

CHILD = Path(__file__).with_name("_extract_child.py")

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
RTF = "application/rtf"
CSV = "text/csv"
TXT = "text/plain"
EXTRACTED_TYPES = frozenset({PDF, DOCX, XLSX, PPTX, ODT, ODS, ODP, RTF, CSV, TXT})

# The child's environment: nothing of the app's (no secrets, no database URL).
CHILD_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
STDERR_KEPT = 4096  # only to tell a failed start's MemoryError from a crash
READ_CHUNK = 64 * 1024
EXIT_OUT_OF_MEMORY = 3  # as in _extract_child.py


@dataclass(frozen=True)
class Extracted:
    """What an extraction found; ``reason`` is for logs, in English."""

    status: str  # "indexed", "no_text" or "failed"
    text: str
    reason: str | None = None


@dataclass(frozen=True)
class Limits:
    """What one extraction may use; past ``max_chars`` and ``max_pages`` the
    text is cut short, and still ``indexed``."""

    seconds: float = 30.0
    cpu_seconds: int = 30
    memory_bytes: int = 512 * 1024 * 1024
    max_chars: int = 2_000_000
    max_pages: int = 2000

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if value <= 0:
                raise ValueError(f"Limits.{name} must be positive, not {value!r}")


DEFAULT_LIMITS = Limits()
NO_TEXT = Extracted("no_text", "")


def _failed(reason: str) -> Extracted:
    return Extracted("failed", "", reason)


def _bare(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


def extracts(media_type: str) -> bool:
    """Whether uploads of this (sniffed) type have an extractor."""
    return _bare(media_type) in EXTRACTED_TYPES


def child_command(media_type: str, limits: Limits) -> list[str]:
    """The child's command line.

    ``-I`` (isolated) ignores PYTHON* variables and the user's site-packages
    and leaves the script's folder off ``sys.path``, so ``app`` cannot be
    imported from the child; ``-B`` writes no ``.pyc`` files.
    """
    if not sys.executable:
        raise RuntimeError("no Python interpreter to run the extractor with")
    return [
        sys.executable,
        "-I",
        "-B",
        str(CHILD),
        _bare(media_type),
        json.dumps(asdict(limits)),
    ]


def extract_file(
    path: str | os.PathLike[str],
    media_type: str,
    limits: Limits = DEFAULT_LIMITS,
) -> Extracted:
    """Extract the text of the upload at ``path``, of sniffed ``media_type``."""
    # A missing path is the caller's mistake; so is a FIFO, which would block.
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no such regular file: {os.fspath(path)!r}")
    if not extracts(media_type):
        return NO_TEXT
    with open(path, "rb") as upload:
        if os.fstat(upload.fileno()).st_size == 0:
            return NO_TEXT
        return _run_child(upload, media_type, limits)


def _run_child(upload: BinaryIO, media_type: str, limits: Limits) -> Extracted:
    # The upload is the child's standard input, so the child needs no path and
    # opens nothing of its own; close_fds (the default) passes it nothing else.
    child = subprocess.Popen(  # noqa: S603 (our own interpreter and script)
        child_command(media_type, limits),
        stdin=upload,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=CHILD_ENV,
        cwd="/",
        close_fds=True,
        start_new_session=True,  # its own process group, to kill it whole
    )
    deadline = time.monotonic() + limits.seconds
    # Text is capped by the child; this caps what a broken child could send.
    out_cap = limits.max_chars * 4 + READ_CHUNK
    try:
        outcome, out, err = _collect(child, deadline, out_cap)
        if outcome is None:
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.01))
            except subprocess.TimeoutExpired:
                outcome = "timed out"
    finally:
        if child.returncode is None:
            _kill_group(child)
            child.wait()
        for pipe in (child.stdout, child.stderr):
            if pipe is not None:
                pipe.close()
    if outcome is not None:
        return _failed(outcome)
    return _interpret(child.returncode, bytes(out), bytes(err), limits)


def _collect(
    child: subprocess.Popen[bytes], deadline: float, out_cap: int
) -> tuple[str | None, bytearray, bytearray]:
    """Read both pipes until they close, the deadline passes or stdout
    overflows; the first item is the failure, if any."""
    assert child.stdout is not None and child.stderr is not None
    out, err = bytearray(), bytearray()
    with selectors.DefaultSelector() as selector:
        selector.register(child.stdout, selectors.EVENT_READ, out)
        selector.register(child.stderr, selectors.EVENT_READ, err)
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return "timed out", out, err
            for key, _events in selector.select(remaining):
                chunk = os.read(key.fd, READ_CHUNK)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                buffer: bytearray = key.data
                buffer += chunk
                if buffer is err:
                    del err[:-STDERR_KEPT]
                elif len(out) > out_cap:
                    return "output too large", out, err
    return None, out, err


def _kill_group(child: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(child.pid, signal.SIGKILL)


def _interpret(returncode: int, out: bytes, err: bytes, limits: Limits) -> Extracted:
    if returncode == 0:
        header, _newline, body = out.partition(b"\n")
        status, _tab, reason = header.decode("ascii", "replace").partition("\t")
        if status == "indexed":
            text = body.decode("utf-8", "replace")[: limits.max_chars]
            return Extracted("indexed", text) if text.strip() else NO_TEXT
        if status == "no_text":
            return NO_TEXT
        if status == "failed":
            return _failed(_printable(reason) or "failed")
        return _failed("no answer from the extractor")
    if returncode == EXIT_OUT_OF_MEMORY or b"MemoryError" in err:
        return _failed("memory limit")
    if returncode == -signal.SIGXCPU:
        return _failed("timed out (CPU limit)")
    if returncode == -signal.SIGKILL:  # not ours: the kernel's OOM killer
        return _failed("memory limit")
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return _failed(f"crashed ({name})")
    return _failed(f"crashed (exit status {returncode})")


def _printable(reason: str) -> str:
    return "".join(c for c in reason if c.isprintable())[:200]
