"""The evidence store of the running app (configured by ``EVIDENCE_STORE``)."""

from __future__ import annotations

from flask import Flask, current_app

from evidence_store import EvidenceStore, open_store


def init_store(app: Flask, spec: str) -> EvidenceStore:
    store = open_store(spec)
    app.extensions["evidence_store"] = store
    return store


def current_store() -> EvidenceStore:
    store: EvidenceStore = current_app.extensions["evidence_store"]
    return store
