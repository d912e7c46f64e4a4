"""Schemathesis hooks for the portal's own fuzz run (test_e2e_schemathesis.py).

Loaded by the ``schemathesis run`` child process through
``SCHEMATHESIS_HOOKS``; the test writes what they need (the server's address,
the ids of the objects it seeded, an administrator's token) to the JSON file
named by ``PORTAL_FUZZ_SEED``.

- Path parameters: half the cases use an id the run's users can reach, so
  the fuzzer gets past ``404`` into the validation and state rules behind it
  (random UUIDs alone only ever find nothing); every case of the operations
  the run must see succeed (``REACHED`` in the test) does.
- Query parameters the operation does not define are dropped: the API
  ignores them, by design.
- ``DELETE /auth/token`` revokes the token it is sent, so it is sent one of
  its own, made for the purpose; otherwise the first such case would sign
  the run's user out for the rest of the run.
- Cases whose request line gunicorn would refuse with its own ``414``
  (over 4094 bytes, before the portal sees them) are not sent: that limit is
  the HTTP server's, documented in the README, not the API's.
"""

from __future__ import annotations

import json
import os
import zlib
from typing import Any
from urllib.parse import quote, urlencode

import requests
import schemathesis

with open(os.environ["PORTAL_FUZZ_SEED"], encoding="utf-8") as _file:
    SEED: dict[str, Any] = json.load(_file)

# gunicorn's --limit-request-line default; the method, the HTTP version and
# the spaces take the rest of the line.
REQUEST_LINE_MAX = 4094 - len("DELETE  HTTP/1.1")


@schemathesis.hook
def filter_case(context: schemathesis.HookContext, case: schemathesis.Case) -> bool:
    path = quote(case.formatted_path, safe="/")
    query = urlencode(case.query or {}, doseq=True)
    return len(path) + len(query) + 1 <= REQUEST_LINE_MAX


@schemathesis.hook
def before_call(
    context: schemathesis.HookContext, case: schemathesis.Case, kwargs: dict[str, Any]
) -> None:
    known_ids(case)
    defined_query_only(case)
    spare_member(case)
    granted_token(case)
    if case.method.upper() == "DELETE" and case.path == "/api/v1/auth/token":
        own_token(case)


def known_ids(case: schemathesis.Case) -> None:
    """Half the cases (chosen by case id, so a replay is the same) get ids
    of the seeded objects, so the fuzzer gets past 404 into the rules behind
    it. Done here, not while generating: schemathesis revalidates what a
    ``before_call`` hook changes, so a negative case whose only fault was a
    malformed id now replaced is judged as the positive case it became."""
    parameters = case.path_parameters
    if not parameters:
        return
    # The operations a run must see succeed get known ids every time: a
    # random id only ever finds a 404, which the portal's own tests cover.
    operation_id = (case.operation.definition.raw or {}).get("operationId")
    if operation_id not in SEED["reached"] and zlib.crc32(case.id.encode()) % 2:
        return
    known = SEED["path_parameters"]
    for name in list(parameters):
        if name in known:
            choices = known[name]
            parameters[name] = choices[
                zlib.crc32(name.encode() + case.id.encode()) % len(choices)
            ]


def defined_query_only(case: schemathesis.Case) -> None:
    """Query parameters an operation does not define are ignored by the API
    (README: cache-busters and tracking parameters must not break a
    script), so they are not sent: a case whose only fault was one becomes
    the positive case the API sees."""
    if not case.query:
        return
    defined = {
        parameter.name
        for parameter in case.operation.iter_parameters()
        if parameter.location.name.lower() == "query"
    }
    for name in [n for n in case.query if n not in defined]:
        del case.query[name]


def spare_member(case: schemathesis.Case) -> None:
    """Membership changes reach the run's own users through the stateful
    phase's links (an id from ``GET /me`` or ``GET /users``): point those at
    a spare member instead, or one ``DELETE`` would lock the run out."""
    parameters = case.path_parameters or {}
    if str(parameters.get("user_id")) in SEED["protected_users"]:
        parameters["user_id"] = SEED["path_parameters"]["user_id"][0]


# Operations only some of the run's users get past 403 on: whose token half
# their cases carry.
GRANTED_TO = {
    "list_organisations": "admin",
    "list_users": "admin",
    "list_audit": "admin",
    "list_members": "lead_officer",
    "list_review_audit": "lead_officer",
}


def granted_token(case: schemathesis.Case) -> None:
    """Half the cases of an operation only some users may use (chosen by
    case id) are sent with such a user's token: otherwise a run that happened
    to send them all as the others (as a loaded machine's shorter run did,
    twice) sees only 403s there, and proves nothing about them."""
    operation_id = (case.operation.definition.raw or {}).get("operationId")
    who = GRANTED_TO.get(operation_id or "")
    if operation_id == "list_workspace_evidence" and str(
        (case.query or {}).get("withdrawn")
    ).lower() in ("true", "1"):
        if zlib.crc32(b"live" + case.id.encode()) % 2:
            # The live list, as most callers ask for it: the run must see it.
            del case.query["withdrawn"]
            return
        who = "lead_officer"  # the trash: for whoever may withdraw there
    if who is None or zlib.crc32(case.id.encode()) % 2:
        return
    headers = case.headers if case.headers is not None else {}
    sent = str(headers.get("Authorization", ""))
    if sent.removeprefix("Bearer ") in SEED["tokens"]:
        headers["Authorization"] = f"Bearer {SEED['wfc'][who]}"
        case.headers = headers


def own_token(case: schemathesis.Case) -> None:
    """``DELETE /auth/token`` sent with one of the run's tokens revokes a
    fresh token of a user of its own instead."""
    headers = case.headers if case.headers is not None else {}
    sent = str(headers.get("Authorization", ""))
    if (
        not sent.startswith("Bearer ")
        or sent.removeprefix("Bearer ") not in SEED["tokens"]
    ):
        return  # no token, or a made-up one: send it as the fuzzer made it
    answer = requests.post(
        SEED["base_url"] + "/api/v1/auth/token",
        json={
            "email": SEED["revoker"]["email"],
            "password": SEED["revoker"]["password"],
        },
        timeout=30,
    )
    answer.raise_for_status()
    headers["Authorization"] = f"Bearer {answer.json()['token']}"
    case.headers = headers
