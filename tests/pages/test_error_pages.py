"""The error pages: each says what happened and what to do, in the page's
language, with its status, and keeps the portal's header and footer.

Each is reached the way a person reaches it: 403 and 404 by following an
address, 413 by a form announcing a body over the limit, 400 by a form
sent without its CSRF token, 415 and 500 by a view that refuses a type or
breaks (on an app of their own, with its views added before its first
request, and errors handled as in production rather than raised to the test).
"""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po
from flask import Flask

from support.app_fixtures import settings_env
from support.failing_app import BUG, FAILING, failing_app
from support.pages import PageClient, csrf_token, heading
from support.world import World
from tests.unit.test_translations import CATALOGUE

# status: (English heading, Welsh heading, English guidance, Welsh guidance)
EXPECTED = {
    403: (
        "You cannot do this",
        "Ni allwch wneud hyn",
        "Your role in this review does not allow it.",
        "Nid yw eich rôl yn yr adolygiad hwn yn caniatáu hyn.",
    ),
    404: (
        "Page not found",
        "Heb ddod o hyd i'r dudalen",
        "If you typed the web address, check it is correct.",
        "Os gwnaethoch deipio'r cyfeiriad gwe, gwiriwch ei fod yn gywir.",
    ),
    413: (
        "The file is too large",
        "Mae'r ffeil yn rhy fawr",
        "Nothing was stored.",
        "Ni chafodd dim ei storio.",
    ),
    415: (
        "This type of file cannot be uploaded",
        "Ni ellir uwchlwytho'r math hwn o ffeil",
        "Archives (such as ZIP files), web pages and programs cannot be uploaded.",
        "Ni ellir uwchlwytho archifau (fel ffeiliau ZIP), tudalennau gwe na rhaglenni.",
    ),
    500: (
        "Sorry, there is a problem with the service",
        "Mae'n ddrwg gennym, mae problem gyda'r gwasanaeth",
        "Try again later. What you were doing has not been saved.",
        "Rhowch gynnig arall arni yn nes ymlaen. "
        "Nid yw'r hyn roeddech yn ei wneud wedi'i gadw.",
    ),
    "csrf": (
        "This form has expired",
        "Mae'r ffurflen hon wedi dod i ben",
        "Go back, reload the page and try again.",
        "Ewch yn ôl, ail-lwythwch y dudalen a rhowch gynnig arall arni.",
    ),
}
LANGUAGES = ("en", "cy")


def check_page(html: str, lang: str, expected: tuple[str, str, str, str]) -> None:
    title_en, title_cy, guidance_en, guidance_cy = expected
    title, guidance = (
        (title_en, guidance_en) if lang == "en" else (title_cy, guidance_cy)
    )
    assert f'<html lang="{lang}"' in html
    assert heading(html) == title
    assert guidance in html.replace("&#39;", "'")
    assert f"<title>{title}" in html.replace("&#39;", "'")
    # The portal's own header and footer, not a bare error.
    assert "govuk-service-navigation" in html
    assert "/accessibility" in html


@pytest.fixture(scope="module")
def broken_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return failing_app(settings_env(database_url), tmp_path_factory.mktemp("instance"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_forbidden(world: World, client, lang: str) -> None:
    page = PageClient(client)
    page.sign_in(world.users["contributor"].email)
    page.get(f"/privacy?lang={lang}")
    response = page.get("/admin/")
    assert response.status_code == 403
    check_page(response.get_data(as_text=True), lang, EXPECTED[403])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_not_found(world: World, client, lang: str) -> None:
    page = PageClient(client)
    page.sign_in(world.users["contributor"].email)
    page.get(f"/privacy?lang={lang}")
    response = page.get(f"/workspaces/{world.csc_ws.id}")
    assert response.status_code == 404
    check_page(response.get_data(as_text=True), lang, EXPECTED[404])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_too_large(world: World, client, lang: str) -> None:
    page = PageClient(client)
    page.sign_in(world.users["contributor"].email)
    page.get(f"/privacy?lang={lang}")
    token = csrf_token(page.text(f"/workspaces/{world.ws.id}"))
    body = (
        b'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        + token.encode()
        + b"\r\n--b--\r\n"
    )
    response = client.post(
        f"/workspaces/{world.ws.id}/upload",
        data=body,
        content_type="multipart/form-data; boundary=b",
        # What a browser announces for a form bigger than 20 files at the limit.
        environ_overrides={"CONTENT_LENGTH": str(200 * 1024 * 1024)},
    )
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    check_page(html, lang, EXPECTED[413])
    # What the limit is, so the person knows what will fit.
    assert {
        "en": "Upload at most 20 files of up to 4 MiB each at once.",
        "cy": "Uwchlwythwch 20 ffeil ar y mwyaf ar y tro, hyd at 4 MiB yr un.",
    }[lang] in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_form_without_its_token(world: World, client, lang: str) -> None:
    page = PageClient(client)
    page.sign_in(world.users["admin"].email)
    page.get(f"/privacy?lang={lang}")
    response = client.post("/admin/organisations", data={"name": "No token"})
    assert response.status_code == 400
    check_page(response.get_data(as_text=True), lang, EXPECTED["csrf"])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_unsupported_type(broken_app: Flask, lang: str) -> None:
    response = broken_app.test_client().get(
        FAILING[415], headers={"Accept-Language": lang}
    )
    assert response.status_code == 415
    check_page(response.get_data(as_text=True), lang, EXPECTED[415])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_server_error(
    broken_app: Flask, lang: str, caplog: pytest.LogCaptureFixture
) -> None:
    response = broken_app.test_client().get(
        FAILING[500], headers={"Accept-Language": lang}
    )
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    check_page(html, lang, EXPECTED[500])
    # The person sees no trace of the bug; the log has it.
    assert BUG not in html and "Traceback" not in html
    assert any(BUG in (r.exc_text or str(r.exc_info)) for r in caplog.records)


def test_every_error_page_is_translated() -> None:
    """The Welsh texts above are the catalogue's, not guesses: each Welsh
    heading and guidance is the msgstr of its English msgid."""
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    welsh = {str(m.id): str(m.string) for m in catalogue if m.id}
    for title_en, title_cy, guidance_en, guidance_cy in EXPECTED.values():
        assert welsh.get(title_en) == title_cy, title_en
        assert any(
            guidance_en in english and guidance_cy in welsh[english]
            for english in welsh
        ), guidance_en
