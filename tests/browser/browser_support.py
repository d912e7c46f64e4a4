"""Helpers for the browser suite: the demo's ids, signing in, the pages.

``PAGES`` lists every page of the portal, each as the kind of user who can
see it and in the state to check (some in an error state). The
accessibility and security-header tests both go through it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from playwright.sync_api import Browser, BrowserContext, Page, expect

ROOT = Path(__file__).resolve().parents[2]
FILES = ROOT / "tests" / "fixtures" / "files"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
PASSWORD = "Arolygu-ar-y-cyd-2026!"
CHROMIUM = os.environ.get("PORTAL_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 20_000
LANGUAGES = ("en", "cy")

# Demo organisations (slug) and the English names of their workspaces.
CONSORTIA = {
    "erw": "ERW",
    "csc": "Central South Consortium",
    "eas": "Education Achievement Service",
    "gwe": "GwE",
}
ADMIN = "admin@demo.example"
CONTRIBUTOR = "contributor@erw.demo.example"
NOMINEE = "nominee@erw.demo.example"
CSC_NOMINEE = "nominee@csc.demo.example"
LEAD = "lead@estyn.demo.example"
INSPECTOR = "inspector@estyn.demo.example"


@dataclass
class Demo:
    """The running portal and the ids of the demo's things."""

    base_url: str
    review_id: str = ""
    # slug -> workspace id
    workspaces: dict[str, str] = field(default_factory=dict)
    # ERW's evidence as the demo seeded it: title -> id
    erw_evidence: dict[str, str] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def erw(self) -> str:
        return f"/workspaces/{self.workspaces['erw']}"

    @property
    def erw_item(self) -> str:
        return f"/evidence/{next(iter(self.erw_evidence.values()))}"

    def api(self, email: str) -> requests.Session:
        http = requests.Session()
        answer = http.post(
            self.url("/api/v1/auth/token"),
            json={"email": email, "password": PASSWORD},
            timeout=30,
        )
        answer.raise_for_status()
        http.headers["Authorization"] = f"Bearer {answer.json()['token']}"
        return http

    def get(self, http: requests.Session, path: str) -> Any:
        answer = http.get(self.url(f"/api/v1{path}"), timeout=30)
        answer.raise_for_status()
        return answer.json()

    def discover(self) -> None:
        """Find the demo review, its workspaces and ERW's evidence (API)."""
        admin = self.api(ADMIN)
        slugs = {
            o["id"]: o["slug"]
            for o in self.get(admin, "/organisations?limit=200")["items"]
        }
        inspector = self.api(INSPECTOR)
        (review,) = self.get(inspector, "/reviews")["items"]
        self.review_id = review["id"]
        listed = self.get(inspector, f"/reviews/{self.review_id}/workspaces")
        for workspace in listed["items"]:
            self.workspaces[slugs[workspace["organisation_id"]]] = workspace["id"]
        assert set(self.workspaces) == set(CONSORTIA), self.workspaces
        items = self.get(inspector, f"/workspaces/{self.workspaces['erw']}/evidence")
        self.erw_evidence = {e["title"]: e["id"] for e in items["items"]}
        assert self.erw_evidence, "the demo has no evidence in ERW's workspace"


