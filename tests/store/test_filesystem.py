"""Filesystem-backend specifics: layout, atomicity, path safety, sweeping, check()."""

from __future__ import annotations

import datetime
import errno
import io
import os
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from evidence_store import ObjectNotFound, StoreError, open_store
from evidence_store import filesystem as fs_module
from evidence_store.filesystem import TEMP_PREFIX, FilesystemStore
from support.streams import FailingStream

HOUR = datetime.timedelta(hours=1)


class Boom(Exception):
    pass


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "evidence"


@pytest.fixture
def store(root: Path) -> Iterator[FilesystemStore]:
    s = FilesystemStore(root)
    yield s
    s.close()


def all_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if not p.is_dir())


def test_layout_and_permissions(store: FilesystemStore, root: Path) -> None:
    key = store.save(io.BytesIO(b"evidence")).key
    path = root / key[0:2] / key[2:4] / key
    assert path.read_bytes() == b"evidence"
    assert store.path_for(key) == path
    assert all_files(root) == [path]
    # The umask may remove bits, never add them.
    assert stat.S_IMODE(path.stat().st_mode) & ~0o640 == 0
    for directory in (path.parent, path.parent.parent):
        assert stat.S_IMODE(directory.stat().st_mode) & ~0o750 == 0


def test_relative_spec_is_anchored_at_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = open_store("fs:relative/evidence")
    assert isinstance(store, FilesystemStore)
    assert store.root == tmp_path / "relative" / "evidence"
    assert store.root.is_dir()
    # A later chdir must not move the store.
    monkeypatch.chdir("/")
    key = store.save(io.BytesIO(b"x")).key
    assert (tmp_path / "relative" / "evidence" / key[:2] / key[2:4] / key).exists()


def test_absolute_spec(tmp_path: Path) -> None:
    store = open_store(f"fs:{tmp_path}/a/b")
    assert isinstance(store, FilesystemStore)
    assert store.root == tmp_path / "a" / "b"
    assert store.root.is_dir()


def test_no_partial_file_at_final_path_while_writing_or_after_failure(
    store: FilesystemStore, root: Path
) -> None:
    seen_during_write: list[list[Path]] = []

    class SpyingStream(FailingStream):
        def read(self, n: int = -1) -> bytes:
            seen_during_write.append(all_files(root))
            return super().read(n)

    stream = SpyingStream(os.urandom(8 << 20), 5 << 20, Boom())
    with pytest.raises(Boom):
        store.save(stream)
    # While bytes were arriving, only a temp file existed.
    assert any(seen_during_write)
    for files in seen_during_write:
        assert all(f.name.startswith(TEMP_PREFIX) for f in files), files
    assert all_files(root) == []


