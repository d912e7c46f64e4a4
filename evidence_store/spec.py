"""Parsing of store configuration strings (``memory:``, ``fs:PATH``, ``s3://...``)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from .base import EvidenceStore

__all__ = ["open_store"]

_S3_PARAMS = frozenset(
    {
        "endpoint_url",
        "region_name",
        "prefix",
        "addressing_style",
        "part_size",
        "concurrency",
        "checksum",
    }
)


def _int_param(name: str, value: str) -> int:
    if not value.isascii() or not value.isdigit():
        raise ValueError(f"{name}: must be a positive integer")
    return int(value)


def _open_s3(spec: str) -> EvidenceStore:
    from .s3 import S3Store

    parts = urlsplit(spec)
    if parts.path not in ("", "/") or parts.fragment or "@" in parts.netloc:
        raise ValueError(
            "s3 store spec must be s3://BUCKET?param=value&... "
            "(no path, fragment or credentials)"
        )
    params: dict[str, str] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        # Only parameter names are echoed: a value could be a secret pasted
        # into the wrong place and must not end up in logs.
        if name not in _S3_PARAMS:
            raise ValueError(f"{name}: unknown s3 store parameter")
        if name in params:
            raise ValueError(f"{name}: given more than once")
        params[name] = value
    return S3Store(
        parts.netloc,
        endpoint_url=params.get("endpoint_url") or None,
        region_name=params.get("region_name") or None,
        prefix=params.get("prefix", ""),
        addressing_style=params.get("addressing_style", "auto"),
        checksum=params.get("checksum", "crc32"),
        **{
            name: _int_param(name, params[name])
            for name in ("part_size", "concurrency")
            if name in params
        },
    )


def open_store(spec: str) -> EvidenceStore:
    """Create the store described by ``spec``.

    * ``memory:`` - in-process dictionary (tests only).
    * ``fs:/abs/path`` or ``fs:relative/path`` - a directory (relative paths
      are resolved against the current working directory now); created if
      missing.
    * ``s3://BUCKET?endpoint_url=...&region_name=...&prefix=...&``
      ``addressing_style=auto|path|virtual&part_size=BYTES&concurrency=N&``
      ``checksum=crc32|md5`` -
      an existing bucket; all parameters optional, credentials from the
      standard AWS environment variables / boto3 default chain.

    Raises ValueError (naming the offending parameter) for a malformed spec
    and StoreError if a filesystem root cannot be created. No network request
    is made; call :meth:`EvidenceStore.check` to test the store.
    """
    if not isinstance(spec, str):
        raise TypeError("store spec must be a string")
    if spec == "memory:":
        from .memory import MemoryStore

        return MemoryStore()
    if spec.startswith("fs:"):
        from .filesystem import FilesystemStore

        path = spec[3:]
        if not path or "\x00" in path:
            raise ValueError("fs store spec must be fs:PATH with a non-empty path")
        return FilesystemStore(path)
    if spec.startswith("s3://"):
        return _open_s3(spec)
    scheme = spec.partition(":")[0] if ":" in spec else spec
    raise ValueError(
        f"unknown store type {scheme[:20]!r}: expected 'memory:', 'fs:PATH' or "
        "'s3://BUCKET?...'"
    )