def submit(page: Page, form: str = "main form[novalidate]") -> None:
    """Press the form's own submit button and wait for the next page."""
    button = page.locator(f"{form} button[type=submit], {form} input[type=submit]")
    with page.expect_navigation():
        button.last.click()


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form (the page must not be signed in)."""
    page.goto("/sign-in")
    page.fill("#email", email)
    page.fill("#password", password)
    submit(page)


def go(page: Page, path: str, lang: str) -> None:
    """Open ``path`` in ``lang``, through the language switch (``?lang=``),
    which also records the language of a signed-in user."""
    page.goto(path + ("&" if "?" in path else "?") + f"lang={lang}")
    expect(page.locator("html")).to_have_attribute("lang", lang)


class Browsers:
    """New browser contexts on the portal, signed in as a demo user or not."""

    def __init__(
        self, browser: Browser, demo: Demo, states: dict[str, Any] | None = None
    ) -> None:
        self.browser = browser
        self.demo = demo
        # Signed-in cookies of each user, shared by all Browsers of the suite.
        self._states: dict[str, Any] = {} if states is None else states
        self._open: list[BrowserContext] = []

    def context(self, email: str | None = None, **options: Any) -> BrowserContext:
        options.setdefault("viewport", VIEWPORT)
        state = self._states.get(email) if email else None
        context = self.browser.new_context(
            base_url=self.demo.base_url, storage_state=state, **options
        )
        context.set_default_timeout(TIMEOUT_MS)
        self._open.append(context)
        if email and state is None:
            page = context.new_page()
            sign_in(page, email)
            assert "/sign-in" not in page.url, f"could not sign in as {email}"
            page.close()
            self._states[email] = context.storage_state()
        return context

    def page(self, email: str | None = None, **options: Any) -> Page:
        return self.context(email, **options).new_page()

    def sibling(self) -> Browsers:
        """Another Browsers on the same browser and signed-in users."""
        return Browsers(self.browser, self.demo, self._states)

    def close_all(self) -> None:
        while self._open:
            with contextlib.suppress(Exception):
                self._open.pop().close()


class SharedPages:
    """One page per user, reused from test to test (a new context costs more
    than the check it serves); each test still opens its page afresh."""

    def __init__(self, browsers: Browsers, **options: Any) -> None:
        self.browsers = browsers.sibling()
        self.options = options
        self._pages: dict[str | None, Page] = {}

    def page(self, email: str | None) -> Page:
        page = self._pages.get(email)
        if page is None or page.is_closed():
            page = self._pages[email] = self.browsers.page(email, **self.options)
        return page

    def close(self) -> None:
        self._pages.clear()
        self.browsers.close_all()


# -- The pages ---------------------------------------------------------------


@dataclass(frozen=True)
class PageCase:
    """A page, as ``user`` sees it, put in its state by ``open``."""

    name: str
    user: str | None
    open: Callable[[Page, Demo, str], None]
    # Pages whose response is not HTML (checked for headers only).
    document: bool = True


def _path(path: Callable[[Demo], str]) -> Callable[[Page, Demo, str], None]:
    def open_page(page: Page, demo: Demo, lang: str) -> None:
        go(page, path(demo), lang)

    return open_page


def _via(path: Callable[[Demo], str], *links: str) -> Callable[[Page, Demo, str], None]:
    """The page reached from ``path`` by following, in turn, the first link
    matching each CSS selector in ``links`` (pages of things the demo made,
    whose ids the test does not know)."""

    def open_page(page: Page, demo: Demo, lang: str) -> None:
        go(page, path(demo), lang)
        for selector in links:
            href = page.locator(selector).first.get_attribute("href")
            assert href, selector
            go(page, href, lang)

    return open_page


def _compared(page: Page, demo: Demo, lang: str) -> None:
    """Estyn's report (the demo's, in three versions): its comparison form
    sent as it stands (the previous version against the current one)."""
    _via(
        lambda d: f"/reviews/{d.review_id}/drafts",
        'main a[href^="/drafts/"]:has-text("Estyn")',
    )(page, demo, lang)
    submit(page, "main form.app-compare-form")
    expect(page.locator("main table")).to_be_visible()


def _failed_sign_in(page: Page, demo: Demo, lang: str) -> None:
    go(page, "/sign-in", lang)
    page.fill("#email", CONTRIBUTOR)
    page.fill("#password", "not-the-password")
    submit(page)
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def _empty_sign_in(page: Page, demo: Demo, lang: str) -> None:
    go(page, "/sign-in", lang)
    submit(page)
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def _submitted_empty(path: Callable[[Demo], str]) -> Callable[[Page, Demo, str], None]:
    def open_page(page: Page, demo: Demo, lang: str) -> None:
        go(page, path(demo), lang)
        submit(page)
        expect(page.locator(".govuk-error-summary")).to_be_visible()

    return open_page


def payload(name: str, media_type: str = "application/octet-stream") -> Any:
    """A fixture file as Playwright's file payload (name, type, bytes)."""
    return {"name": name, "mimeType": media_type, "buffer": (FILES / name).read_bytes()}


