"""Fixtures running the store contract against every backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from evidence_store import EvidenceStore
from support.seaweed import SeaweedFS
from support.store_harness import (
    FsHarness,
    Harness,
    MemoryHarness,
    S3Harness,
)

BACKENDS = ("memory", "fs", "s3")


@pytest.fixture(scope="session")
def contract_bucket(seaweedfs: SeaweedFS) -> str:
    """One bucket shared by the S3 contract tests (each uses its own prefix)."""
    return seaweedfs.make_bucket()


@pytest.fixture(params=BACKENDS)
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    """A fresh, empty store of each backend with backdoor access."""
    h: Harness
    if request.param == "memory":
        h = MemoryHarness()
    elif request.param == "fs":
        h = FsHarness(tmp_path / "evidence")
    else:
        # Looked up lazily so memory/fs-only runs do not start SeaweedFS.
        h = S3Harness(
            request.getfixturevalue("seaweedfs"),
            request.getfixturevalue("contract_bucket"),
        )
    yield h
    h.store.close()


@pytest.fixture
def store(harness: Harness) -> EvidenceStore:
    """The store of :func:`harness`."""
    return harness.store


@pytest.fixture
def s3_harness(seaweedfs: SeaweedFS, contract_bucket: str) -> Iterator[S3Harness]:
    """An S3 store on SeaweedFS with a fresh prefix."""
    h = S3Harness(seaweedfs, contract_bucket)
    yield h
    h.store.close()
