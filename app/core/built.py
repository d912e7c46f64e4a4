"""What the build step makes, checked when the portal starts.

The compiled Welsh catalogue (``messages.mo``) and the CSS and script in
``app/static/dist/`` are not in git: ``make install`` (``make translations``
and ``make frontend``) builds them. Without the catalogue the portal would
serve Welsh users English pages and send Welsh nominees English e-mail with
Welsh dates, silently; without the CSS every page is unstyled. So a
production start refuses, naming the command that builds what is missing,
and a development start compiles the catalogue itself (it needs only Babel)
and warns about the CSS (which needs Node.js).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

APP_ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = APP_ROOT / "translations"
STATIC = APP_ROOT / "static"


@dataclass(frozen=True)
class Built:
    """One file the build makes, and the command that makes it."""

    path: Path
    what: str
    command: str


def catalogues(root: Path) -> list[tuple[Path, Path]]:
    """Every ``(messages.po, messages.mo)`` pair of the app's languages."""
    return [(po, po.with_suffix(".mo")) for po in sorted(root.glob("*/*/messages.po"))]


def frontend(static: Path) -> list[Built]:
    return [
        Built(static / "dist" / "portal.css", "the portal's CSS", "make frontend"),
        Built(
            static / "dist" / "govuk-frontend.min.js",
            "GOV.UK Frontend's script",
            "make frontend",
        ),
    ]


def compile_catalogue(po: Path, mo: Path) -> None:
    """Compile ``po`` into ``mo`` as ``pybabel compile`` does (atomically)."""
    import os
    import tempfile

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source)
    # A temporary file of its own: several processes starting at once (two
    # gunicorn workers, pytest-xdist) each compile, and each rename is whole.
    fd, name = tempfile.mkstemp(dir=mo.parent, prefix=".messages-", suffix=".mo")
    try:
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalog)
        os.replace(name, mo)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def check_built(
    *,
    production: bool,
    catalogue_root: Path | None = None,
    static: Path | None = None,
) -> list[str]:
    """Problems that must stop a production start (empty: all is built).

    In development, a missing or stale catalogue is compiled here and a
    missing frontend build is logged as a warning; nothing is returned.
    """
    catalogue_root = catalogue_root or CATALOGUES
    static = static or STATIC
    problems: list[str] = []
    for po, mo in catalogues(catalogue_root):
        language = po.parent.parent.name
        if mo.exists() and (production or mo.stat().st_mtime >= po.stat().st_mtime):
            continue
        if production:
            problems.append(
                f"The compiled {language} catalogue {mo} is missing: pages and "
                f"e-mail would be in English. Build it with `make translations` "
                f"(or `pybabel compile -d {catalogue_root}`)."
            )
            continue
        compile_catalogue(po, mo)
        log.warning(
            "compiled the %s catalogue %s (it was missing or stale)", language, mo
        )
    for built in frontend(static):
        if built.path.exists():
            continue
        message = (
            f"{built.what} ({built.path}) is missing: pages would be unstyled. "
            f"Build it with `{built.command}`."
        )
        if production:
            problems.append(message)
        else:
            log.warning("%s", message)
    return problems
