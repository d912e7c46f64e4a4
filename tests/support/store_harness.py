"""Stores with backdoor access to their storage, for the store contract tests."""

from __future__ import annotations

import abc
import uuid
from pathlib import Path

from evidence_store import EvidenceStore, open_store
from evidence_store.filesystem import TEMP_PREFIX, FilesystemStore
from evidence_store.memory import MemoryStore
from evidence_store.s3 import S3Store
from support.seaweed import SeaweedFS

PART_SIZE = 5 * 1024 * 1024
CONCURRENCY = 2


class Harness(abc.ABC):
    """A store plus backdoor access to its storage, for the contract tests."""

    name: str
    store: EvidenceStore

    @abc.abstractmethod
    def tamper(self, key: str, data: bytes) -> None:
        """Replace the stored bytes of ``key`` behind the store's back."""

    @abc.abstractmethod
    def raw_objects(self) -> list[str]:
        """Everything stored at final locations, read directly from the backend."""

    @abc.abstractmethod
    def leftovers(self) -> list[str]:
        """Temp files or incomplete uploads, read directly from the backend."""


class MemoryHarness(Harness):
    """MemoryStore; tampering pokes its dict."""

    name = "memory"

    def __init__(self) -> None:
        self.store: MemoryStore = MemoryStore()

    def tamper(self, key: str, data: bytes) -> None:
        self.store._objects[key] = data

    def raw_objects(self) -> list[str]:
        return list(self.store._objects)

    def leftovers(self) -> list[str]:
        return []


class FsHarness(Harness):
    """FilesystemStore under a temporary directory; tampering rewrites files."""

    name = "fs"

    def __init__(self, root: Path) -> None:
        self.root = root
        self.store: FilesystemStore = FilesystemStore(root)

    def _files(self) -> list[Path]:
        return [p for p in self.root.rglob("*") if not p.is_dir()]

    def tamper(self, key: str, data: bytes) -> None:
        self.store.path_for(key).write_bytes(data)

    def raw_objects(self) -> list[str]:
        return [p.name for p in self._files() if not p.name.startswith(TEMP_PREFIX)]

    def leftovers(self) -> list[str]:
        return [p.name for p in self._files() if p.name.startswith(TEMP_PREFIX)]


class S3Harness(Harness):
    """S3Store on SeaweedFS; tampering overwrites objects with a raw client."""

    name = "s3"

    def __init__(self, server: SeaweedFS, bucket: str) -> None:
        self.server = server
        self.bucket = bucket
        # A fresh prefix per test isolates listings without a bucket per test.
        self.prefix = f"run-{uuid.uuid4().hex[:12]}/"
        store = open_store(
            f"s3://{bucket}?endpoint_url={server.endpoint_url}&region_name=us-east-1"
            f"&prefix={self.prefix}&addressing_style=path"
            f"&part_size={PART_SIZE}&concurrency={CONCURRENCY}"
        )
        assert isinstance(store, S3Store)
        self.store: S3Store = store

    def tamper(self, key: str, data: bytes) -> None:
        self.server.client().put_object(
            Bucket=self.bucket, Key=self.prefix + key, Body=data
        )

    def raw_objects(self) -> list[str]:
        listing = self.server.client().list_objects_v2(
            Bucket=self.bucket, Prefix=self.prefix
        )
        return [item["Key"] for item in listing.get("Contents", [])]

    def leftovers(self) -> list[str]:
        listing = self.server.client().list_multipart_uploads(
            Bucket=self.bucket, Prefix=self.prefix
        )
        return [upload["Key"] for upload in listing.get("Uploads", [])]
