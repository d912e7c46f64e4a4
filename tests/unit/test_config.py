"""Configuration: read from the environment, validated all at once at start-up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from config import ConfigError, load_settings
from config.settings import PROJECT_ROOT


def test_defaults_run_with_no_services(tmp_path: Path) -> None:
    settings = load_settings({}, instance_path=tmp_path)
    assert settings.env == "development"
    assert settings.database_url == f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    assert settings.evidence_store == f"fs:{PROJECT_ROOT / 'instance' / 'evidence'}"
    assert settings.upload_max_bytes == 2 * 1024**3
    # A development key is made once and shared by every worker.
    assert len(settings.secret_key) >= 32
    assert load_settings({}, instance_path=tmp_path).secret_key == settings.secret_key


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"PORTAL_ENV": "production"}, instance_path=tmp_path)
    assert "SECRET_KEY is missing" in str(caught.value)


@pytest.mark.parametrize("key", ["changeme", "short-key", "x" * 31])
def test_production_refuses_a_weak_secret_key(key: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(
            {"PORTAL_ENV": "production", "SECRET_KEY": key}, instance_path=tmp_path
        )
    assert "SECRET_KEY is too weak" in str(caught.value)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(
            {
                "PORTAL_ENV": "staging",
                "DATABASE_URL": "mysql://x@y/z",
                "EVIDENCE_STORE": "ftp://somewhere",
                "UPLOAD_MAX_BYTES": "lots",
                "API_TOKEN_TTL_SECONDS": "0",
                "REDIS_URL": "http://not-redis",
                "SIGN_IN_RATE_LIMIT": "often",
                "LOG_LEVEL": "LOUD",
            },
            instance_path=tmp_path,
        )
    problems = caught.value.problems
    for name in (
        "PORTAL_ENV",
        "SECRET_KEY",
        "DATABASE_URL",
        "EVIDENCE_STORE",
        "UPLOAD_MAX_BYTES",
        "API_TOKEN_TTL_SECONDS",
        "REDIS_URL",
        "SIGN_IN_RATE_LIMIT",
        "LOG_LEVEL",
    ):
        assert any(p.startswith(name) for p in problems), name


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://postgres@127.0.0.1/portal",
        "postgres://postgres@127.0.0.1/portal",
    ],
)
def test_plain_postgresql_urls_get_an_installed_driver(
    url: str, tmp_path: Path
) -> None:
    settings = load_settings({"DATABASE_URL": url}, instance_path=tmp_path)
    assert settings.database_url == "postgresql+psycopg://postgres@127.0.0.1/portal"


def test_explicit_driver_is_kept(tmp_path: Path) -> None:
    url = "postgresql+psycopg://u:p@h:5433/d"
    assert (
        load_settings({"DATABASE_URL": url}, instance_path=tmp_path).database_url == url
    )


def test_memory_store_is_refused_in_production(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(
            {
                "PORTAL_ENV": "production",
                "SECRET_KEY": "k" * 40,
                "EVIDENCE_STORE": "memory:",
            },
            instance_path=tmp_path,
        )
    assert any("memory:" in p for p in caught.value.problems)


def test_relative_fs_store_is_relative_to_the_project(tmp_path: Path) -> None:
    settings = load_settings({"EVIDENCE_STORE": "fs:var/ev"}, instance_path=tmp_path)
    assert settings.evidence_store == f"fs:{PROJECT_ROOT / 'var' / 'ev'}"


def test_wsgi_entry_point_names_what_is_missing(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=PROJECT_ROOT,
        env={"PORTAL_ENV": "production", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3
    assert "SECRET_KEY is missing" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_store_parameters_stop_the_app(tmp_path: Path) -> None:
    from app import create_app

    settings = load_settings(
        {
            "EVIDENCE_STORE": "s3://bucket?part_size=tiny",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        },
        instance_path=tmp_path,
    )
    with pytest.raises(ConfigError) as caught:
        create_app(settings)
    assert "EVIDENCE_STORE" in str(caught.value)


def test_upload_limit_must_fit_the_store(tmp_path: Path) -> None:
    from app import create_app

    settings = load_settings(
        {
            "EVIDENCE_STORE": "s3://bucket?part_size=5242880",
            "UPLOAD_MAX_BYTES": str(60 * 1024**3),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        },
        instance_path=tmp_path,
    )
    with pytest.raises(ConfigError) as caught:
        create_app(settings)
    assert "UPLOAD_MAX_BYTES" in str(caught.value)
    assert "part_size" in str(caught.value)
