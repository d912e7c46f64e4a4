"""Shared pytest fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from support.seaweed import SeaweedFS


@pytest.fixture(scope="session")
def seaweedfs() -> Iterator[SeaweedFS]:
    """A private SeaweedFS S3 server for the whole session.

    Provides ``.endpoint_url``, ``.make_bucket()`` and ``.client()``. The
    standard AWS credential variables are set to dummy values if unset, so
    boto3's default chain (used by the stores) signs with keys the server
    accepts.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_ACCESS_KEY_ID", os.environ.get("AWS_ACCESS_KEY_ID", "test-key"))
        mp.setenv(
            "AWS_SECRET_ACCESS_KEY",
            os.environ.get("AWS_SECRET_ACCESS_KEY", "test-secret"),
        )
        # A session token from the developer's shell would be sent along and
        # refused by the local server.
        mp.delenv("AWS_SESSION_TOKEN", raising=False)
        with SeaweedFS(
            access_key=os.environ["AWS_ACCESS_KEY_ID"],
            secret_key=os.environ["AWS_SECRET_ACCESS_KEY"],
        ) as server:
            yield server


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """Under ``pytest -n N --dist loadgroup``, run all of ``tests/browser``
    on one worker (its gunicorn and Chromium then start once) and spread the
    other tests one by one, as ``--dist load`` does.

    This groups by path instead of by ``xdist_group`` marks, which pytest
    9.2 stopped honouring (pytest-xdist issue #1386: the nodeid suffix the
    marks rely on no longer takes effect)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class BrowserTogether(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith(BROWSER_TESTS):
                return BROWSER_TESTS
            return nodeid

    return BrowserTogether(config, log)  # type: ignore[arg-type]


BROWSER_TESTS = "tests/browser/"


# The portal's fixtures: app, database transaction per test, store, world.
from support.app_fixtures import *  # noqa: E402, F403