def refused_file() -> Any:
    """A file the portal refuses: a Windows program."""
    return payload("program.exe")


def _refused_upload(page: Page, demo: Demo, lang: str) -> None:
    """The form posted without JavaScript, with a file the portal refuses:
    back on the workspace page with the problem in a banner."""
    go(page, demo.erw, lang)
    token = page.locator("form[data-module=app-upload] input[name=csrf_token]")
    answer = page.request.post(
        demo.url(f"{demo.erw}/upload"),
        multipart={
            "csrf_token": token.input_value(),
            "file": refused_file(),
        },
        headers={"Accept": "text/html"},
        max_redirects=0,
    )
    assert answer.status in (302, 303), answer.status
    page.goto(demo.erw)
    expect(page.locator(".govuk-notification-banner").first).to_be_visible()


def _refused_upload_js(page: Page, demo: Demo, lang: str) -> None:
    """With JavaScript: a file uploaded and a file refused, in the progress
    list. (In CSC's workspace, to keep ERW's for the screenshots.)"""
    go(page, f"/workspaces/{demo.workspaces['csc']}", lang)
    page.set_input_files(
        "input[type=file]", [payload("notes.txt", "text/plain"), refused_file()]
    )
    page.locator("form[data-module=app-upload] button.govuk-button").last.click()
    expect(page.locator(".app-upload-finished")).to_be_visible()
    expect(page.locator(".app-upload-list__status--error")).to_have_count(1)


