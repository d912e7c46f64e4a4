"""Client-side helpers for the end-to-end suite.

Written from the API contract (docs/api-v1.md) alone: everything here talks
HTTP to a running portal and knows nothing of its implementation.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import requests

ROOT = Path(__file__).resolve().parents[2]
FILES = ROOT / "tests" / "fixtures" / "files"
API = "/api/v1"
PASSWORD = "correct horse battery staple 42"

# What the fixture manifest says each accepted file is.
MEDIA_TYPES = {
    "report.pdf": "application/pdf",
    "minutes.docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    "attendance.csv": "text/csv",
    "chart.png": "image/png",
}
# What a client would claim when uploading each of them.
CLAIMED = {
    "report.pdf": "application/pdf",
    "minutes.docx": MEDIA_TYPES["minutes.docx"],
    "attendance.csv": "text/csv",
    "chart.png": "image/png",
    "page.html": "text/html",
    "drawing.svg": "image/svg+xml",
    "archive.zip": "application/zip",
    "archive.tar": "application/x-tar",
    "archive.7z": "application/x-7z-compressed",
    "archive.rar": "application/vnd.rar",
    "program.elf": "application/octet-stream",
}

USER_FIELDS = {"id", "email", "name", "organisation_id", "is_admin", "locale"}
ORG_FIELDS = {"id", "slug", "name", "name_cy", "kind"}
REVIEW_FIELDS = {"id", "title", "title_cy", "status", "inspecting", "reviewed"}
WORKSPACE_FIELDS = {"id", "review_id", "organisation_id", "name"}
EVIDENCE_FIELDS = {
    "id",
    "workspace_id",
    "title",
    "description",
    "filename",
    "media_type",
    "size",
    "sha256",
    "uploaded_by",
    "uploaded_at",
}
REVIEW_STATUSES = {"planning", "fieldwork", "reporting", "published", "closed"}
INSPECTING_ROLES = ("lead_officer", "inspector", "observer")
REVIEWED_ROLES = ("nominee", "contributor")

_ISO_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
)


def fixture_bytes(name: str) -> bytes:
    return (FILES / name).read_bytes()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def describe(resp: requests.Response) -> str:
    request = resp.request
    return (
        f"{request.method} {request.path_url} -> {resp.status_code} {resp.text[:400]!r}"
    )


def assert_time(value: Any, what: str) -> datetime:
    """An ISO 8601 time with an offset, as the contract promises."""
    assert isinstance(value, str), f"{what}: not a string: {value!r}"
    assert _ISO_TIME.match(value), f"{what}: not ISO 8601 with offset: {value!r}"
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.utcoffset() is not None, f"{what}: no offset: {value!r}"
    return parsed


def assert_fields(obj: Any, names: set[str], what: str) -> None:
    assert isinstance(obj, dict), f"{what}: not an object: {obj!r}"
    missing = names - set(obj)
    assert not missing, f"{what}: missing {sorted(missing)} in {obj!r}"


def expect_error(
    resp: requests.Response,
    status: int,
    code: str,
    fields: Iterable[str] = (),
    *,
    some_field: bool = False,
) -> dict[str, Any]:
    """Check a refusal: its status and ``{"error": {"code", "message", ...}}``.

    ``fields`` lists field names the error must name; ``some_field`` asks for
    at least one. ``fields`` must be absent unless the code is
    ``validation_error``.
    """
    assert resp.status_code == status, f"expected {status} {code}; {describe(resp)}"
    media = resp.headers.get("Content-Type", "").split(";")[0].strip()
    assert media == "application/json", f"error not JSON ({media!r}); {describe(resp)}"
    body = resp.json()
    assert isinstance(body, dict), f"error body not an object; {describe(resp)}"
    assert isinstance(body.get("error"), dict), f"no 'error' object; {describe(resp)}"
    error = body["error"]
    assert error.get("code") == code, f"expected code {code!r}; {describe(resp)}"
    message = error.get("message")
    assert isinstance(message, str), f"no message; {describe(resp)}"
    assert message.strip(), f"empty message; {describe(resp)}"
    wanted = list(fields)
    if code == "validation_error":
        if wanted or some_field:
            got = error.get("fields")
            assert isinstance(got, dict), f"no 'fields' object; {describe(resp)}"
            assert got, f"empty 'fields'; {describe(resp)}"
            for name in wanted:
                assert name in got, f"'fields' lacks {name!r}; {describe(resp)}"
    else:
        assert "fields" not in error, f"'fields' on a {code}; {describe(resp)}"
    return error


def saved_name(item: dict[str, Any]) -> str:
    """The name a download of ``item`` is saved under: its reference and
    security classification before the file's name, within 255 bytes
    (the stem cut, the extension kept)."""
    prefix = f"{item['reference']} {item['classification']} "
    name = item["filename"]
    room = 255 - len(prefix.encode())
    if len(name.encode()) > room:
        stem, _dot, extension = name.rpartition(".")
        keep = room - len(extension.encode()) - 1
        name = stem.encode()[:keep].decode(errors="ignore") + "." + extension
    return prefix + name


def content_disposition_filename(header: str) -> tuple[str, str]:
    """Return (disposition type, filename) of a Content-Disposition header.

    Prefers the RFC 5987 ``filename*`` form, as RFC 6266 asks of clients.
    """
    parts = [part.strip() for part in _split_params(header)]
    kind = parts[0].lower()
    plain: str | None = None
    extended: str | None = None
    for part in parts[1:]:
        name, _, value = part.partition("=")
        name = name.strip().lower()
        value = value.strip()
        if name == "filename*":
            charset, _, rest = value.partition("'")
            _lang, _, encoded = rest.partition("'")
            assert charset.lower() == "utf-8", f"filename* charset: {header!r}"
            extended = unquote(encoded, encoding="utf-8", errors="strict")
        elif name == "filename":
            if value.startswith('"') and value.endswith('"'):
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            plain = value
    filename = extended if extended is not None else plain
    assert filename is not None, f"no filename in Content-Disposition: {header!r}"
    return kind, filename


def _split_params(header: str) -> list[str]:
    out: list[str] = []
    current = ""
    quoted = False
    escaped = False
    for char in header:
        if escaped:
            current += char
            escaped = False
        elif char == "\\" and quoted:
            current += char
            escaped = True
        elif char == '"':
            current += char
            quoted = not quoted
        elif char == ";" and not quoted:
            out.append(current)
            current = ""
        else:
            current += char
    out.append(current)
    return out


class Client:
    """One caller of the API: a bearer token (or none) and a label for messages.

    Every response is checked for ``X-Content-Type-Options: nosniff``.
    """

    def __init__(self, base_url: str, token: str | None, label: str) -> None:
        self.base_url = base_url
        self.token = token
        self.label = label
        self.session = requests.Session()

    def request(
        self,
        method: str,
        path: str,
        *,
        expect: int | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        sent = dict(headers or {})
        if self.token is not None:
            sent.setdefault("Authorization", f"Bearer {self.token}")
        resp = self.session.request(
            method, self.base_url + API + path, headers=sent, timeout=60, **kwargs
        )
        nosniff = resp.headers.get("X-Content-Type-Options", "").strip().lower()
        assert nosniff == "nosniff", f"{self.label}: no nosniff on {describe(resp)}"
        if expect is not None:
            assert resp.status_code == expect, (
                f"{self.label}: expected {expect}; {describe(resp)}"
            )
        return resp

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def data(self, method: str, path: str, expect: int, **kwargs: Any) -> Any:
        resp = self.request(method, path, expect=expect, **kwargs)
        media = resp.headers.get("Content-Type", "").split(";")[0].strip()
        assert media == "application/json", f"not JSON ({media!r}); {describe(resp)}"
        return resp.json()

    def upload(
        self,
        workspace_id: str,
        filename: str,
        data: bytes,
        content_type: str = "application/octet-stream",
        *,
        title: str | None = None,
        description: str | None = None,
        fields: dict[str, str] | None = None,
        expect: int | None = None,
    ) -> requests.Response:
        form: dict[str, str] = dict(fields or {})
        if title is not None:
            form["title"] = title
        if description is not None:
            form["description"] = description
        return self.post(
            f"/workspaces/{workspace_id}/evidence",
            files={"file": (filename, data, content_type)},
            data=form,
            expect=expect,
        )

    def walk(self, path: str, limit: int) -> list[dict[str, Any]]:
        """Every item of a list, page by page; checks each page's shape."""
        items: list[dict[str, Any]] = []
        sep = "&" if "?" in path else "?"
        url = f"{path}{sep}limit={limit}"
        seen_cursors: set[str] = set()
        for _ in range(1000):
            page = self.data("GET", url, 200)
            assert_fields(page, {"items", "next_cursor"}, f"page of {path}")
            assert isinstance(page["items"], list)
            assert len(page["items"]) <= limit, f"{path}: page over limit {limit}"
            items.extend(page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                return items
            assert isinstance(cursor, str), f"{path}: cursor {cursor!r}"
            assert page["items"], f"{path}: empty page with a next_cursor"
            assert cursor not in seen_cursors, f"{path}: cursor repeats"
            seen_cursors.add(cursor)
            url = f"{path}{sep}limit={limit}&cursor={requests.utils.quote(cursor)}"
        raise AssertionError(f"{path}: more than 1000 pages")


@dataclass
class Person:
    key: str
    email: str
    id: str
    organisation_id: str
    client: Client


@dataclass
class Review:
    id: str
    body: dict[str, Any]
    # organisation id -> workspace
    workspaces: dict[str, dict[str, Any]] = field(default_factory=dict)


class Portal:
    """A running portal, seen from outside."""

    def __init__(self, base_url: str, upload_max_bytes: int, admin_email: str):
        self.base_url = base_url
        self.upload_max_bytes = upload_max_bytes
        self.anonymous = Client(base_url, None, "anonymous")
        self.admin = self.sign_in(admin_email, PASSWORD, "admin")

    def client(self, token: str | None, label: str) -> Client:
        return Client(self.base_url, token, label)

    def sign_in(self, email: str, password: str, label: str) -> Client:
        body = self.anonymous.data(
            "POST", "/auth/token", 201, json={"email": email, "password": password}
        )
        assert_fields(body, {"token", "expires_at"}, "token")
        assert isinstance(body["token"], str) and body["token"]
        assert_time(body["expires_at"], "expires_at")
        return Client(self.base_url, body["token"], label)

    def create_org(self, kind: str, prefix: str, name_cy: str | None = None) -> dict:
        slug = unique(prefix)
        payload: dict[str, Any] = {"slug": slug, "name": f"{prefix} {slug}"}
        payload["kind"] = kind
        if name_cy is not None:
            payload["name_cy"] = name_cy
        org = self.admin.data("POST", "/organisations", 201, json=payload)
        assert_fields(org, ORG_FIELDS, "organisation")
        assert org["slug"] == slug and org["kind"] == kind
        assert org["name"] == payload["name"] and org["name_cy"] == name_cy
        return org

    def create_user(
        self, org: dict[str, Any], key: str, locale: str | None = None
    ) -> Person:
        email = f"{unique(key.replace('/', '-'))}@example.org"
        payload = {
            "email": email,
            "name": f"User {key}",
            "organisation_id": org["id"],
            "password": PASSWORD,
        }
        if locale is not None:
            payload["locale"] = locale
        user = self.admin.data("POST", "/users", 201, json=payload)
        assert_fields(user, USER_FIELDS, "user")
        assert not [k for k in user if "password" in k.lower()], f"user: {user!r}"
        assert PASSWORD not in repr(user)
        assert user["email"] == email and user["organisation_id"] == org["id"]
        assert user["is_admin"] is False
        assert user["locale"] in ("en", "cy")
        if locale is not None:
            assert user["locale"] == locale
        client = self.sign_in(email, PASSWORD, key)
        me = client.data("GET", "/me", 200)
        assert_fields(me, USER_FIELDS, "/me")
        assert me == {**me, **user}, f"/me {me!r} differs from {user!r}"
        return Person(key, email, user["id"], org["id"], client)

    def create_review(
        self,
        title: str,
        inspecting: list[str],
        reviewed: list[str],
        title_cy: str | None = None,
    ) -> Review:
        payload: dict[str, Any] = {
            "title": title,
            "inspecting": inspecting,
            "reviewed": reviewed,
        }
        if title_cy is not None:
            payload["title_cy"] = title_cy
        body = self.admin.data("POST", "/reviews", 201, json=payload)
        assert_fields(body, REVIEW_FIELDS, "review")
        assert body["title"] == title and body["title_cy"] == title_cy
        assert body["status"] in REVIEW_STATUSES
        assert sorted(body["inspecting"]) == sorted(inspecting)
        assert sorted(body["reviewed"]) == sorted(reviewed)
        return Review(body["id"], body)

    def set_role(
        self, actor: Client, review_id: str, person: Person, role: str
    ) -> None:
        body = actor.data(
            "PUT", f"/reviews/{review_id}/members/{person.id}", 200, json={"role": role}
        )
        assert_fields(body, {"user_id", "role"}, "membership")
        assert body["user_id"] == person.id and body["role"] == role, body

    def load_workspaces(self, review: Review, viewer: Client) -> None:
        items = viewer.walk(f"/reviews/{review.id}/workspaces", 200)
        for workspace in items:
            assert_fields(workspace, WORKSPACE_FIELDS, "workspace")
            assert workspace["review_id"] == review.id
            review.workspaces[workspace["organisation_id"]] = workspace
        assert sorted(review.workspaces) == sorted(review.body["reviewed"])


@dataclass
class People:
    """Organisations and signed-in users shared by several tests."""

    orgs: dict[str, dict[str, Any]]
    # "estyn/inspector" -> Person
    people: dict[str, Person]

    def __getitem__(self, key: str) -> Person:
        return self.people[key]

    def of(self, org_key: str) -> list[Person]:
        return [p for k, p in self.people.items() if k.split("/")[0] == org_key]

    def org_id(self, org_key: str) -> str:
        return str(self.orgs[org_key]["id"])


def role_of(person: Person) -> str:
    return person.key.split("/")[1]


def staff_review(
    portal: Portal,
    people: People,
    title: str,
    inspecting: list[str],
    reviewed: list[str],
) -> Review:
    """A review with every user of its organisations a member in their role."""
    review = portal.create_review(
        unique(title),
        [people.org_id(k) for k in inspecting],
        [people.org_id(k) for k in reviewed],
    )
    for org_key in [*inspecting, *reviewed]:
        for person in people.of(org_key):
            portal.set_role(portal.admin, review.id, person, role_of(person))
    inspector = people.of(inspecting[0])[0]
    portal.load_workspaces(review, inspector.client)
    return review
