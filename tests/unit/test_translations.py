"""Welsh is not treated less favourably: every message has its translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent.parent
CATALOGUE = ROOT / "app" / "translations" / "cy" / "LC_MESSAGES" / "messages.po"
METHOD_MAP = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {
    "_": None,
    "_l": None,
    "gettext": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
}


def welsh() -> dict[str, str]:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    problems = [f"{m.id!r}: {errors}" for m, errors in catalogue.check()]
    assert not problems, "placeholders differ:\n" + "\n".join(problems)
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy (unchecked) translations: {fuzzy}"
    return {str(m.id): str(m.string) for m in catalogue if m.id}


def test_every_message_in_the_catalogue_is_translated() -> None:
    missing = [msgid for msgid, text in welsh().items() if not text.strip()]
    assert not missing, f"{len(missing)} messages have no Welsh: {missing[:10]}"


def test_every_message_in_the_code_is_in_the_catalogue() -> None:
    catalogue = welsh()
    in_code = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(
            str(ROOT / "app"), METHOD_MAP, keywords=KEYWORDS, strip_comment_tags=True
        )
    }
    missing = sorted(m for m in in_code if m not in catalogue)
    assert not missing, (
        f"{len(missing)} messages are not in the Welsh catalogue; run "
        f"`make translations-update` and translate them: {missing[:10]}"
    )