PAGES: list[PageCase] = [
    PageCase("sign-in", None, _path(lambda d: "/sign-in")),
    PageCase("sign-in-failed", None, _failed_sign_in),
    PageCase("sign-in-empty", None, _empty_sign_in),
    PageCase("accessibility", None, _path(lambda d: "/accessibility")),
    PageCase("privacy", None, _path(lambda d: "/privacy")),
    PageCase("not-found", None, _path(lambda d: "/no-such-page")),
    PageCase("not-found-signed-in", CONTRIBUTOR, _path(lambda d: "/no-such-page")),
    PageCase("forbidden", CONTRIBUTOR, _path(lambda d: "/admin/")),
    PageCase("my-reviews", CONTRIBUTOR, _path(lambda d: "/")),
    PageCase("review", INSPECTOR, _path(lambda d: f"/reviews/{d.review_id}")),
    PageCase("review-admin", ADMIN, _path(lambda d: f"/reviews/{d.review_id}")),
    PageCase("members", LEAD, _path(lambda d: f"/reviews/{d.review_id}/members")),
    PageCase(
        "progress", INSPECTOR, _path(lambda d: f"/reviews/{d.review_id}/progress")
    ),
    PageCase(
        "members-error",
        LEAD,
        _submitted_empty(lambda d: f"/reviews/{d.review_id}/members"),
    ),
    PageCase("workspace", NOMINEE, _path(lambda d: d.erw)),
    PageCase("workspace-inspector", INSPECTOR, _path(lambda d: d.erw)),
    PageCase("workspace-refused-upload", NOMINEE, _refused_upload),
    PageCase("workspace-upload-progress", CSC_NOMINEE, _refused_upload_js),
    PageCase("evidence", NOMINEE, _path(lambda d: d.erw_item)),
    PageCase("withdraw", NOMINEE, _path(lambda d: f"{d.erw_item}/withdraw")),
    # Joint working.
    PageCase("evidence-inspector", INSPECTOR, _path(lambda d: d.erw_item)),
    PageCase(
        "hypotheses", INSPECTOR, _path(lambda d: f"/reviews/{d.review_id}/hypotheses")
    ),
    PageCase(
        "new-hypothesis-error",
        INSPECTOR,
        _submitted_empty(lambda d: f"/reviews/{d.review_id}/hypotheses/new"),
    ),
    PageCase("notifications", LEAD, _path(lambda d: "/notifications")),
    PageCase(
        "timetable", INSPECTOR, _path(lambda d: f"/reviews/{d.review_id}/timetable")
    ),
    PageCase(
        "plan-visit-error",
        INSPECTOR,
        _submitted_empty(lambda d: f"/reviews/{d.review_id}/visits/new"),
    ),
    PageCase(
        "edit-visit",
        INSPECTOR,
        _via(
            lambda d: f"/reviews/{d.review_id}/timetable",
            'main a[href^="/visits/"][href$="/edit"]',
        ),
    ),
    PageCase(
        "edit-session",
        INSPECTOR,
        _via(
            lambda d: f"/reviews/{d.review_id}/timetable",
            'main a[href^="/sessions/"]',
            'main a[href$="/edit"]',
        ),
    ),
    PageCase("calendar", NOMINEE, _path(lambda d: "/calendar")),
    PageCase("messages", LEAD, _path(lambda d: f"/reviews/{d.review_id}/messages")),
    PageCase(
        "messages-brief",
        INSPECTOR,
        _path(lambda d: f"/reviews/{d.review_id}/messages/brief"),
    ),
    PageCase(
        "message",
        LEAD,
        _via(
            lambda d: f"/reviews/{d.review_id}/messages",
            'main a[href^="/messages/"]',
        ),
    ),
    PageCase("drafts", LEAD, _path(lambda d: f"/reviews/{d.review_id}/drafts")),
    PageCase(
        "drafts-nominee", NOMINEE, _path(lambda d: f"/reviews/{d.review_id}/drafts")
    ),
    PageCase(
        "draft",
        LEAD,
        _via(
            lambda d: f"/reviews/{d.review_id}/drafts",
            'main a[href^="/drafts/"]',
        ),
    ),
    PageCase(
        "feedback-nominee",
        NOMINEE,
        _via(
            lambda d: f"/reviews/{d.review_id}/drafts",
            'main a[href^="/drafts/"]',
        ),
    ),
    PageCase("compare", INSPECTOR, _compared),
    PageCase(
        "new-draft-error",
        INSPECTOR,
        _submitted_empty(lambda d: f"/reviews/{d.review_id}/drafts/new"),
    ),
    PageCase(
        "publication", LEAD, _path(lambda d: f"/reviews/{d.review_id}/publication")
    ),
    PageCase("agreement", LEAD, _path(lambda d: f"/reviews/{d.review_id}/agreement")),
    PageCase(
        "new-message-error",
        INSPECTOR,
        _submitted_empty(lambda d: f"/reviews/{d.review_id}/messages/new"),
    ),
    PageCase("themes", LEAD, _path(lambda d: f"/reviews/{d.review_id}/themes")),
    PageCase(
        "edit-theme",
        LEAD,
        _via(
            lambda d: f"/reviews/{d.review_id}/themes",
            'main a[href^="/themes/"][href$="/edit"]',
        ),
    ),
    PageCase(
        "themes-error",
        LEAD,
        _submitted_empty(lambda d: f"/reviews/{d.review_id}/themes"),
    ),
    PageCase("admin", ADMIN, _path(lambda d: "/admin/")),
    PageCase("admin-organisations", ADMIN, _path(lambda d: "/admin/organisations")),
    PageCase(
        "admin-organisations-error",
        ADMIN,
        _submitted_empty(lambda d: "/admin/organisations"),
    ),
    PageCase("admin-users", ADMIN, _path(lambda d: "/admin/users")),
    PageCase("admin-users-error", ADMIN, _submitted_empty(lambda d: "/admin/users")),
    PageCase("admin-reviews", ADMIN, _path(lambda d: "/admin/reviews")),
    PageCase("audit", LEAD, _path(lambda d: f"/reviews/{d.review_id}/audit")),
    PageCase("admin-audit", ADMIN, _path(lambda d: "/admin/audit")),
    PageCase("withdrawn", NOMINEE, _path(lambda d: f"{d.erw}/withdrawn")),
    PageCase("export", LEAD, _path(lambda d: f"/reviews/{d.review_id}/export")),
    PageCase("admin-new-review", ADMIN, _path(lambda d: "/admin/reviews/new")),
    PageCase(
        "admin-new-review-error",
        ADMIN,
        _submitted_empty(lambda d: "/admin/reviews/new"),
    ),
]


