"""The lint step that refuses bidirectional control characters in source."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "scripts" / "check-source-text"


def run_check(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHECK), *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_a_right_to_left_override_fails_with_where_it_is(tmp_path: Path) -> None:
    source = tmp_path / "page.html"
    source.write_text('<p>ok</p>\n<a title="report\u202efdp.exe">x</a>\n')
    done = run_check(source)
    assert done.returncode == 1
    assert f"{source}:2:" in done.stderr
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in done.stderr


def test_isolates_and_marks_fail_too(tmp_path: Path) -> None:
    for char in "\u2066\u2069\u200f\u061c":
        source = tmp_path / "script.js"
        source.write_text(f"const a = 'x{char}y';\n")
        assert run_check(source).returncode == 1, hex(ord(char))


def test_escapes_welsh_letters_and_binary_files_pass(tmp_path: Path) -> None:
    escaped = tmp_path / "escaped.py"
    escaped.write_text('OVERRIDE = "\\u202e"  # Ŵ ŷ â, and Arabic: تقرير\n')
    binary = tmp_path / "blob.bin"
    binary.write_bytes(b"\0\xe2\x80\xae binary")
    done = run_check(escaped, binary)
    assert done.returncode == 0, done.stderr


def test_every_tracked_source_file_is_clean() -> None:
    done = run_check()
    assert done.returncode == 0, done.stderr
