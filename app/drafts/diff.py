"""Comparing two versions of a draft: a unified diff of their text (the API)
and the same comparison side by side, changes marked (the page).

A version's text is its Markdown text; a version that is only an uploaded
DOCX is compared by the text of its paragraphs (python-docx, whose XML
parser resolves no entities, so a billion-laughs document is inert), read
only while the file and its document part stay within bounds.
"""

from __future__ import annotations

import difflib
import tempfile
import zipfile
from dataclasses import dataclass
from typing import Literal

from app.core.storage import current_store
from app.drafts.models import DraftVersion

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# A DOCX compared by its text: at most this big, and its document.xml at most
# this big unpacked (beyond them, the page says the text was not read).
DOCX_MAX_BYTES = 50 * 1024 * 1024
DOCX_MAX_XML_BYTES = 100 * 1024 * 1024
COPY_CHUNK = 1024 * 1024


def version_text(version: DraftVersion, *, welsh: bool = False) -> str:
    """The text the comparison reads of ``version`` ("" if none)."""
    text = version.text_cy if welsh else version.text
    if text is not None:
        return text
    if (
        welsh
        or version.file_key is None
        or version.purged_at is not None
        or version.media_type != DOCX_TYPE
    ):
        return ""
    return docx_text(version)


def docx_text(version: DraftVersion) -> str:
    assert version.file_key is not None
    if (version.size or 0) > DOCX_MAX_BYTES:
        return ""
    import docx

    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as copy:
        with current_store().open(version.file_key) as reader:
            while chunk := reader.read(COPY_CHUNK):
                copy.write(chunk)
        copy.seek(0)
        try:
            with zipfile.ZipFile(copy) as archive:
                part = archive.getinfo("word/document.xml")
                if part.file_size > DOCX_MAX_XML_BYTES:
                    return ""
            copy.seek(0)
            document = docx.Document(copy)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError):
            return ""
        except Exception:  # python-docx's own errors for a malformed package
            return ""
        return "\n".join(p.text for p in document.paragraphs)


def unified(old: str, new: str, old_name: str, new_name: str) -> str:
    """A unified diff (``-`` removed lines, ``+`` added), "" if the same."""
    lines = list(
        difflib.unified_diff(
            old.splitlines(),
            new.splitlines(),
            fromfile=old_name,
            tofile=new_name,
            lineterm="",
        )
    )
    return "\n".join(lines) + "\n" if lines else ""


@dataclass(frozen=True)
class Cell:
    text: str
    # "same", "removed" (on the left) or "added" (on the right); "changed"
    # marks both halves of a line that was replaced.
    mark: Literal["same", "removed", "added", "changed", "empty"]
    number: int | None


@dataclass(frozen=True)
class Row:
    left: Cell
    right: Cell


def side_by_side(old: str, new: str) -> list[Row]:
    """The two texts line by line, for a page showing them side by side."""
    a = old.splitlines()
    b = new.splitlines()
    rows: list[Row] = []
    empty = Cell("", "empty", None)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                rows.append(
                    Row(
                        Cell(a[i1 + offset], "same", i1 + offset + 1),
                        Cell(b[j1 + offset], "same", j1 + offset + 1),
                    )
                )
        elif tag == "delete":
            rows.extend(Row(Cell(a[i], "removed", i + 1), empty) for i in range(i1, i2))
        elif tag == "insert":
            rows.extend(Row(empty, Cell(b[j], "added", j + 1)) for j in range(j1, j2))
        else:  # replace: pair the lines, the rest one-sided
            for offset in range(max(i2 - i1, j2 - j1)):
                i, j = i1 + offset, j1 + offset
                rows.append(
                    Row(
                        Cell(a[i], "changed", i + 1) if i < i2 else empty,
                        Cell(b[j], "changed", j + 1) if j < j2 else empty,
                    )
                )
    return rows
