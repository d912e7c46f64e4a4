"""A browser-like client for the pages: signs in through the form, carries CSRF."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from support.world import PASSWORD

_TOKEN = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


def csrf_token(html: str) -> str:
    match = _TOKEN.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


class PageClient:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def sign_in(self, email: str, password: str = PASSWORD) -> TestResponse:
        page = self.client.get("/sign-in")
        return self.client.post(
            "/sign-in",
            data={
                "csrf_token": csrf_token(page.get_data(as_text=True)),
                "email": email,
                "password": password,
            },
        )

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, **kwargs)

    def text(self, path: str, **kwargs: Any) -> str:
        return self.client.get(path, **kwargs).get_data(as_text=True)

    def submit(
        self,
        form_page: str,
        data: dict[str, Any],
        action: str | None = None,
        **kwargs: Any,
    ) -> TestResponse:
        """Load ``form_page``, take its CSRF token, post ``data`` to ``action``."""
        token = csrf_token(self.text(form_page))
        return self.client.post(
            action or form_page, data={"csrf_token": token, **data}, **kwargs
        )


def heading(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert match, "no h1 on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1))).strip()
