"""The portal as a black box: a real gunicorn on the stack under test.

``PORTAL_TEST_DB`` (``sqlite`` | ``postgresql``) and ``PORTAL_TEST_STORE``
(``fs`` | ``s3``) choose the stack, as for the rest of the suite. The server
is configured only through the environment variables and command line the
deployment documentation describes, and started once for the e2e suite.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from e2e_support import PASSWORD, People, Portal
from support.server import (
    PortalServer,
    fresh_database,
    fresh_store_url,
    show_log_tail,
)

UPLOAD_MAX_BYTES = 1024 * 1024
ADMIN_EMAIL = "e2e-admin@example.org"

# The gunicorn log of the running server, shown with any failing e2e test.
_server_log: list[Path] = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    show_log_tail(report, _server_log, 60)
    return report


@pytest.fixture(scope="session")
def portal(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Portal]:
    """The portal served by ``gunicorn --workers 2`` on a free local port, on
    its own database and store of the kinds under test."""
    workdir = tmp_path_factory.mktemp("e2e-server")
    with fresh_database(workdir) as database_url:
        server = PortalServer(
            database_url=database_url,
            store_url=fresh_store_url(request, workdir),
            workdir=workdir,
            UPLOAD_MAX_BYTES=str(UPLOAD_MAX_BYTES),
        )
        _server_log.insert(0, server.log)
        try:
            server.flask("init-db")
            server.flask(
                "create-admin", ADMIN_EMAIL, "--name", "Admin", "--password", PASSWORD
            )
            server.start()
            yield Portal(server.base_url, UPLOAD_MAX_BYTES, ADMIN_EMAIL)
        finally:
            server.stop()
            _server_log.clear()


@pytest.fixture(scope="session")
def people(portal: Portal) -> People:
    """Two inspecting bodies, four consortia and an outsider, every role staffed.

    Keys are ``"org/role"``: ``estyn``/``wao`` have ``lead_officer``,
    ``inspector`` and ``observer``; ``erw``, ``csc``, ``eas``, ``gwe`` have
    ``nominee`` and ``contributor``; ``outsider`` (a party to no review) has
    one ``inspector``.
    """
    kinds = {
        "estyn": ("inspectorate", ("lead_officer", "inspector", "observer")),
        "wao": ("audit_body", ("lead_officer", "inspector", "observer")),
        "erw": ("consortium", ("nominee", "contributor")),
        "csc": ("consortium", ("nominee", "contributor")),
        "eas": ("consortium", ("nominee", "contributor")),
        "gwe": ("consortium", ("nominee", "contributor")),
        "outsider": ("other", ("inspector",)),
    }
    orgs = {}
    persons = {}
    for org_key, (kind, roles) in kinds.items():
        orgs[org_key] = portal.create_org(kind, org_key)
        for role in roles:
            key = f"{org_key}/{role}"
            persons[key] = portal.create_user(orgs[org_key], key)
    return People(orgs, persons)
