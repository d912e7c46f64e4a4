"""The portal with views that fail on purpose: a refused type (415), a form
over the limit (413) and a bug (500), for the error pages no ordinary
request reaches. Errors are handled as in production (``TESTING`` off)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from flask import Flask

from app import create_app
from app.core.errors import TooLarge, UnsupportedType
from config.settings import load_settings

# Each failing view's address, by the status it answers.
FAILING = {413: "/errors/413", 415: "/errors/415", 500: "/errors/500"}
BUG = "a bug, for the 500 page"


def failing_app(env: Mapping[str, str], instance: Path) -> Flask:
    application = create_app(load_settings(env, instance_path=instance))

    @application.get(FAILING[413])
    def too_large() -> str:
        raise TooLarge("Upload at most 20 files of up to 2 GiB each at once.")

    @application.get(FAILING[415])
    def unsupported() -> str:
        raise UnsupportedType()

    @application.get(FAILING[500])
    def broken() -> str:
        raise RuntimeError(BUG)

    return application
