"""Storage for immutable evidence files behind one contract.

Backends are chosen with :func:`open_store`: ``memory:`` (tests),
``fs:PATH`` (a local or mounted directory) and ``s3://BUCKET?...`` (S3 or an
S3-compatible server such as SeaweedFS). See :class:`EvidenceStore` for the
contract all of them satisfy. The package depends on neither Flask nor
SQLAlchemy.
"""

from .base import (
    BinaryReadable,
    ByteRange,
    EvidenceStore,
    HashedPrefix,
    IncompletePart,
    IntegrityError,
    InvalidRange,
    MultipartUpload,
    ObjectInfo,
    ObjectNotFound,
    ObjectReader,
    StoredObject,
    StoreError,
    UploadedPart,
)
from .spec import open_store

__all__ = [
    "BinaryReadable",
    "ByteRange",
    "EvidenceStore",
    "HashedPrefix",
    "IncompletePart",
    "IntegrityError",
    "InvalidRange",
    "MultipartUpload",
    "ObjectInfo",
    "ObjectNotFound",
    "ObjectReader",
    "StoreError",
    "StoredObject",
    "UploadedPart",
    "open_store",
]
