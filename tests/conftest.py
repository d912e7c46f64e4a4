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


# The portal's fixtures: app, database transaction per test, store, world.
from support.app_fixtures import *  # noqa: E402, F403
