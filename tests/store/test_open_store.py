"""Parsing of store configuration strings."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence_store import open_store
from evidence_store.filesystem import FilesystemStore
from evidence_store.memory import MemoryStore
from evidence_store.s3 import DEFAULT_CONCURRENCY, DEFAULT_PART_SIZE, S3Store

ENDPOINT = "http://127.0.0.1:8333"


def test_memory() -> None:
    assert isinstance(open_store("memory:"), MemoryStore)


def test_fs(tmp_path: Path) -> None:
    store = open_store(f"fs:{tmp_path / 'x'}")
    assert isinstance(store, FilesystemStore)
    assert store.root == tmp_path / "x"


def test_s3_with_all_parameters() -> None:
    store = open_store(
        f"s3://evidence-bucket?endpoint_url={ENDPOINT}&region_name=eu-west-2"
        "&prefix=some/prefix/&addressing_style=path&part_size=8388608&concurrency=3"
    )
    assert isinstance(store, S3Store)
    assert store.bucket == "evidence-bucket"
    assert store.prefix == "some/prefix/"
    assert store.endpoint_url == ENDPOINT
    assert store.part_size == 8388608
    assert store.concurrency == 3
    config = store._client.meta.config
    assert config.s3 == {"addressing_style": "path"}
    assert config.max_pool_connections >= 5
    assert store._client.meta.region_name == "eu-west-2"
    store.close()


def test_s3_defaults() -> None:
    store = open_store("s3://evidence-bucket")
    assert isinstance(store, S3Store)
    assert store.prefix == ""
    assert store.part_size == DEFAULT_PART_SIZE
    assert store.concurrency == DEFAULT_CONCURRENCY
    store.close()


@pytest.mark.parametrize(
    ("spec", "named"),
    [
        ("s3://bucket-name?colour=blue", "colour"),
        ("s3://bucket-name?aws_secret_access_key=hunter2", "aws_secret_access_key"),
        ("s3://bucket-name?part_size=1024", "part_size"),
        ("s3://bucket-name?part_size=abc", "part_size"),
        ("s3://bucket-name?part_size=-5", "part_size"),
        (f"s3://bucket-name?part_size={6 * 1024**3}", "part_size"),
        ("s3://bucket-name?concurrency=0", "concurrency"),
        ("s3://bucket-name?concurrency=1000", "concurrency"),
        ("s3://bucket-name?concurrency=two", "concurrency"),
        ("s3://bucket-name?addressing_style=sideways", "addressing_style"),
        ("s3://bucket-name?endpoint_url=ftp://host", "endpoint_url"),
        ("s3://bucket-name?endpoint_url=localhost:8333", "endpoint_url"),
        ("s3://bucket-name?region_name=Not%20A%20Region", "region_name"),
        ("s3://bucket-name?prefix=/abs", "prefix"),
        ("s3://bucket-name?concurrency=2&concurrency=3", "concurrency"),
        ("s3://Bucket", "bucket"),
        ("s3://ab", "bucket"),
        ("s3://bucket_name", "bucket"),
        ("s3://" + "b" * 64, "bucket"),
        ("s3://", "bucket"),
    ],
)
def test_s3_bad_parameters_are_named(spec: str, named: str) -> None:
    with pytest.raises(ValueError, match=rf"^{named}:") as caught:
        open_store(spec)
    # Values are never echoed: they might be secrets.
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "memory",
        "memory:extra",
        "fs:",
        "file:/tmp/x",
        "s3:/bucket",
        "S3://bucket",
        "s3://bucket-name/path",
        "s3://user:pass@bucket-name",
        "s3://bucket-name#frag",
    ],
)
def test_malformed_specs(spec: str) -> None:
    with pytest.raises(ValueError):
        open_store(spec)