def test_failure_while_syncing_is_wrapped_and_cleaned_up(
    store: FilesystemStore, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(StoreError) as caught:
        store.save(io.BytesIO(b"x" * 1000))
    assert isinstance(caught.value.__cause__, OSError)
    assert "No space left" in str(caught.value)
    assert all_files(root) == []


def test_failure_after_rename_removes_the_object(
    store: FilesystemStore, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = os.replace
    calls: list[str] = []

    def replace_then_fail_dir_sync(src: str, dst: str) -> None:
        real_replace(src, dst)
        calls.append(dst)
        monkeypatch.setattr(fs_module, "_fsync_dir", failing_sync)

    def failing_sync(path: Path) -> None:
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, "replace", replace_then_fail_dir_sync)
    with pytest.raises(StoreError):
        store.save(io.BytesIO(b"x" * 1000))
    assert calls  # the rename did happen
    assert all_files(root) == []


@pytest.mark.parametrize(
    "bad_key", ["../outside", "../" + "a" * 32, "ab/cd", "ab/cd/" + "a" * 32]
)
def test_malformed_keys_never_touch_the_disk(
    store: FilesystemStore, root: Path, bad_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Files a naive implementation would reach through the malformed key.
    outside = root.parent / "outside"
    outside.write_bytes(b"not evidence")
    (root.parent / ("a" * 32)).write_bytes(b"not evidence")
    (root / "ab" / "cd").mkdir(parents=True)
    (root / "ab" / "cd" / ("a" * 32)).write_bytes(b"inside, wrong name")

    touched: list[str] = []

    def audit(event: str, args: tuple[object, ...]) -> None:
        if event in {"open", "os.remove", "os.unlink", "os.scandir", "os.listdir"}:
            touched.append(f"{event} {args[0]!r}")

    # Audit hooks cannot be removed; this one only records while enabled.
    recording = [True]
    sys.addaudithook(lambda e, a: audit(e, a) if recording[0] else None)
    try:
        with pytest.raises(ObjectNotFound):
            store.open(bad_key)
        with pytest.raises(ObjectNotFound):
            store.verify(bad_key, "0" * 64)
        assert store.exists(bad_key) is False
        with pytest.raises(ValueError):
            store.delete(bad_key)
    finally:
        recording[0] = False
    assert touched == []
    assert outside.read_bytes() == b"not evidence"
    assert (root / "ab" / "cd" / ("a" * 32)).exists()


def test_symlink_at_object_path_is_not_followed(
    store: FilesystemStore, root: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret"
    secret.write_bytes(b"outside the store")
    key = "ab" * 16
    path = store.path_for(key)
    path.parent.mkdir(parents=True)
    path.symlink_to(secret)
    with pytest.raises(StoreError) as caught:
        store.open(key)
    assert not isinstance(caught.value, ObjectNotFound)
    assert not store.exists(key)


def test_sweep_removes_old_temp_files_only(store: FilesystemStore, root: Path) -> None:
    key = store.save(io.BytesIO(b"keep")).key
    shard = store.path_for(key).parent
    old = shard / f"{TEMP_PREFIX}old"
    fresh = shard / f"{TEMP_PREFIX}fresh"
    old_at_root = root / f"{TEMP_PREFIX}check-old"
    not_temp = shard / "notes.txt"
    for path in (old, fresh, old_at_root, not_temp):
        path.write_bytes(b"partial")
    two_hours_ago = time.time() - 7200
    for path in (old, old_at_root, not_temp):
        os.utime(path, (two_hours_ago, two_hours_ago))

    assert store.sweep_incomplete(HOUR) == 2
    assert not old.exists() and not old_at_root.exists()
    assert fresh.exists() and not_temp.exists()
    assert store.exists(key)
    assert list(store.iter_keys()) == [key]  # stray files are not keys
    assert store.sweep_incomplete(datetime.timedelta(0)) == 1  # now also "fresh"


def test_iter_keys_ignores_misplaced_files(store: FilesystemStore, root: Path) -> None:
    key = store.save(io.BytesIO(b"x")).key
    misplaced = root / "00" / "00" / ("f" * 32)  # valid name, wrong shard
    misplaced.parent.mkdir(parents=True)
    misplaced.write_bytes(b"x")
    assert list(store.iter_keys()) == [key]


def test_check_reports_missing_root_and_save_does_not_recreate_it(
    store: FilesystemStore, root: Path
) -> None:
    store.check()
    root.rmdir()
    with pytest.raises(StoreError, match="does not exist"):
        store.check()
    # A vanished root is usually an unmounted volume: never recreate it.
    with pytest.raises(StoreError, match="does not exist"):
        store.save(io.BytesIO(b"x"))
    assert not root.exists()


def test_check_reports_root_that_is_not_a_directory(
    store: FilesystemStore, root: Path
) -> None:
    root.rmdir()
    root.write_bytes(b"")
    with pytest.raises(StoreError, match="not a directory"):
        store.check()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_check_reports_unwritable_root(store: FilesystemStore, root: Path) -> None:
    root.chmod(0o500)
    try:
        with pytest.raises(StoreError, match="not writable"):
            store.check()
    finally:
        root.chmod(0o750)


def test_check_reports_read_only_filesystem(
    store: FilesystemStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Simulated, since tests cannot mount a read-only filesystem (and root
    # would bypass permission bits).
    def read_only(path: object, flags: int, mode: int = 0o777) -> int:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(os, "open", read_only)
    with pytest.raises(StoreError, match="read-only filesystem"):
        store.check()


def test_open_store_reports_uncreatable_root(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    with pytest.raises(StoreError, match="cannot create"):
        open_store(f"fs:{blocker}/evidence")
