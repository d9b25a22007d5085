"""A translator's catalog is untrusted: it can neither inject markup nor take a language down.

Each attack goes through the real Application (fake Telegram servers only) and `penah i18n`.
"""

from __future__ import annotations

import resource
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import shipped_locales
from bot.i18n.translator import load_catalogs
from tests.conftest import make_settings, running_harness
from tests.fakes import user
from tests.telegram_html import parse_html

ARABIC = user(5151, language_code="ar")


def poisoned(tmp_path: Path, msgid: str, msgstr: str) -> tuple[Path, int]:
    """The shipped catalogs with one Arabic translation replaced; returns its line."""
    locales = tmp_path / "locales"
    shutil.copytree(shipped_locales(), locales)
    po = locales / "ar" / "LC_MESSAGES" / "messages.po"
    lines = po.read_text(encoding="utf-8").split("\n")
    at = lines.index(f'msgid "{msgid}"')
    lines[at + 1] = f'msgstr "{msgstr}"'
    po.write_text("\n".join(lines), encoding="utf-8")
    return locales, at + 1


async def arabic_main_menu(tmp_path: Path, locales: Path) -> str:
    async with running_harness(make_settings(tmp_path, locales=locales)) as h:
        await h.send("/start", ARABIC)
        await h.tap("العربية", ARABIC)
        return str(h.screen(ARABIC["id"])["text"])


async def test_a_link_in_the_language_prompt_is_shown_as_text_not_sent_as_markup(
    tmp_path: Path,
) -> None:
    link = '<a href=\\"https://evil.example/login\\">اضغط هنا</a>'
    locales, _ = poisoned(tmp_path, "Choose your language.", link)
    async with running_harness(make_settings(tmp_path, locales=locales)) as h:
        await h.send("/start", ARABIC)
        sent = h.fake.called("sendMessage")[-1].params["text"]
    parsed = parse_html(sent)
    assert not any(kind == "a" for kind, _, _ in parsed.entities)
    assert "<a href" in parsed.text  # the translator's text, shown literally


@pytest.mark.parametrize(
    ("msgid", "msgstr"),
    [
        ("How can I help? Choose a button below.", "كيف يمكنني المساعدة؟ }"),
        ("Your place: {place}", "مكانك: {0.__class__}"),
        ("Your place: {place}", "مكانك: {place.__class__.__mro__}"),
        ("Your place: {place}", "مكانك: {place!r}"),
        ("Your place: {place}", "مكانك: {place:300000000}"),
        ("Your place: {place}", "مكانك: {place:{place}}"),
    ],
)
async def test_a_broken_placeholder_costs_one_line_in_english_not_the_language(
    tmp_path: Path, msgid: str, msgstr: str
) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    locales, line = poisoned(tmp_path, msgid, msgstr)
    text = await arabic_main_menu(tmp_path, locales)
    assert "كيف يمكنني المساعدة" in text or "How can I help" in text
    assert "class" not in text and len(text) < 2000
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB
    catalogs = load_catalogs(locales)
    assert "ar" in catalogs.translators
    assert catalogs.get("ar").gettext(msgid) == msgid  # dropped: shown in English
    assert any(p.line == line for p in catalogs.problems)


@pytest.mark.parametrize(
    "msgstr", ["كيف }", "{0.__class__}", "{x!r}", "{x:300000000}", "{"],
)
def test_penah_i18n_names_the_file_and_line_of_an_unsafe_placeholder(
    tmp_path: Path, msgstr: str, capsys: pytest.CaptureFixture[str]
) -> None:
    locales, line = poisoned(tmp_path, "How can I help? Choose a button below.", msgstr)
    assert main(["i18n", "--locales", str(locales)]) == 1
    out = capsys.readouterr().out
    assert f"ar/LC_MESSAGES/messages.po:{line}:" in out