# -- Requests for evidence ------------------------------------------------------

# ERW's demo requests, per portal: reference -> id.
_ERW_REQUESTS: dict[str, dict[str, str]] = {}


def erw_request(demo: Demo, ref: str) -> str:
    """The page of one of ERW's demo requests: R-001 open and shared out,
    R-002 submitted, R-003 returned with a reason, R-004 accepted."""
    known = _ERW_REQUESTS.get(demo.base_url)
    if known is None:
        listed = demo.get(
            demo.api(INSPECTOR), f"/workspaces/{demo.workspaces['erw']}/requests"
        )
        known = _ERW_REQUESTS[demo.base_url] = {
            r["ref"]: r["id"] for r in listed["items"]
        }
    return f"/requests/{known[ref]}"


def _returned_without_reason(page: Page, demo: Demo, lang: str) -> None:
    """A submitted request returned with no reason: the decision refused."""
    go(page, erw_request(demo, "R-002"), lang)
    page.check("#decision-2")  # return it
    submit(page, "main form[action$='/decision']")
    expect(page.locator(".govuk-error-summary")).to_be_visible()


PAGES += [
    PageCase("requests", NOMINEE, _path(lambda d: f"{d.erw}/requests")),
    PageCase(
        "requests-inspector-filtered",
        INSPECTOR,
        _path(lambda d: f"{d.erw}/requests?status=submitted"),
    ),
    PageCase("request-nominee", NOMINEE, _path(lambda d: erw_request(d, "R-001"))),
    PageCase("request-returned", CONTRIBUTOR, _path(lambda d: erw_request(d, "R-003"))),
    PageCase("request-inspector", INSPECTOR, _path(lambda d: erw_request(d, "R-002"))),
    PageCase("request-decision-error", INSPECTOR, _returned_without_reason),
    PageCase("new-request", INSPECTOR, _path(lambda d: f"{d.erw}/requests/new")),
    PageCase(
        "new-request-error",
        INSPECTOR,
        _submitted_empty(lambda d: f"{d.erw}/requests/new"),
    ),
    PageCase(
        "request-every-workspace",
        LEAD,
        _path(lambda d: f"/reviews/{d.review_id}/requests/new"),
    ),
    PageCase(
        "withdraw-request",
        LEAD,
        _path(lambda d: erw_request(d, "R-001") + "/withdraw"),
    ),
]


# -- ZIP import -----------------------------------------------------------------


def _import_result(page: Page, demo: Demo, lang: str) -> None:
    """A ZIP file imported through the form: one file imported, one refused,
    on the result page. (In CSC's workspace, to keep ERW's for the
    screenshots.)"""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(FILES / "notes.txt", "Minutes/notes.txt")
        archive.write(FILES / "page.html", "site/page.html")
    go(page, f"/workspaces/{demo.workspaces['csc']}/import", lang)
    zipped = {"name": "pack.zip", "mimeType": "application/zip"}
    page.set_input_files("#file", {**zipped, "buffer": buffer.getvalue()})
    submit(page)
    expect(page.locator("main table")).to_have_count(2)


PAGES += [
    PageCase("import", NOMINEE, _path(lambda d: f"{d.erw}/import")),
    PageCase("import-error", NOMINEE, _submitted_empty(lambda d: f"{d.erw}/import")),
    PageCase("import-result", CSC_NOMINEE, _import_result),
]


# -- axe-core ----------------------------------------------------------------

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target, html: n.html})),
  }));
}"""


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.2 AA violations on the page as it is now. The page's
    context must bypass the CSP (``bypass_csp=True``) to inject axe."""
    page.add_script_tag(path=str(AXE))
    return list(page.evaluate(AXE_RUN, AXE_TAGS))


def describe(violations: list[dict[str, Any]], limit: int = 4) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}  <{v['helpUrl']}>")
        for node in v["nodes"][:limit]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    {target}  {node['html'][:160]}")
        if len(v["nodes"]) > limit:
            lines.append(f"    … and {len(v['nodes']) - limit} more")
    return "\n".join(lines)
