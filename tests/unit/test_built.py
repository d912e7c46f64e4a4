"""The build step's output, checked at start: production refuses without it."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest
from babel.support import Translations

import app.core.built as built
from app import create_app
from config import ConfigError, load_settings
from support.app_fixtures import settings_env

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "app" / "translations" / "cy" / "LC_MESSAGES" / "messages.po"


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the Welsh catalogue (not compiled) and a built frontend."""
    catalogues = tmp_path / "translations"
    (catalogues / "cy" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(PO, catalogues / "cy" / "LC_MESSAGES" / "messages.po")
    static = tmp_path / "static"
    (static / "dist").mkdir(parents=True)
    for name in ("portal.css", "govuk-frontend.min.js"):
        (static / "dist" / name).write_text("/* built */")
    return catalogues, static


def test_production_refuses_without_the_compiled_catalogue(tree) -> None:
    catalogues, static = tree
    problems = built.check_built(
        production=True, catalogue_root=catalogues, static=static
    )
    assert len(problems) == 1
    assert "cy catalogue" in problems[0] and "`make translations`" in problems[0]
    assert not (catalogues / "cy" / "LC_MESSAGES" / "messages.mo").exists()


def test_production_refuses_without_the_css(tree) -> None:
    catalogues, static = tree
    built.compile_catalogue(*built.catalogues(catalogues)[0])
    (static / "dist" / "portal.css").unlink()
    problems = built.check_built(
        production=True, catalogue_root=catalogues, static=static
    )
    assert len(problems) == 1
    assert "portal.css" in problems[0] and "`make frontend`" in problems[0]


def test_production_starts_when_everything_is_built(tree) -> None:
    catalogues, static = tree
    built.compile_catalogue(*built.catalogues(catalogues)[0])
    assert (
        built.check_built(production=True, catalogue_root=catalogues, static=static)
        == []
    )


def test_development_compiles_a_missing_or_stale_catalogue(tree, caplog) -> None:
    catalogues, static = tree
    po, mo = built.catalogues(catalogues)[0]
    with caplog.at_level(logging.WARNING, logger="app.core.built"):
        assert (
            built.check_built(
                production=False, catalogue_root=catalogues, static=static
            )
            == []
        )
    assert "compiled the cy catalogue" in caplog.text
    welsh = Translations.load(str(catalogues), ["cy"])
    assert welsh.gettext("Sign in") != "Sign in"
    # A .po changed after the .mo was compiled: compiled again.
    older = po.stat().st_mtime - 60
    os.utime(mo, (older, older))
    built.check_built(production=False, catalogue_root=catalogues, static=static)
    assert mo.stat().st_mtime >= po.stat().st_mtime


def test_development_warns_about_missing_css(tree, caplog) -> None:
    catalogues, static = tree
    (static / "dist" / "portal.css").unlink()
    with caplog.at_level(logging.WARNING, logger="app.core.built"):
        problems = built.check_built(
            production=False, catalogue_root=catalogues, static=static
        )
    assert problems == []
    assert "make frontend" in caplog.text


def test_a_production_app_without_its_catalogue_does_not_start(
    tree, tmp_path: Path, monkeypatch
) -> None:
    catalogues, static = tree
    monkeypatch.setattr(built, "CATALOGUES", catalogues)
    monkeypatch.setattr(built, "STATIC", static)
    settings = load_settings(
        settings_env(
            f"sqlite:///{tmp_path / 'p.sqlite3'}",
            PORTAL_ENV="production",
            EVIDENCE_STORE=f"fs:{tmp_path}/ev",
        ),
        instance_path=tmp_path,
    )
    with pytest.raises(ConfigError) as refused:
        create_app(settings)
    assert "make translations" in str(refused.value)


def test_compiling_at_once_from_several_processes_is_safe(tmp_path) -> None:
    # Two gunicorn workers (or two pytest-xdist workers) starting together
    # both find the catalogue stale and compile it: neither may fail.
    import concurrent.futures

    from app.core.built import compile_catalogue

    po = tmp_path / "messages.po"
    shutil.copy(PO, po)
    mo = tmp_path / "messages.mo"
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: compile_catalogue(po, mo), range(16)))
    assert mo.stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["messages.mo", "messages.po"]
