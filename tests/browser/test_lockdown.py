"""Every page sends a strict Content-Security-Policy and runs no inline script.

Checked on each page of ``PAGES`` as the browser receives it: the
Content-Security-Policy (no ``'unsafe-inline'`` for scripts), framing
refused (``frame-ancestors 'none'`` or ``X-Frame-Options: DENY``), a
Referrer-Policy; in the DOM, no ``<script>`` without ``src``, no inline
event handler and no ``javascript:`` address; and Chromium reports no
violation of the policy while the page is used.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pytest
from playwright.sync_api import ConsoleMessage, Response

from .browser_support import (
    NOMINEE,
    PAGES,
    Browsers,
    Demo,
    PageCase,
    SharedPages,
)

pytestmark = pytest.mark.slow

SAFE_REFERRER_POLICIES = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
    "origin",
    "origin-when-cross-origin",
}
INLINE_CODE = """() => {
  const found = [];
  for (const script of document.querySelectorAll("script:not([src])")) {
    found.push("inline <script>: " + script.outerHTML.slice(0, 120));
  }
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value.trim().toLowerCase();
      if (name.startsWith("on")) {
        found.push(`handler ${name} on <${element.tagName.toLowerCase()}>`);
      } else if (["href", "src", "action", "formaction"].includes(name)
                 && value.startsWith("javascript:")) {
        found.push(`javascript: address in ${name} of <${element.tagName}>`);
      }
    }
  }
  return found;
}"""


def directives(policy: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed.setdefault(words[0].lower(), [w.lower() for w in words[1:]])
    return parsed


def header_problems(headers: Mapping[str, str]) -> list[str]:
    """What is wrong with a page's security headers (lower-case names)."""
    problems = []
    policy = headers.get("content-security-policy")
    if not policy:
        return ["no Content-Security-Policy"]
    csp = directives(policy)
    scripts = csp.get("script-src", csp.get("default-src"))
    if scripts is None:
        problems.append(f"CSP limits no scripts (no script-src/default-src): {policy}")
    elif "'unsafe-inline'" in scripts:
        problems.append(f"CSP script-src allows 'unsafe-inline': {policy}")
    framing = csp.get("frame-ancestors")
    if framing != ["'none'"] and headers.get("x-frame-options", "").upper() != "DENY":
        problems.append(
            "framing allowed: neither frame-ancestors 'none' nor "
            f"X-Frame-Options DENY ({policy!r}, {headers.get('x-frame-options')!r})"
        )
    referrer = headers.get("referrer-policy", "")
    values = {v.strip().lower() for v in referrer.split(",") if v.strip()}
    if not values:
        problems.append("no Referrer-Policy")
    elif not values <= SAFE_REFERRER_POLICIES:
        problems.append(f"Referrer-Policy leaks addresses: {referrer}")
    return problems


@pytest.fixture(scope="module")
def csp_pages(_browsers: Browsers) -> Iterator[SharedPages]:
    """A page per user, with the CSP in force."""
    pages = SharedPages(_browsers)
    yield pages
    pages.close()


@pytest.mark.parametrize("case", PAGES, ids=[case.name for case in PAGES])
def test_page_is_locked_down(
    csp_pages: SharedPages, demo: Demo, case: PageCase
) -> None:
    page = csp_pages.page(case.user)
    documents: list[Response] = []
    reports: list[str] = []

    def on_response(response: Response) -> None:
        if response.request.resource_type == "document" and (
            response.status < 300 or response.status >= 400
        ):
            documents.append(response)

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            reports.append(message.text)

    page.on("response", on_response)
    page.on("console", on_console)
    try:
        case.open(page, demo, "en")
        page.wait_for_load_state("load")
        inline = page.evaluate(INLINE_CODE)
    finally:
        page.remove_listener("response", on_response)
        page.remove_listener("console", on_console)

    assert documents, f"no page was loaded for {case.name}"
    problems = [
        f"{response.url} ({response.status}): {problem}"
        for response in documents
        for problem in header_problems(response.all_headers())
    ]
    problems += [f"{page.url}: {found}" for found in inline]
    problems += [f"{page.url}: CSP violation reported: {text}" for text in reports]
    assert not problems, f"{case.name}:\n" + "\n".join(problems)


def test_download_is_locked_down(browsers: Browsers, demo: Demo) -> None:
    context = browsers.context(NOMINEE)
    response = context.request.get(demo.erw_item + "/download")
    assert response.status == 200
    headers = response.headers
    assert not header_problems(headers), header_problems(headers)
    assert headers.get("x-content-type-options") == "nosniff"
    assert headers.get("content-disposition", "").startswith("attachment")


def test_the_policy_stops_an_injected_script(browsers: Browsers, demo: Demo) -> None:
    """The browser enforces the policy: a script put into a page by
    markup injection does not run."""
    page = browsers.page(NOMINEE)
    page.goto(demo.erw)
    ran = page.evaluate(
        """() => new Promise((resolve) => {
          document.addEventListener("securitypolicyviolation", () => resolve(false));
          const script = document.createElement("script");
          script.textContent = "window.injectedRan = true";
          document.body.append(script);
          setTimeout(() => resolve(window.injectedRan === true), 500);
        })"""
    )
    assert ran is False
